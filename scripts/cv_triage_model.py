"""Leave-one-dev-set-out figures of triage with the trained signal (dev splits only).

For each blind triage dev split, the classifier is trained on the curated exemplars and the
other dev splits' messages, and the whole triage (cues, exemplars, classifier, assertion rules)
is run on the held-out split. This is how the training file's threshold and regularisation were
chosen; no test split is read here.

Usage: python scripts/cv_triage_model.py [--threshold T ...] [--regularisation C] [--misses]
"""

from __future__ import annotations

import argparse
import importlib
import sys
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]
sys.path[:0] = [str(ROOT / "src"), str(ROOT / "scripts")]

from build_triage_training import BLIND, DEV_SPLITS, training_items  # noqa: E402

from guideline_engine.triage.semantic import load_exemplars  # noqa: E402

assess_module = importlib.import_module("guideline_engine.triage.assess")
model_module = importlib.import_module("guideline_engine.triage.model")
RANK = {"none": 0, "routine": 0, "urgent": 1, "emergency": 2}
Totals = dict[str, list[int]]


def _held_out(held: str, threshold: float, regularisation: float, misses: bool) -> Totals:
    """Train without ``held``, run triage on it, count hits per gold urgency."""
    train = tuple(
        (i["label"], i["text"]) for i in training_items() if not i["from"].startswith(held + ":")
    )
    taught = {label for label, _ in train}
    curated = tuple(i for i in load_exemplars().items if i[0] in taught)
    model = model_module.train(curated + train, threshold, regularisation)
    totals: Totals = {"emergency": [0, 0], "urgent": [0, 0], "routine": [0, 0]}
    data = yaml.safe_load((BLIND / f"{held}.yml").read_text(encoding="utf-8"))
    with model_module.using(model):
        for message in data["messages"]:
            result = assess_module.assess(message["text"])
            got = result.urgency.value if result.urgency is not None else "none"
            gold = message["urgency"]
            hit = got == "emergency" if gold == "emergency" else RANK[got] >= 1
            totals[gold][0] += hit
            totals[gold][1] += 1
            if misses and hit == (gold == "routine"):
                print(f"  {held} {gold} got {got} [{message['category']}] {message['text']}")
    return totals


def _line(threshold: float, regularisation: float, totals: Totals) -> str:
    parts = [
        f"{name} {totals[key][0]}/{totals[key][1]} = {totals[key][0] / totals[key][1]:.3f}"
        for key, name in (
            ("emergency", "emergency recall"),
            ("urgent", "urgent+ recall"),
            ("routine", "routine over-triaged"),
        )
    ]
    return f"threshold {threshold} C {regularisation}: " + ", ".join(parts)


def main() -> int:
    """Print the cross-validated figures for each threshold asked for."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--threshold", type=float, nargs="+", default=[0.5])
    parser.add_argument("--regularisation", type=float, default=30.0)
    parser.add_argument("--misses", action="store_true")
    args = parser.parse_args()
    for threshold in args.threshold:
        totals: Totals = {"emergency": [0, 0], "urgent": [0, 0], "routine": [0, 0]}
        for held in DEV_SPLITS:
            for key, (hit, n) in _held_out(
                held, threshold, args.regularisation, args.misses
            ).items():
                totals[key][0] += hit
                totals[key][1] += n
        print(_line(threshold, args.regularisation, totals))
    return 0


if __name__ == "__main__":
    sys.exit(main())
