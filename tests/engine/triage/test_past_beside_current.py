"""A current emergency is not hidden by a past or resolved event beside it (HAZ-058).

Sentences written by an independent reviewer (not from any blind set): each names an emergency
happening now next to something long past, resolved or compared with.
"""

from __future__ import annotations

import pytest

from guideline_engine.triage import assess

CURRENT_BESIDE_PAST = [
    "my husband is unconscious and won't respond, he had a stroke years ago but got over it",
    "I've got crushing chest pain, had the same years ago and it went away",
    "I'm having the same crushing chest pain I had years ago",
    "I want to kill myself like I did when I was a teenager",
    "I can't feel my legs and I wet myself, last year my back was bad but got over it",
    "his face has drooped suddenly, he had bells palsy years ago but recovered",
    "my throat is closing up just like the reaction I had in 2015",
    "chest pain years ago that went away, now chest pain again and sweating",
    "passed out at a party years ago, I passed out again now and feel awful",
    "I feel like my throat is closing, I had hives once as a child but got over it",
]


@pytest.mark.parametrize("text", CURRENT_BESIDE_PAST)
def test_current_emergency_beside_a_past_event_is_an_emergency(text: str) -> None:
    result = assess(text)
    assert result.urgency is not None and result.urgency.value == "emergency", result


def test_unwell_infant_beside_a_sibling_who_got_over_it_still_escalates() -> None:
    result = assess(
        "my baby is floppy and not feeding, my older one was like this once and got over it"
    )
    assert result.urgency is not None and result.urgency.rank >= 2


@pytest.mark.parametrize(
    "text",
    [
        "I fainted once last week but I've been fine since",
        "had chest pain last year, it went away",
        "I collapsed at work on Monday but I'm fine now",
    ],
)
def test_the_resolved_event_itself_still_does_not_escalate(text: str) -> None:
    result = assess(text)
    assert result.urgency is None or result.urgency.value != "emergency", result
