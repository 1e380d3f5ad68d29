"""Each Rasa patch: Rasa's behaviour without it, ours with it, and explicit installation only.

If a Rasa upgrade changes the patched code, the "without" half of a test here fails first; if
an entry point stops installing the patches, the entry-point tests fail.
"""

from __future__ import annotations

import subprocess
import sys
from typing import Any

import jsonschema
import pytest
import rasa
from rasa.core.actions.action import RemoteAction
from rasa.core.channels.channel import CollectingOutputChannel
from rasa.core.nlg import TemplatedNaturalLanguageGenerator
from rasa.core.tracker_store import FailSafeTrackerStore, InMemoryTrackerStore
from rasa.shared.core.domain import Domain
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.exceptions import RasaException
from rasa.utils.endpoints import EndpointConfig
from sanic import Sanic

import rasa_patches
from stores import errors
from tests.security.conftest import client, free_port, serving
from tests.servers import ROOT


class BrokenStore(InMemoryTrackerStore):
    """A tracker store whose database is down, as SafeSQLTrackerStore reports it."""

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        raise errors.TrackerStoreUnavailable("database down")

    async def save(self, tracker: DialogueStateTracker) -> None:
        raise errors.TrackerStoreUnavailable("database down")


def failsafe() -> FailSafeTrackerStore:
    return FailSafeTrackerStore(BrokenStore(Domain.empty()))


def test_every_patch_names_the_rasa_behaviour_it_replaces() -> None:
    assert len({p.name for p in rasa_patches.PATCHES}) == len(rasa_patches.PATCHES)
    for patch in rasa_patches.PATCHES:
        assert len(patch.replaces) > 40, patch.name
        assert patch.attribute in patch.target().__dict__


# --- FailSafeTrackerStore ------------------------------------------------------------------


async def test_without_patch_rasa_reads_a_broken_store_as_a_new_conversation(
    without_patches: None,
) -> None:
    assert await failsafe().retrieve("patient-1") is None  # facts silently gone


async def test_with_patch_a_broken_store_read_reaches_the_channel(with_patches: None) -> None:
    with pytest.raises(errors.TrackerStoreUnavailable):
        await failsafe().retrieve("patient-1")


async def test_without_patch_rasa_saves_to_process_memory(without_patches: None) -> None:
    store = failsafe()
    await store.save(DialogueStateTracker("patient-1", []))
    assert await store.fallback_tracker_store.retrieve("patient-1") is not None


async def test_with_patch_a_broken_store_save_reaches_the_channel(with_patches: None) -> None:
    store = failsafe()
    with pytest.raises(errors.TrackerStoreUnavailable):
        await store.save(DialogueStateTracker("patient-1", []))
    assert await store.fallback_tracker_store.retrieve("patient-1") is None


# --- RemoteAction.run ---------------------------------------------------------------------


async def run_against_dead_action_server() -> None:
    action = RemoteAction("action_plan", EndpointConfig(f"http://127.0.0.1:{free_port()}/webhook"))
    await action.run(
        CollectingOutputChannel(),
        TemplatedNaturalLanguageGenerator({}),
        DialogueStateTracker("patient-1", []),
        Domain.empty(),
    )


async def test_without_patch_an_action_server_failure_is_an_exception_rasa_swallows(
    without_patches: None,
) -> None:
    # MessageProcessor._run_action catches Exception: the user would get no answer at all.
    with errors.channel_turn(), pytest.raises(RasaException):
        await run_against_dead_action_server()


async def test_with_patch_an_action_server_failure_abandons_the_turn(with_patches: None) -> None:
    with errors.channel_turn(), pytest.raises(errors.ActionServerUnavailable):
        await run_against_dead_action_server()
    assert not issubclass(errors.ActionServerUnavailable, Exception)  # escapes `except Exception`
    with pytest.raises(RasaException):  # outside a channel turn: Rasa's behaviour
        await run_against_dead_action_server()


# --- RemoteAction._validate_action_result ---------------------------------------------------


