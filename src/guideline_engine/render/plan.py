"""Render a regimen result as audience-specific text plus the JSON payload contract.

Every clinical line of the text is either a curated snippet or a mechanical rendering of a
structured plan step, each followed by the numbers of the citations behind it. Patients never
see doses or schedules: their text frames the plan in plain words and leaves the exact
treatment to their clinician; the structured ``plan`` in the payload carries its audience.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from guideline_engine.facts import Finding
from guideline_engine.knowledge import KnowledgeBase
from guideline_engine.regimen.model import (
    Cause,
    ContentUnavailable,
    DurationKind,
    Facts,
    Gated,
    InvalidFacts,
    MissingFacts,
    Plan,
    PlanLine,
    PlanResult,
    Step,
)
from guideline_engine.render.messages import Audience, messages

PLAN_TYPE = "b12.regimen"
GATE_TYPE = "b12.gate"
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


def primary_cause(causes: frozenset[Cause]) -> Cause:
    """The cause reported in the payload: the weightiest known one, else ``unknown``."""
    for cause in _CAUSE_PRIORITY:
        if cause in causes:
            return cause
    return Cause.UNKNOWN


def _cause_words(causes: frozenset[Cause]) -> str:
    known = [c.value.replace("_", " ") for c in _CAUSE_PRIORITY if c in causes]
    return ", ".join(known) if known else "unknown"


def facts_used(facts: Facts) -> dict[str, Any]:
    """The facts as JSON: only what is known, lab values as reported."""
    out: dict[str, Any] = {"neurological_involvement": facts.neurological_involvement.value}
    if facts.causes:
        out["causes"] = sorted(c.value for c in facts.causes)
    for name in ("ileal_resection_cm", "platelet_count", "age", "haemoglobin"):
        value = getattr(facts, name)
        if value is not None:
            out[name] = value
    for name in (
        "pregnant",
        "breastfeeding",
        "pancytopenia",
        "severe_anaemia",
        "injection_contraindication",
        "folic_acid_started",
    ):
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


def describe_step(step: Step, *, with_duration: bool = True) -> str:
    """E.g. ``1 mg IM three times a week for 2 weeks`` (clinicians only).

    Maintenance steps are described without their duration: the plan states its one
    duration on its own line, so two lines can never disagree.
    """
    route = "IM" if step.route.value == "intramuscular" else "oral"
    dose = _span(step.dose, step.dose_max)
    parts = [f"{dose} {step.unit} {route}", messages().frequency(step.frequency)]
    duration = step.duration
    if not with_duration:
        return " ".join(parts)
    if duration.kind is DurationKind.FIXED or duration.kind is DurationKind.DOSES:
        parts.append(f"for {_span(duration.min, duration.max)} {duration.unit}")
    elif duration.kind is DurationKind.UNTIL_NO_FURTHER_IMPROVEMENT:
        parts.append("until no further improvement")
    return " ".join(parts)


def _snippet_lines(
    kb: KnowledgeBase, lines: tuple[PlanLine, ...], audience: Audience, cites: _Citations
) -> list[str]:
    """One bullet per plan line, worded by its note message (or else its first snippet)."""
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


def _option_lines(
    kb: KnowledgeBase, options: tuple[PlanLine, ...], audience: Audience, cites: _Citations
) -> list[str]:
    """Each option's snippets verbatim, with their evidence wording: never a plan step."""
    return [
        f"- {kb.snippet(sid).text(audience)} {cites.mark((sid,))}"
        for line in options
        for sid in line.snippet_ids
    ]


def _duration_line(plan: Plan, audience: Audience, cites: _Citations) -> str:
    text = messages().note(f"duration_{plan.duration.value}", audience)
    if text is None:
        raise KeyError(f"messages.yml: notes: no wording for duration {plan.duration.value!r}")
    return f"{text} {cites.mark(plan.duration_snippet_ids)}"


def _citation_block(
    kb: KnowledgeBase, cites: _Citations, audience: Audience
) -> list[dict[str, Any]]:
    out = []
    for sid in cites.order:
        payload = kb.citation(sid, audience).to_payload()
        source = kb.snippet(sid).source
        payload["document"] = source.document
        payload["parts"] = list(source.parts)
        out.append(payload)
    return out


