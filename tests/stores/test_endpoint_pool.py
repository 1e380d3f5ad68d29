"""The action server's connection is kept between requests; requests and failures stay Rasa's.

Also: a kept connection that went stale (the action server restarted while it was idle) costs
one retry on a new connection, never a lost turn, and only when the request provably got no
answer; and the kept sessions are closed when the Rasa server stops.
"""

from __future__ import annotations

import asyncio
import threading
from collections.abc import AsyncIterator, Coroutine, Iterator
from contextlib import asynccontextmanager
from typing import Any, TypeVar

import aiohttp
import pytest
import rasa.core.run
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig
from sanic import Sanic

import rasa_patches
from stores import endpoint_pool
from tests.security.conftest import free_port, serving

RASA_SESSION = rasa_patches.original("action_server_connection_kept")
RASA_REQUEST = rasa_patches.original("action_server_stale_connection_retried")
RASA_CONFIGURE_APP = rasa_patches.original("kept_sessions_closed_at_server_stop")
T = TypeVar("T")


class Seen:
    """What the test server saw: one entry per request."""

    def __init__(self) -> None:
        self.peers: list[Any] = []
        self.tokens: list[str | None] = []
        self.headers: list[dict[str, str]] = []
        self.bodies: list[dict[str, Any]] = []
        self.release = asyncio.Event()  # lets {"hang": true} requests finish


def stand_in_app(seen: Seen) -> web.Application:
    """A stand-in action server: echoes the JSON body, or misbehaves as the body asks.

    ``reject``: 400; ``status``: that status; ``drop``: closes the connection without an
    answer; ``partial``: closes it after the status and part of the body; ``hang``: answers
    once ``seen.release`` is set.
    """

    async def webhook(request: web.Request) -> web.StreamResponse:
        seen.peers.append(
            request.transport.get_extra_info("peername") if request.transport else None
        )
        seen.tokens.append(request.query.get("token"))
        seen.headers.append(dict(request.headers))
        body = await request.json()
        seen.bodies.append(body)
        if body.get("reject"):
            return web.json_response({"action_name": "action_plan", "error": "no"}, status=400)
        if body.get("status"):
            return web.json_response({}, status=body["status"])
        if body.get("drop") and request.transport:
            request.transport.close()
        if body.get("partial") and request.transport:
            partial = web.StreamResponse(headers={"Content-Type": "application/json"})
            partial.content_length = 100
            await partial.prepare(request)
            await partial.write(b'{"echo": ')
            request.transport.close()
            return partial
        if body.get("hang"):
            await seen.release.wait()
        return web.json_response({"echo": body})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    return app


@asynccontextmanager
async def action_server(port: int | None = None) -> AsyncIterator[tuple[str, Seen]]:
    """The stand-in action server on this test's event loop."""
    seen = Seen()
    runner = web.AppRunner(stand_in_app(seen))
    await runner.setup()
    port = port or free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}/webhook", seen
    finally:
        seen.release.set()
        await runner.cleanup()


class ThreadedActionServer:
    """The stand-in action server on its own thread and loop.

    Stopping and starting it blocks this test's loop, so this process does not read the close
    of its kept connections: as when the action server restarts while Rasa's loop is busy (a
    prediction), and the next request goes out on a connection the server has closed.
    """

    def __init__(self, port: int) -> None:
        self.port = port
        self.url = f"http://127.0.0.1:{port}/webhook"
        self.loop = asyncio.new_event_loop()
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)
        self.thread.start()
        self.runner: web.AppRunner | None = None

    def call(self, coroutine: Coroutine[Any, Any, T]) -> T:
        return asyncio.run_coroutine_threadsafe(coroutine, self.loop).result(timeout=10)

    def start(self) -> Seen:
        async def start() -> Seen:
            seen = Seen()
            self.runner = web.AppRunner(stand_in_app(seen))
            await self.runner.setup()
            await web.TCPSite(self.runner, "127.0.0.1", self.port).start()
            return seen

        return self.call(start())

    def stop(self) -> None:
        async def stop() -> None:
            assert self.runner is not None
            await self.runner.cleanup()
            for _ in range(3):  # let the closed transports shut their sockets
                await asyncio.sleep(0)

        self.call(stop())

    def restart(self) -> Seen:
        self.stop()
        return self.start()

    def close(self) -> None:
        if self.runner is not None:
            self.stop()
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(timeout=10)
        self.loop.close()


@pytest.fixture
def threaded_server() -> Iterator[ThreadedActionServer]:
    server = ThreadedActionServer(free_port())
    try:
        yield server
    finally:
        server.close()


