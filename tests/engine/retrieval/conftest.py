"""Fixtures for the retrieval tests (data in retrieval_fixtures.py)."""

from __future__ import annotations

import pytest
from retrieval_fixtures import FIXTURE_POLICY, SNIPPETS, FakeKnowledgeBase

from guideline_engine.retrieval import Document, Retriever, Synonyms, default_synonyms


@pytest.fixture(scope="session")
def synonyms() -> Synonyms:
    return default_synonyms()


@pytest.fixture(scope="session")
def fixture_kb() -> FakeKnowledgeBase:
    return FakeKnowledgeBase(SNIPPETS)


@pytest.fixture(scope="session")
def documents() -> tuple[Document, ...]:
    return tuple(
        Document(s.id, f"{s.clinician}\n{s.patient}", keywords=s.keywords) for s in SNIPPETS
    )


@pytest.fixture(scope="session")
def retriever(documents: tuple[Document, ...], synonyms: Synonyms) -> Retriever:
    return Retriever.build(documents, synonyms, policy=FIXTURE_POLICY)
