"""Regimen engine: the typed facts, plans and reasons why there is none, and the gates.

A topic's own rules module (``rules_module`` in its ``topic.yml``) builds its plan from these
types; the engine reaches it through ``guideline_engine.topics``, never by name.
"""

from guideline_engine.regimen.model import (
    Cause,
    ContentUnavailable,
    Drug,
    Duration,
    DurationKind,
    Facts,
    Formulary,
    Frequency,
    Gated,
    GateHit,
    InvalidFacts,
    LabStatus,
    LabValue,
    MissingFacts,
    Plan,
    PlanLine,
    PlanResult,
    Route,
    Step,
    Tri,
    Urgency,
)

__all__ = [
    "Cause",
    "ContentUnavailable",
    "Drug",
    "Duration",
    "DurationKind",
    "Facts",
    "Formulary",
    "Frequency",
    "GateHit",
    "Gated",
    "InvalidFacts",
    "LabStatus",
    "LabValue",
    "MissingFacts",
    "Plan",
    "PlanLine",
    "PlanResult",
    "Route",
    "Step",
    "Tri",
    "Urgency",
]
