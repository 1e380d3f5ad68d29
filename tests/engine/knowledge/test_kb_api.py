from __future__ import annotations

import dataclasses
import datetime as dt
import json
import os
import re
import subprocess
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from guideline_engine.knowledge import (
    PENDING_REVIEW_LABEL,
    DocumentKind,
    KnowledgeBase,
    Resolution,
    ReviewStatus,
    compute_hash,
    load_knowledge_base,
)

SRC_DIR = Path(__file__).resolve().parents[3] / "src"
SNIP = "test/snippets.yml"
SRC = "test/sources.yml"

EditYaml = Callable[[str, Callable[[Any], None]], None]


@pytest.fixture
def kb(kb_root: Path) -> KnowledgeBase:
    return load_knowledge_base(kb_root, approved_only=False)


def _snippet(data: Any, snippet_id: str) -> dict[str, Any]:
    return next(s for s in data["snippets"] if s["id"] == snippet_id)


def _rehashed(data: Any, snippet_id: str) -> None:
    item = _snippet(data, snippet_id)
    item["content_hash"] = compute_hash({**item, "topic": data["topic"]})


# ----------------------------------------------------------------------------- version


def test_version_format_and_stability(kb_root: Path) -> None:
    first = load_knowledge_base(kb_root, approved_only=False)
    second = load_knowledge_base(kb_root, approved_only=True)
    assert re.fullmatch(r"kb-[0-9a-f]{12}", first.version)
    assert first.version == second.version


def _to_under_review(data: Any) -> None:
    review = _snippet(data, "t.alpha")["review"]
    review["status"] = "under_review"
    review["reviewer"] = "Dr R"


def _edit_text(data: Any) -> None:
    _snippet(data, "t.alpha")["patient"] = "New patient wording."
    _rehashed(data, "t.alpha")


def _edit_keywords(data: Any) -> None:
    _snippet(data, "t.alpha")["keywords"] = ["other"]


def _edit_basis(data: Any) -> None:
    data["citations"][0]["basis"] = "A different basis."


def _edit_title(data: Any) -> None:
    data["documents"][0]["title"] = "Renamed Guideline"


@pytest.mark.parametrize(
    ("rel", "mutate"),
    [
        pytest.param(SNIP, _to_under_review, id="review-status"),
        pytest.param(SNIP, _edit_text, id="snippet-text"),
        pytest.param(SNIP, _edit_keywords, id="keywords"),
        pytest.param(SRC, _edit_basis, id="citation-basis"),
        pytest.param(SRC, _edit_title, id="document-title"),
    ],
)
def test_version_changes_with_content_or_review(
    kb_root: Path, edit_yaml: EditYaml, rel: str, mutate: Callable[[Any], None]
) -> None:
    before = load_knowledge_base(kb_root, approved_only=False).version
    edit_yaml(rel, mutate)
    after = load_knowledge_base(kb_root, approved_only=False).version
    assert after != before


def test_version_ignores_file_layout(kb_root: Path) -> None:
    before = load_knowledge_base(kb_root, approved_only=False).version
    path = kb_root / SNIP
    path.write_text("# extra comment\n" + path.read_text(encoding="utf-8"), encoding="utf-8")
    (kb_root / "test").rename(kb_root / "moved")
    assert load_knowledge_base(kb_root, approved_only=False).version == before


# ----------------------------------------------------------------------------- filter


def test_all_snippets_visible_by_default(kb: KnowledgeBase) -> None:
    assert kb.approved_only is False
    assert kb.ids == frozenset({"t.alpha", "t.beta", "t.gamma", "other.info"})
    assert [s.id for s in kb.snippets] == ["other.info", "t.alpha", "t.beta", "t.gamma"]


