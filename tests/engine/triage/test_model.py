"""The trained triage signal (guideline_engine.triage.model): validation, behaviour, provenance.

Behaviour is checked with a small model trained here on a made-up word ("wobblefizz") that no
cue, exemplar or vocabulary knows, so only the trained signal can find it; the assertion rules
must still take it away when it is denied, past or someone else's past (HAZ-056).
"""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
import yaml

from guideline_engine.classifier import TextClassifier, train
from guideline_engine.extraction.vocab import VocabularyError
from guideline_engine.triage import assess
from guideline_engine.triage.model import (
    load_training,
    model_red_flags,
    parse_training,
    using,
)

ROOT = Path(__file__).resolve().parents[3]
BLIND = ROOT / "tests" / "eval" / "blind"
IDS = frozenset({"chest_pain", "reduced_consciousness"})

_TOY = (
    ("chest_pain", "i have the wobblefizz feeling in my ribs right now"),
    ("chest_pain", "wobblefizz ribs squeezing hard now"),
    ("chest_pain", "there is a wobblefizz in my ribs and it hurts"),
    ("none", "what is a good breakfast for energy"),
    ("none", "can i have my injection at the pharmacy"),
    ("none", "how long does treatment last"),
    ("none", "my tongue is a bit sore"),
)


@pytest.fixture(scope="module")
def toy() -> TextClassifier:
    return train(_TOY, threshold=0.4, regularisation=30.0)


def _valid() -> dict[str, object]:
    return {
        "version": 1,
        "threshold": 0.5,
        "negated_threshold": 0.7,
        "regularisation": 30.0,
        "provenance": "test",
        "items": [{"label": "chest_pain", "text": "my chest hurts", "from": "x:1"}],
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 2}, "unsupported version"),
        ({"threshold": 1.5}, "threshold"),
        ({"negated_threshold": 1.0}, "negated_threshold"),
        ({"regularisation": 0}, "regularisation"),
        ({"items": []}, "non-empty"),
        ({"items": [{"label": "flu", "text": "x y", "from": "x:1"}]}, "unknown red flag"),
        ({"items": [{"label": "none", "text": "  ", "from": "x:1"}]}, "empty text"),
        ({"items": [{"label": "none", "text": "a b"}]}, "label, text and from"),
        ({"extra": 1}, "expected keys"),
    ],
)
def test_parse_training_refuses_a_malformed_file(change: dict[str, object], message: str) -> None:
    data = {**_valid(), **change}
    with pytest.raises(VocabularyError, match=message):
        parse_training(data, IDS)


def test_the_package_training_file_is_valid_and_labels_every_urgency() -> None:
    training = load_training()
    labels = {label for label, _ in training.items}
    assert "none" in labels and "suicidal_thoughts" in labels and "unwell_infant" in labels
    assert 0 < training.threshold <= training.negated_threshold < 1


def test_the_training_file_is_generated_from_dev_splits_only_and_up_to_date() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    build = importlib.import_module("build_triage_training")
    path = ROOT / "src" / "guideline_engine" / "vocab" / "red_flag_training.yml"
    assert path.read_text(encoding="utf-8") == build.render(), "run build_triage_training.py"
    assert all("test" not in split for split in build.DEV_SPLITS)


def test_no_test_split_sentence_is_in_the_training_file() -> None:
    def norm(text: str) -> str:
        return " ".join(text.lower().split())

    trained = {norm(text) for _, text in load_training().items}
    for split in sorted(BLIND.glob("*_test.yml")):
        data = yaml.safe_load(split.read_text(encoding="utf-8"))
        key = next(k for k, v in data.items() if isinstance(v, list))
        texts = {norm(str(i.get("text") or i.get("question"))) for i in data[key]}
        assert not texts & trained, f"{split.name} leaked into the training file"


