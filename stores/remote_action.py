"""Validate action-server responses with one prebuilt JSON-schema validator.

Rasa 3.6 checks every response of the action server with the one-shot ``jsonschema.validate``
(``RemoteAction._validate_action_result``). That function first checks the schema itself against
the JSON-schema meta-schema, then builds a validator, on every call. For Rasa's response schema
(every event type) this took about 10 ms per call on our 2-core machine, twice per turn (the
triage-first slot validation and the answering action): more than half of a turn's latency.

:func:`validate_action_result` checks the schema once per process and reuses the validator;
``rasa_patches`` installs it in place of Rasa's method. Responses are judged by the same schema
and the same rule (``best_match`` of the errors), and an invalid response raises the same
``ValidationError`` with Rasa's hint appended.
"""

from __future__ import annotations

import functools
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


def validate_action_result(_action: Any, result: dict[str, Any]) -> bool:
    """Drop-in for ``RemoteAction._validate_action_result``: True, or raise ValidationError."""
    error = best_match(response_validator().iter_errors(result))
    if error is None:
        return True
    error.message += (
        ". Failed to validate Action server response from API, "
        "make sure your response from the Action endpoint is valid. "
        f"For more information about the format visit {DOCS_BASE_URL}/custom-actions"
    )
    raise error
