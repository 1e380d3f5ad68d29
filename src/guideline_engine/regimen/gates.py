"""Eligibility and escalation gates, checked before any plan is built.

The gates are curated data (``content/b12/gates.yml``, validated by the knowledge loader):
each names its conditions on the facts, its outcome, urgency, specialist and the snippets
that word its advice. This module only evaluates them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from guideline_engine.knowledge.model import Gate, GateUrgency, KnowledgeError
from guideline_engine.regimen.model import Facts, Gated, GateHit, Tri, Urgency

_URGENCY = {GateUrgency.URGENT: Urgency.URGENT, GateUrgency.ADVICE: Urgency.ADVICE}


@cache
def packaged_gates() -> tuple[Gate, ...]:
    """The gates of the packaged content (read once, on first use).

    Raises:
        KnowledgeError: If the packaged content has any problem: a plan must never be built
            with gates silently missing.
    """
    from guideline_engine.knowledge.loader import scan

    result = scan()
    if result.problems:
        raise KnowledgeError(result.problems)
    return result.gates


def _fact_value(facts: Facts, name: str) -> float | str | None:
    value = getattr(facts, name)
    if isinstance(value, Tri):
        return value.value
    if value is None:
        return None
    return float(value)


def _hit(gate: Gate, facts: Facts) -> GateHit | None:
    held = tuple(c.describe() for c in gate.conditions if c.holds(_fact_value(facts, c.fact)))
    if not held:
        return None
    return GateHit(
        gate_id=gate.id,
        urgency=_URGENCY[gate.urgency],
        specialist=gate.specialist,
        plan_withheld=gate.plan_withheld,
        advice_snippet_ids=gate.advice,
        conditions=held,
    )


# "Seek urgent specialist advice from a neurologist and hematologist for patients with
# neurological symptoms" [1]: a gate withholds the plan, but must not drop this advice.
NEURO_SPECIALIST = "b12.neuro.specialist"


def _neurological_companion(facts: Facts) -> GateHit | None:
    if facts.neurological_involvement is not Tri.YES:
        return None
    return GateHit(
        gate_id="gate.b12.neurological_symptoms",
        urgency=Urgency.URGENT,
        specialist="neurology",
        plan_withheld=True,
        advice_snippet_ids=(NEURO_SPECIALIST,),
        conditions=("neurological_involvement = yes",),
    )


def evaluate_gates(facts: Facts, gates: Iterable[Gate], *, companion: bool = True) -> Gated | None:
    """The gates that fire for ``facts``, in file order, or ``None`` when none does.

    With ``companion`` (the B12 regimen), when a gate fires for a patient with neurological
    involvement, the urgent neurology advice of the regimen goes with it (the plan that would
    have carried it is withheld).
    """
    hits = tuple(hit for gate in gates if (hit := _hit(gate, facts)) is not None)
    if not hits:
        return None
    companion_hit = _neurological_companion(facts) if companion else None
    hits = (*hits, companion_hit) if companion_hit is not None else hits
    path = tuple(f"{h.gate_id}: {' or '.join(h.conditions)} → gate fires" for h in hits)
    return Gated(hits, (*path, "gate fired before the regimen → no standard plan"))