def _footer(citations: list[dict[str, Any]]) -> list[str]:
    """Numbered citations: snippet id, the source's own references or parts, review label."""
    lines = []
    sources: dict[str, None] = {}
    for number, cite in enumerate(citations, start=1):
        refs = ",".join(str(n) for n in cite.get("cites", []))
        where = f"source refs {refs}" if refs else "parts " + ", ".join(cite.get("parts", []))
        label = f"; {cite['label']}" if cite.get("label") else ""
        lines.append(f"[{number}] {cite['snippet_id']} ({where}{label})")
        sources.setdefault(f"{cite['source']}, {cite['year']}", None)
    heading = "Sources: " + "; ".join(sources) + ". Say 'sources' for their references."
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
            # Doses and schedules are for clinicians; integrators must honour this audience.
            "audience": audience,
            "neurological_involvement": plan.facts.neurological_involvement.value,
            "urgent_specialist_advice": plan.urgent_specialist_advice,
            "specialists": list(plan.specialists),
            "cause": primary_cause(plan.causes).value,
            "causes": sorted(c.value for c in plan.causes),
            "drug": plan.drug.value,
            "route": plan.route.value,
            "loading": [_step_payload(s) for s in plan.loading],
            "maintenance": [_step_payload(s) for s in plan.maintenance],
            "maintenance_interval_months": (
                list(plan.maintenance_interval_months) if plan.maintenance_interval_months else None
            ),
            "duration": plan.duration.value,
            "lifelong": plan.lifelong,
            "warnings": list(plan.warning_codes()),
            "monitoring": [m.code for m in plan.monitoring],
            "notes": [n.code for n in plan.notes],
            "options": [o.code for o in plan.options],
            "source_differences": [d.code for d in plan.source_differences],
        },
        "facts_used": facts_used(plan.facts),
        "citations": citations,
    }
    if audience == "clinician":  # the rule path names doses and schedules
        payload["rule_path"] = list(plan.rule_path)
    return Rendered(text=text, payload=payload)


def _clinician_body(plan: Plan, kb: KnowledgeBase, cites: _Citations, neuro: bool) -> list[str]:
    status = "neurological involvement" if neuro else "no neurological involvement"
    lines = [f"B12 plan: {status}; cause: {_cause_words(plan.causes)}."]
    if plan.urgent_specialist_advice:
        specialists = " and ".join(plan.specialists)
        lines.append(
            f"URGENT: seek specialist advice ({specialists}). "
            f"{cites.mark(plan.specialist_snippet_ids)}"
        )
    drug = plan.drug.value.replace("_", " ")
    lines.append(f"Drug: {drug}, {plan.route.value}. {cites.mark(plan.drug_route_snippet_ids)}")
    for step in plan.loading:
        lines.append(f"Loading: {describe_step(step)}. {cites.mark(step.snippet_ids)}")
    for step in plan.maintenance:
        described = describe_step(step, with_duration=False)
        lines.append(f"Maintenance: {described}. {cites.mark(step.snippet_ids)}")
    lines.append(_duration_line(plan, "clinician", cites))
    for title, group in (
        ("Where the sources differ:", plan.source_differences),
        ("Warnings:", plan.warnings),
        ("Monitoring:", plan.monitoring),
        ("Not covered / would change the plan:", plan.notes),
    ):
        if group:
            lines.append(title)
            lines.extend(_snippet_lines(kb, group, "clinician", cites))
    if plan.options:
        lines.append("Options, with their evidence (not plan steps):")
        lines.extend(_option_lines(kb, plan.options, "clinician", cites))
    return lines


def _patient_body(plan: Plan, kb: KnowledgeBase, cites: _Citations, neuro: bool) -> list[str]:
    who = "someone with nerve symptoms" if neuro else "someone without nerve symptoms"
    lines = [f"What the guidance says, in general, for {who}:"]
    if plan.urgent_specialist_advice:
        lines.append(
            f"- {kb.snippet(plan.specialist_snippet_ids[0]).text('patient')} "
            f"{cites.mark(plan.specialist_snippet_ids)}"
        )
    for sid in plan.summary_snippet_ids:
        lines.append(f"- {kb.snippet(sid).text('patient')} {cites.mark((sid,))}")
    lines.append(f"- {_duration_line(plan, 'patient', cites)}")
    for title, group in (
        ("Where the guidance sources differ:", plan.source_differences),
        ("Important:", plan.warnings),
        ("What to expect:", plan.monitoring),
        ("Good to know:", plan.notes),
    ):
        if group:
            lines.append(title)
            lines.extend(_snippet_lines(kb, group, "patient", cites))
    if plan.options:
        lines.append("Something your clinician may discuss with you:")
        lines.extend(_option_lines(kb, plan.options, "patient", cites))
    lines.append(messages().text("clinician_decides"))
    return lines


