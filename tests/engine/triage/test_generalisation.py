"""Triage on wording no lexicon was written from: hazards found while generalising.

Every sentence here was written for this file (none is copied from an evaluation split).
"""

from __future__ import annotations

import pytest

from guideline_engine.triage import assess
from guideline_engine.triage.assertion import MessageMarkers
from guideline_engine.triage.cues import CueMatcher, parse_cue


def _level(text: str) -> str | None:
    result = assess(text)
    return result.urgency.value if result.urgency else None


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        pytest.param(
            "dad (on b12 injections) says his chest feels tight and burning",
            "chest_pain",
            id="injections-not-read-as-infection",
        ),
        pytest.param(
            "feels like somebody is standing on my chest", "chest_pain", id="someone-is-not-hearsay"
        ),
        pytest.param(
            "my dad cant wake up, is it a side effect of b12?",
            "reduced_consciousness",
            id="question-after-relatives-emergency",
        ),
        pytest.param(
            "my husband has chest pain, how common is that with b12?",
            "chest_pain",
            id="how-common-after-relatives-emergency",
        ),
        pytest.param(
            "i got up and my legs folded under me, they wont take my weight",
            "acute_neurological_deficit",
            id="legs-will-not-take-weight",
        ),
        pytest.param(
            "i want to go to sleep and never wake up", "suicidal_thoughts", id="indirect-suicidal"
        ),
        pytest.param(
            "i keep thinking about jumping off the multistorey car park roof",
            "suicidal_thoughts",
            id="method-wording",
        ),
        pytest.param(
            "my bladder just let go out of nowhere this afternoon",
            "loss_of_bladder_bowel_control",
            id="bladder-let-go",
        ),
    ],
)
def test_emergencies_in_indirect_wording(text: str, flag: str) -> None:
    result = assess(text)
    assert result.urgency == "emergency"
    assert flag in result.red_flag_ids


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("my heart is pounding and i nearly fainted in the queue", id="nearly-fainted"),
        pytest.param("the numbness has crept from my ankles up to my knees", id="crept-up"),
        pytest.param("grandma has been putting her keys in the fridge this week", id="misplacing"),
        pytest.param("i cant make out the subtitles anymore, it came on quickly", id="subtitles"),
        pytest.param("i have tumbled over three times since sunday", id="tumbles"),
        pytest.param("im 18 weeks and my b12 came back low", id="gestation-in-weeks"),
        pytest.param(
            "just found out im pregnant, my b12 was very low last year", id="pregnant-now"
        ),
        pytest.param("the tv seems dimmer than it used to", id="than-it-used-to-is-now"),
        pytest.param("my 5 month old is floppy and barely feeding, i am vegan", id="infant"),
    ],
)
def test_urgent_situations_in_lay_wording(text: str) -> None:
    assert _level(text) == "urgent"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("i nearly collapsed laughing at the bill", id="figurative-collapse"),
        pytest.param("my heart skipped a beat when i saw the price", id="figurative-heart"),
        pytest.param("my heart beats fast after three coffees", id="coffee-palpitations"),
        pytest.param("pins and needles in my toes, same as for years", id="stable-tingling"),
        pytest.param("i get tingling in my hand after sleeping on it", id="positional-tingling"),
        pytest.param("i forget names occasionally like everyone", id="ordinary-forgetting"),
        pytest.param("my mother passed out at a party in 2009", id="calendar-year-past"),
        pytest.param(
            "my sister had palpitations when her b12 was low, they stopped after treatment",
            id="relatives-resolved-symptom",
        ),
        pytest.param("my sons gums used to bleed when he was small", id="used-to-inside-mention"),
        pytest.param("i am on injections every 12 weeks", id="dosing-interval-not-gestation"),
        pytest.param("i am three weeks into treatment", id="weeks-into-treatment"),
        pytest.param("a colleague said she went blind from low b12, is that true", id="hearsay"),
    ],
)
def test_scary_but_routine_wording_is_not_escalated(text: str) -> None:
    assert _level(text) in (None, "routine")


def test_stable_tingling_is_a_question_but_new_tingling_is_urgent() -> None:
    assert _level("tingling in my fingers, it has been stable for months") is None
    assert _level("new tingling in my fingers since yesterday") == "urgent"
    assert assess("tingling in my fingers, it has been stable for months").describes_symptoms


def test_an_exact_vocabulary_word_is_not_a_typing_slip_of_another() -> None:
    matcher = CueMatcher(
        [
            (key, cue, parse_cue(cue))
            for key, cue in (("jab", "{injection}"), ("bug", "{infection}"))
        ]
    )
    assert [h.key for h in matcher.find("after my injections")] == ["jab"]
    assert [h.key for h in matcher.find("an infectoin")] == ["bug"]


def test_a_calendar_year_dates_a_mention_to_the_past() -> None:
    markers = MessageMarkers("she fainted in 2011")
    assert markers.found["remote_past"]
