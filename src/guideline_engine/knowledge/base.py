"""The loaded, validated knowledge base and its public look-ups."""

from __future__ import annotations

import dataclasses
import hashlib
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib.resources.abc import Traversable
from pathlib import Path
from types import MappingProxyType
from typing import Any

from guideline_engine.knowledge.hashing import canonical_json
from guideline_engine.knowledge.loader import ScanResult, scan
from guideline_engine.knowledge.model import (
    AUDIENCES,
    PENDING_REVIEW_LABEL,
    Citation,
    CitationView,
    Document,
    Gate,
    KnowledgeError,
    Reference,
    Resolution,
    ReviewStatus,
    Snippet,
    SourceListing,
)

APPROVED_ONLY_ENV = "KB_APPROVED_ONLY"
_TRUE = frozenset({"true", "1", "yes", "on"})
_FALSE = frozenset({"false", "0", "no", "off", ""})


def approved_only_from_env(environ: Mapping[str, str] | None = None) -> bool:
    """Read ``KB_APPROVED_ONLY``: true/1/yes/on mean True; false/0/no/off/unset mean False.

    Raises:
        ValueError: If the variable holds anything else (a typo must not silently
            expose unreviewed content).
    """
    env = os.environ if environ is None else environ
    raw = env.get(APPROVED_ONLY_ENV, "").strip().lower()
    if raw in _TRUE:
        return True
    if raw in _FALSE:
        return False
    raise ValueError(
        f"{APPROVED_ONLY_ENV}={env.get(APPROVED_ONLY_ENV)!r} is not understood; "
        "use true/1/yes or false/0/no"
    )


def _record(kind: str, obj: Any) -> dict[str, Any]:
    data = {k: v for k, v in dataclasses.asdict(obj).items() if k != "file"}
    data["record"] = kind
    return data


def compute_version(
    documents: tuple[Document, ...],
    references: tuple[Reference, ...],
    citations: tuple[Citation, ...],
    snippets: tuple[Snippet, ...],
    gates: tuple[Gate, ...] = (),
) -> str:
    """Return ``kb-`` plus 12 hex digits identifying the full content and review state."""
    records = (
        [_record("document", d) for d in documents]
        + [_record("reference", r) for r in references]
        + [_record("citation", c) | {"id": c.id} for c in citations]
        + [_record("snippet", s) for s in snippets]
        + [_record("gate", g) for g in gates]
    )
    records.sort(key=lambda r: (str(r["id"]), str(r["record"])))
    digest = hashlib.sha256(canonical_json(records).encode("utf-8")).hexdigest()
    return f"kb-{digest[:12]}"


