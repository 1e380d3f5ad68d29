"""A conversation run through the real NLU component and the real actions, without servers.

Each turn does what Rasa does, in the same order: the component's entities for the message,
``from_entity`` slot mappings from ``domain.yml``, then the action the rules in ``data/rules/``
give for the intent, which starts the turn itself (triage, audience, causes, refused values,
reset, disclaimer: ``actions/turn.py``) and answers (a response it names is read from
``domain.yml``). The
intent is given by the test, so a test can try every intent the NLU might choose.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

import yaml
from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher

from actions.followup import ActionAnswerFollowup, ActionSources
from actions.guard import ActionNotUnderstood, ActionOutOfScope
from actions.plan import ActionExplain, ActionPlan
from actions.session import ActionGreet, ActionNewPatient, ActionSetAudience, ActionSmallTalk
from actions.turn import bot_event, slots_after
from tests.actions.conftest import build_tracker, real_entities

ROOT = Path(__file__).resolve().parents[2]
ACTIONS: dict[str, type[Action]] = {
    "action_plan": ActionPlan,
    "action_explain": ActionExplain,
    "action_answer_followup": ActionAnswerFollowup,
    "action_sources": ActionSources,
    "action_greet": ActionGreet,
    "action_set_audience": ActionSetAudience,
    "action_new_patient": ActionNewPatient,
    "action_out_of_scope": ActionOutOfScope,
    "action_not_understood": ActionNotUnderstood,
    "action_small_talk": ActionSmallTalk,
}


@cache
def domain() -> dict[str, Any]:
    """The real domain.yml."""
    return dict(yaml.safe_load((ROOT / "domain.yml").read_text("utf-8")))


@cache
def rule_actions() -> dict[str, str]:
    """Intent -> the action the one-step rules in data/rules/ predict for it."""
    out: dict[str, str] = {}
    for path in sorted((ROOT / "data" / "rules").glob("*.yml")):
        for rule in yaml.safe_load(path.read_text("utf-8")).get("rules", []):
            steps = rule.get("steps", [])
            if len(steps) == 2 and "intent" in steps[0] and "action" in steps[1]:
                out[steps[0]["intent"]] = steps[1]["action"]
    return out


def _from_entity_slots(entities: list[dict[str, Any]]) -> dict[str, Any]:
    """What Rasa's from_entity mappings set: the last value of each mapped entity."""
    out: dict[str, Any] = {}
    for name, slot in domain()["slots"].items():
        for mapping in slot.get("mappings", []):
            if mapping.get("type") != "from_entity":
                continue
            values = [e["value"] for e in entities if e["entity"] == mapping["entity"]]
            if values:
                out[name] = values[-1]
    return out


def _responses_filled(messages: list[dict[str, Any]]) -> None:
    """Fill a message sent as a domain response name with its text and payload, as Rasa's NLG."""
    for message in messages:
        name = message.get("response")
        if name:
            response = dict(domain()["responses"][name][0])
            message["text"] = response.get("text")
            message["custom"] = response.get("custom")


@dataclass
class Turn:
    """What the bot sent for one message, and the slots after it."""

    messages: list[dict[str, Any]]
    slots: dict[str, Any]
    action: str

    def payloads(self, kind: str | None = None) -> list[dict[str, Any]]:
        found = [
            m["custom"] for m in self.messages if isinstance(m.get("custom"), dict) and m["custom"]
        ]
        return [p for p in found if kind is None or p.get("type") == kind]

    def payload(self, kind: str) -> dict[str, Any]:
        (found,) = self.payloads(kind)
        return found

    def texts(self) -> list[str]:
        return [m["text"] for m in self.messages if m.get("text")]


@dataclass
class Conversation:
    """One conversation; ``say`` runs a turn and keeps the slots and events for the next."""

    audience: str | None = None
    slots: dict[str, Any] = field(default_factory=dict)
    events: list[dict[str, Any]] = field(default_factory=list)

    async def say(self, text: str, intent: str = "inform") -> Turn:
        entities = real_entities(text)
        metadata = {"audience": self.audience} if self.audience else {}
        slots = {**self.slots, **_from_entity_slots(entities)}
        tracker = build_tracker(
            slots=slots,
            text=text,
            intent=intent,
            entities=entities,
            metadata=metadata,
            events=self.events,
        )
        dispatcher = CollectingDispatcher()
        action = rule_actions().get(intent, "action_not_understood")
        # The action starts the turn itself (actions/turn.py), then answers.
        events = await ACTIONS[action]().run(dispatcher, tracker, domain())
        _responses_filled(dispatcher.messages)
        self.slots = slots_after(slots, events)
        user = {"event": "user", "text": text, "parse_data": {"intent": {"name": intent}}}
        # As in Rasa's tracker: the user event, the slots mapped from its entities, then the
        # bot's messages and the action's events (the turn's start, then the answer).
        mapped = [
            {"event": "slot", "name": name, "value": value}
            for name, value in _from_entity_slots(entities).items()
        ]
        self.events = [
            *self.events,
            user,
            *mapped,
            *(bot_event(m) for m in dispatcher.messages),
            *events,
        ]
        return Turn(messages=list(dispatcher.messages), slots=dict(self.slots), action=action)
