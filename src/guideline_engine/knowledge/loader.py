"""Discovery, parsing and validation of the YAML content files.

:func:`scan` never raises for bad content: it returns every record it could build together
with every problem it found, so callers can report all problems at once.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass, field
from enum import Enum
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any, TypeVar

from guideline_engine.knowledge.hashing import HASH_PATTERN, compute_hash
from guideline_engine.knowledge.model import (
    GATE_FACTS,
    REVIEWER_ROLES,
    TRI_VALUES,
    Citation,
    Document,
    DocumentKind,
    Gate,
    GateCondition,
    GateOperator,
    GateOutcome,
    GateUrgency,
    Guidance,
    GuidanceRelation,
    Problem,
    Reference,
    Resolution,
    Review,
    ReviewStatus,
    Snippet,
    SnippetSource,
)

SNIPPET_ID_PATTERN = re.compile(r"^[a-z0-9_]+(\.[a-z0-9_]+)+$")
TOPIC_PATTERN = re.compile(r"^[a-z][a-z0-9]*(_[a-z0-9]+)*$")
RECORD_ID_PATTERN = re.compile(r"^\S+$")
PART_PATTERN = re.compile(
    r"^(\d+\.\d+(\.\d+)?|rationale-\d+\.\d+\.\d+(-\d+\.\d+\.\d+)?"
    r"|overview|context|visual-summary|bmj-summary|page)$"
)
PART_HINT = (
    "expected a recommendation number like '1.1.3', 'rationale-1.1.1-1.1.3', or one of "
    "overview, context, visual-summary, bmj-summary, page"
)
GATE_ID_PATTERN = re.compile(r"^gate\.[a-z0-9_]+(\.[a-z0-9_]+)+$")

FILE_RECORD = "(file)"
"""``record_id`` used for problems that concern a whole file."""

REHASH_HINT = "python -m guideline_engine.knowledge rehash"

REGISTER_FILE_NAME = "approvals.yml"
"""The approval register (read by :mod:`guideline_engine.knowledge.approval`); not scanned here."""
TOPIC_FILE_NAMES = frozenset({"topic.yml", "rules.yml", "vignettes.yml", "vocab.yml", "nlu.yml"})
"""A topic package's manifest, table, vignettes and vocabulary (not knowledge-base files)."""

TOP_KEYS = ("topic", "documents", "references", "citations", "snippets", "gates")
DOCUMENT_KEYS = (
    "id",
    "title",
    "publisher",
    "year",
    "kind",
    "last_updated",
    "source_review_status",
    "intended_audience",
    "seed_file",
    "notes",
    "url",
    "read",
)
DOCUMENT_REQUIRED = ("id", "title", "publisher", "year", "kind")
REFERENCE_KEYS = ("id", "document", "position", "title", "publisher", "year", "kind")
CITATION_KEYS = ("document", "number", "resolution", "references", "basis")
SNIPPET_KEYS = (
    "id",
    "section",
    "clinician",
    "patient",
    "source",
    "keywords",
    "guidance",
    "review",
    "content_hash",
)
SNIPPET_REQUIRED = ("id", "section", "clinician", "patient", "source", "review", "content_hash")
SOURCE_KEYS = ("document", "cites", "parts")
GUIDANCE_KEYS = ("document", "recommendation", "relation", "note")
GUIDANCE_REQUIRED = ("document", "relation", "note")
GATE_KEYS = (
    "id",
    "conditions",
    "outcome",
    "urgency",
    "specialist",
    "advice",
    "basis",
    "review",
)
CONDITION_KEYS = ("fact", "op", "value")
REVIEW_KEYS = ("status", "curated_by", "curated_on", "reviewer", "reviewed_on", "role")
REVIEW_REQUIRED = ("status", "curated_by", "curated_on")

E = TypeVar("E", bound=Enum)


@dataclass(frozen=True)
class ContentFile:
    """A YAML file of the knowledge base and its path relative to the content root."""

    relpath: str
    entry: Traversable


@dataclass(frozen=True)
class ScanResult:
    """Records built from the content and every problem found while building them."""

    files: tuple[str, ...]
    documents: tuple[Document, ...]
    references: tuple[Reference, ...]
    citations: tuple[Citation, ...]
    snippets: tuple[Snippet, ...]
    problems: tuple[Problem, ...]
    gates: tuple[Gate, ...] = ()


