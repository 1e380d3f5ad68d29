"""Evaluation of the retriever on a labelled set of follow-up questions.

The set (``tests/eval/followups.yml``) lists questions with the snippet ids that answer
them, or ``expected: none`` for questions the source does not cover. Each question names
its split; the in-house set is all ``dev`` (tuning) since the blind set
(``tests/eval/blind/``, scored by ``scripts/eval_blind.py``) became the held-out measure.

Metrics:

* top-1 accuracy over in-scope questions: the best hit is one of the expected ids
  (a ``NoAnswer`` counts as wrong);
* out-of-scope precision and recall with "no answer" as the positive class.
"""

from __future__ import annotations

import time
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path

from guideline_engine.retrieval._data import check_keys, read_yaml, string_list
from guideline_engine.retrieval.retriever import Answer, NoAnswer, RetrievalResult, Retriever

SPLITS: tuple[str, ...] = ("dev", "test")
"""Allowed values of a question's ``split``."""

AUDIENCES: tuple[str, ...] = ("clinician", "patient")
"""Allowed values of a question's ``audience``."""

OUT_OF_SCOPE = "none"
"""Value of ``expected`` for a question the source does not cover."""

_TOP_KEYS = ("version", "questions")
_QUESTION_KEYS = ("id", "split", "audience", "question", "expected", "note")


@dataclass(frozen=True)
class EvalQuestion:
    """One labelled follow-up question.

    Attributes:
        id: Unique id within the set.
        split: ``dev`` or ``test``.
        audience: ``clinician`` or ``patient`` (who would ask it this way).
        question: The question text.
        expected: Snippet ids, any of which is a correct first hit; empty when the
            source does not cover the question.
        note: Free-text remark.
    """

    id: str
    split: str
    audience: str
    question: str
    expected: tuple[str, ...]
    note: str | None = None

    @property
    def in_scope(self) -> bool:
        """True if the source covers the question."""
        return bool(self.expected)


@dataclass(frozen=True)
class EvalSet:
    """A validated evaluation set."""

    questions: tuple[EvalQuestion, ...]

    def split(self, name: str | None) -> tuple[EvalQuestion, ...]:
        """Return the questions of split ``name`` (all questions for ``None``).

        Raises:
            ValueError: If ``name`` is not a known split.
        """
        if name is None:
            return self.questions
        if name not in SPLITS:
            raise ValueError(f"unknown split {name!r}; expected one of {', '.join(SPLITS)}")
        return tuple(q for q in self.questions if q.split == name)

    def unknown_ids(self, known: Iterable[str]) -> tuple[tuple[str, str], ...]:
        """Return ``(question id, snippet id)`` for expected ids not in ``known``."""
        ids = frozenset(known)
        return tuple(
            (q.id, snippet_id)
            for q in self.questions
            for snippet_id in q.expected
            if snippet_id not in ids
        )


def _question(entry: object, source: str, index: int) -> EvalQuestion:
    label = entry.get("id", f"#{index}") if isinstance(entry, dict) else f"#{index}"
    where = f"{source}: questions[{index}] ({label})"
    data = check_keys(
        entry,
        where=where,
        allowed=_QUESTION_KEYS,
        required=("id", "split", "audience", "question", "expected"),
    )
    for key in ("id", "question"):
        if not isinstance(data[key], str) or not data[key].strip():
            raise ValueError(f"{where}: {key}: expected a non-empty string")
    if data["split"] not in SPLITS:
        raise ValueError(f"{where}: split: expected one of {', '.join(SPLITS)}")
    if data["audience"] not in AUDIENCES:
        raise ValueError(f"{where}: audience: expected one of {', '.join(AUDIENCES)}")
    raw = data["expected"]
    if raw == OUT_OF_SCOPE:
        expected: tuple[str, ...] = ()
    else:
        expected = string_list(raw, where=f"{where}: expected")
        if not expected:
            raise ValueError(f"{where}: expected: empty list; use `none` for out of scope")
    note = data.get("note")
    if note is not None and not isinstance(note, str):
        raise ValueError(f"{where}: note: expected a string")
    return EvalQuestion(
        id=data["id"],
        split=data["split"],
        audience=data["audience"],
        question=data["question"],
        expected=expected,
        note=note,
    )


