"""End-to-end conversations over the REST channel against the real servers."""

from __future__ import annotations

import json
import re
from typing import Any

import pytest

from tests.e2e.conftest import Bot

# (message, audience, expected plan fields). Each vignette is the first message of a fresh
# conversation, so the plan must come at once when neurological status is stated.
VIGNETTES = [
    pytest.param(
        "62F, IF antibodies +, pins and needles in both feet, platelets 120",
        "clinician",
        {"neurological_involvement": "yes", "cause": "pernicious_anaemia", "lifelong": True},
        id="pa-neuro-shorthand",
    ),
    pytest.param(
        "58M pernicious anaemia, no numbness or tingling, plt 250",
        "clinician",
        {
            "neurological_involvement": "no",
            "cause": "pernicious_anaemia",
            "maintenance_interval_months": [2, 3],
        },
        id="pa-no-neuro-negated-list",
    ),
    pytest.param(
        "45 yo woman, denies paraesthesia, vegan for 10 years, "
        "how should I treat her b12 deficiency",
        "clinician",
        {
            "neurological_involvement": "no",
            "cause": "dietary",
            "warnings+": "dietary_fortified_foods",
        },
        id="vegan-denies",
    ),
    pytest.param(
        "neuro exam normal, s/p RYGB 2019, B12 low, what regimen",
        "clinician",
        # The seed: "supplementation indefinitely" [1, 4]; NG239 (parts read) does not address it.
        {
            "neurological_involvement": "no",
            "cause": "bariatric_surgery",
            "duration": "indefinite",
            "lifelong": None,
        },
        id="rygb-neuro-normal",
    ),
    pytest.param(
        "70 year old man with 40 cm of terminal ileum resected, no neuro symptoms",
        "clinician",
        {
            "neurological_involvement": "no",
            "cause": "ileal_resection",
            "maintenance_interval_months": [1, 1],
        },
        id="ileal-40cm",
    ),
    pytest.param(
        "80F unsteady gait and numb feet, b12 deficient",
        "clinician",
        {
            "neurological_involvement": "yes",
            "urgent_specialist_advice": True,
            "warnings+": "elderly_monitor_closely",
        },
        id="elderly-ataxia",
    ),
    pytest.param(
        "b12 deficiency anemia no neurological symptoms US patient",
        "clinician",
        {
            "neurological_involvement": "no",
            "drug": "cyanocobalamin",
            "route": "intramuscular",
            "maintenance_interval_months": [1, 1],
        },
        id="us-formulary",
    ),
    pytest.param(
        "pt with pernicious anemia no neuro signs prefers tablets",
        "clinician",
        # Oral by preference: no dose step (the oral evidence is an option), PA stays lifelong,
        # and the traditional parenteral route stays visible.
        {
            "neurological_involvement": "no",
            "route": "oral",
            "drug": "vitamin_b12",
            "loading": [],
            "maintenance": [],
            "lifelong": True,
            "warnings+": ["oral_needs_close_monitoring", "parenteral_traditional_in_malabsorption"],
            "options+": "oral_high_dose_emerging_evidence",
        },
        id="oral-preference-us-spelling",
    ),
    pytest.param(
        "pins and needles in her fingers, on folic acid already",
        "clinician",
        {"neurological_involvement": "yes", "warnings+": "folic_acid_already_started"},
        id="neuro-folic",
    ),
    pytest.param(
        "crohns with ileal resection 30cm, no numbness",
        "clinician",
        {
            "neurological_involvement": "no",
            "cause": "ileal_resection",
            "maintenance_interval_months": [1, 1],
        },
        id="ileal-30cm-crohns",
    ),
    pytest.param(
        "ileal resection 15 cm, no neurological involvement",
        "clinician",
        {
            "neurological_involvement": "no",
            "cause": "ileal_resection",
            "notes+": "ileal_resection_20cm_or_less_not_covered",
        },
        id="ileal-15cm",
    ),
    pytest.param(
        "coeliac disease, malabsorption, no neuro",
        "clinician",
        {"neurological_involvement": "no", "cause": "malabsorption", "lifelong": True},
        id="coeliac",
    ),
    pytest.param(
        "on metformin for years, b12 low, no neuro symptoms",
        "clinician",
        {
            "neurological_involvement": "no",
            "cause": "medication",
            "notes+": "cause_medication_not_covered",
        },
        id="metformin",
    ),
    pytest.param(
        "b12 borderline, no neuro",
        "clinician",
        {"neurological_involvement": "no", "warnings+": "mma_if_indeterminate"},
        id="borderline-b12",
    ),
    pytest.param(
        "tingling but no numbness",
        "clinician",
        {"neurological_involvement": "yes"},
        id="negation-scope-but",
    ),
    pytest.param(
        "no tingling however has an unsteady gait",
        "clinician",
        {"neurological_involvement": "yes"},
        id="negation-terminated",
    ),
    pytest.param(
        "FIT 55yo male PA no paresthesia",
        "clinician",
        {"neurological_involvement": "no", "cause": "pernicious_anaemia"},
        id="pa-abbreviation",
    ),
    pytest.param(
        "my mum has pernicious anaemia and her feet tingle what treatment will she get",
        "patient",
        {
            "neurological_involvement": "yes",
            "urgent_specialist_advice": True,
            "cause": "pernicious_anaemia",
            "lifelong": True,
        },
        id="patient-mum-tingle",
    ),
    pytest.param(
        "i have b12 deficiency but no numbness or tingling what happens now",
        "patient",
        {
            "neurological_involvement": "no",
            "route": "intramuscular",
            "cause": "unknown",
            "duration": "depends_on_cause",
            "lifelong": None,
            "notes+": "cause_unknown",
        },
        id="patient-no-neuro",
    ),
    pytest.param(
        "im vegan and my b12 is low, no pins and needles",
        "patient",
        {"neurological_involvement": "no", "cause": "dietary"},
        id="patient-vegan",
    ),
    pytest.param(
        "i had a gastric bypass and my b12 is low. no tingling",
        "patient",
        {
            "neurological_involvement": "no",
            "cause": "bariatric_surgery",
            "duration": "indefinite",
            "lifelong": None,
        },
        id="patient-gastric-bypass",
    ),
    pytest.param(
        "I hate needles, I have pernicious anaemia and no nerve symptoms",
        "patient",
        {"neurological_involvement": "no", "route": "oral"},
        id="patient-needle-phobia",
    ),
    pytest.param(
        "my dad is 82 and has numbness in his feet from low b12",
        "patient",
        {
            "neurological_involvement": "yes",
            "urgent_specialist_advice": True,
            "duration": "depends_on_cause",
            "warnings+": "elderly_monitor_closely",
        },
        id="patient-elderly-neuro",
    ),
    pytest.param(
        "HOW IS VITAMIN B12 DEFICIENCY ANAEMIA TREATED NO NEURO SYMPTOMS",
        "clinician",
        # Cause unknown: NG239 makes treatment lifelong only for an irreversible cause, so the
        # plan says the duration depends on the cause and names the seed's "for life" as a
        # difference between the sources, never a lifelong plan nor a stop date.
        {
            "neurological_involvement": "no",
            "cause": "unknown",
            "duration": "depends_on_cause",
            "lifelong": None,
            "notes+": "cause_unknown",
            "source_differences+": "seed_lifelong_vs_ng239",
        },
        id="upper-case",
    ),
    pytest.param(
        "pernicous anemia pt, no tinglin",
        "clinician",
        {"neurological_involvement": "no", "cause": "pernicious_anaemia"},
        id="typos",
    ),
    pytest.param(
        "memory problems and confusion with low b12 in a 66 year old",
        "clinician",
        {"neurological_involvement": "yes", "urgent_specialist_advice": True},
        id="cognitive",
    ),
    pytest.param(
        "her mother had numbness. she herself has no neuro symptoms, PA",
        "clinician",
        {"neurological_involvement": "no", "cause": "pernicious_anaemia"},
        id="family-history-not-patient",
    ),
]


