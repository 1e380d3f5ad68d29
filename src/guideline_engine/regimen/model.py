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
    """A treatment plan; every field traces to curated snippets."""

    facts: Facts
    drug: Drug
    route: Route
    loading: tuple[Step, ...]
    maintenance: tuple[Step, ...]
    maintenance_interval_months: tuple[float, float] | None
    lifelong: bool | None  # None: not stated by the source
    lifelong_snippet_ids: tuple[str, ...]
    urgent_specialist_advice: bool
    specialists: tuple[str, ...]
    specialist_snippet_ids: tuple[str, ...]
    warnings: tuple[PlanLine, ...]
    monitoring: tuple[PlanLine, ...]
    notes: tuple[PlanLine, ...]  # what the source does not cover, what would change the plan
    rule_path: tuple[str, ...]
    drug_route_snippet_ids: tuple[str, ...]

    def snippet_ids(self) -> tuple[str, ...]:
        """All snippet ids the plan cites, in first-seen order, without repeats."""
        seen: dict[str, None] = {}
        groups: list[tuple[str, ...]] = [self.drug_route_snippet_ids]
        groups += [s.snippet_ids for s in (*self.loading, *self.maintenance)]
        groups += [self.lifelong_snippet_ids, self.specialist_snippet_ids]
        groups += [line.snippet_ids for line in (*self.warnings, *self.monitoring, *self.notes)]
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


PlanResult = Plan | MissingFacts | InvalidFacts | ContentUnavailable
