"""Pure rendering of one bot turn for Slack (Block Kit) and Microsoft Teams (Adaptive Cards).

The actions send every answer as a text message (possibly with buttons) followed by one
message whose ``custom`` is the JSON payload (``README.md``: *Machine-readable answers*).
:func:`group_turn` pairs each payload with the text sent just before it; the renderers then
build one chat message per pair from the *payload* (never by parsing the text), and keep the
text as the plain-text fallback. A text without a payload (disclaimer, greeting, questions
with buttons) is rendered as it is.

Every engine payload carries ``"answer"``, one presentation-neutral answer the engine has
worded for its audience (``guideline_engine.render.answer``): banner, title, sections of lines
with citation numbers, numbered citations, a sources line and buttons. The renderers here only
lay that answer out; they hold no label, frequency or heading table and never read the
structured plan, so a patient's card holds exactly the engine's patient wording.

Nothing here does I/O, imports Rasa or reads the environment, so it is unit-tested directly.
All bot text is treated as untrusted for markup: Slack ``mrkdwn`` control characters are
escaped, and Adaptive Card text goes into ``TextBlock`` elements only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

from guideline_engine.render.answer import Answer, Line, Section

Json = dict[str, Any]

PENDING_LABEL = "pending clinical review"

# Slack limits (https://api.slack.com/reference/block-kit): 50 blocks a message, 3000 chars
# in a section's text, 150 in a header, 75 in a button's text, 2000 in its value, 25
# elements in an actions block, 10 in a context block; chat.postMessage text up to 40000
# (4000 recommended).
SLACK_MAX_BLOCKS = 50
SLACK_SECTION_CHARS = 3000
SLACK_HEADER_CHARS = 150
SLACK_BUTTON_TEXT_CHARS = 75
SLACK_BUTTON_VALUE_CHARS = 2000
SLACK_MAX_BUTTONS = 25
SLACK_FALLBACK_CHARS = 3900
# Teams shows the card's summary in notifications; keep it short.
TEAMS_SUMMARY_CHARS = 200
ADAPTIVE_CARD_VERSION = "1.4"
ADAPTIVE_CARD_TYPE = "application/vnd.microsoft.card.adaptive"
# The key an Adaptive Card submit carries the Rasa payload under (activity.value).
SUBMIT_KEY = "b12_payload"

_TRIAGE_RANK = {"emergency": 0, "urgent": 1, "routine": 2}
_SLACK_ICONS = {
    "emergency": ":rotating_light:",
    "urgent": ":warning:",
    "advice": ":information_source:",
    "routine": ":information_source:",
    "info": ":information_source:",
}
_AC_BANNER = {  # level -> (container style, text colour)
    "emergency": ("attention", "Attention"),
    "urgent": ("warning", "Warning"),
    "advice": ("emphasis", "Default"),
    "routine": ("emphasis", "Default"),
    "info": ("emphasis", "Default"),
}


# --------------------------------------------------------------------------------------------
# Grouping a turn
# --------------------------------------------------------------------------------------------


@dataclass
class Reply:
    """One chat message to send: text (may be empty), buttons and an optional payload."""

    text: str = ""
    buttons: list[dict[str, str]] = field(default_factory=list)
    payload: Json | None = None

    @property
    def kind(self) -> str:
        """The payload's ``type`` (``""`` for a plain text message)."""
        return str((self.payload or {}).get("type") or "")

    @property
    def answer(self) -> Answer | None:
        """The payload's answer, or None (plain text, or a payload without a valid one)."""
        data = (self.payload or {}).get("answer")
        if not isinstance(data, Mapping):
            return None
        try:
            return Answer.from_dict(data)
        except ValueError:
            return None

    def priority(self) -> int:
        """Triage first, emergencies before anything else; then the bot's own order."""
        if self.kind == "b12.triage":
            return _TRIAGE_RANK.get(str((self.payload or {}).get("urgency")), 2)
        return 3


def clean_buttons(buttons: Any) -> list[dict[str, str]]:
    """Buttons as ``[{title, payload}]`` with both strings; anything else is dropped."""
    out: list[dict[str, str]] = []
    for button in buttons or []:
        if not isinstance(button, Mapping):
            continue
        title, payload = button.get("title"), button.get("payload")
        if isinstance(title, str) and isinstance(payload, str) and title and payload:
            out.append({"title": title, "payload": payload})
    return out


