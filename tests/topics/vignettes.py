"""Every topic package's vignettes (``content/<topic>/vignettes.yml``), for any test to run.

A topic brings its own test cases as data; the tests that run them name no topic.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from typing import Any

import yaml

from guideline_engine.topics import Topic, topics


@cache
def _package(topic_folder: str) -> dict[str, Any]:
    entry = resources.files("guideline_engine") / "content" / topic_folder / "vignettes.yml"
    if not entry.is_file():
        return {}
    return dict(yaml.safe_load(entry.read_text(encoding="utf-8")) or {})


def cases(key: str = "vignettes") -> list[tuple[Topic, dict[str, Any]]]:
    """``(topic, case)`` for every case under ``key`` of every topic package, in topic order."""
    return [(t, dict(c)) for t in topics().all for c in _package(t.folder).get(key) or []]


def single_message(key: str = "vignettes") -> list[tuple[Topic, dict[str, Any]]]:
    """The cases of one message only (what a channel test can lay out from one turn)."""
    return [(t, c) for t, c in cases(key) if len(c.get("messages") or []) == 1]