def test_the_trained_signal_finds_what_it_was_taught(toy: TextClassifier) -> None:
    found = model_red_flags("ive got this wobblefizz thing in my ribs", toy)
    assert [label for label, _, _ in found] == ["chest_pain"]
    assert model_red_flags("how long does the treatment last", toy) == []


def test_only_the_trained_signal_escalates_the_made_up_word(toy: TextClassifier) -> None:
    text = "ive got this wobblefizz thing in my ribs"
    assert assess(text).urgency is None  # the package's signals do not know the word
    with using(toy):
        result = assess(text)
    assert result.urgency is not None and result.urgency.value == "emergency"
    # Only the urgency is shown, as the trained-signal flag, never the guessed red flag.
    assert [(h.id, h.signal) for h in result.red_flags] == [("possible_emergency", "model")]
    assert "cannot assess it reliably" in result.advice_patient[0]


def test_a_trained_hit_never_replaces_a_curated_red_flag(toy: TextClassifier) -> None:
    text = "my dad is very drowsy and we can hardly wake him, wobblefizz in his ribs"
    with using(toy):
        result = assess(text)
    assert [h.id for h in result.red_flags] == ["reduced_consciousness"]


def test_trained_flag_must_stand_alone() -> None:
    from guideline_engine.triage.rules import load_red_flags

    trained = [r for r in load_red_flags() if r.trained]
    assert {r.urgency.value for r in trained} == {"emergency", "urgent"}
    assert all(not (r.phrases or r.cues or r.patterns or r.symptoms) for r in trained)


@pytest.mark.parametrize(
    "text",
    [
        "no wobblefizz thing in my ribs at all",
        "i had a wobblefizz thing in my ribs years ago but fine since",
        "my husband had the wobblefizz thing in his ribs last year",
        "what if someone got a wobblefizz thing in their ribs?",
    ],
)
def test_assertion_rules_still_take_a_trained_hit_away(toy: TextClassifier, text: str) -> None:
    with using(toy):
        assert assess(text).urgency is None


def test_what_follows_a_denial_is_not_scored(toy: TextClassifier) -> None:
    # Review finding 9 (HAZ-061): negated clauses are scored now, but not past a denial.
    assert model_red_flags("no wobblefizz in my ribs", toy) == []
    assert model_red_flags("never had a wobblefizz in my ribs", toy) == []


def test_a_clause_with_a_negation_word_is_scored_against_the_higher_bar(
    toy: TextClassifier,
) -> None:
    # "won't wake", "isn't responding": emergencies worded by what stops (HAZ-061).
    text = "the wobblefizz in my ribs isnt stopping now"
    found = model_red_flags(text, toy)
    assert [label for label, _, _ in found] == ["chest_pain"]
    negated_bar = load_training().negated_threshold
    probabilities = [p for span, p in _scores(toy, text)]
    assert max(probabilities) >= negated_bar > toy.threshold


def _scores(model: TextClassifier, text: str) -> list[tuple[str, float]]:
    from guideline_engine.classifier import best
    from guideline_engine.triage.model import _spans

    out = []
    for span, _negated in _spans(text):
        found = best(model, span)
        if found is not None:
            out.append((found[0], found[1]))
    return out


@pytest.mark.parametrize(
    "text",
    [
        "my husband won't wake up properly and he isn't making sense",
        "he isn't responding when i shake him",
        "I cannot get any air in",
        # Only the trained signal finds this one, and only since it reads negated clauses.
        "she's not really with us, staring and not answering",
        # "nothing" is not a denial: these were lost when it briefly was (review, session 6).
        "honestly theres nothing worth living for anymore",
        "been looking up how many of my tablets it would take and nothing helps",
    ],
)
def test_real_emergencies_worded_by_a_negation_escalate(text: str) -> None:
    result = assess(text)
    assert result.urgency is not None and result.urgency.value == "emergency"


def test_a_list_of_denials_is_not_escalated_by_the_trained_signal() -> None:
    assert model_red_flags("no chest pain, no breathlessness, never fainted, just tired") == []
