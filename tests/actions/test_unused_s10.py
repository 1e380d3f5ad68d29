"""Session 10: values the bot cannot use are named back as given (HAZ-162, HAZ-164, HAZ-160).

Review 9c, findings 6 and 7: the unused-results reader cut "20,000" to 20, named a dose as a
result, cut ranges and dropped limits; a number in a reply to "Has your B12 been checked?" that
was refused was not named back. Driven through the real NLU component and the real actions.
"""

from __future__ import annotations

import pytest

from actions.unused import unused_results
from tests.actions.conversation import Conversation

# HAZ-162: the unused-results reader names a value as written, and never a dose.


@pytest.mark.parametrize(
    ("text", "test", "value"),
    [
        pytest.param("ferritin 15-30", "ferritin", "15-30", id="range"),
        pytest.param("ferritin 15 to 30 ug/L", "ferritin", "15 to 30 ug/l", id="range-words"),
        pytest.param("ferritin <15", "ferritin", "<15", id="limit"),
        pytest.param("ferritin < 15", "ferritin", "< 15", id="limit-spaced"),
        pytest.param("crp under 5", "CRP", "under 5", id="limit-words"),
        pytest.param("ferritin is low at 9", "ferritin", "9", id="status-then-value"),
        pytest.param("her vitamin d was 1,200", "vitamin D", "1,200", id="thousands"),
    ],
)
def test_a_result_is_named_as_written(text: str, test: str, value: str) -> None:
    (found,) = unused_results(text)
    assert (found.test, found.value) == (test, value)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("vitamin D 20,000 IU weekly started last month", id="dose-thousands"),
        pytest.param("she has been on a daily vitamin D 1000 for years", id="daily-dose"),
        pytest.param("taking a high dose vitamin d 4000 for her bones", id="high-dose"),
        pytest.param("iron 7 - 10 days ago", id="range-of-days"),
    ],
)
def test_a_dose_is_never_named_as_a_result(text: str) -> None:
    assert unused_results(text) == ()


async def test_a_limit_is_named_back_not_dropped() -> None:
    chat = Conversation(audience="patient")
    turn = await chat.say("my ferritin is <15")
    named = turn.payload("b12.unused_results")
    assert named["results"] == [{"test": "ferritin", "value": "<15"}]
    assert any("I read ferritin <15, but this bot does not use" in t for t in turn.texts())


# HAZ-164: a refused number in a reply to "Has your B12 been checked?" is named back, the
# question asked again.

FOLATE_ONLY = "my folate came back at 2.3, no numbness or tingling, what should happen"


async def _asked_for_b12() -> Conversation:
    chat = Conversation(audience="patient")
    turn = await chat.say(FOLATE_ONLY)
    assert turn.payload("folate.missing_facts")["missing"] == ["b12_status"]
    return chat


@pytest.mark.parametrize(
    ("reply", "value"),
    [
        pytest.param("yes it was over 200", "over 200", id="limit"),
        pytest.param("yes, 40%", "40%", id="percent"),
        pytest.param("yes it was 140 or maybe 410", "140 or maybe 410", id="unsure"),
        pytest.param("12/03/2024", "12/03/2024", id="date"),
        pytest.param("it's 0141 555 0123", "[phone number]", id="phone-masked"),
    ],
)
async def test_a_refused_answer_is_named_back_and_the_question_asked_again(
    reply: str, value: str
) -> None:
    chat = await _asked_for_b12()
    turn = await chat.say(reply)
    named = turn.payload("b12.unread_answer")
    assert (named["asked"], named["test"], named["value"], named["used"]) == (
        "b12_status",
        "B12",
        value,
        False,
    )
    assert any(f'I read "{value}" in your reply' in t for t in turn.texts())
    assert turn.slots.get("b12_level") is None
    assert turn.slots.get("b12_status") is None
    assert turn.payload("folate.missing_facts")["missing"] == ["b12_status"]
    assert not turn.payloads("folate.plan")


@pytest.mark.parametrize(
    ("reply", "dose"),
    [
        pytest.param("yes on 1000 micrograms", ("1000", "microgram"), id="a-dose"),
        pytest.param("yes it was 140 mg", ("140", " mg"), id="dose-unit"),
    ],
)
async def test_a_dose_in_the_reply_is_not_repeated_to_a_patient(
    reply: str, dose: tuple[str, str]
) -> None:
    # Review 10, M5: "yes on 1000 micrograms" used to be named back word for word.
    chat = await _asked_for_b12()
    turn = await chat.say(reply)
    named = turn.payload("b12.unread_answer")
    assert (named["value"], named["treatment"], named["used"]) == ("", True, False)
    notice = "Your reply gives a dose or a treatment, not a test result"
    assert any(notice in t for t in turn.texts())
    assert not any(word in t for t in turn.texts() for word in dose)
    assert turn.payload("folate.missing_facts")["missing"] == ["b12_status"]
    assert not turn.payloads("folate.plan")


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param("yes it was 140", id="used"),
        pytest.param("yes it was 0", id="refused-by-the-extractor"),
        pytest.param("yes, she's 78", id="an-age"),
        pytest.param("yes", id="no-number"),
    ],
)
async def test_an_answer_read_or_named_elsewhere_is_not_named_twice(reply: str) -> None:
    chat = await _asked_for_b12()
    turn = await chat.say(reply)
    assert not turn.payloads("b12.unread_answer")


async def test_without_an_open_question_a_number_is_not_named_as_an_answer() -> None:
    chat = Conversation(audience="patient")
    await chat.say("b12 120 ng/L, no tingling, vegan")
    turn = await chat.say("yes it was 140 mg")
    assert not turn.payloads("b12.unread_answer")
    assert turn.slots["b12_level"] == "120 ng/L"


# HAZ-160: a value offered with another in its place holds the plan, named back.


@pytest.mark.parametrize(
    ("audience", "text", "written"),
    [
        pytest.param(
            "patient",
            "my b12 was 140 or maybe 410, no tingling, vegan",
            "140 or maybe 410",
            id="patient",
        ),
        pytest.param(
            "clinician",
            "45F, B12 140, or was it 410? no neuro, vegan",
            "140, or was it 410",
            id="clinician",
        ),
        pytest.param(
            "clinician", "45F, B12 either 140 or 410, no neuro, vegan", "140 or 410", id="either"
        ),
    ],
)
async def test_an_unsure_b12_value_holds_the_plan(audience: str, text: str, written: str) -> None:
    chat = Conversation(audience=audience)
    turn = await chat.say(text)
    refused = turn.payload("b12.invalid_facts")
    assert refused["fields"] == ["b12_level"]
    assert any(f'"{written}"' in p for p in refused["problems"])
    assert turn.slots.get("b12_level") is None
    assert not turn.payloads("b12.regimen")
    # The confirmed value then gives the plan.
    later = await chat.say("B12 140 ng/L")
    assert later.slots["b12_level"] == "140 ng/L"
    assert later.payloads("b12.regimen")


# HAZ-161: a postnatal word does not answer the pregnancy question.


async def test_postnatal_leaves_pregnancy_and_breastfeeding_unset() -> None:
    chat = Conversation(audience="clinician")
    turn = await chat.say("30F postnatal, B12 110 ng/L, no neuro, vegan")
    assert turn.slots.get("pregnant") is None
    assert turn.slots.get("breastfeeding") is None
    later = await chat.say("she is breastfeeding")
    assert later.slots["breastfeeding"] == "yes"
    assert later.payloads("b12.gate")
