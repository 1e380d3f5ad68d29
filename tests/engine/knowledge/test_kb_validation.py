from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from guideline_engine.knowledge import KnowledgeError, Problem, load_knowledge_base

SRC = "test/sources.yml"
SNIP = "test/snippets.yml"
OTHER = "other/other.yml"

Mutator = Callable[[Any], None]
EditYaml = Callable[[str, Mutator], None]


def snip(data: Any, snippet_id: str) -> dict[str, Any]:
    return next(s for s in data["snippets"] if s["id"] == snippet_id)


def doc(data: Any, document_id: str = "doc_guide") -> dict[str, Any]:
    return next(d for d in data["documents"] if d["id"] == document_id)


def ref(data: Any, reference_id: str) -> dict[str, Any]:
    return next(r for r in data["references"] if r["id"] == reference_id)


def cit(data: Any, number: int) -> dict[str, Any]:
    return next(c for c in data["citations"] if c["number"] == number)


def problems_of(root: Path) -> tuple[Problem, ...]:
    with pytest.raises(KnowledgeError) as info:
        load_knowledge_base(root, approved_only=False)
    return info.value.problems


def assert_problem(
    problems: tuple[Problem, ...], file: str, record: str, field: str, *fragments: str
) -> Problem:
    candidates = [p for p in problems if (p.file, p.record_id, p.field) == (file, record, field)]
    assert candidates, f"no problem for {file}: {record}: {field}; got:\n" + "\n".join(
        map(str, problems)
    )
    for p in candidates:
        if all(f in p.message for f in fragments):
            return p
    raise AssertionError(f"{fragments} not in {[p.message for p in candidates]}")


def test_fixture_is_valid(kb_root: Path) -> None:
    kb = load_knowledge_base(kb_root, approved_only=False)
    assert {s.id for s in kb.snippets} == {"t.alpha", "t.beta", "t.gamma", "other.info"}


