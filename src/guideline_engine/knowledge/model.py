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

REVIEWER_ROLES: tuple[str, ...] = ("haematologist", "pharmacist", "cso")
"""Roles that may approve clinical content (``cso``: clinical safety officer)."""


class DocumentKind(str, Enum):
    """What kind of publication a document or reference is."""

    GUIDELINE = "guideline"
    RESEARCH = "research"
    DRUG_LABEL = "drug_label"
    PATIENT_INFORMATION = "patient_information"
    AI_SUMMARY = "ai_summary"  # machine-written summary of guidance, not a guideline
    SECONDARY_SUMMARY = "secondary_summary"  # a person's summary of someone else's guidance
    MEDICINES_ADVICE = "medicines_advice"  # e.g. NHS Specialist Pharmacy Service pages
    LOCAL_POLICY = "local_policy"  # this project's own clinical safety decisions


class GuidanceRelation(str, Enum):
    """How a snippet stands against a recommendation of a primary guideline."""

    AGREES = "agrees"
    CONFLICTS = "conflicts"
    NOT_ADDRESSED = "not_addressed"  # not addressed in the parts of the guideline we read


class GateOutcome(str, Enum):
    """What a fired eligibility gate does to the plan."""

    WITHHOLD_PLAN = "withhold_plan"
    # Fires only beside another gate that fires: its advice goes with theirs (the plan that
    # would have carried it is withheld by them), e.g. urgent neurology advice.
    ACCOMPANY = "accompany"


class GateUrgency(str, Enum):
    """How soon the advice of a fired gate should be acted on."""

    URGENT = "urgent"  # contact a clinician or specialist today
    ADVICE = "advice"  # seek specialist advice before any treatment plan


class GateOperator(str, Enum):
    """Comparison of a gate condition: numbers use lt/le/gt/ge, yes/no facts use ``is``."""

    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"
    IS = "is"


GATE_FACTS: dict[str, str] = {
    "age": "number",
    "platelet_count": "number",
    "haemoglobin": "number",
    "pregnant": "tri",
    "breastfeeding": "tri",
    "pancytopenia": "tri",
    "severe_anaemia": "tri",
    "neurological_involvement": "tri",
    "b12_normal_alone": "tri",  # Facts.b12_normal_alone: B12 classed normal, no nerve symptoms
}
"""Facts a gate condition may test, with their kind (``number`` or ``tri``: yes/no/unknown)."""

TRI_VALUES: tuple[str, ...] = ("yes", "no", "unknown")


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
    url: str | None = None
    read: str | None = None  # which parts of the document the curators actually read

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
    """Where a snippet comes from.

    ``cites`` are in-text citation numbers of a summary; ``parts`` point into a primary
    guideline (recommendation numbers such as ``1.1.3``, or a named part such as
    ``visual-summary``). A snippet has at least one of the two.
    """

    document: str
    cites: tuple[int, ...]
    parts: tuple[str, ...] = ()


@dataclass(frozen=True)
class Guidance:
    """How a snippet stands against one part of a primary guideline."""

    document: str
    relation: GuidanceRelation
    note: str
    recommendation: str | None = None


@dataclass(frozen=True)
class GateCondition:
    """One test on a fact, e.g. ``age lt 16`` or ``pregnant is yes``."""

    fact: str
    op: GateOperator
    value: float | str

    def holds(self, actual: float | str | None) -> bool:
        """Whether the fact's value satisfies the condition; an unknown number never does."""
        if self.op is GateOperator.IS:
            return actual == self.value
        if actual is None or isinstance(actual, str) or isinstance(self.value, str):
            return False
        if self.op is GateOperator.LT:
            return actual < self.value
        if self.op is GateOperator.LE:
            return actual <= self.value
        if self.op is GateOperator.GT:
            return actual > self.value
        return actual >= self.value

    def describe(self) -> str:
        """E.g. ``age < 16``."""
        symbols = {"lt": "<", "le": "≤", "gt": ">", "ge": "≥", "is": "="}
        value = f"{self.value:g}" if isinstance(self.value, float) else self.value
        return f"{self.fact} {symbols[self.op.value]} {value}"


@dataclass(frozen=True)
class Review:
    """Clinical review record of a snippet."""

    status: ReviewStatus
    curated_by: str
    curated_on: dt.date
    reviewer: str | None = None
    reviewed_on: dt.date | None = None
    role: str | None = None


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
    guidance: tuple[Guidance, ...] = ()

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
class Gate:
    """An eligibility or escalation gate, checked before any plan is built.

    The gate fires when ANY of its conditions holds. Its advice is worded only by the
    curated snippets it names (so their review state and approval apply to it); ``basis``
    says which source states what, and what is a safety decision of this project.
    """

    id: str
    topic: str
    conditions: tuple[GateCondition, ...]
    outcome: GateOutcome
    urgency: GateUrgency
    specialist: str
    advice: tuple[str, ...]
    basis: str
    review: Review
    file: str = field(compare=False)

    @property
    def plan_withheld(self) -> bool:
        """True: a gate withholds the plan, or fires only beside one that does."""
        return self.outcome in (GateOutcome.WITHHOLD_PLAN, GateOutcome.ACCOMPANY)


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
