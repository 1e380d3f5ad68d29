"""Vocabulary loaders: the shipped files load; bad data is rejected with a clear message."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from guideline_engine.extraction import (
    VocabularyError,
    extract,
    load_causes,
    load_context_rules,
    load_cues,
    load_symptoms,
    vocab_fingerprint,
)
from guideline_engine.extraction.vocab import (
    CAUSE_IDS,
    parse_causes,
    parse_context_rules,
    parse_cues,
    parse_symptoms,
)

GOOD_SYMPTOMS: dict[str, Any] = {
    "version": 1,
    "symptoms": [
        {"id": "numbness", "label": "Numbness", "neurological": True, "synonyms": ["numb"]},
        {"id": "fatigue", "label": "Fatigue", "neurological": False, "synonyms": ["tired"]},
    ],
}


def _symptoms_with(**changes: Any) -> dict[str, Any]:
    data = copy.deepcopy(GOOD_SYMPTOMS)
    data["symptoms"][0].update(changes)
    return data


def test_shipped_vocabularies_load() -> None:
    symptoms = load_symptoms()
    assert {"paraesthesia", "numbness", "gait_ataxia", "fatigue"} <= {s.id for s in symptoms}
    b12 = {
        "pernicious_anaemia",
        "malabsorption",
        "ileal_resection",
        "bariatric_surgery",
        "dietary",
        "medication",
    }
    ids = {c.id for c in load_causes()}
    assert b12 <= ids
    assert not (ids - b12) & CAUSE_IDS  # a topic package's own causes are new ids
    rules = load_context_rules()
    assert "denies" in rules.negation.pre and "no change" in rules.pseudo
    assert {c.group for c in load_cues()} >= {"pregnancy", "route_preference", "audience"}


def test_good_symptoms_parse() -> None:
    entries = parse_symptoms(GOOD_SYMPTOMS)
    assert [e.id for e in entries] == ["numbness", "fatigue"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            _symptoms_with(colour="red"),
            "entry #0 (numbness): field 'colour': unknown key",
            id="unknown-key",
        ),
        pytest.param(
            _symptoms_with(neurological="yes"),
            "field 'neurological': expected true or false",
            id="bad-bool",
        ),
        pytest.param(
            _symptoms_with(synonyms=[]),
            "field 'synonyms': expected a non-empty list",
            id="empty-synonyms",
        ),
        pytest.param(
            _symptoms_with(synonyms=["Numb"]), "must be lower case", id="upper-case-synonym"
        ),
        pytest.param(_symptoms_with(synonyms=[42]), "field 'synonyms[0]'", id="non-string-synonym"),
        pytest.param(_symptoms_with(id="Numb ness"), "not a snake_case identifier", id="bad-id"),
        pytest.param(
            _symptoms_with(synonyms=["tired"]), "already used by 'numbness'", id="duplicate-phrase"
        ),
        pytest.param(
            _symptoms_with(synonyms=["numb but ok"]),
            "contains the scope terminator 'but'",
            id="terminator-in-phrase",
        ),
        pytest.param(
            {"version": 1}, "field 'symptoms': required key is missing", id="missing-list"
        ),
        pytest.param({"version": 2, "symptoms": []}, "unsupported version", id="bad-version"),
    ],
)
def test_bad_symptoms_are_rejected(data: dict[str, Any], message: str) -> None:
    with pytest.raises(VocabularyError, match=r"symptoms\.yml") as info:
        parse_symptoms(data, terminators=("but",))
    assert message in str(info.value)


def test_missing_label_names_the_field() -> None:
    data = copy.deepcopy(GOOD_SYMPTOMS)
    del data["symptoms"][1]["label"]
    with pytest.raises(
        ValueError, match=r"symptoms.yml: entry #1 \(fatigue\): field 'label': required key"
    ):
        parse_symptoms(data)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            {"version": 1, "causes": [{"id": "witchcraft", "label": "x", "synonyms": ["hex"]}]},
            "unknown cause 'witchcraft'",
            id="unknown-cause",
        ),
        pytest.param(
            {
                "version": 1,
                "causes": [{"id": "dietary", "label": "x", "synonyms": ["vegan"], "source": "me"}],
            },
            "field 'source': unknown key",
            id="unknown-key",
        ),
        pytest.param(
            {
                "version": 1,
                "causes": [
                    {"id": "dietary", "label": "x", "synonyms": ["vegan"]},
                    {"id": "medication", "label": "y", "synonyms": ["vegan"]},
                ],
            },
            "already used by 'dietary'",
            id="duplicate-phrase",
        ),
    ],
)
def test_bad_causes_are_rejected(data: dict[str, Any], message: str) -> None:
    with pytest.raises(VocabularyError, match=r"causes\.yml") as info:
        parse_causes(data)
    assert message in str(info.value)


def _good_rules() -> dict[str, Any]:
    return {
        "version": 1,
        "scope_window": 6,
        "post_scope_window": 4,
        "hypothetical_window": 5,
        "numbers_end_negation_scope": True,
        "negation": {"pre": ["no"], "post": ["absent"], "pseudo": ["no change"]},
        "hypothetical": {"pre": ["if"]},
        "historical": {"pre": ["history of"], "post": ["resolved"]},
        "experiencer_other": {"pre": ["her mother"]},
        "terminators": {"common": ["but", ";"], "negation": ["has"]},
        "negative_findings": ["neuro exam normal"],
    }


def test_good_rules_parse() -> None:
    assert parse_context_rules(_good_rules()).scope_window == 6


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param(
            {"scope_window": 0}, "field 'scope_window': expected an integer >= 1", id="window-zero"
        ),
        pytest.param({"scope_window": "6"}, "field 'scope_window'", id="window-string"),
        pytest.param(
            {"numbers_end_negation_scope": "yes"}, "expected true or false", id="bad-flag"
        ),
        pytest.param(
            {"negation": {"pre": ["no"], "post": []}},
            "field 'pseudo': required key",
            id="missing-pseudo",
        ),
        pytest.param(
            {"hypothetical": {"pre": ["if"], "post": ["?"]}},
            "field 'post': unknown key",
            id="hyp-post",
        ),
        pytest.param(
            {"terminators": {"common": ["but"], "extra": []}},
            "field 'extra': unknown key",
            id="terminator-key",
        ),
        pytest.param(
            {"negative_findings": ["Neuro Normal"]}, "must be lower case", id="upper-case"
        ),
        pytest.param({"colour": "red"}, "field 'colour': unknown key", id="unknown-top-key"),
    ],
)
def test_bad_rules_are_rejected(change: dict[str, Any], message: str) -> None:
    data = _good_rules()
    data.update(change)
    with pytest.raises(VocabularyError, match=r"negation\.yml") as info:
        parse_context_rules(data)
    assert message in str(info.value)


def _good_cues() -> dict[str, Any]:
    groups = {
        "pregnancy": [{"value": "yes", "phrases": ["pregnant"]}],
        "route_preference": [{"value": "oral", "phrases": ["prefers tablets"]}],
        "injection_contraindication": [{"value": "anticoagulant", "phrases": ["warfarin"]}],
        "audience": [{"value": "clinician", "phrases": ["i'm a gp"]}],
        "formulary": [{"value": "us", "phrases": ["fda"], "case_sensitive_phrases": ["US"]}],
        "sex": [{"value": "female", "phrases": ["woman"]}],
        "sex_pronoun": [{"value": "female", "phrases": ["she"]}],
    }
    return {"version": 1, "groups": groups}


def test_good_cues_parse() -> None:
    assert len(parse_cues(_good_cues())) == 7


@pytest.mark.parametrize(
    ("mutate", "message"),
    [
        pytest.param(
            lambda d: d["groups"]["route_preference"][0].update(value="nasal"),
            "entry route_preference #0 (nasal): field 'value': 'nasal' is not allowed",
            id="bad-value",
        ),
        pytest.param(
            lambda d: d["groups"].update(mood=[]),
            "field 'groups.mood': unknown group",
            id="unknown-group",
        ),
        pytest.param(
            lambda d: d["groups"].pop("audience"),
            "field 'groups.audience': required group",
            id="missing-group",
        ),
        pytest.param(
            lambda d: d["groups"]["pregnancy"].append({"value": "no", "phrases": ["pregnant"]}),
            "already sets pregnancy='yes'",
            id="conflicting-phrase",
        ),
        pytest.param(
            lambda d: d["groups"]["sex"][0].update(weight=2),
            "field 'weight': unknown key",
            id="unknown-key",
        ),
    ],
)
def test_bad_cues_are_rejected(mutate: Any, message: str) -> None:
    data = _good_cues()
    mutate(data)
    with pytest.raises(VocabularyError, match=r"cues\.yml") as info:
        parse_cues(data)
    assert message in str(info.value)


def test_every_neurological_synonym_is_negated_by_no() -> None:
    """Exhaustive companion of the hypothesis property: no synonym escapes "no ..."."""
    for entry in load_symptoms():
        for phrase in entry.synonyms:
            facts = extract(f"no {phrase}")
            assert facts.neurological_involvement != "yes", phrase
            assert entry.id not in facts.affirmed_symptom_ids, phrase


def test_every_synonym_is_found_on_its_own() -> None:
    for entry in load_symptoms():
        for phrase in entry.synonyms:
            assert entry.id in extract(phrase).affirmed_symptom_ids, phrase
    for cause in load_causes():
        for phrase in cause.synonyms:
            assert cause.id in extract(phrase).causes, phrase


def test_fingerprint_is_stable_hex() -> None:
    first = vocab_fingerprint()
    assert first == vocab_fingerprint()
    assert len(first) == 64
    int(first, 16)


def test_a_topic_vocabulary_cannot_claim_a_b12_cause_phrase_or_id() -> None:
    from guideline_engine.extraction.vocab import _check_across

    base = parse_causes(
        {"version": 1, "causes": [{"id": "medication", "label": "m", "synonyms": ["phenytoin"]}]}
    )
    topic = {
        "version": 1,
        "causes": [{"id": "antifolate", "label": "a", "synonyms": ["phenytoin"]}],
    }
    with pytest.raises(VocabularyError, match="phenytoin"):
        _check_across([base, parse_causes(topic, "topic vocab.yml", allowed=None)])
    reused = {"version": 1, "causes": [{"id": "dietary", "label": "d", "synonyms": ["x"]}]}
    with pytest.raises(VocabularyError, match="new snake_case id"):
        parse_causes(reused, "topic vocab.yml", allowed=None)