def _set(path: str, value: Any) -> Callable[[dict[str, Any]], None]:
    """Set a dotted key path in a record."""

    def apply(record: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for part in parents:
            record = record[part]
        record[last] = value

    return apply


def _del(path: str) -> Callable[[dict[str, Any]], None]:
    def apply(record: dict[str, Any]) -> None:
        *parents, last = path.split(".")
        for part in parents:
            record = record[part]
        del record[last]

    return apply


def on_snip(snippet_id: str, change: Callable[[dict[str, Any]], None]) -> Mutator:
    return lambda data: change(snip(data, snippet_id))


def on_doc(change: Callable[[dict[str, Any]], None], document_id: str = "doc_guide") -> Mutator:
    return lambda data: change(doc(data, document_id))


def on_ref(reference_id: str, change: Callable[[dict[str, Any]], None]) -> Mutator:
    return lambda data: change(ref(data, reference_id))


def on_cit(number: int, change: Callable[[dict[str, Any]], None]) -> Mutator:
    return lambda data: change(cit(data, number))


def add_other_reference(data: Any) -> None:
    data["references"] = [
        {
            "id": "ref_other",
            "document": "doc_other",
            "position": 1,
            "title": "Other",
            "publisher": "P",
            "year": 2000,
            "kind": "research",
        }
    ]


CASES = [
    # unknown keys, at every level
    pytest.param(
        SNIP, _set("colour", "red"), SNIP, "(file)", "colour", "unknown key", id="unknown-top-key"
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("colour", "red")),
        SNIP,
        "t.alpha",
        "colour",
        "unknown key; allowed keys: id, section, clinician",
        id="unknown-snippet-key",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("source.page", 3)),
        SNIP,
        "t.alpha",
        "source.page",
        "unknown key",
        id="unknown-source-key",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("review.approver", "x")),
        SNIP,
        "t.alpha",
        "review.approver",
        "unknown key",
        id="unknown-review-key",
    ),
    pytest.param(
        SRC,
        on_doc(_set("website", "http://x")),
        SRC,
        "doc_guide",
        "website",
        "unknown key",
        id="unknown-document-key",
    ),
    pytest.param(
        SRC,
        on_ref("ref_one", _set("doi", "x")),
        SRC,
        "ref_one",
        "doi",
        "unknown key",
        id="unknown-reference-key",
    ),
    pytest.param(
        SRC,
        on_cit(1, _set("page", 2)),
        SRC,
        "doc_guide#1",
        "page",
        "unknown key",
        id="unknown-citation-key",
    ),
    # missing required keys
    pytest.param(
        SNIP,
        on_snip("t.alpha", _del("clinician")),
        SNIP,
        "t.alpha",
        "clinician",
        "missing required key",
        id="missing-clinician",
    ),
    pytest.param(
        SNIP, _del("topic"), SNIP, "(file)", "topic", "missing required key", id="missing-topic"
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _del("review.curated_on")),
        SNIP,
        "t.alpha",
        "review.curated_on",
        "missing required key",
        id="missing-curated-on",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _del("content_hash")),
        SNIP,
        "t.alpha",
        "content_hash",
        "missing required key",
        id="missing-hash",
    ),
    pytest.param(
        SRC,
        on_doc(_del("title")),
        SRC,
        "doc_guide",
        "title",
        "missing required key",
        id="missing-document-title",
    ),
    pytest.param(
        SRC,
        on_cit(2, _del("basis")),
        SRC,
        "doc_guide#2",
        "basis",
        "missing required key",
        id="missing-basis",
    ),
    pytest.param(
        SNIP,
        lambda d: d["snippets"][0].pop("id"),
        SNIP,
        "snippets[0]",
        "id",
        "missing required key",
        id="missing-id-named-by-position",
    ),
    # wrong types
    pytest.param(
        SRC,
        on_doc(_set("year", "2025")),
        SRC,
        "doc_guide",
        "year",
        "expected an integer, got a string",
        id="year-string",
    ),
    pytest.param(
        SRC,
        on_doc(_set("year", True)),
        SRC,
        "doc_guide",
        "year",
        "expected an integer, got a boolean",
        id="year-bool",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("clinician", ["a"])),
        SNIP,
        "t.alpha",
        "clinician",
        "expected a string, got a list",
        id="text-list",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("source.cites", "1")),
        SNIP,
        "t.alpha",
        "source.cites",
        "expected a list of citation numbers",
        id="cites-string",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("source.cites", [0])),
        SNIP,
        "t.alpha",
        "source.cites[0]",
        ">= 1",
        id="cite-zero",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("source.cites", [1, 1])),
        SNIP,
        "t.alpha",
        "source.cites[1]",
        "listed twice",
        id="cite-twice",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("review.curated_on", "yesterday")),
        SNIP,
        "t.alpha",
        "review.curated_on",
        "expected a date",
        id="date-text",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("source", "doc_guide")),
        SNIP,
        "t.alpha",
        "source",
        "expected a mapping",
        id="source-not-mapping",
    ),
    pytest.param(
        SNIP,
        _set("snippets", {"a": 1}),
        SNIP,
        "(file)",
        "snippets",
        "expected a list",
        id="snippets-not-list",
    ),
    pytest.param(
        SNIP,
        lambda d: d["snippets"].append("text"),
        SNIP,
        "snippets[3]",
        "(record)",
        "expected a mapping",
        id="record-not-mapping",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("keywords", ["ok", 3])),
        SNIP,
        "t.alpha",
        "keywords[1]",
        "non-empty string",
        id="keyword-int",
    ),
    pytest.param(
        SRC,
        on_ref("ref_one", _set("position", 0)),
        SRC,
        "ref_one",
        "position",
        ">= 1",
        id="position-zero",
    ),
    # enums
    pytest.param(
        SRC,
        on_doc(_set("kind", "blog")),
        SRC,
        "doc_guide",
        "kind",
        "invalid value 'blog'; allowed values: guideline, research, drug_label, "
        "patient_information",
        id="bad-document-kind",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("review.status", "draft")),
        SNIP,
        "t.alpha",
        "review.status",
        "allowed values: submitted, under_review, approved",
        id="bad-status",
    ),
    pytest.param(
        SRC,
        on_cit(1, _set("resolution", "maybe")),
        SRC,
        "doc_guide#1",
        "resolution",
        "allowed values: resolved, ambiguous, unresolved",
        id="bad-resolution",
    ),
    # duplicates across files
    pytest.param(
        OTHER,
        on_snip("other.info", _set("id", "t.alpha")),
        SNIP,
        "t.alpha",
        "id",
        "duplicate snippet id (first defined in other/other.yml)",
        id="duplicate-snippet",
    ),
    pytest.param(
        OTHER,
        on_doc(_set("id", "doc_guide"), "doc_other"),
        SRC,
        "doc_guide",
        "id",
        "duplicate document id (first defined in other/other.yml)",
        id="duplicate-document",
    ),
    pytest.param(
        SRC,
        lambda d: d["citations"].append(dict(cit(d, 1))),
        SRC,
        "doc_guide#1",
        "number",
        "duplicate citation number",
        id="duplicate-citation",
    ),
    pytest.param(
        SRC,
        lambda d: d["references"].append(dict(ref(d, "ref_one"))),
        SRC,
        "ref_one",
        "id",
        "duplicate reference id",
        id="duplicate-reference",
    ),
    pytest.param(
        SRC,
        on_ref("ref_one", _set("id", "doc_guide")),
        SRC,
        "doc_guide",
        "id",
        "id already used by a document (in test/sources.yml); ids must be unique across",
        id="reference-id-equals-document-id",
    ),
    pytest.param(
        OTHER,
        on_doc(_set("id", "t.alpha"), "doc_other"),
        SNIP,
        "t.alpha",
        "id",
        "id already used by a document (in other/other.yml)",
        id="snippet-id-equals-document-id",
    ),
    # dangling references
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("source.document", "nope")),
        SNIP,
        "t.alpha",
        "source.document",
        "unknown document 'nope'",
        id="snippet-unknown-document",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("source.cites", [1, 9])),
        SNIP,
        "t.alpha",
        "source.cites",
        "citation 9 of document 'doc_guide' has no entry",
        id="cite-without-citation",
    ),
    pytest.param(
        SRC,
        on_ref("ref_one", _set("document", "nope")),
        SRC,
        "ref_one",
        "document",
        "unknown document 'nope'",
        id="reference-unknown-document",
    ),
    pytest.param(
        SRC,
        on_cit(1, _set("document", "nope")),
        SRC,
        "nope#1",
        "document",
        "unknown document 'nope'",
        id="citation-unknown-document",
    ),
    pytest.param(
        SRC,
        on_cit(1, _set("references", ["ref_nope"])),
        SRC,
        "doc_guide#1",
        "references",
        "unknown reference 'ref_nope'",
        id="citation-unknown-reference",
    ),
    pytest.param(
        OTHER,
        add_other_reference,
        None,
        None,
        None,
        None,
        id="reference-of-other-document-is-fine-alone",
    ),
    pytest.param(
        SRC,
        on_ref("ref_two", _set("position", 1)),
        SRC,
        "ref_two",
        "position",
        "position 1 of document 'doc_guide' is already used by reference 'ref_one'",
        id="duplicate-position",
    ),
    # resolution / reference count
    pytest.param(
        SRC,
        on_cit(1, _set("references", ["ref_one", "ref_two"])),
        SRC,
        "doc_guide#1",
        "references",
        "'resolved' needs exactly 1 reference, got 2",
        id="resolved-with-two",
    ),
    pytest.param(
        SRC,
        on_cit(2, _set("references", ["ref_two"])),
        SRC,
        "doc_guide#2",
        "references",
        "'ambiguous' needs at least 2 references, got 1",
        id="ambiguous-with-one",
    ),
    pytest.param(
        SRC,
        on_cit(3, _set("references", ["ref_one"])),
        SRC,
        "doc_guide#3",
        "references",
        "'unresolved' needs no references, got 1",
        id="unresolved-with-one",
    ),
    # empty text, ids, topic
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("patient", "   ")),
        SNIP,
        "t.alpha",
        "patient",
        "empty text",
        id="empty-patient",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("clinician", None)),
        SNIP,
        "t.alpha",
        "clinician",
        "must not be null",
        id="null-clinician",
    ),
    pytest.param(
        SRC,
        on_cit(1, _set("basis", "")),
        SRC,
        "doc_guide#1",
        "basis",
        "empty text",
        id="empty-basis",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("id", "Alpha.One")),
        SNIP,
        "Alpha.One",
        "id",
        "invalid value 'Alpha.One'",
        id="id-uppercase",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("id", "alpha")),
        SNIP,
        "alpha",
        "id",
        "dotted lowercase",
        id="id-without-dot",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("source.cites", [])),
        SNIP,
        "t.alpha",
        "source.cites",
        "missing citation",
        id="no-cites",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("source.cites", None)),
        SNIP,
        "t.alpha",
        "source.cites",
        "missing citation",
        id="null-cites",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _del("source.cites")),
        SNIP,
        "t.alpha",
        "source",
        "missing citation: give 'cites'",
        id="cites-key-missing",
    ),
    pytest.param(
        SNIP,
        _set("topic", "Test Topic"),
        SNIP,
        "(file)",
        "topic",
        "snake_case",
        id="topic-not-snake-case",
    ),
    # review rules
    pytest.param(
        SNIP,
        on_snip("t.beta", _set("review.reviewer", None)),
        SNIP,
        "t.beta",
        "review.reviewer",
        "approved snippets need a reviewer",
        id="approved-without-reviewer",
    ),
    pytest.param(
        SNIP,
        on_snip("t.beta", _set("review.reviewed_on", None)),
        SNIP,
        "t.beta",
        "review.reviewed_on",
        "approved snippets need a reviewed_on date",
        id="approved-without-date",
    ),
    pytest.param(
        SNIP,
        on_snip("t.beta", _set("review.reviewed_on", dt.date(2026, 11, 1))),
        SNIP,
        "t.beta",
        "review.reviewed_on",
        "reviewed_on 2026-11-01 is before curated_on 2026-11-25",
        id="reviewed-before-curated",
    ),
    pytest.param(
        SNIP,
        on_snip("t.gamma", _set("review.reviewer", None)),
        SNIP,
        "t.gamma",
        "review.reviewer",
        "under review need a reviewer",
        id="under-review-without-reviewer",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("review.reviewer", "Dr X")),
        SNIP,
        "t.alpha",
        "review.reviewer",
        "must be null while the snippet is only submitted",
        id="submitted-with-reviewer",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("review.reviewer", "")),
        SNIP,
        "t.alpha",
        "review.reviewer",
        "empty text",
        id="empty-reviewer",
    ),
    # hashes
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("content_hash", "0" * 16)),
        SNIP,
        "t.alpha",
        "content_hash",
        (
            "stale content hash (stored 0000000000000000",
            "python -m guideline_engine.knowledge rehash",
        ),
        id="stale-submitted",
    ),
    pytest.param(
        SNIP,
        on_snip("t.beta", _set("clinician", "Maintenance 2 mg.")),
        SNIP,
        "t.beta",
        "content_hash",
        ("text changed after approval by Dr Beta on 2026-11-26", "must be re-approved"),
        id="stale-approved",
    ),
    pytest.param(
        SNIP,
        on_snip("t.alpha", _set("content_hash", "ABCDEF0123456789")),
        SNIP,
        "t.alpha",
        "content_hash",
        "16 lowercase hex",
        id="hash-uppercase",
    ),
]


