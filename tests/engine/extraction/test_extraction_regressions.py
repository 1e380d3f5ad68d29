"""Regression tests for concept-aware context rules and vocabulary gaps.

Each test pins one general behaviour (not one sentence): trigger words inside a concept
phrase are not triggers, a negation stops at a concept of another kind, bare negative
findings such as "no neuro", typo and lay synonyms, and upper-case "PA" with its exclusions.
The sentences are unit-test fixtures and must not repeat tests/eval/negation_eval.yml.
"""

from __future__ import annotations

import copy
from typing import Any

import pytest

from guideline_engine.extraction import VocabularyError, extract
from guideline_engine.extraction.context import analyse_text
from guideline_engine.extraction.vocab import parse_causes

# --------------------------------------------------------------- triggers inside concepts


@pytest.mark.parametrize(
    "text",
    [
        "71M, IF antibodies +, tingling in his toes",
        "IF ab +ve and numb fingertips, plt 140",
        "anti-IF antibodies positive; she has tingling",
    ],
)
def test_if_inside_a_cause_phrase_is_not_a_conditional(text: str) -> None:
    facts = extract(text)
    assert facts.neurological_involvement == "yes"
    assert "pernicious_anaemia" in facts.causes
    assert all(not s.hypothetical for s in facts.symptoms)


def test_a_real_conditional_if_still_applies() -> None:
    facts = extract("what if she gets tingling later")
    assert facts.neurological_involvement is None


def test_off_inside_off_balance_is_not_historical() -> None:
    facts = extract("off balance at times and numb fingers")
    numb = [s for s in facts.symptoms if s.id == "numbness"]
    assert numb and not numb[0].historical and not numb[0].negated


def test_no_inside_a_symptom_phrase_does_not_negate_the_next_symptom() -> None:
    facts = extract("no energy and numb toes")
    assert facts.neurological_involvement == "yes"
    assert {"fatigue", "numbness"} <= set(facts.affirmed_symptom_ids)


# --------------------------------------------------- negation stops at another kind


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        ("58 year old man, denies numbness, strict vegetarian since his teens", "dietary"),
        (
            "she denies tingling, vegan since 2015, what dose of b12 should she have",
            "dietary",
        ),
        ("no pins and needles, on omeprazole for reflux", "medication"),
        ("no neuro symptoms whatsoever, PA", "pernicious_anaemia"),
        ("no neurological signs, coeliac", "malabsorption"),
    ],
)
def test_negated_symptom_does_not_negate_a_following_cause(text: str, cause: str) -> None:
    facts = extract(text)
    assert facts.neurological_involvement == "no"
    assert cause in facts.causes


@pytest.mark.parametrize(
    "text",
    [
        "known pernicious anaemia no numbness wants tablets",
        "no tingling she would prefer oral",
        "denies paraesthesia, needle phobic",
    ],
)
def test_negated_symptom_does_not_negate_a_route_cue(text: str) -> None:
    facts = extract(text)
    assert facts.neurological_involvement == "no"
    assert facts.route_preference == "oral"


def test_negated_symptom_does_not_negate_an_anticoagulant() -> None:
    facts = extract("no numbness, on apixaban")
    assert facts.neurological_involvement == "no"
    assert facts.injection_contraindication == "yes"


def test_negated_cause_does_not_negate_a_following_symptom() -> None:
    facts = extract("not coeliac, numb toes")
    assert facts.neurological_involvement == "yes"


def test_post_trigger_does_not_reach_back_across_another_kind() -> None:
    facts = extract("numb toes, coeliac ruled out")
    assert facts.neurological_involvement == "yes"
    assert "malabsorption" not in facts.causes


def test_negation_still_runs_through_a_list_of_the_same_kind() -> None:
    facts = extract("no numbness, tingling or weakness")
    assert facts.neurological_involvement == "no"
    assert set(facts.negated_symptom_ids) == {"numbness", "paraesthesia", "muscle_weakness"}
    facts = extract("not vegan or on metformin")
    assert facts.causes == ()


def test_explicit_or_carries_negation_to_another_kind() -> None:
    facts = extract("not pregnant or on warfarin")
    assert facts.pregnant == "no"
    assert facts.injection_contraindication == "no"


def test_triage_classify_without_a_group_looks_the_concept_up() -> None:
    text = "denies tingling, vegan"
    _, ctx = analyse_text(text)
    start = text.index("vegan")
    assert ctx.group_of(start, start + len("vegan")) == "cause"
    assert not ctx.classify(start, start + len("vegan")).negated


# --------------------------------------------------------------- negative findings


@pytest.mark.parametrize(
    "text",
    [
        "known PA, no neuro",
        "on metformin 10 yrs, no neuro",
        "No neuro. B12 142",
        "gastric sleeve 2019, no neuro issues",
        "no nerve trouble at all",
        "no nerve problem that she has noticed",
        "his nerves are ok",
        "neuro normal, b12 low",
        "no neurological, just tired",
    ],
)
def test_bare_and_lay_negative_findings(text: str) -> None:
    assert extract(text).neurological_involvement == "no"


@pytest.mark.parametrize(
    "text",
    [
        "no neuro exam done yet",
        "no neurological examination documented",
    ],
)
def test_no_neuro_exam_is_not_a_negative_finding(text: str) -> None:
    assert extract(text).neurological_involvement is None


def test_affirmed_nerve_problems_count_as_neurological() -> None:
    assert extract("she has nerve problems in her legs").neurological_involvement == "yes"


def test_affirmed_symptom_still_beats_a_bare_negative_finding() -> None:
    assert extract("no neuro apart from tingling").neurological_involvement == "yes"


# --------------------------------------------------------------------------- typos


@pytest.mark.parametrize(
    ("text", "neuro"),
    [
        ("tinglin in my toes", "yes"),
        ("no tinglin at all", "no"),
        ("tingeling in both hands", "yes"),
    ],
)
def test_tingling_typos(text: str, neuro: str) -> None:
    assert extract(text).neurological_involvement == neuro


# --------------------------------------------------------------------- upper-case PA


@pytest.mark.parametrize(
    "text",
    [
        "80F PA",
        "PA. b12 98",
        "tingling in feet, PA",
        "she has no numbness; PA",
    ],
)
def test_standalone_upper_case_pa_is_pernicious_anaemia(text: str) -> None:
    assert "pernicious_anaemia" in extract(text).causes


@pytest.mark.parametrize(
    "text",
    [
        "seen by the PA-C today, tingling in feet",
        "PA and lateral chest film normal",
        "I'm a PA, how do I dose b12",
        "PA pressures normal on echo",
        "low b12, no pa",
    ],
)
def test_pa_that_means_something_else_is_not_a_cause(text: str) -> None:
    assert "pernicious_anaemia" not in extract(text).causes


def test_negated_pa_stays_negated() -> None:
    assert extract("no PA, b12 210").causes == ()


def test_cause_exclusion_must_not_repeat_a_synonym() -> None:
    data: dict[str, Any] = {
        "version": 1,
        "causes": [
            {
                "id": "pernicious_anaemia",
                "label": "PA",
                "synonyms": ["pernicious anaemia"],
                "case_sensitive_synonyms": ["PA"],
                "exclusions": ["pa-c", "pernicious anaemia"],
            }
        ],
    }
    with pytest.raises(VocabularyError, match=r"exclusions.*also a synonym"):
        parse_causes(copy.deepcopy(data))
    data["causes"][0]["exclusions"] = ["pa-c"]
    assert parse_causes(data)[0].exclusions == ("pa-c",)
