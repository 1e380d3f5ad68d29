"""Session 9 leftovers: unused results named back, a bare number answering the B12 question, and
replies to the who-question (HAZ-140, HAZ-141, HAZ-142).

Driven through the real NLU component and the real actions (``tests/actions/conversation.py``).
"""

from __future__ import annotations

import pytest

from actions.unused import unused_results
from tests.actions.conversation import Conversation, Turn


def _plans(turn: Turn) -> list[str]:
    types = [str(p.get("type")) for p in turn.payloads()]
    return [t for t in types if t.endswith((".regimen", ".plan", ".gate"))]


# HAZ-140: a result of a test no topic uses is named back and never holds the plan.


@pytest.mark.parametrize(
    ("text", "test", "value"),
    [
        pytest.param("my iron is 7", "iron", "7", id="iron"),
        pytest.param("ferritin 12", "ferritin", "12", id="ferritin"),
        pytest.param("vit D 30", "vitamin D", "30", id="vit-d"),
        pytest.param("her tsh came back at 4.5", "TSH", "4.5", id="tsh"),
        pytest.param("ferritin was 15 ug/L", "ferritin", "15 ug/l", id="with-unit"),
    ],
)
def test_a_result_of_a_test_no_topic_uses_is_read(text: str, test: str, value: str) -> None:
    (found,) = unused_results(text)
    assert (found.test, found.value) == (test, value)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("i take vitamin d 1000 iu a day", id="dose"),
        pytest.param("taking iron 200 twice a day", id="medicine-taken"),
        pytest.param("iron deficiency 3 years ago", id="no-value"),
        pytest.param("b12 120 ng/L, hb 95", id="tests-the-bot-reads"),
    ],
)
def test_doses_and_tests_the_bot_reads_are_not_named(text: str) -> None:
    assert unused_results(text) == ()


async def test_an_iron_result_alone_is_named_back() -> None:
    chat = Conversation(audience="patient")
    turn = await chat.say("my iron is 7")
    named = turn.payload("b12.unused_results")
    assert named["results"] == [{"test": "iron", "value": "7"}]
    assert named["plan_held"] is False
    assert any("I read iron 7, but this bot does not use iron results" in t for t in turn.texts())


async def test_unused_results_beside_a_case_do_not_hold_the_plan() -> None:
    chat = Conversation(audience="clinician")
    turn = await chat.say("52M, B12 105 ng/L, no neuro, vegan. Ferritin 9, vit D 25")
    named = turn.payload("b12.unused_results")
    assert [r["test"] for r in named["results"]] == ["ferritin", "vitamin D"]
    assert turn.payloads("b12.regimen")
    assert not turn.payloads("b12.invalid_facts")
    assert turn.slots.get("value_problems") is None


# HAZ-141: a number answering "Has your B12 been checked?" is read as the B12 value.

FOLATE_ONLY = "my folate came back at 2.3, no numbness or tingling, what should happen"


async def _asked_for_b12() -> Conversation:
    chat = Conversation(audience="patient")
    turn = await chat.say(FOLATE_ONLY)
    assert turn.payload("folate.missing_facts")["missing"] == ["b12_status"]
    return chat


@pytest.mark.parametrize(
    ("reply", "intent", "level"),
    [
        pytest.param("yes it was 140", "inform", "140", id="yes-it-was"),
        pytest.param("yes, 140 ng/L", "affirm", "140 ng/L", id="yes-with-unit"),
        pytest.param("it came back at 150", "inform", "150", id="came-back"),
    ],
)
async def test_a_bare_b12_number_answers_the_question(reply: str, intent: str, level: str) -> None:
    chat = await _asked_for_b12()
    turn = await chat.say(reply, intent)
    assert turn.slots["b12_level"] == level
    assert not turn.payloads("folate.missing_facts")
    assert turn.slots["pending_question"] is None
    assert _plans(turn)


async def test_an_impossible_b12_number_is_named_back_not_used() -> None:
    chat = await _asked_for_b12()
    turn = await chat.say("yes it was 0")
    assert turn.slots.get("b12_level") is None
    refused = turn.payload("b12.invalid_facts")
    assert "b12_level" in refused["fields"]
    assert not _plans(turn)


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param("yes 140 platelets", id="another-test"),
        pytest.param("140 plt", id="platelet-shorthand"),
        pytest.param("12/03/2024", id="date"),
        pytest.param("yes 07700 900123", id="phone"),
        pytest.param("140 to 200", id="range"),
        pytest.param("yes it was 2023", id="year"),
        pytest.param("yes at 9.30", id="time"),
        pytest.param("140 mg", id="dose"),
    ],
)
async def test_a_reply_with_more_than_one_value_is_no_b12_answer(reply: str) -> None:
    """Review of session 9 (HAZ-141): the first number anywhere in the reply was taken as B12."""
    chat = await _asked_for_b12()
    turn = await chat.say(reply)
    assert turn.slots.get("b12_level") is None
    assert turn.slots.get("b12_status") is None


