"""Validate action-server responses with prebuilt JSON-schema validators.

Rasa 3.6 checks every response of the action server with the one-shot ``jsonschema.validate``
(``RemoteAction._validate_action_result``). That function first checks the schema itself against
the JSON-schema meta-schema, then builds a validator, on every call. For Rasa's response schema
(every event type) this took about 10 ms per call on our 2-core machine, twice per turn (the
triage-first slot validation and the answering action): more than half of a turn's latency.

:func:`validate_action_result` checks the schema once per process and reuses the validator;
``rasa_patches`` installs it in place of Rasa's method. Responses are judged by the same schema
and the same rule (``best_match`` of the errors), and an invalid response raises the same
``ValidationError`` with Rasa's hint appended.

Even prebuilt, the full check tries each event against all 23 event types (the schema's
``oneOf``): about 0.5 ms a response, 6 ms for a "new patient" reset with 20 events. Each event
type is told apart by its ``event`` name (a ``const``, one per type), so an event can match no
type but the one it names: :func:`passes_by_event_type` checks each event against that type
only. It accepts a response only when the full check would, and anything it does not accept
goes through the full check, so verdicts and error messages stay Rasa's.
"""

from __future__ import annotations

import functools
from collections.abc import Mapping
from dataclasses import dataclass
from types import MappingProxyType
from typing import Any

from jsonschema.exceptions import best_match
from rasa.shared.constants import DOCS_BASE_URL


@functools.lru_cache(maxsize=1)
def response_validator() -> Any:
    """The validator for Rasa's action-response schema (schema checked once)."""
    from jsonschema import validators
    from rasa.core.actions.action import RemoteAction

    schema = RemoteAction.action_response_format_spec()
    cls = validators.validator_for(schema)
    cls.check_schema(schema)
    return cls(schema)


@dataclass(frozen=True)
class ByEventType:
    """Rasa's response schema split so that each event is checked against its own type only.

    Attributes:
        outer: The response with ``events`` checked as an array, its items not at all.
        events: Event name -> validator for what every event needs plus that type's schema.
    """

    outer: Any
    events: Mapping[str, Any]


def split_by_event_type(schema: Mapping[str, Any], cls: Any) -> ByEventType | None:
    """Split a response schema of Rasa 3.6's shape; None for any other shape.

    The split is exact only when the response is an object whose ``events`` is an array of
    objects that require ``event`` and are each one (``oneOf``) of types whose
    ``properties.event.const`` names are all different. None means: no shortcut, every
    response gets the full check (say, after a Rasa upgrade that changed the schema).

    Args:
        schema: The action-response schema (``RemoteAction.action_response_format_spec()``).
        cls: The validator class for it (``jsonschema.validators.validator_for(schema)``).

    Returns:
        The split validators, or None.
    """
    props = schema.get("properties")
    if set(schema) != {"type", "properties"} or schema["type"] != "object":
        return None
    if not isinstance(props, Mapping) or not isinstance(props.get("events"), Mapping):
        return None
    array = props["events"]
    item = array.get("items")
    if set(array) != {"type", "items"} or array["type"] != "array" or not isinstance(item, dict):
        return None
    variants = item.get("oneOf")
    if not isinstance(variants, list) or "event" not in item.get("required", ()):
        return None
    names = [_const_event_name(variant) for variant in variants]
    if None in names or len(set(names)) != len(names):
        return None
    common = {key: value for key, value in item.items() if key != "oneOf"}
    events = {
        str(name): cls({**common, "allOf": [variant]})
        for name, variant in zip(names, variants, strict=True)
    }
    outer = cls({**schema, "properties": {**props, "events": {"type": "array"}}})
    return ByEventType(outer, MappingProxyType(events))


def _const_event_name(variant: Any) -> str | None:
    event = (variant.get("properties") or {}).get("event") if isinstance(variant, dict) else None
    name = event.get("const") if isinstance(event, dict) else None
    return name if isinstance(name, str) else None


_split_of: list[tuple[Any, ByEventType | None]] = []  # (full validator, its split), one pair


def by_event_type() -> ByEventType | None:
    """Rasa's response schema split by event type (None: not of the shape the split needs).

    Built once from the full validator (:func:`response_validator`, whose schema is checked
    once) and rebuilt only if that one is rebuilt.
    """
    full = response_validator()
    if not _split_of or _split_of[0][0] is not full:
        _split_of[:] = [(full, split_by_event_type(full.schema, type(full)))]
    return _split_of[0][1]


def passes_by_event_type(result: Any, split: ByEventType | None = None) -> bool:
    """True only if ``result`` is valid; False means "not shown here", not "invalid".

    Args:
        result: An action-server response.
        split: The split schema (default: Rasa's, :func:`by_event_type`).

    Returns:
        Whether every part of the response passed the check of its own event type.
    """
    split = split if split is not None else by_event_type()
    if split is None or not split.outer.is_valid(result):
        return False
    for event in result.get("events", ()):
        name = event.get("event") if isinstance(event, dict) else None
        validator = split.events.get(name) if isinstance(name, str) else None
        if validator is None or not validator.is_valid(event):
            return False
    return True


def validate_action_result(_action: Any, result: dict[str, Any]) -> bool:
    """Drop-in for ``RemoteAction._validate_action_result``: True, or raise ValidationError."""
    if passes_by_event_type(result):
        return True
    error = best_match(response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error
