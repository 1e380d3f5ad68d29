"""ConText assertions on every finding: certainty, experiencer and time (issue 10, part 1).

Only an affirmed, current finding about the patient may drive a plan; everything else is
kept as a mention with its assertion so that "why?" can show it.
"""

from __future__ import annotations

import json
from typing import Any

import pytest

from guideline_engine.extraction import extract
from guideline_engine.extraction.context import analyse_text
from guideline_engine.extraction.model import Extraction
from guideline_engine.extraction.vocab import (
    VocabularyError,
    parse_antibodies,
    parse_context_rules,
)


def _only(facts: Extraction, finding_id: str) -> dict[str, Any]:
    found = [f for f in facts.findings_as_dicts() if f["id"] == finding_id]
    assert len(found) == 1, found
    return found[0]


def _assertion(finding: dict[str, Any]) -> tuple[Any, Any, Any]:
    return finding["certainty"], finding["experiencer"], finding["time"]


# --------------------------------------------------------------------------- who


def test_sisters_pa_is_not_the_patients() -> None:
    facts = extract("my sister has PA, I don't")
    assert "pernicious_anaemia" not in facts.causes
    pa = _only(facts, "pernicious_anaemia")
    assert _assertion(pa) == ("affirmed", "other", "current")


def test_dads_numb_feet_denied_by_the_patient() -> None:
    facts = extract("my dad had numb feet and tingling in his hands... I've got none of that")
    assert facts.neurological_involvement == "no"
    assert {s.experiencer for s in facts.symptoms} == {"other"}
    assert not facts.affirmed_symptom_ids


def test_relatives_symptoms_without_the_patients_denial_are_not_yes() -> None:
    facts = extract("my dad had numb feet, I don't")
    assert facts.neurological_involvement != "yes"
    assert facts.symptoms[0].experiencer == "other"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("my mum has pernicious anaemia", id="carer-cause"),
        pytest.param("my mum has numb feet and her b12 is 120", id="carer-symptom"),
        pytest.param("my mum has numb feet, I don't know why", id="i-dont-know-is-no-denial"),
    ],
)
def test_carer_describing_the_patient_keeps_the_patient(text: str) -> None:
    facts = extract(text)
    assert all(f["experiencer"] == "patient" for f in facts.findings_as_dicts())
    assert facts.causes or facts.neurological_involvement == "yes"


def test_third_person_relative_is_always_someone_else() -> None:
    facts = extract("her mother had pernicious anaemia")
    assert facts.causes == ()
    assert _only(facts, "pernicious_anaemia")["experiencer"] == "other"


# --------------------------------------------------------------------------- hypothetical


def test_hypothetical_pins_and_needles_is_not_a_finding() -> None:
    facts = extract("if someone has pins and needles would it change the plan")
    assert facts.neurological_involvement is None
    assert _only(facts, "paraesthesia")["certainty"] == "hypothetical"


def test_lower_case_if_antibodies_conditional_is_not_a_result() -> None:
    facts = extract("if antibodies come back positive, would she need injections for life?")
    assert "pernicious_anaemia" not in facts.causes
    assert facts.antibody_mentions == ()


def test_check_for_antibodies_is_hypothetical() -> None:
    facts = extract("plan to check IF antibodies")
    assert "pernicious_anaemia" not in facts.causes
    assert facts.antibody_mentions[0].certainty in {"hypothetical", "possible"}


# --------------------------------------------------------------------------- when


def test_resolved_numbness_is_historical_and_not_current_involvement() -> None:
    facts = extract("numb feet last year, fine now")
    assert facts.neurological_involvement != "yes"
    assert _assertion(_only(facts, "numbness")) == ("affirmed", "patient", "historical")
    assert facts.current_symptom_ids == ()


def test_current_symptom_beside_a_resolved_one_still_counts() -> None:
    facts = extract("tingling resolved last year, now numbness in both feet")
    assert facts.neurological_involvement == "yes"
    assert facts.current_symptom_ids == ("numbness",)


# --------------------------------------------------------------------------- normal findings


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("neuro exam NAD", id="nad"),
        pytest.param("neuro exam unremarkable", id="unremarkable"),
        pytest.param("neurology intact", id="intact"),
        pytest.param("normal neuro exam", id="normal-first"),
        pytest.param("asymptomatic apart from fatigue", id="asymptomatic"),
        pytest.param("58M, B12 140 ng/L. Neurology: NAD.", id="colon"),
        pytest.param("CNS exam - normal", id="dash"),
        pytest.param("B12 155, the nerve examination was normal", id="lay-was"),
        pytest.param("neuro exam came back unremarkable", id="came-back"),
    ],
)
def test_normal_finding_shorthand_means_no_involvement(text: str) -> None:
    facts = extract(text)
    assert facts.neurological_involvement == "no"
    assert facts.negative_findings


def test_asymptomatic_apart_from_a_neuro_symptom_is_yes() -> None:
    assert extract("asymptomatic apart from tingling").neurological_involvement == "yes"


