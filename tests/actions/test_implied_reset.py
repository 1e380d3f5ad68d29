"""A new patient stated without a switch phrase is never merged with the last one (HAZ-020).

Driven through the real NLU component and the real actions (``tests/actions/conversation.py``).
"""

from __future__ import annotations

import pytest

from tests.actions.conversation import Conversation

PA_WOMAN = "45F pernicious anaemia, platelets 35"


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("45M vegan, no neuro symptoms", id="compact"),
        pytest.param("45 year old man, vegan, no neuro symptoms", id="age-and-sex-words"),
        pytest.param("45 yo M, vegan, no neuro symptoms", id="yo-m"),
    ],
)
async def test_same_age_other_sex_is_another_patient_and_says_so(message: str) -> None:
    chat = Conversation(audience="clinician")
    await chat.say(PA_WOMAN)
    turn = await chat.say(message)
    (announced,) = turn.payloads("b12.new_patient")
    assert announced["implied"] is True
    assert announced["reason"] == "sex"
    assert any("cleared" in text for text in turn.texts())
    plan = turn.payload("b12.regimen")
    assert plan["facts_used"]["causes"] == ["dietary"]
    assert "platelet_count" not in plan["facts_used"]


async def test_a_man_after_a_pregnant_patient_is_another_patient() -> None:
    chat = Conversation(audience="clinician")
    await chat.say("pregnant, 12 weeks, vegan, B12 140, no neuro")
    turn = await chat.say("45M pernicious anaemia, no neuro")
    (announced,) = turn.payloads("b12.new_patient")
    assert announced["reason"] == "sex"
    assert turn.slots["pregnant"] is None


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("45F, also vegan", id="same-demographic-again"),
        pytest.param("he is also vegan", id="pronoun-only"),
        pytest.param("she is 45, also vegan", id="age-without-sex"),
    ],
)
async def test_no_reset_without_a_contradicting_complete_demographic(message: str) -> None:
    chat = Conversation(audience="clinician")
    await chat.say(PA_WOMAN)
    turn = await chat.say(message)
    assert not turn.payloads("b12.new_patient")
    assert turn.slots["platelet_count"] == 35.0
    assert "pernicious_anaemia" in turn.slots["causes"]


async def test_the_sex_of_a_patient_before_a_reset_is_not_compared() -> None:
    chat = Conversation(audience="clinician")
    await chat.say(PA_WOMAN)
    await chat.say("new patient: 45M vegan, no neuro")
    turn = await chat.say("45M, platelets 120")
    assert not turn.payloads("b12.new_patient")
    assert turn.slots["causes"] == ["dietary"]
