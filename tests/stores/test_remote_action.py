"""The prebuilt action-response validator judges exactly as Rasa's one-shot check does."""

from __future__ import annotations

from typing import Any

import jsonschema
import pytest
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.utils.endpoints import EndpointConfig

import rasa_patches
from stores import remote_action

# Rasa's own method, whether or not the patches are installed.
RASA_VALIDATE = rasa_patches.original("action_response_validator_built_once")

VALID: list[dict[str, Any]] = [
    {"events": [], "responses": []},
    {},
    {"events": [{"event": "slot", "timestamp": None, "name": "platelets", "value": 35}]},
    {"events": [{"event": "followup", "name": "action_plan"}], "responses": [{"text": "x"}]},
    {"responses": [{"text": "plan", "custom": {"type": "b12.plan", "lines": []}}]},
]
INVALID: list[dict[str, Any]] = [
    {"events": {"event": "slot"}},
    {"events": [{"event": "no_such_event"}]},
    {"events": [{"event": "slot"}]},  # a slot event needs a name
    {"responses": ["just a string"]},
    {"events": [{"event": "slot", "name": 5}]},
    {"events": [{"event": "user", "text": 3}]},
    {"responses": {"text": "not a list"}},
]


def test_reference_is_rasas_own_method() -> None:
    assert RASA_VALIDATE is not remote_action.validate_action_result
    assert RASA_VALIDATE.__module__ == "rasa.core.actions.action"


def action() -> RemoteAction:
    return RemoteAction("action_plan", EndpointConfig("http://localhost:5055/webhook"))


def rasa_verdict(result: dict[str, Any]) -> str | None:
    try:
        RASA_VALIDATE(action(), result)
    except ValidationError as error:
        return error.message
    return None


def our_verdict(result: dict[str, Any]) -> str | None:
    try:
        assert remote_action.validate_action_result(action(), result) is True
    except ValidationError as error:
        return error.message
    return None


@pytest.mark.parametrize("result", VALID + INVALID)
def test_same_verdict_and_message_as_rasa(result: dict[str, Any]) -> None:
    assert our_verdict(result) == rasa_verdict(result)


@pytest.mark.parametrize("result", INVALID)
def test_invalid_response_raises_with_rasa_hint(result: dict[str, Any]) -> None:
    message = our_verdict(result)
    assert message is not None
    assert "Failed to validate Action server response" in message


def test_schema_is_checked_once_for_many_responses(monkeypatch: pytest.MonkeyPatch) -> None:
    remote_action.response_validator.cache_clear()
    cls = jsonschema.validators.validator_for(RemoteAction.action_response_format_spec())
    calls: list[int] = []
    original = cls.check_schema.__func__  # type: ignore[attr-defined]

    def counting(c: Any, schema: Any) -> None:
        calls.append(1)
        original(c, schema)

    monkeypatch.setattr(cls, "check_schema", classmethod(counting))
    for _ in range(20):
        for result in VALID:
            our_verdict(result)
    assert len(calls) == 1
    remote_action.response_validator.cache_clear()


def test_install_replaces_rasa_method() -> None:
    rasa_patches.uninstall()
    try:
        assert RemoteAction.__dict__["_validate_action_result"] is RASA_VALIDATE
        rasa_patches.install()
        assert RemoteAction._validate_action_result is remote_action.validate_action_result
        rasa_patches.install()  # idempotent
        assert RemoteAction._validate_action_result is remote_action.validate_action_result
        with pytest.raises(ValidationError):
            action()._validate_action_result({"events": "nope"})
    finally:
        rasa_patches.install()
