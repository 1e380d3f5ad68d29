"""One presentation-neutral answer that every channel only lays out.

The engine words everything here (per audience, labels included); REST text, the web chat,
Slack Block Kit and Teams Adaptive Cards each lay the same :class:`Answer` out in their own way
and never hold label, frequency or heading tables of their own. The answer travels in every
JSON payload under ``"answer"`` (see :meth:`Answer.to_dict`); its shape is documented in
README (*Machine-readable answers*) and versioned by :data:`CONTRACT_VERSION`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, Literal

CONTRACT_VERSION = "2.0"
"""Version of the payload contract (``contract_version`` in every payload)."""

BannerLevel = Literal["emergency", "urgent", "advice", "routine", "info"]
SectionStyle = Literal["lead", "list", "warning", "steps", "note"]
BANNER_LEVELS: tuple[BannerLevel, ...] = ("emergency", "urgent", "advice", "routine", "info")
SECTION_STYLES: tuple[SectionStyle, ...] = ("lead", "list", "warning", "steps", "note")


@dataclass(frozen=True)
class Line:
    """One line of an answer and the citation numbers (and snippet ids) behind it."""

    text: str
    cites: tuple[int, ...] = ()
    snippet_ids: tuple[str, ...] = ()

    def to_text(self) -> str:
        """The line followed by its citation marks, e.g. ``... [1][2]``."""
        marks = "".join(f"[{n}]" for n in self.cites)
        return f"{self.text} {marks}" if marks else self.text

    def to_dict(self) -> dict[str, Any]:
        """``{text, cites, snippet_ids}``."""
        return {"text": self.text, "cites": list(self.cites), "snippet_ids": list(self.snippet_ids)}


@dataclass(frozen=True)
class Section:
    """A titled group of lines; ``style`` tells a channel how much weight to give it."""

    title: str
    lines: tuple[Line, ...]
    style: SectionStyle = "list"

    def to_dict(self) -> dict[str, Any]:
        """``{title, style, lines}``."""
        lines = [x.to_dict() for x in self.lines]
        return {"title": self.title, "style": self.style, "lines": lines}


@dataclass(frozen=True)
class Banner:
    """What to do first and how urgently (triage, a gate's escalation, specialist advice)."""

    level: BannerLevel
    text: str
    cites: tuple[int, ...] = ()

    def to_dict(self) -> dict[str, Any]:
        """``{level, text, cites}``."""
        return {"level": self.level, "text": self.text, "cites": list(self.cites)}


@dataclass(frozen=True)
class Cited:
    """A numbered citation as a channel shows it (already worded for the audience)."""

    number: int
    snippet_id: str
    topic: str
    label: str  # one line: source, year, where in the source, review status
    text: str  # the snippet in the audience's wording
    review: str  # e.g. "pending clinical review" ("" once approved)

    def to_dict(self) -> dict[str, Any]:
        """``{number, snippet_id, topic, label, text, review}``."""
        return {
            "number": self.number,
            "snippet_id": self.snippet_id,
            "topic": self.topic,
            "label": self.label,
            "text": self.text,
            "review": self.review,
        }


@dataclass(frozen=True)
class Button:
    """A quick reply: the title shown and the message sent back when pressed."""

    title: str
    payload: str

    def to_dict(self) -> dict[str, str]:
        """``{title, payload}``."""
        return {"title": self.title, "payload": self.payload}


@dataclass(frozen=True)
class Answer:
    """Everything a channel needs to show one reply, for one audience.

    Attributes:
        kind: What the reply is (``plan``, ``gate``, ``ask``, ``followup``, ``triage``...).
        topic: The topic that answered (``None`` for replies about no topic).
        audience: ``clinician`` or ``patient``; patient answers never hold doses.
        title: One short heading ("" for none).
        banner: What to do first, if anything.
        sections: The body, in order.
        citations: Numbered citations, in the order the body first cites them.
        sources_line: One line naming the sources ("" when nothing is cited).
        buttons: Quick replies.
    """

    kind: str
    topic: str | None
    audience: str
    title: str = ""
    banner: Banner | None = None
    sections: tuple[Section, ...] = ()
    citations: tuple[Cited, ...] = ()
    sources_line: str = ""
    buttons: tuple[Button, ...] = field(default_factory=tuple)

    def to_text(self) -> str:
        """Plain text for REST and for every channel's fallback."""
        out: list[str] = []
        if self.banner is not None:
            out.append(Line(self.banner.text, self.banner.cites).to_text())
        if self.title:
            out.append(self.title)
        for section in self.sections:
            if section.title:
                out.append(section.title)
            bullet = "- " if section.style in {"list", "warning", "note"} else ""
            out.extend(bullet + line.to_text() for line in section.lines)
        if self.citations:
            out.append("")
            out.append(self.sources_line)
            out.extend(f"[{c.number}] {c.label}" for c in self.citations)
        return "\n".join(out).strip()

    def to_dict(self) -> dict[str, Any]:
        """The ``answer`` object of the payload contract."""
        return {
            "kind": self.kind,
            "topic": self.topic,
            "audience": self.audience,
            "title": self.title,
            "banner": self.banner.to_dict() if self.banner else None,
            "sections": [s.to_dict() for s in self.sections],
            "citations": [c.to_dict() for c in self.citations],
            "sources_line": self.sources_line,
            "buttons": [b.to_dict() for b in self.buttons],
        }

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Answer:
        """Rebuild an answer from its payload form (channels, tests).

        Raises:
            ValueError: A field is missing, or a level or style is unknown.
        """
        try:
            banner = data.get("banner")
            return cls(
                kind=str(data["kind"]),
                topic=data.get("topic"),
                audience=str(data["audience"]),
                title=str(data.get("title") or ""),
                banner=_banner(banner) if banner else None,
                sections=tuple(_section(s) for s in data.get("sections") or ()),
                citations=tuple(Cited(**c) for c in data.get("citations") or ()),
                sources_line=str(data.get("sources_line") or ""),
                buttons=tuple(Button(**b) for b in data.get("buttons") or ()),
            )
        except (KeyError, TypeError) as exc:
            raise ValueError(f"answer: malformed: {exc}") from exc


def _banner(data: Mapping[str, Any]) -> Banner:
    level = data["level"]
    if level not in BANNER_LEVELS:
        raise ValueError(f"answer: banner level {level!r} is not one of {list(BANNER_LEVELS)}")
    return Banner(level=level, text=str(data["text"]), cites=tuple(data.get("cites") or ()))


def _section(data: Mapping[str, Any]) -> Section:
    style = data.get("style", "list")
    if style not in SECTION_STYLES:
        raise ValueError(f"answer: section style {style!r} is not one of {list(SECTION_STYLES)}")
    lines = tuple(
        Line(str(x["text"]), tuple(x.get("cites") or ()), tuple(x.get("snippet_ids") or ()))
        for x in data.get("lines") or ()
    )
    return Section(title=str(data.get("title") or ""), lines=lines, style=style)
