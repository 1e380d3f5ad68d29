"""Triage evaluation on the blind corpus: confusion matrix, recall and over-triage.

Usage::

    python scripts/eval_triage.py                       # dev and test splits, each reported
    python scripts/eval_triage.py tests/eval/blind/triage_dev.yml --json out.json

Each item has ``text`` and a gold ``urgency`` (emergency, urgent or routine). ``assess`` runs
on the text as the patient audience would write it; "no red flag" counts as routine.
Emergency recall: share of emergency items predicted emergency. Urgent recall: share of urgent
items predicted urgent or emergency (caught); exact urgent recall is reported too. Over-triage:
share of routine items predicted urgent or emergency.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

import yaml

from guideline_engine.extraction import extract
from guideline_engine.triage import assess

LEVELS = ("emergency", "urgent", "routine")
PREDICTED = ("emergency", "urgent", "routine", "none")
DEFAULT_SPLITS = (
    Path("tests/eval/blind/triage_dev.yml"),
    Path("tests/eval/blind/triage2_dev.yml"),
    Path("tests/eval/blind/triage3_dev.yml"),
    Path("tests/eval/blind/triage5_dev.yml"),
    Path("tests/eval/blind/triage6_dev.yml"),
    Path("tests/eval/blind/triage8_dev.yml"),
    Path("tests/eval/blind/triage9_dev.yml"),
    Path("tests/eval/blind/triage10_dev.yml"),
    Path("tests/eval/blind/triage11_dev.yml"),
    Path("tests/eval/blind/triage_test.yml"),
    Path("tests/eval/blind/triage4_test.yml"),
    Path("tests/eval/blind/triage7_test.yml"),
)


@dataclass
class Report:
    """Figures of one split."""

    split: str
    items: int
    matrix: dict[str, dict[str, int]]
    emergency_recall: float | None
    urgent_recall: float | None
    urgent_recall_exact: float | None
    routine_over_triaged: float | None
    mean_ms: float
    p95_ms: float
    with_extraction_mean_ms: float
    misses: list[dict[str, str]] = field(default_factory=list)


def load_items(path: Path) -> list[dict[str, Any]]:
    """Items of a split file (``messages:`` list, or a bare list)."""
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    items = data.get("messages", data.get("items")) if isinstance(data, dict) else data
    if not isinstance(items, list):
        raise ValueError(f"{path}: no list of messages")
    for item in items:
        if item.get("urgency") not in LEVELS:
            raise ValueError(f"{path}: item {item.get('id')!r} has urgency {item.get('urgency')!r}")
    return items


def _share(num: int, den: int) -> float | None:
    return None if den == 0 else num / den


def evaluate(items: Sequence[dict[str, Any]], split: str) -> Report:
    """Run triage on every item and count.

    Args:
        items: Items with ``text`` and ``urgency``.
        split: Name printed in the report.

    Returns:
        The report.
    """
    matrix = {gold: dict.fromkeys(PREDICTED, 0) for gold in LEVELS}
    timings: list[float] = []
    totals: list[float] = []
    misses: list[dict[str, str]] = []
    for item in items:
        text = str(item["text"])
        # As in the NLU component: the extraction is computed first and handed to assess.
        # CPU time of this process, so other work on the machine does not inflate it.
        start = time.process_time()
        extraction = extract(text)
        middle = time.process_time()
        result = assess(text, extraction)
        end = time.process_time()
        timings.append((end - middle) * 1000)
        totals.append((end - start) * 1000)
        predicted = result.urgency.value if result.urgency else "none"
        gold = item["urgency"]
        matrix[gold][predicted] += 1
        as_level = "routine" if predicted == "none" else predicted
        if as_level != gold:
            misses.append(
                {
                    "id": str(item.get("id", "")),
                    "gold": gold,
                    "predicted": predicted,
                    "flags": ",".join(result.red_flag_ids),
                    "text": text,
                }
            )
    row = matrix
    n_em, n_ur, n_ro = (sum(row[g].values()) for g in LEVELS)
    timings.sort()
    return Report(
        split=split,
        items=len(items),
        matrix=matrix,
        emergency_recall=_share(row["emergency"]["emergency"], n_em),
        urgent_recall=_share(row["urgent"]["urgent"] + row["urgent"]["emergency"], n_ur),
        urgent_recall_exact=_share(row["urgent"]["urgent"], n_ur),
        routine_over_triaged=_share(row["routine"]["urgent"] + row["routine"]["emergency"], n_ro),
        mean_ms=statistics.fmean(timings) if timings else 0.0,
        p95_ms=timings[int(0.95 * (len(timings) - 1))] if timings else 0.0,
        with_extraction_mean_ms=statistics.fmean(totals) if totals else 0.0,
        misses=misses,
    )


def _pct(value: float | None) -> str:
    return "n/a" if value is None else f"{100 * value:.1f} %"


def format_report(report: Report, *, show_misses: bool = False) -> str:
    """The report as plain text (confusion matrix first)."""
    lines = [f"Triage - {report.split} ({report.items} items)", ""]
    lines.append("gold \\ predicted " + "".join(f"{p:>11}" for p in PREDICTED))
    for gold in LEVELS:
        lines.append(f"{gold:<17}" + "".join(f"{report.matrix[gold][p]:>11}" for p in PREDICTED))
    lines += [
        "",
        f"emergency recall:            {_pct(report.emergency_recall)}",
        f"urgent recall (urgent+):     {_pct(report.urgent_recall)}",
        f"urgent recall (exact):       {_pct(report.urgent_recall_exact)}",
        f"routine over-triaged:        {_pct(report.routine_over_triaged)}",
        f"assess CPU time per message: mean {report.mean_ms:.3f} ms, p95 {report.p95_ms:.3f} ms"
        f" (given the extraction; with extraction mean {report.with_extraction_mean_ms:.3f} ms)",
    ]
    if show_misses and report.misses:
        lines += ["", "disagreements (gold -> predicted):"]
        lines += [
            f"  {m['id']}: {m['gold']} -> {m['predicted']} [{m['flags']}] {m['text']}"
            for m in report.misses
        ]
    return "\n".join(lines)


def main(argv: Sequence[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("splits", nargs="*", type=Path, help="split files (default: dev and test)")
    parser.add_argument("--json", type=Path, help="also write the figures as JSON here")
    parser.add_argument("--misses", action="store_true", help="list every disagreement")
    args = parser.parse_args(argv)
    paths = list(args.splits) or [p for p in DEFAULT_SPLITS if p.exists()]
    if not paths:
        print("no triage split found", file=sys.stderr)
        return 2
    assess("warm-up")  # load vocabularies outside the timings
    reports = [evaluate(load_items(p), p.stem) for p in paths]
    print("\n\n".join(format_report(r, show_misses=args.misses) for r in reports))
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps([asdict(r) for r in reports], indent=2) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