@dataclass
class _Ctx:
    """Problem sink for one record; ``ok`` turns False on the first problem."""

    file: str
    record_id: str
    sink: list[Problem]
    ok: bool = True

    def error(self, field_name: str, message: str) -> None:
        self.sink.append(Problem(self.file, self.record_id, field_name, message))
        self.ok = False

    def keys(
        self,
        mapping: Mapping[Any, Any],
        allowed: tuple[str, ...],
        required: tuple[str, ...],
        prefix: str = "",
    ) -> None:
        for key in mapping:
            if key not in allowed:
                self.error(f"{prefix}{key}", f"unknown key; allowed keys: {', '.join(allowed)}")
        for key in required:
            if key not in mapping:
                self.error(f"{prefix}{key}", "missing required key")

    def string(
        self,
        mapping: Mapping[Any, Any],
        key: str,
        prefix: str = "",
        *,
        nullable: bool = False,
        pattern: re.Pattern[str] | None = None,
        pattern_hint: str = "",
    ) -> str | None:
        if key not in mapping:
            return None
        value = mapping[key]
        name = f"{prefix}{key}"
        if value is None:
            if not nullable:
                self.error(name, "must not be null")
            return None
        if not isinstance(value, str):
            self.error(name, f"expected a string, got {_type_name(value)}")
            return None
        if not value.strip():
            self.error(name, "empty text")
            return None
        if pattern is not None and not pattern.match(value):
            self.error(name, f"invalid value {value!r}: {pattern_hint}")
            return None
        return value

    def integer(
        self, mapping: Mapping[Any, Any], key: str, prefix: str = "", *, minimum: int | None = None
    ) -> int | None:
        if key not in mapping:
            return None
        value = mapping[key]
        name = f"{prefix}{key}"
        if isinstance(value, bool) or not isinstance(value, int):
            self.error(name, f"expected an integer, got {_type_name(value)}")
            return None
        if minimum is not None and value < minimum:
            self.error(name, f"must be >= {minimum}, got {value}")
            return None
        return value

    def date(
        self, mapping: Mapping[Any, Any], key: str, prefix: str = "", *, nullable: bool = False
    ) -> dt.date | None:
        if key not in mapping:
            return None
        value = mapping[key]
        name = f"{prefix}{key}"
        if value is None:
            if not nullable:
                self.error(name, "must not be null")
            return None
        if isinstance(value, dt.datetime):
            self.error(name, "expected a date (YYYY-MM-DD), got a date and time")
            return None
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                return dt.date.fromisoformat(value)
            except ValueError:
                pass
        self.error(name, f"expected a date (YYYY-MM-DD), got {value!r}")
        return None

    def enum(
        self, mapping: Mapping[Any, Any], key: str, enum_type: type[E], prefix: str = ""
    ) -> E | None:
        if key not in mapping:
            return None
        value = mapping[key]
        allowed = ", ".join(str(member.value) for member in enum_type)
        for member in enum_type:
            if member.value == value:
                return member
        self.error(f"{prefix}{key}", f"invalid value {value!r}; allowed values: {allowed}")
        return None

    def mapping(self, value: Any, name: str) -> Mapping[Any, Any] | None:
        if isinstance(value, Mapping):
            return value
        self.error(name, f"expected a mapping, got {_type_name(value)}")
        return None

    def sequence(self, mapping: Mapping[Any, Any], key: str, prefix: str = "") -> list[Any] | None:
        if key not in mapping:
            return None
        value = mapping[key]
        if not isinstance(value, list):
            self.error(f"{prefix}{key}", f"expected a list, got {_type_name(value)}")
            return None
        return value


def _type_name(value: Any) -> str:
    if value is None:
        return "null"
    if isinstance(value, bool):
        return "a boolean"
    if isinstance(value, int):
        return "an integer"
    if isinstance(value, str):
        return "a string"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, Mapping):
        return "a mapping"
    if isinstance(value, dt.date):
        return "a date"
    return type(value).__name__


# ----------------------------------------------------------------------------- discovery


def iter_content_files(root: Traversable) -> Iterator[ContentFile]:
    """Yield every ``*.yml`` and ``*.yaml`` file under ``root``, sorted by relative path.

    Hidden entries and ``__pycache__`` are skipped.
    """
    found: list[ContentFile] = []

    def walk(node: Traversable, prefix: str) -> None:
        for child in node.iterdir():
            name = child.name
            if name.startswith(".") or name == "__pycache__":
                continue
            rel = f"{prefix}{name}"
            if child.is_dir():
                walk(child, f"{rel}/")
            elif name.endswith((".yml", ".yaml")) and child.is_file():
                found.append(ContentFile(rel, child))

    walk(root, "")
    yield from sorted(found, key=lambda f: f.relpath)


