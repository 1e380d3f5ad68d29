"""Review 9: whose facts a message gives, follow-up facts, route questions, emergencies.

Driven through the real NLU component and the real actions (``tests/actions/conversation.py``).
Findings 4 (another person's facts merged; HAZ-120, HAZ-121), 11 (a patient's plan after an
EMERGENCY banner; HAZ-123) and 12 (a route question set a preference; HAZ-122).
"""

from __future__ import annotations

import pytest

from tests.actions.conversation import Conversation, Turn

WRITER_VEGAN = "my b12 is 110 ng/L, no tingling, i'm vegan. what treatment"
WRITER_PA = "b12 120 ng/L, no tingling, PA"


def _no_plan(turn: Turn) -> None:
    types = [str(p.get("type")) for p in turn.payloads()]
    assert not [t for t in types if t.endswith((".regimen", ".plan", ".gate"))], types


async def _writer_plan(first: str = WRITER_VEGAN) -> Conversation:
    chat = Conversation(audience="patient")
    turn = await chat.say(first)
    assert turn.payloads("b12.regimen")
    return chat


async def test_mums_facts_after_the_writers_plan_are_asked_about_not_merged() -> None:
    chat = await _writer_plan()
    turn = await chat.say(
        "my mum is 80 and her b12 is 90 and she has numb feet, does she need injections too"
    )
    asked = turn.payload("b12.ask_who")
    assert asked["person"] == "mum"
    assert any("Is this about you or about your mum?" in t for t in turn.texts())
    assert any("new patient" in t for t in turn.texts())
    _no_plan(turn)
    assert turn.slots["neurological_involvement"] == "no"
    assert turn.slots["age"] is None
    assert turn.slots["b12_level"] == "110 ng/L"
    assert turn.slots["causes"] == ["dietary"]


async def test_a_followup_about_mum_does_not_set_the_writers_slots() -> None:
    chat = await _writer_plan()
    turn = await chat.say(
        "what about my mum, she's 80 and her b12 is 90, does she need injections",
        "ask_followup",
    )
    assert turn.payload("b12.ask_who")["person"] == "mum"
    assert not turn.payloads("b12.answer")
    assert turn.slots["age"] is None
    assert turn.slots["b12_level"] == "110 ng/L"


async def test_dads_tingling_in_a_followup_never_replans_with_mums_facts() -> None:
    chat = await _writer_plan()
    await chat.say(
        "what about my mum, she's 80 and her b12 is 90, does she need injections",
        "ask_followup",
    )
    turn = await chat.say("my dad has tingling in his feet, what should he do", "ask_followup")
    assert turn.payload("b12.ask_who")["person"] == "dad"
    _no_plan(turn)
    assert turn.slots["neurological_involvement"] == "no"
    plan = (await chat.say("what treatment do i need")).payload("b12.regimen")
    assert "changed" not in plan
    assert plan["facts_used"]["neurological_involvement"] == "no"
    assert "age" not in plan["facts_used"]


async def test_a_neighbours_pins_and_needles_never_flip_the_writers_plan() -> None:
    chat = await _writer_plan(WRITER_PA)
    turn = await chat.say(
        "my neighbour had the injections and got pins and needles, is that normal",
        "ask_followup",
    )
    assert turn.payload("b12.ask_who")["person"] == "neighbour"
    _no_plan(turn)
    assert turn.slots["neurological_involvement"] == "no"


async def test_the_writers_own_new_fact_in_a_question_is_named_not_merged() -> None:
    chat = await _writer_plan(WRITER_PA)
    turn = await chat.say("i also have tingling now, does that change anything?", "ask_followup")
    _no_plan(turn)
    held = turn.payload("b12.facts_held")
    assert held["facts"] == [{"fact": "neurological_involvement", "before": "no", "after": "yes"}]
    assert any("neurological involvement: no → yes" in t for t in turn.texts())
    assert turn.slots["neurological_involvement"] == "no"
    # Said as a statement, the fact updates the plan and says what changed.
    stated = await chat.say("i have tingling in my feet now")
    plan = stated.payload("b12.regimen")
    assert plan["changed"][0]["fact"] == "neurological_involvement"