@pytest.mark.parametrize(("rel", "mutate", "file", "record", "field", "fragment"), CASES)
def test_bad_content_is_reported(
    kb_root: Path,
    edit_yaml: EditYaml,
    rel: str,
    mutate: Mutator,
    file: str | None,
    record: str | None,
    field: str | None,
    fragment: str | tuple[str, ...] | None,
) -> None:
    edit_yaml(rel, mutate)
    if file is None:
        load_knowledge_base(kb_root, approved_only=False)
        return
    assert record is not None and field is not None and fragment is not None
    fragments = fragment if isinstance(fragment, tuple) else (fragment,)
    assert_problem(problems_of(kb_root), file, record, field, *fragments)


def test_citation_must_point_at_references_of_its_own_document(
    kb_root: Path, edit_yaml: EditYaml
) -> None:
    edit_yaml(OTHER, add_other_reference)
    edit_yaml(SRC, on_cit(1, _set("references", ["ref_other"])))
    problems = problems_of(kb_root)
    assert_problem(
        problems,
        SRC,
        "doc_guide#1",
        "references",
        "reference 'ref_other' is listed by document 'doc_other', not 'doc_guide'",
    )


@pytest.mark.parametrize(
    ("mutate", "fragments"),
    [
        pytest.param(
            on_snip("t.alpha", _set("content_hash", "0" * 16)),
            ("stale content hash", "rehash"),
            id="submitted",
        ),
        pytest.param(
            on_snip("t.beta", _set("patient", "Changed wording.")),
            ("changed after approval by Dr Beta on 2026-11-26", "re-approved"),
            id="approved",
        ),
    ],
)
def test_stale_hash_messages(
    kb_root: Path, edit_yaml: EditYaml, mutate: Mutator, fragments: tuple[str, ...]
) -> None:
    edit_yaml(SNIP, mutate)
    problems = problems_of(kb_root)
    assert len(problems) == 1
    assert problems[0].field == "content_hash"
    for fragment in fragments:
        assert fragment in problems[0].message