# Eligibility gates fire before any plan (content/b12/gates.yml): urgent specialist advice
# first, and no standard plan, whatever the neurological status.
_LOW_PLATELETS = {
    "gate": "gate.b12.low_platelets",
    "conditions": ["platelet_count ≤ 50"],
    "advice": ["b12.population.thrombocytopenia", "b12.policy.low_platelets_haematology"],
}
_PREGNANCY = {
    "gate": "gate.b12.pregnancy",
    "conditions": ["pregnant = yes"],
    "advice": ["b12.sps.pregnancy_urgent_haematology"],
}
# With nerve symptoms the regimen's urgent neurology advice goes with the gate [1].
_NEURO_COMPANION = {
    "gate": "gate.b12.neurological_symptoms",
    "conditions": ["neurological_involvement = yes"],
    "advice": ["b12.neuro.specialist"],
}
GATED_VIGNETTES = [
    pytest.param("no neuro sx, platelets 35", [_LOW_PLATELETS], id="low-platelets-no-neuro"),
    pytest.param(
        "paraesthesia both hands, plt 35k",
        [_LOW_PLATELETS, _NEURO_COMPANION],
        id="low-platelets-neuro-35k",
    ),
    pytest.param(
        "tingling in feet, platelets 35,000/µL",
        [_LOW_PLATELETS, _NEURO_COMPANION],
        id="platelets-per-microlitre",
    ),
    pytest.param("no tingling, platelets 35 x10^9/L", [_LOW_PLATELETS], id="platelets-si"),
    pytest.param(
        "30 weeks pregnant, numbness in both legs",
        [_PREGNANCY, _NEURO_COMPANION],
        id="pregnant-neuro",
    ),
]
# Doses and schedules, which patients never see (HAZ-010).
DOSE_OR_SCHEDULE = re.compile(
    r"\b\d[\d.,\-]*\s*(mg|µg|mcg|micrograms?)\b|\b(mg|µg|mcg|micrograms?)\b"
    r"|every other day|alternate days|times a week|\bmonthly\b|\bdaily\b|once a month",
    re.IGNORECASE,
)


