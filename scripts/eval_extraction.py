"""Report precision, recall and F1 of the rule-based extractor on the held-out sets.

Usage::

    .venv/bin/python scripts/eval_extraction.py [--set tests/eval/negation_eval.yml]
        [--facts-set tests/eval/facts_eval.yml] [-v]

Three tasks are scored. On the negation set:

* neurological involvement: for each label ("yes", "no") precision/recall/F1 over sentences
  (a sentence whose gold label is null counts against precision if the system says yes/no),
  plus overall accuracy;
* symptom polarity: micro precision/recall/F1 over (sentence, symptom id, polarity) triples,
  overall and for the affirmed and negated polarities separately.

On the facts set, every fact type (``FACT_FIELDS``), value-level: a predicted value is a true
positive when it equals the gold value (numbers within 1e-6; lab values as (value, unit)); a
wrong value is both a false positive and a false negative; a value where the gold has none is
a false positive; a missing value is a false negative. ``causes`` is scored as a set, each
cause a separate item. Per-field precision/recall/F1 and the micro-average over all fields are
printed, with the error kinds (missed / spurious / wrong value) per field.

This is a report, not a gate: it always exits 0.
"""

from __future__ import annotations

import argparse
import math
import sys
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "src"))

from guideline_engine.extraction import Extraction, extract  # noqa: E402

NEGATION_SET = ROOT / "tests" / "eval" / "negation_eval.yml"
FACTS_SET = ROOT / "tests" / "eval" / "facts_eval.yml"

LAB_FIELDS = ("b12", "folate", "mma")
NUMBER_FIELDS = ("platelet_count", "age", "gestation_weeks", "ileal_resection_cm")
SET_FIELDS = ("causes",)
FACT_FIELDS = (
    "neurological_involvement",
    "causes",
    "platelet_count",
    "age",
    "sex",
    "pregnant",
    "gestation_weeks",
    "route_preference",
    "injection_contraindication",
    "folic_acid_started",
    "ileal_resection_cm",
    "b12",
    "folate",
    "mma",
    "b12_status",
    "formulary",
    "audience",
)
"""Fields scored on the facts set, in report order."""

TOLERANCE = 1e-6


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


@dataclass
class FieldErrors:
    """How a field went wrong: gold value not found, value not in the gold, or a wrong value."""

    missed: int = 0
    spurious: int = 0
    wrong: int = 0


@dataclass
class FactsReport:
    """Scores of the facts set: per field, micro-average, and every disagreement."""

    n_cases: int
    fields: dict[str, Counts]
    errors: dict[str, FieldErrors]
    disagreements: list[str] = field(default_factory=list)

    @property
    def micro(self) -> Counts:
        """Counts summed over every field."""
        return Counts(
            tp=sum(c.tp for c in self.fields.values()),
            fp=sum(c.fp for c in self.fields.values()),
            fn=sum(c.fn for c in self.fields.values()),
        )


def _gold_value(name: str, raw: Any) -> Any:
    """Normalise one gold value from the YAML to the form predictions are compared in."""
    if raw is None:
        return None
    if name in SET_FIELDS:
        if isinstance(raw, str) or not isinstance(raw, Iterable):
            raise ValueError(f"{name}: expected a list, got {raw!r}")
        return frozenset(str(v) for v in raw)
    if name in LAB_FIELDS:
        if not isinstance(raw, list | tuple) or len(raw) != 2:
            raise ValueError(f"{name}: expected [value, unit], got {raw!r}")
        value, unit = raw
        return (float(value), None if unit is None else str(unit))
    if name in NUMBER_FIELDS:
        if isinstance(raw, bool) or not isinstance(raw, int | float):
            raise ValueError(f"{name}: expected a number, got {raw!r}")
        return float(raw)
    return str(raw)


def _predicted_value(name: str, facts: Extraction) -> Any:
    """One field of an extraction, in the form gold values are compared in."""
    value = getattr(facts, name)
    if name in SET_FIELDS:
        return frozenset(value) if value else None
    if name in LAB_FIELDS:
        return None if value is None else (float(value.value), value.unit)
    if name in NUMBER_FIELDS:
        return None if value is None else float(value)
    return value


def _same(gold: Any, got: Any) -> bool:
    if isinstance(gold, float) and isinstance(got, float):
        return math.isclose(gold, got, rel_tol=0.0, abs_tol=TOLERANCE)
    if isinstance(gold, tuple) and isinstance(got, tuple):
        return len(gold) == len(got) and all(_same(a, b) for a, b in zip(gold, got, strict=True))
    return bool(gold == got)


