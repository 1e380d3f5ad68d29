"""Classing a B12 or folate NUMBER (issue 11): sourced cut-offs and stated laboratory ranges.

Safety rules tested here: a number below a sourced cut-off or below the range written beside it
is low; a number without a unit or in an unknown unit is never classed by the cut-off; the
cut-off never classes a number normal (a borderline number stays unclassed and is asked); a word
always wins, and a word that a number contradicts is named back instead of a plan.
"""

from __future__ import annotations

import pytest

from guideline_engine.extraction.numbers import find_lab_status, read_lab
from guideline_engine.extraction.text import normalise
from guideline_engine.facts import facts_from_values
from guideline_engine.labs import cutoff_for
from guideline_engine.regimen.model import LabStatus
from guideline_engine.topics.decide import decide, fact_view
from guideline_engine.topics.loader import TopicError, parse_topic
from guideline_engine.topics.model import TablePlan
from guideline_engine.topics.registry import topics


def _folate_status(level: str, status: str | None = None) -> LabStatus | None:
    values = {"folate_level": level, **({"folate_status": status} if status else {})}
    folate = facts_from_values(values).facts.folate
    return folate.status if folate is not None else None


@pytest.mark.parametrize(
    ("level", "expected"),
    [
        pytest.param("2.1 µg/L", LabStatus.LOW, id="ug-per-l-below"),
        pytest.param("2.1 ng/mL", LabStatus.LOW, id="ng-per-ml-below"),
        pytest.param("5 nmol/L", LabStatus.LOW, id="nmol-below (2.2 ug/L)"),
        pytest.param("3.4 ug/L", LabStatus.LOW, id="unit-spelt-ug"),
        pytest.param("7.0 nmol/L", LabStatus.LOW, id="nmol-converted (3.09 ug/L)"),
    ],
)
def test_folate_number_below_cutoff_is_low(level: str, expected: LabStatus) -> None:
    assert _folate_status(level) is expected


@pytest.mark.parametrize(
    "level",
    [
        pytest.param("5", id="no-unit-low-only-in-nmol"),
        pytest.param("2.1 mg/dL", id="unknown-unit"),
        pytest.param("2.1 pmol/L", id="wrong-unit"),
    ],
)
def test_number_with_wrong_or_no_unit_is_never_classed_low(level: str) -> None:
    """HAZ-053: a wrongly-united number, or a unitless one that is low in only some of the
    accepted units, must not be classed by the cut-off."""
    assert _folate_status(level) is None


def test_a_unitless_number_below_the_cutoff_in_every_unit_is_low() -> None:
    """"folate 1.9": below 3.5 µg/L and below 7.9 nmol/L alike, so low whatever was meant."""
    assert _folate_status("1.9") is LabStatus.LOW


@pytest.mark.parametrize(
    "level",
    [
        pytest.param("3.5 µg/L", id="at-cutoff"),
        pytest.param("4.0 µg/L", id="borderline-band"),
        pytest.param("5.4 ng/mL", id="top-of-borderline"),
        pytest.param("25 µg/L", id="high"),
        pytest.param("10 nmol/L", id="nmol-borderline (4.4 ug/L)"),
    ],
)
def test_cutoff_never_classes_a_number_normal(level: str) -> None:
    """HAZ-054: a borderline number is left unclassed (the bot asks), never called normal."""
    assert _folate_status(level) is None


def test_the_facts_reader_classes_a_b12_number_low_only() -> None:
    """NG239's bands (tests/engine/labs/test_b12_bands.py): the facts reader uses the low one;
    indeterminate and normal need the words around the number, so only the extractor uses them."""
    assert cutoff_for("b12_level") is not None
    low = facts_from_values({"b12_level": "98 ng/L"}).facts.b12
    assert low is not None and low.status is LabStatus.LOW
    high = facts_from_values({"b12_level": "455 ng/L"}).facts.b12
    assert high is not None and high.status is None


def test_stated_word_wins_over_number() -> None:
    assert _folate_status("2.1 µg/L", "indeterminate") is LabStatus.INDETERMINATE
    assert _folate_status("6 µg/L", "low") is LabStatus.LOW


def test_word_normal_beside_number_below_cutoff_is_named_back() -> None:
    read = facts_from_values({"folate_level": "2.1 µg/L", "folate_status": "normal"})
    assert read.unreadable == ("folate_level",)
    assert "said to be normal" in read.problems[0] and "3.5" in read.problems[0]


