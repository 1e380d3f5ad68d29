"""Microsoft Teams (Bot Framework) channel at ``/webhooks/botframework/webhook``.

Configured from the environment only, and **inactive unless** ``TEAMS_APP_ID`` and
``TEAMS_APP_PASSWORD`` are both set: then its routes answer 404. Nothing touches the
network at start-up either way: the OpenID metadata and signing keys are fetched on the
first request and cached.

- ``TEAMS_APP_ID``, ``TEAMS_APP_PASSWORD``: the Azure Bot's Microsoft App ID and secret.
- ``TEAMS_OPENID_METADATA_URL``: where the Bot Connector's signing keys are published
  (default ``https://login.botframework.com/v1/.well-known/openidconfiguration``).
- ``TEAMS_TOKEN_URL``: OAuth token endpoint for the bot's outgoing calls (default
  ``https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token``).
- ``TEAMS_SERVICE_URL_ALLOWLIST``: comma-separated URL prefixes the bot may post replies
  to (default ``https://smba.trafficmanager.net/``); an activity whose ``serviceUrl`` is
  not on it is refused (403) and never answered.
- ``TEAMS_AUDIENCE`` (optional): ``clinician`` or ``patient`` sent as message metadata.

What differs from Rasa 3.6's stock ``botframework`` channel:

* The stock constructor downloads Microsoft's keys (blocking, hard-coded URLs); here keys
  are fetched lazily, re-fetched daily and when an unknown ``kid`` appears (at most every
  5 minutes).
* The stock token check accepts any issuer, any algorithm the token names and tokens
  without ``exp``. Here a token must be RS256 (``none``/HS256 are refused before any key
  is used), signed by a key from the JWKS (known ``kid``; if the key lists
  ``endorsements``, the activity's ``channelId`` must be one), issued by
  ``https://api.botframework.com`` for this app id, carry ``exp`` (5 minutes' clock skew,
  Microsoft's documented tolerance) and respect ``nbf``; if it has a ``serviceurl`` claim it
  must match the activity's ``serviceUrl``. Anything else is 401.
* Replies are one activity per reply (triage first): plan, citations, triage and buttons as
  an Adaptive Card 1.4 with ``Action.Submit`` buttons (``data`` carries the Rasa payload and
  a ``msteams.messageBack``), ``fallbackText`` and ``summary`` for clients without cards;
  plain texts as plain text. Card submits (``value``) come back as the button's payload.
* The sender id is ``teams:{conversation id}:{user id}``: one conversation per person.
* Outgoing calls use aiohttp (the stock channel uses blocking ``requests``).
* The turn policy of every channel (``channels.turn_policy``): message size limit, rate limit
  per conversation, turn timeout, "please try again" when the tracker store, lock store or
  action server fails (``b12.unavailable`` / ``b12.rate_limited`` sent as plain text
  activities), request bodies capped before parsing.

Privacy: message text is never logged.
"""

from __future__ import annotations

import asyncio
import ipaddress
import json
import logging
import os
import re
import time
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Any
from urllib.parse import quote, urlsplit

import aiohttp
import jwt
from jwt.algorithms import RSAAlgorithm
from rasa.core.channels.botframework import BotFramework, BotFrameworkInput
from rasa.core.channels.channel import OutputChannel, UserMessage
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

import rasa_patches
from channels.rendering import Reply, group_turn, submitted_payload, teams_activity
from channels.slack_channel import TurnCollector
from channels.turn_policy import (
    DEFAULT_MAX_MESSAGE_CHARS,
    EdgeLimits,
    Outcome,
    RequestError,
    TurnPolicy,
    describe_failure,
    load_json,
    read_body,
)

logger = logging.getLogger(__name__)