def count_schema_checks(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    from stores import remote_action

    remote_action.response_validator.cache_clear()
    cls = jsonschema.validators.validator_for(RemoteAction.action_response_format_spec())
    calls: list[int] = []
    original = cls.check_schema.__func__  # type: ignore[attr-defined]

    def counting(c: Any, schema: Any) -> None:
        calls.append(1)
        original(c, schema)

    monkeypatch.setattr(cls, "check_schema", classmethod(counting))
    return calls


def validate_ten_responses() -> None:
    action = RemoteAction("action_plan", EndpointConfig("http://localhost:5055/webhook"))
    for _ in range(10):
        action._validate_action_result({"events": [], "responses": []})


def test_without_patch_rasa_checks_the_schema_on_every_call(
    without_patches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = count_schema_checks(monkeypatch)
    validate_ten_responses()
    assert len(calls) == 10


def test_with_patch_the_schema_is_checked_once(
    with_patches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = count_schema_checks(monkeypatch)
    validate_ten_responses()
    assert len(calls) == 1


# --- GET / ----------------------------------------------------------------------------------


async def root_text() -> str:
    from rasa.core.run import _create_app_without_api

    Sanic.test_mode = True
    app = _create_app_without_api()
    app.name = f"root_{free_port()}"  # type: ignore[misc]
    async with serving(app) as url, client() as http, http.get(url + "/") as reply:
        assert reply.status == 200
        return await reply.text()


async def test_without_patch_root_says_the_rasa_version(without_patches: None) -> None:
    assert rasa.__version__ in await root_text()


async def test_with_patch_root_says_no_version(with_patches: None) -> None:
    text = await root_text()
    assert text == "Hello from Rasa"
    assert rasa.__version__ not in text


# --- Installation ---------------------------------------------------------------------------


def test_importing_channels_and_stores_installs_nothing() -> None:
    code = (
        "import rasa_patches, channels.rest_channel, channels.webchat, channels.slack_channel, "
        "channels.teams_channel, channels.handoff_channel, stores.tracker_store, "
        "stores.lock_store, stores.remote_action; print(rasa_patches.installed())"
    )
    out = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=True
    )
    assert out.stdout.strip() == "False"


def test_install_and_uninstall_are_idempotent() -> None:
    rasa_patches.install()
    rasa_patches.install()
    assert rasa_patches.installed()
    rasa_patches.uninstall()
    rasa_patches.uninstall()
    assert not rasa_patches.installed()
    assert RemoteAction.__dict__["run"] is rasa_patches.original(
        "action_server_errors_reach_the_channel"
    )
    rasa_patches.install()
    assert rasa_patches.installed()


def test_module_entry_point_installs_before_rasa_runs(
    without_patches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    import rasa.__main__

    from rasa_patches import __main__ as entry

    seen: list[bool] = []
    monkeypatch.setattr(rasa.__main__, "main", lambda: seen.append(rasa_patches.installed()))
    monkeypatch.setattr(sys, "argv", ["python -m rasa_patches", "run"])
    entry.main()
    assert seen == [True]
    assert sys.argv[0] == "rasa"


@pytest.mark.parametrize(
    ("path", "needle", "bypass"),
    [
        ("scripts/run.sh", '"$BIN/python" -m rasa_patches "${rasa_args[@]}"', '"$BIN/rasa"'),
        ("docker-compose.yml", '"python", "-m", "rasa_patches", "run"', '["rasa", "run"'),
        ("tests/servers.py", 'sys.executable, "-m", "rasa_patches", "run"', 'BIN / "rasa"'),
    ],
)
def test_every_entry_point_starts_rasa_through_the_patches(
    path: str, needle: str, bypass: str
) -> None:
    text = (ROOT / path).read_text()
    assert needle in text
    assert bypass not in text


# --- ActionExtractSlots._execute_validation_action ----------------------------------------


def validation_calls(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Record each call ActionExtractSlots makes to a custom action instead of making it."""
    from rasa.core.actions.action import ActionExtractSlots

    calls: list[str] = []

    async def record(self: Any, name: str, *args: Any) -> list[Any]:
        calls.append(name)
        return []

    monkeypatch.setattr(ActionExtractSlots, "_run_custom_action", record)
    return calls


async def extract_slots(paused: bool) -> None:
    from rasa.core.actions.action import ActionExtractSlots
    from rasa.shared.core.events import ConversationPaused, UserUttered

    domain = Domain.from_dict({"actions": ["action_validate_slot_mappings"]})
    events: list[Any] = [UserUttered("my chest hurts")]
    tracker = DialogueStateTracker.from_events(
        "patient-1", [*events] + ([ConversationPaused()] if paused else [])
    )
    action = ActionExtractSlots(EndpointConfig("http://127.0.0.1:1/webhook"))
    await action.run(
        CollectingOutputChannel(), TemplatedNaturalLanguageGenerator({}), tracker, domain
    )


async def test_without_patch_rasa_calls_the_validation_action_every_turn(
    without_patches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = validation_calls(monkeypatch)
    await extract_slots(paused=False)
    assert calls == ["action_validate_slot_mappings"]


async def test_with_patch_the_validation_action_is_called_only_while_paused(
    with_patches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls = validation_calls(monkeypatch)
    await extract_slots(paused=False)
    assert calls == []  # the predicted action starts the turn (actions/turn.py)
    await extract_slots(paused=True)
    assert calls == ["action_validate_slot_mappings"]  # no action will be predicted
