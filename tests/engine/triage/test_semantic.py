"""Second signal: nearest curated exemplar per red flag."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from guideline_engine.extraction import VocabularyError
from guideline_engine.extraction.vocab import read_vocab_text
from guideline_engine.triage import assess, load_red_flags
from guideline_engine.triage.assess import _compiled
from guideline_engine.triage.semantic import (
    load_exemplars,
    nearest,
    nearest_red_flags,
    parse_exemplars,
)

IDS = frozenset(r.id for r in load_red_flags())


def _data() -> dict[str, Any]:
    data = yaml.safe_load(read_vocab_text("red_flag_exemplars.yml"))
    assert isinstance(data, dict)
    return data


def test_packaged_exemplars_are_valid_and_cover_the_emergencies() -> None:
    exemplars = load_exemplars()
    labels = {label for label, _ in exemplars.items}
    emergencies = {
        r.id for r in load_red_flags() if r.urgency == "emergency" and not r.trained
    }
    assert emergencies - {"sudden_vision_loss", "acute_confusion"} <= labels
    assert "none" in labels
    assert 0 < exemplars.threshold < 1


def test_exemplar_file_states_its_provenance() -> None:
    text = read_vocab_text("red_flag_exemplars.yml")
    assert "NOT copied" in text and "Provenance" in text


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        pytest.param(
            "every breath is a real effort even sat on the sofa",
            "breathless_at_rest",
            id="breathless",
        ),
        pytest.param("it is as if a heavy load is pressing down on me", "chest_pain", id="chest"),
        pytest.param(
            "i have been thinking nobody would miss me", "suicidal_thoughts", id="suicidal"
        ),
        pytest.param(
            "my airway feels like it is closing after the jab", "anaphylaxis", id="anaphylaxis"
        ),
    ],
)
def test_semantic_signal_alone_escalates_what_the_cues_miss(text: str, flag: str) -> None:
    assert _compiled().cues.find(text) == []  # the first signal misses it
    result = assess(text)
    assert result.urgency == "emergency"
    assert [(h.id, h.signal) for h in result.red_flags] == [(flag, "exemplar")]


def test_a_none_example_nearer_than_the_red_flag_wins() -> None:
    _label, score, none_score, *_ = nearest("this job is suffocating me")[0]
    assert none_score > score or score < load_exemplars().threshold
    assert nearest_red_flags("this job is suffocating me") == []


def test_a_clause_with_a_negation_is_left_to_the_cues() -> None:
    assert nearest_red_flags("i am not gasping for air just sitting here") == []


def test_ordinary_b12_talk_is_not_a_candidate() -> None:
    for text in (
        "i have mouth ulcers",
        "what is the maintenance dose",
        "fatigue is worse even after starting hydroxocobalamin",
    ):
        assert nearest_red_flags(text) == [], text


@pytest.mark.parametrize(
    ("change", "message"),
    [
        pytest.param({"threshold": 1.5}, "threshold", id="threshold"),
        pytest.param({"margin": -1}, "margin", id="margin"),
        pytest.param({"exemplars": {"nosuchflag": ["x y"]}}, "unknown red flag", id="unknown-id"),
        pytest.param({"exemplars": {"none": ["Upper Case"]}}, "bad example", id="upper-case"),
        pytest.param(
            {"exemplars": {"chest_pain": ["my chest hurts"]}}, "needs 'none'", id="no-none"
        ),
        pytest.param({"extra": 1}, "expected keys", id="unknown-key"),
    ],
)
def test_bad_exemplar_files_are_rejected(change: dict[str, Any], message: str) -> None:
    data = copy.deepcopy(_data())
    data.update(change)
    with pytest.raises(VocabularyError, match=message):
        parse_exemplars(data, IDS)
