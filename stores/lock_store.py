"""``SafeRedisLockStore``: Rasa's Redis ticket lock, atomic across processes, failing loudly.

Configure in endpoints (see ``deploy/endpoints.production.yml``)::

    lock_store:
      type: stores.lock_store.SafeRedisLockStore
      url: ${REDIS_HOST}
      port: ${REDIS_PORT}

Rasa 3.6 builds a custom lock store as ``cls(endpoint_config=...)``. Differences from
``rasa.core.lock_store.RedisLockStore``:

- **Atomic tickets.** Rasa reads the lock, adds a ticket and writes it back in three commands:
  two servers taking a ticket for one conversation at the same moment both get the same
  number, and both turns run at once. Here each read-modify-write is a Redis ``WATCH``/``MULTI``
  transaction, retried on conflict.
- **Lifetime.** Tickets live ``LOCK_LIFETIME`` seconds (default 60; ``lock_lifetime`` in the
  endpoint config overrides it) and the store refuses to start unless that exceeds the REST
  channel's ``TURN_TIMEOUT`` (default 50), so a running turn's ticket never expires. Keys expire
  in Redis with their last ticket, so a lock that could not be released does not stay forever.
- **Errors.** A Redis error while taking or waiting for the lock raises
  :class:`LockStoreUnavailable` (a ``LockError``): the REST channel answers 503 "please try
  again" (Rasa's own channel answers ``[]`` with 200). Releasing the lock after a completed turn
  is best effort: the turn is already saved, so a Redis error there is logged, and the ticket
  expires after its lifetime.
"""

from __future__ import annotations

import json
import logging
import math
import time
from collections.abc import AsyncGenerator
from contextlib import asynccontextmanager
from typing import Any

from rasa.core.lock import TicketLock
from rasa.core.lock_store import DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX, LockError, LockStore
from rasa.utils.endpoints import EndpointConfig

from stores import errors

logger = logging.getLogger(__name__)

DEFAULT_SOCKET_TIMEOUT_S = 2.0


class LockStoreUnavailable(LockError, errors.ServiceUnavailable):
    """The lock store (Redis) failed: the turn did not run."""

    code = "lock_store_unavailable"