def test_keywords_are_not_hashed(kb_root: Path, edit_yaml: EditYaml) -> None:
    edit_yaml(SNIP, on_snip("t.beta", _set("keywords", ["new", "words"])))
    kb = load_knowledge_base(kb_root, approved_only=False)
    assert kb.snippet("t.beta").keywords == ("new", "words")


def test_whitespace_reflow_keeps_the_hash(kb_root: Path, edit_yaml: EditYaml) -> None:
    edit_yaml(
        SNIP,
        on_snip("t.beta", _set("clinician", "  Maintenance drug X\n1 mg IM   every 2 months. ")),
    )
    load_knowledge_base(kb_root, approved_only=False)


def test_all_problems_are_collected_into_one_error(kb_root: Path, edit_yaml: EditYaml) -> None:
    def break_snippets(data: Any) -> None:
        snip(data, "t.alpha")["colour"] = "red"
        snip(data, "t.gamma")["patient"] = ""

    edit_yaml(SNIP, break_snippets)
    edit_yaml(SRC, on_doc(_set("kind", "blog")))
    with pytest.raises(KnowledgeError) as info:
        load_knowledge_base(kb_root, approved_only=False)
    err = info.value
    keys = {(p.file, p.record_id, p.field) for p in err.problems}
    assert {
        (SNIP, "t.alpha", "colour"),
        (SNIP, "t.gamma", "patient"),
        (SRC, "doc_guide", "kind"),
    } <= keys
    text = str(err)
    assert text.startswith(f"{len(err.problems)} problems in the knowledge base:")
    for problem in err.problems:
        assert f"{problem.file}: {problem.record_id}: {problem.field}: {problem.message}" in text


