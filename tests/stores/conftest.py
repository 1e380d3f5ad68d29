"""Fixtures shared by the tests of the Rasa patches."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator

import pytest

import rasa_patches
from stores import endpoint_pool


@pytest.fixture(autouse=True)
async def kept_sessions_closed() -> AsyncIterator[None]:
    """Close the sessions a test kept (as the Rasa server does when it stops)."""
    yield
    await endpoint_pool.close_kept_sessions()


@pytest.fixture
def without_patches() -> Iterator[None]:
    """Rasa's own behaviour for the test; the patches are back afterwards."""
    rasa_patches.uninstall()
    try:
        yield
    finally:
        rasa_patches.install()


@pytest.fixture
def with_patches() -> None:
    """The project's behaviour (the patches stay installed, as in every entry point)."""
    rasa_patches.install()
