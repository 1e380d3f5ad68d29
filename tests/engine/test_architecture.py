"""Architecture rules: the engine never imports Rasa; nothing reads files at import time."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

from guideline_engine.content.b12.rules import ALL_SNIPPET_IDS
from guideline_engine.knowledge import load_knowledge_base

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "src" / "guideline_engine"
FORBIDDEN = ("rasa", "rasa_sdk", "sanic")


def _imported_modules(path: Path) -> set[str]:
    tree = ast.parse(path.read_text(encoding="utf-8"))
    names: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names.add(node.module)
    return names


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=str(p.relative_to(ENGINE))) for p in sorted(ENGINE.rglob("*.py"))]
)
def test_engine_module_does_not_import_rasa(path: Path) -> None:
    bad = {m for m in _imported_modules(path) if m.split(".")[0] in FORBIDDEN}
    assert not bad, f"{path} imports {sorted(bad)}"


def test_every_snippet_the_rules_cite_exists_in_the_knowledge_base() -> None:
    assert ALL_SNIPPET_IDS <= load_knowledge_base(approved_only=False).ids


IMPORT_WITHOUT_IO = """
import builtins, importlib, io, pathlib, pkgutil, sys
sys.path[:0] = [{root!r}, {src!r}]
import rasa_sdk, rasa_sdk.forms, yaml, rank_bm25  # third-party imports may read files

def refuse(*args, **kwargs):
    raise AssertionError(f"file read at import time: {{args[:1]}}")

builtins.open = io.open = refuse
pathlib.Path.read_text = pathlib.Path.read_bytes = pathlib.Path.open = refuse
import guideline_engine, actions
for package in (guideline_engine, actions):
    for module in pkgutil.walk_packages(package.__path__, package.__name__ + "."):
        if not module.name.endswith("__main__"):  # running a CLI is not importing it
            importlib.import_module(module.name)
print("ok")
"""


def test_engine_and_actions_read_no_files_at_import_time() -> None:
    code = IMPORT_WITHOUT_IO.format(root=str(ROOT), src=str(ROOT / "src"))
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, timeout=120, check=False
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert result.stdout.strip().endswith("ok")
