#!/usr/bin/env python
"""Report how well follow-up retrieval does on the tuning sets (both are dev).

Loads the real knowledge base and prints, for the in-house set (``tests/eval/followups.yml``,
all dev since the blind set took over): top-1 accuracy on in-scope questions, precision and
recall of "no answer", why out-of-scope questions were refused, timing, and every failure.
Then it scores the blind DEV split (``tests/eval/blind/followups_dev.yml``) with
``scripts/eval_blind.py``'s follow-up functions, misses in full. The blind TEST split is
reported only by ``scripts/eval_blind.py --split test``; never tune on it.

Usage::

    python scripts/eval_retrieval.py                 # in-house set, then blind dev
    python scripts/eval_retrieval.py --sweep         # min_score calibration table
    python scripts/eval_retrieval.py --no-scope-list # without the not-covered topic list
    python scripts/eval_retrieval.py --no-blind      # in-house set only (no NLU import)
"""

from __future__ import annotations

import argparse
import importlib.util
import statistics
import sys
import time
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT / "src") not in sys.path:
    sys.path.insert(0, str(ROOT / "src"))

from guideline_engine.knowledge import load_knowledge_base  # noqa: E402
from guideline_engine.retrieval import Answer, NoAnswer, Retriever, retriever_for  # noqa: E402
from guideline_engine.retrieval.evaluation import (  # noqa: E402
    SPLITS,
    EvalQuestion,
    Metrics,
    Outcome,
    evaluate,
    load_eval_set,
    metrics,
)

DEFAULT_EVAL_SET = ROOT / "tests" / "eval" / "followups.yml"
SWEEP = (0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 6.0)


def _pct(value: float | None) -> str:
    return "  n/a" if value is None else f"{100 * value:5.1f}%"


def _metrics_line(label: str, m: Metrics) -> str:
    return (
        f"{label:<6} top-1 {_pct(m.top1_accuracy)} ({m.top1_correct}/{m.in_scope})   "
        f"no-answer precision {_pct(m.no_answer_precision)} "
        f"({m.true_no_answer}/{m.true_no_answer + m.false_no_answer})   "
        f"recall {_pct(m.no_answer_recall)} ({m.true_no_answer}/{m.out_of_scope})"
    )


def _describe(outcome: Outcome, retriever: Retriever) -> str:
    q = outcome.question
    expected = ", ".join(q.expected) if q.expected else "none"
    result = outcome.result
    if isinstance(result, Answer):
        best = result.best
        got = f"{best.id} (score {best.score:.2f}; {' '.join(best.matched_terms)})"
    else:
        topic = f" {result.topic}" if result.topic else ""
        got = f"none [{result.reason.value}{topic}] (best score {result.best_score:.2f})"
    return (
        f"  [{q.split}] {q.id}: {q.question!r}\n"
        f"      terms:    {' '.join(retriever.analyze(q.question))}\n"
        f"      expected: {expected}\n"
        f"      got:      {got}"
    )


def _report(retriever: Retriever, questions: Sequence[EvalQuestion]) -> dict[str, Metrics]:
    outcomes = evaluate(retriever, questions)
    by_split = {s: metrics(o for o in outcomes if o.question.split == s) for s in SPLITS}
    for split in SPLITS:
        if by_split[split].in_scope or by_split[split].out_of_scope:
            print(_metrics_line(split, by_split[split]))

    reasons = Counter(
        (o.question.split, o.result.reason.value)
        for o in outcomes
        if not o.question.in_scope and isinstance(o.result, NoAnswer)
    )
    print("\nout-of-scope questions refused, by reason:")
    for (split, reason), count in sorted(reasons.items()):
        print(f"  {split:<5} {reason:<18} {count}")

    times = sorted(o.seconds * 1000 for o in outcomes)
    p95 = times[min(len(times) - 1, int(0.95 * len(times)))]
    print(
        f"\nsearch time per question: mean {statistics.fmean(times):.3f} ms, "
        f"p95 {p95:.3f} ms, max {times[-1]:.3f} ms"
    )

    failures = [o for o in outcomes if not o.correct]
    print(f"\nfailures ({len(failures)}):")
    for o in sorted(failures, key=lambda o: (o.question.split, o.question.id)):
        print(_describe(o, retriever))
    return by_split


def _sweep(retriever: Retriever, questions: Sequence[EvalQuestion]) -> None:
    print("min_score sweep (dev is for choosing; test is for reporting only):")
    for value in SWEEP:
        candidate = retriever.with_policy(retriever.policy.replace(min_score=value))
        outcomes = evaluate(candidate, questions)
        cells = []
        for split in SPLITS:
            m = metrics(o for o in outcomes if o.question.split == split)
            cells.append(
                f"{split} top-1 {_pct(m.top1_accuracy)} "
                f"P {_pct(m.no_answer_precision)} R {_pct(m.no_answer_recall)}"
            )
        print(f"  {value:4.1f}  " + "   ".join(cells))


def main(argv: Sequence[str] | None = None) -> int:
    """Run the report; return the process exit code."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--eval-set", type=Path, default=DEFAULT_EVAL_SET)
    parser.add_argument("--sweep", action="store_true", help="print a min_score table")
    parser.add_argument(
        "--no-scope-list",
        action="store_true",
        help="disable the policy's not-covered topics (shows what thresholds alone do)",
    )
    parser.add_argument("--no-blind", action="store_true", help="skip the blind dev split")
    args = parser.parse_args(argv)

    kb = load_knowledge_base()
    eval_set = load_eval_set(args.eval_set)
    unknown = eval_set.unknown_ids(s.id for s in kb.snippets)
    if unknown:
        for question_id, snippet_id in unknown:
            print(f"error: {question_id} expects unknown snippet {snippet_id}", file=sys.stderr)
        return 2

    start = time.perf_counter()
    retriever = retriever_for(kb)
    build_ms = (time.perf_counter() - start) * 1000
    if args.no_scope_list:
        retriever = retriever.with_policy(retriever.policy.replace(not_covered=()))

    questions = eval_set.questions
    in_scope = sum(q.in_scope for q in questions)
    print(
        f"knowledge base {kb.version}: {len(kb.snippets)} snippets; retriever built in "
        f"{build_ms:.1f} ms; min_score {retriever.policy.min_score}"
        f"{'; scope list OFF' if args.no_scope_list else ''}"
    )
    print(
        f"eval set {args.eval_set.name}: {len(questions)} questions "
        f"({in_scope} in scope, {len(questions) - in_scope} out of scope)\n"
    )
    if args.sweep:
        _sweep(retriever, questions)
        print()
    _report(retriever, questions)
    if not args.no_blind:
        _blind_dev()
    return 0


def _blind_dev() -> None:
    """Score the blind dev split the way scripts/eval_blind.py does, misses in full."""
    spec = importlib.util.spec_from_file_location("eval_blind", ROOT / "scripts" / "eval_blind.py")
    assert spec is not None and spec.loader is not None
    eb = importlib.util.module_from_spec(spec)
    sys.modules["eval_blind"] = eb
    spec.loader.exec_module(eb)
    questions = eb.load_set("followups", "dev").get("questions") or []
    print("\n=== blind follow-ups, DEV split (scripts/eval_blind.py scoring) ===")
    eb.print_followups(eb.evaluate_followups(questions, eb.load_line_map()), full=True)


if __name__ == "__main__":
    sys.exit(main())
