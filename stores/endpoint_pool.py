"""Keep the action server's connection open between requests (one pool per event loop).

Rasa 3.6's ``EndpointConfig.request`` opens ``async with self.session()``: a new aiohttp
``ClientSession``, so a new connection pool and a new TCP connection, for every call of the
action server, twice per turn, closed again when the call returns. Connecting and tearing down
cost both servers about 2 ms of a 15-20 ms turn (measured in-process, 2 cores).

:func:`pooled_session` replaces ``EndpointConfig.session`` (``rasa_patches`` installs it): the
session has Rasa's settings (the endpoint's headers and basic auth, Rasa's total timeout) but is
kept for the running event loop and reused by every request with those settings; leaving
``async with`` does not close it. The requests themselves (URL, token, body, errors) are still
made by Rasa's own ``request``. Differences from a new session per call, on purpose:

- no limit on connections at once (``limit=0``), as with one pool per call;
- an idle connection is reused for at most :data:`KEEPALIVE_S` seconds, well below the
  5 s after which the action server (Sanic's default ``KEEP_ALIVE_TIMEOUT``) closes it, so a
  request is never sent on a connection the server is closing.

Outside a running event loop Rasa's own ``session`` is used.
"""

from __future__ import annotations

import asyncio
import json
import weakref
from collections.abc import Callable
from types import TracebackType
from typing import Any

import aiohttp
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT

KEEPALIVE_S = 2.0
"""Seconds an idle connection may be reused (the action server closes it after 5)."""

_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, aiohttp.ClientSession]]
_pools = weakref.WeakKeyDictionary()


class Lease:
    """``async with`` on a kept session: yields it and leaves it open."""

    def __init__(self, session: aiohttp.ClientSession) -> None:
        self.session = session

    async def __aenter__(self) -> aiohttp.ClientSession:
        return self.session

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        return None


def _settings_key(endpoint: Any) -> str:
    """What makes two endpoints' sessions differ: headers and basic auth (timeout is Rasa's)."""
    return json.dumps([endpoint.headers or {}, endpoint.basic_auth or {}], sort_keys=True)


def _new_session(endpoint: Any) -> aiohttp.ClientSession:
    """A session with the settings of Rasa's ``EndpointConfig.session`` and a kept pool."""
    auth = (
        aiohttp.BasicAuth(endpoint.basic_auth["username"], endpoint.basic_auth["password"])
        if endpoint.basic_auth
        else None
    )
    return aiohttp.ClientSession(
        headers=endpoint.headers,
        auth=auth,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        connector=aiohttp.TCPConnector(limit=0, keepalive_timeout=KEEPALIVE_S),
    )


def kept_session(endpoint: Any, loop: asyncio.AbstractEventLoop) -> aiohttp.ClientSession:
    """The session kept for this loop and these settings (made on first use, or if closed)."""
    sessions = _pools.setdefault(loop, {})
    key = _settings_key(endpoint)
    session = sessions.get(key)
    if session is None or session.closed:
        session = sessions[key] = _new_session(endpoint)
    return session


def pooled_session(original: Callable[[Any], Any]) -> Callable[[Any], Any]:
    """Replacement for ``EndpointConfig.session``, given Rasa's (used outside an event loop)."""

    def session(self: Any) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return original(self)
        return Lease(kept_session(self, loop))

    session.__doc__ = original.__doc__
    session.__wrapped__ = original  # type: ignore[attr-defined]
    return session
