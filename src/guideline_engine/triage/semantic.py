"""Second triage signal: the nearest curated exemplar per red flag.

Each clause of a message is turned into a TF-IDF vector of word unigrams and bigrams and of
character 3- and 4-grams inside words (typing slips still share most of their character
n-grams); the IDF weights come from the curated exemplars in ``vocab/red_flag_exemplars.yml``.
When the most similar red-flag exemplar reaches the file's threshold and beats the most
similar ``none`` exemplar (figures of speech, questions, ordinary symptoms) by the file's
margin, the clause is a candidate for that red flag.

A clause with a negation word is left to the cue signal, which places negations precisely;
this signal only adds escalations, and the assertion rules can still take them away.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache
from itertools import pairwise
from typing import Any

import numpy as np
import numpy.typing as npt
import yaml

from guideline_engine.extraction.vocab import VocabularyError, load_vocab_yaml, read_vocab_text
from guideline_engine.triage.cues import Word, words

EXEMPLARS_FILE = "red_flag_exemplars.yml"
NONE = "none"
_NEGATIONS = frozenset(
    {
        "no",
        "not",
        "never",
        "without",
        "dont",
        "doesnt",
        "didnt",
        "havent",
        "hasnt",
        "isnt",
        "arent",
        "wasnt",
        "nor",
        "none",
        "denies",
    }
)


@dataclass(frozen=True)
class Exemplars:
    """Validated exemplar file: threshold and (label, sentence) pairs."""

    threshold: float
    margin: float
    items: tuple[tuple[str, str], ...]


def parse_exemplars(data: object, red_flag_ids: frozenset[str]) -> Exemplars:
    """Validate the parsed ``red_flag_exemplars.yml``.

    Args:
        data: The YAML document as loaded.
        red_flag_ids: Known red flag ids (``none`` is also allowed).

    Returns:
        The exemplars.

    Raises:
        VocabularyError: On an unknown key or id, a bad threshold or an empty sentence.
    """
    if not isinstance(data, Mapping) or set(data) != {
        "version",
        "threshold",
        "margin",
        "exemplars",
    }:
        raise VocabularyError(
            f"{EXEMPLARS_FILE}: expected keys version, threshold, margin, exemplars"
        )
    if data["version"] != 1:
        raise VocabularyError(f"{EXEMPLARS_FILE}: unsupported version {data['version']!r}")
    threshold = data["threshold"]
    if isinstance(threshold, bool) or not isinstance(threshold, (int, float)):
        raise VocabularyError(f"{EXEMPLARS_FILE}: threshold must be a number")
    if not 0 < threshold < 1:
        raise VocabularyError(f"{EXEMPLARS_FILE}: threshold must lie between 0 and 1")
    margin = data["margin"]
    if isinstance(margin, bool) or not isinstance(margin, (int, float)) or not 0 <= margin < 1:
        raise VocabularyError(f"{EXEMPLARS_FILE}: margin must be a number in [0, 1)")
    groups: Any = data["exemplars"]
    if not isinstance(groups, Mapping) or not groups:
        raise VocabularyError(f"{EXEMPLARS_FILE}: 'exemplars' must be a non-empty mapping")
    items: list[tuple[str, str]] = []
    for label, sentences in groups.items():
        if label != NONE and label not in red_flag_ids:
            raise VocabularyError(f"{EXEMPLARS_FILE}: unknown red flag id {label!r}")
        if not isinstance(sentences, list) or not sentences:
            raise VocabularyError(f"{EXEMPLARS_FILE}: {label!r} needs a non-empty list")
        for sentence in sentences:
            if not isinstance(sentence, str) or not words(sentence) or sentence != sentence.lower():
                raise VocabularyError(f"{EXEMPLARS_FILE}: {label!r}: bad example {sentence!r}")
            items.append((str(label), sentence))
    if NONE not in groups:
        raise VocabularyError(f"{EXEMPLARS_FILE}: needs '{NONE}' examples")
    return Exemplars(float(threshold), float(margin), tuple(items))


@lru_cache(maxsize=8192)
def _word_features(key: str) -> tuple[str, ...]:
    padded = f" {key} "
    grams = [padded[i : i + n] for n in (3, 4) for i in range(len(padded) - n + 1)]
    return ("w:" + key, *("c:" + g for g in grams))


def features(keys: list[str]) -> Counter[str]:
    """Word unigrams, character 3- and 4-grams inside words, and word bigrams of ``keys``."""
    feats: Counter[str] = Counter()
    for key in keys:
        feats.update(_word_features(key))
    for a, b in pairwise(keys):
        feats[f"b:{a} {b}"] += 1
    return feats


@dataclass(frozen=True)
class _Index:
    labels: tuple[str, ...]
    vocab: dict[str, int]
    idf: npt.NDArray[np.float64]
    matrix: npt.NDArray[
        np.float32
    ]  # features x exemplars (float32, dense: a few MB), columns L2-normalised
    threshold: float
    margin: float
    unknown_weight: float
    is_none: npt.NDArray[np.bool_]


def fit_idf(docs: list[Counter[str]]) -> tuple[dict[str, int], npt.NDArray[np.float64]]:
    """Feature index and smoothed IDF weights of a set of feature counts."""
    df: Counter[str] = Counter()
    for doc in docs:
        df.update(doc.keys())
    vocab = {f: i for i, f in enumerate(sorted(df))}
    n = len(docs)
    idf = np.array([math.log((1 + n) / (1 + df[f])) + 1 for f in sorted(df)], dtype=np.float64)
    return vocab, idf


def tfidf_vector(
    feats: Mapping[str, int],
    vocab: Mapping[str, int],
    idf: npt.NDArray[np.float64],
    unknown: float,
) -> dict[int, float]:
    """TF-IDF weights of the known features, L2-normalised over all of them.

    Unknown features still count in the norm (weighted ``unknown``, the rarest known one's
    weight), so a long text is not a match by a few shared words.
    """
    weights: dict[int, float] = {}
    total = 0.0
    for f, c in feats.items():
        i = vocab.get(f)
        w = (1 + math.log(c)) * (unknown if i is None else float(idf[i]))
        total += w * w
        if i is not None:
            weights[i] = w
    norm = math.sqrt(total) or 1.0
    return {i: w / norm for i, w in weights.items()}


def _build(exemplars: Exemplars) -> _Index:
    docs = [features([w.key for w in words(s)]) for _, s in exemplars.items]
    vocab, idf = fit_idf(docs)
    rows, cols, vals = [], [], []
    for j, doc in enumerate(docs):
        for i, v in tfidf_vector(doc, vocab, idf, 0.0).items():
            rows.append(i)
            cols.append(j)
            vals.append(v)
    matrix = np.zeros((len(vocab), len(docs)), dtype=np.float32)
    matrix[rows, cols] = vals
    return _Index(
        labels=tuple(label for label, _ in exemplars.items),
        vocab=vocab,
        idf=idf,
        matrix=matrix,
        threshold=exemplars.threshold,
        margin=exemplars.margin,
        unknown_weight=float(idf.max()),
        is_none=np.array([label == NONE for label, _ in exemplars.items]),
    )


@lru_cache(maxsize=1)
def load_exemplars() -> Exemplars:
    """The validated exemplars (read once per process)."""
    from guideline_engine.triage.rules import load_red_flags

    try:
        data = load_vocab_yaml(read_vocab_text(EXEMPLARS_FILE))
    except yaml.YAMLError as exc:
        raise VocabularyError(f"{EXEMPLARS_FILE}: not valid YAML: {exc}") from exc
    return parse_exemplars(data, frozenset(r.id for r in load_red_flags()))


@lru_cache(maxsize=1)
def _index() -> _Index:
    return _build(load_exemplars())


def warm_up_exemplars() -> None:
    """Load, validate and index the exemplars now rather than on the first message."""
    _index()


def _clauses(text: str) -> list[list[Word]]:
    clauses: dict[int, list[Word]] = {}
    for word in words(text):
        clauses.setdefault(word.clause, []).append(word)
    return [c for c in clauses.values() if len(c) >= 2]


def nearest(text: str) -> list[tuple[str, float, float, int, int]]:
    """For each clause of ``text``: nearest red flag, its similarity, the best ``none`` one.

    Args:
        text: Raw user text.

    Returns:
        ``(red flag id, similarity, similarity of the nearest none example, start, end)``
        for each clause of two words or more that shares a feature with an example.
    """
    index = _index()
    out: list[tuple[str, float, float, int, int]] = []
    for clause in _clauses(text):
        vector = tfidf_vector(
            features([w.key for w in clause]), index.vocab, index.idf, index.unknown_weight
        )
        if not vector:
            continue
        # Element-wise product and sum rather than a BLAS call: no thread pool on a hot path.
        column = np.fromiter(vector.values(), dtype=np.float32)[:, None]
        scores = (index.matrix[list(vector)] * column).sum(axis=0)
        none_score = float(scores[index.is_none].max())
        scores[index.is_none] = -1.0
        best = int(np.argmax(scores))
        out.append(
            (index.labels[best], float(scores[best]), none_score, clause[0].start, clause[-1].end)
        )
    return out


def negation_clauses(clause_words: list[Word] | tuple[Word, ...]) -> set[int]:
    """Clause numbers that hold a negation word (left to the cue signal, which places them)."""
    return {w.clause for w in clause_words if w.key in _NEGATIONS}


def nearest_red_flags(text: str) -> list[tuple[str, int, int]]:
    """Red flags whose curated exemplars are close to a clause of ``text``.

    Args:
        text: Raw user text.

    Returns:
        ``(red flag id, clause start, clause end)`` for each clause whose nearest red-flag
        example reaches the threshold, beats the nearest ``none`` example by the margin, and
        that holds no negation word.
    """
    index = _index()
    out: list[tuple[str, int, int]] = []
    negated_clauses = negation_clauses(words(text))
    clause_of = {w.start: w.clause for w in words(text)}
    for label, score, none_score, start, end in nearest(text):
        if score < index.threshold or score - none_score < index.margin:
            continue
        if clause_of.get(start) in negated_clauses:
            continue
        out.append((label, start, end))
    return out
