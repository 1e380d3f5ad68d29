"""Third triage signal: a linear classifier over red flags, trained on labelled messages.

The curated exemplars (``red_flag_exemplars.yml``) and the messages of the blind dev splits
(``red_flag_training.yml``: written by people who never saw our word lists, labelled by them,
mapped to our red-flag ids by ``scripts/build_triage_training.py``) train a logistic
regression, one red flag against the rest, over the same word and character n-gram features as
the exemplar signal (:mod:`guideline_engine.triage.semantic`). Each clause of a message, and the
whole message, is scored; the most probable red flag becomes a candidate when its probability
reaches the file's threshold. A clause with a denial word ("no chest pain", "never fainted") is
not scored. A clause holding another negation word is scored (emergencies are often worded by
what stops: "won't wake", "isn't responding", "not breathing right"), against the file's higher
``negated_threshold`` (review finding 9). Like the other signals it can only add a candidate,
and the assertion rules (negated, conditional, past, someone else's past, figure of speech) can
still take the candidate away.

Training (about 1 900 texts, 20 000 features) takes about a second, once per process at
warm-up (``_compiled`` in :mod:`guideline_engine.triage.assess`), and is deterministic
(liblinear).
"""

from __future__ import annotations

from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

import yaml

from guideline_engine.classifier import TextClassifier, best, train
from guideline_engine.extraction.vocab import VocabularyError, load_vocab_yaml, read_vocab_text
from guideline_engine.triage.cues import Word, words
from guideline_engine.triage.semantic import NONE, load_exemplars, negation_clauses

TRAINING_FILE = "red_flag_training.yml"
_KEYS = {"version", "threshold", "negated_threshold", "regularisation", "provenance", "items"}


@dataclass(frozen=True)
class TrainingSet:
    """Validated training file: thresholds, regularisation and (label, text) pairs."""

    threshold: float
    negated_threshold: float
    regularisation: float
    items: tuple[tuple[str, str], ...]


def _number(data: Mapping[str, Any], key: str, low: float, high: float) -> float:
    value = data[key]
    if isinstance(value, bool) or not isinstance(value, (int, float)) or not low < value < high:
        raise VocabularyError(f"{TRAINING_FILE}: {key} must be a number in ({low}, {high})")
    return float(value)


def _item(raw: object, red_flag_ids: frozenset[str]) -> tuple[str, str]:
    if not isinstance(raw, Mapping) or set(raw) != {"label", "text", "from"}:
        raise VocabularyError(f"{TRAINING_FILE}: each item needs label, text and from")
    label, text = raw["label"], raw["text"]
    if label != NONE and label not in red_flag_ids:
        raise VocabularyError(f"{TRAINING_FILE}: unknown red flag id {label!r}")
    if not isinstance(text, str) or not words(text):
        raise VocabularyError(f"{TRAINING_FILE}: empty text in {raw['from']!r}")
    return str(label), text


def parse_training(data: object, red_flag_ids: frozenset[str]) -> TrainingSet:
    """Validate the parsed ``red_flag_training.yml``.

    Args:
        data: The YAML document as loaded.
        red_flag_ids: Known red flag ids (``none`` is also allowed).

    Returns:
        The training set.

    Raises:
        VocabularyError: On a missing or unknown key, a bad number, label or text.
    """
    if not isinstance(data, Mapping) or set(data) != _KEYS:
        raise VocabularyError(f"{TRAINING_FILE}: expected keys {sorted(_KEYS)}")
    if data["version"] != 1:
        raise VocabularyError(f"{TRAINING_FILE}: unsupported version {data['version']!r}")
    raw_items = data["items"]
    if not isinstance(raw_items, list) or not raw_items:
        raise VocabularyError(f"{TRAINING_FILE}: 'items' must be a non-empty list")
    return TrainingSet(
        threshold=_number(data, "threshold", 0.0, 1.0),
        negated_threshold=_number(data, "negated_threshold", 0.0, 1.0),
        regularisation=_number(data, "regularisation", 0.0, 1e6),
        items=tuple(_item(raw, red_flag_ids) for raw in raw_items),
    )


