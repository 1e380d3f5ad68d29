"""One action-server call per turn: the predicted action starts the turn, then answers.

Failure modes: a turn whose action skips the start (no triage beside "thanks"), an answer that
reads the slots as they were before the start (another patient's facts, the wrong audience), a
start run twice in one turn (triage said twice), a response without an action of ours.
"""

from __future__ import annotations

import inspect
from typing import Any

import pytest
from rasa_sdk import Action
from rasa_sdk.executor import CollectingDispatcher

import actions.followup
import actions.guard
import actions.handoff
import actions.plan
import actions.session
from actions.plan import ActionPlan
from actions.session import ActionSmallTalk
from actions.turn import TurnAction, turn_started
from tests.actions.conftest import build_tracker, custom_payloads, real_entities
from tests.actions.conversation import Conversation, _from_entity_slots, domain, rule_actions

MODULES = (actions.followup, actions.guard, actions.handoff, actions.plan, actions.session)


def _registered() -> dict[str, type[Action]]:
    found: dict[str, type[Action]] = {}
    for module in MODULES:
        for _, cls in inspect.getmembers(module, inspect.isclass):
            if issubclass(cls, Action) and not inspect.isabstract(cls):
                found[cls().name()] = cls
    return found


def test_every_action_a_rule_predicts_starts_the_turn() -> None:
    registered = _registered()
    for intent, action in rule_actions().items():
        assert action in registered, f"{intent} -> {action}: not an action of ours"
        assert issubclass(registered[action], TurnAction), action


def test_every_small_talk_intent_has_its_response() -> None:
    intents = [i for i, a in rule_actions().items() if a == "action_small_talk"]
    assert sorted(intents) == ["bot_challenge", "goodbye", "help", "thank"]
    for intent in intents:
        assert f"utter_{intent}" in domain()["responses"], intent


async def test_triage_comes_before_the_small_talk_answer() -> None:
    text = "thanks, but now my chest hurts and I can't breathe"
    tracker = build_tracker(text=text, intent="thank", entities=real_entities(text))
    dispatcher = CollectingDispatcher()
    await ActionSmallTalk().run(dispatcher, tracker, domain())
    kinds = [(m.get("custom") or {}).get("type") or m.get("response") for m in dispatcher.messages]
    kinds = [k for k in kinds if k]
    assert kinds[0] == "b12.triage"
    assert kinds[-1] == "utter_thank"


async def test_the_answer_reads_the_slots_the_start_set() -> None:
    text = "62F, pernicious anaemia, no neuro symptoms, platelets 250"
    entities = real_entities(text)
    tracker = build_tracker(
        slots=_from_entity_slots(entities),  # as Rasa's from_entity mappings set them
        text=text,
        intent="inform",
        entities=entities,
        metadata={"audience": "clinician"},
    )
    dispatcher = CollectingDispatcher()
    events = await ActionPlan().run(dispatcher, tracker, domain())
    assert {"event": "slot", "name": "audience", "value": "clinician", "timestamp": None} in events
    plans = [p for p in custom_payloads(dispatcher) if p["type"].endswith(".regimen")]
    assert plans and plans[0]["answer"]["audience"] == "clinician"


async def test_a_second_action_in_the_same_turn_does_not_start_it_again() -> None:
    text = "I have crushing chest pain"
    after = [{"event": "action", "name": "action_plan"}]
    tracker = build_tracker(text=text, entities=real_entities(text), after_user=after)
    assert turn_started(tracker)
    dispatcher = CollectingDispatcher()
    events = await ActionSmallTalk().run(dispatcher, tracker, domain())
    assert events == []
    assert all(m.get("response") for m in dispatcher.messages)  # no second triage, no disclaimer


@pytest.mark.parametrize("intent", ["help", "bot_challenge", "thank", "goodbye"])
async def test_small_talk_keeps_a_new_patient_from_the_turn_before(intent: str) -> None:
    conversation = Conversation(audience="clinician")
    await conversation.say("62F, pernicious anaemia, platelets 35, no neuro symptoms")
    turn = await conversation.say("new patient: 30M, vegan", intent=intent)
    assert turn.slots.get("platelet_count") is None
    assert turn.slots.get("causes") == ["dietary"]
    assert [p for p in turn.payloads() if p.get("type") == "b12.new_patient"]


class _Failing(ActionSmallTalk):
    async def answer(self, dispatcher: CollectingDispatcher, tracker: Any, domain: Any) -> Any:
        dispatcher.utter_message(text="half an answer")
        raise RuntimeError("boom")


async def test_a_failing_answer_keeps_the_turns_triage() -> None:
    text = "my chest hurts and I can't breathe"
    tracker = build_tracker(text=text, intent="thank", entities=real_entities(text))
    dispatcher = CollectingDispatcher()
    events = await _Failing().run(dispatcher, tracker, domain())
    kinds = [(m.get("custom") or {}).get("type") for m in dispatcher.messages]
    kinds = [k for k in kinds if k]
    assert kinds[0] == "b12.triage"
    assert kinds[-1] == "b12.answer_failed"
    assert "half an answer" not in [m.get("text") for m in dispatcher.messages]
    assert {"event": "slot", "name": "disclaimer_shown", "value": True, "timestamp": None} in events


def test_a_value_set_back_in_the_same_turn_sets_no_fact() -> None:
    from actions.subject import _fact_bearing

    events = [
        {"event": "user", "text": "can I take tablets instead?"},
        {"event": "slot", "name": "route_preference", "value": "oral"},  # Rasa's raw mapping
        {"event": "slot", "name": "route_preference", "value": None},  # set back by the start
        {"event": "user", "text": "62F, PA"},
        {"event": "slot", "name": "causes", "value": ["pernicious_anaemia"]},
    ]
    tracker = build_tracker(text="thanks", events=events)
    assert _fact_bearing(tracker) == [("can I take tablets instead?", False), ("62F, PA", True)]
