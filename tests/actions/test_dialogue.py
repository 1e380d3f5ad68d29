"""Dialogue hazards, run through the real NLU component and the real actions (no servers).

Each test names the hazard it guards against; the intent is varied where the NLU could choose
more than one, so the behaviour does not depend on the classifier's guess.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml
from rasa_sdk.events import SlotSet

from actions.handoff import latest_triage
from actions.plan import ActionPlan
from actions.session import ActionNewPatient
from guideline_engine.facts import facts_from_values
from guideline_engine.regimen.model import Tri
from guideline_engine.topics import topics
from tests.actions.conftest import build_tracker, custom_payloads, real_entities
from tests.actions.conversation import Conversation, Turn

ROOT = Path(__file__).resolve().parents[2]
PA_PATIENT = "62F, pernicious anaemia, pins and needles in both feet, platelets 35"
RESET_INTENTS = [
    pytest.param("new_patient", id="as-new-patient"),
    pytest.param("inform", id="as-inform"),
    pytest.param("ask_treatment", id="as-treatment-question"),
]


def _answer(turn: Turn) -> dict:
    """The plan-like payload of a turn (plan, gate, question or refusal)."""
    kinds = ("b12.regimen", "b12.gate", "b12.missing_facts", "b12.invalid_facts")
    (payload,) = [p for p in turn.payloads() if p["type"] in kinds]
    return payload


# --------------------------------------------------------------------------- reset in a message


@pytest.mark.parametrize("intent", RESET_INTENTS)
async def test_reset_at_the_start_of_a_message_forgets_the_previous_patient(intent: str) -> None:
    chat = Conversation(audience="clinician")
    await chat.say(PA_PATIENT)
    turn = await chat.say("new patient: 30M, vegan, no neurological symptoms", intent)
    assert turn.payloads("b12.new_patient")
    assert any("cleared" in t for t in turn.texts())
    plan = turn.payload("b12.regimen")
    assert plan["facts_used"] == {
        "neurological_involvement": "no",
        "causes": ["dietary"],
        "age": 30,
        "formulary": "uk",
    }
    assert turn.slots["platelet_count"] is None
    assert turn.slots["audience"] == "clinician"  # about the user, not the patient


@pytest.mark.parametrize(
    ("message", "causes"),
    [
        pytest.param(
            "next patient is a 45 year old man with no neuro symptoms after gastric bypass",
            ["bariatric_surgery"],
            id="next-patient-is",
        ),
        pytest.param("Another patient: 50F no neuro symptoms", None, id="another-patient"),
        pytest.param("ok, reset. 70M no neuro symptoms", None, id="ok-reset"),
    ],
)
async def test_reset_wordings_clear_causes_and_platelets(message: str, causes) -> None:
    chat = Conversation(audience="clinician")
    await chat.say(PA_PATIENT)
    turn = await chat.say(message)
    assert turn.payloads("b12.new_patient")
    facts = turn.payload("b12.regimen")["facts_used"]
    assert facts.get("causes") == causes
    assert "platelet_count" not in facts


async def test_reset_leaks_no_pending_question_refused_value_or_triage() -> None:
    chat = Conversation(audience="patient")
    first = await chat.say("my b12 is low and I have crushing chest pain, platelets -40")
    assert first.payload("b12.triage")["urgency"] == "emergency"
    assert chat.slots["value_problems"]
    await chat.say("how is b12 deficiency treated?", "ask_treatment")
    turn = await chat.say("new patient: 40F no neuro symptoms", "new_patient")
    assert turn.slots["pending_question"] is None
    assert turn.slots["value_problems"] is None
    assert turn.payload("b12.regimen")["facts_used"]["age"] == 40
    # the handoff summary must not report the previous patient's emergency as this patient's
    assert latest_triage(build_tracker(events=chat.events)) is None


async def test_reset_phrase_later_in_a_message_is_not_a_reset() -> None:
    assert not [
        e for e in real_entities("is this a new patient or the same one?") if e["entity"] == "reset"
    ]
    assert [e for e in real_entities("OK thanks. New patient: 30M") if e["entity"] == "reset"]


async def test_new_patient_action_alone_keeps_only_this_messages_details(
    dispatcher, make_tracker, domain
) -> None:
    text = "new patient: 30M, vegan, no neurological symptoms"
    entities = real_entities(text)
    tracker = make_tracker(
        text=text,
        intent="new_patient",
        entities=entities,
        slots={
            "audience": "clinician",
            "causes": ["pernicious_anaemia"],
            "platelet_count": 35.0,
            "neurological_involvement": "no",
            "age": 30,
        },
    )
    events = await ActionNewPatient().answer(dispatcher, tracker, domain)
    assert SlotSet("platelet_count", None) in events
    assert SlotSet("causes", ["dietary"]) in events
    plan = next(p for p in custom_payloads(dispatcher) if p["type"] == "b12.regimen")
    assert plan["facts_used"]["causes"] == ["dietary"]
    assert "platelet_count" not in plan["facts_used"]


# --------------------------------------------------------------------------- audience plus facts


@pytest.mark.parametrize("intent", ["choose_audience", "inform"])
async def test_audience_and_patient_details_in_one_message(intent: str) -> None:
    chat = Conversation()
    turn = await chat.say("I am a doctor. 62F no neuro symptoms, pernicious anaemia", intent)
    assert turn.slots["audience"] == "clinician"
    plan = turn.payload("b12.regimen")
    assert plan["audience"] == "clinician"
    assert plan["facts_used"]["age"] == 62
    assert plan["facts_used"]["causes"] == ["pernicious_anaemia"]


async def test_audience_alone_is_confirmed_with_a_payload() -> None:
    turn = await Conversation().say("I am a doctor", "choose_audience")
    confirmed = turn.payload("b12.audience_set")
    assert {k: confirmed[k] for k in ("type", "audience")} == {
        "type": "b12.audience_set",
        "audience": "clinician",
    }
    assert confirmed["answer"]["audience"] == "clinician"
    assert not turn.payloads("b12.regimen")


# --------------------------------------------------------------------------- values with sanity

NO_NEURO = "62F no neuro symptoms, pernicious anaemia, "


@pytest.mark.parametrize(
    ("values", "field", "written"),
    [
        pytest.param("platelets -40", "platelet_count", "-40", id="negative-platelets"),
        pytest.param("age 250", "age", "250", id="impossible-age"),
        pytest.param(
            "B12 99999999999999999999999999 ng/L",
            "b12_level",
            "99999999999999999999999999",
            id="huge-b12",
        ),
        pytest.param("platelets 35 and platelets 300", "platelet_count", "300", id="contradiction"),
        pytest.param("Hb -9", "haemoglobin", "-9", id="negative-hb"),
        pytest.param("B12 -150 ng/L", "b12_level", "-150", id="negative-b12"),
    ],
)
async def test_value_that_cannot_be_used_is_named_back(values: str, field: str, written: str):
    turn = await Conversation(audience="clinician").say(NO_NEURO + values)
    refused = turn.payload("b12.invalid_facts")
    assert field in refused["fields"]
    assert any(written in p for p in refused["problems"])
    assert not turn.payloads("b12.regimen")
    assert any(written in t for t in turn.texts())


async def test_refused_value_blocks_the_plan_until_corrected() -> None:
    chat = Conversation(audience="clinician")
    await chat.say(NO_NEURO + "platelets -40")
    why = await chat.say("why?", "ask_why")
    assert why.payloads("b12.invalid_facts")
    corrected = await chat.say("sorry, platelets 140")
    assert corrected.payload("b12.regimen")["facts_used"]["platelet_count"] == 140.0
    assert corrected.slots["value_problems"] is None


async def test_platelets_zero_is_a_value_and_never_a_silent_im_plan() -> None:
    turn = await Conversation(audience="clinician").say(NO_NEURO + "platelets 0")
    assert turn.slots["platelet_count"] == 0.0
    answer = _answer(turn)
    if answer["type"] == "b12.regimen":
        plan = answer["plan"]
        cautioned = any("platelet" in code for code in [*plan["warnings"], *plan["notes"]])
        assert plan["route"] != "intramuscular" or cautioned
    else:
        assert "platelet" in json.dumps(answer)


@pytest.mark.parametrize(
    ("values", "field", "expected"),
    [
        pytest.param(
            "platelet count was 45 last week, now 220",
            "platelet_count",
            220.0,
            id="latest-platelets",
        ),
        pytest.param("platelets 150e9/L", "platelet_count", 150.0, id="scientific-notation"),
        pytest.param(
            "12 cm of ileum resected, then a further 14 cm of distal ileum",
            "ileal_resection_cm",
            26.0,
            id="resections-added",
        ),
    ],
)
async def test_values_are_read_as_meant(values: str, field: str, expected: float) -> None:
    turn = await Conversation(audience="clinician").say(NO_NEURO + values)
    assert turn.slots[field] == expected
    assert not turn.payloads("b12.invalid_facts")


async def test_unreadable_slot_value_is_named_back(dispatcher, make_tracker, domain) -> None:
    tracker = make_tracker(slots={"neurological_involvement": "no", "age": "lots"})
    await ActionPlan().answer(dispatcher, tracker, domain)
    (payload,) = custom_payloads(dispatcher)
    assert payload["type"] == "b12.invalid_facts"
    assert payload["fields"] == ["age"]


async def test_breastfeeding_haemoglobin_and_pancytopenia_reach_the_regimen_facts() -> None:
    chat = Conversation(audience="clinician")
    await chat.say("30F breastfeeding, Hb 8.5 g/dL, pancytopenia, no neuro symptoms")
    facts = facts_from_values(chat.slots).facts
    assert facts.breastfeeding is Tri.YES
    assert facts.haemoglobin == 85.0
    assert facts.pancytopenia is Tri.YES


async def test_invisible_characters_do_not_hide_a_symptom() -> None:
    turn = await Conversation(audience="clinician").say(
        "62F pernicious anaemia, pins\u200b and nee\u00addles\u200d in both feet"
    )
    assert turn.slots["neurological_involvement"] == "yes"


# --------------------------------------------------------------------------- scope

OTHER_CONDITIONS = [
    pytest.param("iron deficiency anaemia", "iron deficiency anaemia", id="iron"),
    pytest.param("how do I treat my eczema?", "eczema", id="eczema"),
    pytest.param("ferrous sulphate dose", "iron deficiency anaemia", id="ferrous-sulphate"),
]


@pytest.mark.parametrize(
    "intent", ["ask_treatment", "inform", "ask_followup", "out_of_scope", "nlu_fallback"]
)
@pytest.mark.parametrize(("message", "condition"), OTHER_CONDITIONS)
async def test_other_condition_is_declined_with_a_reason(message, condition, intent) -> None:
    turn = await Conversation(audience="clinician").say(message, intent)
    declined = turn.payload("b12.out_of_scope")
    assert declined["reason"] == "other_condition"
    assert declined["condition"] == condition
    for kind in ("b12.regimen", "b12.missing_facts", "b12.answer", "b12.gate"):
        assert not turn.payloads(kind)
    assert turn.slots.get("pending_question") is None


def _covered_questions() -> list[object]:
    """A treatment question naming each condition a topic package covers."""
    terms = yaml.safe_load((ROOT / "src/guideline_engine/vocab/topic.yml").read_text("utf-8"))
    covered = {c for t in topics().all for c in t.covers}
    return [
        pytest.param(f"How is {c['name']} treated? 45F", t, id=c["id"])
        for c in terms["other_conditions"]
        if c["id"] in covered
        for t in topics().all
        if c["id"] in t.covers
    ]


@pytest.mark.parametrize("intent", ["ask_treatment", "inform", "out_of_scope", "nlu_fallback"])
@pytest.mark.parametrize(("message", "topic"), _covered_questions())
async def test_a_condition_a_topic_covers_is_answered_by_that_topic_not_declined(
    message: str, topic, intent: str
) -> None:
    turn = await Conversation(audience="patient").say(message, intent)
    assert not turn.payloads("b12.out_of_scope")
    answers = [p for p in turn.payloads() if p.get("topic") == topic.id]
    assert answers and all(p["contract_version"] for p in answers)
    assert turn.slots["topic"] == topic.id


@pytest.mark.parametrize(
    "message", ["how do I treat my anemia?", "how do I treat her?", "how do I treat it?"]
)
async def test_topic_gate_needs_a_b12_word_when_nothing_is_known(message: str) -> None:
    turn = await Conversation(audience="clinician").say(message, "ask_treatment")
    assert turn.payload("b12.out_of_scope")["reason"] == "not_this_topic"
    assert not turn.payloads("b12.missing_facts")


async def test_b12_question_naming_folate_too_is_answered() -> None:
    turn = await Conversation(audience="clinician").say(
        "how do I treat b12 and folate deficiency? no neuro symptoms", "ask_treatment"
    )
    assert not turn.payloads("b12.out_of_scope")
    # both topics named: the folate table answers (it asks for the B12 result before any
    # folic acid, or hands over to the B12 plan first)
    assert turn.payloads("folate.missing_facts") or turn.payloads("b12.regimen")


# --------------------------------------------------------------------------- language

LANGUAGES = [
    pytest.param("tengo dolor de cabeza y estoy muy cansada", "es", "inglés", id="es"),
    pytest.param("Comment traiter une carence en vitamine B12 ?", "fr", "anglais", id="fr"),
    pytest.param("Mein Vater hat B12-Mangel und Kribbeln in den Füßen", "de", "Englisch", id="de"),
    pytest.param("Estou muito cansada e tenho formigueiro nas mãos", "pt", "inglês", id="pt"),
    pytest.param("Ho la vitamina B12 bassa, cosa devo fare?", "it", "inglese", id="it"),
    pytest.param("Mam niski poziom witaminy B12, jak to leczyć?", "pl", "angielsku", id="pl"),
    pytest.param("لدي نقص فيتامين ب12 وتنميل في قدمي", "ar", "الإنجليزية", id="ar"),
]


@pytest.mark.parametrize("intent", ["ask_treatment", "inform", "nlu_fallback", "greet"])
@pytest.mark.parametrize(("message", "language", "word"), LANGUAGES)
async def test_non_english_message_gets_english_only_reply(message, language, word, intent):
    turn = await Conversation(audience="patient").say(message, intent)
    notice = turn.payload("b12.language_unsupported")
    assert notice["answer"]["sections"][0]["lines"][0]["text"] == turn.texts()[-1]
    assert {k: v for k, v in notice.items() if k not in {"answer", "contract_version"}} == {
        "type": "b12.language_unsupported",
        "language": language,
    }
    assert word in turn.texts()[-2] or word in turn.texts()[-1]
    for kind in ("b12.missing_facts", "b12.regimen", "b12.answer", "b12.out_of_scope"):
        assert not turn.payloads(kind)
    assert not {k for k, v in turn.slots.items() if v is not None} - {
        "audience",
        "disclaimer_shown",
    }


async def test_red_flag_in_a_non_english_message_is_triaged_first() -> None:
    turn = await Conversation(audience="patient").say(
        "tengo crushing chest pain y no puedo respirar", "inform"
    )
    assert turn.payloads()[0]["type"] == "b12.triage"
    assert turn.payloads()[0]["urgency"] == "emergency"
    assert turn.payloads()[-1]["type"] == "b12.language_unsupported"


@pytest.mark.parametrize(
    "message",
    [
        "62F, IF antibodies +, pins and needles in both feet, platelets 120",
        "the patient con PA, de novo presentation, no neuro symptoms",
        "Hola, my mum has low b12 and pins and needles",
    ],
)
async def test_english_messages_are_not_taken_for_another_language(message: str) -> None:
    assert not [e for e in real_entities(message) if e["entity"] == "language"]


# --------------------------------------------------------------------------- payload on every reply

VARIED_TURNS = [
    ("hello", "greet"),
    ("I'm a GP", "choose_audience"),
    ("how is b12 deficiency treated?", "ask_treatment"),
    ("yes", "affirm"),
    ("is it cheaper privately?", "affirm"),
    ("no", "deny"),
    ("ok", "affirm"),
    ("why?", "ask_why"),
    ("what are your sources?", "ask_sources"),
    ("can she have tablets instead?", "ask_followup"),
    ("asdf qwer", "nlu_fallback"),
    ("book me a taxi", "out_of_scope"),
    ("help", "help"),
    ("are you a bot?", "bot_challenge"),
    ("thanks", "thank"),
    ("platelets -40", "inform"),
    ("new patient", "new_patient"),
    ("how do I treat my eczema?", "ask_treatment"),
    ("¿Cómo se trata la anemia por deficiencia de vitamina B12?", "ask_treatment"),
    ("bye", "goodbye"),
]


async def test_every_reply_carries_a_typed_payload() -> None:
    chat = Conversation()
    for text, intent in VARIED_TURNS:
        turn = await chat.say(text, intent)
        assert turn.messages, (text, intent)
        types = [p.get("type") for p in turn.payloads()]
        assert types and all(isinstance(t, str) and t.startswith("b12.") for t in types), (
            text,
            intent,
            turn.messages,
        )


async def test_yes_with_nothing_pending_is_acknowledged_or_answered() -> None:
    chat = Conversation(audience="clinician")
    ack = await chat.say("ok", "affirm")
    assert ack.payload("b12.acknowledged")
    question = await chat.say("is it cheaper privately?", "affirm")
    assert question.payloads("b12.answer") or question.payloads("b12.no_answer")


async def test_a_status_in_words_answers_an_unreadable_value() -> None:
    """Independent review, session 7 (F5): a named-back value must not block for ever."""
    chat = Conversation(audience="patient")
    first = await chat.say("my b12 (ng/L) 150, pernicious anaemia, no numbness or tingling")
    assert first.payloads("b12.invalid_facts")
    turn = await chat.say("I don't know the number, the letter just says my b12 is low")
    assert turn.slots["value_problems"] is None
    assert not turn.payloads("b12.invalid_facts")