def test_normal_exam_of_someone_else_does_not_count() -> None:
    assert extract("if neuro exam normal, can we use tablets?").neurological_involvement is None


# --------------------------------------------------------------------------- antibodies


def test_negative_antibodies_in_a_vegan_are_not_pa() -> None:
    facts = extract("vegan, anti-IF and anti-parietal cell antibodies NEGATIVE")
    assert facts.causes == ("dietary",)
    assert [(a.id, a.result, a.certainty) for a in facts.antibody_mentions] == [
        ("intrinsic_factor_antibody", "negative", "negated"),
        ("parietal_cell_antibody", "negative", "negated"),
    ]


def test_positive_antibodies_in_a_vegetarian_are_pa_and_dietary() -> None:
    facts = extract("vegetarian, IF antibodies have come back positive")
    assert set(facts.causes) == {"pernicious_anaemia", "dietary"}
    antibody = _only(facts, "intrinsic_factor_antibody")
    assert _assertion(antibody) == ("affirmed", "patient", "current")
    assert antibody["result"] == "positive"
    assert antibody["indicates"] == "pernicious_anaemia"


@pytest.mark.parametrize(
    ("text", "result"),
    [
        pytest.param("IF abs +ve", "positive", id="abs-plus-ve"),
        pytest.param("IFAB pos", "positive", id="ifab-pos"),
        pytest.param("intrinsic factor antibody: positive", "positive", id="colon-positive"),
        pytest.param("if abs +ve, b12 90", "positive", id="lower-case-with-result"),
        pytest.param("positive IF antibodies", "positive", id="result-before"),
        pytest.param("parietal cell Ab negative", "negative", id="parietal-negative"),
        pytest.param("IF antibodies not detected", "negative", id="not-detected"),
        pytest.param("IF Ab - positive", "positive", id="dash-then-positive"),
        pytest.param("IF antibodies -", "negative", id="bare-minus"),
        pytest.param("IF antibodies pending", "pending", id="pending"),
    ],
)
def test_antibody_result_polarity(text: str, result: str) -> None:
    facts = extract(text)
    assert facts.antibody_mentions[0].result == result
    assert ("pernicious_anaemia" in facts.causes) is (result == "positive")


def test_antibody_name_without_result_is_possible_not_pa() -> None:
    facts = extract("IF antibodies sent, B12 120 ng/L")
    assert facts.causes == ()
    assert facts.antibody_mentions[0].certainty == "possible"


def test_result_does_not_reach_across_a_comma_to_another_test() -> None:
    facts = extract("IF antibodies, coeliac screen negative")
    assert facts.antibody_mentions[0].result is None


def test_result_stops_at_but() -> None:
    facts = extract("IF antibodies negative but parietal cell antibodies positive")
    results = [(a.id, a.result) for a in facts.antibody_mentions]
    assert results == [
        ("intrinsic_factor_antibody", "negative"),
        ("parietal_cell_antibody", "positive"),
    ]


# --------------------------------------------------------------------------- possible


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        pytest.param("?PA", "pernicious_anaemia", id="question-mark"),
        pytest.param("possible pernicious anaemia", "pernicious_anaemia", id="possible"),
        pytest.param("query malabsorption", "malabsorption", id="query"),
        pytest.param("I think I might have coeliac", "malabsorption", id="might-have"),
        pytest.param("PA suspected", "pernicious_anaemia", id="post-suspected"),
    ],
)
def test_uncertain_cause_is_possible_not_affirmed(text: str, cause: str) -> None:
    facts = extract(text)
    assert cause not in facts.causes
    assert _only(facts, cause)["certainty"] == "possible"


def test_question_mark_doubts_only_the_word_against_it() -> None:
    facts = extract("?PA, vegan")
    assert facts.causes == ("dietary",)
    assert _only(facts, "pernicious_anaemia")["certainty"] == "possible"


def test_detached_question_mark_is_no_trigger() -> None:
    facts = extract("any advice? tingling in both feet")
    assert facts.neurological_involvement == "yes"


def test_a_query_about_is_no_uncertainty() -> None:
    facts = extract("I have a query about my numbness")
    assert facts.neurological_involvement == "yes"


# --------------------------------------------------------------------------- still works


def test_clinician_shorthand_still_works() -> None:
    facts = extract("62F, IF antibodies +, pins and needles in both feet, plt 35")
    assert facts.neurological_involvement == "yes"
    assert facts.causes == ("pernicious_anaemia",)
    assert facts.platelet_count == 35


def test_negation_scope_ends_at_but() -> None:
    facts = extract("no numbness but tingling in hands")
    assert facts.neurological_involvement == "yes"
    assert _assertion(_only(facts, "paraesthesia")) == ("affirmed", "patient", "current")
    assert _only(facts, "numbness")["certainty"] == "negated"


# --------------------------------------------------------------------------- serialisable