def _check_plan(plan: dict, expected: dict) -> None:
    for key, value in expected.items():
        if key.endswith("+"):
            for item in value if isinstance(value, list) else [value]:
                assert item in plan[key[:-1]], (key, plan[key[:-1]])
        else:
            assert plan[key] == value, (key, plan[key])


@pytest.mark.parametrize(("message", "audience", "expected"), VIGNETTES)
def test_vignette_gets_a_cited_plan_at_once(bot: Bot, sender, message, audience, expected) -> None:
    reply = bot.say(sender(), message, audience)
    assert reply.status == 200
    payload = reply.payload("b12.regimen")
    assert payload["audience"] == audience
    _check_plan(payload["plan"], expected)
    cited = {c["snippet_id"] for c in payload["citations"]}
    assert all(c["source"] and c["year"] for c in payload["citations"])
    steps = payload["plan"]["loading"] + payload["plan"]["maintenance"]
    if audience == "clinician":
        for step in steps:
            assert step["snippet_ids"] and set(step["snippet_ids"]) <= cited
        return
    # Patients: plain words only, no dose or schedule in any text or citation they are shown,
    # and the loading schedule's snippets (doses) are not among their citations.
    texts = [*reply.texts(), *(c["text"] for c in payload["citations"])]
    assert not [t for t in texts if DOSE_OR_SCHEDULE.search(t)]
    for step in payload["plan"]["loading"]:
        assert not set(step["snippet_ids"]) & cited, step["snippet_ids"]
    assert "Your clinician will decide" in "\n".join(reply.texts())


