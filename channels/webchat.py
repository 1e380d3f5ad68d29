"""Socket.io channel for the web chat widget, and the widget's static files.

Rasa 3.6's ``socketio`` channel has three problems for this project, fixed here:

* ``send_custom_json`` passes the payload to ``sio.emit`` as keyword arguments, which fails
  for any payload with keys other than ``emit``'s own. Here a custom payload is emitted as one
  ``bot_uttered`` message ``{"custom": payload}``; text and buttons go out as Rasa sends them
  (``{"text": ...}`` and ``{"text": ..., "quick_replies": [{"title", "payload", ...}]}``).
* With ``session_persistence`` the sender id is whatever ``session_id`` the client sends with
  each message, so a client can write into (and receive) another user's conversation. Here the
  client's id (random, >= 128 bits, kept in the browser) is only accepted in ``session_request``
  and only in the generated format; the sender id is an HMAC of it with a server secret, kept
  in the socket's server-side session. ``session_id`` in later messages is ignored.
* It accepts socket.io connections from any origin. Here only the server's own origin and the
  origins in ``WEBCHAT_ORIGINS`` (comma separated) may connect.

Limits and failures are handled as in the REST channel (``channels.rest_channel``): a message
over ``max_message_chars`` or over the per-conversation rate limit gets a clear reply and is
not processed (``{"custom": {"type": "b12.rate_limited", "retry_after": s}}`` follows the text);
when the tracker store, lock store or action server fails, or a turn exceeds ``TURN_TIMEOUT``,
nothing of the turn is saved and the user is told to try again
(``{"custom": {"type": "b12.unavailable", "error": code, "retry": true}}``; the widget offers a
"Try again" button). Logs carry sender ids and exception types, never the user's text.

The widget is served at ``/webchat/`` (``webchat/dist/index.html``, its title filled in from the
product's name and the topics registry), the embeddable script at ``/webchat/widget.js`` and the
title for an embedded widget at ``/webchat/config.json``.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import logging
import mimetypes
import os
import re
import secrets
from collections.abc import Awaitable, Callable
from functools import cache
from pathlib import Path
from typing import Any

from rasa.core.channels.channel import OutputChannel, UserMessage, decode_bearer_token
from rasa.core.channels.socketio import SocketBlueprint, SocketIOInput, SocketIOOutput
from sanic import Blueprint, Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse
from socketio import AsyncServer

import rasa_patches
from channels.turn_policy import Outcome, RateLimiter, TurnPolicy
from guideline_engine.topics import topics

logger = logging.getLogger(__name__)

DIST = Path(__file__).resolve().parents[1] / "webchat" / "dist"
DEFAULT_ORIGINS = "http://127.0.0.1:5005,http://localhost:5005"
# The widget sends 32 lowercase hex digits (128 random bits from crypto.getRandomValues);
# up to 64 are accepted so a longer id can be used later.
CLIENT_ID = re.compile(r"[0-9a-f]{32,64}")
AUDIENCES = ("clinician", "patient")
STATIC_NAME = re.compile(r"[A-Za-z0-9_-]+(\.[A-Za-z0-9]+)+")
PRODUCT_TITLE = "Guideline assistant"
"""The product's name; the page title adds the topics' own titles (credentials key ``title``)."""
TITLE_SLOT = "{{title}}"
"""Where ``webchat/src/index.html`` takes the title (the page's ``<title>`` and ``data-title``)."""
PAGE_CSP = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self' ws: wss:; frame-ancestors 'self'; base-uri 'none'; form-action 'none'"
)


def parse_origins(value: str | None) -> list[str]:
    """Comma-separated origins, without trailing slashes; blanks dropped."""
    return [o.strip().rstrip("/") for o in (value or "").split(",") if o.strip()]


