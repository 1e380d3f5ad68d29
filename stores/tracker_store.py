"""``SafeSQLTrackerStore``: Rasa's SQL tracker store without silent data loss.

Configure in endpoints (see ``deploy/endpoints.production.yml``)::

    tracker_store:
      type: stores.tracker_store.SafeSQLTrackerStore
      dialect: postgresql
      url: ${DB_HOST}
      ...

Rasa 3.6 loads a custom tracker store by its module path (``_load_from_module_name_in_endpoint_
config``: ``cls(host=url, domain=..., event_broker=..., **other_keys)``) and ``Agent`` wraps it in
``FailSafeTrackerStore``, which swallows every error. Differences from ``SQLTrackerStore``:

- **Failures raise.** Any database error while reading or saving raises
  :class:`~stores.errors.TrackerStoreUnavailable`, and ``rasa_patches`` (installed by the entry
  points) makes ``FailSafeTrackerStore`` re-raise it instead of returning a fresh
  tracker or saving to one process's memory. The REST channel answers 503 "please try again".
- **Saves append exactly the new events.** Rasa counts the stored events of the latest session
  and appends ``tracker.events[count:]``: after a failed save, a concurrent turn or a lock that
  expired, events are dropped or spliced into someone else's. Here, inside one transaction that
  holds a per-conversation advisory lock (PostgreSQL), the stored events of the latest session
  are read back and must be a prefix of the tracker's events (same type and timestamp, in
  order); only the events after that prefix are inserted. If the stored events are not a prefix
  (another process saved this conversation since this tracker was read), nothing is written and
  :class:`~stores.errors.TrackerStoreConflict` is raised, so the user retries on fresh state.
- **Reconnects after a database restart**: ``pool_pre_ping`` replaces dead pooled connections,
  and ``connect_timeout`` (``DB_CONNECT_TIMEOUT``, default 5 s) bounds a hung connect.
"""

from __future__ import annotations

import json
import logging
import os
from typing import Any

import sqlalchemy as sa
from rasa.core.tracker_store import SQLTrackerStore, create_engine_kwargs, is_postgresql_url
from rasa.shared.core.trackers import DialogueStateTracker
from rasa.shared.nlu.constants import INTENT_NAME_KEY

from stores import errors

logger = logging.getLogger(__name__)

DEFAULT_CONNECT_TIMEOUT_S = 5


def _kind(error: BaseException) -> str:
    """Exception types only: SQL errors quote statement parameters, i.e. what patients typed."""
    kinds = [type(error).__name__]
    cause = error.__cause__ or error.__context__
    if cause is not None:
        kinds.append(type(cause).__name__)
    return " <- ".join(kinds)


class SafeSQLTrackerStore(SQLTrackerStore):
    """SQL tracker store whose failures reach the user and whose saves never splice events."""

    engine: Any  # a SQLAlchemy engine (SQLAlchemy 1.4 ships no type information)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        # Rasa's loader turns an AttributeError or ImportError raised here into "not found"
        # and silently uses an InMemoryTrackerStore instead: raise something else.
        try:
            self._connect(*args, **kwargs)
        except (AttributeError, ImportError) as error:
            raise RuntimeError(f"SafeSQLTrackerStore could not start: {error!r}") from error

    def _connect(self, *args: Any, **kwargs: Any) -> None:
        # SQLTrackerStore waits (forever, logging) until the database answers at start-up:
        # a server must not come up without its conversation store.
        super().__init__(*args, **kwargs)
        url = self.engine.url
        engine_kwargs = create_engine_kwargs(url)
        if is_postgresql_url(url):
            connect_args = dict(engine_kwargs.get("connect_args", {}))
            timeout = os.environ.get("DB_CONNECT_TIMEOUT", str(DEFAULT_CONNECT_TIMEOUT_S))
            connect_args.setdefault("connect_timeout", int(timeout))
            engine_kwargs["connect_args"] = connect_args
        self.engine.dispose()
        self.engine = sa.create_engine(url, pool_pre_ping=True, **engine_kwargs)
        self.sessionmaker = sa.orm.session.sessionmaker(bind=self.engine)
        self._is_postgres = is_postgresql_url(url)

    async def retrieve(self, sender_id: str) -> DialogueStateTracker | None:
        """Latest session of ``sender_id``; raises ``TrackerStoreUnavailable`` on any error."""
        try:
            return await super().retrieve(sender_id)
        except errors.TrackerStoreUnavailable:
            raise
        except Exception as error:
            logger.error("tracker store: read failed (sender %s): %s", sender_id, _kind(error))
            raise errors.TrackerStoreUnavailable("could not read the conversation") from error

    async def retrieve_full_tracker(self, conversation_id: str) -> DialogueStateTracker | None:
        """All sessions of ``conversation_id``; raises ``TrackerStoreUnavailable`` on error."""
        try:
            return await super().retrieve_full_tracker(conversation_id)
        except Exception as error:
            logger.error(
                "tracker store: read failed (sender %s): %s", conversation_id, _kind(error)
            )
            raise errors.TrackerStoreUnavailable("could not read the conversation") from error

    async def keys(self) -> Any:
        """Conversation ids; raises ``TrackerStoreUnavailable`` on error."""
        try:
            return await super().keys()
        except Exception as error:
            raise errors.TrackerStoreUnavailable("could not list conversations") from error

    async def save(self, tracker: DialogueStateTracker) -> None:
        """Append the tracker's events that are not stored yet, or raise; never splice."""
        try:
            await self.stream_events(tracker)
            added = self._append_new_events(tracker)
        except errors.TrackerStoreUnavailable:
            raise
        except Exception as error:
            logger.error(
                "tracker store: save failed (sender %s): %s", tracker.sender_id, _kind(error)
            )
            raise errors.TrackerStoreUnavailable("could not save the conversation") from error
        logger.debug("tracker store: %d event(s) appended (sender %s)", added, tracker.sender_id)

    def _append_new_events(self, tracker: DialogueStateTracker) -> int:
        sender_id = tracker.sender_id
        with self.session_scope() as session:
            if self._is_postgres:
                # Serialises saves of one conversation across processes until commit.
                session.execute(
                    sa.text("SELECT pg_advisory_xact_lock(hashtext(:sender))"),
                    {"sender": sender_id},
                )
            stored = (
                self._event_query(session, sender_id, fetch_events_from_all_sessions=False)
                .with_entities(self.SQLEvent.type_name, self.SQLEvent.timestamp)
                .all()
            )
            events = list(tracker.events)
            if len(stored) > len(events) or any(
                row.type_name != event.type_name or row.timestamp != event.timestamp
                for row, event in zip(stored, events[: len(stored)], strict=True)
            ):
                session.rollback()
                logger.error(
                    "tracker store: conversation %s changed since it was read "
                    "(%d stored event(s), tracker has %d): not saving",
                    sender_id,
                    len(stored),
                    len(events),
                )
                raise errors.TrackerStoreConflict("the conversation changed since it was read")
            new_events = events[len(stored) :]
            for event in new_events:
                data = event.as_dict()
                session.add(
                    self.SQLEvent(
                        sender_id=sender_id,
                        type_name=event.type_name,
                        timestamp=data.get("timestamp"),
                        intent_name=data.get("parse_data", {})
                        .get("intent", {})
                        .get(INTENT_NAME_KEY),
                        action_name=data.get("name"),
                        data=json.dumps(data),
                    )
                )
            session.commit()
            return len(new_events)