class SafeRedisLockStore(LockStore):
    """Redis ticket lock store with atomic updates and explicit failures."""

    def __init__(self, endpoint_config: EndpointConfig | None = None, **overrides: Any) -> None:
        import redis

        config: dict[str, Any] = {}
        if endpoint_config is not None:
            config.update(endpoint_config.kwargs)
            if endpoint_config.url:
                config["host"] = endpoint_config.url
        config.update(overrides)
        timeout = float(config.get("socket_timeout") or DEFAULT_SOCKET_TIMEOUT_S)
        self.red = redis.StrictRedis(
            host=config.get("host") or "localhost",
            port=int(config.get("port") or 6379),
            db=int(config.get("db") or 1),
            username=config.get("username") or None,
            password=config.get("password") or None,
            ssl=bool(config.get("use_ssl", False)),
            socket_timeout=timeout,
            socket_connect_timeout=timeout,
        )
        prefix = config.get("key_prefix")
        self.key_prefix = (
            f"{prefix}:{DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX}"
            if isinstance(prefix, str) and prefix.isalnum()
            else DEFAULT_REDIS_LOCK_STORE_KEY_PREFIX
        )
        lifetime = config.get("lock_lifetime")
        self.lock_lifetime = float(lifetime) if lifetime else errors.lock_lifetime_from_env()
        turn_timeout = errors.turn_timeout_from_env()
        if self.lock_lifetime <= turn_timeout:
            raise ValueError(
                f"LOCK_LIFETIME ({self.lock_lifetime:g} s) must exceed TURN_TIMEOUT "
                f"({turn_timeout:g} s): otherwise a running turn's lock can expire and a second "
                "turn of the same conversation start at the same time."
            )
        super().__init__()

    def _key(self, conversation_id: str) -> str:
        return self.key_prefix + conversation_id

    @staticmethod
    def _decode(raw: bytes | str | None) -> TicketLock | None:
        return TicketLock.from_dict(json.loads(raw)) if raw else None

    def _write(self, pipe: Any, lock: TicketLock) -> None:
        """Queue saving ``lock`` (or deleting it when empty), expiring with its last ticket."""
        key = self._key(lock.conversation_id)
        if not lock.tickets:
            pipe.delete(key)
            return
        expires = max(ticket.expires for ticket in lock.tickets)
        ttl_ms = max(1000, math.ceil((expires - time.time()) * 1000) + 1000)
        pipe.set(key, lock.dumps(), px=ttl_ms)

    def _atomic(self, conversation_id: str, change: Any) -> Any:
        """Run ``change(lock) -> result`` on the stored lock in a WATCH/MULTI transaction."""
        key = self._key(conversation_id)

        def transaction(pipe: Any) -> Any:
            lock = self._decode(pipe.get(key)) or self.create_lock(conversation_id)
            result = change(lock)
            pipe.multi()
            self._write(pipe, lock)
            return result

        try:
            return self.red.transaction(transaction, key, value_from_callable=True)
        except LockError:
            raise
        except Exception as error:
            raise LockStoreUnavailable(f"lock store failed: {type(error).__name__}") from error

    # --- LockStore interface ----------------------------------------------------------------

    def get_lock(self, conversation_id: str) -> TicketLock | None:
        """Fetch the lock of ``conversation_id``."""
        try:
            raw = self.red.get(self._key(conversation_id))
        except Exception as error:
            raise LockStoreUnavailable(f"lock store failed: {type(error).__name__}") from error
        return self._decode(raw)

    def delete_lock(self, conversation_id: str) -> None:
        """Delete the lock of ``conversation_id``."""
        try:
            self.red.delete(self._key(conversation_id))
        except Exception as error:
            raise LockStoreUnavailable(f"lock store failed: {type(error).__name__}") from error

    def save_lock(self, lock: TicketLock) -> None:
        """Save ``lock`` (prefer the atomic operations below)."""
        try:
            pipe = self.red.pipeline(transaction=True)
            self._write(pipe, lock)
            pipe.execute()
        except Exception as error:
            raise LockStoreUnavailable(f"lock store failed: {type(error).__name__}") from error

    def issue_ticket(self, conversation_id: str, lock_lifetime: float | None = None) -> int:
        """Atomically add a ticket for ``conversation_id`` and return its number."""
        lifetime = lock_lifetime or self.lock_lifetime
        ticket: int = self._atomic(conversation_id, lambda lock: lock.issue_ticket(lifetime))
        return ticket

    def update_lock(self, conversation_id: str) -> None:
        """Atomically drop expired tickets."""
        self._atomic(conversation_id, lambda lock: lock.remove_expired_tickets())

    def finish_serving(self, conversation_id: str, ticket_number: int) -> None:
        """Atomically remove ``ticket_number`` (and the lock once no one waits)."""
        self._atomic(conversation_id, lambda lock: lock.remove_ticket_for(ticket_number))

    def cleanup(self, conversation_id: str, ticket_number: int) -> None:
        """Release the ticket; best effort (the turn has already been handled)."""
        try:
            self.finish_serving(conversation_id, ticket_number)
        except LockStoreUnavailable as error:
            logger.error(
                "lock store: could not release the lock of %s (%s); it expires in %g s",
                conversation_id,
                error.__cause__.__class__.__name__,
                self.lock_lifetime,
            )

    @asynccontextmanager
    async def lock(
        self,
        conversation_id: str,
        lock_lifetime: float | None = None,
        wait_time_in_seconds: float = 0.1,
    ) -> AsyncGenerator[TicketLock, None]:
        """Hold the conversation's lock; ``LockError`` if it cannot be taken.

        Rasa's ``Agent`` passes no lifetime: this store's ``lock_lifetime`` applies (not Rasa's
        ``TICKET_LOCK_LIFETIME``). Waiting polls every 0.1 s instead of Rasa's 1 s.
        """
        ticket = self.issue_ticket(conversation_id, lock_lifetime or self.lock_lifetime)
        try:
            yield await self._acquire_lock(conversation_id, ticket, wait_time_in_seconds)
        finally:
            self.cleanup(conversation_id, ticket)