def origin_checker(allowed: list[str]) -> Callable[[str | None, dict[str, Any]], bool]:
    """Allow the server's own origin and the configured ones (``*`` allows any)."""

    def check(origin: str | None, environ: dict[str, Any]) -> bool:
        if origin is None:
            return True  # not a browser: the Origin header is what browsers always send
        if "*" in allowed or origin in allowed:
            return True
        host = environ.get("HTTP_HOST")
        scheme = environ.get("wsgi.url_scheme", "http")
        return bool(host) and origin == f"{scheme}://{host}"

    return check


def sender_for(client_id: str, secret: bytes) -> str:
    """The Rasa sender id for a client id: an HMAC, so ids cannot be guessed or chosen."""
    digest = hmac.new(secret, client_id.encode("ascii"), hashlib.sha256).hexdigest()
    return f"web-{digest[:40]}"


def clean_metadata(value: Any) -> dict[str, Any]:
    """Keep only metadata the bot uses: ``audience`` (clinician or patient)."""
    if not isinstance(value, dict):
        return {}
    audience = value.get("audience")
    return {"audience": audience} if audience in AUDIENCES else {}


class WebchatOutput(SocketIOOutput):
    """Socket.io output that emits a custom payload as one ``{"custom": ...}`` message."""

    @classmethod
    def name(cls) -> str:
        """Same name as the input channel."""
        return "webchat"

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """Emit ``{"custom": payload}`` to the conversation's room."""
        await self._send_message(recipient_id, {"custom": json_message})


class WebchatBlueprint(SocketBlueprint):
    """Attaches socket.io and also registers the widget's static routes on the app."""

    def __init__(self, sio: AsyncServer, socketio_path: str, static: Blueprint) -> None:
        super().__init__(sio, socketio_path, "webchat_webhook", __name__)
        self.ctx.static = static

    def register(self, app: Sanic, options: dict[str, Any]) -> None:
        """Attach socket.io, the channel routes and ``/webchat/``."""
        super().register(app, options)
        app.blueprint(self.ctx.static)


@cache
def chat_title(product: str = PRODUCT_TITLE) -> str:
    """The chat's title: the product's name and every topic's title in patient words.

    E.g. "Guideline assistant: Vitamin B12 deficiency anaemia, Folate deficiency anaemia".
    """
    return f"{product}: " + ", ".join(t.title.text("patient") for t in topics().all)


def _headers(name: str) -> dict[str, str]:
    headers = {
        "X-Content-Type-Options": "nosniff",
        "Cache-Control": "no-cache",
        "Referrer-Policy": "no-referrer",
    }
    if name.endswith(".html"):
        headers["Content-Security-Policy"] = PAGE_CSP
    else:
        # widget.js, its stylesheet and config.json are read by other sites' pages.
        headers["Access-Control-Allow-Origin"] = "*"
        headers["Cross-Origin-Resource-Policy"] = "cross-origin"
    return headers


def static_file(dist: Path, name: str, title: str) -> HTTPResponse:
    """A file directly in ``dist``; the page gets ``title`` in its title slots. 404 otherwise."""
    path = dist / name
    if not STATIC_NAME.fullmatch(name) or not path.is_file():
        return response.text("Not found", status=404)
    mime = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if mime.startswith("text/") or mime.endswith("javascript") or mime.endswith("json"):
        mime += "; charset=utf-8"
    body = path.read_bytes()
    if name.endswith(".html"):
        page = path.read_text("utf-8").replace(TITLE_SLOT, html.escape(title, quote=True))
        body = page.encode("utf-8")
    return response.raw(body, content_type=mime, headers=_headers(name))


def widget_config(title: str) -> HTTPResponse:
    """``/webchat/config.json``: what an embedded widget shows when its page sets no title."""
    return response.json({"title": title}, headers=_headers("config.json"))


