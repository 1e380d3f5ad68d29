"""Breathlessness that is new or getting worse is urgent; stable exertional breathlessness is not.

NHS: contact NHS 111 when more short of breath than usual (HAZ-006). Own sentences.
"""

from __future__ import annotations

import pytest

from guideline_engine.triage import assess


@pytest.mark.parametrize(
    "text",
    [
        "puffed out on the walk to the bus, never used to be",
        "my husband is short of breath on the stairs and it keeps getting worse",
        "out of breath doing the hoovering, that is new for me",
    ],
)
def test_new_or_worsening_breathlessness_is_urgent(text: str) -> None:
    result = assess(text)
    assert result.urgency is not None and result.urgency.value in ("urgent", "emergency"), result


@pytest.mark.parametrize(
    "text",
    [
        "a bit breathless on hills, same as it has been for years",
        "my breathing is no worse than usual on the stairs",
    ],
)
def test_stable_breathlessness_on_effort_is_not_urgent(text: str) -> None:
    result = assess(text)
    assert result.urgency is None or result.urgency.value == "routine", result
