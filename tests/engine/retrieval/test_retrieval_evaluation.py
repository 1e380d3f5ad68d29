"""The evaluation-set loader and metrics (guideline_engine.retrieval.evaluation)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from guideline_engine.retrieval import Answer, Hit, NoAnswer, NoAnswerReason
from guideline_engine.retrieval.evaluation import (
    EvalQuestion,
    Outcome,
    load_eval_set,
    metrics,
)

EVAL_SET = Path(__file__).resolve().parents[2] / "eval" / "followups.yml"


def _write(tmp_path: Path, questions: list[dict[str, Any]]) -> Path:
    path = tmp_path / "eval.yml"
    path.write_text(yaml.safe_dump({"version": 1, "questions": questions}), "utf-8")
    return path


def _q(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "id": "q1",
        "split": "dev",
        "audience": "patient",
        "question": "how often?",
        "expected": ["b12.neuro.loading"],
    }
    data.update(overrides)
    return data


def test_loads_questions_and_out_of_scope_marker(tmp_path: Path) -> None:
    eval_set = load_eval_set(_write(tmp_path, [_q(), _q(id="q2", split="test", expected="none")]))
    first, second = eval_set.questions
    assert first.in_scope and first.expected == ("b12.neuro.loading",)
    assert not second.in_scope and second.expected == ()
    assert eval_set.split("test") == (second,)
    assert eval_set.split(None) == eval_set.questions
    assert eval_set.unknown_ids({"x"}) == (("q1", "b12.neuro.loading"),)
    with pytest.raises(ValueError, match="unknown split"):
        eval_set.split("train")


@pytest.mark.parametrize(
    ("question", "message"),
    [
        pytest.param(_q(difficulty=3), r"\(q1\): unknown key\(s\) difficulty", id="unknown-key"),
        pytest.param(_q(split="train"), r"\(q1\): split: expected one of dev, test", id="split"),
        pytest.param(_q(audience="nurse"), r"audience: expected one of", id="audience"),
        pytest.param(_q(expected=[]), r"use `none` for out of scope", id="empty-expected"),
        pytest.param(_q(question=""), r"question: expected a non-empty string", id="empty-q"),
    ],
)
def test_rejects_malformed_questions(
    tmp_path: Path, question: dict[str, Any], message: str
) -> None:
    with pytest.raises(ValueError, match=message) as info:
        load_eval_set(_write(tmp_path, [question]))
    assert "eval.yml" in str(info.value)


def test_rejects_duplicate_ids(tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="duplicate question id 'q1'"):
        load_eval_set(_write(tmp_path, [_q(), _q()]))


def _outcome(expected: tuple[str, ...], predicted: str | None) -> Outcome:
    question = EvalQuestion("q", "dev", "patient", "?", expected)
    result = (
        NoAnswer(NoAnswerReason.LOW_SCORE, 0.0)
        if predicted is None
        else Answer((Hit(predicted, 5.0, ("x",)),))
    )
    return Outcome(question, result, 0.0)


def test_metrics_count_no_answer_as_the_positive_class() -> None:
    outcomes = [
        _outcome(("a",), "a"),  # correct
        _outcome(("a", "b"), "b"),  # any expected id counts
        _outcome(("a",), "c"),  # wrong snippet
        _outcome(("a",), None),  # wrongly refused: a false no-answer
        _outcome((), None),  # correctly refused
        _outcome((), "a"),  # answered out of scope
    ]
    m = metrics(outcomes)
    assert (m.in_scope, m.top1_correct, m.out_of_scope) == (4, 2, 2)
    assert (m.true_no_answer, m.false_no_answer) == (1, 1)
    assert m.top1_accuracy == 0.5
    assert m.no_answer_precision == 0.5
    assert m.no_answer_recall == 0.5
    assert metrics([]).top1_accuracy is None


def test_the_real_eval_set_is_well_formed() -> None:
    from guideline_engine.knowledge import load_knowledge_base

    eval_set = load_eval_set(EVAL_SET)
    kb = load_knowledge_base(approved_only=False)
    assert eval_set.unknown_ids(s.id for s in kb.snippets) == ()
    assert eval_set.split("test") == (), "the in-house set is all dev; the blind set is held out"
    assert len(eval_set.questions) >= 50
    assert sum(not q.in_scope for q in eval_set.questions) >= 12
    assert {q.audience for q in eval_set.questions} == {"clinician", "patient"}
    seed_documents = {d.id for d in kb.documents if d.seed_file}
    seed = {s.id for s in kb.snippets if s.source.document in seed_documents}
    assert seed, "the knowledge base has seed snippets"
    covered = {i for q in eval_set.questions for i in q.expected}
    assert seed <= covered, f"seed snippets with no question: {sorted(seed - covered)}"
