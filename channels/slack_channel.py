"""Slack channel: Events API and interactivity at ``/webhooks/slack/webhook``.

Configured from the environment only, and **inactive unless** ``SLACK_BOT_TOKEN`` and
``SLACK_SIGNING_SECRET`` are both set: then its routes answer 404 and nothing touches the
network, so ``make run`` starts offline without Slack secrets.

- ``SLACK_BOT_TOKEN``: the bot token (``xoxb-...``); ``SLACK_SIGNING_SECRET``: the app's
  signing secret; ``SLACK_API_URL``: base URL of the Web API (default
  ``https://slack.com/api/``; tests point it at a local stand-in).
- ``SLACK_AUDIENCE`` (optional): ``clinician`` or ``patient``, sent as message metadata
  so a clinical workspace gets clinician wording without choosing it first.
- ``SLACK_CHANNELS`` (optional, comma separated channel ids): channels where the bot answers
  every message; elsewhere in channels it answers only when mentioned. Direct messages are
  always answered.

What differs from Rasa 3.6's stock ``slack`` channel:

* Every request is checked against ``X-Slack-Signature`` (v0, HMAC-SHA256 of
  ``v0:{timestamp}:{raw body}``) and a timestamp within 5 minutes; anything else is 401.
* One conversation per person per channel: the sender id is
  ``slack:{team}:{channel}:{user}``, so two people in one channel never share facts.
* A turn's messages are collected and sent as Block Kit: the plan (header; loading,
  maintenance and duration; urgent specialist advice and warnings highlighted; numbered
  citations with source, year and the review label), triage first, buttons as an
  ``actions`` block whose values are the Rasa payloads. Every message has a ``text``
  fallback. (The stock channel passes a custom payload to ``chat.postMessage`` as keyword
  arguments.)
* A button click (``block_actions``) is sent to the bot as the button's payload, e.g.
  ``/inform{"neurological_involvement":"yes"}``, from the person who clicked.
* Slack's retries of an event already received are acknowledged and not processed again.
* Once a click is answered, the message that carried the buttons is updated
  (``chat.update``): its ``actions`` block becomes "<@user> chose: *title*", and a second click
  on the same message is ignored. If the turn fails, the buttons stay usable for the retry.
* The turn policy of every channel (``channels.turn_policy``): message size limit, rate limit
  per conversation, turn timeout, "please try again" when the tracker store, lock store or
  action server fails (the ``b12.unavailable`` / ``b12.rate_limited`` replies rendered as text),
  request bodies capped before parsing (256 KB: a click carries its whole message).

Privacy: message text is never logged.
"""

from __future__ import annotations

import asyncio
import hashlib
import hmac
import logging
import os
import re
import time
from collections import OrderedDict
from collections.abc import Awaitable, Callable, Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import parse_qs

from rasa.core.channels.channel import CollectingOutputChannel, OutputChannel, UserMessage
from rasa.core.channels.slack import SlackBot, SlackInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse
from slack_sdk.web.async_client import AsyncWebClient

import rasa_patches
from channels.rendering import Reply, group_turn, slack_message
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

DEFAULT_SLACK_API_URL = "https://slack.com/api/"
MAX_TIMESTAMP_SKEW_S = 5 * 60
MAX_BODY_BYTES = 256 * 1024
USED_BUTTON_MESSAGES = 2000  # (channel, ts) of button messages already answered, remembered
AUDIENCES = ("clinician", "patient")
_SLACK_ID = re.compile(r"[A-Za-z0-9_.-]{1,64}")
_MENTION = re.compile(r"<@([A-Z0-9]+)(?:\|[^>]*)?>")
_LINK = re.compile(r"<((?:https?|mailto):[^|>]*)(?:\|([^>]*))?>")


# --------------------------------------------------------------------------------------------
# Request signing
# --------------------------------------------------------------------------------------------


