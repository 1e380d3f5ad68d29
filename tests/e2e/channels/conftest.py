"""Slack and Teams end to end, offline: local stand-ins for Slack and Microsoft, real servers.

One aiohttp app plays the Slack Web API (records ``chat.postMessage``); another plays
Microsoft: OpenID metadata, a JWKS with a locally generated RSA key, the OAuth token
endpoint and the Bot Connector (records ``/v3/conversations/{id}/activities``). The Rasa
and action servers are started once per session, like ``tests/e2e/conftest.py`` does, with
the Slack and Teams environment variables pointing at the stand-ins.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import json
import secrets
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jwt
import pytest
from aiohttp import web
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm

from tests.e2e.conftest import (
    MODEL,
    RATE_LIMIT_PER_MINUTE,
    START_TIMEOUT_S,
    _free_port,
    _get,
)
from tests.servers import server_env, spawn_bot, stop, write_endpoints

SLACK_SECRET = "slack-signing-secret-for-tests"
SLACK_TOKEN = "xoxb-test-token"
TEAMS_APP_ID = "00000000-1111-2222-3333-444444444444"
TEAMS_PASSWORD = "teams-app-password-for-tests"
CONNECTOR_TOKEN = "connector-access-token-for-tests"
ISSUER = "https://api.botframework.com"
KID = "standin-key-1"
WAIT_S = 60


# --------------------------------------------------------------------------------------------
# Stand-ins
# --------------------------------------------------------------------------------------------


@dataclass
class Recorder:
    """Requests the stand-ins received, thread-safe."""

    items: list[dict[str, Any]] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def add(self, item: dict[str, Any]) -> None:
        with self.lock:
            self.items.append(item)

    def snapshot(self) -> list[dict[str, Any]]:
        with self.lock:
            return list(self.items)

    def wait_for(
        self,
        predicate: Callable[[list[dict[str, Any]]], Any],
        timeout: float = WAIT_S,
    ) -> Any:
        """Poll until ``predicate(items)`` is truthy; return its value."""
        deadline = time.monotonic() + timeout
        while True:
            found = predicate(self.snapshot())
            if found:
                return found
            if time.monotonic() > deadline:
                raise AssertionError(f"timed out; recorded: {json.dumps(self.snapshot())[:4000]}")
            time.sleep(0.2)


@dataclass
class StandIns:
    slack_url: str
    microsoft_url: str
    slack_posts: Recorder
    activities: Recorder
    token_requests: Recorder
    key_fetches: Recorder
    private_key: rsa.RSAPrivateKey
    slack_updates: Recorder = field(default_factory=Recorder)  # chat.update calls

    @property
    def service_url(self) -> str:
        return f"{self.microsoft_url}/"


def _slack_app(posts: Recorder, updates: Recorder) -> web.Application:
    async def post_message(request: web.Request) -> web.Response:
        body = await request.json()
        posts.add({"auth": request.headers.get("Authorization"), "body": body})
        return web.json_response(
            {"ok": True, "channel": body.get("channel"), "ts": f"{time.time():.6f}"}
        )

    async def update(request: web.Request) -> web.Response:
        body = await request.json()
        updates.add({"auth": request.headers.get("Authorization"), "body": body})
        return web.json_response({"ok": True, "channel": body.get("channel"), "ts": body.get("ts")})

    async def other(request: web.Request) -> web.Response:
        return web.json_response({"ok": True})

    app = web.Application()
    app.router.add_post("/api/chat.postMessage", post_message)
    app.router.add_post("/api/chat.update", update)
    app.router.add_route("*", "/api/{method}", other)
    return app


def _microsoft_app(
    key: rsa.RSAPrivateKey,
    base: Callable[[], str],
    activities: Recorder,
    tokens: Recorder,
    key_fetches: Recorder,
) -> web.Application:
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    jwk.update({"kid": KID, "use": "sig", "alg": "RS256", "endorsements": ["msteams"]})

    async def metadata(_: web.Request) -> web.Response:
        return web.json_response(
            {
                "issuer": ISSUER,
                "jwks_uri": f"{base()}/keys",
                "id_token_signing_alg_values_supported": ["RS256"],
            }
        )

    async def keys(_: web.Request) -> web.Response:
        key_fetches.add({"at": time.time()})
        return web.json_response({"keys": [jwk]})

    async def token(request: web.Request) -> web.Response:
        form = await request.post()
        tokens.add(dict(form))
        if form.get("client_id") != TEAMS_APP_ID or form.get("client_secret") != TEAMS_PASSWORD:
            return web.json_response({"error": "invalid_client"}, status=401)
        return web.json_response(
            {"token_type": "Bearer", "expires_in": 3600, "access_token": CONNECTOR_TOKEN}
        )

    async def activity(request: web.Request) -> web.Response:
        if request.headers.get("Authorization") != f"Bearer {CONNECTOR_TOKEN}":
            return web.json_response({"error": "unauthorized"}, status=401)
        body = await request.json()
        activities.add({"conversation": request.match_info["conversation"], "body": body})
        return web.json_response({"id": uuid.uuid4().hex})

    app = web.Application()
    app.router.add_get("/.well-known/openidconfiguration", metadata)
    app.router.add_get("/keys", keys)
    app.router.add_post("/botframework.com/oauth2/v2.0/token", token)
    app.router.add_post("/v3/conversations/{conversation}/activities", activity)
    return app


@pytest.fixture(scope="session")
def stand_ins() -> Iterator[StandIns]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    slack_posts, activities, tokens, key_fetches = Recorder(), Recorder(), Recorder(), Recorder()
    slack_updates = Recorder()
    slack_port, ms_port = _free_port(), _free_port()
    ms_url = f"http://127.0.0.1:{ms_port}"
    loop = asyncio.new_event_loop()
    runners: list[web.AppRunner] = []
    ready = threading.Event()

    async def start() -> None:
        for app, port in (
            (_slack_app(slack_posts, slack_updates), slack_port),
            (_microsoft_app(key, lambda: ms_url, activities, tokens, key_fetches), ms_port),
        ):
            runner = web.AppRunner(app, access_log=None)
            await runner.setup()
            await web.TCPSite(runner, "127.0.0.1", port).start()
            runners.append(runner)

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(start())
        ready.set()
        loop.run_forever()

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    assert ready.wait(30), "stand-ins did not start"
    try:
        yield StandIns(
            slack_url=f"http://127.0.0.1:{slack_port}",
            microsoft_url=ms_url,
            slack_posts=slack_posts,
            activities=activities,
            token_requests=tokens,
            key_fetches=key_fetches,
            private_key=key,
            slack_updates=slack_updates,
        )
    finally:

        async def stop() -> None:
            for runner in runners:
                await runner.cleanup()

        asyncio.run_coroutine_threadsafe(stop(), loop).result(timeout=30)
        loop.call_soon_threadsafe(loop.stop)
        thread.join(timeout=10)


# --------------------------------------------------------------------------------------------
# Servers
# --------------------------------------------------------------------------------------------


@dataclass
class ChannelBot:
    """The running servers and the stand-ins they talk to."""

    rasa_url: str
    rasa_log: Path
    action_log: Path
    stand_ins: StandIns

    # ---- raw HTTP ----
    def post(self, path: str, body: bytes, headers: dict[str, str]) -> tuple[int, bytes]:
        request = urllib.request.Request(
            f"{self.rasa_url}{path}", data=body, headers=headers, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return int(reply.status), reply.read()
        except urllib.error.HTTPError as error:
            return error.code, error.read()

    # ---- Slack ----
    def slack_raw(
        self,
        body: bytes,
        content_type: str,
        *,
        timestamp: int | None = None,
        secret: str = SLACK_SECRET,
        signature: str | None = None,
    ) -> tuple[int, bytes]:
        stamp = str(int(time.time()) if timestamp is None else timestamp)
        if signature is None:
            base = b"v0:" + stamp.encode() + b":" + body
            signature = "v0=" + hmac.new(secret.encode(), base, hashlib.sha256).hexdigest()
        headers = {
            "Content-Type": content_type,
            "X-Slack-Request-Timestamp": stamp,
            "X-Slack-Signature": signature,
        }
        return self.post("/webhooks/slack/webhook", body, headers)

    def slack_event(self, event: dict[str, Any], **kwargs: Any) -> tuple[int, bytes]:
        body = {
            "token": "unused",
            "team_id": "T1",
            "api_app_id": "A1",
            "type": "event_callback",
            "event_id": f"Ev{uuid.uuid4().hex[:10]}",
            "event_time": int(time.time()),
            "authorizations": [{"team_id": "T1", "user_id": "UBOT", "is_bot": True}],
            "event": event,
        }
        return self.slack_raw(json.dumps(body).encode(), "application/json", **kwargs)

    def slack_click(self, payload: dict[str, Any], **kwargs: Any) -> tuple[int, bytes]:
        form = urllib.parse.urlencode({"payload": json.dumps(payload)}).encode()
        return self.slack_raw(form, "application/x-www-form-urlencoded", **kwargs)

    # ---- Teams ----
    def teams_token(
        self,
        *,
        claims: dict[str, Any] | None = None,
        drop: tuple[str, ...] = (),
        headers: dict[str, Any] | None = None,
        key: Any = ...,
        algorithm: str = "RS256",
    ) -> str:
        now = int(time.time())
        payload: dict[str, Any] = {
            "iss": ISSUER,
            "aud": TEAMS_APP_ID,
            "exp": now + 3600,
            "nbf": now - 10,
            "iat": now - 10,
            "serviceurl": self.stand_ins.service_url,
        }
        payload.update(claims or {})
        for name in drop:
            payload.pop(name, None)
        return jwt.encode(
            payload,
            self.stand_ins.private_key if key is ... else key,
            algorithm=algorithm,
            headers={"kid": KID, **(headers or {})},
        )

    def teams_activity(
        self,
        conversation: str,
        user: str,
        text: str | None = None,
        value: Any = None,
        *,
        token: str | None = None,
        service_url: str | None = None,
    ) -> tuple[int, bytes]:
        activity: dict[str, Any] = {
            "type": "message",
            "id": uuid.uuid4().hex,
            "timestamp": "2026-01-01T00:00:00Z",
            "channelId": "msteams",
            "serviceUrl": service_url or self.stand_ins.service_url,
            "from": {"id": user, "name": "Test user"},
            "conversation": {"id": conversation},
            "recipient": {"id": "28:bot", "name": "B12 bot"},
        }
        if text is not None:
            activity["text"] = text
        if value is not None:
            activity["value"] = value
        bearer = self.teams_token() if token is None else token
        headers = {"Content-Type": "application/json"}
        if bearer:
            headers["Authorization"] = f"Bearer {bearer}"
        return self.post("/webhooks/botframework/webhook", json.dumps(activity).encode(), headers)


@pytest.fixture(scope="session")
def channel_bot(
    stand_ins: StandIns, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[ChannelBot]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    work = tmp_path_factory.mktemp("channel-bot")
    rasa_port, action_port = _free_port(), _free_port()
    token = secrets.token_urlsafe(32)
    endpoints = write_endpoints(work, action_port)
    ms = stand_ins.microsoft_url
    env = server_env(
        work,
        token,
        RATE_LIMIT_PER_MINUTE=str(RATE_LIMIT_PER_MINUTE),
        SLACK_BOT_TOKEN=SLACK_TOKEN,
        SLACK_SIGNING_SECRET=SLACK_SECRET,
        SLACK_API_URL=f"{stand_ins.slack_url}/api/",
        SLACK_AUDIENCE="clinician",
        TEAMS_APP_ID=TEAMS_APP_ID,
        TEAMS_APP_PASSWORD=TEAMS_PASSWORD,
        TEAMS_OPENID_METADATA_URL=f"{ms}/.well-known/openidconfiguration",
        TEAMS_TOKEN_URL=f"{ms}/botframework.com/oauth2/v2.0/token",
        TEAMS_SERVICE_URL_ALLOWLIST=f"{ms}/",
        TEAMS_AUDIENCE="clinician",
    )
    env.pop("SLACK_CHANNELS", None)
    procs, action_log, rasa_log = spawn_bot(work, env, action_port, rasa_port, endpoints)
    rasa_url = f"http://127.0.0.1:{rasa_port}"
    running = ChannelBot(
        rasa_url=rasa_url, rasa_log=rasa_log, action_log=action_log, stand_ins=stand_ins
    )

    def healthy() -> bool:
        return (
            _get(f"{rasa_url}/webhooks/slack/") == 200
            and _get(f"{rasa_url}/webhooks/botframework/") == 200
            and _get(f"http://127.0.0.1:{action_port}/health") == 200
        )

    deadline = time.monotonic() + START_TIMEOUT_S
    try:
        while not healthy():
            if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
                logs = rasa_log.read_text()[-3000:] + action_log.read_text()[-3000:]
                pytest.fail(f"servers did not start:\n{logs}")
            time.sleep(1)
        yield running
    finally:
        stop(procs)


# --------------------------------------------------------------------------------------------
# Helpers for reading what the bot posted
# --------------------------------------------------------------------------------------------


def block_text(blocks: list[dict[str, Any]]) -> str:
    """All text in a list of Block Kit blocks, one piece a line."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if isinstance(node.get("text"), str):
                out.append(node["text"])
            for value in node.values():
                if isinstance(value, (dict, list)):
                    walk(value)
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(blocks)
    return "\n".join(out)


def card_of(activity: dict[str, Any]) -> dict[str, Any] | None:
    """The Adaptive Card content in an activity, if any."""
    for attachment in activity.get("attachments") or []:
        if attachment.get("contentType") == "application/vnd.microsoft.card.adaptive":
            return dict(attachment["content"])
    return None


def card_text(card: dict[str, Any]) -> str:
    """All TextBlock texts and FactSet titles/values in a card."""
    out: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, dict):
            if node.get("type") == "TextBlock":
                out.append(str(node.get("text")))
            if node.get("type") == "FactSet":
                out.extend(f"{f['title']}: {f['value']}" for f in node.get("facts", []))
            for key in ("body", "items", "columns"):
                if isinstance(node.get(key), list):
                    walk(node[key])
        elif isinstance(node, list):
            for item in node:
                walk(item)

    walk(card)
    return "\n".join(out)
