"""The prebuilt action-response validator judges exactly as Rasa's one-shot check does."""

from __future__ import annotations

import copy
from typing import Any

import jsonschema
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.shared.utils.schemas.events import EVENT_SCHEMA
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


# --- checking each event against its own type only (the split) -----------------------------

EVENT_NAMES = [variant["properties"]["event"]["const"] for variant in EVENT_SCHEMA["oneOf"]]
RESET = {  # a "new patient" reply: one slot event per fact, then the bot's messages
    "events": [
        {"event": "slot", "timestamp": None, "name": f"s{i}", "value": None} for i in range(22)
    ],
    "responses": [{"text": "New patient."}, {"custom": {"type": "b12.new_patient"}}],
}
MORE: list[dict[str, Any]] = [
    RESET,
    {"events": [{"event": name} for name in EVENT_NAMES]},  # every type, bare
    {"events": [*RESET["events"], {"event": "slot", "name": 5, "value": 1}]},  # one bad, last
    {"events": [{"event": "user", "parse_data": {"entities": [{"entity": "x"}]}}]},  # no value
    {"events": [{"event": "user", "parse_data": {"response_selector": {}}}]},  # both oneOf match
    {"events": [{"event": "action", "confidence": "high"}]},
    {"events": [{"event": "bot", "timestamp": "now"}]},
    {"events": [{"event": "bot", "metadata": []}]},
    {"events": [{"event": 5}]},
    {"events": [{"event": ["slot"]}]},
    {"events": [{"name": "platelets", "value": 35}]},  # no event name
    {"events": ["slot"]},
    {"events": [{"event": "slot", "name": "a", "value": 1}], "responses": [3]},
    {"events": [], "responses": []},
]


def verdicts_agree(result: Any) -> None:
    """Same verdict and message as Rasa's own check; the split never accepts what Rasa refuses."""
    rasa = rasa_verdict(result)
    assert our_verdict(result) == rasa
    if remote_action.passes_by_event_type(result):
        assert rasa is None


@pytest.mark.parametrize("result", VALID + INVALID + MORE)
def test_split_agrees_with_rasa(result: dict[str, Any]) -> None:
    verdicts_agree(result)


JSON = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=4),
    lambda inner: (
        st.lists(inner, max_size=3) | st.dictionaries(st.text(max_size=4), inner, max_size=3)
    ),
    max_leaves=6,
)
EVENT = st.fixed_dictionaries(
    {"event": st.sampled_from([*EVENT_NAMES, "no_such_event"]) | JSON},
    optional={
        "name": st.text(max_size=6) | JSON,
        "value": JSON,
        "timestamp": st.none() | st.floats(allow_nan=False) | JSON,
        "metadata": st.none() | st.dictionaries(st.text(max_size=4), JSON, max_size=2) | JSON,
        "text": st.none() | st.text(max_size=6) | JSON,
        "confidence": st.none() | st.floats(allow_nan=False) | JSON,
        "entities": st.lists(
            st.fixed_dictionaries(
                {"entity": st.text(max_size=4) | JSON}, optional={"value": JSON, "start": JSON}
            ),
            max_size=2,
        )
        | JSON,
        "parse_data": st.fixed_dictionaries(
            {}, optional={"intent": JSON, "entities": JSON, "response_selector": JSON}
        )
        | JSON,
    },
)
RESPONSE = st.fixed_dictionaries(
    {},
    optional={
        "events": st.lists(EVENT | JSON, max_size=4) | JSON,
        "responses": st.lists(
            st.dictionaries(st.text(max_size=4), JSON, max_size=2) | JSON, max_size=2
        )
        | JSON,
    },
)


@settings(max_examples=150, deadline=None)
@given(RESPONSE)
def test_split_agrees_with_rasa_on_generated_responses(result: dict[str, Any]) -> None:
    verdicts_agree(result)


def test_valid_responses_skip_the_full_check(monkeypatch: pytest.MonkeyPatch) -> None:
    def no_full_check(errors: Any) -> Any:
        raise AssertionError("the full check ran")

    monkeypatch.setattr(remote_action, "best_match", no_full_check)
    for result in [*VALID, RESET]:
        assert remote_action.validate_action_result(action(), result) is True


def test_an_invalid_event_among_valid_ones_still_gets_rasas_message() -> None:
    result = {"events": [*RESET["events"], {"event": "slot", "value": 1}]}
    message = our_verdict(result)
    assert message is not None and message == rasa_verdict(result)
    assert not remote_action.passes_by_event_type(result)


def _schema() -> dict[str, Any]:
    return copy.deepcopy(RemoteAction.action_response_format_spec())


def _no_duplicate_names(schema: dict[str, Any]) -> None:
    schema["properties"]["events"]["items"]["oneOf"][1]["properties"]["event"]["const"] = "user"


def _no_unnamed_type(schema: dict[str, Any]) -> None:
    del schema["properties"]["events"]["items"]["oneOf"][2]["properties"]["event"]


def _event_name_required(schema: dict[str, Any]) -> None:
    schema["properties"]["events"]["items"]["required"] = []


def _no_other_keywords(schema: dict[str, Any]) -> None:
    schema["required"] = ["events"]


@pytest.mark.parametrize(
    "change", [_no_duplicate_names, _no_unnamed_type, _event_name_required, _no_other_keywords]
)
def test_no_split_for_a_schema_it_would_not_be_exact_for(change: Any) -> None:
    schema = _schema()
    change(schema)
    cls = jsonschema.validators.validator_for(schema)
    assert remote_action.split_by_event_type(schema, cls) is None
    assert remote_action.split_by_event_type(_schema(), cls) is not None


def test_without_a_split_every_response_gets_the_full_check(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(remote_action, "by_event_type", lambda: None)
    for result in VALID + INVALID + MORE:
        assert not remote_action.passes_by_event_type(result)
        assert our_verdict(result) == rasa_verdict(result)