@pytest.mark.parametrize(("message", "expected"), GATED_VIGNETTES)
def test_gated_vignette_gets_specialist_advice_and_no_plan(
    bot: Bot, sender, message, expected
) -> None:
    reply = bot.say(sender(), message, "clinician")
    assert reply.status == 200
    assert not reply.payloads("b12.regimen"), "no standard plan behind a gate"
    gate = reply.payload("b12.gate")
    assert (gate["gate"], gate["urgency"], gate["plan_withheld"]) == (
        expected[0]["gate"],
        "urgent",
        True,
    )
    neuro = _NEURO_COMPANION in expected
    assert gate["specialists"] == (["haematology", "neurology"] if neuro else ["haematology"])
    hits = [
        {"gate": h["gate"], "conditions": h["conditions"], "advice": h["advice"]}
        for h in gate["gates"]
    ]
    assert hits == expected
    advice = [sid for hit in expected for sid in hit["advice"]]
    assert [c["snippet_id"] for c in gate["citations"]] == advice
    assert all(c["source"] and c["year"] for c in gate["citations"])
    text = "\n".join(reply.texts())
    who = "haematology, neurology" if neuro else "haematology"
    assert f"URGENT specialist advice first ({who})" in text
    assert "standard plan is withheld" in text


def test_relatives_finding_does_not_drive_the_plan_and_why_names_it(bot: Bot, sender) -> None:
    conversation = sender()
    message = "my sister has PA, I don't. 40F vegan, no neuro symptoms"
    plan = bot.say(conversation, message, "patient").payload("b12.regimen")
    assert plan["plan"]["causes"] == ["dietary"]
    why = bot.say(conversation, "why?")
    sisters = {
        "kind": "cause",
        "id": "pernicious_anaemia",
        "text": "has PA",
        "certainty": "affirmed",
        "experiencer": "other",
        "time": "current",
    }
    assert sisters in why.payload("b12.why")["findings"]
    assert "Not counted: pernicious anaemia (about someone else)" in "\n".join(why.texts())


def test_unknown_neuro_status_asks_one_question_then_answers(bot: Bot, sender) -> None:
    conversation = sender()
    first = bot.say(conversation, "how do I treat b12 deficiency anaemia?", "clinician")
    assert first.payload("b12.missing_facts")["missing"] == ["neurological_involvement"]
    assert not first.payloads("b12.regimen")
    buttons = [b for m in first.messages for b in m.get("buttons") or []]
    assert {b["title"] for b in buttons} >= {"Yes", "No"}
    yes = next(b["payload"] for b in buttons if b["title"] == "Yes")
    second = bot.say(conversation, yes)
    assert second.payload("b12.regimen")["plan"]["urgent_specialist_advice"] is True


def test_typed_no_answers_the_neuro_question(bot: Bot, sender) -> None:
    conversation = sender()
    bot.say(conversation, "what is the treatment for b12 deficiency", "clinician")
    reply = bot.say(conversation, "no")
    assert reply.payload("b12.regimen")["plan"]["neurological_involvement"] == "no"


def test_correction_recomputes_the_plan(bot: Bot, sender) -> None:
    conversation = sender()
    first = bot.say(conversation, "68F pernicious anaemia, no neuro symptoms", "clinician")
    assert first.payload("b12.regimen")["plan"]["neurological_involvement"] == "no"
    second = bot.say(conversation, "actually she does have numbness in her feet")
    plan = second.payload("b12.regimen")["plan"]
    assert plan["neurological_involvement"] == "yes"
    assert plan["cause"] == "pernicious_anaemia"  # earlier facts are kept


def test_new_patient_clears_every_fact(bot: Bot, sender) -> None:
    conversation = sender()
    bot.say(conversation, "pernicious anaemia with tingling, plt 30", "clinician")
    cleared = bot.say(conversation, "new patient")
    assert cleared.payloads("b12.new_patient")
    after = bot.say(conversation, "how should I treat B12 deficiency?")
    assert after.payload("b12.missing_facts")["missing"] == ["neurological_involvement"]
    reply = bot.say(conversation, "no neuro symptoms")
    plan = reply.payload("b12.regimen")
    assert plan["plan"]["cause"] == "unknown"
    assert "platelet_count" not in plan["facts_used"]


def test_facts_never_leak_between_conversations(bot: Bot, sender) -> None:
    bot.say(sender(), "ileal resection 40 cm, vegan, plt 30, tingling", "clinician")
    other = bot.say(sender(), "no neuro symptoms", "clinician")
    payload = other.payload("b12.regimen")
    assert payload["facts_used"] == {"neurological_involvement": "no", "formulary": "uk"}


