"""A first message with nothing on a covered topic is declined, with a payload (HAZ-084)."""

from __future__ import annotations

from guideline_engine.topics import topics
from tests.actions.conversation import Conversation


async def test_a_first_message_on_another_subject_is_declined() -> None:
    chat = Conversation(audience="clinician")
    turn = await chat.say("Day 2 after a knee replacement, Hb 91. Transfuse?", "ask_treatment")
    decline = turn.payload("b12.out_of_scope")
    assert decline["reason"] == "not_this_topic"
    assert not turn.payloads("b12.missing_facts")
    assert any(topics().covered_names() in t for t in turn.texts())


async def test_pernicious_anaemia_is_a_case_even_without_the_word_b12() -> None:
    chat = Conversation(audience="clinician")
    turn = await chat.say("70M, known PA, tired", "inform")
    assert not turn.payloads("b12.out_of_scope")


async def test_a_later_message_stays_in_the_conversation() -> None:
    chat = Conversation(audience="clinician")
    await chat.say("B12 110 ng/L, 70F, pernicious anaemia", "inform")
    turn = await chat.say("new patient: 30M, vegan, no neurological symptoms", "inform")
    assert not turn.payloads("b12.out_of_scope")
    assert turn.payloads("b12.regimen")
