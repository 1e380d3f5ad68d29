"""Command lines of the servers the end-to-end suites start (one place for all of them)."""

from __future__ import annotations

import os
import subprocess
import sys
from collections.abc import Iterable
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
MODEL = ROOT / "models" / "b12.tar.gz"


def action_server_argv(port: int) -> list[str]:
    """The token-checking action server (``python -m action_server``) on 127.0.0.1:port."""
    return [sys.executable, "-m", "action_server", "--actions", "actions", "--port", str(port)]


def rasa_server_argv(port: int, endpoints: Path, model: Path = MODEL) -> list[str]:
    """``rasa run`` on 127.0.0.1:port with the project's credentials and the given endpoints.

    Started as ``python -m rasa_patches run``: the Rasa patches installed, as in production.
    """
    return [
        sys.executable, "-m", "rasa_patches", "run", "--model", str(model), "--port", str(port),
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


def write_endpoints(work: Path, action_port: int) -> Path:
    """An endpoints.yml for the action server on action_port; the token comes from the env.

    Same mechanism as the project's endpoints.yml: Rasa expands ${ACTION_SERVER_TOKEN} from
    the environment and sends it to the action server as ?token=.
    """
    endpoints = work / "endpoints.yml"
    endpoints.write_text(
        "action_endpoint:\n"
        f'  url: "http://127.0.0.1:{action_port}/webhook"\n'
        "  token: ${ACTION_SERVER_TOKEN}\n"
    )
    return endpoints


def server_env(work: Path, token: str, **extra: str) -> dict[str, str]:
    """Environment for both servers: no telemetry, our packages, feedback under work, token."""
    env = os.environ | {
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}",
        "FEEDBACK_PATH": str(work / "feedback.jsonl"),
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "ACTION_SERVER_TOKEN": token,
        **extra,
    }
    env.pop("CORS_ORIGINS", None)
    return env


def stop(procs: Iterable[subprocess.Popen[bytes]]) -> None:
    """Terminate the processes, killing any that has not exited 20 s later."""
    procs = list(procs)
    for proc in procs:
        proc.terminate()
    for proc in procs:
        try:
            proc.wait(timeout=20)
        except subprocess.TimeoutExpired:
            proc.kill()