def test_follow_up_quotes_snippets_with_citations(bot: Bot, sender) -> None:
    conversation = sender()
    bot.say(conversation, "PA, no neuro", "clinician")
    reply = bot.say(conversation, "why shouldn't I give folic acid first?")
    answer = reply.payload("b12.answer")
    assert answer["snippets"][0]["snippet_id"] == "b12.folic_acid.not_before_b12"
    assert answer["kb_version"].startswith("kb-")
    assert "subacute combined degeneration" in "\n".join(reply.texts())


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("can b12 injections cause acne?", id="acne"),
        pytest.param("what dose of b12 for a 4 year old child?", id="children"),
        pytest.param("does nitrous oxide cause b12 deficiency?", id="nitrous"),
    ],
)
def test_out_of_guideline_follow_up_says_so(bot: Bot, sender, question) -> None:
    reply = bot.say(sender(), question, "clinician")
    assert reply.payloads("b12.no_answer")
    assert not reply.payloads("b12.answer")
    assert "does not cover" in "\n".join(reply.texts())


def test_off_topic_request_is_declined(bot: Bot, sender) -> None:
    reply = bot.say(sender(), "book me a taxi to the airport", "patient")
    assert reply.status == 200
    assert any("only help with" in t for t in reply.texts())
    assert not reply.payloads("b12.regimen")


def test_why_and_sources(bot: Bot, sender) -> None:
    conversation = sender()
    bot.say(conversation, "bariatric surgery, no neuro", "clinician")
    why = bot.say(conversation, "why?").payload("b12.why")
    assert why["facts_used"]["causes"] == ["bariatric_surgery"]
    assert why["rule_path"]
    sources = bot.say(conversation, "what are your sources?")
    text = "\n".join(sources.texts())
    assert "Praxis Medical Insights" in text and "unresolved" in text


def test_feedback_is_recorded_with_kb_version(bot: Bot, sender) -> None:
    conversation = sender()
    plan = bot.say(conversation, "PA, no neuro", "clinician").payload("b12.regimen")
    reply = bot.say(conversation, "this is wrong")
    assert reply.payloads("b12.feedback_recorded")
    records = [json.loads(line) for line in bot.feedback_path.read_text().splitlines()]
    mine = [r for r in records if r["conversation_id"] == conversation]
    assert mine and mine[-1]["kb_version"] == plan["kb_version"]
    assert mine[-1]["answer"]


@pytest.mark.parametrize(
    ("message", "urgency", "flag"),
    [
        pytest.param(
            "I have crushing chest pain and b12 deficiency",
            "emergency",
            "chest_pain",
            id="chest-pain",
        ),
        pytest.param(
            "i fainted this morning, i have low b12",
            "emergency",
            "fainting_collapse",
            id="fainting",
        ),
        pytest.param(
            "I keep thinking about killing myself", "emergency", "suicidal_thoughts", id="suicidal"
        ),
        # The cited referral guidance asks for urgent (same-day) specialist advice here.
        pytest.param(
            "I'm 20 weeks pregnant and my hands have gone numb",
            "urgent",
            "pregnancy_with_neurological_symptoms",
            id="pregnancy-neuro",
        ),
    ],
)
def test_patient_red_flag_triage_comes_first(bot: Bot, sender, message, urgency, flag) -> None:
    reply = bot.say(sender(), message, "patient")
    first_custom = next(m["custom"] for m in reply.messages if m.get("custom"))
    assert first_custom["type"] == "b12.triage"
    assert first_custom["urgency"] == urgency
    assert flag in first_custom["red_flags"]
    assert first_custom["advice"]
    first_text = reply.messages[0].get("text") or ""
    assert first_text, "the triage text is the very first message"
    heading = {"emergency": "emergency number now", "urgent": "contact a clinician today"}
    assert heading[urgency] in first_text


def test_negated_red_flag_is_not_triaged_as_emergency(bot: Bot, sender) -> None:
    reply = bot.say(sender(), "no chest pain, no fainting, just tired with low b12", "patient")
    urgencies = {p["urgency"] for p in reply.payloads("b12.triage")}
    assert "emergency" not in urgencies


