from __future__ import annotations

import datetime as dt
import io
import os
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from guideline_engine.knowledge import ReviewStatus, compute_hash, editing, load_knowledge_base
from guideline_engine.knowledge.cli import main

SRC_DIR = Path(__file__).resolve().parents[3] / "src"
SNIP = "test/snippets.yml"


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


def replace_text(root: Path, old: str, new: str, rel: str = SNIP) -> None:
    path = root / rel
    text = path.read_text(encoding="utf-8")
    assert text.count(old) == 1
    path.write_text(text.replace(old, new), encoding="utf-8")


def stored_hash(root: Path, snippet_id: str) -> str:
    data = yaml.safe_load((root / SNIP).read_text(encoding="utf-8"))
    item = next(s for s in data["snippets"] if s["id"] == snippet_id)
    return str(item["content_hash"])


def expected_hash(root: Path, snippet_id: str) -> str:
    data = yaml.safe_load((root / SNIP).read_text(encoding="utf-8"))
    item = next(s for s in data["snippets"] if s["id"] == snippet_id)
    return compute_hash({**item, "topic": data["topic"]})


# ----------------------------------------------------------------------------- read-only


def test_validate_ok(kb_root: Path) -> None:
    code, out, err = run("validate", "--root", str(kb_root))
    version = load_knowledge_base(kb_root, approved_only=False).version
    assert code == 0, err
    assert out.strip() == f"OK: 4 snippets, 2 documents, version {version}"


def test_validate_reports_every_problem(kb_root: Path) -> None:
    replace_text(kb_root, "section: monitoring", "section: ''")
    replace_text(kb_root, "kind: patient_information", "kind: leaflet", "other/other.yml")
    code, out, err = run("validate", "--root", str(kb_root))
    assert code == 1
    assert out == ""
    assert "test/snippets.yml: t.gamma: section: empty text" in err
    assert "other/other.yml: doc_other: kind: invalid value 'leaflet'" in err
    assert err.strip().endswith("FAILED: 2 problems")


def test_version(kb_root: Path) -> None:
    code, out, _ = run("version", "--root", str(kb_root))
    assert code == 0
    assert out.strip() == load_knowledge_base(kb_root, approved_only=False).version


@pytest.mark.parametrize(
    ("status", "expected"),
    [
        pytest.param(None, {"t.alpha", "t.beta", "t.gamma", "other.info"}, id="all"),
        pytest.param("approved", {"t.beta", "other.info"}, id="approved"),
        pytest.param("submitted", {"t.alpha"}, id="submitted"),
        pytest.param("under_review", {"t.gamma"}, id="under-review"),
    ],
)
def test_list(kb_root: Path, status: str | None, expected: set[str]) -> None:
    argv = ["list", "--root", str(kb_root)] + (["--status", status] if status else [])
    code, out, _ = run(*argv)
    assert code == 0
    rows = [line.split("\t") for line in out.splitlines()]
    assert {row[0] for row in rows} == expected
    assert all(len(row) == 4 for row in rows)


def test_list_rejects_unknown_status(kb_root: Path) -> None:
    with pytest.raises(SystemExit) as info:
        run("list", "--root", str(kb_root), "--status", "draft")
    assert info.value.code == 2


def test_sources(kb_root: Path) -> None:
    code, out, _ = run("sources", "--root", str(kb_root))
    assert code == 0
    assert "Test Guideline (Test Publisher, 2025) [guideline]" in out
    assert "citation [2]: ambiguous -> 2, 3" in out
    assert "Other Leaflet (Other Publisher, 2024) [patient_information]" in out


# ----------------------------------------------------------------------------- workflow