def endpoint(url: str, **kwargs: Any) -> EndpointConfig:
    return EndpointConfig(url, token="secret", **kwargs)


# --- One kept connection --------------------------------------------------------------------


async def test_without_patch_rasa_opens_a_connection_per_request(without_patches: None) -> None:
    async with action_server() as (url, seen):
        for i in range(3):
            assert await endpoint(url).request(json={"n": i}) == {"echo": {"n": i}}
    assert len(set(seen.peers)) == 3


async def test_with_patch_requests_share_one_connection(with_patches: None) -> None:
    async with action_server() as (url, seen):
        config = endpoint(url)
        for i in range(3):
            assert await config.request(json={"n": i}) == {"echo": {"n": i}}
        assert await endpoint(url).request(json={"n": 3}) == {"echo": {"n": 3}}  # same settings
    assert len(set(seen.peers)) == 1
    assert seen.tokens == ["secret"] * 4


async def test_with_patch_the_request_is_rasas(with_patches: None) -> None:
    async with action_server() as (url, seen):
        config = endpoint(
            url,
            headers={"X-Clinic": "north"},
            basic_auth={"username": "u", "password": "p"},
        )
        assert await config.request(json={"a": 1}, method="post") == {"echo": {"a": 1}}
        with pytest.raises(ClientResponseError) as refused:
            await config.request(json={"reject": True})
    assert refused.value.status == 400
    assert b"no" in refused.value.text
    assert all(h["X-Clinic"] == "north" for h in seen.headers)
    assert all(h["Authorization"].startswith("Basic ") for h in seen.headers)
    assert all(h["Content-Type"] == "application/json" for h in seen.headers)


async def test_with_patch_different_settings_get_different_sessions(with_patches: None) -> None:
    async with action_server() as (url, seen):
        await endpoint(url, headers={"X-Clinic": "north"}).request(json={})
        await endpoint(url, headers={"X-Clinic": "south"}).request(json={})
    assert [h["X-Clinic"] for h in seen.headers] == ["north", "south"]
    assert len(set(seen.peers)) == 2


async def test_with_patch_a_dead_server_still_fails_to_connect(with_patches: None) -> None:
    with pytest.raises(aiohttp.ClientConnectionError):
        await endpoint(f"http://127.0.0.1:{free_port()}/webhook").request(json={})


async def test_with_patch_a_restarted_server_is_reached_again(with_patches: None) -> None:
    port = free_port()
    async with action_server(port) as (url, _):
        assert await endpoint(url).request(json={"n": 1}) == {"echo": {"n": 1}}
    async with action_server(port) as (url, seen):
        assert await endpoint(url).request(json={"n": 2}) == {"echo": {"n": 2}}
    assert len(seen.peers) == 1


