"""Typed inputs and outputs of the regimen engine.

Facts come in, a :class:`Plan` (or a typed reason why there is none) comes out. Every
line of a plan carries the ids of the curated snippets that support it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum


class Tri(str, Enum):
    """A yes/no fact that may also be unknown (never guessed)."""

    YES = "yes"
    NO = "no"
    UNKNOWN = "unknown"


class Cause(str, Enum):
    """Cause of the deficiency, in the words of the payload contract."""

    PERNICIOUS_ANAEMIA = "pernicious_anaemia"
    MALABSORPTION = "malabsorption"
    ILEAL_RESECTION = "ileal_resection"
    BARIATRIC_SURGERY = "bariatric_surgery"
    DIETARY = "dietary"
    MEDICATION = "medication"
    UNKNOWN = "unknown"


class Route(str, Enum):
    """Route of administration."""

    INTRAMUSCULAR = "intramuscular"
    ORAL = "oral"


class Drug(str, Enum):
    """Cobalamin preparation."""

    HYDROXOCOBALAMIN = "hydroxocobalamin"
    CYANOCOBALAMIN = "cyanocobalamin"
    VITAMIN_B12 = "vitamin_b12"  # oral B12 whose preparation the sources do not name


class Formulary(str, Enum):
    """Which formulary's regimen to prefer where the source gives both."""

    UK = "uk"
    US = "us"


class LabStatus(str, Enum):
    """How the requesting clinician classed a laboratory result.

    The source gives no numeric cut-offs, so the engine never classes a number itself.
    """

    LOW = "low"
    INDETERMINATE = "indeterminate"
    NORMAL = "normal"


class Frequency(str, Enum):
    """How often a dose is given."""

    DAILY = "daily"
    ALTERNATE_DAYS = "alternate_days"
    THREE_TIMES_WEEKLY = "three_times_weekly"
    EVERY_3_TO_4_DAYS = "every_3_to_4_days"
    MONTHLY = "monthly"
    EVERY_2_MONTHS = "every_2_months"
    EVERY_2_TO_3_MONTHS = "every_2_to_3_months"


class DurationKind(str, Enum):
    """What ends a step."""

    FIXED = "fixed"  # a span of days or weeks (min..max)
    DOSES = "doses"  # a number of doses
    UNTIL_NO_FURTHER_IMPROVEMENT = "until_no_further_improvement"
    LIFELONG = "lifelong"
    INDEFINITE = "indefinite"
    NOT_STATED = "not_stated"
    UNTIL_CAUSE_RESOLVED = "until_cause_resolved"  # reversible cause: stop or reduce after
    DEPENDS_ON_CAUSE = "depends_on_cause"  # cause unknown: lifelong only if irreversible


@dataclass(frozen=True)
class LabValue:
    """A laboratory value exactly as reported, with the clinician's classification if any.

    ``value`` is None when only a description was given (e.g. "borderline B12").
    """

    value: float | None
    unit: str
    status: LabStatus | None = None


@dataclass(frozen=True)
class Facts:
    """What is known about one patient. Unknown stays unknown; nothing is defaulted silently."""

    neurological_involvement: Tri = Tri.UNKNOWN
    causes: frozenset[Cause] = frozenset()
    ileal_resection_cm: float | None = None
    platelet_count: float | None = None  # ×10⁹/L
    age: int | None = None
    pregnant: Tri = Tri.UNKNOWN
    route_preference: Route | None = None
    injection_contraindication: Tri = Tri.UNKNOWN
    formulary: Formulary = Formulary.UK
    folic_acid_started: Tri = Tri.UNKNOWN
    b12: LabValue | None = None
    folate: LabValue | None = None
    mma: LabValue | None = None
    breastfeeding: Tri = Tri.UNKNOWN
    haemoglobin: float | None = None  # g/L (g/dL is converted before it gets here)
    pancytopenia: Tri = Tri.UNKNOWN
    severe_anaemia: Tri = Tri.UNKNOWN  # as stated in words; a number fires the gate by itself

    @property
    def b12_normal_alone(self) -> Tri:
        """YES for a B12 result classed normal without nerve symptoms, else UNKNOWN.

        Normal as stated, or by NG239's bands. A gate fact: no replacement plan is built as if
        deficient for a normal B12 result. With nerve symptoms a normal result does not rule
        deficiency out (nitrous oxide use, for one), so the neurological plan and its urgent
        specialist advice stand.
        """
        normal = self.b12 is not None and self.b12.status is LabStatus.NORMAL
        alone = normal and self.neurological_involvement is not Tri.YES
        return Tri.YES if alone else Tri.UNKNOWN


@dataclass(frozen=True)
class Duration:
    """How long a step lasts; ``unit`` is ``days``/``weeks``/``doses`` for fixed spans."""

    kind: DurationKind
    min: float | None = None
    max: float | None = None
    unit: str | None = None


@dataclass(frozen=True)
class Step:
    """One dosing instruction of a phase, with the snippets that state it."""

    dose: float
    dose_max: float | None  # for a range such as 1000–2000 µg
    unit: str  # "mg" or "µg"
    route: Route
    frequency: Frequency
    duration: Duration
    snippet_ids: tuple[str, ...]


