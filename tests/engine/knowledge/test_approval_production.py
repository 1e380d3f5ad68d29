"""The production profile runs with the approval gate on, and a turn then fails closed."""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml
from rasa_sdk.executor import CollectingDispatcher

import action_server.__main__ as action_main
from actions import engine
from actions.followup import ActionAnswerFollowup
from actions.plan import ActionPlan
from guideline_engine.knowledge import approved_only_from_env
from tests.actions.conftest import DOMAIN, build_tracker

ROOT = Path(__file__).resolve().parents[3]


def _clear() -> None:
    for cached in (engine.knowledge_base, engine.approvals, engine.topic_retrievers):
        cached.cache_clear()


@pytest.fixture
def production_env(monkeypatch: pytest.MonkeyPatch) -> Iterator[dict[str, str]]:
    """The action server's environment from docker-compose.yml, applied to this process."""
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    env = {k: str(v) for k, v in compose["services"]["actions"]["environment"].items()}
    monkeypatch.setenv("KB_APPROVED_ONLY", env["KB_APPROVED_ONLY"])
    _clear()
    yield env
    _clear()


def test_production_profile_sets_the_gate_on() -> None:
    compose = yaml.safe_load((ROOT / "docker-compose.yml").read_text(encoding="utf-8"))
    env = {k: str(v) for k, v in compose["services"]["actions"]["environment"].items()}
    assert approved_only_from_env(env) is True
    assert "${" not in env["KB_APPROVED_ONLY"]  # not switchable off from the host environment
    assert "KB_APPROVED_ONLY=true" in (ROOT / "deploy" / "Dockerfile").read_text(encoding="utf-8")


def payloads(dispatcher: CollectingDispatcher) -> list[dict[str, Any]]:
    return [m["custom"] for m in dispatcher.messages if m.get("custom")]


async def test_plan_turn_fails_closed_naming_the_artefacts(production_env: dict[str, str]) -> None:
    dispatcher = CollectingDispatcher()
    tracker = build_tracker(slots={"neurological_involvement": "no", "audience": "clinician"})
    await ActionPlan().answer(dispatcher, tracker, DOMAIN)
    [payload] = payloads(dispatcher)
    assert payload["type"] == "b12.content_unavailable"
    named = {(a["kind"], a["id"]) for a in payload["artefacts"]}
    assert {("rule", "content.b12.rules"), ("rule", "content.b12.render")} <= named
    assert {kind for kind, _ in named} >= {"snippet", "rule", "gate", "label"}
    text = " ".join(m.get("text") or "" for m in dispatcher.messages)
    assert "has not been approved" in text
    assert "mg" not in text and "IM" not in text  # never shown partly


async def test_followup_turn_fails_closed(production_env: dict[str, str]) -> None:
    dispatcher = CollectingDispatcher()
    tracker = build_tracker(text="how often are the injections given at first?", intent="ask")
    await ActionAnswerFollowup().answer(dispatcher, tracker, DOMAIN)
    [payload] = payloads(dispatcher)
    assert payload["type"] == "b12.content_unavailable"
    assert payload["artefacts"] and all(a["kind"] == "snippet" for a in payload["artefacts"])


async def test_make_run_default_keeps_the_pending_label(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KB_APPROVED_ONLY", raising=False)
    _clear()
    try:
        dispatcher = CollectingDispatcher()
        tracker = build_tracker(slots={"neurological_involvement": "no", "audience": "clinician"})
        await ActionPlan().answer(dispatcher, tracker, DOMAIN)
    finally:
        _clear()
    [payload] = payloads(dispatcher)
    assert payload["type"] == "b12.regimen"
    assert all(c["label"] == "pending clinical review" for c in payload["citations"])


def test_start_up_logs_the_approval_summary(
    production_env: dict[str, str], caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO, logger="action_server"):
        action_main.check_clinical_content()
    assert "clinical approval gate ON" in caplog.text
    assert "rule 0/" in caplog.text


def test_start_up_stops_on_invalid_gate_setting(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("KB_APPROVED_ONLY", "ture")
    with pytest.raises(SystemExit, match="clinical content failed validation"):
        action_main.check_clinical_content()


def test_start_up_stops_on_a_stale_approval(monkeypatch: pytest.MonkeyPatch) -> None:
    from guideline_engine.knowledge import approval

    def stale(*_: object) -> object:
        raise approval.ApprovalError(
            ["rule:content.b12.rules: stale: content changed after approval"]
        )

    monkeypatch.setattr(action_main, "startup_check", stale)
    with pytest.raises(SystemExit, match="stale"):
        action_main.check_clinical_content()
