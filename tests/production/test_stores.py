"""The stores themselves, in-process, against the real PostgreSQL and Redis."""

from __future__ import annotations

import asyncio
import os
import threading
import uuid
from collections.abc import Iterator
from typing import Any

import pytest
from rasa.core.agent import Agent
from rasa.core.lock_store import LockError, LockStore
from rasa.core.tracker_store import TrackerStore
from rasa.shared.core.events import ActionExecuted, UserUttered
from rasa.utils.endpoints import EndpointConfig

from stores.errors import TrackerStoreConflict, TrackerStoreUnavailable
from stores.lock_store import LockStoreUnavailable, SafeRedisLockStore
from stores.tracker_store import SafeSQLTrackerStore
from tests.production.conftest import ENDPOINTS, LOCK_LIFETIME_S


@pytest.fixture
def endpoints(service_env: dict[str, str], monkeypatch: pytest.MonkeyPatch) -> Any:
    from rasa.core.utils import read_endpoints_from_path

    for key, value in service_env.items():
        monkeypatch.setenv(key, value)
    monkeypatch.setenv("ACTION_SERVER_URL", "http://127.0.0.1:9/webhook")
    monkeypatch.setenv("ACTION_SERVER_TOKEN", "test")
    monkeypatch.setenv("LOCK_LIFETIME", str(LOCK_LIFETIME_S))
    monkeypatch.setenv("TURN_TIMEOUT", "20")
    return read_endpoints_from_path(str(ENDPOINTS))


@pytest.fixture
def agent(endpoints: Any) -> Iterator[Agent]:
    store = TrackerStore.create(endpoints.tracker_store)
    lock_store = LockStore.create(endpoints.lock_store)
    yield Agent(tracker_store=store, lock_store=lock_store)
    inner = store._tracker_store if hasattr(store, "_tracker_store") else store
    inner.engine.dispose()


def test_profile_loads_the_safe_stores_wrapped_by_rasa(agent: Agent) -> None:
    """Rasa silently falls back to memory if a custom store fails to load: check it did not."""
    inner = agent.tracker_store._tracker_store  # type: ignore[attr-defined]
    while not isinstance(inner, SafeSQLTrackerStore) and hasattr(inner, "_tracker_store"):
        inner = inner._tracker_store
    assert isinstance(inner, SafeSQLTrackerStore)
    assert isinstance(agent.lock_store, SafeRedisLockStore)
    assert agent.lock_store.lock_lifetime == LOCK_LIFETIME_S


async def test_saves_append_exactly_the_new_events(agent: Agent) -> None:
    store = agent.tracker_store
    sender = f"unit-{uuid.uuid4().hex}"
    tracker = await store.get_or_create_tracker(sender, append_action_listen=True)
    tracker.update(UserUttered("one"))
    await store.save(tracker)
    await store.save(tracker)  # saving again adds nothing
    tracker.update(ActionExecuted("action_listen"))
    await store.save(tracker)
    again = await store.retrieve(sender)
    assert again is not None
    assert [e.type_name for e in again.events] == ["action", "user", "action"]


async def test_stale_tracker_is_refused_not_spliced(agent: Agent) -> None:
    store = agent.tracker_store
    sender = f"unit-{uuid.uuid4().hex}"
    first = await store.get_or_create_tracker(sender, append_action_listen=True)
    second = await store.retrieve(sender)
    assert second is not None
    first.update(UserUttered("from server A"))
    await store.save(first)
    second.update(UserUttered("from server B, read before A saved"))
    with pytest.raises(TrackerStoreConflict):
        await store.save(second)
    stored = await store.retrieve(sender)
    assert stored is not None
    assert [e.text for e in stored.events if isinstance(e, UserUttered)] == ["from server A"]


async def test_database_errors_reach_the_caller_through_rasas_failsafe_wrapper(
    agent: Agent,
) -> None:
    """Rasa's FailSafeTrackerStore would return a fresh tracker / save to memory instead."""
    store = agent.tracker_store
    inner = store._tracker_store  # type: ignore[attr-defined]
    import sqlalchemy as sa

    good = inner.engine
    inner.engine = sa.create_engine("postgresql://nobody:x@127.0.0.1:9/none", pool_pre_ping=True)
    inner.sessionmaker = sa.orm.session.sessionmaker(bind=inner.engine)
    try:
        with pytest.raises(TrackerStoreUnavailable):
            await store.get_or_create_tracker(f"unit-{uuid.uuid4().hex}")
        tracker = inner.init_tracker(f"unit-{uuid.uuid4().hex}")
        tracker.update(UserUttered("hello"))
        with pytest.raises(TrackerStoreUnavailable):
            await store.save(tracker)
        assert store._fallback_tracker_store is None  # nothing went to process memory
    finally:
        inner.engine = good
        inner.sessionmaker = sa.orm.session.sessionmaker(bind=good)


def test_tickets_are_unique_across_lock_store_instances(endpoints: Any) -> None:
    """Two servers taking tickets for one conversation at once never get the same number."""
    stores = [LockStore.create(endpoints.lock_store) for _ in range(4)]
    conversation = f"unit-{uuid.uuid4().hex}"
    tickets: list[int] = []
    guard = threading.Lock()

    def take(store: SafeRedisLockStore) -> None:
        for _ in range(25):
            number = store.issue_ticket(conversation)
            with guard:
                tickets.append(number)

    threads = [threading.Thread(target=take, args=(s,)) for s in stores]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(tickets) == 100 and len(set(tickets)) == 100
    lock = stores[0].get_lock(conversation)
    assert lock is not None and len(lock.tickets) == 100
    ttl = stores[0].red.pttl(stores[0]._key(conversation))
    assert 0 < ttl <= (LOCK_LIFETIME_S + 2) * 1000  # a lost lock does not stay forever
    stores[0].delete_lock(conversation)


async def test_lock_serialises_turns_and_reports_redis_errors(endpoints: Any) -> None:
    store = LockStore.create(endpoints.lock_store)
    conversation = f"unit-{uuid.uuid4().hex}"
    order: list[str] = []

    async def turn(name: str) -> None:
        async with store.lock(conversation):
            order.append(f"{name} in")
            await asyncio.sleep(0.2)
            order.append(f"{name} out")

    await asyncio.gather(turn("a"), turn("b"), turn("c"))
    assert all(order[i].split()[0] == order[i + 1].split()[0] for i in range(0, 6, 2))
    assert store.get_lock(conversation) is None  # released

    broken = SafeRedisLockStore(
        EndpointConfig(url="127.0.0.1", port=9, socket_timeout=1, lock_lifetime=LOCK_LIFETIME_S)
    )
    with pytest.raises(LockStoreUnavailable) as raised:
        async with broken.lock(conversation):
            pass
    assert isinstance(raised.value, LockError)


def test_lock_lifetime_must_exceed_the_turn_timeout(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("TURN_TIMEOUT", "50")
    monkeypatch.setenv("LOCK_LIFETIME", "50")
    with pytest.raises(ValueError, match="must exceed TURN_TIMEOUT"):
        SafeRedisLockStore(EndpointConfig(url="127.0.0.1", port=9))
    monkeypatch.setenv("LOCK_LIFETIME", "300")
    assert SafeRedisLockStore(EndpointConfig(url="127.0.0.1", port=9)).lock_lifetime == 300
    assert os.environ["TURN_TIMEOUT"] == "50"
