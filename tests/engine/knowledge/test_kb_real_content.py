"""Checks on the real, packaged B12 content (not on fixtures)."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest

from guideline_engine.knowledge import ReviewStatus, load_knowledge_base
from guideline_engine.knowledge.cli import main
from guideline_engine.knowledge.loader import scan

CONTENT = Path(__file__).resolve().parents[3] / "src" / "guideline_engine" / "content"

pytestmark = pytest.mark.skipif(not any(CONTENT.rglob("*.yml")), reason="no packaged content yet")


def test_packaged_content_validates() -> None:
    out, err = io.StringIO(), io.StringIO()
    code = main(["validate"], out=out, err=err)
    assert code == 0, err.getvalue()
    assert out.getvalue().startswith("OK: ")


def test_packaged_content_loads_through_importlib_resources() -> None:
    kb = load_knowledge_base(approved_only=False)
    assert "b12_deficiency_anaemia" in kb.topics
    assert kb.snippets
    for snippet in kb.snippets:
        view = kb.citation(snippet.id, "patient")
        assert view.text == snippet.patient
        assert view.pending_review is (snippet.review.status is not ReviewStatus.APPROVED)
    assert [row.document.id for row in kb.sources_listing()] == sorted(d.id for d in kb.documents)


def test_approved_only_view_of_packaged_content() -> None:
    kb = load_knowledge_base(approved_only=True)
    assert all(not s.pending_review for s in kb.snippets)


def test_workflow_edits_on_a_copy_touch_only_the_edited_lines(tmp_path: Path) -> None:
    root = tmp_path / "content"
    shutil.copytree(CONTENT, root)
    # Bring placeholder hashes up to date first, if any (approved ones must already be).
    main(["rehash", "--root", str(root)], out=io.StringIO(), err=io.StringIO())
    candidates = [s for s in scan(root).snippets if s.review.status is ReviewStatus.SUBMITTED]
    if not candidates:
        pytest.skip("no submitted snippet in the packaged content")
    target = candidates[0]
    path = root / target.file
    before = path.read_text(encoding="utf-8").splitlines()

    sink = io.StringIO()
    review = ["review", target.id, "--reviewer", "Dr T", "--root", str(root)]
    assert main(review, out=io.StringIO(), err=sink) == 0
    args = [
        "approve",
        target.id,
        "--reviewer",
        "Dr T",
        "--role",
        "haematologist",
        "--date",
        "2099-01-01",
    ]
    assert main([*args, "--root", str(root)], out=io.StringIO(), err=sink) == 0, sink.getvalue()

    after = path.read_text(encoding="utf-8").splitlines()
    assert len(after) == len(before)
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert len(changed) == 1, changed
    old, new = changed[0]
    assert "status: submitted" in old and "reviewer: null" in old
    assert "status: approved" in new and "reviewer: Dr T" in new
    assert "reviewed_on: 2099-01-01" in new
    kb = load_knowledge_base(root, approved_only=True)
    assert kb.has(target.id)


@pytest.mark.parametrize(
    "rel",
    [pytest.param(p.relative_to(CONTENT).as_posix(), id=p.name) for p in CONTENT.rglob("*.yml")],
)
def test_round_trip_of_packaged_files_is_byte_identical(rel: str) -> None:
    """Workflow commands rewrite whole files, so an unchanged dump must equal the original."""
    from guideline_engine.knowledge.editing import _RoundTrip

    path = CONTENT / rel
    doc = _RoundTrip.load(path)
    buffer = io.StringIO()
    doc.yaml.dump(doc.data, buffer)
    assert buffer.getvalue() == path.read_text(encoding="utf-8")


def test_every_seed_snippet_is_mapped_to_ng239_and_conflicts_are_recorded() -> None:
    kb = load_knowledge_base(approved_only=False)
    seed = [s for s in kb.all_snippets if s.source.document == "droracle_b12_treatment"]
    assert len(seed) == 24
    for snippet in seed:
        assert any(g.document == "nice_ng239" for g in snippet.guidance), snippet.id
    conflicts = {s.id for s in seed for g in s.guidance if g.relation.value == "conflicts"}
    assert {"b12.nonneuro.maintenance", "b12.overview.im_hydroxocobalamin"} <= conflicts


def test_ng239_snippets_point_at_parts_we_read() -> None:
    kb = load_knowledge_base(approved_only=False)
    ng239 = [s for s in kb.all_snippets if s.source.document == "nice_ng239"]
    assert len(ng239) >= 6
    for snippet in ng239:
        assert snippet.source.parts and not snippet.source.cites, snippet.id
    document = kb.document("nice_ng239")
    assert document.kind.value == "guideline" and document.year == 2024
    assert document.read and "Only parts" in document.read
    assert kb.document("droracle_b12_treatment").kind.value == "ai_summary"
