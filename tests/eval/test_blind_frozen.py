"""The blind splits are frozen: any edit after the freeze fails here.

A deliberate change (never to make a figure look better) must update MANIFEST.yml in the same
commit, where a reviewer sees it. Some sets are dev only (written later, to tune on); triage4
is test only (a fresh held-out set after three tuning rounds on the others).
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pytest
import yaml

BLIND = Path(__file__).resolve().parent / "blind"
MANIFEST = yaml.safe_load((BLIND / "MANIFEST.yml").read_text(encoding="utf-8"))["sets"]
HALVES = [
    (name, half) for name in sorted(MANIFEST) for half in ("dev", "test") if half in MANIFEST[name]
]


def _ids(name: str, half: str) -> set[str]:
    data = yaml.safe_load((BLIND / MANIFEST[name][half]["file"]).read_text(encoding="utf-8"))
    key = next(k for k, v in data.items() if isinstance(v, list))
    return {str(item["id"]) for item in data[key]}


@pytest.mark.parametrize(("name", "half"), HALVES)
def test_split_matches_manifest(name: str, half: str) -> None:
    entry = MANIFEST[name][half]
    text = (BLIND / entry["file"]).read_bytes()
    assert hashlib.sha256(text).hexdigest() == entry["sha256"], f"{entry['file']} changed"
    assert len(_ids(name, half)) == entry["items"]


@pytest.mark.parametrize(
    "name", sorted(n for n in MANIFEST if "test" in MANIFEST[n] and "dev" in MANIFEST[n])
)
def test_halves_are_disjoint(name: str) -> None:
    assert not _ids(name, "dev") & _ids(name, "test")


def test_no_sentence_of_a_test_half_is_in_any_dev_half() -> None:
    def texts(half: str) -> set[str]:
        out: set[str] = set()
        for name, h in HALVES:
            if h != half:
                continue
            data = yaml.safe_load((BLIND / MANIFEST[name][h]["file"]).read_text(encoding="utf-8"))
            key = next(k for k, v in data.items() if isinstance(v, list))
            out |= {
                " ".join(str(i.get("text") or i.get("question")).lower().split()) for i in data[key]
            }
        return out

    assert not texts("test") & texts("dev")
