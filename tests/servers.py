"""Command lines of the servers the end-to-end suites start (one place for all of them)."""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "b12.tar.gz"


def action_server_argv(port: int) -> list[str]:
    """The token-checking action server (``python -m action_server``) on 127.0.0.1:port."""
    return [sys.executable, "-m", "action_server", "--actions", "actions", "--port", str(port)]


def rasa_server_argv(port: int, endpoints: Path, model: Path = MODEL) -> list[str]:
    """``rasa run`` on 127.0.0.1:port with the project's credentials and the given endpoints."""
    return [
        str(BIN / "rasa"), "run", "--model", str(model), "--port", str(port),
        "--interface", "127.0.0.1", "--credentials", str(ROOT / "credentials.yml"),
        "--endpoints", str(endpoints),
    ]  # fmt: skip
