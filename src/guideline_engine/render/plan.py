"""Render a regimen result as audience-specific text plus the JSON payload contract.

Every clinical line of the text is either a curated snippet or a mechanical rendering of a
structured plan step, each followed by the numbers of the citations behind it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guideline_engine.knowledge import KnowledgeBase
from guideline_engine.regimen.model import (
    Cause,
    ContentUnavailable,
    DurationKind,
    Facts,
    InvalidFacts,
    MissingFacts,
    Plan,
    PlanLine,
    PlanResult,
    Step,
)
from guideline_engine.render.messages import Audience, messages

PLAN_TYPE = "b12.regimen"
# One cause is reported in the payload; the one whose schedule weighs most comes first.
_CAUSE_PRIORITY = (
    Cause.ILEAL_RESECTION,
    Cause.PERNICIOUS_ANAEMIA,
    Cause.MALABSORPTION,
    Cause.BARIATRIC_SURGERY,
    Cause.DIETARY,
    Cause.MEDICATION,
)


@dataclass(frozen=True)
class Rendered:
    """Text for people and a JSON object for widgets and integrators."""

    text: str
    payload: dict[str, Any]
    buttons: tuple[tuple[str, str], ...] = ()  # (title, payload)


class _Citations:
    """Numbers snippets in the order the text first cites them."""

    def __init__(self) -> None:
        self.order: dict[str, int] = {}

    def mark(self, snippet_ids: tuple[str, ...]) -> str:
        numbers = [self.order.setdefault(sid, len(self.order) + 1) for sid in snippet_ids]
        return "".join(f"[{n}]" for n in numbers)


def primary_cause(facts: Facts) -> Cause:
    """The cause reported in the payload: the weightiest known one, else ``unknown``."""
    for cause in _CAUSE_PRIORITY:
        if cause in facts.causes:
            return cause
    return Cause.UNKNOWN


def facts_used(facts: Facts) -> dict[str, Any]:
    """The facts as JSON: only what is known, lab values as reported."""
    out: dict[str, Any] = {"neurological_involvement": facts.neurological_involvement.value}
    if facts.causes:
        out["causes"] = sorted(c.value for c in facts.causes)
    for name in ("ileal_resection_cm", "platelet_count", "age"):
        value = getattr(facts, name)
        if value is not None:
            out[name] = value
    for name in ("pregnant", "injection_contraindication", "folic_acid_started"):
        tri = getattr(facts, name)
        if tri.value != "unknown":
            out[name] = tri.value
    if facts.route_preference is not None:
        out["route_preference"] = facts.route_preference.value
    out["formulary"] = facts.formulary.value
    for name in ("b12", "folate", "mma"):
        lab = getattr(facts, name)
        if lab is not None:
            out[name] = {
                "value": lab.value,
                "unit": lab.unit,
                "status": lab.status.value if lab.status else None,
            }
    return out


def _step_payload(step: Step) -> dict[str, Any]:
    return {
        "dose": step.dose,
        "dose_max": step.dose_max,
        "unit": step.unit,
        "route": step.route.value,
        "frequency": step.frequency.value,
        "duration": {
            "kind": step.duration.kind.value,
            "min": step.duration.min,
            "max": step.duration.max,
            "unit": step.duration.unit,
        },
        "snippet_ids": list(step.snippet_ids),
    }


def _number(value: float) -> str:
    return f"{value:g}"


def _span(low: float | None, high: float | None) -> str:
    if low is None:
        return ""
    if high is None or high == low:
        return _number(low)
    return f"{_number(low)}-{_number(high)}"


def describe_step(step: Step) -> str:
    """E.g. ``1 mg IM three times a week for 2 weeks``."""
    route = "IM" if step.route.value == "intramuscular" else "oral"
    dose = _span(step.dose, step.dose_max)
    parts = [f"{dose} {step.unit} {route}", messages().frequency(step.frequency)]
    duration = step.duration
    if duration.kind is DurationKind.FIXED or duration.kind is DurationKind.DOSES:
        parts.append(f"for {_span(duration.min, duration.max)} {duration.unit}")
    elif duration.kind is DurationKind.UNTIL_NO_FURTHER_IMPROVEMENT:
        parts.append("until no further improvement")
    elif duration.kind is DurationKind.LIFELONG:
        parts.append("for life")
    elif duration.kind is DurationKind.INDEFINITE:
        parts.append("indefinitely")
    return " ".join(parts)


def _snippet_lines(
    kb: KnowledgeBase, lines: tuple[PlanLine, ...], audience: Audience, cites: _Citations
) -> list[str]:
    """One bullet per plan line, worded by its first snippet (or a note's message)."""
    out: list[str] = []
    seen: set[str] = set()
    for line in lines:
        note = messages().note(line.code, audience)
        text = note if note else kb.snippet(line.snippet_ids[0]).text(audience)
        if text in seen:
            continue
        seen.add(text)
        out.append(f"- {text} {cites.mark(line.snippet_ids)}")
    return out


def _citation_block(
    kb: KnowledgeBase, cites: _Citations, audience: Audience
) -> list[dict[str, Any]]:
    return [kb.citation(sid, audience).to_payload() for sid in cites.order]


def _footer(citations: list[dict[str, Any]]) -> list[str]:
    """Numbered citations: snippet id, the source's own reference numbers, review label."""
    lines = []
    sources: dict[str, None] = {}
    for number, cite in enumerate(citations, start=1):
        refs = ",".join(str(n) for n in cite.get("cites", []))
        label = f"; {cite['label']}" if cite.get("label") else ""
        lines.append(f"[{number}] {cite['snippet_id']} (source refs {refs}{label})")
        sources.setdefault(f"{cite['source']}, {cite['year']}", None)
    heading = "Source: " + "; ".join(sources) + ". Say 'sources' for its references."
    return [heading, *lines]


def render_plan(plan: Plan, kb: KnowledgeBase, audience: Audience) -> Rendered:
    """Render a plan for a clinician (concise) or a patient (plain, never a bare directive)."""
    cites = _Citations()
    neuro = plan.facts.neurological_involvement.value == "yes"
    if audience == "clinician":
        body = _clinician_body(plan, kb, cites, neuro)
    else:
        body = _patient_body(plan, kb, cites, neuro)
    citations = _citation_block(kb, cites, audience)
    text = "\n".join([*body, "", *_footer(citations)])
    payload = {
        "type": PLAN_TYPE,
        "audience": audience,
        "kb_version": kb.version,
        "plan": {
            "neurological_involvement": plan.facts.neurological_involvement.value,
            "urgent_specialist_advice": plan.urgent_specialist_advice,
            "specialists": list(plan.specialists),
            "cause": primary_cause(plan.facts).value,
            "drug": plan.drug.value,
            "route": plan.route.value,
            "loading": [_step_payload(s) for s in plan.loading],
            "maintenance": [_step_payload(s) for s in plan.maintenance],
            "maintenance_interval_months": (
                list(plan.maintenance_interval_months) if plan.maintenance_interval_months else None
            ),
            "lifelong": plan.lifelong,
            "warnings": list(plan.warning_codes()),
            "monitoring": [m.code for m in plan.monitoring],
            "notes": [n.code for n in plan.notes],
        },
        "facts_used": facts_used(plan.facts),
        "rule_path": list(plan.rule_path),
        "citations": citations,
    }
    return Rendered(text=text, payload=payload)


def _clinician_body(plan: Plan, kb: KnowledgeBase, cites: _Citations, neuro: bool) -> list[str]:
    status = "neurological involvement" if neuro else "no neurological involvement"
    cause = primary_cause(plan.facts).value.replace("_", " ")
    lines = [f"B12 plan: {status}; cause: {cause}."]
    if plan.urgent_specialist_advice:
        specialists = " and ".join(plan.specialists)
        lines.append(
            f"URGENT: seek specialist advice ({specialists}). "
            f"{cites.mark(plan.specialist_snippet_ids)}"
        )
    lines.append(
        f"Drug: {plan.drug.value}, {plan.route.value}. {cites.mark(plan.drug_route_snippet_ids)}"
    )
    for label, steps in (("Loading", plan.loading), ("Maintenance", plan.maintenance)):
        for step in steps:
            lines.append(f"{label}: {describe_step(step)}. {cites.mark(step.snippet_ids)}")
    if plan.lifelong is True:
        lines.append(f"Duration: lifelong. {cites.mark(plan.lifelong_snippet_ids)}")
    elif plan.lifelong is None:
        lines.append("Duration: lifelong or not is not stated by the source for these facts.")
    for title, group in (
        ("Warnings", plan.warnings),
        ("Monitoring", plan.monitoring),
        ("Not covered / would change the plan", plan.notes),
    ):
        if group:
            lines.append(f"{title}:")
            lines.extend(_snippet_lines(kb, group, "clinician", cites))
    return lines


def _patient_body(plan: Plan, kb: KnowledgeBase, cites: _Citations, neuro: bool) -> list[str]:
    who = "someone with nerve symptoms" if neuro else "someone without nerve symptoms"
    lines = [f"What the guideline says for {who}:"]
    if plan.urgent_specialist_advice:
        lines.append(
            f"- {kb.snippet(plan.specialist_snippet_ids[0]).text('patient')} "
            f"{cites.mark(plan.specialist_snippet_ids)}"
        )
    regimen_ids: list[str] = []
    for step in (*plan.loading, *plan.maintenance):
        regimen_ids.extend(sid for sid in step.snippet_ids if sid not in regimen_ids)
    for sid in regimen_ids:
        lines.append(f"- {kb.snippet(sid).text('patient')} {cites.mark((sid,))}")
    if plan.lifelong is True:
        lines.append(
            "- Treatment is expected to be long term (for life). "
            f"{cites.mark(plan.lifelong_snippet_ids)}"
        )
    for title, group in (
        ("Important", plan.warnings),
        ("What to expect", plan.monitoring),
        ("Good to know", plan.notes),
    ):
        if group:
            lines.append(f"{title}:")
            lines.extend(_snippet_lines(kb, group, "patient", cites))
    lines.append(messages().text("clinician_decides"))
    return lines


def render_result(result: PlanResult, kb: KnowledgeBase, audience: Audience) -> Rendered:
    """Render any regimen result: a plan, or why there is none (never a guess)."""
    if isinstance(result, Plan):
        return render_plan(result, kb, audience)
    if isinstance(result, MissingFacts):
        return Rendered(
            text=messages().text(f"ask_neuro_{audience}"),
            payload={"type": "b12.missing_facts", "missing": list(result.missing)},
            buttons=(
                ("Yes", '/inform{"neuro_involvement":"yes"}'),
                ("No", '/inform{"neuro_involvement":"no"}'),
            ),
        )
    if isinstance(result, InvalidFacts):
        text = "\n".join([messages().text("invalid_facts"), *(f"- {p}" for p in result.problems)])
        return Rendered(
            text=text,
            payload={
                "type": "b12.invalid_facts",
                "problems": list(result.problems),
                "fields": list(result.fields),
            },
        )
    assert isinstance(result, ContentUnavailable)
    return Rendered(
        text=messages().text("content_unavailable"),
        payload={
            "type": "b12.content_unavailable",
            "kb_version": kb.version,
            "snippet_ids": list(result.snippet_ids),
        },
    )


def render_why(plan: Plan) -> Rendered:
    """The facts used and the rule path, so a clinician can see why."""
    facts = facts_used(plan.facts)
    lines = ["Facts used:"]
    lines += [f"- {key}: {value}" for key, value in facts.items()]
    lines.append("Rules applied:")
    lines += [f"{n}. {step}" for n, step in enumerate(plan.rule_path, start=1)]
    return Rendered(
        text="\n".join(lines),
        payload={"type": "b12.why", "facts_used": facts, "rule_path": list(plan.rule_path)},
    )