def slack_signature(secret: str, timestamp: str, body: bytes) -> str:
    """``v0=`` + hex HMAC-SHA256 of ``v0:{timestamp}:{body}`` with the signing secret."""
    base = b"v0:" + timestamp.encode("ascii") + b":" + body
    return "v0=" + hmac.new(secret.encode("utf-8"), base, hashlib.sha256).hexdigest()


def verify_slack_request(
    secret: str,
    timestamp: str | None,
    signature: str | None,
    body: bytes,
    *,
    now: float | None = None,
    max_skew_s: int = MAX_TIMESTAMP_SKEW_S,
) -> str | None:
    """None if the request is authentic, else the reason it is not."""
    if not secret:
        return "no signing secret configured"
    if not timestamp or not signature:
        return "missing signature headers"
    try:
        stamp = int(timestamp)
    except ValueError:
        return "malformed timestamp"
    current = time.time() if now is None else now
    if abs(current - stamp) > max_skew_s:
        return "stale timestamp"
    try:
        expected = slack_signature(secret, timestamp, body)
    except UnicodeEncodeError:
        return "malformed timestamp"
    if not hmac.compare_digest(expected.encode("ascii"), signature.encode("utf-8", "replace")):
        return "bad signature"
    return None


# --------------------------------------------------------------------------------------------
# Configuration
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SlackConfig:
    """The channel's settings; built from the environment by :meth:`from_env`."""

    bot_token: str
    signing_secret: str
    api_url: str = DEFAULT_SLACK_API_URL
    audience: str | None = None
    listen_channels: frozenset[str] = field(default_factory=frozenset)
    max_message_chars: int = DEFAULT_MAX_MESSAGE_CHARS

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None) -> SlackConfig | None:
        """Settings from the environment, or None when Slack is not configured."""
        env = os.environ if environ is None else environ
        token = env.get("SLACK_BOT_TOKEN", "").strip()
        secret = env.get("SLACK_SIGNING_SECRET", "").strip()
        if not token or not secret:
            return None
        api_url = env.get("SLACK_API_URL", "").strip() or DEFAULT_SLACK_API_URL
        if not api_url.endswith("/"):
            api_url += "/"
        audience = env.get("SLACK_AUDIENCE", "").strip().lower() or None
        if audience is not None and audience not in AUDIENCES:
            raise ValueError("SLACK_AUDIENCE must be 'clinician' or 'patient'")
        channels = frozenset(
            c.strip() for c in env.get("SLACK_CHANNELS", "").split(",") if c.strip()
        )
        limit = env.get("MAX_MESSAGE_CHARS", "").strip()
        return cls(
            bot_token=token,
            signing_secret=secret,
            api_url=api_url,
            audience=audience,
            listen_channels=channels,
            max_message_chars=int(limit) if limit else DEFAULT_MAX_MESSAGE_CHARS,
        )


def sender_id_for(team: str, channel: str, user: str) -> str:
    """One conversation per person per channel (and per workspace)."""
    return f"slack:{team}:{channel}:{user}"


def clean_text(text: str, bot_user_ids: Iterable[str] = ()) -> str:
    """Drop mentions of the bot, unwrap Slack's link markup and unescape ``&<>``."""
    bots = set(bot_user_ids)
    text = _MENTION.sub(lambda m: "" if m.group(1) in bots else m.group(0), text)
    text = _LINK.sub(lambda m: m.group(2) or m.group(1), text)
    text = text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    return " ".join(text.split())


# --------------------------------------------------------------------------------------------
# Output
# --------------------------------------------------------------------------------------------


class TurnCollector(CollectingOutputChannel):
    """Collects a turn's messages as sent (Rasa's collector splits texts on blank lines)."""

    @classmethod
    def name(cls) -> str:
        """Not a channel of its own."""
        return "collector"

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """Keep the text whole: it is one reply."""
        await self._persist_message(self._message(recipient_id, text=text))