def test_patient_symptoms_get_a_triage_payload(bot: Bot, sender) -> None:
    reply = bot.say(sender(), "I feel tired all the time and my tongue is sore", "patient")
    triage = reply.payload("b12.triage")
    assert triage["urgency"] in {"routine", "urgent"}


def test_disclaimer_once_per_conversation(bot: Bot, sender) -> None:
    conversation = sender()
    first = bot.say(conversation, "hello", "patient")
    second = bot.say(conversation, "what is b12 deficiency treatment? no neuro symptoms")
    assert sum("not a doctor" in t for t in first.texts()) == 1
    assert not any("not a doctor" in t for t in second.texts())


@pytest.mark.parametrize(
    ("body", "status"),
    [
        pytest.param(b'{"message": "hi"}', 400, id="no-sender"),
        pytest.param(b'{"sender": "", "message": "hi"}', 400, id="empty-sender"),
        pytest.param(b'{"sender": "x1", "message": ""}', 400, id="empty-message"),
        pytest.param(b'{"sender": "x1", "message": "   "}', 400, id="blank-message"),
        pytest.param(b'{"sender": "x1", "message": 5}', 400, id="message-not-string"),
        pytest.param(b'{"sender": "x1", "message": "hi"', 400, id="malformed-json"),
        pytest.param(b"\xff\xfe\x00binary", 400, id="binary"),
        pytest.param(b"[1, 2]", 400, id="json-array"),
        pytest.param(json.dumps({"sender": "x1", "message": "a" * 10240}).encode(), 413, id="10kb"),
        pytest.param(
            b'{"sender": "x1", "message": "hi", "metadata": "clinician"}', 400, id="bad-metadata"
        ),
    ],
)
def test_bad_requests_get_4xx_and_the_server_stays_up(bot: Bot, body, status) -> None:
    reply = bot.post_raw(body)
    assert reply.status == status
    assert isinstance(reply.body, dict) and reply.body["error"]
    assert bot.healthy()


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("😀😀😀", id="emoji"),
        pytest.param("<script>alert(1)</script>", id="html"),
        pytest.param("¿Cómo se trata la anemia por deficiencia de vitamina B12?", id="spanish"),
        pytest.param("\u202eRTL override \u0000 nul", id="control-chars"),
    ],
)
def test_odd_text_gets_a_clear_reply(bot: Bot, sender, message) -> None:
    reply = bot.say(sender(), message, "patient")
    assert reply.status == 200
    assert reply.texts(), "some reply is always given"
    assert bot.healthy()


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("how do I treat eczema?", id="eczema"),
        pytest.param("what's the treatment for shingles", id="shingles"),
    ],
)
def test_treatment_question_about_another_condition_is_declined(bot: Bot, sender, message):
    reply = bot.say(sender(), message, "clinician")
    assert any("only help with" in t for t in reply.texts())
    assert not reply.payloads("b12.regimen") and not reply.payloads("b12.missing_facts")


# --------------------------------------------------------------------------- dialogue hazards
# Each reproduces a defect found over REST (security review C1, M2, m5; issue 10; issue 9 scope).


def _kinds(reply) -> list[str]:
    return [p.get("type") for p in reply.payloads()]


@pytest.mark.parametrize(
    ("message", "causes"),
    [
        pytest.param("new patient: 30M, vegan, no neurological symptoms", ["dietary"], id="colon"),
        pytest.param(
            "next patient is a 45 year old man with no neuro symptoms after gastric bypass",
            ["bariatric_surgery"],
            id="next-patient-is",
        ),
    ],
)
def test_reset_at_the_start_of_a_message_forgets_the_previous_patient(
    bot: Bot, sender, message, causes
) -> None:
    conversation = sender()
    bot.say(
        conversation,
        "62F, pernicious anaemia, pins and needles in both feet, platelets 35",
        "clinician",
    )
    reply = bot.say(conversation, message)
    assert reply.payloads("b12.new_patient")
    assert any("cleared" in t for t in reply.texts())
    facts = reply.payload("b12.regimen")["facts_used"]
    assert facts["causes"] == causes
    assert "platelet_count" not in facts
    assert facts["neurological_involvement"] == "no"
    why = bot.say(conversation, "why?").payload("b12.why")
    assert "platelet_count" not in why["facts_used"]