def test_approved_only_hides_non_approved(kb_root: Path) -> None:
    kb = load_knowledge_base(kb_root, approved_only=True)
    assert kb.approved_only is True
    assert kb.ids == frozenset({"t.beta", "other.info"})
    assert {s.id for s in kb.snippets} == {"t.beta", "other.info"}
    assert all(s.review.status is ReviewStatus.APPROVED for s in kb.snippets)
    assert not kb.has("t.alpha")
    assert kb.has("t.beta")
    with pytest.raises(KeyError, match="not clinically approved"):
        kb.snippet("t.alpha")
    with pytest.raises(KeyError, match="not clinically approved"):
        kb.citation("t.gamma", "patient")
    with pytest.raises(KeyError, match="not clinically approved"):
        kb.references_for("t.alpha")
    assert len(kb.all_snippets) == 4


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        pytest.param("true", True, id="true"),
        pytest.param("1", True, id="one"),
        pytest.param("YES", True, id="yes-upper"),
        pytest.param(" yes ", True, id="yes-padded"),
        pytest.param("false", False, id="false"),
        pytest.param("0", False, id="zero"),
        pytest.param("no", False, id="no"),
        pytest.param("", False, id="empty"),
        pytest.param(None, False, id="unset"),
    ],
)
def test_approved_only_from_environment(
    kb_root: Path, monkeypatch: pytest.MonkeyPatch, value: str | None, expected: bool
) -> None:
    if value is None:
        monkeypatch.delenv("KB_APPROVED_ONLY", raising=False)
    else:
        monkeypatch.setenv("KB_APPROVED_ONLY", value)
    kb = load_knowledge_base(kb_root)
    assert kb.approved_only is expected
    assert kb.has("t.alpha") is not expected


