"""Session 10: a value offered with another in its place, postnatal words, and the data file of
tests no topic uses (HAZ-160, HAZ-161, HAZ-163).
"""

from __future__ import annotations

from typing import Any

import pytest

from guideline_engine.extraction import extract
from guideline_engine.extraction.numbers import unsure_gate_values
from guideline_engine.extraction.text import clean_text, normalise
from guideline_engine.extraction.vocab import (
    VocabularyError,
    load_unused_tests,
    parse_unused_tests,
)
from guideline_engine.regimen.gates import packaged_gates

# HAZ-160: "B12 140 or maybe 410" was read as B12 140 (low), a plan from a number the writer
# was unsure of. Neither number is used; the value is named back as written.


@pytest.mark.parametrize(
    ("text", "field", "written"),
    [
        pytest.param("B12 140 or maybe 410", "b12_level", "140 or maybe 410", id="or-maybe"),
        pytest.param("B12 140, or was it 410?", "b12_level", "140, or was it 410", id="or-was-it"),
        pytest.param("B12 either 140 or 410", "b12_level", "140 or 410", id="either-or"),
        pytest.param(
            "b12 140 ng/L or maybe 410 ng/L, vegan",
            "b12_level",
            "140 ng/l or maybe 410 ng/l",
            id="with-units",
        ),
        pytest.param("my folate was 3 or 4", "folate_level", "3 or 4", id="folate"),
        pytest.param("platelets 140 or 400", "platelet_count", "140 or 400", id="platelets"),
        pytest.param("hb 95 or 100", "haemoglobin", "95 or 100", id="haemoglobin-above-cutoff"),
    ],
)
def test_a_value_offered_with_another_is_not_used(text: str, field: str, written: str) -> None:
    facts = extract(text)
    assert facts.b12 is None
    assert facts.b12_status is None
    assert facts.folate is None
    assert facts.platelet_count is None
    assert facts.haemoglobin is None
    (problem,) = facts.value_problems
    assert problem.field == field
    assert f'"{written}"' in problem.problem
    assert "more than one possible value" in problem.problem


@pytest.mark.parametrize(
    ("text", "b12", "folate"),
    [
        pytest.param("b12 140 or folate 3", 140.0, 3.0, id="or-another-test"),
        pytest.param("b12 150 or above", 150.0, None, id="or-a-word"),
        pytest.param("b12 140 ng/L, folate 3.1", 140.0, 3.1, id="two-tests"),
    ],
)
def test_or_without_a_second_number_of_the_same_test_reads_the_value(
    text: str, b12: float, folate: float | None
) -> None:
    facts = extract(text)
    assert facts.b12 is not None and facts.b12.value == b12
    assert (facts.folate.value if facts.folate else None) == folate
    assert facts.value_problems == ()


# HAZ-182 (review 10, H3): "Hb 65 or 70" was refused whole, and the severe-anaemia gate went
# with it. When any value offered reaches a gate's cut-off (gates.yml), the gate wins: the
# worst value is used and the doubt is kept to be named back.


@pytest.mark.parametrize(
    ("text", "field", "used", "written"),
    [
        pytest.param(
            "my b12 is 100 and hb 65 or 70, no tingling, what treatment",
            "haemoglobin",
            65.0,
            'haemoglobin "65 or 70"',
            id="patient-hb",
        ),
        pytest.param(
            "B12 90, Hb 62 or 72, no neuro, PA",
            "haemoglobin",
            62.0,
            'haemoglobin "62 or 72"',
            id="clinician-hb",
        ),
        pytest.param(
            "b12 140 or maybe 410, plts 30 or 40, no neuro",
            "platelet_count",
            30.0,
            'platelet count "30 or 40"',
            id="plts-beside-unsure-b12",
        ),
        pytest.param("hb 6.5 or 7 g/dl", "haemoglobin", 65.0, 'haemoglobin "6.5 or 7"', id="g/dL"),
        pytest.param(
            "platelets 40 or 400",
            "platelet_count",
            40.0,
            'platelet count "40 or 400"',
            id="straddling-plts",
        ),
        pytest.param(
            "hb 75 or 85", "haemoglobin", 75.0, 'haemoglobin "75 or 85"', id="straddling-hb"
        ),
        pytest.param(
            "plts 50 or maybe 60",
            "platelet_count",
            50.0,
            'platelet count "50 or maybe 60"',
            id="at-the-cutoff",
        ),
    ],
)
def test_an_unsure_value_reaching_a_gate_is_used_and_its_doubt_kept(
    text: str, field: str, used: float, written: str
) -> None:
    facts = extract(text)
    assert getattr(facts, field) == used
    assert not [p for p in facts.value_problems if p.field == field]
    (doubt,) = unsure_gate_values(normalise(clean_text(text)))
    assert (doubt.field, doubt.problem) == (field, written)


def test_the_unsure_b12_beside_the_platelets_is_still_refused() -> None:
    facts = extract("b12 140 or maybe 410, plts 30 or 40, no neuro")
    assert facts.b12 is None
    assert [p.field for p in facts.value_problems] == ["b12_level"]


def test_the_gate_cutoffs_come_from_the_gate_data() -> None:
    cutoffs = {
        (g.fact, g.op.value, g.value)
        for gate in packaged_gates()
        for g in gate.conditions
        if g.fact in ("haemoglobin", "platelet_count")
    }
    assert cutoffs == {("haemoglobin", "lt", 80), ("platelet_count", "le", 50)}
    # One above and one just at the edge of each cut-off, as the data says.
    assert extract("hb 80 or 85").haemoglobin is None
    assert extract("hb 79 or 85").haemoglobin == 79.0
    assert extract("plts 51 or 60").platelet_count is None