def test_a_different_age_without_a_switch_phrase_is_another_patient(bot: Bot, sender) -> None:
    # HAZ-020 over real Rasa: the earlier age is read from the tracker's own slot events.
    conversation = sender()
    bot.say(conversation, "70F pernicious anaemia, no neuro, platelets 40", "clinician")
    reply = bot.say(conversation, "now a 25 year old vegan man, no neuro")
    assert reply.payload("b12.new_patient")["implied"] is True
    facts = reply.payload("b12.regimen")["facts_used"]
    assert facts["causes"] == ["dietary"]
    assert "platelet_count" not in facts
    same = bot.say(conversation, "sorry, he is 26")
    assert not same.payloads("b12.new_patient")


def test_audience_and_patient_details_in_one_message(bot: Bot, sender) -> None:
    conversation = sender()
    reply = bot.say(conversation, "I am a doctor. 62F no neuro symptoms, pernicious anaemia")
    plan = reply.payload("b12.regimen")
    assert plan["audience"] == "clinician"
    assert plan["facts_used"]["age"] == 62
    assert plan["facts_used"]["causes"] == ["pernicious_anaemia"]
    assert "1 mg" in "\n".join(reply.texts())  # clinician wording, with doses
    assert bot.say(conversation, "why?").payload("b12.why")["facts_used"]["age"] == 62


@pytest.mark.parametrize(
    ("values", "field", "written"),
    [
        pytest.param("platelets -40", "platelet_count", "-40", id="negative"),
        pytest.param("age 250", "age", "250", id="age-250"),
        pytest.param(
            "B12 99999999999999999999999999 ng/L",
            "b12_level",
            "99999999999999999999999999",
            id="huge-b12",
        ),
        pytest.param("platelets 35 platelets 300", "platelet_count", "300", id="contradiction"),
    ],
)
def test_value_that_cannot_be_used_is_named_back(bot: Bot, sender, values, field, written):
    reply = bot.say(sender(), f"62F no neuro symptoms, {values}", "clinician")
    refused = reply.payload("b12.invalid_facts")
    assert field in refused["fields"]
    assert any(written in p for p in refused["problems"])
    assert any(written in t for t in reply.texts())
    assert not reply.payloads("b12.regimen")


@pytest.mark.parametrize(
    ("values", "field", "expected"),
    [
        pytest.param(
            "platelet count was 45 last week, now 220", "platelet_count", 220.0, id="latest"
        ),
        pytest.param("platelets 150e9/L", "platelet_count", 150.0, id="e9-per-litre"),
        pytest.param(
            "12 cm of ileum resected, then a further 14 cm of distal ileum",
            "ileal_resection_cm",
            26.0,
            id="resections-added",
        ),
    ],
)
def test_values_are_read_as_meant(bot: Bot, sender, values, field, expected) -> None:
    reply = bot.say(sender(), f"62F no neuro symptoms, {values}", "clinician")
    assert reply.payload("b12.regimen")["facts_used"][field] == expected
    assert not reply.payloads("b12.invalid_facts")


def test_platelets_zero_never_gives_a_silent_im_plan(bot: Bot, sender) -> None:
    reply = bot.say(sender(), "62F no neuro symptoms, pernicious anaemia, platelets 0", "clinician")
    answer = next(
        p for p in reply.payloads() if p["type"] in ("b12.regimen", "b12.gate", "b12.invalid_facts")
    )
    if answer["type"] == "b12.regimen":
        plan = answer["plan"]
        cautioned = any("platelet" in c for c in [*plan["warnings"], *plan["notes"]])
        assert plan["route"] != "intramuscular" or cautioned
    else:
        assert "platelet" in json.dumps(answer)


def test_invisible_characters_do_not_hide_a_symptom(bot: Bot, sender) -> None:
    reply = bot.say(
        sender(), "62F pernicious anaemia, pins\u200b and nee\u00addles in both feet", "clinician"
    )
    assert reply.payload("b12.regimen")["plan"]["neurological_involvement"] == "yes"