def test_problem_is_frozen_and_formats_as_a_line() -> None:
    problem = Problem("a.yml", "x.y", "patient", "empty text")
    assert str(problem) == "a.yml: x.y: patient: empty text"
    with pytest.raises(AttributeError):
        problem.file = "b.yml"  # type: ignore[misc]


def test_validation_runs_even_when_only_approved_are_shown(
    kb_root: Path, edit_yaml: EditYaml
) -> None:
    edit_yaml(SNIP, on_snip("t.alpha", _set("content_hash", "0" * 16)))
    with pytest.raises(KnowledgeError):
        load_knowledge_base(kb_root, approved_only=True)


@pytest.mark.parametrize(
    ("text", "field", "fragment"),
    [
        pytest.param("", "(file)", "file is empty", id="empty-file"),
        pytest.param("# only a comment\n", "(file)", "file is empty", id="comment-only"),
        pytest.param("- a\n- b\n", "(file)", "expected a mapping, got a list", id="list-file"),
        pytest.param("topic: [unclosed\n", "(yaml)", "invalid YAML", id="syntax-error"),
        pytest.param("topic: a\ntopic: b\n", "(yaml)", "duplicate key", id="duplicate-key"),
    ],
)
def test_bad_files(kb_root: Path, text: str, field: str, fragment: str) -> None:
    (kb_root / "extra").mkdir()
    (kb_root / "extra" / "bad.yml").write_text(text, encoding="utf-8")
    problems = problems_of(kb_root)
    assert_problem(problems, "extra/bad.yml", "(file)", field, fragment)