async def test_a_number_without_a_pending_b12_question_sets_no_b12() -> None:
    chat = Conversation(audience="patient")
    await chat.say("b12 120 ng/L, no tingling, vegan")
    turn = await chat.say("yes it was 140")
    assert turn.slots["b12_level"] == "120 ng/L"


# HAZ-142: replies to "Is this about you or about your mum?".

WRITER = "my b12 is 130 ng/L, i eat no meat or dairy, no pins and needles. what treatment"
MUM = "my mum is 78 and her b12 is 85, she has numb toes, does she need the jabs as well"


async def _asked_who() -> Conversation:
    chat = Conversation(audience="patient")
    assert (await chat.say(WRITER)).payloads("b12.regimen")
    turn = await chat.say(MUM)
    asked = turn.payload("b12.ask_who")
    assert asked["held_about"] == "mum"
    assert asked["held"]["age"] == 78
    return chat


@pytest.mark.parametrize(
    ("reply", "intent"),
    [
        pytest.param("it's me", "inform", id="its-me"),
        pytest.param("me", "nlu_fallback", id="me"),
        pytest.param("about me", "inform", id="about-me"),
        pytest.param("no, about me not her", "deny", id="not-her"),
    ],
)
async def test_me_keeps_the_writers_case_and_says_the_facts_were_not_added(
    reply: str, intent: str
) -> None:
    chat = await _asked_who()
    turn = await chat.say(reply, intent)
    kept = turn.payload("b12.who_answered")
    assert kept["kept"] is True
    assert {c["fact"] for c in kept["facts"]} >= {"age", "neurological_involvement"}
    assert any("I have not added the ones from your last message" in t for t in turn.texts())
    assert not turn.payloads("b12.new_patient")
    assert turn.slots["age"] is None
    assert turn.slots["neurological_involvement"] == "no"
    assert turn.slots["b12_level"] == "130 ng/L"


@pytest.mark.parametrize(
    ("reply", "intent"),
    [
        pytest.param("my mum", "inform", id="my-mum"),
        pytest.param("her", "nlu_fallback", id="her"),
        pytest.param("new patient", "new_patient", id="new-patient"),
        pytest.param("it's about mum", "inform", id="about-mum"),
    ],
)
async def test_naming_mum_starts_her_case_with_the_held_facts(reply: str, intent: str) -> None:
    chat = await _asked_who()
    turn = await chat.say(reply, intent)
    started = turn.payload("b12.new_patient")
    assert started["from_held"] is True
    assert started["about"] == "mum"
    assert turn.slots["age"] == 78
    assert turn.slots["neurological_involvement"] == "yes"
    assert turn.slots["causes"] is None  # the writer's diet is not hers
    plan = turn.payload("b12.regimen")
    assert "changed" not in plan
    # Her next message adds to her case: no who-question, no diff against the writer's plan.
    later = await chat.say("she is vegan too")
    assert not later.payloads("b12.ask_who")
    assert later.slots["causes"] == ["dietary"]
    assert later.payload("b12.regimen")["changed"] == [
        {"fact": "causes", "before": None, "after": ["dietary"]}
    ]


async def test_in_a_conversation_about_mum_me_starts_the_writers_own_case() -> None:
    chat = Conversation(audience="patient")
    await chat.say("my mum is 78, her b12 is 85 ng/L, she has pernicious anaemia, no numbness")
    asked = (await chat.say("i am vegan and my feet are numb too")).payload("b12.ask_who")
    assert asked["held_about"] == "you"
    turn = await chat.say("me")
    assert turn.payload("b12.new_patient")["about"] == "you"
    assert turn.slots["causes"] == ["dietary"]
    assert turn.slots["neurological_involvement"] == "yes"
    assert turn.slots["b12_level"] is None  # mum's value is not the writer's


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param("my dad", id="someone-else"),
        pytest.param("both me and my mum", id="both"),
        pytest.param("yes", id="no-person"),
    ],
)
async def test_a_reply_that_does_not_say_who_changes_nothing(reply: str) -> None:
    chat = await _asked_who()
    turn = await chat.say(reply)
    assert not turn.payloads("b12.who_answered")
    assert not turn.payloads("b12.new_patient")
    assert turn.slots["age"] is None
    assert turn.slots["b12_level"] == "130 ng/L"