def test_explicit_argument_beats_environment(
    kb_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_APPROVED_ONLY", "true")
    assert load_knowledge_base(kb_root, approved_only=False).has("t.alpha")


def test_unrecognised_environment_value_is_an_error(
    kb_root: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("KB_APPROVED_ONLY", "ture")
    with pytest.raises(ValueError, match="KB_APPROVED_ONLY"):
        load_knowledge_base(kb_root)


# ----------------------------------------------------------------------------- look-ups


def test_snippet_fields(kb: KnowledgeBase) -> None:
    s = kb.snippet("t.alpha")
    assert s.topic == "test_topic"
    assert s.section == "treatment.loading"
    assert s.source.document == "doc_guide"
    assert s.source.cites == (1, 2)
    assert s.keywords == ("alternate days", "loading")
    assert s.review.status is ReviewStatus.SUBMITTED
    assert s.review.curated_on == dt.date(2026, 11, 25)
    assert s.review.reviewer is None
    assert s.file == "test/snippets.yml"
    assert s.pending_review is True
    assert s.text("clinician") == "Give drug X 1 mg IM on alternate days."
    assert s.text("patient") == "You will usually have injections every other day."
    assert kb.snippet("t.beta").pending_review is False
    assert kb.snippet("t.gamma").pending_review is True
    with pytest.raises(ValueError, match="unknown audience"):
        s.text("nurse")
    with pytest.raises(dataclasses.FrozenInstanceError):
        s.patient = "changed"  # type: ignore[misc]


def test_unknown_snippet_raises_clear_key_error(kb: KnowledgeBase) -> None:
    with pytest.raises(KeyError, match=r"unknown snippet id 'nope\.x'"):
        kb.snippet("nope.x")
    assert not kb.has("nope.x")


def test_document_lookup(kb: KnowledgeBase) -> None:
    doc = kb.document("doc_guide")
    assert doc.title == "Test Guideline"
    assert doc.kind is DocumentKind.GUIDELINE
    assert doc.last_updated == dt.date(2025, 10, 21)
    assert doc.source_review_status == "pending human review"
    assert doc.seed_file is None
    with pytest.raises(KeyError, match="unknown document id 'nope'"):
        kb.document("nope")


def test_topics(kb: KnowledgeBase) -> None:
    assert kb.topics == ("other_topic", "test_topic")


@pytest.mark.parametrize(
    ("snippet_id", "expected"),
    [
        pytest.param("t.alpha", ("ref_one", "ref_two", "ref_three"), id="resolved+ambiguous"),
        pytest.param("t.beta", (), id="unresolved-only"),
        pytest.param("t.gamma", ("ref_one",), id="resolved"),
    ],
)
def test_references_for(kb: KnowledgeBase, snippet_id: str, expected: tuple[str, ...]) -> None:
    assert tuple(r.id for r in kb.references_for(snippet_id)) == expected


def test_references_for_deduplicates(kb_root: Path, edit_yaml: EditYaml) -> None:
    def cite_both(data: Any) -> None:
        _snippet(data, "t.gamma")["source"]["cites"] = [2, 1, 3]
        _rehashed(data, "t.gamma")

    edit_yaml(SNIP, cite_both)
    kb = load_knowledge_base(kb_root, approved_only=False)
    assert [r.id for r in kb.references_for("t.gamma")] == ["ref_two", "ref_three", "ref_one"]


def test_citation_view_for_pending_snippet(kb: KnowledgeBase) -> None:
    view = kb.citation("t.alpha", "patient")
    assert view.snippet_id == "t.alpha"
    assert view.text == "You will usually have injections every other day."
    assert view.source == "Test Guideline — Test Publisher"
    assert view.year == 2025
    assert view.review_status == "submitted"
    assert view.pending_review is True
    assert view.label == PENDING_REVIEW_LABEL == "pending clinical review"
    assert view.cites == (1, 2)
    assert view.references == (
        "First Reference. Journal One, 2017.",
        "Second Reference. Journal Two, 2020.",
        "Third Reference. Journal Three, 2021.",
    )
    assert len(view.resolution_notes) == 1
    note = view.resolution_notes[0]
    assert note.startswith("citation [2] is ambiguous")
    assert "Second Reference" in note and "Third Reference" in note
    assert "Both fit the statement." in note


def test_citation_view_for_approved_snippet(kb: KnowledgeBase) -> None:
    view = kb.citation("t.beta", "clinician")
    assert view.text == "Maintenance drug X 1 mg IM every 2 months."
    assert view.review_status == "approved"
    assert view.pending_review is False
    assert view.label is None
    assert view.references == ()
    assert view.resolution_notes == (
        "citation [3] is unresolved (basis: Nothing in the list matches.)",
    )


def test_under_review_is_still_pending(kb: KnowledgeBase) -> None:
    view = kb.citation("t.gamma", "clinician")
    assert view.review_status == "under_review"
    assert view.label == "pending clinical review"
    assert view.resolution_notes == ()


def test_citation_payload(kb: KnowledgeBase) -> None:
    payload = kb.citation("t.alpha", "clinician").to_payload()
    assert payload == {
        "snippet_id": "t.alpha",
        "text": "Give drug X 1 mg IM on alternate days.",
        "source": "Test Guideline — Test Publisher",
        "year": 2025,
        "review_status": "submitted",
        "pending_review": True,
        "label": "pending clinical review",
        "cites": [1, 2],
    }
    assert json.loads(json.dumps(payload)) == payload


def test_citation_rejects_unknown_audience(kb: KnowledgeBase) -> None:
    with pytest.raises(ValueError, match="unknown audience 'doctor'"):
        kb.citation("t.alpha", "doctor")


def test_sources_listing(kb: KnowledgeBase) -> None:
    rows = kb.sources_listing()
    assert [row.document.id for row in rows] == ["doc_guide", "doc_other"]
    guide, other = rows
    assert [r.position for r in guide.references] == [1, 2, 3]
    assert [(c.number, c.resolution) for c in guide.citations] == [
        (1, Resolution.RESOLVED),
        (2, Resolution.AMBIGUOUS),
        (3, Resolution.UNRESOLVED),
    ]
    assert other.references == ()
    lines = guide.lines()
    assert lines[0] == "Test Guideline (Test Publisher, 2025) [guideline]"
    assert "  review status stated by the source: pending human review" in lines
    assert "  1. First Reference. Journal One, 2017." in lines
    assert "  citation [1]: resolved -> 1 (Year and subject match.)" in lines
    assert "  citation [2]: ambiguous -> 2, 3 (Both fit the statement.)" in lines
    assert "  citation [3]: unresolved (Nothing in the list matches.)" in lines


# ----------------------------------------------------------------------------- import


def test_import_does_no_io() -> None:
    code = (
        "import importlib.resources, pathlib\n"
        "def boom(*a, **k):\n"
        "    raise AssertionError('I/O at import')\n"
        "importlib.resources.files = boom\n"
        "pathlib.Path.read_text = boom\n"
        "pathlib.Path.iterdir = boom\n"
        "import guideline_engine.knowledge as k\n"
        "import guideline_engine.knowledge.cli\n"
        "import sys\n"
        "print('rasa' in sys.modules, 'rasa_sdk' in sys.modules)\n"
    )
    env = {**os.environ, "PYTHONPATH": str(SRC_DIR)}
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, env=env, check=False
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "False False"


@pytest.mark.parametrize(
    ("title", "expected"),
    [
        pytest.param("Plain title", "Plain title. J, 2001.", id="adds-full-stop"),
        pytest.param("Ends with stop.", "Ends with stop. J, 2001.", id="keeps-full-stop"),
        pytest.param("A question?", "A question? J, 2001.", id="keeps-question-mark"),
    ],
)
def test_reference_description_punctuation(title: str, expected: str) -> None:
    from guideline_engine.knowledge import Reference

    reference = Reference(
        id="r",
        topic="t",
        document="d",
        position=1,
        title=title,
        publisher="J",
        year=2001,
        kind=DocumentKind.RESEARCH,
        file="f.yml",
    )
    assert reference.describe() == expected