class B12SlackBot(SlackBot):
    """Posts Block Kit messages with a text fallback; Web API base URL configurable."""

    @classmethod
    def name(cls) -> str:
        """Same name as the input channel."""
        return "slack"

    def __init__(
        self,
        token: str,
        slack_channel: str | None = None,
        thread_id: str | None = None,
        proxy: str | None = None,
        api_url: str = DEFAULT_SLACK_API_URL,
    ) -> None:
        # Not SlackBot.__init__: it builds a client for slack.com only.
        OutputChannel.__init__(self)
        self.slack_channel = slack_channel
        self.thread_id = thread_id
        self.proxy = proxy
        self.client = AsyncWebClient(token=token, base_url=api_url, proxy=proxy)

    def _target(self, recipient_id: str) -> str:
        """The channel to post to: this output's channel, else the one in the sender id."""
        if self.slack_channel:
            return str(self.slack_channel)
        parts = recipient_id.split(":")
        return parts[2] if len(parts) == 4 and parts[0] == "slack" else recipient_id

    async def post_reply(self, channel: str, reply: Reply) -> None:
        """One ``chat.postMessage`` with Block Kit and its text fallback."""
        message = slack_message(reply)
        await self._post_message(channel=channel, text=message["text"], blocks=message["blocks"])

    async def replace_buttons(
        self, channel: str, message_ts: str, message: Mapping[str, Any], chosen: str, user: str
    ) -> None:
        """``chat.update`` the message that carried the buttons: the buttons become the answer."""
        blocks = used_button_blocks(message.get("blocks"), chosen, user)
        text = message.get("text") if isinstance(message.get("text"), str) else chosen
        await self.client.chat_update(channel=channel, ts=message_ts, text=text, blocks=blocks)

    async def send_turn(self, recipient_id: str, messages: Iterable[Mapping[str, Any]]) -> None:
        """Send a whole turn: triage first, each payload rendered with its text."""
        channel = self._target(recipient_id)
        for reply in group_turn(messages):
            await self.post_reply(channel, reply)

    async def send_text_message(self, recipient_id: str, text: str, **kwargs: Any) -> None:
        """A text as one message (not split on blank lines)."""
        await self.post_reply(self._target(recipient_id), Reply(text=text))

    async def send_text_with_buttons(
        self, recipient_id: str, text: str, buttons: list[dict[str, Any]], **kwargs: Any
    ) -> None:
        """Text plus an ``actions`` block (values are the payloads)."""
        await self.post_reply(
            self._target(recipient_id),
            Reply(text=text, buttons=[dict(b) for b in buttons if "payload" in b]),
        )

    async def send_custom_json(
        self, recipient_id: str, json_message: dict[str, Any], **kwargs: Any
    ) -> None:
        """A payload rendered as Block Kit (never passed as keyword arguments)."""
        await self.post_reply(self._target(recipient_id), Reply(payload=json_message))


# --------------------------------------------------------------------------------------------
# Input
# --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Incoming:
    """A user message to hand to Rasa and where to answer it."""

    text: str
    sender_id: str
    channel: str
    thread_ts: str | None
    click: Click | None = None


@dataclass(frozen=True)
class Click:
    """The message whose button was clicked, to be replaced by the chosen answer."""

    message_ts: str
    message: Mapping[str, Any]
    chosen: str  # the button's title
    user: str


def used_button_blocks(blocks: Any, chosen: str, user: str) -> list[dict[str, Any]]:
    """The message's blocks with every ``actions`` block replaced by who chose what."""
    answer = {
        "type": "context",
        "elements": [{"type": "mrkdwn", "text": f"<@{user}> chose: *{_escape(chosen)}*"}],
    }
    out: list[dict[str, Any]] = []
    for block in blocks if isinstance(blocks, list) else []:
        if isinstance(block, Mapping) and block.get("type") == "actions":
            out.append(answer)
        elif isinstance(block, Mapping):
            out.append(dict(block))
    return out or [answer]