def group_turn(messages: Iterable[Mapping[str, Any]]) -> list[Reply]:
    """Pair each ``custom`` payload with the text sent just before it.

    ``messages`` are Rasa's collected bot messages (``text``, ``buttons``, ``custom``, ...).
    A text followed by another text is a reply of its own. An empty ``custom`` (the SDK's
    dispatcher sends ``{}`` with every text) is no payload. Triage replies move to the front
    (emergency first); everything else keeps the bot's order.
    """
    replies: list[Reply] = []
    pending: Reply | None = None
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, Mapping) and custom:
            reply = pending or Reply()
            reply.payload = dict(custom)
            replies.append(reply)
            pending = None
            continue
        text = message.get("text")
        buttons = clean_buttons(message.get("buttons") or message.get("quick_replies"))
        image = message.get("image")
        if not text and not buttons and isinstance(image, str):
            text = image
        if not text and not buttons:
            continue
        if pending is not None:
            replies.append(pending)
        pending = Reply(text=str(text or ""), buttons=buttons)
    if pending is not None:
        replies.append(pending)
    return sorted(replies, key=Reply.priority)


# --------------------------------------------------------------------------------------------
# Shared wording
# --------------------------------------------------------------------------------------------


def fallback_text(reply: Reply) -> str:
    """Plain text for a reply: its answer as text, else the bot's own text, else its buttons."""
    answer = reply.answer
    if answer is not None:
        return answer.to_text()
    if reply.text.strip():
        return reply.text.strip()
    if reply.buttons:
        return " / ".join(b["title"] for b in reply.buttons)
    return ""


def buttons_of(reply: Reply) -> list[dict[str, str]]:
    """The reply's buttons: those sent with its text, else its answer's."""
    if reply.buttons:
        return reply.buttons
    answer = reply.answer
    return [b.to_dict() for b in answer.buttons] if answer else []


def line_text(line: Line) -> str:
    """A line with its citation marks, e.g. ``Drug: ... [2][3]`` (no markup)."""
    return line.to_text()


def has_pending(answer: Answer) -> bool:
    """Whether any citation of the answer is pending clinical review."""
    return any(c.review for c in answer.citations)


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _chunks(text: str, limit: int) -> list[str]:
    """Split on line breaks into pieces of at most ``limit`` characters."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        pieces.append(current)
    return [p for p in pieces if p.strip()]


# --------------------------------------------------------------------------------------------
# Slack Block Kit
# --------------------------------------------------------------------------------------------


def slack_escape(text: str) -> str:
    """Escape Slack's control characters (``&``, ``<``, ``>``) in bot text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mrkdwn(text: str) -> Json:
    return {"type": "mrkdwn", "text": text}


def _section(text: str) -> Json:
    return {"type": "section", "text": _mrkdwn(_truncate(text, SLACK_SECTION_CHARS))}


def _text_sections(text: str) -> list[Json]:
    return [
        _section(slack_escape(piece)) for piece in _chunks(text.strip(), SLACK_SECTION_CHARS - 200)
    ]


def slack_buttons(buttons: Sequence[Mapping[str, str]]) -> Json | None:
    """An ``actions`` block: one button per bot button, its ``value`` the Rasa payload."""
    elements = []
    for index, button in enumerate(buttons[:SLACK_MAX_BUTTONS]):
        payload = button["payload"]
        if len(payload) > SLACK_BUTTON_VALUE_CHARS:
            continue
        elements.append(
            {
                "type": "button",
                "action_id": f"b12_button_{index}",
                "text": {
                    "type": "plain_text",
                    "text": _truncate(button["title"], SLACK_BUTTON_TEXT_CHARS),
                    "emoji": True,
                },
                "value": payload,
            }
        )
    return (
        {"type": "actions", "block_id": "b12_buttons", "elements": elements} if elements else None
    )


