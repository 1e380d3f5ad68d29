"""Eligibility and escalation gates, checked before any plan is built.

The gates are curated data (``content/b12/gates.yml``, validated by the knowledge loader):
each names its conditions on the facts, its outcome, urgency, specialist and the snippets
that word its advice. This module only evaluates them.
"""

from __future__ import annotations

from collections.abc import Iterable
from functools import cache

from guideline_engine.knowledge.model import Gate, GateOutcome, GateUrgency, KnowledgeError
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


def evaluate_gates(facts: Facts, gates: Iterable[Gate]) -> Gated | None:
    """The gates that fire for ``facts``, in file order, or ``None`` when none does.

    A gate whose outcome is ``accompany`` (B12's urgent neurology advice for nerve symptoms)
    fires only beside another gate that fires: the plan that would have carried its advice is
    withheld.
    """
    gates = tuple(gates)
    hits = tuple(
        hit
        for gate in gates
        if gate.outcome is not GateOutcome.ACCOMPANY and (hit := _hit(gate, facts)) is not None
    )
    if not hits:
        return None
    hits += tuple(
        hit
        for gate in gates
        if gate.outcome is GateOutcome.ACCOMPANY and (hit := _hit(gate, facts)) is not None
    )
    path = tuple(f"{h.gate_id}: {' or '.join(h.conditions)} → gate fires" for h in hits)
    return Gated(hits, (*path, "gate fired before the regimen → no standard plan"))
