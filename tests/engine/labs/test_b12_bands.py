"""Classing a B12 number by NICE NG239's bands (issues 10 and 11; HAZ-064).

Safety rules tested here: a B12 number is classed low, indeterminate or normal by NG239's total
or active B12 bands; a number without a unit only when it falls in the same band in every unit
accepted; a stated range still classes low only; a past value is not the current status; a
level taken on B12 treatment is never classed normal; active B12 is never classed by the total
B12 bands. A normal B12 lets the folate table reach folic acid, but nerve symptoms, pregnancy and
B12 treatment keep their safeguards, and the B12 topic gives no replacement plan for it.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.clinical_extractor import entities_for_text
from guideline_engine.content.b12.rules import build_plan
from guideline_engine.extraction.numbers import find_lab_status
from guideline_engine.extraction.text import normalise
from guideline_engine.facts import facts_from_values
from guideline_engine.regimen.gates import packaged_gates
from guideline_engine.regimen.model import Facts, Gated, LabStatus, LabValue, Plan, Tri
from guideline_engine.topics.decide import decide, fact_view
from guideline_engine.topics.loader import TopicError, parse_topic
from guideline_engine.topics.model import LabCutoff, TablePlan
from guideline_engine.topics.registry import topics


def _b12(text: str) -> str | None:
    found = find_lab_status(normalise(text), "b12")
    return found[0] if found else None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("B12 455 ng/L", "normal", id="total-normal"),
        pytest.param("b12 of 150 ng/L", "low", id="total-low"),
        pytest.param("Serum vitamin B12 121 ng/L (187 - 883) L", "low", id="low-with-range"),
        pytest.param("B12 95", "low", id="unitless-low-in-every-unit"),
        pytest.param("B12 600", "normal", id="unitless-normal-in-every-unit"),
        pytest.param("b12 250 ng/l", "indeterminate", id="total-grey-zone"),
        pytest.param("b12 350 pg/mL", "indeterminate", id="at-350-not-normal"),
        pytest.param("b12 180 ng/L", "indeterminate", id="at-180-not-low"),
        pytest.param("B12 400 pmol/L", "normal", id="total-pmol (542 ng/L)"),
        pytest.param("B12 120 pmol/L", "low", id="total-pmol-low (163 ng/L)"),
        pytest.param("active B12 40 pmol/L", "indeterminate", id="active-grey-zone"),
        pytest.param("holotc 20 pmol/l", "low", id="active-low"),
        pytest.param("active b12 100 pmol/l", "normal", id="active-normal"),
    ],
)
def test_b12_number_is_classed_by_ng239_bands(text: str, expected: str) -> None:
    assert _b12(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("B12 300", id="indeterminate-in-ng/L-normal-in-pmol/L"),
        pytest.param("B12 150", id="low-in-ng/L-indeterminate-in-pmol/L"),
        pytest.param("B12 270", id="indeterminate-in-ng/L-normal-in-pmol/L-2"),
        pytest.param("b12 455 nmol/L", id="not-a-b12-unit"),
    ],
)
def test_a_unitless_number_in_different_bands_is_not_classed(text: str) -> None:
    """HAZ-064: "B12 300" is indeterminate in ng/L but normal in pmol/L: the bot asks."""
    assert _b12(text) is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("b12 200 ng/L (ref range 187-883)", "indeterminate", id="inside-range-grey"),
        pytest.param("b12 300 (ref 200-900)", None, id="inside-range-unitless-ambiguous"),
        pytest.param("B12 455 ng/L (ref 500-1000)", "low", id="below-range-low-wins"),
    ],
)
def test_a_stated_range_never_makes_a_b12_normal(text: str, expected: str | None) -> None:
    """HAZ-059 still holds: only the range's low counts; a value inside it is never normal by it."""
    assert _b12(text) == expected


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("B12 was 120 in 2019, now 400 on injections", id="past-low-now-on-injections"),
        pytest.param("b12 500 in 2019", id="dated-year"),
        pytest.param("B12 was 600 last year", id="was-last-year"),
        pytest.param("her B12 was 500 two years ago", id="years-ago"),
    ],
)
def test_a_past_value_is_not_the_current_status(text: str) -> None:
    assert _b12(text) is None
    values = {e["entity"]: e["value"] for e in entities_for_text(text)}
    b12 = facts_from_values(values).facts.b12
    assert b12 is None or b12.status is not LabStatus.NORMAL


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("B12 400 pg/ml, on hydroxocobalamin injections", id="on-injections"),
        pytest.param("she's on B12 injections, b12 now 900 ng/L", id="on-b12-injections"),
        pytest.param("taking b12 tablets, level is b12 600 ng/L", id="on-tablets"),
        pytest.param("had loading doses in May, B12 250 ng/L", id="grey-zone-after-loading"),
    ],
)
def test_a_level_on_b12_treatment_is_never_classed_normal(text: str) -> None:
    """A level taken on replacement reflects the treatment, not whether there is a deficiency."""
    assert _b12(text) is None