async def test_with_patch_an_idle_connection_is_not_reused_too_late(
    with_patches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(endpoint_pool, "KEEPALIVE_S", 0.05)
    await endpoint_pool.close_kept_sessions()  # a session with the new limit
    async with action_server() as (url, seen):
        await endpoint(url).request(json={})
        await asyncio.sleep(0.2)
        await endpoint(url).request(json={})
    assert len(set(seen.peers)) == 2


def test_idle_connections_are_dropped_before_the_action_server_drops_them() -> None:
    from sanic.config import DEFAULT_CONFIG

    assert endpoint_pool.KEEPALIVE_S < DEFAULT_CONFIG["KEEP_ALIVE_TIMEOUT"]


def test_with_patch_each_event_loop_has_its_own_session(with_patches: None) -> None:
    async def one_request() -> dict[str, Any]:
        async with action_server() as (url, _):
            answer = await endpoint(url).request(json={"x": 1})
        await endpoint_pool.close_kept_sessions()
        return answer  # type: ignore[no-any-return]

    assert asyncio.run(one_request()) == {"echo": {"x": 1}}
    assert asyncio.run(one_request()) == {"echo": {"x": 1}}  # not bound to the closed loop


def test_outside_an_event_loop_rasas_session_is_used() -> None:
    config = EndpointConfig("http://127.0.0.1:1/webhook")
    made: list[EndpointConfig] = []
    patched = endpoint_pool.pooled_session(lambda self: made.append(self) or "rasa's")
    assert patched(config) == "rasa's"
    assert made == [config]


def test_install_replaces_rasas_session_request_and_app(without_patches: None) -> None:
    assert EndpointConfig.__dict__["session"] is RASA_SESSION
    assert EndpointConfig.__dict__["request"] is RASA_REQUEST
    assert rasa.core.run.configure_app is RASA_CONFIGURE_APP
    rasa_patches.install()
    assert EndpointConfig.__dict__["session"].__wrapped__ is RASA_SESSION
    assert EndpointConfig.__dict__["request"].__wrapped__ is RASA_REQUEST
    assert rasa.core.run.configure_app.__wrapped__ is RASA_CONFIGURE_APP  # type: ignore[attr-defined]


# --- A stale kept connection ----------------------------------------------------------------


async def test_without_retry_a_stale_kept_connection_loses_the_request(
    with_patches: None,
    monkeypatch: pytest.MonkeyPatch,
    threaded_server: ThreadedActionServer,
) -> None:
    monkeypatch.setattr(EndpointConfig, "request", RASA_REQUEST)
    threaded_server.start()
    config = endpoint(threaded_server.url)
    assert await config.request(json={"n": 1}) == {"echo": {"n": 1}}
    restarted = threaded_server.restart()
    with pytest.raises((aiohttp.ServerDisconnectedError, aiohttp.ClientOSError)):
        await config.request(json={"n": 2})
    assert restarted.bodies == []  # never reached the server


async def test_with_patch_a_stale_kept_connection_is_retried_once_on_a_new_one(
    with_patches: None, threaded_server: ThreadedActionServer
) -> None:
    first = threaded_server.start()
    config = endpoint(threaded_server.url)
    assert await config.request(json={"n": 1}) == {"echo": {"n": 1}}
    restarted = threaded_server.restart()
    assert await config.request(json={"n": 2}) == {"echo": {"n": 2}}
    assert first.bodies == [{"n": 1}]
    assert restarted.bodies == [{"n": 2}]
    assert restarted.tokens == ["secret"]


async def test_with_patch_the_retry_goes_out_on_a_connection_of_its_own(
    with_patches: None, threaded_server: ThreadedActionServer
) -> None:
    first = threaded_server.start()
    config = endpoint(threaded_server.url)
    two = asyncio.gather(config.request(json={"hang": 1}), config.request(json={"hang": 2}))
    while len(first.bodies) < 2:  # both connections open at once
        await asyncio.sleep(0.01)
    threaded_server.loop.call_soon_threadsafe(first.release.set)
    await two
    assert len(set(first.peers)) == 2
    restarted = threaded_server.restart()  # both kept connections are now stale
    assert await config.request(json={"n": 3}) == {"echo": {"n": 3}}
    assert await config.request(json={"n": 4}) == {"echo": {"n": 4}}
    assert restarted.bodies == [{"n": 3}, {"n": 4}]
    # The retry's connection was Rasa's one-off (closed after it), not one taken into the pool.
    assert len(set(restarted.peers)) == 2


async def test_with_patch_a_stale_connection_then_a_failing_server_is_tried_twice_only(
    with_patches: None, threaded_server: ThreadedActionServer
) -> None:
    threaded_server.start()
    config = endpoint(threaded_server.url)
    await config.request(json={})
    restarted = threaded_server.restart()
    with pytest.raises(aiohttp.ServerDisconnectedError):
        await config.request(json={"drop": True})
    assert restarted.bodies == [{"drop": True}]  # the retry, once


async def test_with_patch_a_drop_on_a_new_connection_is_not_retried(with_patches: None) -> None:
    async with action_server() as (url, seen):
        with pytest.raises(aiohttp.ServerDisconnectedError):
            await endpoint(url).request(json={"drop": True})
    assert seen.bodies == [{"drop": True}]


async def test_with_patch_a_drop_after_the_answer_began_is_not_retried(
    with_patches: None,
) -> None:
    async with action_server() as (url, seen):
        config = endpoint(url)
        await config.request(json={})
        with pytest.raises(aiohttp.ClientError):
            await config.request(json={"partial": True})
    assert seen.bodies == [{}, {"partial": True}]
    assert len(set(seen.peers)) == 1  # the failing request was on the kept connection


@pytest.mark.parametrize("status", [400, 500, 502, 503])
async def test_with_patch_an_error_status_on_a_kept_connection_is_not_retried(
    with_patches: None, status: int
) -> None:
    async with action_server() as (url, seen):
        config = endpoint(url)
        await config.request(json={})
        with pytest.raises(ClientResponseError) as refused:
            await config.request(json={"status": status})
    assert refused.value.status == status
    assert seen.bodies == [{}, {"status": status}]


async def test_with_patch_a_timeout_on_a_kept_connection_is_not_retried(
    with_patches: None,
) -> None:
    async with action_server() as (url, seen):
        config = endpoint(url)
        await config.request(json={})
        with pytest.raises(asyncio.TimeoutError):
            await config.request(json={"hang": True}, timeout=aiohttp.ClientTimeout(total=0.1))
    assert seen.bodies == [{}, {"hang": True}]
    assert len(set(seen.peers)) == 1


def attempt(reused: bool, answered: bool) -> endpoint_pool.Attempt:
    seen = endpoint_pool.Attempt()
    seen.reused, seen.answered = reused, answered
    return seen


@pytest.mark.parametrize(
    ("error", "reused", "answered", "stale"),
    [
        pytest.param(aiohttp.ServerDisconnectedError(), True, False, True, id="disconnect"),
        pytest.param(aiohttp.ClientOSError(104, "reset"), True, False, True, id="reset"),
        pytest.param(aiohttp.ServerDisconnectedError(), False, False, False, id="new-conn"),
        pytest.param(aiohttp.ServerDisconnectedError(), True, True, False, id="answered"),
        pytest.param(aiohttp.ServerTimeoutError(), True, False, False, id="read-timeout"),
        pytest.param(asyncio.TimeoutError(), True, False, False, id="total-timeout"),
        pytest.param(ClientResponseError(503, "x", "y"), True, False, False, id="status"),
        pytest.param(aiohttp.ClientPayloadError(), True, False, False, id="payload"),
    ],
)
def test_only_a_disconnect_before_any_answer_on_a_reused_connection_is_stale(
    error: BaseException, reused: bool, answered: bool, stale: bool
) -> None:
    assert endpoint_pool.is_stale_connection_error(error, attempt(reused, answered)) is stale


def test_a_failure_to_connect_is_not_stale() -> None:
    error = aiohttp.ClientConnectorError(
        aiohttp.client_reqrep.ConnectionKey("h", 1, False, None, None, None, None),
        OSError(111, "refused"),
    )
    assert not endpoint_pool.is_stale_connection_error(error, attempt(True, False))


# --- Closing at shutdown --------------------------------------------------------------------


def rasa_app() -> Sanic:
    Sanic.test_mode = True
    app = rasa.core.run.configure_app(enable_api=False, log_file=None)
    app.name = f"pool_{free_port()}"  # type: ignore[misc]
    return app


async def kept_session_during_a_served_app() -> aiohttp.ClientSession:
    async with action_server() as (url, _), serving(rasa_app()):
        await endpoint(url).request(json={})
        return endpoint_pool.kept_session(endpoint(url), asyncio.get_running_loop())


async def test_without_patch_rasas_app_leaves_the_kept_session_open_at_stop(
    with_patches: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(rasa.core.run, "configure_app", RASA_CONFIGURE_APP)
    session = await kept_session_during_a_served_app()
    assert not session.closed


async def test_with_patch_the_kept_session_is_closed_when_the_server_stops(
    with_patches: None,
) -> None:
    session = await kept_session_during_a_served_app()
    assert session.closed
    assert asyncio.get_running_loop() not in endpoint_pool._pools


def test_rasa_serves_the_app_that_configure_app_returns() -> None:
    # serve_application looks configure_app up in its module when it runs, so the patched one
    # (and its after_server_stop listener) is the one `rasa run` serves.
    assert "configure_app" in rasa.core.run.serve_application.__code__.co_names


async def test_closing_is_idempotent_and_a_later_request_opens_a_new_session(
    with_patches: None,
) -> None:
    async with action_server() as (url, seen):
        await endpoint(url).request(json={})
        loop = asyncio.get_running_loop()
        session = endpoint_pool.kept_session(endpoint(url), loop)
        assert await endpoint_pool.close_kept_sessions() == 1
        assert await endpoint_pool.close_kept_sessions() == 0
        await endpoint_pool.close_at_server_stop(None, loop)
        assert session.closed
        assert await endpoint(url).request(json={"n": 2}) == {"echo": {"n": 2}}
    assert len(set(seen.peers)) == 2


def test_sessions_of_an_ended_loop_are_closed_without_error(with_patches: None) -> None:
    async def one_request() -> tuple[asyncio.AbstractEventLoop, aiohttp.ClientSession]:
        async with action_server() as (url, _):
            await endpoint(url).request(json={})
            loop = asyncio.get_running_loop()
            return loop, endpoint_pool.kept_session(endpoint(url), loop)

    ended, session = asyncio.run(one_request())
    assert ended.is_closed() and not session.closed
    assert asyncio.run(endpoint_pool.close_kept_sessions()) == 1
    assert session.closed
    assert ended not in endpoint_pool._pools
