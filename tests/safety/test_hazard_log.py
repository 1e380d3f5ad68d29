"""The hazard log is complete: every hazard has controls, every control names real tests."""

from __future__ import annotations

import ast
import re
from functools import cache
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "safety" / "hazard_log.yml"
SEVERITIES = ("minor", "significant", "considerable", "major", "catastrophic")
LIKELIHOODS = ("very_low", "low", "medium", "high", "very_high")
# DCB0129 matrix: rows likelihood (very_low..very_high), columns severity (minor..catastrophic).
MATRIX = (
    (1, 1, 2, 2, 3),
    (1, 2, 2, 3, 4),
    (2, 2, 3, 3, 4),
    (2, 3, 3, 4, 5),
    (3, 4, 4, 5, 5),
)
HAZARD_KEYS = {
    "id",
    "title",
    "found_by",
    "cause",
    "effect",
    "harm",
    "severity",
    "likelihood",
    "risk",
    "controls",
    "residual_likelihood",
    "residual_risk",
    "status",
    "sign_off",
}
CONTROL_KEYS = {"control", "tests"}
STATUSES = {"open", "mitigated", "closed"}
TEST_ID = re.compile(r"^(?P<path>tests/[\w/.-]+\.py)::(?P<names>[\w:]+)(\[[^\]]*\])?$")


def _hazards() -> list[dict[str, Any]]:
    data = yaml.safe_load(LOG.read_text(encoding="utf-8"))
    assert set(data) == {"version", "system", "hazards"}, "top-level keys"
    return list(data["hazards"])


def _risk(severity: str, likelihood: str) -> int:
    return MATRIX[LIKELIHOODS.index(likelihood)][SEVERITIES.index(severity)]


@cache
def _definitions(path: Path) -> frozenset[str]:
    """``Class::function`` and ``function`` names defined in a test module."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            names.add(node.name)
        elif isinstance(node, ast.ClassDef):
            for item in node.body:
                if isinstance(item, ast.FunctionDef | ast.AsyncFunctionDef):
                    names.add(f"{node.name}::{item.name}")
    return frozenset(names)


def test_hazard_ids_are_unique_and_ordered() -> None:
    ids = [h["id"] for h in _hazards()]
    assert len(ids) == len(set(ids))
    assert ids == sorted(ids)
    assert all(re.fullmatch(r"HAZ-\d{3}", i) for i in ids)


@pytest.mark.parametrize("hazard", _hazards(), ids=lambda h: str(h.get("id")))
def test_hazard_entry_is_complete(hazard: dict[str, Any]) -> None:
    assert set(hazard) == HAZARD_KEYS, set(hazard) ^ HAZARD_KEYS
    for key in ("title", "found_by", "cause", "effect", "harm"):
        assert isinstance(hazard[key], str) and hazard[key].strip(), key
    assert hazard["severity"] in SEVERITIES
    assert hazard["likelihood"] in LIKELIHOODS
    assert hazard["residual_likelihood"] in LIKELIHOODS
    assert hazard["risk"] == _risk(hazard["severity"], hazard["likelihood"])
    assert hazard["residual_risk"] == _risk(hazard["severity"], hazard["residual_likelihood"])
    assert hazard["status"] in STATUSES
    assert hazard["sign_off"] is None or set(hazard["sign_off"]) == {"by", "on", "role"}
    assert hazard["controls"], "a hazard without a control"
    for control in hazard["controls"]:
        assert set(control) == CONTROL_KEYS
        assert control["control"].strip()
        assert control["tests"], f"control without a test: {control['control']}"


@pytest.mark.parametrize("hazard", _hazards(), ids=lambda h: str(h.get("id")))
def test_named_tests_exist(hazard: dict[str, Any]) -> None:
    for control in hazard["controls"]:
        for test_id in control["tests"]:
            match = TEST_ID.match(test_id)
            assert match, f"not a test id: {test_id}"
            path = ROOT / match["path"]
            assert path.is_file(), f"no file for {test_id}"
            assert match["names"] in _definitions(path), f"no test {test_id}"


def test_readme_lists_every_hazard_as_the_log_says() -> None:
    """README's hazard table is generated from the log (python scripts/hazard_table.py --write)."""
    import importlib.util

    root = Path(__file__).resolve().parents[2]
    spec = importlib.util.spec_from_file_location("hazard_table", root / "scripts/hazard_table.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    readme = (root / "README.md").read_text(encoding="utf-8")
    assert module.current(readme) == module.table(), (
        "README.md's hazard table is out of date: run python scripts/hazard_table.py --write"
    )