def _read_yaml(content: ContentFile, sink: list[Problem]) -> tuple[bool, Any]:
    """Parse one file; return ``(False, None)`` after recording a problem if it cannot be read."""
    from ruamel.yaml import YAML
    from ruamel.yaml.error import YAMLError

    try:
        text = content.entry.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        sink.append(Problem(content.relpath, FILE_RECORD, "(file)", f"cannot read file: {exc}"))
        return False, None
    try:
        return True, YAML(typ="safe", pure=True).load(text)
    except YAMLError as exc:
        detail = " ".join(str(exc).split())
        sink.append(Problem(content.relpath, FILE_RECORD, "(yaml)", f"invalid YAML: {detail}"))
        return False, None


# ----------------------------------------------------------------------------- scanning


@dataclass
class _Seen:
    """First file each id was defined in, per record kind.

    Document, reference and snippet ids share one namespace (``ids``: id -> kind, file);
    citation numbers are unique per document.
    """

    ids: dict[str, tuple[str, str]] = field(default_factory=dict)
    documents: dict[str, str] = field(default_factory=dict)
    references: dict[str, str] = field(default_factory=dict)
    citations: dict[tuple[str, int], str] = field(default_factory=dict)
    snippets: dict[str, str] = field(default_factory=dict)
    gates: dict[str, str] = field(default_factory=dict)


@dataclass
class _PendingSnippet:
    """Cross-reference facts of a snippet, checked once every file has been read."""

    ctx: _Ctx
    document: str | None
    cites: tuple[int, ...]
    guidance_documents: tuple[str, ...] = ()


