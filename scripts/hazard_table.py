"""Print the README's hazard table from safety/hazard_log.yml (one row per hazard).

    python scripts/hazard_table.py            # print the table
    python scripts/hazard_table.py --write    # replace the table in README.md

tests/safety/test_hazard_log.py checks that README.md shows exactly this table, so the list
people read never drifts from the log the tests check.
"""

from __future__ import annotations

import argparse
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
LOG = ROOT / "safety" / "hazard_log.yml"
README = ROOT / "README.md"
HEADER = (
    "| id | hazard | severity | risk → residual | status | tests |\n"
    "| --- | --- | --- | --- | --- | --- |"
)


def table(log: Path = LOG) -> str:
    """The markdown table: id, title, severity, risk → residual, status, number of tests."""
    hazards = yaml.safe_load(log.read_text(encoding="utf-8"))
    items = hazards["hazards"] if isinstance(hazards, dict) else hazards
    rows = [HEADER]
    for h in items:
        tests = {t for c in h["controls"] for t in c["tests"]}
        title = str(h["title"]).replace("|", "\\|")
        rows.append(
            f"| {h['id']} | {title} | {h['severity']} | {h['risk']} → {h['residual_risk']} "
            f"| {h['status']} | {len(tests)} |"
        )
    return "\n".join(rows)


def current(readme: str) -> str:
    """The hazard table as README.md shows it now."""
    start = readme.index(HEADER)
    end = readme.find("\n\n", start)
    return readme[start : end if end != -1 else len(readme)]


def main() -> None:
    """Print the table, or write it into README.md."""
    parser = argparse.ArgumentParser()
    parser.add_argument("--write", action="store_true")
    args = parser.parse_args()
    fresh = table()
    if not args.write:
        print(fresh)
        return
    text = README.read_text(encoding="utf-8")
    README.write_text(text.replace(current(text), fresh), encoding="utf-8")


if __name__ == "__main__":
    main()
