"""The channels are built as the entry points build them: with the Rasa patches installed."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

import rasa_patches


@pytest.fixture(autouse=True)
def patches_installed() -> Iterator[None]:
    """Install the patches (idempotent); the channels refuse to build routes without them."""
    rasa_patches.install()
    yield