def test_every_finding_carries_certainty_experiencer_and_time() -> None:
    facts = extract(
        "my sister has PA, I don't. vegan, IF antibodies negative, ?coeliac, "
        "tingling resolved, no numbness"
    )
    findings = facts.findings_as_dicts()
    assert {f["kind"] for f in findings} == {"symptom", "cause", "antibody"}
    for finding in findings:
        assert finding["certainty"] in {"affirmed", "negated", "possible", "hypothetical"}
        assert finding["experiencer"] in {"patient", "other"}
        assert finding["time"] in {"current", "historical"}
    assert json.loads(json.dumps(findings)) == list(findings)
    assert [f["start"] for f in findings] == sorted(f["start"] for f in findings)


# --------------------------------------------------------------------------- API for triage


def _classify(text: str, phrase: str) -> Any:
    norm, ctx = analyse_text(text)
    start = norm.index(phrase)
    return ctx.classify(start, start + len(phrase))


@pytest.mark.parametrize(
    ("text", "phrase", "now"),
    [
        pytest.param("her husband has chest pain today", "chest pain", True, id="present"),
        pytest.param("his wife is unresponsive, can't wake her", "unresponsive", True, id="is"),
        pytest.param("her husband chest pain", "chest pain", True, id="no-time-word"),
        pytest.param("her father had a stroke years ago", "stroke", False, id="past"),
        pytest.param("my dad had chest pain last year, I don't", "chest pain", False, id="mine"),
    ],
)
def test_other_persons_finding_now_or_past(text: str, phrase: str, now: bool) -> None:
    context = _classify(text, phrase)
    assert context.other_experiencer
    assert context.other_experiencer_now is now
    assert not context.affirmed_current_patient


def test_patients_own_finding_is_affirmed_current_patient() -> None:
    context = _classify("numbness in both feet since monday", "numbness")
    assert context.affirmed_current_patient
    assert (context.certainty, context.experiencer, context.time) == (
        "affirmed",
        "patient",
        "current",
    )
    assert not context.other_experiencer_now


# --------------------------------------------------------------------------- rules as data


def _rules(**extra: Any) -> dict[str, Any]:
    return {
        "version": 1,
        "scope_window": 6,
        "post_scope_window": 4,
        "hypothetical_window": 5,
        "numbers_end_negation_scope": True,
        "negation": {"pre": ["no"], "post": ["absent"], "pseudo": ["no change"]},
        "hypothetical": {"pre": ["if"]},
        "historical": {"pre": ["history of"], "both": ["resolved"]},
        "experiencer_other": {"pre": ["her mother"]},
        "terminators": {"common": ["but"]},
        "negative_findings": ["neuro exam normal"],
        **extra,
    }


def test_bidirectional_triggers_go_both_ways() -> None:
    rules = parse_context_rules(_rules(possible={"pre": ["?"], "both": ["likely"]}))
    assert rules.historical.pre == ("history of", "resolved")
    assert rules.historical.post == ("resolved",)
    assert rules.possible.pre == ("?", "likely")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        pytest.param({"possible": {"post": ["?"]}}, "field 'pre': required", id="possible-pre"),
        pytest.param(
            {"experiencer_writer": {"relative_pre": ["my sister"]}},
            "required key is missing",
            id="writer-keys",
        ),
        pytest.param(
            {"experiencer_time": {"now": ["Now"], "past": ["had"]}},
            "must be lower case",
            id="time-case",
        ),
        pytest.param({"normal_exam": {"subjects": ["neuro"]}}, "'normal'", id="exam-words"),
    ],
)
def test_bad_assertion_rules_are_rejected(extra: dict[str, Any], message: str) -> None:
    with pytest.raises(VocabularyError, match=r"negation\.yml") as info:
        parse_context_rules(_rules(**extra))
    assert message in str(info.value)


def _antibodies(**change: Any) -> dict[str, Any]:
    doc: dict[str, Any] = {
        "version": 1,
        "result_window": 5,
        "tests": [
            {
                "id": "intrinsic_factor_antibody",
                "label": "IF",
                "indicates": "pernicious_anaemia",
                "synonyms": ["ifab"],
            }
        ],
        "results": {"positive": ["positive"], "negative": ["negative"], "pending": ["sent"]},
    }
    doc.update(change)
    return doc


def test_good_antibodies_parse() -> None:
    assert parse_antibodies(_antibodies()).tests[0].indicates == "pernicious_anaemia"


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            {
                "tests": [
                    {"id": "x", "label": "x", "indicates": "gout", "synonyms": ["x"]},
                ]
            },
            "unknown cause 'gout'",
            id="unknown-cause",
        ),
        pytest.param({"results": {"positive": ["positive"]}}, "required key", id="results"),
        pytest.param({"result_window": 0}, "expected an integer >= 1", id="window"),
    ],
)
def test_bad_antibodies_are_rejected(change: dict[str, Any], message: str) -> None:
    with pytest.raises(VocabularyError, match=r"antibodies\.yml") as info:
        parse_antibodies(_antibodies(**change))
    assert message in str(info.value)