def test_yaml_extension_is_rejected_not_silently_skipped(kb_root: Path) -> None:
    (kb_root / "test" / "more.yaml").write_text("topic: test_topic\n", encoding="utf-8")
    problems = problems_of(kb_root)
    assert_problem(problems, "test/more.yaml", "(file)", "(file)", "must end in '.yml'")


def test_hidden_files_are_ignored(kb_root: Path) -> None:
    (kb_root / ".cache").mkdir()
    (kb_root / ".cache" / "junk.yml").write_text("not: valid: [", encoding="utf-8")
    load_knowledge_base(kb_root, approved_only=False)


def test_empty_root_is_an_error(tmp_path: Path) -> None:
    problems = problems_of(tmp_path)
    assert problems[0].message == "no *.yml content files found"


def test_missing_root_is_an_error(tmp_path: Path) -> None:
    problems = problems_of(tmp_path / "nope")
    assert "not a directory" in problems[0].message


def test_new_topic_needs_only_a_new_file(kb_root: Path) -> None:
    from guideline_engine.knowledge import compute_hash

    record = {
        "id": "iron.oral.dose",
        "topic": "iron_deficiency",
        "section": "treatment",
        "clinician": "Oral iron once daily.",
        "patient": "Iron tablets once a day.",
        "source": {"document": "doc_iron", "cites": [1]},
    }
    (kb_root / "iron").mkdir()
    (kb_root / "iron" / "iron.yml").write_text(
        f"""\
topic: iron_deficiency
documents:
  - {{id: doc_iron, title: Iron Guide, publisher: Iron Society, year: 2023, kind: guideline}}
citations:
  - {{document: doc_iron, number: 1, resolution: unresolved, references: [], basis: none listed}}
snippets:
  - id: iron.oral.dose
    section: treatment
    clinician: Oral iron once daily.
    patient: Iron tablets once a day.
    source: {{document: doc_iron, cites: [1]}}
    review: {{status: submitted, curated_by: me, curated_on: 2026-11-25}}
    content_hash: "{compute_hash(record)}"
""",
        encoding="utf-8",
    )
    kb = load_knowledge_base(kb_root, approved_only=False)
    assert kb.topics == ("iron_deficiency", "other_topic", "test_topic")
    assert kb.snippet("iron.oral.dose").review.reviewer is None
