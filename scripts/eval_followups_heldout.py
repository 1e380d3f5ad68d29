#!/usr/bin/env python
"""Score one blind follow-up DEV split with the learned signal trained on other dev splits only.

The packaged learned signal (``retrieval/followup_training.yml``) is trained on every dev split,
so ``scripts/eval_blind.py`` scores it in-sample. This script retrains the same classifier
(same promote / decline / regularisation) on the splits named by ``--train``, scores the split
named by ``--score`` exactly as ``eval_blind.py`` does (follow-ups only), and prints the same
figures: a held-out measure. ``--bm25-only`` switches the learned signal off instead. Test
splits are refused.

Usage::

    python scripts/eval_followups_heldout.py --score followups3 \
        --train followups_dev followups2_dev [--misses]
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "src", ROOT / "scripts"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

import build_followup_training  # noqa: E402
import eval_blind  # noqa: E402

from guideline_engine.classifier import TextClassifier, train  # noqa: E402
from guideline_engine.retrieval import learned  # noqa: E402


def _retrained(splits: tuple[str, ...]) -> TextClassifier:
    packaged = learned.load_training()
    items = [(i["label"], i["text"]) for i in build_followup_training.training_items(splits)]
    return train(items, packaged.promote, packaged.regularisation)


def main(argv: Sequence[str] | None = None) -> int:
    """Retrain, score and print; always 0 (a report, not a gate)."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--score", default="followups3", help="follow-up set to score (dev)")
    parser.add_argument(
        "--train", nargs="+", default=["followups_dev", "followups2_dev"], help="dev splits"
    )
    parser.add_argument("--bm25-only", action="store_true", help="no learned signal at all")
    parser.add_argument("--misses", action="store_true", help="print every miss")
    args = parser.parse_args(argv)
    splits = tuple(args.train)
    if any("test" in s for s in (*splits, args.score)) or f"{args.score}_dev" in splits:
        raise SystemExit("train on dev splits other than the one scored; never a test split")
    if args.bm25_only:
        import guideline_engine.retrieval.context as context

        setattr(context, "refine", lambda result, question, index_ids: result)  # noqa: B010
        print(f"{args.score}_dev scored with BM25 and the policy only (no learned signal)")
    else:
        model = _retrained(splits)
        setattr(learned, "_model", lambda: model)  # noqa: B010
        print(f"{args.score}_dev scored with the learned signal trained on {', '.join(splits)}")
    questions = eval_blind.load_set(args.score, "dev").get("questions") or []
    report = eval_blind.evaluate_followups(questions, eval_blind.load_line_map())
    eval_blind.print_followups(report, args.misses)
    return 0


if __name__ == "__main__":
    sys.exit(main())
