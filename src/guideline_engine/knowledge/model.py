"""Typed records of the curated knowledge base.

Everything here is immutable. Records are built by :mod:`guideline_engine.knowledge.loader`
only after the YAML content has passed validation.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

AUDIENCES: tuple[str, ...] = ("clinician", "patient")
"""Audiences a snippet has text for."""

PENDING_REVIEW_LABEL = "pending clinical review"
"""Label shown next to any snippet that is not clinically approved."""


class DocumentKind(str, Enum):
    """What kind of publication a document or reference is."""

    GUIDELINE = "guideline"
    RESEARCH = "research"
    DRUG_LABEL = "drug_label"
    PATIENT_INFORMATION = "patient_information"


class Resolution(str, Enum):
    """How well an in-text citation number maps onto the document's reference list."""

    RESOLVED = "resolved"
    AMBIGUOUS = "ambiguous"
    UNRESOLVED = "unresolved"


class ReviewStatus(str, Enum):
    """Clinical review state of a snippet."""

    SUBMITTED = "submitted"
    UNDER_REVIEW = "under_review"
    APPROVED = "approved"


@dataclass(frozen=True)
class Problem:
    """One validation problem found in the content.

    Attributes:
        file: Path of the YAML file relative to the content root.
        record_id: Id of the snippet or record (or its position if it has no id).
        field: Dotted field name the problem is about.
        message: What is wrong and, where possible, how to fix it.
    """

    file: str
    record_id: str
    field: str
    message: str

    def __str__(self) -> str:
        return f"{self.file}: {self.record_id}: {self.field}: {self.message}"


class KnowledgeError(ValueError):
    """The knowledge-base content is invalid; ``problems`` lists every issue found."""

    def __init__(self, problems: tuple[Problem, ...] | list[Problem]) -> None:
        self.problems: tuple[Problem, ...] = tuple(problems)
        lines = "\n".join(f"  {p}" for p in self.problems)
        count = len(self.problems)
        super().__init__(
            f"{count} problem{'s' if count != 1 else ''} in the knowledge base:\n{lines}"
        )


@dataclass(frozen=True)
class Document:
    """A source document the snippets are curated from."""

    id: str
    topic: str
    title: str
    publisher: str
    year: int
    kind: DocumentKind
    file: str = field(compare=False)
    last_updated: dt.date | None = None
    source_review_status: str | None = None
    intended_audience: str | None = None
    seed_file: str | None = None
    notes: str | None = None

    @property
    def source(self) -> str:
        """Human-readable source line: title and publisher."""
        return f"{self.title} — {self.publisher}"


@dataclass(frozen=True)
class Reference:
    """One entry of the reference list at the end of a document."""

    id: str
    topic: str
    document: str
    position: int
    title: str
    publisher: str
    year: int
    kind: DocumentKind
    file: str = field(compare=False)

    def describe(self) -> str:
        """Return a one-line human-readable description."""
        title = self.title if self.title.endswith((".", "?", "!")) else f"{self.title}."
        return f"{title} {self.publisher}, {self.year}."


@dataclass(frozen=True)
class Citation:
    """What one in-text citation number of a document refers to."""

    document: str
    number: int
    topic: str
    resolution: Resolution
    references: tuple[str, ...]
    basis: str
    file: str = field(compare=False)

    @property
    def id(self) -> str:
        """Stable id of the citation record: ``<document>#<number>``."""
        return f"{self.document}#{self.number}"


@dataclass(frozen=True)
class SnippetSource:
    """Where a snippet comes from: a document and its in-text citation numbers."""

    document: str
    cites: tuple[int, ...]


@dataclass(frozen=True)
class Review:
    """Clinical review record of a snippet."""

    status: ReviewStatus
    curated_by: str
    curated_on: dt.date
    reviewer: str | None = None
    reviewed_on: dt.date | None = None


@dataclass(frozen=True)
class Snippet:
    """A curated, citable piece of guidance with clinician and patient wording."""

    id: str
    topic: str
    section: str
    clinician: str
    patient: str
    source: SnippetSource
    review: Review
    content_hash: str
    file: str = field(compare=False)
    keywords: tuple[str, ...] = ()

    @property
    def pending_review(self) -> bool:
        """True unless the snippet is clinically approved."""
        return self.review.status is not ReviewStatus.APPROVED

    def text(self, audience: str) -> str:
        """Return the wording for ``audience`` ("clinician" or "patient").

        Raises:
            ValueError: If the audience is unknown.
        """
        if audience == "clinician":
            return self.clinician
        if audience == "patient":
            return self.patient
        raise ValueError(f"unknown audience {audience!r}; expected one of {', '.join(AUDIENCES)}")


@dataclass(frozen=True)
class CitationView:
    """Everything the bot needs to show one snippet with its citation."""

    snippet_id: str
    text: str
    source: str
    year: int
    review_status: str
    pending_review: bool
    label: str | None
    cites: tuple[int, ...]
    references: tuple[str, ...]
    resolution_notes: tuple[str, ...]

    def to_payload(self) -> dict[str, Any]:
        """Return the JSON-serialisable payload sent to the bot front end."""
        return {
            "snippet_id": self.snippet_id,
            "text": self.text,
            "source": self.source,
            "year": self.year,
            "review_status": self.review_status,
            "pending_review": self.pending_review,
            "label": self.label,
            "cites": list(self.cites),
        }


@dataclass(frozen=True)
class SourceListing:
    """One document with its reference list and the resolution of its in-text citations."""

    document: Document
    references: tuple[Reference, ...]
    citations: tuple[Citation, ...]

    def lines(self) -> tuple[str, ...]:
        """Render the listing as plain-text lines (for a "sources" command)."""
        doc = self.document
        out = [f"{doc.title} ({doc.publisher}, {doc.year}) [{doc.kind.value}]"]
        if doc.source_review_status:
            out.append(f"  review status stated by the source: {doc.source_review_status}")
        for ref in self.references:
            out.append(f"  {ref.position}. {ref.describe()}")
        by_id = {ref.id: ref for ref in self.references}
        for cit in self.citations:
            targets = ", ".join(str(by_id[r].position) if r in by_id else r for r in cit.references)
            detail = f" -> {targets}" if targets else ""
            out.append(f"  citation [{cit.number}]: {cit.resolution.value}{detail} ({cit.basis})")
        return tuple(out)
