"""How a message reads when the writer does not say who they are (issue 10, HAZ-070).

Sentences written for these tests; none is copied from an evaluation set.
"""

from __future__ import annotations

import pytest

from guideline_engine.extraction import extract
from guideline_engine.extraction.style import audience_by_style, parse_style
from guideline_engine.extraction.vocab import VocabularyError


@pytest.mark.parametrize(
    "text",
    [
        "58M, B12 104 ng/L, MCV 112, no neuro sx. Plan?",
        "77F housebound, IF ab positive, due her next injection",
        "34-year-old woman referred with paraesthesia, Hb 97, plt 140",
        "Practice nurse here: 77F housebound, IF ab positive, due her next injection",
        "my patient is on metformin 1 g BD, B12 160, what regimen?",
    ],
)
def test_clinical_shorthand_reads_as_a_clinician(text: str) -> None:
    assert audience_by_style(text) == "clinician"


def test_the_style_is_read_only_when_nothing_is_stated() -> None:
    found = extract("58M, B12 104 ng/L, MCV 112, no neuro sx. Plan?")
    assert found.audience is None
    assert found.audience_style == "clinician"


@pytest.mark.parametrize(
    "text",
    [
        "my b12 came back at 150 and my hands tingle, what do i do",
        "Mum is 81 and the GP said her folate is low, she is very tired",
        "hi, i feel exhausted all the time and the doctor said my b12 was low",
        "I have had injections for years, can I switch to tablets?",
    ],
)
def test_lay_writing_reads_as_a_patient(text: str) -> None:
    assert audience_by_style(text) == "patient"


def test_a_stated_audience_wins_and_no_style_is_read() -> None:
    found = extract("I'm a pharmacist. 70F, B12 90 ng/L, plt 200")
    assert found.audience == "clinician"
    assert found.audience_style is None


@pytest.mark.parametrize(
    "data",
    [
        {"version": 1, "rule": {"min_clinician": 1, "ratio": 2, "margin": 2}, "clinician": ["x"]},
        {
            "version": 1,
            "rule": {"min_clinician": 0, "ratio": 2, "margin": 2},
            "clinician": ["a"],
            "patient": ["b"],
            "own_patient": ["c"],
        },
        {
            "version": 1,
            "rule": {"min_clinician": 1, "ratio": 2, "margin": 2},
            "clinician": ["("],
            "patient": ["b"],
            "own_patient": ["c"],
        },
    ],
)
def test_a_malformed_style_file_is_refused(data: object) -> None:
    with pytest.raises(VocabularyError):
        parse_style(data)
