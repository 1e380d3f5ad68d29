"""Review 10, findings H3, M4, M5 and L4/L6: values the bot reads, uses or names back.

HAZ-182: an unsure haemoglobin or platelet count ("Hb 65 or 70") was refused whole, and the
severe-anaemia or low-platelet gate advice went with it. HAZ-183: "F 14" after a B12 value (F for
folate) was read as a 14-year-old. HAZ-184: a reply to "Has your B12 been checked?" giving a dose
was named back to a patient word for word, and "I'm on B12 injections" was asked again without
saying why; phone numbers were repeated. HAZ-185: doses with a schedule word ("vit d 800 a day")
were named as results. The sentences are the reviewer's (/tmp/rv10), driven through the real NLU
component and the real actions.
"""

from __future__ import annotations

import re

import pytest

from actions.unused import unused_results
from tests.actions.conversation import Conversation

# --------------------------------------------------------------------------- H3 (HAZ-182)

SEVERE_ANAEMIA_GATE = "gate.b12.pancytopenia_severe_anaemia"
LOW_PLATELETS_GATE = "gate.b12.low_platelets"


def _gate_ids(payload: dict[str, object]) -> list[str]:
    return [str(h["gate"]) for h in payload["gates"]]  # type: ignore[attr-defined]


@pytest.mark.parametrize(
    ("audience", "text", "written", "used"),
    [
        pytest.param(
            "patient",
            "my b12 is 100 and hb 65 or 70, no tingling, what treatment",
            'haemoglobin "65 or 70"',
            "65 g/L",
            id="patient",
        ),
        pytest.param(
            "clinician",
            "B12 90, Hb 62 or 72, no neuro, PA",
            'haemoglobin "62 or 72"',
            "62 g/L",
            id="clinician",
        ),
    ],
)
async def test_an_unsure_low_haemoglobin_still_gets_the_severe_anaemia_gate(
    audience: str, text: str, written: str, used: str
) -> None:
    chat = Conversation(audience=audience)
    turn = await chat.say(text)
    assert not turn.payloads("b12.invalid_facts")
    assert SEVERE_ANAEMIA_GATE in _gate_ids(turn.payload("b12.gate"))
    assert not turn.payloads("b12.regimen")
    doubt = turn.payload("b12.unsure_values")
    assert [v["written"] for v in doubt["values"]] == [written]
    assert any(f"more than one possible value for {written}" in t for t in turn.texts())
    assert any(f"({used})" in t for t in turn.texts())


async def test_an_unsure_low_platelet_count_is_used_and_named() -> None:
    chat = Conversation(audience="clinician")
    turn = await chat.say("plts 30 or 40, B12 140 ng/L, no neuro, vegan")
    assert turn.slots["platelet_count"] == 30.0
    assert LOW_PLATELETS_GATE in _gate_ids(turn.payload("b12.gate"))
    assert turn.payload("b12.unsure_values")["values"][0]["written"] == 'platelet count "30 or 40"'


async def test_a_value_sent_later_replaces_the_unsure_one() -> None:
    chat = Conversation(audience="clinician")
    await chat.say("B12 90, Hb 62 or 72, no neuro, PA")
    turn = await chat.say("Hb 120")
    assert not turn.payloads("b12.gate")
    assert not turn.payloads("b12.unsure_values")
    assert turn.payloads("b12.regimen")


async def test_an_unsure_value_above_every_cutoff_is_still_refused() -> None:
    chat = Conversation(audience="clinician")
    turn = await chat.say("B12 90, Hb 95 or 100, no neuro, PA")
    assert turn.payload("b12.invalid_facts")["fields"] == ["haemoglobin"]
    assert not turn.payloads("b12.unsure_values")
    assert not turn.payloads("b12.regimen")


async def test_unsure_platelets_beside_an_unsure_b12_are_named() -> None:
    chat = Conversation(audience="clinician")
    turn = await chat.say("b12 140 or maybe 410, plts 30 or 40, no neuro")
    assert turn.slots["platelet_count"] == 30.0
    assert turn.payload("b12.invalid_facts")["fields"] == ["b12_level"]
    assert turn.payload("b12.unsure_values")["values"][0]["used"] == 30.0


async def test_unsure_platelets_beside_an_unsure_b12_still_get_the_gate() -> None:
    chat = Conversation(audience="clinician")
    turn = await chat.say("b12 140 or maybe 410, plts 30 or 40, no neuro")
    assert LOW_PLATELETS_GATE in _gate_ids(turn.payload("b12.gate"))


# --------------------------------------------------------------------------- M4 (HAZ-183)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("B12 89. F 14. Hb 101, no neuro, PA", id="after-b12-full-stop"),
        pytest.param("B12 150, F 12, MCV 108, no neuro, vegan", id="after-b12-comma"),
    ],
)
async def test_folate_shorthand_is_not_a_child_and_the_plan_is_given(text: str) -> None:
    chat = Conversation(audience="clinician")
    turn = await chat.say(text)
    assert turn.slots.get("age") is None
    assert not turn.payloads("b12.gate")
    assert turn.payloads("b12.regimen")


# --------------------------------------------------------------------------- M5, L6 (HAZ-184)