def _show(value: Any) -> str:
    if isinstance(value, frozenset):
        return "[" + ", ".join(sorted(value)) + "]"
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, tuple):
        return " ".join(_show(v) for v in value if v is not None) or "-"
    return str(value)


def evaluate_facts(
    cases: Iterable[Mapping[str, Any]],
    extractor: Callable[[str], Extraction] = extract,
    fields: Iterable[str] = FACT_FIELDS,
) -> FactsReport:
    """Score the extractor on labelled sentences, value-level, per field.

    Args:
        cases: Mappings with ``text`` and ``expect`` (field -> gold value); a field absent
            from ``expect`` is expected to be None / empty.
        extractor: ``text -> Extraction`` (the real extractor by default).
        fields: The fields to score.

    Returns:
        Per-field counts and error kinds, and one line per disagreement.

    Raises:
        ValueError: A case names an unknown field or has a malformed gold value.
    """
    names = tuple(fields)
    report = FactsReport(
        n_cases=0,
        fields={n: Counts() for n in names},
        errors={n: FieldErrors() for n in names},
    )
    for case in cases:
        report.n_cases += 1
        text = str(case["text"])
        expect = case.get("expect") or {}
        unknown = set(expect) - set(names)
        if unknown:
            raise ValueError(f"unknown field(s) {sorted(unknown)} in case {text!r}")
        facts = extractor(text)
        for name in names:
            gold = _gold_value(name, expect.get(name))
            got = _predicted_value(name, facts)
            counts, kinds = report.fields[name], report.errors[name]
            if name in SET_FIELDS:
                gold_set: frozenset[str] = gold or frozenset()
                got_set: frozenset[str] = got or frozenset()
                counts.tp += len(gold_set & got_set)
                counts.fp += len(got_set - gold_set)
                counts.fn += len(gold_set - got_set)
                kinds.spurious += len(got_set - gold_set)
                kinds.missed += len(gold_set - got_set)
                for item in sorted(got_set - gold_set):
                    report.disagreements.append(f"{name:<26} spurious {item:<20} | {text}")
                for item in sorted(gold_set - got_set):
                    report.disagreements.append(f"{name:<26} missed   {item:<20} | {text}")
                continue
            if gold is None and got is None:
                continue
            if gold is not None and got is not None and _same(gold, got):
                counts.tp += 1
                continue
            if got is not None:
                counts.fp += 1
            if gold is not None:
                counts.fn += 1
            if gold is None:
                kinds.spurious += 1
                kind = "spurious"
            elif got is None:
                kinds.missed += 1
                kind = "missed  "
            else:
                kinds.wrong += 1
                kind = "wrong   "
            detail = f"gold={_show(gold)} got={_show(got)}"
            report.disagreements.append(f"{name:<26} {kind} {detail:<20} | {text}")
    return report


def print_facts_report(report: FactsReport, source: str, verbose: bool) -> None:
    """Print the per-field table, the micro-average and (verbose) every disagreement."""
    print(f"\nFacts set: {source} ({report.n_cases} sentences)")
    print("Per field (value-level; a wrong value is both a FP and a FN)")
    for name, counts in report.fields.items():
        kinds = report.errors[name]
        support = counts.tp + counts.fn
        print(
            _row(name, counts, width=26)
            + f"  n={support:<3} missed={kinds.missed} spurious={kinds.spurious} "
            f"wrong={kinds.wrong}"
        )
    print(_row("micro (all fields)", report.micro, width=26))
    if report.disagreements:
        count = len(report.disagreements)
        print(f"\n{count} fact disagreement(s)" + ("" if verbose else " (use -v to list)"))
        if verbose:
            for line in report.disagreements:
                print("  " + line)


def _row(name: str, c: Counts, width: int = 22) -> str:
    p, r, f = c.prf()
    scores = f"P={p:6.3f}  R={r:6.3f}  F1={f:6.3f}"
    return f"  {name:<{width}} {scores}   (tp={c.tp} fp={c.fp} fn={c.fn})"


def main(argv: list[str] | None = None) -> int:
    """Run the evaluation and print the report.

    Args:
        argv: Command-line arguments (defaults to ``sys.argv[1:]``).

    Returns:
        Always 0.
    """
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--set", default=str(NEGATION_SET), help="negation set")
    parser.add_argument("--facts-set", default=str(FACTS_SET), help="facts set (every field)")
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

    facts_cases = yaml.safe_load(Path(args.facts_set).read_text(encoding="utf-8"))["cases"]
    print_facts_report(evaluate_facts(facts_cases), args.facts_set, args.verbose)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