@dataclass(frozen=True)
class PlanLine:
    """A warning, monitoring item or note: a stable code plus the snippets behind it."""

    code: str
    snippet_ids: tuple[str, ...]


@dataclass(frozen=True)
class Plan:
    """A treatment plan; every field traces to curated snippets.

    The plan has exactly one treatment duration (``duration``), stated once and cited by
    ``duration_snippet_ids``; every maintenance step carries that same duration.
    """

    facts: Facts
    causes: frozenset[Cause]  # the causes the rules acted on (e.g. implied by a resected length)
    drug: Drug
    route: Route
    loading: tuple[Step, ...]
    maintenance: tuple[Step, ...]
    maintenance_interval_months: tuple[float, float] | None
    duration: DurationKind
    duration_snippet_ids: tuple[str, ...]
    urgent_specialist_advice: bool
    specialists: tuple[str, ...]
    specialist_snippet_ids: tuple[str, ...]
    warnings: tuple[PlanLine, ...]
    monitoring: tuple[PlanLine, ...]
    notes: tuple[PlanLine, ...]  # what the source does not cover, what would change the plan
    rule_path: tuple[str, ...]
    drug_route_snippet_ids: tuple[str, ...]
    summary_snippet_ids: tuple[str, ...] = ()  # plain framing of the route, for patients
    options: tuple[PlanLine, ...] = ()  # shown with their evidence strength, never plan steps
    source_differences: tuple[PlanLine, ...] = ()  # where sources conflict, and which is followed

    @property
    def lifelong(self) -> bool | None:
        """True if lifelong, False if it ends when the cause resolves, None otherwise."""
        if self.duration is DurationKind.LIFELONG:
            return True
        if self.duration is DurationKind.UNTIL_CAUSE_RESOLVED:
            return False
        return None

    def lines(self) -> tuple[PlanLine, ...]:
        """Every cited line other than steps, in display order."""
        return (
            *self.source_differences,
            *self.options,
            *self.warnings,
            *self.monitoring,
            *self.notes,
        )

    def snippet_ids(self) -> tuple[str, ...]:
        """All snippet ids the plan cites, in first-seen order, without repeats."""
        seen: dict[str, None] = {}
        groups: list[tuple[str, ...]] = [self.drug_route_snippet_ids, self.summary_snippet_ids]
        groups += [s.snippet_ids for s in (*self.loading, *self.maintenance)]
        groups += [self.duration_snippet_ids, self.specialist_snippet_ids]
        groups += [line.snippet_ids for line in self.lines()]
        for group in groups:
            for sid in group:
                seen.setdefault(sid, None)
        return tuple(seen)

    def warning_codes(self) -> tuple[str, ...]:
        """Codes of the plan's warnings, in order."""
        return tuple(w.code for w in self.warnings)


@dataclass(frozen=True)
class MissingFacts:
    """No plan yet: the named facts are required first."""

    missing: tuple[str, ...]
    rule_path: tuple[str, ...] = field(default_factory=tuple)


@dataclass(frozen=True)
class InvalidFacts:
    """No plan: facts contradict each other or are out of range; ``problems`` say which."""

    problems: tuple[str, ...]
    fields: tuple[str, ...]


@dataclass(frozen=True)
class ContentUnavailable:
    """No plan: the snippets a rule needs are not available (e.g. approved-only mode)."""

    snippet_ids: tuple[str, ...]
    rule_path: tuple[str, ...] = field(default_factory=tuple)


class Urgency(str, Enum):
    """How soon a gate's advice should be acted on (same values as the gates file)."""

    URGENT = "urgent"
    ADVICE = "advice"


@dataclass(frozen=True)
class GateHit:
    """One eligibility gate that fired, with the snippets that word its advice."""

    gate_id: str
    urgency: Urgency
    specialist: str
    plan_withheld: bool
    advice_snippet_ids: tuple[str, ...]
    conditions: tuple[str, ...]  # the conditions that held, e.g. ("age < 16",)


@dataclass(frozen=True)
class Gated:
    """No standard plan (or advice before one): eligibility or escalation gates fired first."""

    hits: tuple[GateHit, ...]
    rule_path: tuple[str, ...] = field(default_factory=tuple)

    @property
    def gate_id(self) -> str:
        """The first gate that fired (gates are checked in file order)."""
        return self.hits[0].gate_id

    @property
    def urgency(self) -> Urgency:
        """The most urgent level among the gates that fired."""
        if any(h.urgency is Urgency.URGENT for h in self.hits):
            return Urgency.URGENT
        return Urgency.ADVICE

    @property
    def plan_withheld(self) -> bool:
        """True if any gate that fired withholds the plan."""
        return any(h.plan_withheld for h in self.hits)

    @property
    def specialists(self) -> tuple[str, ...]:
        """Specialists named by the gates, in order, without repeats."""
        return tuple(dict.fromkeys(h.specialist for h in self.hits))

    def snippet_ids(self) -> tuple[str, ...]:
        """All advice snippet ids, in first-seen order, without repeats."""
        return tuple(dict.fromkeys(sid for h in self.hits for sid in h.advice_snippet_ids))


PlanResult = Plan | Gated | MissingFacts | InvalidFacts | ContentUnavailable
