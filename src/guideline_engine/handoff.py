"""The summary an operator gets when a conversation is handed over to a person.

Data minimisation: the summary holds only what the operator needs to pick the conversation up,
the conversation id, the audience, the latest triage and the known clinical facts, each as a
validated, normalised value. Nothing the user typed is copied: no message text, no transcript,
and a slot value that is not one of the values the engine knows is left out rather than passed
on (slots can be set from a message payload, so they are not trusted to hold only facts).
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from types import MappingProxyType
from typing import Any

from guideline_engine.facts import facts_from_values
from guideline_engine.render.messages import Audience
from guideline_engine.render.reply import facts_used
from guideline_engine.triage import Urgency, red_flags_by_id

HANDOFF_TYPE = "b12.handoff_request"
# The units the extractor can write (guideline_engine.extraction.numbers); anything else in a
# slot did not come from the extractor and is dropped.
LAB_UNIT = re.compile(r"^(?:ng|pg|pmol|nmol|ug|mcg|umol|µg|µmol)/(?:l|ml|dl)$", re.IGNORECASE)
_NUMERIC = ("age", "platelet_count", "ileal_resection_cm")
_MAX_ID_CHARS = 128
_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


@dataclass(frozen=True)
class TriageSummary:
    """The latest triage of the conversation: urgency and red flags (ids and labels)."""

    urgency: Urgency
    red_flags: tuple[tuple[str, str], ...] = ()  # (id, label), curated vocabulary only

    def to_payload(self) -> dict[str, Any]:
        """JSON: ``{"urgency": ..., "red_flags": [ids], "red_flag_labels": [labels]}``."""
        return {
            "urgency": self.urgency.value,
            "red_flags": [flag_id for flag_id, _ in self.red_flags],
            "red_flag_labels": [label for _, label in self.red_flags],
        }


@dataclass(frozen=True)
class HandoffSummary:
    """What the operator channel receives; see the module docstring for what is left out."""

    conversation_id: str
    audience: Audience
    triage: TriageSummary | None
    facts: Mapping[str, Any] = field(default_factory=lambda: MappingProxyType({}))

    def text(self) -> str:
        """One short message for a chat tool (a Slack incoming webhook shows ``text``)."""
        lines = [
            "B12 guideline bot: a user asked to talk to a person.",
            f"Conversation: {self.conversation_id} (audience: {self.audience})",
        ]
        if self.triage is None:
            lines.append("Triage: none in this conversation")
        else:
            flags = ", ".join(label for _, label in self.triage.red_flags)
            lines.append(
                f"Triage: {self.triage.urgency.value.upper()}" + (f" ({flags})" if flags else "")
            )
        if self.facts:
            lines.append("Facts: " + "; ".join(_fact_text(k, v) for k, v in self.facts.items()))
        else:
            lines.append("Facts: none given")
        lines.append("The bot is paused for this conversation until an operator releases it.")
        return "\n".join(lines)

    def to_payload(self) -> dict[str, Any]:
        """The JSON body posted to the operator webhook."""
        return {
            "type": HANDOFF_TYPE,
            "text": self.text(),
            "conversation_id": self.conversation_id,
            "audience": self.audience,
            "triage": self.triage.to_payload() if self.triage else None,
            "facts": _plain(self.facts),
        }


def _plain(value: Any) -> Any:
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def _fact_text(name: str, value: Any) -> str:
    if isinstance(value, Mapping):
        number = value.get("value")
        parts = ["" if number is None else f"{number:g}", str(value.get("unit") or "")]
        status = value.get("status")
        shown = " ".join(p for p in parts if p)
        value = f"{shown} ({status})" if status else shown
    elif isinstance(value, list | tuple):
        value = ", ".join(str(v) for v in value)
    return f"{name} {value}"


def _finite(value: Any) -> bool:
    """False for "nan", "inf" and the like, which the fact reader cannot turn into an age."""
    try:
        return math.isfinite(float(str(value).replace(",", "")))
    except ValueError:
        return True  # not a number at all: the fact reader drops it as unreadable


def _known_facts(slot_values: Mapping[str, Any]) -> dict[str, Any]:
    """Known facts only, as the engine reads them; unreadable or unknown values are dropped."""
    values = {k: v for k, v in slot_values.items() if k not in _NUMERIC or _finite(v)}
    out = facts_used(facts_from_values(values).facts)
    if out.get("neurological_involvement") == "unknown":
        del out["neurological_involvement"]
    if slot_values.get("formulary") is None:
        out.pop("formulary", None)  # "uk" is only the default
    for lab in ("b12", "folate", "mma"):
        entry = out.get(lab)
        if entry is None:
            continue
        if entry.get("unit") and not LAB_UNIT.match(entry["unit"]):
            entry["unit"] = ""  # keep the number; a unit we do not know could be any text
        if entry.get("value") is None and entry.get("status") is None:
            del out[lab]
    return out


def _triage(urgency: str | None, red_flag_ids: list[str] | tuple[str, ...]) -> TriageSummary | None:
    known = red_flags_by_id()
    flags = tuple((i, known[i].label) for i in dict.fromkeys(red_flag_ids) if i in known)
    try:
        level = Urgency(urgency) if urgency else None
    except ValueError:
        level = None
    if level is None and flags:
        level = max((known[i].urgency for i, _ in flags), key=lambda u: u.rank)
    return TriageSummary(urgency=level, red_flags=flags) if level else None


def _safe_id(conversation_id: str) -> str:
    return _CONTROL.sub("", conversation_id)[:_MAX_ID_CHARS]


def build_handoff_summary(
    *,
    conversation_id: str,
    audience: Audience,
    slot_values: Mapping[str, Any],
    triage_urgency: str | None = None,
    triage_red_flags: list[str] | tuple[str, ...] = (),
) -> HandoffSummary:
    """Summarise a conversation for the operator.

    Args:
        conversation_id: The sender id (the operator needs it to release the conversation).
        audience: ``clinician`` or ``patient``.
        slot_values: Fact slots by name (as ``actions.engine.fact_values`` returns them).
        triage_urgency: Urgency of the latest triage, if any (unknown values are dropped).
        triage_red_flags: Red-flag ids of the latest triage (ids not in the curated list
            are dropped).
    """
    return HandoffSummary(
        conversation_id=_safe_id(conversation_id),
        audience="clinician" if audience == "clinician" else "patient",
        triage=_triage(triage_urgency, triage_red_flags),
        facts=MappingProxyType(_known_facts(slot_values)),
    )
