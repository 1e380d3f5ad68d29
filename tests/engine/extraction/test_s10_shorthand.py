"""Session 10 (HAZ-177, HAZ-178): clinician shorthand from the blind first_messages6_dev set.

Our own sentences in the shape the blind set showed: the sex letter before the age ("F 34,"),
and units that a language detector took for words of another language ("ng/mL").
"""

from __future__ import annotations

import pytest

from guideline_engine.extraction import extract
from guideline_engine.extraction.style import audience_by_style
from guideline_engine.scope import detect_language


@pytest.mark.parametrize(
    ("text", "age", "sex"),
    [
        ("F 41, folate 2.0 ug/L, B12 normal. Plan?", 41, "female"),
        ("M 66. Hb 101, MCV 110, B12 130 ng/L", 66, "male"),
        ("Folate deficiency in M 27, B12 sent", 27, "male"),
        ("b12 150 ng/L, F 73, no neuro sx", 73, "female"),
        ("F 52 on methotrexate, folate 2.4 ug/L", 52, "female"),
    ],
)
def test_sex_letter_before_the_age_is_read(text: str, age: int, sex: str) -> None:
    found = extract(text)
    assert (found.age, found.sex) == (age, sex)


@pytest.mark.parametrize(
    "text",
    ["B12 120, F 10 ng/mL folate", "hb 110, m 250.", "5 m 20, ok", "vitamin d 50, f 3"],
)
def test_a_letter_and_a_number_that_are_no_age_are_not_read(text: str) -> None:
    assert extract(text).age is None


@pytest.mark.parametrize(
    "text",
    [
        "F 44, plt 38, Hb 102, folate 1.5 ng/mL, B12 390 ng/L. Start folic acid?",
        "b12 90 pg/mL, folate 3 ng/mL, hb 95",
    ],
)
def test_units_are_not_words_of_another_language(text: str) -> None:
    assert detect_language(text) is None


def test_a_message_in_tagalog_is_still_detected() -> None:
    assert detect_language("masakit ang dibdib ko at hindi ako makahinga") == "tl"


@pytest.mark.parametrize(
    "text",
    ["F 61, folate 1.9 ug/L, B12 480 ng/L, now chest pain", "M 70 on metformin, B12 140 ng/L"],
)
def test_sex_letter_shorthand_reads_as_a_clinician(text: str) -> None:
    assert audience_by_style(text) == "clinician"


def test_a_patient_saying_their_age_still_reads_as_a_patient() -> None:
    assert audience_by_style("I am 34 and my folate is low, what should I take") == "patient"


# HAZ-179: a denial of a negative is no pregnancy.
@pytest.mark.parametrize(
    "text",
    [
        "F 36, not pregnant (bHCG neg), folate 2.0 ug/L",
        "not pregnant (pregnancy test negative), b12 120 ng/L",
    ],
)
def test_a_list_of_negatives_is_not_a_pregnancy(text: str) -> None:
    assert extract(text).pregnant == "no"


def test_a_stated_pregnancy_is_still_read() -> None:
    assert extract("F 30, pregnant 14/40, folate 2.0 ug/L").pregnant == "yes"


# HAZ-180: "neuro: none" is a normal-finding shorthand.
@pytest.mark.parametrize(
    "text",
    ["B12 70 pmol/L, neuro: none, Hb 120", "neuro sx nil, b12 100 ng/L", "nil neuro. b12 90"],
)
def test_neuro_none_is_no_neurological_involvement(text: str) -> None:
    assert extract(text).neurological_involvement == "no"


def test_neuro_followed_by_a_finding_is_involvement() -> None:
    assert extract("neuro: numb feet, b12 100 ng/L").neurological_involvement == "yes"


# Review 10b, M3: a time after "or" is no second value.
def test_a_time_after_or_is_no_second_value() -> None:
    found = extract("my hb is 125, or 6 weeks ago it was 70")
    assert found.haemoglobin != 60.0
    assert extract("hb 65 or 70").haemoglobin == 65.0


# Review 10b, L3: "IM" (intramuscular) after a dose is not "I'm".
@pytest.mark.parametrize("text", ["on 1 mg IM 3 monthly, b12 200", "hydroxo 1mg im 12 weekly"])
def test_im_after_a_dose_is_no_age(text: str) -> None:
    assert extract(text).age is None


def test_im_as_i_am_still_gives_the_age() -> None:
    assert extract("im 34 and my b12 is low").age == 34
