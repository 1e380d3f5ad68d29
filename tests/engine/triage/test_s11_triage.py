"""Session 11 triage fixes (HAZ-193), from the blind triage19_dev set.

Every sentence is our own wording of the kind of message the blind set showed, not a copy.
Each group holds both sides: what must now escalate, and the neighbour that must stay routine.
"""

from __future__ import annotations

import pytest

from guideline_engine.triage import assess


def _urgency(text: str) -> str | None:
    result = assess(text)
    return result.urgency.value if result.urgency else None


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        # "rn" / "atm" say now: a dated event after the complaint does not date it
        ("my chest is so tight and sore rn, had the injection on monday, is it that?", "emergency"),
        ("chest feels crushed atm, saw the nurse yesterday for my jab", "emergency"),
        # clinical words for a reduced level of consciousness
        ("Pt 71F with PA, obtunded since lunchtime per daughter", "emergency"),
        ("he only opens his eyes to painful stimuli now", "emergency"),
        ("stuporous on arrival, known B12 deficiency", "emergency"),
        # shorthand for double vision and for palpitations with feeling faint
        ("new diplopia for two days, on B12 loading", "urgent"),
        ("palps and presyncope since yesterday, Hb 80", "urgent"),
        ("near syncope when she stands, B12 low", "urgent"),
        # an infant or toddler of a deficient or vegan mother who is not thriving
        ("3 month old, mum has untreated PA, feeding poorly and dropped two centiles", "urgent"),
        ("our toddler is 20 months and still not walking or talking, we are vegan", "urgent"),
    ],
)
def test_session_11_wordings_escalate(text: str, urgency: str) -> None:
    assert _urgency(text) == urgency


@pytest.mark.parametrize(
    "text",
    [
        # fainting at the sight of a needle that did not happen
        "I nearly passed out looking at the needle but I was fine, is 1mg normal?",
        # a toddler's milestones asked about in general
        "is it normal for a toddler not walking at 13 months? we eat meat",
        # double vision that was years ago and went
        "had diplopia once in 2015 after a head injury, fine since, now asking about b12 tablets",
    ],
)
def test_session_11_neighbours_stay_routine(text: str) -> None:
    assert _urgency(text) not in ("urgent", "emergency")
