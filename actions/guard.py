"""Before any answer: is the message in a language we read, and about our topic?

Triage has already run (actions/validate.py), so a red flag recognised in another language has
had its advice first; these checks only decide whether the bot may go on to answer.
"""

from __future__ import annotations

from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.events import EventType
from rasa_sdk.executor import CollectingDispatcher

from actions.engine import (
    WHO_ANSWERED_TYPE,
    announced_from_held,
    announced_this_turn,
    entity_values,
    fact_values,
    message_text,
    send,
)
from actions.turn import TurnAction
from guideline_engine.render.messages import messages
from guideline_engine.render.reply import render_notice
from guideline_engine.scope import OtherCondition, declined_condition
from guideline_engine.topics import topics

LANGUAGE_TYPE = "b12.language_unsupported"
OUT_OF_SCOPE_TYPE = "b12.out_of_scope"


def _say(dispatcher: CollectingDispatcher, text: str, payload: dict[str, Any]) -> None:
    """The text, then its payload with the same words as ``answer`` (a decline or notice)."""
    kind = "decline" if payload.get("type") == OUT_OF_SCOPE_TYPE else "notice"
    send(dispatcher, render_notice(kind, text, payload, topic=None))


def scope_text(key: str, **fields: str) -> str:
    """A fixed text that names the covered topics (``{topics}``), from the topic packages."""
    return messages().text(key).format(topics=topics().covered_names(), **fields)


def language_reply(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Say, in the writer's language where we can, that the bot reads English only."""
    language = next(iter(entity_values(tracker, "language")), None)
    if language is None:
        return False
    texts = messages().texts
    native = texts.get(f"language_unsupported_{language}")
    if native is not None and language != "en":
        dispatcher.utter_message(text=native)
    _say(
        dispatcher,
        messages().text("language_unsupported_en"),
        {"type": LANGUAGE_TYPE, "language": str(language)},
    )
    return True


def other_condition(tracker: Tracker) -> OtherCondition | None:
    """Another condition the message asks about (:func:`declined_condition`)."""
    statuses = [*entity_values(tracker, "b12_status"), *entity_values(tracker, "folate_status")]
    names_cause = bool(entity_values(tracker, "cause"))
    return declined_condition(message_text(tracker), names_cause, map(str, statuses))


def decline_other_condition(dispatcher: CollectingDispatcher, condition: OtherCondition) -> None:
    """Decline, naming the condition; a planned topic is said to be planned."""
    key = "out_of_scope_planned" if condition.planned else "out_of_scope_other_condition"
    name = condition.name
    text = scope_text(key, condition=name[:1].upper() + name[1:] if condition.planned else name)
    _say(
        dispatcher,
        text,
        {
            "type": OUT_OF_SCOPE_TYPE,
            "reason": "other_condition",
            "condition": name,
            "condition_id": condition.id,
            "planned": condition.planned,
        },
    )


def decline(dispatcher: CollectingDispatcher, reason: str) -> None:
    """Decline a request outside the topic (``reason``: ``not_this_topic``, ``request``)."""
    _say(
        dispatcher,
        scope_text(f"out_of_scope_{reason}"),
        {"type": OUT_OF_SCOPE_TYPE, "reason": reason},
    )


def guard(dispatcher: CollectingDispatcher, tracker: Tracker) -> bool:
    """Answer for the bot when it must not go on: another language or another condition.

    Returns:
        True when a reply was sent and the calling action must stop.
    """
    if language_reply(dispatcher, tracker):
        return True
    condition = other_condition(tracker)
    if condition is not None:
        decline_other_condition(dispatcher, condition)
        return True
    return False


def names_a_topic(tracker: Tracker) -> bool:
    """The message names a covered topic ("folate deficiency", "B12"), whatever the intent."""
    return bool(topics().named_in(message_text(tracker)))


def _answer_for_topic(dispatcher: CollectingDispatcher, tracker: Tracker) -> list[EventType]:
    """The NLU misjudged a message that names a topic: answer it as a plan request would."""
    from actions.plan import plan_reply  # actions.plan imports this module

    return plan_reply(dispatcher, tracker, fact_values(tracker))


class ActionOutOfScope(TurnAction):
    """A request the NLU judged out of scope: say which kind, with a payload."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_out_of_scope"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Language first, then another condition, then a topic it names, else a decline."""
        if guard(dispatcher, tracker):
            return []
        if names_a_topic(tracker):
            return _answer_for_topic(dispatcher, tracker)
        decline(dispatcher, "request")
        return []


class ActionNotUnderstood(TurnAction):
    """Low NLU confidence: another language, another condition, or "did not understand"."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_not_understood"

    async def answer(
        self, dispatcher: CollectingDispatcher, tracker: Tracker, domain: dict[str, Any]
    ) -> list[EventType]:
        """Say why the bot cannot answer (unless it names a topic), with a payload.

        A short reply to the who-question ("her", "me") was understood by the validation
        action: the new patient's plan follows, or nothing (the facts so far were kept).
        """
        if guard(dispatcher, tracker):
            return []
        if names_a_topic(tracker) or announced_from_held(tracker):
            return _answer_for_topic(dispatcher, tracker)
        if announced_this_turn(tracker, WHO_ANSWERED_TYPE):
            return []
        _say(dispatcher, scope_text("not_understood"), {"type": "b12.not_understood"})
        return []


class ActionDefaultFallback(ActionNotUnderstood):
    """Replaces Rasa's ``action_default_fallback`` (core fallback): the same reply, same payload."""

    def name(self) -> str:
        """Action name in the domain."""
        return "action_default_fallback"