DEFAULT_OPENID_METADATA_URL = "https://login.botframework.com/v1/.well-known/openidconfiguration"
DEFAULT_TOKEN_URL = "https://login.microsoftonline.com/botframework.com/oauth2/v2.0/token"
DEFAULT_SERVICE_URL_ALLOWLIST = ("https://smba.trafficmanager.net/",)
TOKEN_SCOPE = "https://api.botframework.com/.default"
ISSUER = "https://api.botframework.com"
ALGORITHMS = ("RS256",)
CLOCK_SKEW_S = 5 * 60
KEYS_MAX_AGE_S = 24 * 3600
KEYS_MIN_REFRESH_S = 5 * 60
TOKEN_REFRESH_MARGIN_S = 5 * 60
HTTP_TIMEOUT_S = 15
MAX_BODY_BYTES = 256 * 1024
AUDIENCES = ("clinician", "patient")
_BEARER = re.compile(r"^Bearer\s+([A-Za-z0-9_\-.=]+)$")
_AT_MENTION = re.compile(r"<at>[^<]*</at>", re.IGNORECASE)
_TAG = re.compile(r"<[^>]+>")


class AuthError(Exception):
    """An incoming token that must be refused (401)."""


def _is_loopback(host: str | None) -> bool:
    if host == "localhost":
        return True
    try:
        return bool(host) and ipaddress.ip_address(host or "").is_loopback
    except ValueError:
        return False


def require_secure_url(url: str, what: str) -> str:
    """``url`` if it is https (or http on a loopback address, for local stand-ins)."""
    parts = urlsplit(url)
    if parts.scheme == "https" or (parts.scheme == "http" and _is_loopback(parts.hostname)):
        return url
    raise ValueError(f"{what} must be an https URL (got {url!r})")


def _prefix(url: str) -> str:
    return url if url.endswith("/") else url + "/"


def service_url_allowed(service_url: Any, allowlist: Iterable[str]) -> bool:
    """Whether replies may be posted to ``service_url`` (a prefix of the allow-list)."""
    if not isinstance(service_url, str) or not service_url:
        return False
    parts = urlsplit(service_url)
    if parts.scheme not in ("https", "http") or not parts.hostname or parts.username:
        return False
    candidate = _prefix(service_url).lower()
    return any(candidate.startswith(_prefix(p).lower()) for p in allowlist)


@dataclass(frozen=True)
class TeamsConfig:
    """The channel's settings; built from the environment by :meth:`from_env`."""

    app_id: str
    app_password: str
    openid_metadata_url: str = DEFAULT_OPENID_METADATA_URL
    token_url: str = DEFAULT_TOKEN_URL
    service_url_allowlist: tuple[str, ...] = DEFAULT_SERVICE_URL_ALLOWLIST
    audience: str | None = None
    max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> TeamsConfig | None:
        """Settings from the environment, or None when Teams is not configured."""
        env = os.environ if environ is None else environ
        app_id = env.get("TEAMS_APP_ID", "").strip()
        password = env.get("TEAMS_APP_PASSWORD", "").strip()
        if not app_id or not password:
            return None
        metadata = env.get("TEAMS_OPENID_METADATA_URL", "").strip() or DEFAULT_OPENID_METADATA_URL
        token_url = env.get("TEAMS_TOKEN_URL", "").strip() or DEFAULT_TOKEN_URL
        allow = tuple(
            p.strip() for p in env.get("TEAMS_SERVICE_URL_ALLOWLIST", "").split(",") if p.strip()
        )
        audience = env.get("TEAMS_AUDIENCE", "").strip().lower() or None
        if audience is not None and audience not in AUDIENCES:
            raise ValueError("TEAMS_AUDIENCE must be 'clinician' or 'patient'")
        limit = env.get("MAX_MESSAGE_CHARS", "").strip()
        return cls(
            app_id=app_id,
            app_password=password,
            openid_metadata_url=require_secure_url(metadata, "TEAMS_OPENID_METADATA_URL"),
            token_url=require_secure_url(token_url, "TEAMS_TOKEN_URL"),
            service_url_allowlist=allow or DEFAULT_SERVICE_URL_ALLOWLIST,
            audience=audience,
            max_message_chars=int(limit) if limit else DEFAULT_MAX_MESSAGE_CHARS,
        )