def _topic_vignettes() -> list[Any]:
    """Every topic package's vignettes (content/<topic>/vignettes.yml), to run over REST."""
    from tests.topics.vignettes import cases

    return [pytest.param(c, id=f"{t.id}:{c['id']}") for t, c in cases()]


@pytest.mark.parametrize("vignette", _topic_vignettes())
def test_topic_vignettes_over_rest(bot: Bot, sender, vignette: dict[str, Any]):
    """Issue 11 over the real servers: each topic's own vignettes, payload types and order."""
    conversation = sender()
    reply = None
    for message in vignette["messages"]:
        reply = bot.say(conversation, message, vignette["audience"])
    assert reply is not None
    expect = vignette["expect"]
    types = [p["type"] for p in reply.payloads()]
    assert set(expect.get("types", [])) <= set(types), types
    assert not set(expect.get("not_types", [])) & set(types), types
    if "first" in expect:
        answers = [t for t in types if t.endswith((".plan", ".regimen", ".gate"))]
        assert answers[0] == expect["first"], types
    for payload in reply.payloads():
        if payload["type"] in expect.get("types", []):
            assert payload.get("contract_version") and payload.get("topic"), payload["type"]
    if vignette["audience"] == "patient":
        assert not re.search(r"\d+(?:\.\d+)?\s*(?:mg|µg|mcg)\b", " ".join(reply.texts()))


@pytest.mark.parametrize(
    ("message", "condition"),
    [
        pytest.param("iron deficiency anaemia", "iron deficiency anaemia", id="iron"),
        pytest.param("how do I treat my eczema?", "eczema", id="eczema"),
        pytest.param("ferrous sulphate dose", "iron deficiency anaemia", id="ferrous-sulphate"),
    ],
)
def test_other_condition_is_declined_with_a_reason(bot: Bot, sender, message, condition):
    conversation = sender()
    reply = bot.say(conversation, message, "clinician")
    declined = reply.payload("b12.out_of_scope")
    assert (declined["reason"], declined["condition"]) == ("other_condition", condition)
    for kind in ("b12.regimen", "b12.missing_facts", "b12.answer", "b12.gate"):
        assert not reply.payloads(kind)
    # nothing is pending: a "no" next is not an answer to a nerve-symptom question
    assert not bot.say(conversation, "no").payloads("b12.regimen")


@pytest.mark.parametrize(
    ("message", "language"),
    [
        pytest.param("¿Cómo se trata la anemia por deficiencia de vitamina B12?", "es", id="es"),
        pytest.param("Mon père a une carence en B12 et des fourmillements", "fr", id="fr"),
        pytest.param("Mein Vater hat B12-Mangel und Kribbeln in den Füßen", "de", id="de"),
        pytest.param("لدي نقص فيتامين ب12 وتنميل في قدمي", "ar", id="ar"),
    ],
)
def test_non_english_message_gets_english_only_reply(bot: Bot, sender, message, language):
    reply = bot.say(sender(), message, "patient")
    assert reply.payload("b12.language_unsupported")["language"] == language
    assert not reply.payloads("b12.missing_facts") and not reply.payloads("b12.regimen")
    assert any("English" in t for t in reply.texts())


def test_every_reply_carries_a_typed_payload(bot: Bot, sender) -> None:
    conversation = sender()
    for message in [
        "hello",
        "I'm a GP",
        "how is b12 deficiency treated?",
        "no",
        "is it cheaper privately?",
        "yes",
        "why?",
        "asdf qwer zxcv",
        "book me a taxi to the airport",
        "help",
        "thanks",
        "new patient",
        "how do I treat my eczema?",
        "tengo dolor de cabeza y estoy muy cansada",
        "bye",
    ]:
        reply = bot.say(conversation, message, "clinician" if message == "hello" else None)
        assert reply.status == 200
        kinds = _kinds(reply)
        assert kinds and all(isinstance(k, str) and k.startswith("b12.") for k in kinds), (
            message,
            reply.messages,
        )
