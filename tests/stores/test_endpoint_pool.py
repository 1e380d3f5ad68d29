"""The action server's connection is kept between requests; requests and failures stay Rasa's."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from typing import Any

import aiohttp
import pytest
from aiohttp import web
from rasa.utils.endpoints import ClientResponseError, EndpointConfig

import rasa_patches
from stores import endpoint_pool
from tests.security.conftest import free_port

RASA_SESSION = rasa_patches.original("action_server_connection_kept")


@pytest.fixture
def without_patches() -> Iterator[None]:
    rasa_patches.uninstall()
    try:
        yield
    finally:
        rasa_patches.install()


@pytest.fixture
def with_patches() -> None:
    rasa_patches.install()


class Seen:
    """What the test server saw: one entry per request."""

    def __init__(self) -> None:
        self.peers: list[Any] = []
        self.tokens: list[str | None] = []
        self.headers: list[dict[str, str]] = []


@asynccontextmanager
async def action_server(port: int | None = None) -> AsyncIterator[tuple[str, Seen]]:
    """A stand-in action server: echoes the JSON body; 400 for {"reject": true}."""
    seen = Seen()

    async def webhook(request: web.Request) -> web.Response:
        seen.peers.append(
            request.transport.get_extra_info("peername") if request.transport else None
        )
        seen.tokens.append(request.query.get("token"))
        seen.headers.append(dict(request.headers))
        body = await request.json()
        if body.get("reject"):
            return web.json_response({"action_name": "action_plan", "error": "no"}, status=400)
        return web.json_response({"echo": body})

    app = web.Application()
    app.router.add_post("/webhook", webhook)
    runner = web.AppRunner(app)
    await runner.setup()
    port = port or free_port()
    site = web.TCPSite(runner, "127.0.0.1", port)
    await site.start()
    try:
        yield f"http://127.0.0.1:{port}/webhook", seen
    finally:
        await runner.cleanup()


def endpoint(url: str, **kwargs: Any) -> EndpointConfig:
    return EndpointConfig(url, token="secret", **kwargs)


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
    endpoint_pool._pools.pop(asyncio.get_running_loop(), None)  # a session with the new limit
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
            return await endpoint(url).request(json={"x": 1})  # type: ignore[no-any-return]

    assert asyncio.run(one_request()) == {"echo": {"x": 1}}
    assert asyncio.run(one_request()) == {"echo": {"x": 1}}  # not bound to the closed loop


def test_outside_an_event_loop_rasas_session_is_used() -> None:
    config = EndpointConfig("http://127.0.0.1:1/webhook")
    made: list[EndpointConfig] = []
    patched = endpoint_pool.pooled_session(lambda self: made.append(self) or "rasa's")
    assert patched(config) == "rasa's"
    assert made == [config]


def test_install_replaces_rasas_session(without_patches: None) -> None:
    assert EndpointConfig.__dict__["session"] is RASA_SESSION
    rasa_patches.install()
    assert EndpointConfig.__dict__["session"] is not RASA_SESSION
    assert EndpointConfig.__dict__["session"].__wrapped__ is RASA_SESSION
