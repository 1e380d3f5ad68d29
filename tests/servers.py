"""Command lines of the servers the end-to-end suites start (one place for all of them)."""

from __future__ import annotations

import subprocess
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


def spawn_bot(
    work: Path, env: dict[str, str], action_port: int, rasa_port: int, endpoints: Path
) -> tuple[list[subprocess.Popen[bytes]], Path, Path]:
    """Start one action server and one Rasa server; return them and their log files."""
    action_log, rasa_log = work / "actions.log", work / "rasa.log"
    procs = [
        subprocess.Popen(argv, cwd=ROOT, env=env, stdout=log.open("w"), stderr=subprocess.STDOUT)
        for argv, log in (
            (action_server_argv(action_port), action_log),
            (rasa_server_argv(rasa_port, endpoints), rasa_log),
        )
    ]
    return procs, action_log, rasa_log
