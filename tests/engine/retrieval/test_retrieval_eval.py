"""Retrieval quality on the labelled follow-up questions, over the real knowledge base.

Targets are asserted on the held-out ``test`` split, so this test can fail when the
retriever does not generalise; ``dev`` floors guard against regressions of the tuning.
Run ``python scripts/eval_retrieval.py`` for the full report with every failure.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from guideline_engine.knowledge import load_knowledge_base
from guideline_engine.retrieval import Retriever, retriever_for
from guideline_engine.retrieval.evaluation import EvalSet, Metrics, evaluate, load_eval_set, metrics

EVAL_SET = Path(__file__).resolve().parents[2] / "eval" / "followups.yml"

# Measured on the held-out split when it was frozen: top-1 0.771 (37/48), no-answer recall
# 0.833. The goal is 0.85; this floor guards the measured level until content improves.
TEST_TOP1 = 0.75
TEST_NO_ANSWER_RECALL = 0.8
DEV_TOP1 = 0.88
DEV_NO_ANSWER_RECALL = 0.9


@pytest.fixture(scope="module")
def retriever() -> Retriever:
    return retriever_for(load_knowledge_base(approved_only=False))


@pytest.fixture(scope="module")
def eval_set() -> EvalSet:
    return load_eval_set(EVAL_SET)


def _metrics(retriever: Retriever, eval_set: EvalSet, split: str) -> Metrics:
    return metrics(evaluate(retriever, eval_set.split(split)))


def test_held_out_top1_accuracy(retriever: Retriever, eval_set: EvalSet) -> None:
    m = _metrics(retriever, eval_set, "test")
    assert m.top1_accuracy is not None
    assert m.top1_accuracy >= TEST_TOP1, (
        f"test top-1 {m.top1_accuracy:.3f} ({m.top1_correct}/{m.in_scope}) < {TEST_TOP1}"
    )


def test_held_out_no_answer_recall(retriever: Retriever, eval_set: EvalSet) -> None:
    m = _metrics(retriever, eval_set, "test")
    assert m.no_answer_recall is not None
    assert m.no_answer_recall >= TEST_NO_ANSWER_RECALL, (
        f"test no-answer recall {m.no_answer_recall:.3f} "
        f"({m.true_no_answer}/{m.out_of_scope}) < {TEST_NO_ANSWER_RECALL}"
    )


def test_dev_split_does_not_regress(retriever: Retriever, eval_set: EvalSet) -> None:
    m = _metrics(retriever, eval_set, "dev")
    assert m.top1_accuracy is not None and m.top1_accuracy >= DEV_TOP1
    assert m.no_answer_recall is not None and m.no_answer_recall >= DEV_NO_ANSWER_RECALL
