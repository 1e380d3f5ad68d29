"""Print intent F1 from a `rasa test nlu` results folder (held-out data)."""

from __future__ import annotations

import json
import sys
from pathlib import Path


def main(results: Path) -> int:
    """Print per-intent F1 and the weighted average; exit 1 if the report is missing."""
    report_path = results / "intent_report.json"
    if not report_path.exists():
        print(f"no intent report at {report_path}", file=sys.stderr)
        return 1
    report = json.loads(report_path.read_text(encoding="utf-8"))
    print("Intent classification on held-out data (tests/nlu/held_out.yml)")
    print(f"{'intent':<18} {'precision':>9} {'recall':>7} {'f1':>6} {'n':>4}")
    for name, row in sorted(report.items()):
        if not isinstance(row, dict) or "support" not in row or name.endswith("avg"):
            continue
        print(
            f"{name:<18} {row['precision']:>9.3f} {row['recall']:>7.3f} "
            f"{row['f1-score']:>6.3f} {row['support']:>4}"
        )
    weighted = report["weighted avg"]
    print(f"weighted F1 {weighted['f1-score']:.3f}  accuracy {report.get('accuracy', 0.0):.3f}")
    return 0


if __name__ == "__main__":
    sys.exit(main(Path(sys.argv[1] if len(sys.argv) > 1 else "results/nlu")))
