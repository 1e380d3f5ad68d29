"""Start the real action server and Rasa server once per test session; talk over REST."""

from __future__ import annotations

import json
import secrets
import socket
import threading
import time
import urllib.error
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest

from tests.servers import MODEL, server_env, spawn_bot, stop, write_endpoints

START_TIMEOUT_S = 300
# High enough that no conversation test reaches it; tests/e2e/test_security.py exceeds it.
RATE_LIMIT_PER_MINUTE = 120


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _get(url: str) -> int:
    try:
        with urllib.request.urlopen(url, timeout=2) as reply:
            return int(reply.status)
    except (urllib.error.URLError, OSError):
        return 0


@dataclass
class Reply:
    """One HTTP reply from the REST channel."""

    status: int
    messages: list[dict[str, Any]]
    body: Any

    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages if m.get("text")]

    def payloads(self, kind: str | None = None) -> list[dict[str, Any]]:
        found = [m["custom"] for m in self.messages if isinstance(m.get("custom"), dict)]
        return [p for p in found if kind is None or p.get("type") == kind]

    def payload(self, kind: str) -> dict[str, Any]:
        (found,) = self.payloads(kind)
        return found


@dataclass
class Bot:
    """The running servers."""

    rasa_url: str
    action_url: str
    feedback_path: Path
    action_log: Path
    rasa_log: Path
    action_token: str = ""
    rate_limit_per_minute: int = RATE_LIMIT_PER_MINUTE

    def post_raw(self, body: bytes, content_type: str = "application/json") -> Reply:
        request = urllib.request.Request(
            f"{self.rasa_url}/webhooks/rest/webhook",
            data=body,
            headers={"Content-Type": content_type},
            method="POST",
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as reply:
                status, raw = int(reply.status), reply.read()
        except urllib.error.HTTPError as error:
            status, raw = error.code, error.read()
        try:
            parsed = json.loads(raw or b"null")
        except ValueError:
            parsed = raw.decode("utf-8", "replace")
        messages = parsed if isinstance(parsed, list) else []
        return Reply(status=status, messages=messages, body=parsed)

    def say(self, sender: str, message: str, audience: str | None = None) -> Reply:
        body: dict[str, Any] = {"sender": sender, "message": message}
        if audience:
            body["metadata"] = {"audience": audience}
        return self.post_raw(json.dumps(body).encode("utf-8"))

    def healthy(self) -> bool:
        return (
            _get(f"{self.rasa_url}/webhooks/rest/") == 200
            and _get(f"{self.action_url}/health") == 200
        )


@dataclass
class HandoffWebhook:
    """Stand-in for the operator webhook (HANDOFF_WEBHOOK_URL): records what it receives."""

    url: str
    webhook_token: str
    operator_token: str
    status: int = 200  # what it answers; a test may set e.g. 503 and must restore 200
    received: list[dict[str, Any]] = field(default_factory=list)  # {"headers", "body"}

    def bodies_for(self, conversation_id: str) -> list[dict[str, Any]]:
        return [
            r["body"]
            for r in list(self.received)
            if isinstance(r["body"], dict) and r["body"].get("conversation_id") == conversation_id
        ]


@pytest.fixture(scope="session")
def handoff_webhook() -> Iterator[HandoffWebhook]:
    """A local HTTP server standing in for the operator channel (e.g. a Slack webhook)."""
    stand_in = HandoffWebhook(
        url="",
        webhook_token=secrets.token_urlsafe(16),
        operator_token=secrets.token_urlsafe(32),
    )

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            try:
                body: Any = json.loads(raw or b"null")
            except ValueError:
                body = raw.decode("utf-8", "replace")
            stand_in.received.append({"headers": dict(self.headers), "body": body})
            self.send_response(stand_in.status)
            self.send_header("Content-Type", "text/plain")
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args: Any) -> None:  # keep test output quiet
            return

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    stand_in.url = f"http://127.0.0.1:{server.server_address[1]}/operator-hook"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield stand_in
    finally:
        server.shutdown()
        server.server_close()


@pytest.fixture(scope="session")
def bot(tmp_path_factory: pytest.TempPathFactory, handoff_webhook: HandoffWebhook) -> Iterator[Bot]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    work = tmp_path_factory.mktemp("bot")
    rasa_port, action_port = _free_port(), _free_port()
    token = secrets.token_urlsafe(32)
    endpoints = write_endpoints(work, action_port)
    env = server_env(
        work,
        token,
        RATE_LIMIT_PER_MINUTE=str(RATE_LIMIT_PER_MINUTE),
        HANDOFF_WEBHOOK_URL=handoff_webhook.url,
        HANDOFF_WEBHOOK_TOKEN=handoff_webhook.webhook_token,
        HANDOFF_OPERATOR_TOKEN=handoff_webhook.operator_token,
    )
    procs, action_log, rasa_log = spawn_bot(work, env, action_port, rasa_port, endpoints)
    running = Bot(
        rasa_url=f"http://127.0.0.1:{rasa_port}",
        action_url=f"http://127.0.0.1:{action_port}",
        feedback_path=work / "feedback.jsonl",
        action_log=action_log,
        rasa_log=rasa_log,
        action_token=token,
    )
    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while not running.healthy():
            if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
                logs = rasa_log.read_text()[-3000:] + action_log.read_text()[-3000:]
                pytest.fail(f"servers did not start:\n{logs}")
            time.sleep(1)
        yield running
    finally:
        stop(procs)


@pytest.fixture
def sender() -> Callable[[], str]:
    """Random, unguessable conversation ids: one per conversation in a test."""
    return lambda: f"e2e-{uuid.uuid4().hex}"
