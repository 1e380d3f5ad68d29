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
  request is never sent on a connection the server is closing;
- a kept connection can still be stale: the action server restarted or stopped while the
  connection was idle, and this process had not yet read the close (the event loop was busy,
  e.g. predicting). :func:`retried_on_stale_connection` wraps Rasa's ``request`` and sends such
  a request once more, on a fresh connection (Rasa's own one-off session), but only when the
  failure shows the request never got an answer on a *reused* connection
  (:func:`is_stale_connection_error`); a timeout, an HTTP error status, a failure on a new
  connection or after the response began is never retried;
- the kept sessions are closed when the Rasa server stops (:func:`close_at_server_stop`, an
  ``after_server_stop`` listener that ``rasa_patches`` adds to the Sanic app Rasa configures).

Outside a running event loop Rasa's own ``session`` is used.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import json
import logging
import weakref
from collections.abc import Awaitable, Callable
from types import TracebackType
from typing import Any

import aiohttp
from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT

logger = logging.getLogger(__name__)

KEEPALIVE_S = 2.0
"""Seconds an idle connection may be reused (the action server closes it after 5)."""

_pools: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, dict[str, aiohttp.ClientSession]]
_pools = weakref.WeakKeyDictionary()


class Attempt:
    """What one request attempt saw of its connection (set by the kept sessions' trace)."""

    def __init__(self) -> None:
        self.reused = False  # sent on a connection taken from the pool
        self.answered = False  # the response status and headers arrived


_attempt: contextvars.ContextVar[Attempt | None] = contextvars.ContextVar(
    "endpoint_pool_attempt", default=None
)
_fresh: contextvars.ContextVar[bool] = contextvars.ContextVar("endpoint_pool_fresh", default=False)


async def _on_connection_reused(*_: Any) -> None:
    attempt = _attempt.get()
    if attempt is not None:
        attempt.reused = True


async def _on_response_headers(*_: Any) -> None:
    attempt = _attempt.get()
    if attempt is not None:
        attempt.answered = True


def _trace() -> aiohttp.TraceConfig:
    trace = aiohttp.TraceConfig()
    trace.on_connection_reuseconn.append(_on_connection_reused)
    trace.on_request_end.append(_on_response_headers)  # sent once the headers are read
    return trace


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
        trace_configs=[_trace()],
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
    """Replacement for ``EndpointConfig.session``, given Rasa's (used outside an event loop).

    Rasa's own session (a new connection, closed after the call) is also used for the one
    retry of a request that met a stale kept connection.
    """

    def session(self: Any) -> Any:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:
            return original(self)
        if _fresh.get():
            return original(self)
        return Lease(kept_session(self, loop))

    session.__doc__ = original.__doc__
    session.__wrapped__ = original  # type: ignore[attr-defined]
    return session


def is_stale_connection_error(error: BaseException, attempt: Attempt) -> bool:
    """Whether ``error`` shows a request met a stale kept connection and got no answer.

    True only for a disconnect (``ServerDisconnectedError``) or a reset (``ClientOSError``
    other than a failure to connect) on a connection reused from the pool, before the response
    status arrived. Never for a timeout or an HTTP error status (those are answers, or may
    still be running), nor on a new connection (the server took the request, then failed).
    """
    if isinstance(error, asyncio.TimeoutError | aiohttp.ClientConnectorError):
        return False
    if not isinstance(error, aiohttp.ServerDisconnectedError | aiohttp.ClientOSError):
        return False
    return attempt.reused and not attempt.answered


def retried_on_stale_connection(
    original: Callable[..., Awaitable[Any]],
) -> Callable[..., Awaitable[Any]]:
    """Replacement for ``EndpointConfig.request``: Rasa's, once more if a kept one was stale."""

    @functools.wraps(original)
    async def request(self: Any, *args: Any, **kwargs: Any) -> Any:
        attempt = Attempt()
        token = _attempt.set(attempt)
        try:
            return await original(self, *args, **kwargs)
        except (aiohttp.ServerDisconnectedError, aiohttp.ClientOSError) as error:
            if not is_stale_connection_error(error, attempt):
                raise
            logger.warning(
                "endpoint %s: kept connection was stale (%s); sending once on a new connection",
                self.url,
                type(error).__name__,
            )
        finally:
            _attempt.reset(token)
        fresh = _fresh.set(True)
        try:
            return await original(self, *args, **kwargs)
        finally:
            _fresh.reset(fresh)

    return request


async def close_kept_sessions() -> int:
    """Close the sessions kept for the running loop and for loops that have ended.

    Idempotent; a later request on this loop makes a new session. Sessions of another loop
    that is still running are left to it. A session that fails to close is logged, and the
    others are still closed. Returns how many sessions were open.
    """
    running = asyncio.get_running_loop()
    ours = [loop for loop in list(_pools) if loop is running or loop.is_closed()]
    sessions = [s for loop in ours for s in _pools.pop(loop, {}).values() if not s.closed]
    for session in sessions:
        try:
            await session.close()  # for an ended loop: only marks it closed, no I/O
        except Exception as error:  # shutdown goes on
            logger.warning("closing a kept session failed: %s", type(error).__name__)
    return len(sessions)


async def close_at_server_stop(app: Any, loop: Any) -> None:
    """Sanic ``after_server_stop`` listener: close the kept sessions of this worker."""
    closed = await close_kept_sessions()
    logger.debug("endpoint_pool: %d kept session(s) closed at server stop", closed)


def closing_at_server_stop(original: Callable[..., Any]) -> Callable[..., Any]:
    """Replacement for ``rasa.core.run.configure_app``: Rasa's app, with the closing listener."""

    @functools.wraps(original)
    def configure_app(*args: Any, **kwargs: Any) -> Any:
        app = original(*args, **kwargs)
        app.register_listener(close_at_server_stop, "after_server_stop")
        return app

    return configure_app