def _slack_citations(answer: Answer, room: int) -> list[Json]:
    """A heading context block, then one context block per citation (within ``room``)."""
    cites = answer.citations
    if not cites or room < 2:
        return []
    head = "*Citations*" + (f" · _{PENDING_LABEL}_" if has_pending(answer) else "")
    blocks: list[Json] = [{"type": "context", "elements": [_mrkdwn(head)]}]
    shown = list(cites)
    if len(shown) > room - 1:
        shown = shown[: room - 2]
    for cite in shown:
        text = f"*[{cite.number}]* {slack_escape(cite.text)}\n_{slack_escape(cite.label)}_"
        blocks.append(
            {"type": "context", "elements": [_mrkdwn(_truncate(text, SLACK_SECTION_CHARS))]}
        )
    if len(shown) < len(cites):
        more = len(cites) - len(shown)
        blocks.append(
            {"type": "context", "elements": [_mrkdwn(f"{more} more: say *sources* for the list.")]}
        )
    return blocks


def _slack_line(line: Line, bullet: str) -> str:
    marks = "".join(f"[{n}]" for n in line.cites)
    return f"{bullet}{slack_escape(line.text)}" + (f" *{marks}*" if marks else "")


def _slack_section(section: Section) -> list[Json]:
    bullet = "• " if section.style in {"list", "warning", "note"} else ""
    lines = [_slack_line(x, bullet) for x in section.lines]
    if section.style == "note":
        titled = [f"*{slack_escape(section.title)}*"] if section.title else []
        text = _truncate("\n".join(titled + lines), SLACK_SECTION_CHARS)
        return [{"type": "context", "elements": [_mrkdwn(text)]}]
    icon = ":warning: " if section.style == "warning" else ""
    head = f"{icon}*{slack_escape(section.title)}*\n" if section.title else icon
    body = "\n".join(lines)
    pieces = _chunks(body, SLACK_SECTION_CHARS - 200) or [""]
    return [_section(head + pieces[0])] + [_section(p) for p in pieces[1:]]


def slack_answer_blocks(answer: Answer) -> list[Json]:
    """Banner, title, sections, citations and sources line of one answer."""
    blocks: list[Json] = []
    if answer.banner is not None:
        icon = _SLACK_ICONS[answer.banner.level]
        marks = "".join(f"[{n}]" for n in answer.banner.cites)
        text = f"{icon} *{slack_escape(answer.banner.text)}*" + (f" *{marks}*" if marks else "")
        blocks.append(_section(text))
    if answer.title:
        title = answer.title + (f" ({PENDING_LABEL})" if has_pending(answer) else "")
        blocks.append(
            {
                "type": "header",
                "text": {"type": "plain_text", "text": _truncate(title, SLACK_HEADER_CHARS)},
            }
        )
    for section in answer.sections:
        blocks.extend(_slack_section(section))
    if answer.citations:
        blocks.append({"type": "divider"})
        sources = (
            [{"type": "context", "elements": [_mrkdwn(slack_escape(answer.sources_line))]}]
            if answer.sources_line
            else []
        )
        room = SLACK_MAX_BLOCKS - len(blocks) - len(sources) - 1  # 1 for the buttons
        blocks += _slack_citations(answer, room) + sources
    return blocks


def slack_blocks(reply: Reply) -> list[Json]:
    """Block Kit blocks for one reply: its answer laid out, else its text."""
    answer = reply.answer
    if answer is not None:
        blocks = slack_answer_blocks(answer)
    else:
        blocks = _text_sections(reply.text or fallback_text(reply))
    actions = slack_buttons(buttons_of(reply))
    blocks = blocks[: SLACK_MAX_BLOCKS - (1 if actions else 0)]
    if actions:
        blocks.append(actions)
    return blocks


def slack_message(reply: Reply) -> Json:
    """Keyword arguments for ``chat.postMessage``: ``text`` (fallback) and ``blocks``."""
    return {
        "text": _truncate(fallback_text(reply) or " ", SLACK_FALLBACK_CHARS),
        "blocks": slack_blocks(reply),
    }


# --------------------------------------------------------------------------------------------
# Microsoft Teams: Adaptive Cards 1.4
# --------------------------------------------------------------------------------------------


def _tb(text: str, **props: Any) -> Json:
    return {"type": "TextBlock", "text": text, "wrap": True, **props}


