"""Building a retriever from a knowledge base (guideline_engine.retrieval.adapter)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from retrieval_fixtures import FIXTURE_POLICY, SNIPPETS, FakeKnowledgeBase

from guideline_engine.knowledge import load_knowledge_base
from guideline_engine.knowledge.base import KnowledgeBase
from guideline_engine.retrieval import Answer, document_for, retriever_for


def test_document_joins_both_wordings_and_the_leaf_section() -> None:
    snippet = SNIPPETS[1]
    doc = document_for(snippet)
    assert doc.id == "b12.neuro.loading"
    assert snippet.clinician in doc.text and snippet.patient in doc.text
    assert doc.text.endswith("with neurological involvement")
    assert "initial" not in doc.text.split("\n")[-1]
    assert doc.keywords == snippet.keywords


def test_retriever_for_any_knowledge_base_like_object(fixture_kb: FakeKnowledgeBase) -> None:
    retriever = retriever_for(fixture_kb, policy=FIXTURE_POLICY)
    assert retriever.ids == tuple(s.id for s in SNIPPETS)
    result = retriever.search("are injections safe with low platelets?")
    assert isinstance(result, Answer)
    assert result.best.id == "b12.population.thrombocytopenia"


@pytest.fixture(scope="module")
def kb() -> KnowledgeBase:
    return load_knowledge_base(approved_only=False)


def test_real_knowledge_base_builds_with_the_packaged_vocabulary_and_policy(
    kb: KnowledgeBase,
) -> None:
    retriever = retriever_for(kb)
    assert set(retriever.ids) == {s.id for s in kb.snippets}
    fallback = retriever.policy.generic_fallback
    assert fallback is None or kb.has(fallback)


@pytest.mark.parametrize("audience", ["clinician", "patient"])
def test_every_real_snippet_is_found_by_its_own_wording(kb: KnowledgeBase, audience: str) -> None:
    retriever = retriever_for(kb)
    misses = []
    for snippet in kb.snippets:
        result = retriever.search(snippet.text(audience))
        if not isinstance(result, Answer) or result.best.id != snippet.id:
            misses.append(snippet.id)
    assert misses == []


def test_importing_the_package_reads_no_data() -> None:
    code = (
        "import guideline_engine.retrieval as r; "
        "assert r.default_synonyms.cache_info().currsize == 0; "
        "assert r.default_policy.cache_info().currsize == 0"
    )
    env = {**os.environ, "PYTHONPATH": str(Path(__file__).resolve().parents[3] / "src")}
    subprocess.run([sys.executable, "-c", code], check=True, env=env)
