"""Serve a Sanic app on a free localhost port inside the test's event loop."""

from __future__ import annotations

import socket
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

import aiohttp
import pytest
from sanic import Sanic

import rasa_patches

# rasa-sdk names every app "rasa_sdk"; tests build several.
Sanic.test_mode = True


@pytest.fixture(autouse=True)
def patches_installed() -> None:
    """Channels are built as the entry points build them: with the Rasa patches installed."""
    rasa_patches.install()


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@asynccontextmanager
async def serving(app: Sanic) -> AsyncIterator[str]:
    """Start ``app`` (as ``app.run`` would, minus the process handling); yield its base URL."""
    port = free_port()
    server = await app.create_server(
        host="127.0.0.1", port=port, return_asyncio_server=True, access_log=False
    )
    assert server is not None
    await server.startup()
    await server.before_start()
    await server.after_start()
    await server.start_serving()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        await server.before_stop()
        closing = server.close()
        if closing is not None:
            await closing
        await server.after_stop()


@asynccontextmanager
async def client() -> AsyncIterator[aiohttp.ClientSession]:
    async with aiohttp.ClientSession() as session:
        yield session
