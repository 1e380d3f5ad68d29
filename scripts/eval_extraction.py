"""Report precision, recall and F1 of the rule-based extractor on the held-out negation set.

Usage::

    .venv/bin/python scripts/eval_extraction.py [--set tests/eval/negation_eval.yml] [-v]

Two tasks are scored:

* neurological involvement: for each label ("yes", "no") precision/recall/F1 over sentences
  (a sentence whose gold label is null counts against precision if the system says yes/no),
  plus overall accuracy;
* symptom polarity: micro precision/recall/F1 over (sentence, symptom id, polarity) triples,
  overall and for the affirmed and negated polarities separately.

This is a report, not a gate: it always exits 0.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from guideline_engine.extraction import extract  # noqa: E402


@dataclass
class Counts:
    """True positives, false positives and false negatives."""

    tp: int = 0
    fp: int = 0
    fn: int = 0

    def prf(self) -> tuple[float, float, float]:
        """Precision, recall and F1 (1.0 when there is nothing to find or report)."""
        p = self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0
        r = self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0
        f = 2 * p * r / (p + r) if p + r else 0.0
        return p, r, f


def _row(name: str, c: Counts) -> str:
    p, r, f = c.prf()
    return f"  {name:<22} P={p:6.3f}  R={r:6.3f}  F1={f:6.3f}   (tp={c.tp} fp={c.fp} fn={c.fn})"


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the report.

    Args:
        argv: Command-line arguments (defaults to ``sys.argv[1:]``).

    Returns:
        Always 0.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--set", default=str(ROOT / "tests" / "eval" / "negation_eval.yml"))
    parser.add_argument("-v", "--verbose", action="store_true", help="list every error")
    args = parser.parse_args(argv)

    cases = yaml.safe_load(Path(args.set).read_text(encoding="utf-8"))["cases"]
    neuro = {"yes": Counts(), "no": Counts()}
    correct_neuro = 0
    polarity = {"affirmed": Counts(), "negated": Counts()}
    by_wording: dict[str, list[int]] = {}
    errors: list[str] = []
    started = time.perf_counter()

    for case in cases:
        text = case["text"]
        facts = extract(text)
        gold_neuro = case.get("neuro")
        got_neuro = facts.neurological_involvement
        ok = gold_neuro == got_neuro
        correct_neuro += ok
        stats = by_wording.setdefault(case.get("wording", "?"), [0, 0])
        stats[0] += ok
        stats[1] += 1
        for label, counts in neuro.items():
            if got_neuro == label and gold_neuro == label:
                counts.tp += 1
            elif got_neuro == label:
                counts.fp += 1
            elif gold_neuro == label:
                counts.fn += 1
        if not ok:
            errors.append(f"neuro   gold={gold_neuro!s:<5} got={got_neuro!s:<5} | {text}")
        for kind, got_ids in (
            ("affirmed", set(facts.affirmed_symptom_ids)),
            ("negated", set(facts.negated_symptom_ids)),
        ):
            gold_ids = set(case.get(kind) or [])
            c = polarity[kind]
            c.tp += len(gold_ids & got_ids)
            c.fp += len(got_ids - gold_ids)
            c.fn += len(gold_ids - got_ids)
            for sid in sorted(got_ids - gold_ids):
                errors.append(f"{kind:<8} false positive {sid:<24} | {text}")
            for sid in sorted(gold_ids - got_ids):
                errors.append(f"{kind:<8} missed         {sid:<24} | {text}")

    elapsed_ms = (time.perf_counter() - started) * 1000
    total = Counts(
        tp=sum(c.tp for c in polarity.values()),
        fp=sum(c.fp for c in polarity.values()),
        fn=sum(c.fn for c in polarity.values()),
    )
    print(f"Evaluation set: {args.set} ({len(cases)} sentences)")
    print("\nNeurological involvement")
    for label, counts in neuro.items():
        print(_row(f'label "{label}"', counts))
    accuracy = correct_neuro / len(cases)
    print(f"  accuracy (yes/no/none)  {accuracy:6.3f}  ({correct_neuro}/{len(cases)})")
    for wording, (ok_count, n) in sorted(by_wording.items()):
        print(f"    {wording:<10} accuracy {ok_count / n:6.3f}  ({ok_count}/{n})")
    print("\nSymptom polarity (micro over sentence x symptom x polarity)")
    print(_row("affirmed", polarity["affirmed"]))
    print(_row("negated", polarity["negated"]))
    print(_row("all", total))
    print(
        f"\nTime: {elapsed_ms:.1f} ms total, {elapsed_ms / len(cases):.2f} ms per sentence "
        "(includes first-use compilation)"
    )
    if errors:
        print(f"\n{len(errors)} disagreement(s)" + ("" if args.verbose else " (use -v to list)"))
        if args.verbose:
            for line in errors:
                print("  " + line)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
