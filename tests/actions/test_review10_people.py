"""Review 10, finding H5 (HAZ-186): a qualified relative is another person, never merged.

people.yml counts "mum", "mom" and "mother" (and "gran", "nan" and "grandma") as one person.
Used loosely, that made "my mother in law" mum and "my gran (dads side)" nan, so a second
relative's facts were merged silently into the first one's plan. The groups now join only
plain words: any qualifier ("in law", "step", "grand", "great", "other", "'s side", a
parenthesis, "my dads mum") makes a person of their own, and a message about them is asked
about ("Is this about you or about your ...?"). Driven through the real NLU component and
the real actions (``tests/actions/conversation.py``).
"""

from __future__ import annotations

import pytest

from actions.subject import WRITER, parse_qualifiers, subject_of
from tests.actions.conversation import Conversation, Turn

MUM = "my mum is 80, b12 is 150, she's vegan"
MUM_NO_NEURO = "my mum is 80, b12 is 150, she's vegan, no tingling"
NAN = "my nan is 88 b12 140 no numbness"
WRITER_CASE = "my b12 is 130 ng/L, i eat no meat or dairy, no pins and needles. what treatment"


def _held(turn: Turn) -> dict[str, object]:
    """The who-question of ``turn``, with nothing of the message merged and no plan shown."""
    asked = turn.payload("b12.ask_who")
    assert not turn.payloads("b12.new_patient")
    types = [str(p.get("type")) for p in turn.payloads()]
    assert not [t for t in types if t.endswith((".regimen", ".plan", ".gate"))], types
    return asked


async def test_review_dialogue_mother_in_law_after_mum_is_asked_about() -> None:
    chat = Conversation(audience="patient")
    await chat.say(MUM)
    turn = await chat.say("my mother in law is 85, b12 100, on metformin, no tingling")
    asked = _held(turn)
    assert asked["person"] == asked["held_about"] == "mum in law"
    assert any("about your mum in law?" in t for t in turn.texts())
    assert turn.slots["age"] == 80
    assert turn.slots["b12_level"] == "150"
    assert turn.slots["neurological_involvement"] is None
    later = await chat.say("what treatment", "ask_treatment")
    assert not later.payloads("b12.regimen")  # never mum's age with her B12 and metformin
    assert later.slots["age"] == 80
    assert later.slots["b12_level"] == "150"


async def test_review_dialogue_gran_on_dads_side_after_nan_is_asked_about() -> None:
    chat = Conversation(audience="patient")
    await chat.say(NAN)
    turn = await chat.say(
        "my gran (dads side) is 79, b12 95, pernicious anaemia, tingling in her feet"
    )
    asked = _held(turn)
    assert asked["held_about"] == "gran (dads side)"
    assert turn.slots["age"] == 88
    assert turn.slots["b12_level"] == "140"
    assert turn.slots["neurological_involvement"] == "no"


@pytest.mark.parametrize(
    "who",
    [
        "mother in law",
        "mother-in-law",
        "mum in law",
        "motherinlaw",
        "step mum",
        "step-mum",
        "stepmother",
        "stepmum",
        "dads mum",
        "husband's mother",
        "mum (my husbands)",
        "other mum",
    ],
)
async def test_a_qualified_mum_is_not_mum(who: str) -> None:
    chat = Conversation(audience="patient")
    await chat.say(MUM_NO_NEURO)
    turn = await chat.say(f"my {who} has b12 of 90 and numb feet")
    _held(turn)
    assert turn.slots["b12_level"] == "150"
    assert turn.slots["neurological_involvement"] == "no"


@pytest.mark.parametrize(
    "who",
    [
        "gran (dads side)",
        "gran on my dads side",
        "nan on my mum's side",
        "gran, dads side,",
        "other gran",
        "other nan",
        "great gran",
        "great-grandmother",
        "greatgran",
        "grandmum",
        "mums mum",
    ],
)
async def test_a_qualified_gran_is_not_nan(who: str) -> None:
    chat = Conversation(audience="patient")
    await chat.say(NAN)
    turn = await chat.say(f"my {who} has b12 of 95 and tingling in her feet")
    _held(turn)
    assert turn.slots["b12_level"] == "140"
    assert turn.slots["neurological_involvement"] == "no"


@pytest.mark.parametrize(
    ("first", "second"),
    [
        pytest.param(MUM_NO_NEURO, "my mother also has numb feet", id="mother"),
        pytest.param(MUM_NO_NEURO, "my elderly mother also has numb feet", id="elderly"),
        pytest.param(MUM_NO_NEURO, "my 80 year old mum also has numb feet", id="80-year-old"),
        pytest.param(MUM_NO_NEURO, "my mum (80) also has numb feet", id="age-in-brackets"),
        pytest.param(NAN, "my nana also has numb feet", id="nana"),
        pytest.param(
            "my grandma is 88 b12 140 no numbness",
            "my grand-mother also has numb feet",
            id="grand-mother",
        ),
        pytest.param(
            "my mother in law is 85, b12 100, no tingling",
            "my mother-in-law also has numb feet",
            id="same-in-law",
        ),
    ],
)
async def test_plain_words_for_the_same_person_are_not_asked_about(first: str, second: str) -> None:
    chat = Conversation(audience="patient")
    await chat.say(first)
    turn = await chat.say(second)
    assert not turn.payloads("b12.ask_who")
    assert turn.slots["neurological_involvement"] == "yes"