@dataclass(frozen=True)
class KnowledgeBase:
    """Validated curated content.

    ``all_snippets`` holds every snippet; ``snippets`` only the visible ones (approved
    ones when ``approved_only`` is set). Look-ups by snippet id see visible snippets only.
    """

    version: str
    approved_only: bool
    documents: tuple[Document, ...]
    references: tuple[Reference, ...]
    citations: tuple[Citation, ...]
    all_snippets: tuple[Snippet, ...] = field(repr=False)
    gates: tuple[Gate, ...] = field(default=(), repr=False)
    snippets: tuple[Snippet, ...] = field(init=False, repr=False)
    _snippets: Mapping[str, Snippet] = field(init=False, repr=False, compare=False)
    _documents: Mapping[str, Document] = field(init=False, repr=False, compare=False)
    _references: Mapping[str, Reference] = field(init=False, repr=False, compare=False)
    _citations: Mapping[tuple[str, int], Citation] = field(init=False, repr=False, compare=False)
    # CitationView is frozen and the base never changes: each view is built once (per turn the
    # plans and answers ask for the same views hundreds of times).
    _views: dict[tuple[str, str], CitationView] = field(
        init=False, repr=False, compare=False, default_factory=dict
    )

    def __post_init__(self) -> None:
        visible = tuple(
            s
            for s in self.all_snippets
            if not self.approved_only or s.review.status is ReviewStatus.APPROVED
        )
        object.__setattr__(self, "snippets", visible)
        object.__setattr__(self, "_snippets", MappingProxyType({s.id: s for s in visible}))
        object.__setattr__(self, "_documents", MappingProxyType({d.id: d for d in self.documents}))
        object.__setattr__(
            self, "_references", MappingProxyType({r.id: r for r in self.references})
        )
        object.__setattr__(
            self,
            "_citations",
            MappingProxyType({(c.document, c.number): c for c in self.citations}),
        )

    @classmethod
    def from_scan(cls, result: ScanResult, *, approved_only: bool) -> KnowledgeBase:
        """Build from a problem-free :class:`ScanResult`.

        Raises:
            KnowledgeError: If the scan found any problem.
        """
        if result.problems:
            raise KnowledgeError(result.problems)
        gates = tuple(getattr(result, "gates", ()))
        return cls(
            version=compute_version(
                result.documents, result.references, result.citations, result.snippets, gates
            ),
            approved_only=approved_only,
            documents=result.documents,
            references=result.references,
            citations=result.citations,
            all_snippets=result.snippets,
            gates=gates,
        )

    # -- look-ups ---------------------------------------------------------------------

    @property
    def ids(self) -> frozenset[str]:
        """Ids of the visible snippets."""
        return frozenset(self._snippets)

    @property
    def topics(self) -> tuple[str, ...]:
        """Sorted names of every topic in the content."""
        names = {d.topic for d in self.documents} | {s.topic for s in self.all_snippets}
        return tuple(sorted(names))

    def has(self, snippet_id: str) -> bool:
        """Return True if ``snippet_id`` is a visible snippet."""
        return snippet_id in self._snippets

    def snippet(self, snippet_id: str) -> Snippet:
        """Return the visible snippet ``snippet_id``.

        Raises:
            KeyError: If there is no such snippet or it is hidden by ``approved_only``.
        """
        found = self._snippets.get(snippet_id)
        if found is not None:
            return found
        if any(s.id == snippet_id for s in self.all_snippets):
            raise KeyError(
                f"snippet {snippet_id!r} is not clinically approved and the knowledge base "
                f"is loaded with approved_only=True ({APPROVED_ONLY_ENV})"
            )
        raise KeyError(f"unknown snippet id {snippet_id!r} (knowledge base {self.version})")

    def document(self, document_id: str) -> Document:
        """Return the source document ``document_id``.

        Raises:
            KeyError: If there is no such document.
        """
        try:
            return self._documents[document_id]
        except KeyError:
            raise KeyError(f"unknown document id {document_id!r}") from None

    def references_for(self, snippet_id: str) -> tuple[Reference, ...]:
        """Return the references behind a snippet's resolved and ambiguous citations.

        References come in the order the snippet cites them, without duplicates.
        """
        snippet = self.snippet(snippet_id)
        out: list[Reference] = []
        for citation in self._snippet_citations(snippet):
            for ref_id in citation.references:
                ref = self._references[ref_id]
                if ref not in out:
                    out.append(ref)
        return tuple(out)

    def _snippet_citations(self, snippet: Snippet) -> tuple[Citation, ...]:
        doc = snippet.source.document
        return tuple(self._citations[(doc, n)] for n in snippet.source.cites)

    def citation(self, snippet_id: str, audience: str) -> CitationView:
        """Return the citation view of a snippet for ``audience`` ("clinician"/"patient").

        Raises:
            KeyError: If the snippet is unknown or hidden.
            ValueError: If the audience is unknown.
        """
        if audience not in AUDIENCES:
            raise ValueError(
                f"unknown audience {audience!r}; expected one of {', '.join(AUDIENCES)}"
            )
        view = self._views.get((snippet_id, audience))
        if view is None:
            view = self._views[(snippet_id, audience)] = self._citation(snippet_id, audience)
        return view

    def _citation(self, snippet_id: str, audience: str) -> CitationView:
        snippet = self.snippet(snippet_id)
        document = self.document(snippet.source.document)
        notes: list[str] = []
        for cit in self._snippet_citations(snippet):
            if cit.resolution is Resolution.AMBIGUOUS:
                options = "; ".join(self._references[r].describe() for r in cit.references)
                notes.append(
                    f"citation [{cit.number}] is ambiguous: {options} (basis: {cit.basis})"
                )
            elif cit.resolution is Resolution.UNRESOLVED:
                notes.append(f"citation [{cit.number}] is unresolved (basis: {cit.basis})")
        pending = snippet.pending_review
        return CitationView(
            snippet_id=snippet.id,
            text=snippet.text(audience),
            source=document.source,
            year=document.year,
            review_status=snippet.review.status.value,
            pending_review=pending,
            label=PENDING_REVIEW_LABEL if pending else None,
            cites=snippet.source.cites,
            references=tuple(r.describe() for r in self.references_for(snippet_id)),
            resolution_notes=tuple(notes),
        )

    def sources_listing(self) -> tuple[SourceListing, ...]:
        """Describe every document, its reference list and each in-text citation's resolution.

        Documents are sorted by id, references by position and citations by number.
        """
        rows: list[SourceListing] = []
        for doc in sorted(self.documents, key=lambda d: d.id):
            refs = sorted(
                (r for r in self.references if r.document == doc.id), key=lambda r: r.position
            )
            cits = sorted(
                (c for c in self.citations if c.document == doc.id), key=lambda c: c.number
            )
            rows.append(SourceListing(document=doc, references=tuple(refs), citations=tuple(cits)))
        return tuple(rows)


def load_knowledge_base(
    root: Traversable | Path | str | None = None, *, approved_only: bool | None = None
) -> KnowledgeBase:
    """Load and validate the knowledge base.

    Validation always covers the full content; ``approved_only`` then only decides which
    snippets are visible.

    Args:
        root: Content directory; ``None`` means the package's ``content`` folder.
        approved_only: Show approved snippets only; ``None`` reads ``KB_APPROVED_ONLY``.

    Returns:
        The validated knowledge base.

    Raises:
        KnowledgeError: If the content has any problem (all are listed).
        ValueError: If ``KB_APPROVED_ONLY`` holds an unrecognised value.
    """
    if approved_only is None:
        approved_only = approved_only_from_env()
    return KnowledgeBase.from_scan(scan(root), approved_only=approved_only)
