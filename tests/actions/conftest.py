from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from components.clinical_extractor import entities_for_text

SLOTS = (
    "neurological_involvement causes platelet_count age pregnant route_preference "
    "injection_contraindication folic_acid_started ileal_resection_cm b12_level b12_status "
    "folate_level mma_level breastfeeding haemoglobin pancytopenia value_problems findings "
    "formulary audience disclaimer_shown pending_question"
).split()
DOMAIN: dict[str, Any] = {"slots": {name: {"type": "any", "mappings": []} for name in SLOTS}}
DOMAIN["slots"]["causes"]["mappings"] = [{"type": "custom"}]
DOMAIN["slots"]["audience"]["mappings"] = [{"type": "custom"}]
DOMAIN["slots"]["value_problems"]["mappings"] = [{"type": "custom"}]
DOMAIN["slots"]["findings"]["mappings"] = [{"type": "custom"}]


@pytest.fixture
def dispatcher() -> CollectingDispatcher:
    return CollectingDispatcher()


@pytest.fixture
def domain() -> dict[str, Any]:
    return DOMAIN


def build_tracker(
    *,
    slots: dict[str, Any] | None = None,
    text: str = "",
    intent: str = "inform",
    entities: list[dict[str, Any]] | None = None,
    metadata: dict[str, Any] | None = None,
    events: list[dict[str, Any]] | None = None,
    paused: bool = False,
    after_user: list[dict[str, Any]] | None = None,
) -> Tracker:
    """A tracker as the action server receives it, via Tracker.from_dict."""
    user_event = {
        "event": "user",
        "text": text,
        "parse_data": {"intent": {"name": intent, "confidence": 1.0}, "entities": entities or []},
        "metadata": metadata or {},
    }
    state = {
        "sender_id": "test-conversation",
        "slots": {name: None for name in SLOTS} | (slots or {}),
        "latest_message": {
            "text": text,
            "intent": {"name": intent, "confidence": 1.0},
            "entities": entities or [],
        },
        "events": [*(events or []), user_event, *(after_user or [])],
        "paused": paused,
        "followup_action": None,
        "active_loop": {},
        "latest_action_name": "action_listen",
    }
    return Tracker.from_dict(state)


@pytest.fixture
def make_tracker() -> Callable[..., Tracker]:
    return build_tracker


def custom_payloads(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    return [m["custom"] for m in dispatcher.messages if m.get("custom")]


def texts(dispatcher: CollectingDispatcher) -> list[str]:
    return [m["text"] for m in dispatcher.messages if m.get("text")]


def real_entities(text: str) -> list[dict[str, Any]]:
    """The entities the real NLU component gives this message (no trained model needed)."""
    return [{**e, "extractor": "ClinicalFactExtractor"} for e in entities_for_text(text)]
