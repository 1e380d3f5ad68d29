"""Folic acid already started, in clinicians' shorthand and lay words (HAZ-085). Ours."""

import pytest

from guideline_engine.extraction import extract


@pytest.mark.parametrize(
    "text",
    [
        "OOH already started FA 5 mg. B12 80 ng/L",
        "the doctor has given me folic acid 5mg, folate 2.1",
        "GP gave me folic acid, B12 fine",
        "on FA 5mg od since Monday, folate 2.4",
        "been taking the folic acid a week, B12 not back yet",
    ],
)
def test_folic_acid_already_started_is_read(text: str) -> None:
    assert extract(text).folic_acid_started == "yes"


@pytest.mark.parametrize(
    "text",
    [
        "should I start FA?",
        "folate low, plan to start FA after the B12 result",
        "the plan is to give her folic acid once B12 is back",
    ],
)
def test_folic_acid_planned_or_asked_about_is_not_started(text: str) -> None:
    assert extract(text).folic_acid_started != "yes"
