"""Fever with neutropenia or pancytopenia is an emergency (HAZ-057), in shorthand and lay words."""

from __future__ import annotations

import pytest

from guideline_engine.triage import assess


@pytest.mark.parametrize(
    "text",
    [
        "68F, folate 1.9, B12 ok, spiking to 39.2 overnight, ANC 0.2",
        "known pancytopenia from the methotrexate and now febrile",
        "he has a raging temperature and the hospital said his white count is very low",
        "query neutropenic sepsis in a 70M with low B12",
    ],
)
def test_fever_with_neutropenia_is_an_emergency(text: str) -> None:
    result = assess(text)
    assert result.urgency is not None and result.urgency.value == "emergency", result
    assert "fever_with_neutropenia" in {h.id for h in result.red_flags}


@pytest.mark.parametrize(
    "text",
    [
        "temp 36.8, neutrophils normal, B12 140",
        "pancytopenia on the last count, no fever at all",
        "ANC 0.4 last month, she is apyrexial and well",
    ],
)
def test_normal_neutrophils_or_no_fever_is_not_neutropenic_fever(text: str) -> None:
    assert "fever_with_neutropenia" not in {h.id for h in assess(text).red_flags}
