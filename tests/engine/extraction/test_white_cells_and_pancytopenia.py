"""White cell and neutrophil counts, and pancytopenia recognised from stated counts (HAZ-014).

Limits: standard adult reference limits, project policy pending clinical review (see
``guideline_engine.extraction.numbers.HB_LOWER_LIMIT_G_L``).
"""

from __future__ import annotations

import pytest

from guideline_engine.extraction import extract
from guideline_engine.extraction.numbers import (
    read_demographic,
    read_neutrophils,
    read_platelets,
    read_white_cells,
)
from guideline_engine.extraction.text import normalise


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("WCC 2.1", 2.1, id="wcc"),
        pytest.param("wbc 2100/uL", 2.1, id="per-microlitre"),
        pytest.param("white cells 2.1 x10^9/L", 2.1, id="si-unit"),
        pytest.param("white cell count of 3.2", 3.2, id="words"),
        pytest.param("WBC 2.1k", 2.1, id="k"),
        pytest.param("WBC 2.1 k/uL", 2.1, id="k-per-microlitre"),
        pytest.param("wcc 2.1e9/L", 2.1, id="exponent"),
        pytest.param("WBC 2100", 2.1, id="unitless-per-microlitre"),
        pytest.param("wcc was 5.0, now 2.1", 2.1, id="latest"),
    ],
)
def test_white_cell_count_is_read_in_si_units(text: str, value: float) -> None:
    hit = read_white_cells(normalise(text)).hit
    assert hit is not None and hit.value == pytest.approx(value)


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("neutrophils 0.9", 0.9, id="neutrophils"),
        pytest.param("ANC 900", 0.9, id="anc-per-microlitre"),
        pytest.param("neuts 1.2 x 10^9/L", 1.2, id="neuts"),
    ],
)
def test_neutrophil_count_is_read_in_si_units(text: str, value: float) -> None:
    hit = read_neutrophils(normalise(text)).hit
    assert hit is not None and hit.value == pytest.approx(value)


@pytest.mark.parametrize(
    "text", [pytest.param("wbc -2", id="negative"), pytest.param("wcc 2.1e5", id="bad-power")]
)
def test_an_unusable_white_cell_count_is_named_back(text: str) -> None:
    facts = extract(text)
    assert [p.field for p in facts.value_problems] == ["white_cell_count"]


def test_platelets_in_k_per_microlitre_are_not_divided_by_a_thousand() -> None:
    hit = read_platelets(normalise("platelets 250 k/uL")).hit
    assert hit is not None and hit.value == 250.0


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Hb 82, WCC 2.1, plt 60", id="issue-example"),
        pytest.param("Hb 8.2 g/dL, neutrophils 0.9, platelets 60,000/uL", id="neutrophils"),
        pytest.param("72M, Hb 125, WCC 3.5, plt 140", id="male-limit-130"),
        pytest.param("Hb 125, WCC 3.5, plt 140", id="sex-unknown-uses-the-higher-limit"),
        pytest.param("no pancytopenia, Hb 82, WCC 2.1, plt 60", id="counts-escalate-a-denial"),
    ],
)
def test_all_three_lines_low_reads_as_pancytopenia(text: str) -> None:
    facts = extract(text)
    assert facts.pancytopenia == "yes"
    span = facts.span_of("pancytopenia")
    assert span is not None and span.text.lower().startswith("hb")  # the counts, named back


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("72F, Hb 125, WCC 3.5, plt 140", None, id="female-limit-120"),
        pytest.param("Hb 82, plt 60", None, id="white-cells-not-given"),
        pytest.param("Hb 82, WCC 5.1, plt 60", None, id="white-cells-normal"),
        pytest.param("Hb 82, WCC 2.1, plt 260", None, id="platelets-normal"),
        pytest.param("pancytopenic, WCC 5.1", "yes", id="stated-yes-is-never-taken-back"),
    ],
)
def test_counts_never_de_escalate(text: str, expected: str | None) -> None:
    assert extract(text).pancytopenia == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("45M vegan", (45, "male"), id="compact"),
        pytest.param("45-year-old woman", (45, "female"), id="words"),
        pytest.param("a 45 y/o gentleman", (45, "male"), id="gentleman"),
        pytest.param("she is 45", None, id="pronoun-is-not-a-demographic"),
        pytest.param("45 yo", None, id="age-only"),
    ],
)
def test_read_demographic(text: str, expected: tuple[int, str] | None) -> None:
    assert read_demographic(normalise(text)) == expected