# HAZ-183 (review 10, M4): "F 14" after a B12 value is folate in clinicians' shorthand, not a
# 14-year-old (which sent the case to the under-16 gate).


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("B12 89. F 14. Hb 101, no neuro, PA", id="after-b12-full-stop"),
        pytest.param("B12 150, F 12, MCV 108, no neuro, vegan", id="after-b12-comma"),
        pytest.param("Hb 101, F 3.1, B12 150", id="decimal"),
        pytest.param("MCV 108; F 20; B12 140", id="after-mcv"),
    ],
)
def test_f_and_a_folate_like_number_after_a_lab_value_is_no_age(text: str) -> None:
    facts = extract(text)
    assert facts.age is None
    assert facts.sex is None


@pytest.mark.parametrize(
    ("text", "age", "sex"),
    [
        pytest.param("F 34, 28/40, folate 2.1", 34, "female", id="first"),
        pytest.param("M 58. MCV 108", 58, "male", id="male-first"),
        pytest.param("Hb 96. M 58. MCV 112.", 58, "male", id="male-after-a-lab"),
        pytest.param("Folate deficiency in M 33, homeless", 33, "male", id="in-m"),
        pytest.param("b12 150 ng/L, F 73, no neuro sx", 73, "female", id="no-folate-value"),
        pytest.param("B12 150, F 34, folate 2.1", 34, "female", id="folate-named-elsewhere"),
        pytest.param("Hb 96\nF 30, vegan, B12 140", 30, "female", id="lab-on-another-line"),
    ],
)
def test_f_is_still_a_woman_s_age_where_it_cannot_be_folate(text: str, age: int, sex: str) -> None:
    facts = extract(text)
    assert (facts.age, facts.sex) == (age, sex)


# HAZ-161: "postnatal" set pregnant = no, which closed the pregnancy/breastfeeding question for a
# woman who may be breastfeeding.


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("postnatal, b12 150 ng/L", id="postnatal"),
        pytest.param("post-natal mum, b12 150 ng/L", id="post-natal"),
        pytest.param("30F postnatal, B12 110 ng/L, no neuro", id="clinician-postnatal"),
        pytest.param("just had a baby, b12 150 ng/L", id="just-had-a-baby"),
        pytest.param("gave birth 2 weeks ago, b12 150 ng/L", id="gave-birth"),
        pytest.param("i'm 7 weeks postpartum, b12 150", id="postpartum"),
        pytest.param("post partum, b12 150", id="post-partum"),
    ],
)
def test_a_postnatal_word_sets_neither_pregnancy_nor_breastfeeding(text: str) -> None:
    facts = extract(text)
    assert facts.pregnant is None
    assert facts.breastfeeding is None
    assert facts.gestation_weeks is None


@pytest.mark.parametrize(
    ("text", "pregnant", "breastfeeding"),
    [
        pytest.param("6 weeks postpartum and breastfeeding, b12 150", None, "yes", id="bf"),
        pytest.param("postnatal, not breastfeeding, b12 150", None, "no", id="not-bf"),
        pytest.param("postnatal, not pregnant, b12 150", "no", None, id="not-pregnant"),
        pytest.param("postmenopausal, b12 150", "no", None, id="postmenopausal"),
    ],
)
def test_what_is_stated_beside_a_postnatal_word_is_still_read(
    text: str, pregnant: str | None, breastfeeding: str | None
) -> None:
    facts = extract(text)
    assert (facts.pregnant, facts.breastfeeding) == (pregnant, breastfeeding)


# HAZ-163: the tests no topic uses are validated data with provenance.


def test_the_unused_tests_file_loads_with_its_provenance() -> None:
    data = load_unused_tests()
    assert data.provenance.startswith("Project policy")
    names = [t.name for t in data.tests]
    assert {"iron", "ferritin", "vitamin D", "TSH", "eGFR"} <= set(names)
    assert len(names) == len(set(names))


def _doc(**test: Any) -> dict[str, Any]:
    entry = {"id": "iron", "name": "iron", "patterns": ["iron"], **test}
    return {"version": 1, "provenance": "policy", "tests": [entry]}


@pytest.mark.parametrize(
    ("doc", "message"),
    [
        pytest.param(_doc(patterns=["b12"]), "'b12', a read test", id="a-read-test"),
        pytest.param(_doc(patterns=["(?:platelets?|iron)"]), "a read test", id="platelets"),
        pytest.param(_doc(patterns=["hb"]), "a read test", id="haemoglobin"),
        pytest.param(_doc(patterns=["(iron"]), "bad pattern", id="bad-regex"),
        pytest.param(_doc(patterns=["(?P<x>iron)"]), "no named groups", id="named-group"),
        pytest.param(_doc(patterns=["Iron"]), "lower case", id="upper-case"),
        pytest.param(_doc(colour="red"), "colour", id="unknown-key"),
        pytest.param(_doc(id="Iron Test"), "snake_case", id="bad-id"),
        pytest.param({"version": 1, "tests": _doc()["tests"]}, "provenance", id="no-provenance"),
        pytest.param(
            {"version": 1, "provenance": "p", "tests": _doc()["tests"] * 2},
            "used by two entries",
            id="duplicate",
        ),
    ],
)
def test_a_bad_unused_tests_file_is_refused(doc: dict[str, Any], message: str) -> None:
    with pytest.raises(VocabularyError, match=r"unused_tests\.yml") as info:
        parse_unused_tests(doc)
    assert message in str(info.value)