FOLATE_ONLY = "my folate came back at 2.3, no numbness or tingling, what should happen"
DOSE = re.compile(r"\d|\b(?:mg|mcg|micrograms?|daily|every|months?)\b", re.IGNORECASE)
"""A dose or a schedule in a notice (searched with the test's name "B12" taken out)."""


async def _asked_for_b12(audience: str = "patient") -> Conversation:
    chat = Conversation(audience=audience)
    turn = await chat.say(FOLATE_ONLY)
    assert turn.payload("folate.missing_facts")["missing"] == ["b12_status"]
    return chat


def _notice(texts: list[str]) -> str:
    (notice,) = [t for t in texts if "your reply" in t.lower()]
    return notice


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param("yes, im on 1mg injections every 3 months", id="injections-schedule"),
        pytest.param("yes my doctor said take 1000 micrograms daily for life", id="daily-for-life"),
        pytest.param("yes 5mg folic acid", id="folic-acid-dose"),
        pytest.param("1000 micrograms daily", id="dose-only"),
    ],
)
async def test_a_patient_never_reads_a_dose_back(reply: str) -> None:
    chat = await _asked_for_b12()
    turn = await chat.say(reply)
    named = turn.payload("b12.unread_answer")
    assert (named["value"], named["treatment"], named["used"]) == ("", True, False)
    notice = _notice(turn.texts())
    assert "gives a dose or a treatment, not a test result" in notice
    assert not DOSE.search(notice.replace("B12", "B"))
    assert turn.slots.get("b12_status") is None
    assert not turn.payloads("folate.plan")


async def test_a_clinician_still_reads_the_reply_as_written() -> None:
    chat = await _asked_for_b12("clinician")
    turn = await chat.say("yes on 1000 micrograms daily")
    named = turn.payload("b12.unread_answer")
    assert (named["value"], named["treatment"]) == ("on 1000 micrograms daily", True)
    assert any('I read "on 1000 micrograms daily"' in t for t in turn.texts())


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param("I'm on B12 injections", id="b12-injections"),
        pytest.param("yes, having hydroxocobalamin jabs", id="no-digit"),
    ],
)
async def test_b12_being_treated_is_named_and_why_the_question_comes_again(reply: str) -> None:
    chat = await _asked_for_b12()
    turn = await chat.say(reply)
    named = turn.payload("b12.unread_answer")
    assert (named["b12_treated"], named["value"]) == (True, "")
    assert any("Your reply says B12 is being treated" in t for t in turn.texts())
    assert any("the question is asked again" in t for t in turn.texts())
    # No B12 status is guessed from a treatment: the decision table has no such answer.
    assert turn.slots.get("b12_status") is None
    assert turn.payload("folate.missing_facts")["missing"] == ["b12_status"]
    assert not turn.payloads("folate.plan")


@pytest.mark.parametrize(
    "reply",
    [
        pytest.param("its 07700 900123 call me", id="mobile"),
        pytest.param("it's +44 141 555 0123", id="international"),
    ],
)
async def test_a_phone_number_is_never_repeated(reply: str) -> None:
    chat = await _asked_for_b12()
    turn = await chat.say(reply)
    named = turn.payload("b12.unread_answer")
    assert "[phone number]" in named["value"]
    assert not any(re.search(r"\d{3}", t) for t in turn.texts() if "your reply" in t)


# --------------------------------------------------------------------------- L4 (HAZ-185)


@pytest.mark.parametrize(
    "text",
    [
        "vit d 800 a day",
        "vitamin d 20000 weekly",
        "vitamin d 1000 daily",
        "vit d3 4000 per day",
        "vitamin d 800 each day",
    ],
)
def test_a_dose_with_a_schedule_word_is_no_result(text: str) -> None:
    assert unused_results(text) == ()


@pytest.mark.parametrize(
    ("text", "value"),
    [("vitamin d 30 last week", "30"), ("vit d 45 nmol/l, daily sun", "45 nmol/l")],
)
def test_a_result_near_a_schedule_word_is_still_named(text: str, value: str) -> None:
    (found,) = unused_results(text)
    assert found.value == value


# Review 10b, M4: a dose in words no list knows is never read back to a patient.
@pytest.mark.parametrize(
    "reply",
    ["yes 1000mcgs", "yes 1000 micro grams", "yes the 1000 ones every morning", "400 folic"],
)
async def test_a_patient_is_never_shown_a_reply_that_is_not_plainly_a_number(reply: str) -> None:
    chat = Conversation(audience="patient")
    await chat.say("my folate came back at 2.3, no numbness or tingling, what should happen")
    turn = await chat.say(reply)
    texts = " ".join(m.get("text") or "" for m in turn.messages)
    digits = "".join(ch for ch in reply if ch.isdigit())
    assert digits not in texts


async def test_a_plain_number_is_still_named_back_to_a_patient() -> None:
    chat = Conversation(audience="patient")
    await chat.say("my folate came back at 2.3, no numbness or tingling, what should happen")
    turn = await chat.say("yes it was over 200")
    assert "over 200" in " ".join(m.get("text") or "" for m in turn.messages)
