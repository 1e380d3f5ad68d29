"""The build fails clearly: Python check, hashed locks, a runtime-only image lock, .dockerignore."""

from __future__ import annotations

import fnmatch
import re
import subprocess
import sys
from pathlib import Path

import pytest

from scripts.check_python import problem
from security.audit import read_lock

ROOT = Path(__file__).resolve().parents[2]
DEV_LOCK = ROOT / "requirements" / "dev.lock"
RUNTIME_LOCK = ROOT / "requirements" / "runtime.lock"
MAKEFILE = (ROOT / "Makefile").read_text()
TEST_TOOLS = ("playwright", "mypy", "ruff", "pytest", "pytest-asyncio", "hypothesis")


# --- Python version ------------------------------------------------------------------------


@pytest.mark.parametrize("version", [(3, 10), (3, 11)])
def test_supported_pythons_pass(version: tuple[int, int]) -> None:
    assert problem(version, "python3") is None


def test_python_312_is_refused_with_what_to_install() -> None:
    message = problem((3, 12), "/usr/bin/python3")
    assert message is not None
    assert "Python 3.12" in message and "3.10 or 3.11" in message
    assert "TensorFlow 2.12" in message
    assert "make PYTHON=python3.11 install" in message
    assert "deadsnakes" in message and "pyenv" in message


def test_python_39_is_refused() -> None:
    message = problem((3, 9), "python3")
    assert message is not None and "3.10 or newer" in message


def test_the_check_script_exits_nonzero_with_the_message() -> None:
    ok = subprocess.run([sys.executable, "scripts/check_python.py"], cwd=ROOT, check=False)
    assert ok.returncode == (0 if sys.version_info[:2] in ((3, 10), (3, 11)) else 1)


def test_make_install_checks_python_before_pip() -> None:
    recipe = MAKEFILE[MAKEFILE.index("$(BIN)/.installed:") :]
    assert recipe.index("scripts/check_python.py") < recipe.index("pip install")


# --- Locks -------------------------------------------------------------------------------


def pins_with_hashes(path: Path) -> dict[str, bool]:
    """Each pinned requirement and whether at least one ``--hash`` follows it."""
    found: dict[str, bool] = {}
    current = ""
    for line in path.read_text().splitlines():
        if re.match(r"^[A-Za-z0-9]", line):
            current = line.split()[0]
            found[current] = False
        elif line.strip().startswith("--hash=sha256:") and current:
            found[current] = True
    return found


@pytest.mark.parametrize("lock", [DEV_LOCK, RUNTIME_LOCK], ids=["dev", "runtime"])
def test_every_pin_has_hashes(lock: Path) -> None:
    pins = pins_with_hashes(lock)
    assert len(pins) > 100
    assert all("==" in pin for pin in pins)
    assert [pin for pin, hashed in pins.items() if not hashed] == []


def test_runtime_lock_has_no_test_tools_and_matches_the_dev_lock() -> None:
    runtime, dev = read_lock(RUNTIME_LOCK), read_lock(DEV_LOCK)
    assert [tool for tool in TEST_TOOLS if tool in runtime] == []
    assert all(tool in dev for tool in TEST_TOOLS)
    assert {name: dev.get(name) for name in runtime} == runtime  # same versions as tested
    assert "rasa" in runtime and "rasa-sdk" in runtime


def test_installs_require_hashes_and_lock_uses_its_own_venv() -> None:
    assert "pip install --quiet --require-hashes --no-deps" in MAKEFILE
    lock = MAKEFILE[MAKEFILE.index("\nlock:") :].split("\n\n")[0]
    assert "$(PYTHON) -m pip" not in lock and "$(PYTHON) -m uv" not in lock
    assert "$(UV_COMPILE)" in lock and "--generate-hashes" in MAKEFILE
    assert "$(TOOLS)/bin/pip install --quiet uv==" in MAKEFILE


# --- .dockerignore ------------------------------------------------------------------------


def dockerignore_rules() -> list[tuple[bool, str]]:
    rules = []
    for line in (ROOT / ".dockerignore").read_text().splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            negated = line.startswith("!")
            rules.append((negated, line.lstrip("!").rstrip("/")))
    return rules


def ignored(path: str) -> bool:
    """Docker's rule: the last matching pattern wins; a pattern matching a parent counts."""
    parts = path.split("/")
    prefixes = ["/".join(parts[: i + 1]) for i in range(len(parts))]
    verdict = False
    for negated, pattern in dockerignore_rules():
        patterns = {pattern, pattern.removeprefix("**/")}
        if any(fnmatch.fnmatchcase(p, pat) for p in prefixes for pat in patterns) or any(
            fnmatch.fnmatchcase(p.rsplit("/", 1)[-1], pat.removeprefix("**/"))
            for p in prefixes
            if pattern.startswith("**/")
            for pat in patterns
        ):
            verdict = not negated
    return verdict


@pytest.mark.parametrize(
    "path",
    [
        ".venv/bin/python",
        ".venv-tools/bin/uv",
        ".venv-bench/lib/x.py",
        "var/feedback/feedback.jsonl",
        "var/webchat_secret",
        "var/services/postgres_password",
        ".git/config",
        "results/nlu/report.json",
        "models/old-model.tar.gz",
        "models/cache/x.bin",
        ".rasa/cache/fingerprints.db",
        "channels/__pycache__/webchat.cpython-311.pyc",
        ".mypy_cache/3.11/x.json",
        ".hypothesis/examples/x",
        "tests/eval/blind/triage_dev.yml",
        ".env",
        "deploy/tls.key",
        "rasa.db",
        "webchat/node_modules/x/index.js",
    ],
)
def test_the_image_gets_no_environment_data_or_secrets(path: str) -> None:
    assert ignored(path), path


@pytest.mark.parametrize(
    "path",
    [
        "models/b12.tar.gz",
        "channels/webchat.py",
        "rasa_patches/__init__.py",
        "stores/tracker_store.py",
        "actions/plan.py",
        "src/guideline_engine/__init__.py",
        "webchat/dist/index.html",
        "credentials.yml",
        "deploy/endpoints.production.yml",
        "requirements/runtime.lock",
        "domain.yml",
    ],
)
def test_the_image_gets_what_the_servers_need(path: str) -> None:
    assert not ignored(path), path
