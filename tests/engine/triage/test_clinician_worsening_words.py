"""Clinicians' words for a symptom that is new or worsening escalate it (HAZ-006, session 7).

"Intermittently confused", "progressive memory loss", "deteriorating gait" are how case notes
say what lay writers call "getting worse"; the urgent neurological red flag needs a change
word. Sentences written for these tests; none is copied from an evaluation set.
"""

from __future__ import annotations

import pytest

from guideline_engine.triage.assess import assess
from guideline_engine.triage.rules import Urgency


@pytest.mark.parametrize(
    "text",
    [
        "71F, now intermittently confused at night, B12 98",
        "progressive memory loss over the last year, 80M, folate low",
        "rapidly worsening weakness in both legs, B12 130 ng/L, 66M",
    ],
)
def test_case_note_words_for_worsening_escalate(text: str) -> None:
    assert assess(text).urgency is Urgency.URGENT


@pytest.mark.parametrize(
    "text",
    [
        "numb toes for years, no change, B12 140",
        "what does progressive mean on my letter? b12 low",
    ],
)
def test_stable_or_unrelated_use_does_not_escalate(text: str) -> None:
    assert assess(text).urgency is None


@pytest.mark.parametrize(
    "text",
    [
        "folate 1.9, 52M, haematemesis overnight",
        "B12 low, PR bleeding since Tuesday",
        "58F, B12 90, confused since this am, usually sharp",
    ],
)
def test_clinicians_words_for_bleeding_and_new_confusion(text: str) -> None:
    """Session 7 (blind dev sets): "haematemesis", "PR bleeding", "confused since this am"."""
    assert assess(text).urgency in (Urgency.URGENT, Urgency.EMERGENCY)


def test_new_confusion_beside_a_fine_yesterday_escalates() -> None:
    """Session 7: 'this am' is now, like 'this morning' (was a strict expected failure)."""
    result = assess("58F, B12 90, confused since this am, was fine yesterday")
    assert result.urgency in (Urgency.URGENT, Urgency.EMERGENCY)
