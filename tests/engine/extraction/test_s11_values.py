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


@pytest.mark.parametrize(
    "text",
    ["B12 85, fol 1.9, Hb 90, 58M alcohol", "M 61, etoh xs, folate 1.4 ug/L", "cause: alcohol"],
)
def test_alcohol_in_a_clinicians_list_is_the_alcohol_cause(text: str) -> None:
    assert "alcohol" in _values(text, "cause")


@pytest.mark.parametrize("text", ["can I drink alcohol on folic acid?", "alcohol ok?"])
def test_alcohol_in_a_question_is_no_cause(text: str) -> None:
    assert "alcohol" not in _values(text, "cause")


def test_a_brand_of_valproate_is_a_medication_cause() -> None:
    assert "medication" in _values("on epilim for my seizures, folate low", "cause")


# HAZ-197: first_messages8_dev; review 11b. A laboratory's low flag classes a result low; a
# normal or high flag never makes a borderline B12 normal; letters after a unit are no flags.
@pytest.mark.parametrize(("text", "status"), [("B12 160 [L]", "low"), ("B12 190 ng/L (L)", "low")])
def test_a_laboratory_low_flag_classes_the_result_low(text: str, status: str) -> None:
    assert _values(text, "b12_status") == [status]


@pytest.mark.parametrize(
    "text",
    [
        "B12 300 ng/L (N), folate 2.2 ug/L",
        "B12 300 ng/L (H)",
        "B12 300 ng/L, folate 2.2 ug/L",
    ],
)
def test_a_borderline_b12_stays_borderline_whatever_the_flag(text: str) -> None:
    assert _values(text, "b12_status") == ["indeterminate"]


def test_letters_after_a_unit_are_no_flags() -> None:
    assert _values("B12 150 ng/L H pylori positive", "b12_status") == ["low"]  # not "high"
    assert "low" not in _values("B12 400 ng/L L leg numbness", "b12_status")  # L is the left leg


# Review 11: the session's own age patterns, both ways.
@pytest.mark.parametrize(
    ("text", "age"),
    [
        ("45M 2 week history of numbness, B12 120", 45),
        ("28F 32/40, folate low", 28),
        ("70M 2 falls this month, B12 low", 70),
        ("Patient M62, B12 120", 62),
        ("Pt M62. B12 120", 62),
    ],
)
def test_a_compact_age_before_more_numbers_is_read(text: str, age: int) -> None:
    assert _values(text, "age") == [age]


@pytest.mark.parametrize(
    "text",
    [
        "known F32 depression, B12 low",
        "PMH M54, B12 100",
        "stuck on the M25, b12 low",
        "Bay 4 bed M22, B12 90",
        "B12 <150 F20",
        "my sister F34 and me, b12 low",
    ],
)
def test_codes_roads_beds_and_folate_are_no_age(text: str) -> None:
    assert _values(text, "age") == []