@pytest.mark.parametrize("reply", ["my mother in law", "mother-in-law", "my step mum", "other mum"])
async def test_a_qualified_mum_does_not_answer_you_or_your_mum(reply: str) -> None:
    chat = Conversation(audience="patient")
    await chat.say(WRITER_CASE)
    asked = await chat.say("my mum is 78 and her b12 is 85, she has numb toes")
    assert asked.payload("b12.ask_who")["person"] == "mum"
    turn = await chat.say(reply)
    assert turn.payload("b12.ask_who")["again"] is True
    assert not turn.payloads("b12.new_patient")
    assert turn.slots["age"] is None
    assert turn.slots["b12_level"] == "130 ng/L"


@pytest.mark.parametrize("reply", ["my mother in law", "mother-in-law", "her"])
async def test_naming_the_mother_in_law_starts_her_case(reply: str) -> None:
    chat = Conversation(audience="patient")
    await chat.say(WRITER_CASE)
    asked = await chat.say("my mother in law is 85, her b12 is 100, she has numb feet")
    assert _held(asked)["person"] == "mum in law"
    turn = await chat.say(reply)
    started = turn.payload("b12.new_patient")
    assert started["about"] == "mum in law"
    assert started["from_held"] is True
    assert turn.slots["b12_level"] == "100"
    assert turn.slots["neurological_involvement"] == "yes"
    assert turn.slots["causes"] is None  # the writer's diet is not hers


async def test_plain_mum_does_not_answer_you_or_your_mother_in_law() -> None:
    chat = Conversation(audience="patient")
    await chat.say(WRITER_CASE)
    await chat.say("my mother in law is 85, her b12 is 100, she has numb feet")
    turn = await chat.say("my mum")
    assert turn.payload("b12.ask_who")["again"] is True
    assert turn.slots["age"] is None


@pytest.mark.parametrize(
    ("text", "subject"),
    [
        ("my mum is 80", "mum"),
        ("my mother is 80", "mum"),
        ("my elderly mom is 80", "mum"),
        ("my 80-year-old mam", "mum"),
        ("my nan is 88", "nan"),
        ("my grand-mother is 88", "grandma"),
        ("my mother in law is 85", "mum in law"),
        ("my mother-in-law is 85", "mum in law"),
        ("my stepmother is 70", "step mum"),
        ("my step mum is 70", "step mum"),
        ("my gran (dads side) is 79", "gran (dads side)"),
        ("my nan on my dad's side is 79", "nan on dad's side"),
        ("my other gran is 79", "other gran"),
        ("my great grandmother is 99", "great grandma"),
        ("my dads mum is 79", "dad's mum"),
        ("my grandson is 9", "grand son"),
        ("my b12 is 130 and my mum is 80", "mum"),
        ("my mum is on the other side of town, b12 100", "mum"),
        ("my b12 is 130", WRITER),
        ("she is 80", None),
    ],
)
def test_subject_of_keeps_qualifiers(text: str, subject: str | None) -> None:
    assert subject_of(text) == subject


@pytest.mark.parametrize(
    ("data", "problem"),
    [
        pytest.param({"version": 1, "same_person": {"mum": ["mom"]}, "x": []}, "keys"),
        pytest.param(
            {"version": 1, "same_person": {"mum": ["mom"]}, "plain_before": ["Old"]}, "bad word"
        ),
        pytest.param(
            {"version": 1, "same_person": {"mum": ["mom"]}, "qualifiers_before": "step"},
            "expected a list",
        ),
        pytest.param(
            {
                "version": 1,
                "same_person": {"mum": ["mom"]},
                "plain_before": ["step"],
                "joined_before": ["step"],
            },
            "also qualifiers",
        ),
    ],
)
def test_people_qualifiers_are_validated(data: object, problem: str) -> None:
    with pytest.raises(ValueError, match=problem):
        parse_qualifiers(data)


async def test_nan_and_gran_are_two_grandmothers_and_asked_about() -> None:
    """Review 10b, H1: "my gran" after "my nan" may be the other grandmother."""
    chat = Conversation(audience="patient")
    await chat.say("my gran's b12 is 95 ng/L, she has PA and tingling and is unsteady")
    turn = await chat.say("my nan's b12 is 140 ng/L, vegan, no numbness or tingling")
    assert turn.payloads("b12.ask_who")
    assert turn.slots["neurological_involvement"] == "yes"
    assert not turn.payloads("b12.regimen")