def load_eval_set(path: Path) -> EvalSet:
    """Read and validate an evaluation set.

    Raises:
        ValueError: On invalid YAML, an unknown or missing key, a bad value or a
            duplicate question id; the message names the file and the entry.
    """
    source, data = read_yaml(path)
    top = check_keys(data, where=source, allowed=_TOP_KEYS, required=_TOP_KEYS)
    if top["version"] != 1:
        raise ValueError(f"{source}: version: expected 1, got {top['version']!r}")
    raw = top["questions"]
    if not isinstance(raw, list):
        raise ValueError(f"{source}: questions: expected a list")
    questions = tuple(_question(entry, source, i) for i, entry in enumerate(raw))
    seen: set[str] = set()
    for q in questions:
        if q.id in seen:
            raise ValueError(f"{source}: duplicate question id {q.id!r}")
        seen.add(q.id)
    return EvalSet(questions)


@dataclass(frozen=True)
class Outcome:
    """What the retriever did with one question.

    Attributes:
        question: The labelled question.
        result: The retriever's result.
        seconds: Time taken by :meth:`Retriever.search`.
    """

    question: EvalQuestion
    result: RetrievalResult
    seconds: float

    @property
    def predicted(self) -> str:
        """Id of the best hit, or ``none`` for a :class:`NoAnswer`."""
        return self.result.best.id if isinstance(self.result, Answer) else OUT_OF_SCOPE

    @property
    def correct(self) -> bool:
        """True if the best hit is expected, or if an out-of-scope question got no answer."""
        if self.question.in_scope:
            return isinstance(self.result, Answer) and self.predicted in self.question.expected
        return isinstance(self.result, NoAnswer)


def _ratio(numerator: int, denominator: int) -> float | None:
    return numerator / denominator if denominator else None


@dataclass(frozen=True)
class Metrics:
    """Counts and rates over a set of outcomes.

    Attributes:
        in_scope: Number of in-scope questions.
        top1_correct: In-scope questions whose best hit is expected.
        out_of_scope: Number of out-of-scope questions.
        true_no_answer: Out-of-scope questions answered with ``NoAnswer``.
        false_no_answer: In-scope questions answered with ``NoAnswer``.
    """

    in_scope: int
    top1_correct: int
    out_of_scope: int
    true_no_answer: int
    false_no_answer: int

    @property
    def top1_accuracy(self) -> float | None:
        """Share of in-scope questions with a correct best hit (``None`` if none)."""
        return _ratio(self.top1_correct, self.in_scope)

    @property
    def no_answer_precision(self) -> float | None:
        """Share of ``NoAnswer`` results that were out of scope (``None`` if none)."""
        return _ratio(self.true_no_answer, self.true_no_answer + self.false_no_answer)

    @property
    def no_answer_recall(self) -> float | None:
        """Share of out-of-scope questions answered with ``NoAnswer`` (``None`` if none)."""
        return _ratio(self.true_no_answer, self.out_of_scope)


def evaluate(retriever: Retriever, questions: Sequence[EvalQuestion]) -> tuple[Outcome, ...]:
    """Run every question through ``retriever``, timing each search."""
    outcomes: list[Outcome] = []
    for q in questions:
        start = time.perf_counter()
        result = retriever.search(q.question)
        outcomes.append(Outcome(q, result, time.perf_counter() - start))
    return tuple(outcomes)


def metrics(outcomes: Iterable[Outcome]) -> Metrics:
    """Summarise outcomes into :class:`Metrics`."""
    items = tuple(outcomes)
    in_scope = [o for o in items if o.question.in_scope]
    out_scope = [o for o in items if not o.question.in_scope]
    return Metrics(
        in_scope=len(in_scope),
        top1_correct=sum(o.correct for o in in_scope),
        out_of_scope=len(out_scope),
        true_no_answer=sum(o.correct for o in out_scope),
        false_no_answer=sum(isinstance(o.result, NoAnswer) for o in in_scope),
    )
