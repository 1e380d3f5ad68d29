"""Lab values written "<1.5" or with a decimal comma (HAZ-060, review 5 finding 6)."""

from __future__ import annotations

import pytest

from guideline_engine.extraction import extract
from guideline_engine.extraction.numbers import read_lab
from guideline_engine.extraction.text import normalise


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("folate <1.5 ug/L, Hb 61, B12 normal", "folate"),
        ("b12 >2000 ng/l after the injections", "b12"),
        ("serum folate ≤ 2 ug/L", "folate"),
    ],
)
def test_a_value_beyond_a_limit_is_named_back_not_used(text: str, kind: str) -> None:
    reading = read_lab(normalise(text), kind)
    assert reading.hit is None
    assert len(reading.problems) == 1 and "limit" in reading.problems[0].problem


def test_the_named_back_value_reaches_the_message_problems() -> None:
    found = extract("Folate <1.5 ug/L, Hb 61 g/L, 66M, B12 normal.")
    assert [p.field for p in found.value_problems] == ["folate_level"]


@pytest.mark.parametrize(
    ("text", "kind", "value"),
    [
        ("folate 1,9 ug/L", "folate", 1.9),
        ("b12 98,5 ng/L", "b12", 98.5),
        ("b12 1,200 ng/L", "b12", 1200.0),  # a thousands separator stays one
    ],
)
def test_a_decimal_comma_after_a_test_name_is_a_decimal_point(
    text: str, kind: str, value: float
) -> None:
    hit = read_lab(normalise(text), kind).hit
    assert hit is not None and hit.value == value
