"""The blind test splits are frozen: any edit after the freeze fails here.

A deliberate change (never to make a figure look better) must update MANIFEST.yml in the same
commit, where a reviewer sees it.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

BLIND = Path(__file__).resolve().parent / "blind"
MANIFEST = yaml.safe_load((BLIND / "MANIFEST.yml").read_text(encoding="utf-8"))["sets"]


@pytest.mark.parametrize("name", sorted(MANIFEST))
@pytest.mark.parametrize("half", ["dev", "test"])
def test_split_matches_manifest(name: str, half: str) -> None:
    entry = MANIFEST[name][half]
    text = (BLIND / entry["file"]).read_bytes()
    assert hashlib.sha256(text).hexdigest() == entry["sha256"], f"{entry['file']} changed"


@pytest.mark.parametrize("name", sorted(MANIFEST))
def test_halves_are_disjoint_and_complete(name: str) -> None:
    ids = {}
    for half in ("dev", "test"):
        data = yaml.safe_load((BLIND / MANIFEST[name][half]["file"]).read_text(encoding="utf-8"))
        key = next(k for k, v in data.items() if isinstance(v, list))
        ids[half] = {str(item["id"]) for item in data[key]}
        assert len(ids[half]) == MANIFEST[name][half]["items"]
    assert not ids["dev"] & ids["test"]
