"""A small, deterministic text classifier shared by the trained signals (topic-neutral).

Logistic regression, one label against the rest (scikit-learn's liblinear, already in Rasa's
stack), over word unigrams and bigrams and character 3- and 4-grams inside words (the
features of :func:`guideline_engine.triage.semantic.features`), TF-IDF weighted and
L2-normalised. Used by triage (:mod:`guideline_engine.triage.model`: which red flag a clause
resembles) and by follow-ups (:mod:`guideline_engine.retrieval.learned`: which snippet answers
a question). Training is deterministic; scoring one text is a sparse dot product.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

import numpy as np
import numpy.typing as npt
from scipy.sparse import csr_matrix
from sklearn.linear_model import LogisticRegression

if TYPE_CHECKING:
    from guideline_engine.triage.cues import Word


@dataclass(frozen=True)
class TextClassifier:
    """A trained classifier: labels, feature index, IDF weights, coefficients, threshold.

    Frozen as a value; its arrays are never written after :func:`train` builds them.
    """

    labels: tuple[str, ...]
    vocab: Mapping[str, int]
    idf: npt.NDArray[np.float64]
    coef: npt.NDArray[np.float32]  # features x labels
    intercept: npt.NDArray[np.float32]
    unknown_weight: float
    threshold: float


def _per_label(rows: npt.ArrayLike) -> npt.NDArray[np.float64]:
    """One row per label: a two-label fit has a single row, for the second label."""
    array = np.asarray(rows, dtype=np.float64)
    return np.vstack([-array, array]) if array.shape[0] == 1 else array


def _features(text: str | Sequence[Word]) -> Counter[str]:
    # Imported here: the triage package imports this module (its trained signal).
    from guideline_engine.triage.cues import words
    from guideline_engine.triage.semantic import features

    return features([w.key for w in (words(text) if isinstance(text, str) else text)])


def train(
    items: Sequence[tuple[str, str]], threshold: float, regularisation: float
) -> TextClassifier:
    """Fit the classifier on (label, text) pairs (deterministic).

    Args:
        items: Labelled texts.
        threshold: Least probability for a label to count (kept for the caller).
        regularisation: Inverse regularisation strength ``C`` of the logistic regression.

    Returns:
        The trained classifier.
    """
    from guideline_engine.triage.semantic import fit_idf, tfidf_vector

    docs = [_features(text) for _, text in items]
    vocab, idf = fit_idf(docs)
    n = len(docs)
    rows, cols, vals = [], [], []
    for r, doc in enumerate(docs):
        for i, v in tfidf_vector(doc, vocab, idf, 0.0).items():
            rows.append(r)
            cols.append(i)
            vals.append(v)
    matrix = csr_matrix((vals, (rows, cols)), shape=(n, len(vocab)))
    fitted = LogisticRegression(C=regularisation, solver="liblinear").fit(
        matrix, [label for label, _ in items]
    )
    return TextClassifier(
        labels=tuple(str(c) for c in fitted.classes_),
        vocab=vocab,
        idf=idf,
        coef=np.ascontiguousarray(_per_label(fitted.coef_).T, dtype=np.float32),
        intercept=np.asarray(_per_label(fitted.intercept_[:, None])[:, 0], dtype=np.float32),
        unknown_weight=float(idf.max()),
        threshold=threshold,
    )


def probabilities(
    model: TextClassifier, text: str | Sequence[Word]
) -> npt.NDArray[np.float32] | None:
    """Each label's probability for ``text`` (a string or its words), or None if nothing is known.

    One-against-the-rest: each label's own sigmoid, normalised over the labels (as sklearn).
    """
    from guideline_engine.triage.semantic import tfidf_vector

    vector = tfidf_vector(_features(text), model.vocab, model.idf, model.unknown_weight)
    if not vector:
        return None
    idx = np.fromiter(vector.keys(), dtype=np.int64)
    w = np.fromiter(vector.values(), dtype=np.float32)
    logits = (model.coef[idx] * w[:, None]).sum(axis=0) + model.intercept
    scores = 1.0 / (1.0 + np.exp(-logits))
    return np.asarray(scores / scores.sum(), dtype=np.float32)


def best(model: TextClassifier, text: str | Sequence[Word]) -> tuple[str, float] | None:
    """The most probable label and its probability, or None if nothing is known."""
    probs = probabilities(model, text)
    if probs is None:
        return None
    i = int(np.argmax(probs))
    return model.labels[i], float(probs[i])