def test_full_review_workflow(kb_root: Path) -> None:
    root = str(kb_root)
    version0 = load_knowledge_base(kb_root, approved_only=False).version

    code, out, err = run("review", "t.alpha", "--reviewer", "Dr Rev", "--root", root)
    assert code == 0, err
    assert "submitted -> under_review" in out
    kb = load_knowledge_base(kb_root, approved_only=False)
    review = kb.snippet("t.alpha").review
    assert (review.status, review.reviewer, review.reviewed_on) == (
        ReviewStatus.UNDER_REVIEW,
        "Dr Rev",
        None,
    )
    version1 = kb.version
    assert version1 != version0

    code, out, err = run(
        "approve",
        "t.alpha",
        "--reviewer",
        "Dr Rev",
        "--role",
        "haematologist",
        "--date",
        "2026-12-01",
        "--root",
        root,
    )
    assert code == 0, err
    kb = load_knowledge_base(kb_root, approved_only=True)
    assert kb.has("t.alpha")
    review = kb.snippet("t.alpha").review
    assert (review.status, review.reviewer, review.reviewed_on) == (
        ReviewStatus.APPROVED,
        "Dr Rev",
        dt.date(2026, 12, 1),
    )
    assert kb.citation("t.alpha", "patient").label is None
    assert kb.version not in {version0, version1}
    assert run("validate", "--root", root)[0] == 0

    # The text changes after approval: validation names file, snippet and field.
    replace_text(kb_root, "on alternate days.", "on alternate days for 2 weeks.")
    code, _, err = run("validate", "--root", root)
    assert code == 1
    assert (
        "test/snippets.yml: t.alpha: content_hash: text changed after approval by Dr Rev "
        "on 2026-12-01; the snippet must be re-approved"
    ) in err

    # Approving again directly is refused: it has to be reopened first.
    code, _, err = run(
        "approve", "t.alpha", "--reviewer", "Dr Rev", "--role", "haematologist", "--root", root
    )
    assert code == 1
    assert "only snippets under review can be approved" in err

    code, out, err = run("reopen", "t.alpha", "--reviewer", "Dr Second", "--root", root)
    assert code == 0, err
    assert "approved -> under_review" in out
    assert run("validate", "--root", root)[0] == 0
    kb = load_knowledge_base(kb_root, approved_only=False)
    assert kb.snippet("t.alpha").review.status is ReviewStatus.UNDER_REVIEW
    assert kb.snippet("t.alpha").review.reviewed_on is None
    assert not load_knowledge_base(kb_root, approved_only=True).has("t.alpha")

    code, _, err = run(
        "approve",
        "t.alpha",
        "--reviewer",
        "Dr Second",
        "--role",
        "haematologist",
        "--date",
        "2026-12-02",
        "--root",
        root,
    )
    assert code == 0, err
    code, out, _ = run("validate", "--root", root)
    assert code == 0
    assert out.startswith("OK: 4 snippets")
    kb = load_knowledge_base(kb_root, approved_only=True)
    snippet = kb.snippet("t.alpha")
    assert snippet.clinician == "Give drug X 1 mg IM on alternate days for 2 weeks."
    assert snippet.review.reviewer == "Dr Second"
    assert stored_hash(kb_root, "t.alpha") == expected_hash(kb_root, "t.alpha")