# --------------------------------------------------------------------------------------------
# Incoming token validation
# --------------------------------------------------------------------------------------------

Fetch = Callable[[str], Awaitable[Any]]


async def fetch_json(url: str) -> Any:
    """GET ``url`` and parse JSON (raises on HTTP errors)."""
    timeout = aiohttp.ClientTimeout(total=HTTP_TIMEOUT_S)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        async with session.get(url) as reply:
            reply.raise_for_status()
            return await reply.json(content_type=None)


class KeySet:
    """The Bot Connector's signing keys, fetched on first use and cached."""

    def __init__(
        self,
        metadata_url: str,
        fetch: Fetch = fetch_json,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.metadata_url = metadata_url
        self.fetch = fetch
        self.clock = clock
        self.keys: dict[str, dict[str, Any]] = {}
        self.fetched_at: float | None = None
        self._lock = asyncio.Lock()

    async def _refresh(self) -> None:
        metadata = await self.fetch(self.metadata_url)
        jwks_uri = metadata.get("jwks_uri") if isinstance(metadata, Mapping) else None
        if not isinstance(jwks_uri, str):
            raise AuthError("OpenID metadata has no jwks_uri")
        document = await self.fetch(require_secure_url(jwks_uri, "jwks_uri"))
        listed = document.get("keys") if isinstance(document, Mapping) else None
        if not isinstance(listed, list):
            raise AuthError("JWKS has no keys")
        self.keys = {
            str(k["kid"]): dict(k)
            for k in listed
            if isinstance(k, Mapping) and isinstance(k.get("kid"), str) and k.get("kty") == "RSA"
        }
        self.fetched_at = self.clock()

    async def get(self, kid: str) -> dict[str, Any] | None:
        """The JWK with ``kid``; refreshes when stale or unknown (rate-limited)."""
        async with self._lock:
            age = None if self.fetched_at is None else self.clock() - self.fetched_at
            stale = age is None or age > KEYS_MAX_AGE_S
            unknown = kid not in self.keys and (age is None or age > KEYS_MIN_REFRESH_S)
            if stale or unknown:
                try:
                    await self._refresh()
                except (aiohttp.ClientError, asyncio.TimeoutError, ValueError, AuthError) as e:
                    # Keep the keys we have; a token with an unknown kid is refused.
                    logger.warning("teams: could not fetch signing keys: %s", type(e).__name__)
            return self.keys.get(kid)


class TokenVerifier:
    """Validates the Bot Connector's JWT on an incoming activity."""

    def __init__(
        self,
        app_id: str,
        keys: KeySet,
        *,
        issuer: str = ISSUER,
        leeway_s: int = CLOCK_SKEW_S,
    ) -> None:
        self.app_id = app_id
        self.keys = keys
        self.issuer = issuer
        self.leeway_s = leeway_s

    async def verify(
        self,
        authorization: str | None,
        *,
        service_url: str | None = None,
        channel_id: str | None = None,
    ) -> dict[str, Any]:
        """The token's claims, or :class:`AuthError` saying why it is refused."""
        match = _BEARER.match((authorization or "").strip())
        if not match:
            raise AuthError("no bearer token")
        token = match.group(1)
        try:
            header = jwt.get_unverified_header(token)
        except jwt.PyJWTError as error:
            raise AuthError("malformed token") from error
        if header.get("alg") not in ALGORITHMS:
            raise AuthError("wrong algorithm")
        kid = header.get("kid")
        if not isinstance(kid, str) or not kid:
            raise AuthError("no key id")
        jwk = await self.keys.get(kid)
        if jwk is None:
            raise AuthError("unknown key id")
        endorsements = jwk.get("endorsements")
        if channel_id is not None and isinstance(endorsements, list):
            if channel_id not in endorsements:
                raise AuthError("key not endorsed for this channel")
        try:
            key = RSAAlgorithm.from_jwk(json.dumps(jwk))
            claims: dict[str, Any] = jwt.decode(
                token,
                key=key,  # type: ignore[arg-type]
                algorithms=list(ALGORITHMS),
                audience=self.app_id,
                issuer=self.issuer,
                leeway=self.leeway_s,
                options={
                    "require": ["exp", "iss", "aud"],
                    "verify_signature": True,
                    "verify_exp": True,
                    "verify_nbf": True,
                    "verify_iat": True,
                    "verify_aud": True,
                    "verify_iss": True,
                },
            )
        except (jwt.PyJWTError, ValueError, TypeError) as error:
            raise AuthError(type(error).__name__) from error
        claimed = claims.get("serviceurl", claims.get("serviceUrl"))
        if claimed is not None and service_url is not None and claimed != service_url:
            raise AuthError("serviceurl claim does not match the activity")
        return claims


# --------------------------------------------------------------------------------------------
# Outgoing: bot token and Bot Connector calls
# --------------------------------------------------------------------------------------------


class BotTokenProvider:
    """Client-credentials token for the bot's calls to the Bot Connector, cached."""

    def __init__(
        self,
        app_id: str,
        app_password: str,
        token_url: str,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.app_id = app_id
        self.app_password = app_password
        self.token_url = token_url
        self.clock = clock
        self.token: str | None = None
        self.expires_at = 0.0
        self._lock = asyncio.Lock()

    async def get(self) -> str:
        """A valid access token (fetched when missing or about to expire)."""
        async with self._lock:
            if self.token and self.clock() < self.expires_at - TOKEN_REFRESH_MARGIN_S:
                return self.token
            form = {
                "grant_type": "client_credentials",
                "client_id": self.app_id,
                "client_secret": self.app_password,
                "scope": TOKEN_SCOPE,
            }
            timeout = aiohttp.ClientTimeout(total=HTTP_TIMEOUT_S)
            async with aiohttp.ClientSession(timeout=timeout) as session:
                async with session.post(self.token_url, data=form) as reply:
                    if reply.status != 200:
                        raise RuntimeError(f"token endpoint answered {reply.status}")
                    data = await reply.json(content_type=None)
            token = data.get("access_token") if isinstance(data, Mapping) else None
            if not isinstance(token, str) or not token:
                raise RuntimeError("token endpoint gave no access_token")
            self.token = token
            self.expires_at = self.clock() + float(data.get("expires_in") or 3600)
            return token


class TeamsBot(BotFramework):
    """Sends replies to the activity's service URL as Adaptive Cards or plain text."""

    @classmethod
    def name(cls) -> str:
        """Same name as the input channel."""
        return "botframework"

    def __init__(
        self,
        conversation: dict[str, Any],
        bot: dict[str, Any],
        user: dict[str, Any],
        service_url: str,
        tokens: BotTokenProvider,
        reply_to_id: str | None = None,
    ) -> None:
        # Not BotFramework.__init__'s token handling: blocking requests, class-level cache.
        OutputChannel.__init__(self)
        self.app_id = tokens.app_id
        self.app_password = ""
        self.conversation = conversation
        self.bot = bot
        self.user = user
        self.tokens = tokens
        self.reply_to_id = reply_to_id
        self.global_uri = f"{_prefix(service_url)}v3/"
        self.sent: list[dict[str, Any]] = []

    def prepare_message(self, recipient_id: str, message_data: dict[str, Any]) -> dict[str, Any]:
        """An outgoing activity to the user (not to the Rasa sender id)."""
        data: dict[str, Any] = {
            "type": "message",
            "from": self.bot,
            "recipient": {k: v for k, v in self.user.items() if k in ("id", "name")},
            "conversation": {"id": self.conversation.get("id")},
        }
        if self.reply_to_id:
            data["replyToId"] = self.reply_to_id
        data.update(message_data)
        return data

    async def send(self, message_data: dict[str, Any]) -> None:
        """POST the activity to ``{serviceUrl}/v3/conversations/{id}/activities``."""
        conversation_id = quote(str(self.conversation.get("id", "")), safe="")
        url = f"{self.global_uri}conversations/{conversation_id}/activities"
        token = await self.tokens.get()
        headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
        timeout = aiohttp.ClientTimeout(total=HTTP_TIMEOUT_S)
        async with aiohttp.ClientSession(timeout=timeout) as session:
            async with session.post(url, data=json.dumps(message_data), headers=headers) as reply:
                if reply.status >= 300:
                    logger.error("teams: sending a reply failed with HTTP %s", reply.status)
                    return
        self.sent.append(message_data)

    async def send_reply(self, recipient_id: str, reply: Reply) -> None:
        """One activity for one reply."""
        await self.send(self.prepare_message(recipient_id, teams_activity(reply)))

    async def send_turn(self, recipient_id: str, messages: Iterable[Mapping[str, Any]]) -> None:
        """Send a whole turn: triage first, each payload rendered with its text."""
        for reply in group_turn(messages):
            await self.send_reply(recipient_id, reply)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Plain text, not split."""
        await self.send_reply(recipient_id, Reply(text=text))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """An Adaptive Card with ``Action.Submit`` buttons."""
        await self.send_reply(
            recipient_id, Reply(text=text, buttons=[dict(b) for b in buttons if "payload" in b])
        )

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """A payload as an Adaptive Card (or plain text)."""
        await self.send_reply(recipient_id, Reply(payload=json_message))


# --------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------


def sender_id_for(conversation_id: str, user_id: str) -> str:
    """One conversation per person per Teams conversation."""
    return f"teams:{conversation_id}:{user_id}"


def activity_text(activity: Mapping[str, Any]) -> str:
    """A card submit's payload, else the typed text without @mentions or markup."""
    submitted = submitted_payload(activity.get("value"))
    if submitted:
        return submitted
    text = activity.get("text")
    if not isinstance(text, str):
        return ""
    text = _TAG.sub(" ", _AT_MENTION.sub(" ", text))
    text = text.replace("&nbsp;", " ").replace("&lt;", "<").replace("&gt;", ">")
    return " ".join(text.replace("&amp;", "&").split())


class TeamsInput(BotFrameworkInput):
    """Bot Framework / Teams input; inactive (404) without env configuration."""

    @classmethod
    def name(cls) -> str:
        """URL prefix /webhooks/botframework."""
        return "botframework"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> TeamsInput:
        """Configuration comes from the environment only (credentials.yml has ``{}``)."""
        return cls(TeamsConfig.from_env())

    def __init__(self, config: TeamsConfig | None, fetch: Fetch = fetch_json) -> None:
        # Not BotFrameworkInput.__init__: it downloads Microsoft's keys right away.
        self.config = config
        self.app_id = config.app_id if config else ""
        self.app_password = config.app_password if config else ""
        self.verifier = (
            TokenVerifier(config.app_id, KeySet(config.openid_metadata_url, fetch))
            if config
            else None
        )
        self.tokens = (
            BotTokenProvider(config.app_id, config.app_password, config.token_url)
            if config
            else None
        )
        self._background_tasks: set[asyncio.Task[Any]] = set()
        self.policy = TurnPolicy.from_settings(
            self.name(), max_message_chars=config.max_message_chars if config else None
        )
        self.edge_limits = EdgeLimits.from_env(MAX_BODY_BYTES)

    @property
    def enabled(self) -> bool:
        """Whether Teams is configured."""
        return self.config is not None

    def _update_cached_jwk_keys(self) -> None:
        """Never fetch keys synchronously (the stock channel does so in its constructor)."""

    async def _handle(
        self,
        on_new_message: Callable[[UserMessage], Awaitable[Any]],
        text: str,
        sender_id: str,
        output: TeamsBot,
    ) -> None:
        assert self.config is not None
        try:
            refused = self.policy.admit(sender_id, text)
            if refused is not None:
                await self._tell(output, sender_id, refused)
                return
            collector = TurnCollector()
            metadata = {"audience": self.config.audience} if self.config.audience else {}
            message = UserMessage(
                text, collector, sender_id, input_channel=self.name(), metadata=metadata
            )
            failed = await self.policy.run(sender_id, lambda: on_new_message(message))
            if failed is not None:
                await self._tell(output, sender_id, failed)
                return
            await output.send_turn(sender_id, collector.messages)
        except Exception as error:
            # Sending to the Bot Connector failed. Types only: messages may quote the user's text.
            logger.error(
                "teams: sending replies failed (sender %s): %s",
                sender_id,
                describe_failure(error).splitlines()[0],
            )

    @staticmethod
    async def _tell(output: TeamsBot, sender_id: str, outcome: Outcome) -> None:
        """A refused or failed turn: its text (plain text activity) with its payload."""
        await output.send_turn(sender_id, outcome.messages(sender_id))

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes: GET / (health) and POST /webhook; both 404 while inactive."""
        rasa_patches.require_installed("teams")
        webhook = Blueprint("b12_teams_webhook", __name__)

        def not_configured() -> HTTPResponse:
            return response.json({"error": "The Teams channel is not configured."}, status=404)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            if not self.enabled:
                return not_configured()
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            if self.config is None or self.verifier is None or self.tokens is None:
                return not_configured()
            try:
                body = await read_body(request, self.edge_limits)
            except RequestError as error:
                return response.json({"error": str(error)}, status=error.status)
            try:
                activity = load_json(body, self.edge_limits)
            except RequestError:
                activity = None  # refused below, after the token check (as an empty activity)
            if not isinstance(activity, Mapping):
                activity = {}
            service_url = activity.get("serviceUrl")
            channel_id = activity.get("channelId")
            try:
                await self.verifier.verify(
                    request.headers.get("Authorization"),
                    service_url=service_url if isinstance(service_url, str) else None,
                    channel_id=channel_id if isinstance(channel_id, str) else None,
                )
            except AuthError as error:
                logger.warning("teams: request refused: %s", error)
                return response.json({"error": "Unauthorized."}, status=401)
            if not activity:
                return response.json({"error": "Malformed activity."}, status=400)
            if activity.get("type") != "message":
                return response.text("", status=200)
            conversation, user = activity.get("conversation"), activity.get("from")
            recipient = activity.get("recipient")
            if not (
                isinstance(conversation, Mapping)
                and isinstance(conversation.get("id"), str)
                and isinstance(user, Mapping)
                and isinstance(user.get("id"), str)
                and isinstance(recipient, Mapping)
                and isinstance(service_url, str)
            ):
                return response.json({"error": "Malformed activity."}, status=400)
            if not service_url_allowed(service_url, self.config.service_url_allowlist):
                logger.warning("teams: serviceUrl not on TEAMS_SERVICE_URL_ALLOWLIST")
                return response.json({"error": "serviceUrl not allowed."}, status=403)
            text = activity_text(activity)
            if not text:
                return response.text("", status=200)
            sender_id = sender_id_for(conversation["id"], user["id"])
            activity_id = activity.get("id")
            output = TeamsBot(
                dict(conversation),
                dict(recipient),
                dict(user),
                service_url,
                self.tokens,
                reply_to_id=activity_id if isinstance(activity_id, str) else None,
            )
            task = asyncio.create_task(self._handle(on_new_message, text, sender_id, output))
            self._background_tasks.add(task)
            task.add_done_callback(self._background_tasks.discard)
            return response.text("", status=200)

        return webhook


# The names credentials.yml uses.
TeamsChannel = TeamsInput