@lru_cache(maxsize=1)
def load_training() -> TrainingSet:
    """The validated training file (read once per process)."""
    from guideline_engine.triage.rules import load_red_flags

    try:
        data = load_vocab_yaml(read_vocab_text(TRAINING_FILE))
    except yaml.YAMLError as exc:
        raise VocabularyError(f"{TRAINING_FILE}: not valid YAML: {exc}") from exc
    return parse_training(data, frozenset(r.id for r in load_red_flags()))


@lru_cache(maxsize=1)
def _model() -> TextClassifier:
    training = load_training()
    # It learns only the red flags its blind data teaches: the others (pregnancy, numbness
    # and breathlessness that must be new or spreading) are left to their cues.
    taught = {label for label, _ in training.items}
    items = tuple(i for i in load_exemplars().items if i[0] in taught) + training.items
    return train(items, training.threshold, training.regularisation)


_override: list[TextClassifier] = []


@contextmanager
def using(model: TextClassifier) -> Iterator[None]:
    """Use ``model`` instead of the package's one inside the block (cross-validation, tests).

    Args:
        model: A model from :func:`train`.

    Yields:
        Nothing; the package's model is back after the block.
    """
    _override.append(model)
    try:
        yield
    finally:
        _override.pop()


def warm_up_model() -> None:
    """Load, validate and train now rather than on the first message."""
    _model()


_DENIALS = frozenset({"no", "never", "without", "none", "nor", "denies"})
"""Words that deny what follows them ("no chest pain", "never fainted", "no worse than usual").

Only words the old rule already skipped: "nothing" stays scored ("nothing worth living for",
"nothing helps"), as before session 6 (independent review, session 6, finding 1).
"""


_NO_CONTENT = frozenset(
    """i im ive id me my mine you your we us our they them their he hes him his she shes her
    it its this that thats these those there here the a an and or but so if then than to of in
    on at for with about around as by from yes yeah yep no nope not dont do does did done is
    are was were be been am think thought guess suppose maybe perhaps probably sure unsure
    know dunno just really well ok okay hmm um er erm too also again still now what which who
    how when why lol haha thanks thank please cheers hi hello hey sorry""".split()
)
"""Words that say nothing about how someone is (hedges, function words, greetings)."""


def _spans(text: str) -> list[tuple[list[Word], bool]]:
    """Each clause of two words or more without a denial word, and those clauses together.

    A clause with a denial is left to the cue signal: the words before the denial alone ("my
    breathing is") would be read out of context. Each span comes with whether it holds another
    negation word ("isn't responding"), which raises the bar it must reach.
    """
    clauses: dict[int, list[Word]] = {}
    for word in words(text):
        clauses.setdefault(word.clause, []).append(word)
    kept = [c for c in clauses.values() if not any(w.key in _DENIALS for w in c)]
    spans = [c for c in kept if len(c) >= 2]
    if len(clauses) > 1:
        spans.append([word for clause in kept for word in clause])
    return [
        (span, bool(negation_clauses(span)))
        for span in spans
        if len(span) >= 2 and _says_something(span)
    ]


def _says_something(span: list[Word]) -> bool:
    """Whether a span holds a word that is neither a function word, a hedge nor a number.

    "I think so" or "yes, 140 I think" (answers to the bot's questions) were read as
    emergencies by the classifier from their words alone (HAZ-109).
    """
    return any(w.key not in _NO_CONTENT and not w.key[:1].isdigit() for w in span)


def model_red_flags(text: str, model: TextClassifier | None = None) -> list[tuple[str, int, int]]:
    """Red flags the classifier finds in a clause of ``text`` or in the whole message.

    Args:
        text: Raw user text.
        model: A model to use instead of the one trained from the package's files.

    Returns:
        ``(red flag id, span start, span end)`` for each span whose most probable label is a
        red flag with at least the file's threshold of probability (its ``negated_threshold``
        when the span holds a negation word).
    """
    model = model or (_override[-1] if _override else _model())
    negated_bar = max(model.threshold, load_training().negated_threshold)
    out: list[tuple[str, int, int]] = []
    for span, has_negation in _spans(text):
        found = best(model, span)
        bar = negated_bar if has_negation else model.threshold
        if found is not None and found[0] != NONE and found[1] >= bar:
            out.append((found[0], span[0].start, span[-1].end))
    return out