def render_gated(result: Gated, kb: KnowledgeBase, audience: Audience) -> Rendered:
    """Render fired eligibility gates: advice first, and no standard plan."""
    cites = _Citations()
    wording = messages()
    heading = wording.gate(f"heading_{result.urgency.value}", audience)
    lines = [heading.format(specialists=", ".join(result.specialists))]
    seen: set[str] = set()
    for sid in result.snippet_ids():
        text = kb.snippet(sid).text(audience)
        if text not in seen:
            seen.add(text)
            lines.append(f"- {text} {cites.mark((sid,))}")
    if result.plan_withheld:
        lines.append(wording.gate("plan_withheld", audience))
    citations = _citation_block(kb, cites, audience)
    payload = {
        "type": GATE_TYPE,
        "audience": audience,
        "kb_version": kb.version,
        "gate": result.gate_id,
        "urgency": result.urgency.value,
        "plan_withheld": result.plan_withheld,
        "specialists": list(result.specialists),
        "gates": [
            {
                "gate": hit.gate_id,
                "urgency": hit.urgency.value,
                "specialist": hit.specialist,
                "plan_withheld": hit.plan_withheld,
                "conditions": list(hit.conditions),
                "advice": list(hit.advice_snippet_ids),
            }
            for hit in result.hits
        ],
        "rule_path": list(result.rule_path),
        "citations": citations,
    }
    return Rendered(text="\n".join([*lines, "", *_footer(citations)]), payload=payload)


def render_result(result: PlanResult, kb: KnowledgeBase, audience: Audience) -> Rendered:
    """Render any regimen result: a plan, or why there is none (never a guess)."""
    if isinstance(result, Plan):
        return render_plan(result, kb, audience)
    if isinstance(result, Gated):
        return render_gated(result, kb, audience)
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


def _finding_label(finding: Finding) -> str:
    """Plain words for a finding: the symptom as written, a cause or antibody by its id."""
    return finding.text if finding.kind == "symptom" else finding.id.replace("_", " ")


def _finding_line(finding: Finding, audience: Audience) -> str:
    """One line per finding: its assertions for clinicians, plain words for patients."""
    wording = messages()
    if audience == "clinician":
        return (
            f'- {finding.kind} {finding.id} "{finding.text}": {finding.certainty}, '
            f"experiencer {finding.experiencer}, {finding.time} → {finding.use.replace('_', ' ')}"
        )
    what = _finding_label(finding)
    because = finding.not_counted_because
    if because is None:
        return "- " + wording.text(f"why_finding_{finding.use}").format(what=what)
    reason = wording.text(f"why_finding_because_{because}")
    return "- " + wording.text("why_finding_not_counted").format(what=what, why=reason)


def render_why(
    plan: Plan, audience: Audience = "patient", findings: tuple[Finding, ...] = ()
) -> Rendered:
    """The facts used, the findings read and, for clinicians, the rule path, so they can see why.

    Every finding is listed with its certainty, experiencer and time, so one that did not
    drive the plan (someone else's, denied, uncertain, asked about, past) is seen and not
    silently dropped. The rule path names doses and schedules, so patients (the default, as
    the safe side) get the facts used and a plain line instead, and their payload carries no
    rule path.
    """
    facts = facts_used(plan.facts)
    lines = ["Facts used:"]
    lines += [f"- {key}: {value}" for key, value in facts.items()]
    payload: dict[str, Any] = {
        "type": "b12.why",
        "audience": audience,
        "facts_used": facts,
        "findings": [f.to_dict() for f in findings],
    }
    if findings:
        lines.append(messages().text(f"why_findings_{audience}"))
        lines += [_finding_line(f, audience) for f in findings]
    if audience == "clinician":
        lines.append("Rules applied:")
        lines += [f"{n}. {step}" for n, step in enumerate(plan.rule_path, start=1)]
        payload["rule_path"] = list(plan.rule_path)
    else:
        lines.append(messages().text("why_patient"))
    return Rendered(text="\n".join(lines), payload=payload)