@dataclass
class _Scanner:
    problems: list[Problem] = field(default_factory=list)
    seen: _Seen = field(default_factory=_Seen)
    documents: list[Document] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    citations: list[Citation] = field(default_factory=list)
    snippets: list[Snippet] = field(default_factory=list)
    ref_docs: list[tuple[_Ctx, str, int | None]] = field(default_factory=list)
    cit_refs: list[tuple[_Ctx, str | None, Resolution | None, list[str]]] = field(
        default_factory=list
    )
    pending: list[_PendingSnippet] = field(default_factory=list)
    gates: list[Gate] = field(default_factory=list)
    gate_advice: list[tuple[_Ctx, tuple[str, ...]]] = field(default_factory=list)

    # -- file level -------------------------------------------------------------------

    def scan_file(self, relpath: str, data: Any) -> None:
        ctx = _Ctx(relpath, FILE_RECORD, self.problems)
        if data is None:
            ctx.error("(file)", "file is empty; expected a mapping with at least 'topic'")
            return
        top = ctx.mapping(data, "(file)")
        if top is None:
            return
        ctx.keys(top, TOP_KEYS, ("topic",))
        topic = ctx.string(
            top, "topic", pattern=TOPIC_PATTERN, pattern_hint="expected a snake_case name"
        )
        sections: list[tuple[str, Callable[[str, str, int, Any], None]]] = [
            ("documents", self._document),
            ("references", self._reference),
            ("citations", self._citation),
            ("snippets", self._snippet),
            ("gates", self._gate),
        ]
        for key, handler in sections:
            items = ctx.sequence(top, key)
            for index, item in enumerate(items or []):
                handler(relpath, topic or "", index, item)

    def _record_ctx(self, relpath: str, kind: str, index: int, item: Any) -> _Ctx:
        rid = f"{kind}[{index}]"
        if isinstance(item, Mapping):
            raw_id = item.get("id")
            if isinstance(raw_id, str) and raw_id.strip():
                rid = raw_id
        return _Ctx(relpath, rid, self.problems)

    def _claim(self, ctx: _Ctx, seen: dict[Any, str], key: Any, label: str, name: str) -> bool:
        if key in seen:
            ctx.error(name, f"duplicate {label} (first defined in {seen[key]})")
            return False
        seen[key] = ctx.file
        return True

    def _claim_id(self, ctx: _Ctx, kind: str, value: str, seen: dict[str, str]) -> None:
        if not self._claim(ctx, seen, value, f"{kind} id", "id"):
            return
        other = self.seen.ids.get(value)
        if other is None:
            self.seen.ids[value] = (kind, ctx.file)
            return
        ctx.error(
            "id",
            f"id already used by a {other[0]} (in {other[1]}); ids must be unique across "
            "documents, references and snippets",
        )

    # -- documents --------------------------------------------------------------------

    def _document(self, relpath: str, topic: str, index: int, item: Any) -> None:
        ctx = self._record_ctx(relpath, "documents", index, item)
        m = ctx.mapping(item, "(record)")
        if m is None:
            return
        ctx.keys(m, DOCUMENT_KEYS, DOCUMENT_REQUIRED)
        doc_id = ctx.string(m, "id", pattern=RECORD_ID_PATTERN, pattern_hint="no spaces allowed")
        if doc_id is not None:
            self._claim_id(ctx, "document", doc_id, self.seen.documents)
        title = ctx.string(m, "title")
        publisher = ctx.string(m, "publisher")
        year = ctx.integer(m, "year", minimum=1)
        kind = ctx.enum(m, "kind", DocumentKind)
        last_updated = ctx.date(m, "last_updated", nullable=True)
        optional = {
            key: ctx.string(m, key, nullable=True)
            for key in (
                "source_review_status",
                "intended_audience",
                "seed_file",
                "notes",
                "url",
                "read",
            )
        }
        if (
            not ctx.ok
            or doc_id is None
            or title is None
            or publisher is None
            or year is None
            or kind is None
        ):
            return
        self.documents.append(
            Document(
                id=doc_id,
                topic=topic,
                title=title,
                publisher=publisher,
                year=year,
                kind=kind,
                file=relpath,
                last_updated=last_updated,
                **optional,
            )
        )

    # -- references -------------------------------------------------------------------

    def _reference(self, relpath: str, topic: str, index: int, item: Any) -> None:
        ctx = self._record_ctx(relpath, "references", index, item)
        m = ctx.mapping(item, "(record)")
        if m is None:
            return
        ctx.keys(m, REFERENCE_KEYS, REFERENCE_KEYS)
        ref_id = ctx.string(m, "id", pattern=RECORD_ID_PATTERN, pattern_hint="no spaces allowed")
        if ref_id is not None:
            self._claim_id(ctx, "reference", ref_id, self.seen.references)
        document = ctx.string(m, "document")
        position = ctx.integer(m, "position", minimum=1)
        title = ctx.string(m, "title")
        publisher = ctx.string(m, "publisher")
        year = ctx.integer(m, "year", minimum=1)
        kind = ctx.enum(m, "kind", DocumentKind)
        if document is not None:
            self.ref_docs.append((ctx, document, position))
        if (
            not ctx.ok
            or ref_id is None
            or document is None
            or position is None
            or title is None
            or publisher is None
            or year is None
            or kind is None
        ):
            return
        self.references.append(
            Reference(
                id=ref_id,
                topic=topic,
                document=document,
                position=position,
                title=title,
                publisher=publisher,
                year=year,
                kind=kind,
                file=relpath,
            )
        )

    # -- citations --------------------------------------------------------------------

    def _citation(self, relpath: str, topic: str, index: int, item: Any) -> None:
        rid = f"citations[{index}]"
        if isinstance(item, Mapping):
            doc, num = item.get("document"), item.get("number")
            if isinstance(doc, str) and isinstance(num, int) and not isinstance(num, bool):
                rid = f"{doc}#{num}"
        ctx = _Ctx(relpath, rid, self.problems)
        m = ctx.mapping(item, "(record)")
        if m is None:
            return
        ctx.keys(m, CITATION_KEYS, CITATION_KEYS)
        document = ctx.string(m, "document")
        number = ctx.integer(m, "number", minimum=1)
        if document is not None and number is not None:
            self._claim(ctx, self.seen.citations, (document, number), "citation number", "number")
        resolution = ctx.enum(m, "resolution", Resolution)
        basis = ctx.string(m, "basis")
        refs_raw = ctx.sequence(m, "references")
        refs: list[str] = []
        for i, ref in enumerate(refs_raw or []):
            if isinstance(ref, str) and ref.strip():
                if ref in refs:
                    ctx.error(f"references[{i}]", f"reference {ref!r} listed twice")
                else:
                    refs.append(ref)
            else:
                ctx.error(f"references[{i}]", f"expected a reference id, got {_type_name(ref)}")
        if refs_raw is not None:
            self.cit_refs.append((ctx, document, resolution, refs))
        if (
            not ctx.ok
            or document is None
            or number is None
            or resolution is None
            or basis is None
            or refs_raw is None
        ):
            return
        self.citations.append(
            Citation(
                document=document,
                number=number,
                topic=topic,
                resolution=resolution,
                references=tuple(refs),
                basis=basis,
                file=relpath,
            )
        )

    # -- snippets ---------------------------------------------------------------------

    def _snippet(self, relpath: str, topic: str, index: int, item: Any) -> None:
        ctx = self._record_ctx(relpath, "snippets", index, item)
        m = ctx.mapping(item, "(record)")
        if m is None:
            return
        ctx.keys(m, SNIPPET_KEYS, SNIPPET_REQUIRED)
        snippet_id = ctx.string(
            m,
            "id",
            pattern=SNIPPET_ID_PATTERN,
            pattern_hint=r"expected dotted lowercase segments like 'b12.neuro.loading'",
        )
        if snippet_id is not None:
            self._claim_id(ctx, "snippet", snippet_id, self.seen.snippets)
        section = ctx.string(m, "section")
        clinician = ctx.string(m, "clinician")
        patient = ctx.string(m, "patient")
        guidance = self._guidance(ctx, m)
        source = self._snippet_source(ctx, m, guidance)
        keywords = self._keywords(ctx, m)
        review = self._review(ctx, m)
        stored_hash = ctx.string(
            m, "content_hash", pattern=HASH_PATTERN, pattern_hint="expected 16 lowercase hex digits"
        )
        if (
            not ctx.ok
            or not topic
            or snippet_id is None
            or section is None
            or clinician is None
            or patient is None
            or source is None
            or review is None
            or stored_hash is None
        ):
            return
        snippet = Snippet(
            id=snippet_id,
            topic=topic,
            section=section,
            clinician=clinician,
            patient=patient,
            source=source,
            review=review,
            content_hash=stored_hash,
            file=relpath,
            keywords=keywords,
            guidance=guidance,
        )
        self._check_hash(ctx, snippet)
        self.snippets.append(snippet)

    def _snippet_source(
        self, ctx: _Ctx, m: Mapping[Any, Any], guidance: tuple[Guidance, ...] = ()
    ) -> SnippetSource | None:
        if "source" not in m:
            return None
        src = ctx.mapping(m["source"], "source")
        if src is None:
            return None
        ctx.keys(src, SOURCE_KEYS, ("document",), prefix="source.")
        document = ctx.string(src, "document", prefix="source.")
        parts = self._parts(ctx, src)
        if "cites" not in src and "parts" not in src:
            ctx.error(
                "source",
                "missing citation: give 'cites' (in-text citation numbers) or 'parts' "
                "(recommendation numbers or named parts of a guideline)",
            )
        cites: list[int] = []
        cites_ok = True
        if "cites" in src:
            raw = src["cites"]
            if raw is not None and not isinstance(raw, list):
                ctx.error(
                    "source.cites",
                    f"expected a list of citation numbers, got {_type_name(raw)}",
                )
                cites_ok = False
            elif not raw:
                ctx.error(
                    "source.cites",
                    "missing citation: every snippet must cite at least one in-text citation "
                    "number of its source document",
                )
                cites_ok = False
            else:
                for i, number in enumerate(raw):
                    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                        ctx.error(
                            f"source.cites[{i}]",
                            f"expected a citation number >= 1, got {number!r}",
                        )
                        cites_ok = False
                    elif number in cites:
                        ctx.error(f"source.cites[{i}]", f"citation {number} listed twice")
                        cites_ok = False
                    else:
                        cites.append(number)
        docs = tuple(g.document for g in guidance)
        self.pending.append(_PendingSnippet(ctx, document, tuple(cites), docs))
        if document is None or not cites_ok or parts is None:
            return None
        if "cites" not in src and not parts:
            return None
        return SnippetSource(document=document, cites=tuple(cites), parts=parts)

    def _parts(self, ctx: _Ctx, src: Mapping[Any, Any]) -> tuple[str, ...] | None:
        raw = ctx.sequence(src, "parts", prefix="source.")
        if raw is None:
            return None if "parts" in src else ()
        if not raw:
            ctx.error("source.parts", "empty list: name at least one part or drop the key")
            return None
        out: list[str] = []
        for i, part in enumerate(raw):
            if not isinstance(part, str) or not PART_PATTERN.match(part):
                ctx.error(f"source.parts[{i}]", f"invalid value {part!r}: {PART_HINT}")
                return None
            if part in out:
                ctx.error(f"source.parts[{i}]", f"part {part!r} listed twice")
                return None
            out.append(part)
        return tuple(out)

    def _guidance(self, ctx: _Ctx, m: Mapping[Any, Any]) -> tuple[Guidance, ...]:
        raw = ctx.sequence(m, "guidance")
        out: list[Guidance] = []
        for i, item in enumerate(raw or []):
            p = f"guidance[{i}]."
            g = ctx.mapping(item, f"guidance[{i}]")
            if g is None:
                continue
            ctx.keys(g, GUIDANCE_KEYS, GUIDANCE_REQUIRED, prefix=p)
            document = ctx.string(g, "document", prefix=p)
            relation = ctx.enum(g, "relation", GuidanceRelation, prefix=p)
            note = ctx.string(g, "note", prefix=p)
            rec = ctx.string(
                g, "recommendation", prefix=p, pattern=PART_PATTERN, pattern_hint=PART_HINT
            )
            if relation in (GuidanceRelation.AGREES, GuidanceRelation.CONFLICTS) and rec is None:
                ctx.error(f"{p}recommendation", f"'{relation.value}' needs the recommendation")
            if document is None or relation is None or note is None:
                continue
            out.append(Guidance(document, relation, note, rec))
        return tuple(out)

    def _keywords(self, ctx: _Ctx, m: Mapping[Any, Any]) -> tuple[str, ...]:
        raw = ctx.sequence(m, "keywords")
        out: list[str] = []
        for i, word in enumerate(raw or []):
            if isinstance(word, str) and word.strip():
                out.append(word)
            else:
                ctx.error(f"keywords[{i}]", f"expected a non-empty string, got {word!r}")
        return tuple(out)

    def _review(self, ctx: _Ctx, m: Mapping[Any, Any]) -> Review | None:
        if "review" not in m:
            return None
        rev = ctx.mapping(m["review"], "review")
        if rev is None:
            return None
        p = "review."
        ctx.keys(rev, REVIEW_KEYS, REVIEW_REQUIRED, prefix=p)
        status = ctx.enum(rev, "status", ReviewStatus, prefix=p)
        curated_by = ctx.string(rev, "curated_by", prefix=p)
        curated_on = ctx.date(rev, "curated_on", prefix=p)
        reviewer = ctx.string(rev, "reviewer", prefix=p, nullable=True)
        reviewed_on = ctx.date(rev, "reviewed_on", prefix=p, nullable=True)
        role = ctx.string(rev, "role", prefix=p, nullable=True)
        if role is not None and role not in REVIEWER_ROLES:
            ctx.error(f"{p}role", f"invalid role {role!r}; allowed: {', '.join(REVIEWER_ROLES)}")
        if status is ReviewStatus.APPROVED and rev.get("role") is None:
            ctx.error(f"{p}role", "approved snippets need the reviewer's role")
        if status is not ReviewStatus.APPROVED and rev.get("role") is not None:
            ctx.error(f"{p}role", "must be null unless the snippet is approved")
        if status is ReviewStatus.APPROVED:
            if reviewer is None and rev.get("reviewer") is None:
                ctx.error(f"{p}reviewer", "approved snippets need a reviewer")
            if reviewed_on is None and rev.get("reviewed_on") is None:
                ctx.error(f"{p}reviewed_on", "approved snippets need a reviewed_on date")
        elif status is ReviewStatus.UNDER_REVIEW:
            if reviewer is None and rev.get("reviewer") is None:
                ctx.error(f"{p}reviewer", "snippets under review need a reviewer")
        elif status is ReviewStatus.SUBMITTED:
            if rev.get("reviewer") is not None:
                ctx.error(f"{p}reviewer", "must be null while the snippet is only submitted")
            if rev.get("reviewed_on") is not None:
                ctx.error(f"{p}reviewed_on", "must be null while the snippet is only submitted")
        if curated_on is not None and reviewed_on is not None and reviewed_on < curated_on:
            ctx.error(
                f"{p}reviewed_on",
                f"reviewed_on {reviewed_on.isoformat()} is before "
                f"curated_on {curated_on.isoformat()}",
            )
        if status is None or curated_by is None or curated_on is None:
            return None
        return Review(
            status=status,
            curated_by=curated_by,
            curated_on=curated_on,
            reviewer=reviewer,
            reviewed_on=reviewed_on,
            role=role,
        )

    # -- gates ------------------------------------------------------------------------

    def _gate(self, relpath: str, topic: str, index: int, item: Any) -> None:
        ctx = self._record_ctx(relpath, "gates", index, item)
        m = ctx.mapping(item, "(record)")
        if m is None:
            return
        ctx.keys(m, GATE_KEYS, GATE_KEYS)
        gate_id = ctx.string(
            m, "id", pattern=GATE_ID_PATTERN, pattern_hint="expected e.g. 'gate.b12.under_16'"
        )
        if gate_id is not None:
            self._claim_id(ctx, "gate", gate_id, self.seen.gates)
        conditions = self._conditions(ctx, m)
        outcome = ctx.enum(m, "outcome", GateOutcome)
        urgency = ctx.enum(m, "urgency", GateUrgency)
        specialist = ctx.string(m, "specialist")
        basis = ctx.string(m, "basis")
        advice = self._advice(ctx, m)
        review = self._review(ctx, m)
        if (
            not ctx.ok
            or not topic
            or gate_id is None
            or not conditions
            or outcome is None
            or urgency is None
            or specialist is None
            or basis is None
            or not advice
            or review is None
        ):
            return
        self.gates.append(
            Gate(
                id=gate_id,
                topic=topic,
                conditions=conditions,
                outcome=outcome,
                urgency=urgency,
                specialist=specialist,
                advice=advice,
                basis=basis,
                review=review,
                file=relpath,
            )
        )

    def _conditions(self, ctx: _Ctx, m: Mapping[Any, Any]) -> tuple[GateCondition, ...]:
        raw = ctx.sequence(m, "conditions")
        if raw is not None and not raw:
            ctx.error("conditions", "a gate needs at least one condition")
        out: list[GateCondition] = []
        for i, item in enumerate(raw or []):
            p = f"conditions[{i}]."
            c = ctx.mapping(item, f"conditions[{i}]")
            if c is None:
                continue
            ctx.keys(c, CONDITION_KEYS, CONDITION_KEYS, prefix=p)
            fact = c.get("fact")
            kind = GATE_FACTS.get(fact) if isinstance(fact, str) else None
            if "fact" in c and kind is None:
                ctx.error(f"{p}fact", f"unknown fact {fact!r}; allowed: {', '.join(GATE_FACTS)}")
                continue
            op = ctx.enum(c, "op", GateOperator, prefix=p)
            if op is None or kind is None or "value" not in c:
                continue
            value = c["value"]
            if kind == "tri":
                if op is not GateOperator.IS or value not in TRI_VALUES:
                    ctx.error(f"{p}op", f"{fact} is yes/no/unknown: use op 'is' with one of those")
                    continue
                out.append(GateCondition(str(fact), op, str(value)))
            else:
                number_ok = isinstance(value, int | float) and not isinstance(value, bool)
                if op is GateOperator.IS or not number_ok:
                    ctx.error(f"{p}value", f"{fact} is a number: use lt/le/gt/ge with a number")
                    continue
                out.append(GateCondition(str(fact), op, float(value)))
        return tuple(out)

    def _advice(self, ctx: _Ctx, m: Mapping[Any, Any]) -> tuple[str, ...]:
        raw = ctx.sequence(m, "advice")
        if raw is not None and not raw:
            ctx.error("advice", "a gate needs at least one advice snippet id")
        out: list[str] = []
        for i, sid in enumerate(raw or []):
            if not isinstance(sid, str) or not SNIPPET_ID_PATTERN.match(sid):
                ctx.error(f"advice[{i}]", f"expected a snippet id, got {sid!r}")
            elif sid in out:
                ctx.error(f"advice[{i}]", f"snippet {sid!r} listed twice")
            else:
                out.append(sid)
        self.gate_advice.append((ctx, tuple(out)))
        return tuple(out)

    def _check_hash(self, ctx: _Ctx, snippet: Snippet) -> None:
        computed = snippet_hash(snippet)
        if computed == snippet.content_hash:
            return
        review = snippet.review
        if review.status is ReviewStatus.APPROVED:
            when = review.reviewed_on.isoformat() if review.reviewed_on else "an unknown date"
            ctx.error(
                "content_hash",
                f"text changed after approval by {review.reviewer} on {when}; "
                "the snippet must be re-approved "
                f"(stored {snippet.content_hash}, computed {computed}; run "
                f"'python -m guideline_engine.knowledge reopen {snippet.id} --reviewer NAME' "
                "and then 'approve')",
            )
        else:
            ctx.error(
                "content_hash",
                f"stale content hash (stored {snippet.content_hash}, computed {computed}); "
                f"run '{REHASH_HINT}'",
            )

    # -- cross references -------------------------------------------------------------

    def cross_check(self) -> None:
        known_docs = set(self.seen.documents)
        known_refs = {ref.id: ref for ref in self.references}
        known_citations = set(self.seen.citations)

        positions: dict[tuple[str, int], str] = {}
        for ctx, document, position in self.ref_docs:
            if document not in known_docs:
                ctx.error("document", f"unknown document {document!r}")
            elif position is not None:
                key = (document, position)
                if key in positions:
                    ctx.error(
                        "position",
                        f"position {position} of document {document!r} is already used by "
                        f"reference {positions[key]!r}",
                    )
                else:
                    positions[key] = ctx.record_id

        expected = {
            Resolution.RESOLVED: "exactly 1 reference",
            Resolution.AMBIGUOUS: "at least 2 references",
            Resolution.UNRESOLVED: "no references",
        }
        for ctx, cit_doc, resolution, refs in self.cit_refs:
            if cit_doc is not None and cit_doc not in known_docs:
                ctx.error("document", f"unknown document {cit_doc!r}")
            for ref_id in refs:
                ref = known_refs.get(ref_id)
                if ref is None:
                    if ref_id not in self.seen.references:
                        ctx.error("references", f"unknown reference {ref_id!r}")
                elif cit_doc is not None and ref.document != cit_doc:
                    ctx.error(
                        "references",
                        f"reference {ref_id!r} is listed by document {ref.document!r}, "
                        f"not {cit_doc!r}",
                    )
            count = len(refs)
            if resolution is not None and not (
                (resolution is Resolution.RESOLVED and count == 1)
                or (resolution is Resolution.AMBIGUOUS and count >= 2)
                or (resolution is Resolution.UNRESOLVED and count == 0)
            ):
                ctx.error(
                    "references",
                    f"resolution {resolution.value!r} needs {expected[resolution]}, got {count}",
                )

        for pending in self.pending:
            ctx, snip_doc = pending.ctx, pending.document
            if snip_doc is None:
                continue
            if snip_doc not in known_docs:
                ctx.error("source.document", f"unknown document {snip_doc!r}")
                continue
            for number in pending.cites:
                if (snip_doc, number) not in known_citations:
                    ctx.error(
                        "source.cites",
                        f"citation {number} of document {snip_doc!r} has no entry under "
                        "'citations'",
                    )
            for doc in pending.guidance_documents:
                if doc not in known_docs:
                    ctx.error("guidance", f"unknown document {doc!r}")

        for ctx, advice in self.gate_advice:
            for sid in advice:
                if sid not in self.seen.snippets:
                    ctx.error("advice", f"unknown snippet {sid!r}")

    def result(self, files: tuple[str, ...]) -> ScanResult:
        invalid = {(p.file, p.record_id) for p in self.problems}
        # Records with cross-reference problems are dropped too, so callers never see them.
        return ScanResult(
            files=files,
            documents=tuple(d for d in self.documents if (d.file, d.id) not in invalid),
            references=tuple(r for r in self.references if (r.file, r.id) not in invalid),
            citations=tuple(c for c in self.citations if (c.file, c.id) not in invalid),
            snippets=tuple(s for s in self.snippets if (s.file, s.id) not in invalid),
            problems=tuple(self.problems),
            gates=tuple(g for g in self.gates if (g.file, g.id) not in invalid),
        )


