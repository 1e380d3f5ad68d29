"""Split a blind evaluation file into dev and test halves, once, and record the freeze.

Items are copied verbatim (text and labels as the blind writer left them). The split is
stratified by one label and decided by a hash of each item's id, so it is reproducible and
owes nothing to how the bot does on an item. The manifest records the sha256 of both halves;
tests/eval/test_blind_frozen.py fails if a frozen test half changes afterwards.

    python scripts/split_blind.py tests/eval/blind/triage_raw.yml --items messages \
        --stratify urgency --name triage
"""

from __future__ import annotations

import argparse
import datetime as dt
import hashlib
from collections import defaultdict
from pathlib import Path
from typing import Any

import yaml

BLIND = Path(__file__).resolve().parent.parent / "tests" / "eval" / "blind"
MANIFEST = BLIND / "MANIFEST.yml"
SALT = "blind-split-2026-12-01"


def _key(item_id: str) -> str:
    return hashlib.sha256(f"{SALT}:{item_id}".encode()).hexdigest()


def split(items: list[dict[str, Any]], stratify: str | None) -> tuple[list[Any], list[Any]]:
    """Alternate items of each stratum, in hash order, between dev and test."""
    strata: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for item in items:
        label = item
        for part in (stratify or "").split(".") if stratify else []:
            label = label.get(part, {}) if isinstance(label, dict) else {}
        strata[str(label) if stratify else "all"].append(item)
    dev: list[Any] = []
    test: list[Any] = []
    for name in sorted(strata):
        for i, item in enumerate(sorted(strata[name], key=lambda it: _key(str(it["id"])))):
            (test if i % 2 == 0 else dev).append(item)
    order = {id(item): n for n, item in enumerate(items)}
    return sorted(dev, key=lambda it: order[id(it)]), sorted(test, key=lambda it: order[id(it)])


def _dump(path: Path, header: dict[str, Any], key: str, items: list[Any], note: str) -> str:
    body = {**header, "split": path.stem.rsplit("_", 1)[-1], key: items}
    text = f"# {note}\n" + yaml.safe_dump(body, allow_unicode=True, sort_keys=False, width=100)
    path.write_text(text, encoding="utf-8")
    return hashlib.sha256(text.encode()).hexdigest()


def main() -> None:
    """Split one raw file and add its entry to the manifest."""
    parser = argparse.ArgumentParser()
    parser.add_argument("raw", type=Path)
    parser.add_argument("--items", required=True, help="key of the item list")
    parser.add_argument("--stratify", default=None, help="dotted label path, e.g. expected.topic")
    parser.add_argument("--name", required=True)
    args = parser.parse_args()
    data = yaml.safe_load(args.raw.read_text(encoding="utf-8"))
    raw_sha = hashlib.sha256(args.raw.read_bytes()).hexdigest()
    items = data.pop(args.items)
    dev, test = split(items, args.stratify)
    note = (
        f"Blind split of {args.raw.name} (sha256 {raw_sha[:16]}), items verbatim; "
        "see tests/eval/blind/README.md. Do not edit."
    )
    shas = {
        half: _dump(BLIND / f"{args.name}_{half}.yml", data, args.items, rows, note)
        for half, rows in (("dev", dev), ("test", test))
    }
    manifest = yaml.safe_load(MANIFEST.read_text()) if MANIFEST.exists() else {"sets": {}}
    manifest["sets"][args.name] = {
        "raw_sha256": raw_sha,
        "stratified_by": args.stratify,
        "salt": SALT,
        "dev": {"file": f"{args.name}_dev.yml", "items": len(dev), "sha256": shas["dev"]},
        "test": {"file": f"{args.name}_test.yml", "items": len(test), "sha256": shas["test"]},
        "frozen_on": dt.date.today().isoformat(),
    }
    MANIFEST.write_text(yaml.safe_dump(manifest, sort_keys=False), encoding="utf-8")
    print(f"{args.name}: dev {len(dev)}, test {len(test)}")


if __name__ == "__main__":
    main()