def test_a_low_level_on_treatment_is_still_low() -> None:
    assert _b12("on injections for a year, b12 120 ng/L") == "low"


def test_active_b12_is_never_classed_by_the_total_b12_bands() -> None:
    """Active B12 100 pmol/L is normal; by the total B12 bands (< 133 pmol/L) it would be low."""
    values = {e["entity"]: e["value"] for e in entities_for_text("active B12 100 pmol/L")}
    read = facts_from_values(values)
    assert read.unreadable == ()
    assert read.facts.b12 is not None and read.facts.b12.status is LabStatus.NORMAL
    bare = facts_from_values({"b12_level": "40 pmol/L holoTC"}).facts.b12
    assert bare is not None and bare.status is None  # the facts reader classes low only


def _folate_answer(text: str) -> Any:
    values = {e["entity"]: e["value"] for e in entities_for_text(text)}
    read = facts_from_values(values).facts
    folate = topics().get("folate")
    gates = tuple(g for g in packaged_gates() if g.topic == folate.kb_topic)
    return decide(folate, fact_view(values, read), read, gates)


def test_folate_low_and_b12_normal_by_number_reaches_folic_acid() -> None:
    result = _folate_answer("folate 2.1 ug/L, B12 455 ng/L, tired, no numbness or tingling")
    assert isinstance(result, TablePlan) and result.defer_to is None
    assert "folate.treatment.oral_folic_acid" in result.snippet_ids()


def test_folate_and_b12_both_low_by_number_go_b12_first() -> None:
    result = _folate_answer("folate 2.1 ug/L and b12 of 150 ng/L")
    assert isinstance(result, TablePlan) and result.defer_to == "b12"
    assert "folate.before.b12_low_treat_b12_first" in result.snippet_ids()


def test_nerve_symptoms_with_a_normal_b12_number_get_urgent_advice_and_no_folic_acid() -> None:
    result = _folate_answer("folate 2.1 ug/L, B12 455 ng/L, tingling and numbness in both feet")
    assert isinstance(result, TablePlan)
    assert "b12.neuro.specialist" in result.snippet_ids()
    assert "folate.treatment.oral_folic_acid" not in result.snippet_ids()


def test_pregnancy_gate_still_fires_with_a_normal_b12_number() -> None:
    result = _folate_answer("28 weeks pregnant, folate 2.1 ug/L, B12 455 ng/L")
    assert isinstance(result, Gated)


def test_on_b12_injections_a_normal_number_does_not_open_folic_acid() -> None:
    text = "on B12 injections for pernicious anaemia, B12 now 600 ng/L, folate 2.1 ug/L"
    result = _folate_answer(text)
    values = {e["entity"]: e["value"] for e in entities_for_text(text)}
    assert values.get("b12_status") is None
    assert not isinstance(result, TablePlan) or result.defer_to == "b12"


