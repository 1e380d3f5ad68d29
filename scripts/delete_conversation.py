#!/usr/bin/env python
"""Delete one conversation: its tracker in the tracker store and its feedback lines.

Usage::

    scripts/delete_conversation.py SENDER_ID [--endpoints endpoints.yml] [--feedback PATH]

- The tracker store is the one configured under ``tracker_store`` in the endpoints file, built
  with Rasa's own ``TrackerStore.create``. For an SQL tracker store (``type: SQL``) every event
  row of that sender is deleted, across all conversation sessions.
- With the default in-memory tracker store (no ``tracker_store`` configured, as in this
  project's endpoints.yml) conversations live only in the Rasa server's memory: this script
  cannot reach them, and restarting the Rasa server deletes all of them.
- Feedback records (``FEEDBACK_PATH``, default var/feedback.jsonl; one JSON object a line with
  ``conversation_id``) of that sender are removed from the file.

Nothing here prints or logs conversation content, only counts. Run it while the conversation is
idle: a message arriving during the deletion may be stored again. Events already sent to an
event broker (none is configured here) are outside its reach.

Exit status: 0 done (or nothing to delete), 2 bad arguments, 3 tracker store type not
supported by this script (the feedback lines are deleted all the same).
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
import tempfile
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
SENDER_PATTERN = r"^[A-Za-z0-9_.:@-]{1,128}$"  # the REST channel's rule for sender ids
DEFAULT_FEEDBACK_PATH = "var/feedback.jsonl"
EXIT_UNSUPPORTED_STORE = 3


@dataclass
class TrackerDeletion:
    """What happened in the tracker store."""

    store: str
    deleted_events: int | None  # None: this store cannot be reached from here
    note: str


def _tracker_store_config(endpoints: Path) -> object | None:
    """The ``tracker_store`` EndpointConfig of the endpoints file, or None for in-memory."""
    from rasa.utils.endpoints import read_endpoint_config

    # endpoints.yml refers to ${ACTION_SERVER_TOKEN}; Rasa expands every ${...} of the file and
    # fails when one is unset. This script never calls the action server.
    os.environ.setdefault("ACTION_SERVER_TOKEN", "unused-by-delete-conversation")
    if not endpoints.exists():
        raise SystemExit(f"delete_conversation: endpoints file not found: {endpoints}")
    config: object | None = read_endpoint_config(str(endpoints), endpoint_type="tracker_store")
    return config


def delete_tracker(sender_id: str, endpoints: Path) -> TrackerDeletion:
    """Delete the sender's events from the configured tracker store."""
    from rasa.core.tracker_store import InMemoryTrackerStore, SQLTrackerStore, TrackerStore

    config = _tracker_store_config(endpoints)
    store = TrackerStore.create(config)
    name = type(store).__name__
    if isinstance(store, InMemoryTrackerStore):
        return TrackerDeletion(
            name,
            None,
            "the in-memory tracker store lives only inside the running Rasa server; this "
            "script cannot reach it. Restarting the Rasa server deletes every conversation.",
        )
    if isinstance(store, SQLTrackerStore):
        with store.session_scope() as session:
            deleted = (
                session.query(store.SQLEvent)
                .filter(store.SQLEvent.sender_id == sender_id)
                .delete(synchronize_session=False)
            )
            session.commit()
        store.engine.dispose()
        return TrackerDeletion(name, int(deleted), "all sessions of this conversation")
    return TrackerDeletion(
        name,
        None,
        f"deleting from a {name} is not implemented by this script; delete the "
        "conversation with that store's own tools.",
    )


def delete_feedback(sender_id: str, path: Path) -> int:
    """Remove the sender's lines from the feedback file; return how many were removed.

    The file is rewritten atomically (temporary file + rename in the same folder). Lines that
    are not JSON objects are kept. If the file grows while it is rewritten (the action server
    appended a record), the rewrite starts again so that no other record is lost.
    """
    if not path.exists():
        return 0
    for _ in range(10):
        original = path.read_bytes()
        kept: list[bytes] = []
        removed = 0
        for line in original.splitlines(keepends=True):
            try:
                record = json.loads(line)
            except ValueError:
                record = None
            if isinstance(record, dict) and record.get("conversation_id") == sender_id:
                removed += 1
            else:
                kept.append(line)
        if not removed:
            return 0
        fd, tmp_name = tempfile.mkstemp(prefix=".feedback-", dir=path.parent)
        try:
            with os.fdopen(fd, "wb") as handle:
                handle.write(b"".join(kept))
            os.chmod(tmp_name, path.stat().st_mode & 0o777)
            if path.read_bytes() != original:
                continue  # appended to meanwhile: start again
            os.replace(tmp_name, path)
            return removed
        finally:
            if os.path.exists(tmp_name):
                os.unlink(tmp_name)
    raise SystemExit(f"delete_conversation: {path} kept changing; try again")


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    """Command-line options."""
    parser = argparse.ArgumentParser(
        description="Delete one conversation's tracker and feedback records."
    )
    parser.add_argument("sender_id", help="the conversation (REST 'sender') id")
    parser.add_argument("--endpoints", default="endpoints.yml", type=Path)
    parser.add_argument(
        "--feedback",
        type=Path,
        default=Path(os.environ.get("FEEDBACK_PATH", DEFAULT_FEEDBACK_PATH)),
        help="feedback file (default: $FEEDBACK_PATH or var/feedback.jsonl)",
    )
    args = parser.parse_args(argv)
    if not re.match(SENDER_PATTERN, args.sender_id):
        parser.error("SENDER_ID must be 1-128 characters of letters, digits or _.:@-")
    return args


def main(argv: Sequence[str] | None = None) -> int:
    """Delete and report counts; see the module docstring for the exit status."""
    args = parse_args(argv)
    tracker = delete_tracker(args.sender_id, args.endpoints)
    feedback = delete_feedback(args.sender_id, args.feedback)
    if tracker.deleted_events is None:
        print(f"tracker store ({tracker.store}): nothing deleted: {tracker.note}")
    else:
        print(
            f"tracker store ({tracker.store}): deleted {tracker.deleted_events} events "
            f"({tracker.note})"
        )
    print(f"feedback ({args.feedback}): deleted {feedback} records")
    known = tracker.deleted_events is not None or tracker.store == "InMemoryTrackerStore"
    return 0 if known else EXIT_UNSUPPORTED_STORE


if __name__ == "__main__":
    sys.path[:0] = [str(ROOT), str(ROOT / "src")]
    os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")
    sys.exit(main())