async def test_a_question_with_no_new_fact_is_answered_without_a_note() -> None:
    chat = await _writer_plan(WRITER_PA)
    turn = await chat.say("how long will i need the injections?", "ask_followup")
    assert turn.payloads("b12.answer") or turn.payloads("b12.no_answer")
    assert not turn.payloads("b12.facts_held")


async def test_a_carer_conversation_about_mum_keeps_adding_her_facts() -> None:
    chat = Conversation(audience="patient")
    await chat.say("my mum is 80, her b12 is 90 ng/L, she has pernicious anaemia")
    turn = await chat.say("she also has numb feet")
    assert not turn.payloads("b12.ask_who")
    assert turn.slots["neurological_involvement"] == "yes"


async def test_the_writers_facts_in_a_conversation_about_mum_are_asked_about() -> None:
    chat = Conversation(audience="patient")
    await chat.say("my mum is 80, her b12 is 90 ng/L, she has pernicious anaemia, no numbness")
    turn = await chat.say("i am vegan and i have numb feet too")
    assert turn.payload("b12.ask_who")["person"] == "mum"
    assert turn.slots["neurological_involvement"] == "no"
    assert turn.slots["causes"] == ["pernicious_anaemia"]


async def test_new_patient_with_mums_facts_resets_instead_of_asking() -> None:
    chat = await _writer_plan()
    turn = await chat.say("new patient: my mum is 80, her b12 is 90 ng/L, no numbness")
    assert turn.payloads("b12.new_patient")
    assert not turn.payloads("b12.ask_who")
    assert turn.slots["age"] == 80
    assert turn.slots["causes"] is None


async def test_asking_for_a_husband_after_the_writers_breastfeeding_merges_nothing() -> None:
    """Review 9 finding 9: the husband got the breastfeeding gate and "age: not given → 50".

    "Forget all that, asking for my husband" opens a new patient (HAZ-133): his own plan,
    nothing of the writer's breastfeeding kept.
    """
    chat = Conversation(audience="patient")
    await chat.say("im breastfeeding, b12 100 ng/L")
    turn = await chat.say(
        "actually forget all that, asking for my husband, he's 50, b12 120 ng/L, no numbness"
    )
    assert turn.payloads("b12.new_patient")
    assert turn.payloads("b12.regimen")
    assert turn.slots["breastfeeding"] is None
    assert turn.slots["age"] == 50


async def test_a_clinicians_next_message_about_the_same_patient_is_not_asked_about() -> None:
    chat = Conversation(audience="clinician")
    await chat.say("45F pernicious anaemia, B12 110 ng/L, no neuro")
    turn = await chat.say("she also has numb feet")
    assert not turn.payloads("b12.ask_who")
    assert turn.slots["neurological_involvement"] == "yes"


async def test_a_sisters_platelets_beside_the_writers_facts_are_not_used() -> None:
    chat = Conversation(audience="patient")
    turn = await chat.say(
        "my sister has pernicious anaemia and her platelets are 30. my b12 is 150 ng/L, "
        "no numbness. what treatment do i need"
    )
    assert turn.slots.get("platelet_count") is None
    assert turn.payloads("b12.regimen")


async def test_a_friends_pregnancy_beside_the_writers_facts_is_not_used() -> None:
    chat = Conversation(audience="patient")
    turn = await chat.say(
        "my friend is pregnant and has low b12. for me, b12 is 120 ng/L, no tingling, "
        "what treatment"
    )
    assert turn.slots.get("pregnant") is None


@pytest.mark.parametrize(
    "question",
    [
        pytest.param("can i just take tablets instead", id="can-i-instead"),
        pytest.param("could I have tablets instead of injections?", id="could-i"),
    ],
)
async def test_a_route_question_sets_no_preference(question: str) -> None:
    chat = await _writer_plan(WRITER_PA)
    turn = await chat.say(question, "ask_followup")
    assert turn.slots["route_preference"] is None
    assert not turn.payloads("b12.facts_held")
    assert turn.payloads("b12.answer")