def _b12_normal(**kw: Any) -> Facts:
    return Facts(b12=LabValue(455.0, "ng/L", LabStatus.NORMAL), **kw)


def test_b12_topic_gives_no_replacement_plan_for_a_normal_b12() -> None:
    """The B12 topic says what the result means (NG239, cited) and withholds the plan."""
    result = build_plan(_b12_normal(neurological_involvement=Tri.NO))
    assert isinstance(result, Gated)
    assert "gate.b12.result_normal" in {h.gate_id for h in result.hits}
    assert {"b12.result.number_normal", "b12.result.level_on_replacement"} <= set(
        result.snippet_ids()
    )


def test_b12_normal_with_nerve_symptoms_keeps_the_urgent_neurological_plan() -> None:
    """A normal B12 does not rule deficiency out with nerve symptoms (nitrous oxide use)."""
    result = build_plan(_b12_normal(neurological_involvement=Tri.YES))
    assert isinstance(result, Plan) and result.urgent_specialist_advice
    assert "gate.b12.result_normal" not in result.rule_path


def test_without_the_gate_a_normal_b12_plan_has_no_mma_line() -> None:
    plan = build_plan(_b12_normal(neurological_involvement=Tri.NO), gates=())
    assert isinstance(plan, Plan)
    assert "mma_if_indeterminate" not in {w.code for w in plan.warnings}


def _manifest(cutoff: dict[str, Any]) -> dict[str, Any]:
    return {
        "id": "x",
        "topic": "x_topic",
        "title": {"clinician": "X", "patient": "X"},
        "scope_terms": ["x"],
        "rules_module": "m",
        "lab_cutoffs": [cutoff],
    }


_BANDED = {
    "fact": "b12_level",
    "low_below": {"value": 180, "unit": "ng/L"},
    "normal_above": {"value": 350, "unit": "ng/L"},
    "units": {"ng/L": 1},
    "snippet": "a",
    "indeterminate_snippet": "b",
    "normal_snippet": "c",
}


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"normal_snippet": None}, "bands need", id="band-without-snippet"),
        pytest.param({"normal_above": {"value": 100, "unit": "ng/L"}}, "above", id="out-of-order"),
        pytest.param({"normal_above": {"value": 400, "unit": "pmol/L"}}, "unit", id="other-unit"),
    ],
)
def test_loader_rejects_malformed_bands(change: dict[str, Any], message: str) -> None:
    cutoff = {k: v for k, v in {**_BANDED, **change}.items() if v is not None}
    with pytest.raises(TopicError, match=message):
        parse_topic(_manifest(cutoff), None, "x")


def test_a_cutoff_without_bands_never_classes_normal() -> None:
    cutoff = LabCutoff("folate_level", 3.5, "µg/L", (("µg/L", 1.0),), "s")
    assert cutoff.band(2.0, "µg/L") == "low"
    assert cutoff.band(25.0, "µg/L") is None
    with pytest.raises(ValueError, match="above"):
        LabCutoff("x_level", 3.5, "u", (("u", 1.0),), "s", 2.0, "i", "n")


@pytest.mark.parametrize(
    "text",
    [
        "b12 400 ng/l and i take b12 tablets daily",
        "b12 400 ng/l, i have injections every 3 months",
        "b12 400 ng/l, i get my jabs every 12 weeks",
        "b12 400 ng/l after a course of b12",
        "b12 400 ng/l following 6 injections",
        # A total B12 may not show the deficiency in nitrous oxide use (NG239: homocysteine/MMA).
        "folate 2.1 ug/l, b12 400 ng/l, i use a lot of nitrous oxide (nos balloons)",
    ],
)
def test_treatment_or_nitrous_oxide_anywhere_keeps_a_b12_number_from_normal(text: str) -> None:
    # Independent review, session 6, findings 3 and 4: these were classed normal.
    assert find_lab_status(text, "b12") is None
    assert find_lab_status("b12 455 ng/l, no neuro", "b12") == ("normal", 0, 12)
