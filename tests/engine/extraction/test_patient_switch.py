"""Where a message switches to another patient, and where it does not (HAZ-071).

Sentences written for these tests; none is copied from an evaluation set.
"""

from __future__ import annotations

import pytest

from guideline_engine.extraction import extract
from guideline_engine.triage.assess import assess
from guideline_engine.triage.rules import Urgency


@pytest.mark.parametrize(
    "text",
    [
        "I'm 24 weeks pregnant and my b12 is low. When is the next one due?",
        "pregnant, folate low, when do I get another one",
        "31 weeks pregnant. I feel like a different person since the jabs",
        "pregnant and b12 low, moving on to my question about diet",
    ],
)
def test_an_ambiguous_phrase_mid_message_keeps_what_was_said_before(text: str) -> None:
    """'the next one' mid-message is not a new patient: the pregnancy before it still counts."""
    assert extract(text).pregnant == "yes"
    assert assess(text).urgency is Urgency.URGENT


@pytest.mark.parametrize(
    ("text", "pregnant"),
    [
        ("ok next one is 47F, not pregnant, b12 120", "no"),
        ("the pregnant one is sorted. next patient: 47F, not pregnant", "no"),
        ("thanks, new patient: 47F, b12 120", None),
    ],
)
def test_a_switch_keeps_only_the_new_patients_facts(text: str, pregnant: str | None) -> None:
    assert extract(text).pregnant == pregnant