def submit_action(button: Mapping[str, str]) -> Json:
    """``Action.Submit`` whose data carries the Rasa payload; in Teams a ``messageBack``."""
    payload = button["payload"]
    return {
        "type": "Action.Submit",
        "title": button["title"],
        "data": {
            SUBMIT_KEY: payload,
            "msteams": {
                "type": "messageBack",
                "text": payload,
                "displayText": button["title"],
                "value": {SUBMIT_KEY: payload},
            },
        },
    }


def _ac_line(line: Line, bullet: str, **props: Any) -> Json:
    return _tb(bullet + line.to_text(), spacing="None", **props)


def _ac_section(section: Section) -> list[Json]:
    bullet = "• " if section.style in {"list", "warning", "note"} else ""
    small: dict[str, Any] = {"size": "Small", "isSubtle": True} if section.style == "note" else {}
    items = [_tb(section.title, weight="Bolder")] if section.title else []
    items += [_ac_line(x, bullet, **small) for x in section.lines]
    if section.style == "warning":
        return [{"type": "Container", "style": "warning", "items": items}]
    if section.style == "steps":
        return [{"type": "Container", "items": items}]
    return items


def ac_answer_body(answer: Answer) -> list[Json]:
    """Banner, title, sections, citations and sources line of one answer."""
    body: list[Json] = []
    if answer.banner is not None:
        style, color = _AC_BANNER[answer.banner.level]
        text = Line(answer.banner.text, answer.banner.cites).to_text()
        items = [_tb(text, size="Large", weight="Bolder", color=color)]
        body.append({"type": "Container", "style": style, "bleed": True, "items": items})
    if answer.title:
        body.append(_tb(answer.title, size="Large", weight="Bolder"))
    if has_pending(answer):
        body.append(_tb(PENDING_LABEL, color="Warning", size="Small", spacing="None"))
    for section in answer.sections:
        body.extend(_ac_section(section))
    if answer.citations:
        body.append(_tb("Citations", weight="Bolder", separator=True, spacing="Medium"))
        for cite in answer.citations:
            body.append(_tb(f"[{cite.number}] {cite.text}", size="Small", spacing="Small"))
            body.append(_tb(cite.label, size="Small", isSubtle=True, spacing="None"))
    if answer.sources_line:
        body.append(_tb(answer.sources_line, size="Small", isSubtle=True))
    return body


def _rich(answer: Answer) -> bool:
    """Whether an answer needs a card: more than a few plain lines."""
    plain = all(s.style == "lead" and not s.title for s in answer.sections)
    return bool(answer.banner or answer.title or answer.citations or answer.buttons) or not plain


def needs_card(reply: Reply) -> bool:
    """Whether a reply is sent as an Adaptive Card (else as a plain text activity)."""
    answer = reply.answer
    return bool(buttons_of(reply)) or (answer is not None and _rich(answer))


def adaptive_card(reply: Reply) -> Json:
    """The Adaptive Card (1.4) content for one reply; ``fallbackText`` is its plain text."""
    answer = reply.answer
    if answer is not None:
        body = ac_answer_body(answer)
    else:
        body = [_tb(piece) for piece in _chunks(reply.text or fallback_text(reply), 4000)]
    card: Json = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": ADAPTIVE_CARD_VERSION,
        "body": body,
        "fallbackText": fallback_text(reply),
    }
    buttons = buttons_of(reply)
    if buttons:
        card["actions"] = [submit_action(b) for b in buttons]
    return card


def teams_activity(reply: Reply) -> Json:
    """Activity fields for one reply: an Adaptive Card attachment, or plain text."""
    text = fallback_text(reply)
    if not needs_card(reply):
        return {"text": text, "textFormat": "plain"}
    return {
        "text": "",
        "summary": _truncate(text.split("\n", 1)[0], TEAMS_SUMMARY_CHARS),
        "attachments": [{"contentType": ADAPTIVE_CARD_TYPE, "content": adaptive_card(reply)}],
    }


def submitted_payload(value: Any) -> str | None:
    """The Rasa payload a card submit carries in ``activity.value``, if any."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if not isinstance(value, Mapping):
        return None
    payload = value.get(SUBMIT_KEY)
    if isinstance(payload, str) and payload.strip():
        return payload.strip()
    nested = value.get("msteams")
    if isinstance(nested, Mapping):
        return submitted_payload(nested.get("value"))
    return None
