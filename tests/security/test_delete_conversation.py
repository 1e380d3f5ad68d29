"""scripts/delete_conversation.py against a temporary SQLite tracker store and feedback file."""

from __future__ import annotations

import importlib.util
import json
import sqlite3
import subprocess
import sys
from pathlib import Path
from types import ModuleType

import pytest
from rasa.core.tracker_store import SQLTrackerStore
from rasa.shared.core.events import ActionExecuted, SessionStarted, UserUttered
from rasa.shared.core.trackers import DialogueStateTracker

ROOT = Path(__file__).resolve().parents[2]
SCRIPT = ROOT / "scripts" / "delete_conversation.py"


@pytest.fixture(scope="module")
def script() -> ModuleType:
    spec = importlib.util.spec_from_file_location("delete_conversation", SCRIPT)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


def _events(text: str) -> list[object]:
    return [
        ActionExecuted("action_session_start"),
        SessionStarted(),
        ActionExecuted("action_listen"),
        UserUttered(text, {"name": "describe_patient"}),
        ActionExecuted("action_plan"),
        ActionExecuted("action_listen"),
    ]


async def _store_conversations(db: Path, conversations: dict[str, list[str]]) -> None:
    store = SQLTrackerStore(dialect="sqlite", db=str(db))
    for sender_id, texts in conversations.items():
        events = [event for text in texts for event in _events(text)]
        await store.save(DialogueStateTracker.from_events(sender_id, events))
    store.engine.dispose()


def _rows(db: Path) -> dict[str, int]:
    with sqlite3.connect(db) as connection:
        rows = connection.execute("SELECT sender_id, COUNT(*) FROM events GROUP BY sender_id")
        return dict(rows.fetchall())


def _write_feedback(path: Path, conversation_ids: list[str]) -> None:
    lines = [
        json.dumps({"conversation_id": cid, "answer": "…", "comment": f"wrong for {cid}"})
        for cid in conversation_ids
    ]
    path.write_text("\n".join([*lines, "not json"]) + "\n", encoding="utf-8")


def _endpoints(tmp_path: Path, db: Path) -> Path:
    endpoints = tmp_path / "endpoints.yml"
    endpoints.write_text(
        "action_endpoint:\n"
        '  url: "http://localhost:5055/webhook"\n'
        "  token: ${ACTION_SERVER_TOKEN}\n"
        "tracker_store:\n"
        "  type: SQL\n"
        "  dialect: sqlite\n"
        f'  db: "{db}"\n'
    )
    return endpoints


async def test_deletes_every_session_of_one_sender_only(
    tmp_path: Path, script: ModuleType, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("ACTION_SERVER_TOKEN", raising=False)  # not needed to delete
    db = tmp_path / "rasa.db"
    await _store_conversations(
        db,
        {
            "patient-1": ["62F numb feet", "new patient", "58M no neuro"],  # three sessions
            "patient-2": ["vegan, tired"],
        },
    )
    before = _rows(db)
    assert before["patient-1"] > before["patient-2"] > 0
    feedback = tmp_path / "feedback.jsonl"
    _write_feedback(feedback, ["patient-1", "patient-2", "patient-1"])

    status = script.main(
        ["patient-1", "--endpoints", str(_endpoints(tmp_path, db)), "--feedback", str(feedback)]
    )

    assert status == 0
    assert _rows(db) == {"patient-2": before["patient-2"]}
    remaining = feedback.read_text(encoding="utf-8").splitlines()
    assert remaining == [
        json.dumps(
            {"conversation_id": "patient-2", "answer": "…", "comment": "wrong for patient-2"}
        ),
        "not json",
    ]
    # Idempotent: nothing left to delete.
    assert (
        script.main(
            ["patient-1", "--endpoints", str(_endpoints(tmp_path, db)), "--feedback", str(feedback)]
        )
        == 0
    )
    assert _rows(db) == {"patient-2": before["patient-2"]}


def test_deleted_tracker_is_gone_for_rasa(tmp_path: Path, script: ModuleType) -> None:
    import asyncio

    from rasa.shared.core.domain import Domain

    db = tmp_path / "rasa.db"
    asyncio.run(_store_conversations(db, {"patient-9": ["numb feet"]}))
    domain = Domain.from_path(ROOT / "domain.yml")
    store = SQLTrackerStore(domain=domain, dialect="sqlite", db=str(db))
    assert asyncio.run(store.retrieve_full_tracker("patient-9")) is not None
    result = script.delete_tracker("patient-9", _endpoints(tmp_path, db))
    assert (result.store, result.deleted_events) == ("SQLTrackerStore", 6)
    assert asyncio.run(store.retrieve_full_tracker("patient-9")) is None


def test_in_memory_store_explains_restart(
    tmp_path: Path, script: ModuleType, capsys: pytest.CaptureFixture[str]
) -> None:
    feedback = tmp_path / "feedback.jsonl"
    _write_feedback(feedback, ["p-1", "p-2"])
    status = script.main(
        ["p-1", "--endpoints", str(ROOT / "endpoints.yml"), "--feedback", str(feedback)]
    )
    out = capsys.readouterr().out
    assert status == 0
    assert "InMemoryTrackerStore" in out and "Restarting the Rasa server deletes" in out
    assert "deleted 1 records" in out
    assert "p-1" not in feedback.read_text(encoding="utf-8")


def test_missing_feedback_file_is_fine(tmp_path: Path, script: ModuleType) -> None:
    assert script.delete_feedback("p-1", tmp_path / "none.jsonl") == 0


def test_rejects_a_malformed_sender_id(script: ModuleType) -> None:
    with pytest.raises(SystemExit) as exit_info:
        script.main(["bad id with spaces"])
    assert exit_info.value.code == 2


def test_runs_as_a_script(tmp_path: Path) -> None:
    feedback = tmp_path / "feedback.jsonl"
    _write_feedback(feedback, ["p-1"])
    result = subprocess.run(
        [sys.executable, str(SCRIPT), "p-1", "--feedback", str(feedback)],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stderr[-2000:]
    assert "deleted 1 records" in result.stdout