def _escape(text: str) -> str:
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


class B12SlackInput(SlackInput):
    """Slack Events API + interactivity; inactive (404) without env configuration."""

    @classmethod
    def name(cls) -> str:
        """URL prefix /webhooks/slack."""
        return "slack"

    @classmethod
    def from_credentials(cls, credentials: dict[str, Any] | None) -> B12SlackInput:
        """Configuration comes from the environment only (credentials.yml has ``{}``)."""
        return cls(SlackConfig.from_env())

    def __init__(self, config: SlackConfig | None) -> None:
        # Not SlackInput.__init__: it refuses to build without a signing secret, and this
        # channel must load (inactive) when Slack is not configured.
        self.config = config
        self.slack_token = config.bot_token if config else ""
        self.slack_signing_secret = config.signing_secret if config else ""
        self.slack_channel = None
        self.proxy = None
        self.use_threads = True
        self.conversation_granularity = "channel"
        self.errors_ignore_retry = ("http_timeout",)
        self.retry_reason_header = "x-slack-retry-reason"
        self.retry_num_header = "x-slack-retry-num"
        self._background_tasks: set[asyncio.Task[Any]] = set()
        self._seen_events: OrderedDict[str, None] = OrderedDict()
        self._used_buttons: OrderedDict[tuple[str, str], None] = OrderedDict()
        self.policy = TurnPolicy.from_settings(
            self.name(), max_message_chars=config.max_message_chars if config else None
        )
        self.edge_limits = EdgeLimits.from_env(MAX_BODY_BYTES)

    @property
    def enabled(self) -> bool:
        """Whether Slack is configured."""
        return self.config is not None

    def get_output_channel(
        self, channel: str | None = None, thread_id: str | None = None
    ) -> OutputChannel:
        """An output channel posting to ``channel`` (in ``thread_id`` if given)."""
        if self.config is None:
            raise RuntimeError("The Slack channel is not configured (SLACK_* env vars).")
        return B12SlackBot(
            self.config.bot_token, channel, thread_id, None, api_url=self.config.api_url
        )

    def _first_time(self, event_id: str | None) -> bool:
        """False for an event id already received (Slack retries); remembers the last 2000."""
        if not event_id:
            return True
        if event_id in self._seen_events:
            return False
        self._seen_events[event_id] = None
        while len(self._seen_events) > 2000:
            self._seen_events.popitem(last=False)
        return True

    def _from_event(self, body: Mapping[str, Any]) -> Incoming | None:
        """The user message in an ``event_callback``, or None if it is not one to answer."""
        event = body.get("event")
        if not isinstance(event, Mapping):
            return None
        kind = event.get("type")
        if kind not in ("message", "app_mention"):
            return None
        if event.get("bot_id") or event.get("subtype"):
            return None  # the bot's own posts, edits, joins, ...
        user, channel, text = event.get("user"), event.get("channel"), event.get("text")
        team = event.get("team") or body.get("team_id")
        if not all(isinstance(v, str) and _SLACK_ID.fullmatch(v) for v in (user, channel, team)):
            return None
        if not isinstance(text, str):
            return None
        assert isinstance(user, str) and isinstance(channel, str) and isinstance(team, str)
        direct = event.get("channel_type") == "im"
        assert self.config is not None
        listening = channel in self.config.listen_channels
        if kind == "message" and not (direct or listening):
            return None  # in other channels only mentions are answered (app_mention)
        if kind == "app_mention" and listening:
            return None  # the same message also arrives as a "message" event
        bots = [
            str(a["user_id"])
            for a in body.get("authorizations") or []
            if isinstance(a, Mapping) and isinstance(a.get("user_id"), str)
        ]
        thread = event.get("thread_ts") or (None if direct else event.get("ts"))
        return Incoming(
            text=clean_text(text, bots),
            sender_id=sender_id_for(team, channel, user),
            channel=channel,
            thread_ts=str(thread) if thread else None,
        )

    @staticmethod
    def _from_interaction(payload: Mapping[str, Any]) -> Incoming | None:
        """A button click (``block_actions``) as the button's payload from whoever clicked."""
        if payload.get("type") != "block_actions":
            return None
        actions = payload.get("actions")
        user = payload.get("user") if isinstance(payload.get("user"), Mapping) else {}
        channel = payload.get("channel") if isinstance(payload.get("channel"), Mapping) else {}
        team = payload.get("team") if isinstance(payload.get("team"), Mapping) else {}
        assert isinstance(user, Mapping) and isinstance(channel, Mapping)
        assert isinstance(team, Mapping)
        if not isinstance(actions, list) or not actions or not isinstance(actions[0], Mapping):
            return None
        action = actions[0]
        value = action.get("value")
        if action.get("type") != "button" or not isinstance(value, str) or not value.strip():
            return None
        user_id, channel_id = user.get("id"), channel.get("id")
        team_id = team.get("id") or user.get("team_id")
        ids = (user_id, channel_id, team_id)
        if not all(isinstance(v, str) and _SLACK_ID.fullmatch(v) for v in ids):
            return None
        assert isinstance(user_id, str) and isinstance(channel_id, str)
        assert isinstance(team_id, str)
        container = (
            payload.get("container") if isinstance(payload.get("container"), Mapping) else {}
        )
        message = payload.get("message") if isinstance(payload.get("message"), Mapping) else {}
        assert isinstance(container, Mapping) and isinstance(message, Mapping)
        thread = container.get("thread_ts") or message.get("thread_ts")
        message_ts = container.get("message_ts") or message.get("ts")
        title = action.get("text")
        chosen = title.get("text") if isinstance(title, Mapping) else None
        return Incoming(
            text=value.strip(),
            sender_id=sender_id_for(team_id, channel_id, user_id),
            channel=channel_id,
            thread_ts=str(thread) if thread else None,
            click=Click(
                message_ts=str(message_ts),
                message=message,
                chosen=chosen if isinstance(chosen, str) and chosen else value.strip(),
                user=user_id,
            )
            if isinstance(message_ts, str) and message_ts
            else None,
        )

    def _first_click(self, incoming: Incoming) -> bool:
        """False for a second click on the same button message (it is ignored)."""
        if incoming.click is None:
            return True
        key = (incoming.channel, incoming.click.message_ts)
        if key in self._used_buttons:
            return False
        self._used_buttons[key] = None
        while len(self._used_buttons) > USED_BUTTON_MESSAGES:
            self._used_buttons.popitem(last=False)
        return True

    def _forget_click(self, incoming: Incoming) -> None:
        if incoming.click is not None:
            self._used_buttons.pop((incoming.channel, incoming.click.message_ts), None)

    async def _tell(self, output: B12SlackBot, incoming: Incoming, outcome: Outcome) -> None:
        """A refused or failed turn: its text (Block Kit) with the payload it stands for."""
        await output.send_turn(incoming.channel, outcome.messages(incoming.sender_id))

    async def _handle(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], incoming: Incoming
    ) -> None:
        """Run the turn, then post its replies (in the background: Slack wants 200 in 3 s)."""
        assert self.config is not None
        output = self.get_output_channel(incoming.channel, incoming.thread_ts)
        assert isinstance(output, B12SlackBot)
        try:
            refused = self.policy.admit(incoming.sender_id, incoming.text)
            if refused is not None:
                self._forget_click(incoming)
                await self._tell(output, incoming, refused)
                return
            collector = TurnCollector()
            metadata = {"audience": self.config.audience} if self.config.audience else {}
            message = UserMessage(
                incoming.text,
                collector,
                incoming.sender_id,
                input_channel=self.name(),
                metadata=metadata,
            )
            failed = await self.policy.run(incoming.sender_id, lambda: on_new_message(message))
            if failed is not None:
                self._forget_click(incoming)  # not answered: the buttons stay usable for a retry
                await self._tell(output, incoming, failed)
                return
            await output.send_turn(incoming.channel, collector.messages)
        except Exception as error:
            # Sending to Slack failed. Types only: messages may quote the user's text.
            logger.error(
                "slack: sending replies failed (sender %s): %s",
                incoming.sender_id,
                describe_failure(error).splitlines()[0],
            )
            return
        await self._replace_buttons(output, incoming)

    @staticmethod
    async def _replace_buttons(output: B12SlackBot, incoming: Incoming) -> None:
        """After an answered click: the clicked message shows the choice instead of buttons."""
        click = incoming.click
        if click is None:
            return
        try:
            await output.replace_buttons(
                incoming.channel, click.message_ts, click.message, click.chosen, click.user
            )
        except Exception as error:
            # The second click is still ignored (remembered above); only the display is stale.
            logger.error(
                "slack: replacing used buttons failed (sender %s): %s",
                incoming.sender_id,
                describe_failure(error).splitlines()[0],
            )

    def _start(
        self, on_new_message: Callable[[UserMessage], Awaitable[Any]], incoming: Incoming
    ) -> None:
        task = asyncio.create_task(self._handle(on_new_message, incoming))
        self._background_tasks.add(task)
        task.add_done_callback(self._background_tasks.discard)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        """Routes: GET / (health) and POST /webhook; both 404 while inactive."""
        rasa_patches.require_installed("slack")
        webhook = Blueprint("b12_slack_webhook", __name__)

        def not_configured() -> HTTPResponse:
            return response.json({"error": "The Slack channel is not configured."}, status=404)

        @webhook.route("/", methods=["GET"])
        async def health(_: Request) -> HTTPResponse:
            if not self.enabled:
                return not_configured()
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["POST"], stream=True)
        async def receive(request: Request) -> HTTPResponse:
            if self.config is None:
                return not_configured()
            try:
                body = await read_body(request, self.edge_limits)
            except RequestError as error:
                return response.json({"error": str(error)}, status=error.status)
            problem = verify_slack_request(
                self.config.signing_secret,
                request.headers.get("X-Slack-Request-Timestamp"),
                request.headers.get("X-Slack-Signature"),
                body,
            )
            if problem:
                logger.warning("slack: request refused: %s", problem)
                return response.json({"error": "Invalid Slack signature."}, status=401)

            content_type = (request.headers.get("content-type") or "").split(";")[0].strip()
            try:
                if content_type == "application/x-www-form-urlencoded":
                    form = parse_qs(body.decode("utf-8"), strict_parsing=False)
                    raw = (form.get("payload") or ["null"])[0]
                    payload = load_json(raw.encode("utf-8"), self.edge_limits)
                    if not isinstance(payload, Mapping):
                        return response.json({"error": "Malformed payload."}, status=400)
                    incoming = self._from_interaction(payload)
                    if incoming is not None and self._first_click(incoming):
                        self._start(on_new_message, incoming)
                    return response.text("")
                data = load_json(body, self.edge_limits)
            except RequestError as error:
                return response.json({"error": str(error)}, status=error.status)
            except (ValueError, UnicodeDecodeError):
                return response.json({"error": "Malformed body."}, status=400)
            if not isinstance(data, Mapping):
                return response.json({"error": "Malformed body."}, status=400)
            if data.get("type") == "url_verification":
                return response.json({"challenge": str(data.get("challenge", ""))})
            if data.get("type") != "event_callback":
                return response.text("")
            event_id = data.get("event_id")
            if not self._first_time(event_id if isinstance(event_id, str) else None):
                return response.text("", headers={"X-Slack-No-Retry": "1"})
            incoming = self._from_event(data)
            if incoming is not None:
                self._start(on_new_message, incoming)
            return response.text("")

        return webhook


# The names credentials.yml uses.
SlackChannel = B12SlackInput
