"""Fail fast: the retriever is built and checked at start-up and in ``make kb-validate``."""

from __future__ import annotations

import dataclasses
import io
import logging

import pytest
from retrieval_fixtures import FIXTURE_POLICY, SNIPPETS, FakeKnowledgeBase, FakeSnippet

import action_server.__main__ as action_main
from guideline_engine.knowledge import load_knowledge_base
from guideline_engine.retrieval import NotCoveredTopic, Synonyms, check_retrieval
from guideline_engine.retrieval.__main__ import main as retrieval_cli

KIDNEY = FakeSnippet(
    "b12.population.kidney",
    "special_populations",
    "On dialysis, check B12 as usual.",
    "If you have dialysis, your B12 is checked as usual.",
)


def test_the_packaged_content_builds_with_no_problem() -> None:
    check = check_retrieval(load_knowledge_base(approved_only=False))
    assert check.problems == ()
    assert len(check.retriever.ids) == len(load_knowledge_base(approved_only=False).snippets)


def test_overlap_and_missing_fallback_are_reported(synonyms: Synonyms) -> None:
    policy = dataclasses.replace(
        FIXTURE_POLICY,
        generic_fallback="b12.renamed.overview",
        not_covered=(NotCoveredTopic("kidney_disease", ("dialysis", "renal")),),
    )
    check = check_retrieval(FakeKnowledgeBase((*SNIPPETS, KIDNEY)), policy=policy)
    overlap, fallback = check.problems
    assert "'dialysis' (topic kidney_disease) occurs in snippet(s) b12.population.kidney" in overlap
    assert "generic_fallback 'b12.renamed.overview' is not a snippet id" in fallback
    assert "2 problem(s)" in check.summary()


def test_validate_command_fails_on_an_overlap_with_the_packaged_policy(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    # The packaged policy lists dialysis as not covered; new content that mentions it fails CI.
    kb = FakeKnowledgeBase((*SNIPPETS, KIDNEY))
    monkeypatch.setattr("guideline_engine.knowledge.load_knowledge_base", lambda **_: kb)
    out, err = io.StringIO(), io.StringIO()
    assert retrieval_cli(["validate"], out=out, err=err) == 1
    assert "'dialysis' (topic kidney_disease) occurs in snippet(s) b12.population.kidney" in (
        err.getvalue()
    )
    assert "FAILED" in err.getvalue()


def test_validate_command_passes_on_the_packaged_content() -> None:
    out, err = io.StringIO(), io.StringIO()
    assert retrieval_cli(["validate"], out=out, err=err) == 0, err.getvalue()
    assert out.getvalue().startswith("OK: follow-up retriever:")


def test_start_up_stops_when_content_breaks_the_retriever(monkeypatch: pytest.MonkeyPatch) -> None:
    broken = FakeKnowledgeBase((*SNIPPETS, SNIPPETS[0]))  # a duplicate snippet id
    monkeypatch.setattr(action_main, "load_knowledge_base", lambda **_: broken)
    with pytest.raises(
        SystemExit, match=r"(?s)follow-up retriever cannot be built.*duplicate document id"
    ):
        action_main.check_clinical_content()


def test_start_up_builds_through_an_overlap_and_warns(
    monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    kb = FakeKnowledgeBase((*SNIPPETS, KIDNEY))
    monkeypatch.setattr(action_main, "load_knowledge_base", lambda **_: kb)
    with caplog.at_level(logging.INFO, logger="action_server"):
        action_main.check_clinical_content()
    assert "follow-up retriever: 9 snippets indexed" in caplog.text
    assert "'dialysis' (topic kidney_disease) occurs in snippet(s) b12.population.kidney" in (
        caplog.text
    )
