"""Session 11 extraction fixes (HAZ-194), from the blind first_messages7_dev set.

Our own sentences of the kinds the blind set showed: "fol" and lay names of the folate test,
ages beside a sex written "M62" or "28, female", and a result's value never read as an age.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.clinical_extractor import entities_for_text


def _values(text: str, entity: str) -> list[Any]:
    return [e["value"] for e in entities_for_text(text) if e["entity"] == entity]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("B12 110 fol 2.1 Hb 99 MCV 115", "2.1"),
        ("fol 4.1 nmol/L, B12 650 ng/L", "4.1"),
        ("my folates came back at 2.2", "2.2"),
    ],
)
def test_the_folate_test_by_its_short_and_lay_names(text: str, value: str) -> None:
    assert [str(v).split()[0] for v in _values(text, "folate_level")] == [value]


@pytest.mark.parametrize(
    "text",
    ["the nurse said my folic levels were rock bottom", "red cell folate unrecordable"],
)
def test_lay_and_lab_words_for_a_low_folate(text: str) -> None:
    assert _values(text, "folate_status") == ["low"]


@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("F58 Hb 101 MCV 110 B12 120", 58),
        ("B12 120 Hb 101 MCV 110 M47", 47),
        ("on valproate for years, 31, female, folate low", 31),
        ("B12 low again. 64, bloke, no tingling", 64),
    ],
)
def test_ages_beside_a_sex_in_shorthand(text: str, age: int) -> None:
    assert _values(text, "age") == [age]


@pytest.mark.parametrize(
    "text",
    [
        "Hb 100 F 30",  # haemoglobin 100, not a 100-year-old
        "plt 120 M 45, B12 low",
        "B12 180, female",  # a result, not an age
        "folate F12 ng",  # too young to be told from a value: not read
    ],
)
def test_a_result_is_never_read_as_an_age(text: str) -> None:
    ages = _values(text, "age")
    assert all(a not in (100, 120, 180, 12) for a in ages), ages


def test_veggie_is_a_dietary_cause() -> None:
    assert "dietary" in _values("b12 came back at 130 and im veggie", "cause")