def snippet_hash(snippet: Snippet) -> str:
    """Compute the content hash of a built :class:`Snippet`."""
    return compute_hash(
        {
            "id": snippet.id,
            "topic": snippet.topic,
            "section": snippet.section,
            "clinician": snippet.clinician,
            "patient": snippet.patient,
            "source": {
                "document": snippet.source.document,
                "cites": list(snippet.source.cites),
                "parts": list(snippet.source.parts),
            },
        }
    )


def as_traversable(root: Traversable | Path | str | None) -> Traversable:
    """Return ``root`` as a traversable; ``None`` means the packaged content."""
    if root is None:
        from importlib.resources import files

        return files("guideline_engine") / "content"
    if isinstance(root, str):
        return Path(root)
    return root


def scan(root: Traversable | Path | str | None = None) -> ScanResult:
    """Read and validate every content file under ``root`` without raising.

    Args:
        root: Content directory; ``None`` means the package's ``content`` folder.

    Returns:
        The valid records and the full list of problems.
    """
    base = as_traversable(root)
    problems: list[Problem] = []
    if not base.is_dir():
        problems.append(
            Problem(str(root), FILE_RECORD, "(root)", "content root is not a directory")
        )
        return ScanResult((), (), (), (), (), tuple(problems))
    scanner = _Scanner(problems=problems)
    files: list[str] = []
    for content in iter_content_files(base):
        name = content.relpath.rsplit("/", 1)[-1]
        if name == REGISTER_FILE_NAME or name in TOPIC_FILE_NAMES:
            continue
        if content.relpath.endswith(".yaml"):
            scanner.problems.append(
                Problem(
                    content.relpath,
                    FILE_RECORD,
                    "(file)",
                    "content files must end in '.yml' (only those are loaded and packaged); "
                    "rename it",
                )
            )
            continue
        files.append(content.relpath)
        readable, data = _read_yaml(content, scanner.problems)
        if readable:
            scanner.scan_file(content.relpath, data)
    if not files:
        scanner.problems.append(
            Problem(str(root or "content"), FILE_RECORD, "(root)", "no *.yml content files found")
        )
    scanner.cross_check()
    return scanner.result(tuple(files))