def static_blueprint(dist: Path, product: str = PRODUCT_TITLE) -> Blueprint:
    """``/webchat/`` (the page), ``/webchat/config.json`` and ``/webchat/<file>`` (in ``dist``).

    The title is the product's name plus the topics' titles, read when first asked for.
    """
    static = Blueprint("webchat_static", url_prefix="/webchat")

    def _file(name: str) -> HTTPResponse:
        return static_file(dist, name, chat_title(product))

    @static.route("/config.json", methods=["GET", "HEAD"])
    async def config(_: Request) -> HTTPResponse:
        return widget_config(chat_title(product))

    @static.route("", methods=["GET", "HEAD"], strict_slashes=True)
    async def page_redirect(_: Request) -> HTTPResponse:
        return response.redirect("/webchat/")

    @static.route("/", methods=["GET", "HEAD"], strict_slashes=True)
    async def page(_: Request) -> HTTPResponse:
        return _file("index.html")

    @static.route("/<name:str>", methods=["GET", "HEAD"])
    async def asset(_: Request, name: str) -> HTTPResponse:
        return _file(name)

    return static


class WebchatInput(SocketIOInput):
    """Socket.io input channel for the project's widget (credentials key ``channels.webchat``).

    Credentials (all optional): ``user_message_evt`` (``user_uttered``), ``bot_message_evt``
    (``bot_uttered``), ``socketio_path`` (``/socket.io``), ``namespace``, ``jwt_key``,
    ``jwt_method``, ``origins`` (overridden by env ``WEBCHAT_ORIGINS``),
    ``max_message_chars`` (env ``MAX_MESSAGE_CHARS``), ``rate_limit_per_minute`` (env
    ``RATE_LIMIT_PER_MINUTE``; 0 switches it off), ``title`` (the product's name the chat's
    title starts with; the topics' titles follow). The HMAC secret comes from env
    ``WEBCHAT_SECRET``; without it a random one is made per process (conversations then do
    not survive a server restart, which the in-memory tracker store does not do either).
    """

    @classmethod
    def name(cls) -> str:
        """URL prefix /webhooks/webchat/ (health check at /webhooks/webchat/)."""
        return "webchat"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> WebchatInput:
        """Build from credentials.yml."""
        credentials = credentials or {}
        return cls(
            user_message_evt=credentials.get("user_message_evt", "user_uttered"),
            bot_message_evt=credentials.get("bot_message_evt", "bot_uttered"),
            namespace=credentials.get("namespace"),
            socketio_path=credentials.get("socketio_path", "/socket.io"),
            jwt_key=credentials.get("jwt_key"),
            jwt_method=credentials.get("jwt_method", "HS256"),
            origins=credentials.get("origins"),
            max_message_chars=credentials.get("max_message_chars"),
            rate_limit_per_minute=credentials.get("rate_limit_per_minute"),
            title=str(credentials.get("title") or PRODUCT_TITLE),
        )

    def __init__(
        self,
        user_message_evt: str = "user_uttered",
        bot_message_evt: str = "bot_uttered",
        namespace: str | None = None,
        socketio_path: str = "/socket.io",
        jwt_key: str | None = None,
        jwt_method: str = "HS256",
        origins: str | list[str] | None = None,
        max_message_chars: int | None = None,
        secret: bytes | None = None,
        dist: Path = DIST,
        rate_limit_per_minute: int | None = None,
        rate_limiter: RateLimiter | None = None,
        turn_timeout: float | None = None,
        title: str = PRODUCT_TITLE,
    ) -> None:
        super().__init__(
            user_message_evt,
            bot_message_evt,
            namespace,
            True,  # session_persistence: one conversation per client id, across reconnects
            socketio_path,
            jwt_key,
            jwt_method,
            "metadata",
        )
        env_origins = os.environ.get("WEBCHAT_ORIGINS")
        if env_origins is not None:
            self.origins = parse_origins(env_origins)
        elif isinstance(origins, list):
            self.origins = [str(o).rstrip("/") for o in origins]
        else:
            self.origins = parse_origins(origins or DEFAULT_ORIGINS)
        env_secret = os.environ.get("WEBCHAT_SECRET")
        self.secret = secret or (env_secret.encode() if env_secret else secrets.token_bytes(32))
        self.dist = dist
        self.title = title
        self.policy = TurnPolicy.from_settings(
            self.name(),
            max_message_chars=max_message_chars,
            rate_limit_per_minute=rate_limit_per_minute,
            rate_limiter=rate_limiter,
            turn_timeout=turn_timeout,
        )

    @property
    def rate_limiter(self) -> RateLimiter | None:
        """The per-conversation rate limiter (None: no limit)."""
        return self.policy.rate_limiter

    @property
    def turn_timeout(self) -> float:
        """Seconds one turn may take in all."""
        return self.policy.turn_timeout

    @property
    def max_message_chars(self) -> int:
        """Longest message accepted."""
        return self.policy.max_message_chars

    @staticmethod
    async def _tell(output: WebchatOutput, sender_id: str, outcome: Outcome) -> None:
        """Send a refused or failed turn's text, then its payload (the widget acts on it)."""
        await output.send_text_message(sender_id, outcome.text)
        if outcome.payload is not None:
            await output.send_custom_json(sender_id, outcome.payload)

    def get_output_channel(self) -> OutputChannel | None:
        """Output channel for messages sent from outside a conversation turn."""
        if self.sio is None:
            return None
        return WebchatOutput(self.sio, self.bot_message_evt)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Socket.io events, a health route and the widget's static files."""
        rasa_patches.require_installed("webchat")
        # Long-polling only: with sanic 21.12 and python-engineio 4.x the websocket upgrade
        # fails in the browser ("Invalid frame header"), so it is not offered.
        sio = AsyncServer(
            async_mode="sanic",
            cors_allowed_origins=origin_checker(self.origins),
            transports=["polling"],
        )
        webhook = WebchatBlueprint(sio, self.socketio_path, static_blueprint(self.dist, self.title))
        self.sio = sio
        namespace = self.namespace

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @sio.on("connect", namespace=namespace)
        async def connect(sid: str, environ: dict[str, Any], auth: Any = None) -> bool:
            if not self.jwt_key:
                return True
            token = auth.get("token") if isinstance(auth, dict) else None
            return bool(token and decode_bearer_token(token, self.jwt_key, self.jwt_algorithm))

        @sio.on("session_request", namespace=namespace)
        async def session_request(sid: str, data: Any = None) -> None:
            client_id = data.get("session_id") if isinstance(data, dict) else None
            if not isinstance(client_id, str) or not CLIENT_ID.fullmatch(client_id):
                # Unknown format (or none): start a new conversation with an id made here.
                client_id = secrets.token_hex(16)
            sender_id = sender_for(client_id, self.secret)
            old = await sio.get_session(sid, namespace=namespace)
            if old.get("sender_id") and old["sender_id"] != sender_id:
                await sio.leave_room(sid, old["sender_id"], namespace=namespace)
            await sio.save_session(sid, {"sender_id": sender_id}, namespace=namespace)
            await sio.enter_room(sid, sender_id, namespace=namespace)
            await sio.emit("session_confirm", client_id, room=sid, namespace=namespace)

        @sio.on(self.user_message_evt, namespace=namespace)
        async def handle_message(sid: str, data: Any = None) -> None:
            session = await sio.get_session(sid, namespace=namespace)
            sender_id = session.get("sender_id")
            output = WebchatOutput(sio, self.bot_message_evt)
            if not sender_id:
                # The widget always confirms a session first; anything else is ignored.
                logger.warning("webchat: message before session_request (socket %s)", sid)
                return
            text = data.get("message") if isinstance(data, dict) else None
            if not isinstance(text, str) or not text.strip():
                return
            refused = self.policy.admit(sender_id, text)
            if refused is not None:
                await self._tell(output, sender_id, refused)
                return
            metadata = data.get(self.metadata_key) if isinstance(data, dict) else None
            message = UserMessage(
                text,
                output,
                sender_id,
                input_channel=self.name(),
                metadata=clean_metadata(metadata),
            )
            failed = await self.policy.run(sender_id, lambda: on_new_message(message))
            if failed is not None:
                await self._tell(output, sender_id, failed)

        return webhook