def test_approve_defaults_to_today(kb_root: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(editing, "_today", lambda: dt.date(2027, 1, 5))
    code, _, err = run(
        "approve",
        "t.gamma",
        "--reviewer",
        "Dr Gamma",
        "--role",
        "haematologist",
        "--root",
        str(kb_root),
    )
    assert code == 0, err
    kb = load_knowledge_base(kb_root, approved_only=True)
    assert kb.snippet("t.gamma").review.reviewed_on == dt.date(2027, 1, 5)


@pytest.mark.parametrize(
    ("argv", "fragment"),
    [
        pytest.param(
            ["approve", "t.alpha", "--reviewer", "Dr X", "--role", "haematologist"],
            "'submitted'; only snippets under review can be approved; run "
            "'python -m guideline_engine.knowledge review t.alpha --reviewer NAME' first",
            id="approve-from-submitted",
        ),
        pytest.param(
            ["approve", "t.beta", "--reviewer", "Dr X", "--role", "haematologist"],
            "only snippets under review can be approved",
            id="approve-approved",
        ),
        pytest.param(
            ["review", "t.gamma", "--reviewer", "Dr X"],
            "only 'submitted' snippets can be put under review",
            id="review-under-review",
        ),
        pytest.param(
            ["reopen", "t.alpha", "--reviewer", "Dr X"],
            "only approved snippets can be reopened",
            id="reopen-submitted",
        ),
        pytest.param(
            [
                "approve",
                "t.gamma",
                "--reviewer",
                "Dr X",
                "--role",
                "haematologist",
                "--date",
                "2026-11-01",
            ],
            "approval date 2026-11-01 is before curated_on 2026-11-25",
            id="approve-before-curation",
        ),
        pytest.param(
            ["review", "t.nope", "--reviewer", "Dr X"],
            "no snippet with id 't.nope'",
            id="unknown-id",
        ),
        pytest.param(
            ["review", "t.alpha", "--reviewer", "  "],
            "--reviewer must not be empty",
            id="empty-reviewer",
        ),
    ],
)
def test_refused_transitions_leave_files_untouched(
    kb_root: Path, argv: list[str], fragment: str
) -> None:
    before = {p: p.read_bytes() for p in kb_root.rglob("*.yml")}
    code, out, err = run(*argv, "--root", str(kb_root))
    assert code == 1
    assert out == ""
    assert fragment in err
    assert {p: p.read_bytes() for p in kb_root.rglob("*.yml")} == before


def test_approve_refuses_snippet_with_other_problems(kb_root: Path) -> None:
    replace_text(
        kb_root,
        "source: {document: doc_guide, cites: [1]}",
        "source: {document: doc_guide, cites: [1, 9]}",
    )
    code, _, err = run(
        "approve",
        "t.gamma",
        "--reviewer",
        "Dr G",
        "--role",
        "haematologist",
        "--date",
        "2026-12-01",
        "--root",
        str(kb_root),
    )
    assert code == 1
    assert "fix them before approving" in err
    assert "citation 9 of document 'doc_guide' has no entry" in err
    assert "status: under_review" in (kb_root / SNIP).read_text(encoding="utf-8")


def test_invalid_date_is_a_usage_error(kb_root: Path) -> None:
    with pytest.raises(SystemExit) as info:
        run(
            "approve",
            "t.gamma",
            "--reviewer",
            "Dr G",
            "--role",
            "haematologist",
            "--date",
            "01/12/2026",
        )
    assert info.value.code == 2


# ----------------------------------------------------------------------------- rehash


def test_rehash_updates_changed_non_approved_snippets(kb_root: Path) -> None:
    replace_text(kb_root, "every other day.", "every second day.")
    replace_text(kb_root, "after 8 weeks.", "after 6 weeks.")
    assert run("validate", "--root", str(kb_root))[0] == 1
    untouched = stored_hash(kb_root, "t.beta")

    code, out, err = run("rehash", "--root", str(kb_root))
    assert code == 0, err
    assert "rehashed test/snippets.yml: t.alpha" in out
    assert "rehashed test/snippets.yml: t.gamma" in out
    assert "2 snippet hash(es) updated" in out
    assert stored_hash(kb_root, "t.alpha") == expected_hash(kb_root, "t.alpha")
    assert stored_hash(kb_root, "t.beta") == untouched
    assert run("validate", "--root", str(kb_root))[0] == 0

    code, out, _ = run("rehash", "--root", str(kb_root))
    assert (code, out.strip()) == (0, "0 snippet hash(es) updated")


def test_rehash_refuses_approved_snippets(kb_root: Path) -> None:
    replace_text(kb_root, "every two months.", "every 8 weeks.")
    replace_text(kb_root, "every other day.", "every second day.")
    stale = stored_hash(kb_root, "t.beta")

    code, _, err = run("rehash", "--root", str(kb_root))
    assert code == 1
    assert "refused test/snippets.yml: t.beta: approved snippet changed after approval" in err
    assert "re-approved" in err
    assert stored_hash(kb_root, "t.beta") == stale
    assert stored_hash(kb_root, "t.alpha") == expected_hash(kb_root, "t.alpha")
    code, _, err = run("validate", "--root", str(kb_root))
    assert code == 1
    assert "t.beta: content_hash: text changed after approval by Dr Beta" in err


def test_rehash_fills_placeholder_hashes(kb_root: Path) -> None:
    path = kb_root / SNIP
    text = path.read_text(encoding="utf-8")
    real = stored_hash(kb_root, "t.gamma")
    path.write_text(text.replace(real, "0" * 16), encoding="utf-8")
    assert run("rehash", "--root", str(kb_root))[0] == 0
    assert stored_hash(kb_root, "t.gamma") == real


# ----------------------------------------------------------------------------- round trip


def test_edits_keep_comments_order_and_layout(kb_root: Path) -> None:
    path = kb_root / SNIP
    before = path.read_text(encoding="utf-8").splitlines()
    assert run("review", "t.alpha", "--reviewer", "Dr R: Smith", "--root", str(kb_root))[0] == 0
    args = ("approve", "t.alpha", "--reviewer", "Dr R: Smith", "--role", "haematologist")
    assert run(*args, "--date", "2026-12-01", "--root", str(kb_root))[0] == 0
    after = path.read_text(encoding="utf-8").splitlines()
    # The role is recorded on a new line of the review block; everything else is edited in place.
    role = "      role: haematologist"
    assert after.count(role) == before.count(role) + 1
    before, after = [ln for ln in before if ln != role], [ln for ln in after if ln != role]

    assert len(after) == len(before)
    changed = [(b, a) for b, a in zip(before, after, strict=True) if b != a]
    assert changed == [
        ("      status: submitted", "      status: approved"),
        ("      reviewer: null", "      reviewer: 'Dr R: Smith'"),
        ("      reviewed_on: null", "      reviewed_on: 2026-12-01"),
    ]
    assert stored_hash(kb_root, "t.alpha") == expected_hash(kb_root, "t.alpha")
    assert "# Snippets of the test topic." in after
    assert "  - id: t.alpha  # the submitted one" in after
    assert "  # A snippet somebody is reviewing right now." in after
    assert load_knowledge_base(kb_root, approved_only=False).snippet("t.alpha").review.reviewer == (
        "Dr R: Smith"
    )


def test_edit_keeps_flow_style_mappings(tmp_path: Path) -> None:
    root = tmp_path / "flow"
    (root / "t").mkdir(parents=True)
    record = {
        "id": "f.one",
        "topic": "flow_topic",
        "section": "s",
        "clinician": "C text.",
        "patient": "P text.",
        "source": {"document": "d", "cites": [1]},
    }
    text = (
        "# flow style file\n"
        "topic: flow_topic\n"
        "documents:\n"
        "- {id: d, title: T, publisher: P, year: 2020, kind: guideline}\n"
        "citations:\n"
        "- {document: d, number: 1, resolution: unresolved, references: [], basis: none}\n"
        "snippets:\n"
        "- id: f.one\n"
        "  section: s\n"
        "  clinician: C text.\n"
        "  patient: P text.\n"
        "  source: {document: d, cites: [1]}\n"
        "  review: {status: submitted, curated_by: me, curated_on: 2026-11-25, reviewer: null, "
        "reviewed_on: null}\n"
        f"  content_hash: {compute_hash(record)}\n"
    )
    (root / "t" / "f.yml").write_text(text, encoding="utf-8")
    assert run("review", "f.one", "--reviewer", "Dr F", "--root", str(root))[0] == 0
    after = (root / "t" / "f.yml").read_text(encoding="utf-8")
    assert after == text.replace(
        "{status: submitted, curated_by: me, curated_on: 2026-11-25, reviewer: null, ",
        "{status: under_review, curated_by: me, curated_on: 2026-11-25, reviewer: Dr F, ",
    )


# ----------------------------------------------------------------------------- entry point


def test_module_entry_point(kb_root: Path) -> None:
    env = {**os.environ, "PYTHONPATH": str(SRC_DIR), "RASA_TELEMETRY_ENABLED": "false"}
    done = subprocess.run(
        [sys.executable, "-m", "guideline_engine.knowledge", "validate", "--root", str(kb_root)],
        capture_output=True,
        text=True,
        env=env,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.startswith("OK: 4 snippets, 2 documents, version kb-")


def test_default_write_root_is_the_source_tree() -> None:
    root = editing.default_source_root()
    assert root == SRC_DIR / "guideline_engine" / "content"