@pytest.mark.parametrize(
    ("text", "kind", "expected"),
    [
        pytest.param("folate 2.1 (3.9-20)", "folate", "low", id="brackets-no-unit"),
        pytest.param("folate 2.1 ug/l, normal range is 3-20", "folate", "low", id="clause"),
        pytest.param("b12 98 ng/l ref range 197-771", "b12", "low", id="b12-ref-range"),
    ],
)
def test_number_classed_against_stated_range(text: str, kind: str, expected: str) -> None:
    found = find_lab_status(normalise(text), kind)
    assert found is not None and found[0] == expected


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        pytest.param("folate 6.2 (3.9-20)", "folate", id="inside-range"),
        pytest.param("b12 250 ng/l (ref 197-771)", "b12", id="b12-inside"),
        pytest.param("b12 200 ng/L (ref range 187-883)", "b12", id="b12-just-inside"),
        pytest.param("active b12 40 pmol/L (ref 37-188)", "b12", id="active-b12-just-inside"),
    ],
)
def test_a_range_never_classes_a_number_normal(text: str, kind: str) -> None:
    """HAZ-059: a value inside a range may still be deficient; the range never says normal.

    (The folate value stays unclassed; the B12 values fall in NG239's indeterminate band.)
    """
    found = find_lab_status(normalise(text), kind)
    assert found is None if kind == "folate" else found is not None and found[0] == "indeterminate"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("folate 3.9 (3.9-20)", id="at-lower-limit"),
        pytest.param("folate 5.4 (3.9-20)", id="borderline-in-one-unit"),
        pytest.param("folate 9 nmol/l (10-40 ug/l)", id="range-in-other-unit"),
        pytest.param("folate 5, hb 100 (130-170)", id="range-of-another-test"),
        pytest.param("folate 5", id="bare-number"),
    ],
)
def test_no_class_from_range_when_it_cannot_be_trusted(text: str) -> None:
    """Values chosen low in only some unit, so the sourced cut-off cannot class them either."""
    assert find_lab_status(normalise(text), "folate") is None


def test_word_contradicted_by_stated_range_is_named_back() -> None:
    reading = read_lab(normalise("b12 normal 150 (197-771)"), "b12")
    assert reading.hit is not None
    assert [p.field for p in reading.problems] == ["b12_status"]
    assert "said to be normal" in reading.problems[0].problem


def test_normal_range_words_are_not_a_normal_result() -> None:
    found = find_lab_status(normalise("folate 2.1 ug/l, normal range is 3-20"), "folate")
    assert found is not None and found[0] == "low"


def _folate_plan(values: dict[str, object]) -> object:
    folate = topics().get("folate")
    read = facts_from_values(values).facts
    return decide(folate, fact_view(values, read), read, ())


def test_folate_table_plans_on_a_number_below_cutoff_and_says_how_it_was_classed() -> None:
    result = _folate_plan({"folate_level": "2.3 µg/L", "b12_status": "normal"})
    assert isinstance(result, TablePlan)
    assert "folate.result.number_below_cutoff" in result.snippet_ids()
    assert "folate.treatment.oral_folic_acid" in result.snippet_ids()


def test_folate_table_still_asks_b12_when_b12_is_only_a_number() -> None:
    """The facts reader never classes a B12 number normal (only the extractor does, with the
    words around it): a bare slot value gives no folic acid yet."""
    result = _folate_plan({"folate_level": "2.3 µg/L", "b12_level": "450 ng/L"})
    assert not isinstance(result, TablePlan)


def test_folate_table_asks_on_a_borderline_number() -> None:
    result = _folate_plan({"folate_level": "4.0 µg/L", "b12_status": "normal"})
    assert not isinstance(result, TablePlan)


def test_loader_rejects_a_cutoff_without_its_own_unit() -> None:
    manifest = {
        "id": "x",
        "topic": "x_topic",
        "title": {"clinician": "X", "patient": "X"},
        "scope_terms": ["x"],
        "rules_module": "m",
        "lab_cutoffs": [
            {
                "fact": "folate_level",
                "low_below": {"value": 3.5, "unit": "µg/L"},
                "units": {"nmol/L": 0.44},
                "snippet": "s",
            }
        ],
    }
    with pytest.raises(TopicError, match="cut-off's unit"):
        parse_topic(manifest, None, "x")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("folate 25 (3.9-20)", "normal", id="above-range-normal-in-every-unit"),
        pytest.param("folate 9.2 ug/L", "normal", id="above-5.5-ug"),
        pytest.param("folate 14 nmol/L", "normal", id="6.2-ug-in-nmol"),
        pytest.param("folate 4.5 ug/L", None, id="borderline-band-unclassed"),
        pytest.param("folate 5.5 ug/L", None, id="at-the-limit-unclassed"),
        pytest.param("folate 25 ug/L on folic acid", None, id="on-folic-acid"),
        pytest.param("red cell folate 150 nmol/L", None, id="red-cell-folate"),
    ],
)
def test_the_sourced_folate_normal_band(text: str, expected: str | None) -> None:
    """Session 12: above 5.5 µg/L (NHS Scotland's borderline limit) a serum folate is normal;
    the borderline band, a level on folic acid and a red cell folate are never classed normal."""
    found = find_lab_status(normalise(text), "folate")
    assert (found[0] if found else None) == expected
