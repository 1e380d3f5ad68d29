"""Each topic's follow-up index is built once, at start-up, and the actions reuse it."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterator, Sequence
from typing import Any

import pytest

import action_server.__main__ as action_main
from actions import engine
from guideline_engine.retrieval import Retriever
from guideline_engine.retrieval.retriever import Document
from guideline_engine.topics import topics


@pytest.fixture
def fresh() -> Iterator[None]:
    engine.topic_retrievers.cache_clear()
    yield
    engine.topic_retrievers.cache_clear()


def test_start_up_builds_each_topic_index_once_and_the_actions_reuse_it(
    fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: Counter[frozenset[str]] = Counter()
    real = Retriever.build.__func__  # type: ignore[attr-defined]

    def counting(cls: type[Retriever], documents: Sequence[Document], *a: Any, **k: Any) -> Any:
        built[frozenset(d.id for d in documents)] += 1
        return real(cls, documents, *a, **k)

    monkeypatch.setattr(Retriever, "build", classmethod(counting))
    action_main.check_clinical_content()
    every = topics()
    for topic in every.all:
        engine.retriever(topic.id)  # as a follow-up question would
    engine.retriever()
    assert len(built) == len(every.all) + 1  # each topic's index and the all-topics check
    assert set(built.values()) == {1}, built


def test_start_up_stops_when_a_topics_index_cannot_be_built(
    fresh: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*_: Any, **__: Any) -> Any:
        raise ValueError("snippet x.y has no searchable term")

    monkeypatch.setattr(engine, "retriever_for", broken)
    with pytest.raises(SystemExit, match=r"(?s)topic's follow-up index cannot be built.*x\.y"):
        action_main.check_clinical_content()
