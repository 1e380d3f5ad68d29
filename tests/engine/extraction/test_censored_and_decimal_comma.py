"""Lab values written "<1.5" or with a decimal comma (HAZ-060, review 5 finding 6)."""

from __future__ import annotations

import pytest

from guideline_engine.extraction import extract
from guideline_engine.extraction.numbers import read_lab
from guideline_engine.extraction.text import normalise


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("folate <5 ug/L, Hb 61, B12 normal", "folate"),  # the limit itself is not low
        ("b12 >2000 ng/l after the injections", "b12"),
        ("serum folate ≤ 6 ug/L", "folate"),
    ],
)
def test_a_value_beyond_a_limit_is_named_back_not_used(text: str, kind: str) -> None:
    reading = read_lab(normalise(text), kind)
    assert reading.hit is None
    assert len(reading.problems) == 1 and "limit" in reading.problems[0].problem


def test_the_named_back_value_reaches_the_message_problems() -> None:
    found = extract("Folate <6 ug/L, Hb 61 g/L, 66M, B12 normal.")
    assert [p.field for p in found.value_problems] == ["folate_level"]


@pytest.mark.parametrize(
    ("text", "b12", "folate"),
    [
        ("folate <1.5 ug/L, Hb 61, B12 normal", "normal", "low"),
        ("B12 <50 ng/L (undetectable), 79F", "low", None),
        ("b12 is under 100, doc says severe anaemia", "low", None),
        ("Hb 48, B12 <50, folate 1.4", "low", "low"),
    ],
)
def test_a_result_below_a_limit_that_is_itself_low_is_low(
    text: str, b12: str | None, folate: str | None
) -> None:
    """Session 7 (blind dev sets): "B12 <50" was named back and held up the plan of the most
    deficient patients; below a limit that is itself below the cut-off, it is low."""
    found = extract(text)
    assert (found.b12_status, found.folate_status) == (b12, folate)
    assert not found.value_problems


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


@pytest.mark.parametrize(
    ("text", "grams_per_litre"),
    [
        ("Hb 6,8", 68.0),  # g/dL with a decimal comma: was read as 60
        ("hb 9,1 g/dl, b12 low", 91.0),
        ("hb 95, plt 30", 95.0),  # a comma between two values stays a separator
        ("plt 150, hb 7,5, b12 120", 75.0),  # review F10: a comma after the decimal
    ],
)
def test_a_decimal_comma_in_a_haemoglobin(text: str, grams_per_litre: float) -> None:
    """Session 6 review: "Hb 7,5" was read as 70 g/L (escalated, but the wrong value)."""
    assert extract(text).haemoglobin == grams_per_litre


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("active b12 (holoTC) came back at 21", 21.0),
        ("Active-B12: 33", 33.0),
        ("my b12 came back as 130", 130.0),
        ("her b12 is 'borderline' at 185", 185.0),
        ("b12 was found low (140 ng/l) last month", 140.0),
    ],
)
def test_lab_wordings_that_were_dropped_are_read(text: str, value: float) -> None:
    found = extract(text).b12
    assert found is not None and found.value == value


def test_active_b12_keeps_its_unit_whatever_the_hyphen() -> None:
    found = extract("Active-B12: 33").b12
    assert found is not None and found.unit == "pmol/L holoTC"


@pytest.mark.parametrize(
    ("text", "field"),
    [
        ("b12 (ng/L) 150", "b12_level"),
        ("folate - they said 1.7", "folate_level"),
        ("b12 level was like 150ish", "b12_level"),
    ],
)
def test_a_number_after_a_test_name_that_no_reader_used_is_named_back(
    text: str, field: str
) -> None:
    """No value dropped in silence (issue 10): the net behind every reader names it."""
    found = extract(text)
    assert [p.field for p in found.value_problems] == [field]
    assert "could not read" in found.value_problems[0].problem


@pytest.mark.parametrize(
    "text",
    [
        "b12 1000 mcg daily",
        "b12 injections every 3 months",
        "b12 IM at 11.00",
        "folate low n b12 normal",
        "b12 normal, 64F",
        "B12 normal, now a temperature of 38.2",
        # independent review, session 7 (F5): doses without units, ranges, dates
        "I take b12 1000 daily",
        "b12 spray 1200 a day",
        "vit b12 supplement 1000",
        "B12 low (range 197-771)",
        "b12 checked 3rd march",
        'on b12 "1000" tablets',
    ],
)
def test_doses_times_and_other_facts_are_not_named_back_as_unread(text: str) -> None:
    assert not [p for p in extract(text).value_problems if "could not read" in p.problem]


def test_a_quoted_negative_value_is_refused() -> None:
    found = extract("the app shows my B12 as '-80 ng/L'")
    assert found.b12 is None
    assert "negative" in found.value_problems[0].problem


@pytest.mark.parametrize(
    "text",
    [
        "platelets were fine too 3 months ago",
        "hb r 4 weeks ago 95",
        "hb too 5 days ago 80",
        "hb as at 3 pm 90",
    ],
)
def test_a_time_after_a_test_name_is_not_its_value(text: str) -> None:
    """Independent review, session 7 (F6): durations and clock times were read as values."""
    found = extract(text)
    assert (found.platelet_count, found.haemoglobin) == (None, None)


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        ("41F, plt 22 - sorry, typo, platelets 220", "platelet_count", 220.0),
        ("B12 600 - no wait, that's my ferritin. B12 160", "b12", 160.0),
    ],
)
def test_a_corrected_value_is_the_one_used(text: str, field: str, value: float) -> None:
    """Issue 10 (corrections), session 7: the value after "sorry, typo" or "no wait" counts."""
    found = getattr(extract(text), field)
    assert getattr(found, "value", found) == value


@pytest.mark.parametrize("text", ["my folate says 2.4 mmol/L", "B12 300 mg/dL on the app"])
def test_a_unit_no_reader_accepts_refuses_the_value(text: str) -> None:
    """Session 7 (blind dev sets): "folate 2.5 mmol/L" was read as a unitless 2.5."""
    found = extract(text)
    assert found.folate is None and found.b12 is None
    assert "unit" in found.value_problems[0].problem


def test_a_correction_without_the_tests_name_gives_the_value() -> None:
    """Session 7 (blind dev set): "plt 150 - no wait, 15" was read as 150 (an IM plan)."""
    assert extract("28M, B12 normal, plt 150 - no wait, 15. lab phoned it").platelet_count == 15.0


def test_came_back_good_is_normal() -> None:
    found = extract("my folate is low at 2.4 but my b12 came back good at 580")
    assert (found.b12_status, found.folate_status) == ("normal", "low")
