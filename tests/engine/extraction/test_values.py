"""Values with sanity: sign, unit, possible range, latest of several, contradictions, sums.

Owned with ``extraction/numbers.py``; every value refused is named in ``value_problems``.
"""

from __future__ import annotations

import pytest

from guideline_engine.extraction import extract
from guideline_engine.extraction.numbers import (
    read_haemoglobin,
    read_ileal_resection_cm,
    read_lab,
    read_platelets,
)
from guideline_engine.extraction.text import clean_text, normalise


def _norm(text: str) -> str:
    return normalise(clean_text(text))


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("platelets 0", 0.0, id="zero-is-a-value"),
        pytest.param("platelet count was 45 last week, now 220", 220.0, id="was-now"),
        pytest.param("platelets were 80 on admission and are now 40", 40.0, id="admission-now"),
        pytest.param("plt 45 -> 120", 120.0, id="arrow"),
        pytest.param("platelets 35 and later platelets 300", 300.0, id="later"),
        pytest.param("platelets 150e9/L", 150.0, id="e9-per-litre"),
        pytest.param("platelets 150e3/uL", 150.0, id="e3-per-microlitre"),
        pytest.param("plt-40", 40.0, id="hyphen-joined-is-not-minus"),
        pytest.param("plt 35, plt 35", 35.0, id="same-value-twice"),
        pytest.param("platelets 35 ×10⁹/L", 35.0, id="superscript-after-nfkc"),
    ],
)
def test_platelets_read(text: str, value: float) -> None:
    reading = read_platelets(_norm(text))
    assert reading.hit is not None and reading.hit.value == value
    assert reading.problems == ()


@pytest.mark.parametrize(
    ("text", "words"),
    [
        pytest.param("platelets -40", ("-40", "negative"), id="negative"),
        pytest.param("platelets: -40", ("-40", "negative"), id="negative-colon"),
        pytest.param("plt 3500 x10^9/L", ("3500", "range"), id="impossible"),
        pytest.param(
            "platelets 35 ... platelets 300", ("35", "300", "current"), id="contradiction"
        ),
        pytest.param("platelets 150e5", ("150e5", "unit"), id="unreadable-power"),
    ],
)
def test_platelets_refused_and_named(text: str, words: tuple[str, ...]) -> None:
    reading = read_platelets(_norm(text))
    assert reading.hit is None
    (problem,) = reading.problems
    assert problem.field == "platelet_count"
    assert all(w in problem.problem for w in words)


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        pytest.param("B12 150 ng/L", 150.0, "ng/L", id="ng-per-l"),
        pytest.param("B12 150 pg/mL", 150.0, "pg/mL", id="pg-per-ml"),
        pytest.param("b12 110 pmol/l", 110.0, "pmol/L", id="pmol"),
        pytest.param("B12 was 90 last month, now 400 ng/L", 400.0, "ng/L", id="latest"),
        pytest.param("B12 of 120", 120.0, None, id="no-unit"),
    ],
)
def test_b12_read(text: str, value: float, unit: str | None) -> None:
    hit = read_lab(_norm(text), "b12").hit
    assert hit is not None and (hit.value, hit.unit) == (value, unit)


@pytest.mark.parametrize(
    "text",
    [
        "B12 99999999999999999999999999 ng/L",
        "B12 -150 ng/L",
        "B12 0.3 nmol/L",
        "B12 60000 pmol/L",
        "B12 150 ng/L ... B12 300 ng/L",
    ],
)
def test_b12_refused(text: str) -> None:
    reading = read_lab(_norm(text), "b12")
    assert reading.hit is None and reading.problems


@pytest.mark.parametrize(
    ("text", "g_per_l"),
    [
        pytest.param("Hb 85", 85.0, id="g-per-l"),
        pytest.param("Hb 8.5", 85.0, id="unitless-g-per-dl"),
        pytest.param("haemoglobin 8.5 g/dL", 85.0, id="g-per-dl"),
        pytest.param("hemoglobin 112 g/L", 112.0, id="us-spelling"),
        pytest.param("Hb was 95, now 80", 80.0, id="latest"),
    ],
)
def test_haemoglobin_in_g_per_l(text: str, g_per_l: float) -> None:
    hit = read_haemoglobin(_norm(text)).hit
    assert hit is not None and hit.value == g_per_l


def test_hba1c_is_not_haemoglobin() -> None:
    assert read_haemoglobin(_norm("HbA1c 48")).hit is None


@pytest.mark.parametrize(
    ("text", "cm"),
    [
        pytest.param("40 cm of terminal ileum resected", 40.0, id="one"),
        pytest.param("12 cm, then a further 14 cm of distal ileum", 26.0, id="then-further"),
        pytest.param(
            "ileal resection 12 cm in 2015; in 2019 a further 14 cm was removed",
            26.0,
            id="two-sentences",
        ),
    ],
)
def test_resections_are_added(text: str, cm: float) -> None:
    hit = read_ileal_resection_cm(_norm(text)).hit
    assert hit is not None and hit.value == cm


def test_further_length_without_ileum_is_not_a_resection() -> None:
    assert read_ileal_resection_cm(_norm("she walked a further 10 cm")).hit is None


def test_impossible_resection_is_refused() -> None:
    reading = read_ileal_resection_cm(_norm("ileal resection of 900 cm"))
    assert reading.hit is None and "900" in reading.problems[0].problem


@pytest.mark.parametrize("text", ["age 250", "aged 1000", "250 years old"])
def test_impossible_age_is_named(text: str) -> None:
    facts = extract(text)
    assert facts.age is None
    assert [p.field for p in facts.value_problems] == ["age"]


def test_extraction_carries_every_problem() -> None:
    facts = extract("platelets -40 age 250 B12 99999999999999999999999999 ng/L")
    assert {p.field for p in facts.value_problems} == {"platelet_count", "age", "b12_level"}
    assert facts.platelet_count is None and facts.b12 is None


@pytest.mark.parametrize(
    "text",
    [
        "pins\u200b and needles",
        "pins and nee\u00addles",
        "\ufeffpins and needles",
        "pins\u200d and\u200e needles",
        "pins and needles\u202e",
    ],
)
def test_invisible_characters_do_not_hide_a_symptom(text: str) -> None:
    assert extract(text).neurological_involvement == "yes"


@pytest.mark.parametrize(
    ("text", "reset"),
    [
        ("new patient: 30M, vegan", True),
        ("Next patient is a 45 year old man", True),
        ("ok thanks. another patient - 50F", True),
        ("reset", True),
        ("is this a new patient?", False),
        ("62F, new patient to the practice", False),
    ],
)
def test_reset_only_at_the_start(text: str, reset: bool) -> None:
    assert extract(text).reset is reset


@pytest.mark.parametrize(
    ("text", "breastfeeding", "pancytopenia"),
    [
        ("breastfeeding, pancytopenia", "yes", "yes"),
        ("not breastfeeding, no pancytopenia", "no", "no"),
        ("formula feeding", "no", None),
        ("her sister is breastfeeding", None, None),
    ],
)
def test_breastfeeding_and_pancytopenia(text: str, breastfeeding, pancytopenia) -> None:
    facts = extract(text)
    assert (facts.breastfeeding, facts.pancytopenia) == (breastfeeding, pancytopenia)