async def test_a_stated_route_preference_is_still_read() -> None:
    chat = await _writer_plan(WRITER_PA)
    turn = await chat.say("I'd prefer tablets instead of injections")
    assert turn.slots["route_preference"] == "oral"


async def test_a_route_question_in_a_first_message_sets_no_preference() -> None:
    chat = Conversation(audience="patient")
    turn = await chat.say("b12 120 ng/L, no tingling, vegan. can i take tablets instead?")
    assert turn.slots["route_preference"] is None


EMERGENCY_CASE = (
    "b12 90 ng/L, no tingling, PA. Also having crushing chest pain right now, what treatment"
)


async def test_a_patients_plan_waits_for_the_emergency() -> None:
    chat = Conversation(audience="patient")
    turn = await chat.say(EMERGENCY_CASE)
    assert turn.payload("b12.triage")["urgency"] == "emergency"
    held = turn.payload("b12.plan_held")
    assert held["reason"] == "emergency"
    _no_plan(turn)
    assert any("deal with the emergency first" in t for t in turn.texts())
    # The facts are kept: once safe, the plan is there.
    later = await chat.say("what treatment do i need")
    assert later.payloads("b12.regimen")


async def test_a_clinician_keeps_the_banner_and_the_plan() -> None:
    chat = Conversation(audience="clinician")
    turn = await chat.say(EMERGENCY_CASE)
    assert turn.payload("b12.triage")["urgency"] == "emergency"
    assert turn.payloads("b12.regimen")
    assert not turn.payloads("b12.plan_held")


async def test_an_urgent_triage_still_gets_the_plan() -> None:
    chat = Conversation(audience="patient")
    turn = await chat.say("b12 90 ng/L, no tingling, PA, and i have been feeling a bit tired")
    assert not turn.payloads("b12.plan_held")
    assert turn.payloads("b12.regimen")


# Finding 8: follow-up answers for the plan's situation (HAZ-124), typed by topic.


async def test_a_loading_question_without_nerve_symptoms_gets_the_non_neuro_answer() -> None:
    chat = Conversation(audience="patient")
    await chat.say("b12 150 ng/L, had a gastric bypass, no tingling or numbness")
    turn = await chat.say("how often is the loading dose", "ask_followup")
    ids = [s["snippet_id"] for s in turn.payload("b12.answer")["snippets"]]
    assert "b12.neuro.loading" not in ids


async def test_a_loading_question_with_nerve_symptoms_gets_the_neuro_answer() -> None:
    chat = Conversation(audience="clinician")
    await chat.say("62M, B12 95 ng/L, pernicious anaemia, numb feet and unsteady gait")
    turn = await chat.say("how often are the jabs at the start", "ask_followup")
    ids = [s["snippet_id"] for s in turn.payload("b12.answer")["snippets"]]
    assert ids[0] == "b12.neuro.loading"
    assert "b12.nonneuro.loading" not in ids


async def test_preconception_advice_is_not_given_to_someone_who_never_mentioned_pregnancy() -> None:
    chat = Conversation(audience="patient")
    await chat.say("my folate is 2.1 and my b12 is normal, no tingling")
    turn = await chat.say("can i take 400 micrograms instead", "ask_followup")
    declined = turn.payload("b12.no_answer")
    assert declined["reason"] == "other_situation"
    assert any("different situation" in t for t in turn.texts())
    for payload in turn.payloads():
        for snippet in payload.get("snippets") or []:
            assert "pregnancy" not in snippet["snippet_id"]


async def test_a_folate_answer_is_typed_with_its_topic() -> None:
    chat = Conversation(audience="patient")
    await chat.say("my folate is 2.1 and my b12 is normal, no tingling")
    turn = await chat.say("how long do i take folic acid for?", "ask_followup")
    answer = turn.payload("folate.answer")
    assert answer["topic"] == "folate"
    assert all(s["snippet_id"].startswith("folate.") for s in answer["snippets"])
    assert not turn.payloads("b12.answer")
