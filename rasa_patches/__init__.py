"""Every change this project makes to Rasa 3.6 internals, in one place, installed explicitly.

Nothing here happens on import. The entry points install the patches before Rasa starts:

- ``python -m rasa_patches run ...`` (``scripts/run.sh``, the production image and
  docker-compose, the test servers in ``tests/servers.py``) installs them, then runs Rasa's CLI;
- tests that build a channel in-process call :func:`install` (``tests/conftest.py`` fixtures).

The channels that depend on them (REST, web chat, Slack, Teams) refuse to build their routes
when they are missing (:func:`require_installed`): without them a tracker-store failure would
silently start the conversation over and an action-server failure would leave the user with no
answer. Each :class:`Patch` names the Rasa behaviour it replaces; ``tests/test_rasa_patches.py``
checks, patch by patch, that Rasa's behaviour is back when the patch is removed and gone when
it is installed, so an upgrade that changes the patched code fails there first.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Patch:
    """One replaced attribute of a Rasa class or module."""

    name: str
    replaces: str  # the Rasa 3.6 behaviour this patch replaces
    target: Callable[[], Any]  # returns the class or module that owns the attribute
    attribute: str
    build: Callable[[Any], Any]  # Rasa's original -> the replacement


_originals: dict[tuple[str, str], Any] = {}


# --- 1. FailSafeTrackerStore -----------------------------------------------------------------


def _failsafe_tracker_store() -> Any:
    from rasa.core.tracker_store import FailSafeTrackerStore

    return FailSafeTrackerStore


def _tracker_store_passthrough(original: Any) -> Any:
    from stores.errors import TrackerStoreUnavailable

    @functools.wraps(original)
    def passthrough(self: Any, error: Exception) -> None:
        if isinstance(error, TrackerStoreUnavailable):
            # Called from inside FailSafeTrackerStore's `except`: re-raise instead of returning
            # None (a fresh tracker) or saving to one process's memory.
            raise error
        original(self, error)

    return passthrough


# --- 2. RemoteAction.run ---------------------------------------------------------------------


def _remote_action() -> Any:
    from rasa.core.actions.action import RemoteAction

    return RemoteAction


def _action_abort(original: Any) -> Any:
    from rasa.core.actions.action import ActionExecutionRejection

    from stores.errors import ActionServerUnavailable, in_channel_turn

    @functools.wraps(original)
    async def run(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return await original(self, *args, **kwargs)
        except ActionExecutionRejection:
            raise  # a legitimate answer of the action server
        except Exception as error:
            if not in_channel_turn():
                raise
            logger.error(
                "action server failed for action %s (%s): abandoning the turn",
                self.name(),
                type(error).__name__,
            )
            raise ActionServerUnavailable(self.name()) from error

    return run


# --- 3. RemoteAction._validate_action_result ------------------------------------------------


def _cached_validator(original: Any) -> Any:
    from stores.remote_action import validate_action_result

    return validate_action_result


# --- 4. The root route -----------------------------------------------------------------------


def _rasa_server() -> Any:
    import rasa.server

    return rasa.server


def _root_route_without_version(original: Any) -> Any:
    from sanic import Sanic, response
    from sanic.request import Request
    from sanic.response import HTTPResponse

    @functools.wraps(original)
    def add_root_route(app: Sanic) -> None:
        @app.get("/")
        async def hello(request: Request) -> HTTPResponse:
            """Liveness only: the version would tell an attacker which advisories apply."""
            return response.text("Hello from Rasa")

    return add_root_route


# --- 5. EndpointConfig.session --------------------------------------------------------------


def _endpoint_config() -> Any:
    from rasa.utils.endpoints import EndpointConfig

    return EndpointConfig


def _kept_session(original: Any) -> Any:
    from stores.endpoint_pool import pooled_session

    return pooled_session(original)


# --- 6. EndpointConfig.request --------------------------------------------------------------


def _stale_connection_retried(original: Any) -> Any:
    from stores.endpoint_pool import retried_on_stale_connection

    return retried_on_stale_connection(original)


# --- 7. rasa.core.run.configure_app ----------------------------------------------------------


def _rasa_run() -> Any:
    import rasa.core.run

    return rasa.core.run


def _kept_sessions_closed(original: Any) -> Any:
    from stores.endpoint_pool import closing_at_server_stop

    return closing_at_server_stop(original)


# --- 8. ActionExtractSlots._execute_validation_action ----------------------------------------


def _action_extract_slots() -> Any:
    from rasa.core.actions.action import ActionExtractSlots

    return ActionExtractSlots


def _validation_only_while_paused(original: Any) -> Any:
    @functools.wraps(original)
    async def validate(self: Any, extraction_events: Any, *args: Any, **kwargs: Any) -> Any:
        tracker = kwargs.get("tracker", args[2] if len(args) > 2 else None)
        if tracker is not None and tracker.is_paused():
            return await original(self, extraction_events, *args, **kwargs)
        # The predicted action starts the turn in the action server (actions/turn.py).
        return [event for event in extraction_events if event.type_name == "slot"]

    return validate


PATCHES: tuple[Patch, ...] = (
    Patch(
        "tracker_store_errors_reach_the_channel",
        "FailSafeTrackerStore.on_tracker_store_retrieve_error logs a failed read and the turn "
        "starts from a fresh, empty tracker (the patient's facts are silently gone)",
        _failsafe_tracker_store,
        "on_tracker_store_retrieve_error",
        _tracker_store_passthrough,
    ),
    Patch(
        "tracker_store_save_errors_reach_the_channel",
        "FailSafeTrackerStore.on_tracker_store_error logs a failed save and the tracker is "
        "saved to one process's memory instead (lost on restart, invisible to other replicas)",
        _failsafe_tracker_store,
        "on_tracker_store_error",
        _tracker_store_passthrough,
    ),
    Patch(
        "action_server_errors_reach_the_channel",
        "MessageProcessor._run_action logs a failed action-server call and goes on with no "
        "events, so the user gets no answer at all (silence)",
        _remote_action,
        "run",
        _action_abort,
    ),
    Patch(
        "action_response_validator_built_once",
        "RemoteAction._validate_action_result calls jsonschema.validate, which meta-validates "
        "the whole response schema on every call (~10 ms, twice per turn)",
        _remote_action,
        "_validate_action_result",
        _cached_validator,
    ),
    Patch(
        "root_route_without_version",
        "rasa.server.add_root_route answers GET / with 'Hello from Rasa: 3.6.21', telling "
        "anyone which Rasa version (and so which advisories) the server has",
        _rasa_server,
        "add_root_route",
        _root_route_without_version,
    ),
    Patch(
        "action_server_connection_kept",
        "EndpointConfig.request opens a new aiohttp ClientSession, so a new TCP connection to "
        "the action server, for every call (twice per turn) and closes it after (~2 ms a turn)",
        _endpoint_config,
        "session",
        _kept_session,
    ),
    Patch(
        "action_server_stale_connection_retried",
        "EndpointConfig.request fails when the kept connection (patch 5) was closed by a "
        "restarted action server before this process noticed: the turn is lost although the "
        "request never reached the server (Rasa's one connection per call never meets this)",
        _endpoint_config,
        "request",
        _stale_connection_retried,
    ),
    Patch(
        "kept_sessions_closed_at_server_stop",
        "rasa.core.run.configure_app builds a Sanic app whose after_server_stop listeners know "
        "nothing of the kept sessions (patch 5): they stay open, 'Unclosed client session'",
        _rasa_run,
        "configure_app",
        _kept_sessions_closed,
    ),
    Patch(
        "slot_validation_only_while_paused",
        "ActionExtractSlots calls action_validate_slot_mappings on the action server for every "
        "user message, before the predicted action's own call: two round trips a turn and a "
        "tracker rebuilt from all its events (~6 ms at p95). Our predicted actions start the turn "
        "themselves (actions/turn.py); Rasa calls the validation only while the conversation is "
        "paused for a person (it then predicts no action), so an emergency is still named",
        _action_extract_slots,
        "_execute_validation_action",
        _validation_only_while_paused,
    ),
)


def _key(patch: Patch) -> tuple[str, str]:
    owner = patch.target()
    return (getattr(owner, "__qualname__", None) or owner.__name__, patch.attribute)


def original(patch_name: str) -> Any:
    """Rasa's own attribute that a patch replaces (installed or not)."""
    patch = next(p for p in PATCHES if p.name == patch_name)
    return _originals.get(_key(patch)) or patch.target().__dict__[patch.attribute]


def install() -> None:
    """Install every patch (idempotent)."""
    for patch in PATCHES:
        owner, key = patch.target(), _key(patch)
        if key in _originals:
            continue
        rasa_attribute = owner.__dict__[patch.attribute]
        _originals[key] = rasa_attribute
        setattr(owner, patch.attribute, patch.build(rasa_attribute))
    logger.debug("rasa_patches: %d patches installed", len(PATCHES))


def uninstall() -> None:
    """Put Rasa's own attributes back (tests use it to see Rasa's behaviour)."""
    for patch in PATCHES:
        key = _key(patch)
        if key in _originals:
            setattr(patch.target(), patch.attribute, _originals.pop(key))


def installed() -> bool:
    """Whether every patch is in place."""
    return all(_key(patch) in _originals for patch in PATCHES)


def require_installed(channel: str) -> None:
    """Raise if the patches are missing: the channel's failure handling depends on them."""
    if not installed():
        raise RuntimeError(
            f"{channel}: the Rasa patches are not installed, so store and action-server failures "
            "would not reach users (silence, or a conversation started over). Start Rasa with "
            "`python -m rasa_patches run ...` (see scripts/run.sh), or call "
            "rasa_patches.install() before building the channel."
        )
