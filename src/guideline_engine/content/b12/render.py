"""Vitamin B12 deficiency anaemia: how its plan is worded (the topic's ``renderer``).

Renders what :mod:`guideline_engine.content.b12.rules` decided as audience-specific text plus
the JSON payload contract. Every clinical line of the text is either a curated snippet or a
mechanical rendering of a structured plan step, each followed by the numbers of the citations
behind it. Patients never see doses or schedules: their text frames the plan in plain words and
leaves the exact treatment to their clinician; the structured ``plan`` in the payload carries
its audience.
"""

from __future__ import annotations

from typing import Any

from guideline_engine.facts import Finding
from guideline_engine.knowledge import KnowledgeBase
from guideline_engine.regimen.model import (
    Cause,
    ContentUnavailable,
    DurationKind,
    Gated,
    InvalidFacts,
    MissingFacts,
    Plan,
    PlanLine,
    PlanResult,
    Step,
)
from guideline_engine.render.answer import Answer, Banner, Button, Line, Section, SectionStyle
from guideline_engine.render.citing import Citer
from guideline_engine.render.messages import Audience, messages
from guideline_engine.render.reply import (
    TOPIC,
    Rendered,
    cited_answer,
    fact_line,
    facts_used,
    finding_line,
    lead,
    plain_number,
    render_gated,
    render_invalid,
    render_notice,
)

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


def primary_cause(causes: frozenset[Cause]) -> Cause:
    """The cause reported in the payload: the weightiest known one, else ``unknown``."""
    for cause in _CAUSE_PRIORITY:
        if cause in causes:
            return cause
    return Cause.UNKNOWN


def _cause_words(causes: frozenset[Cause]) -> str:
    known = [c.value.replace("_", " ") for c in _CAUSE_PRIORITY if c in causes]
    return ", ".join(known) if known else "unknown"


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


def _span(low: float | None, high: float | None) -> str:
    if low is None:
        return ""
    if high is None or high == low:
        return plain_number(low)
    return f"{plain_number(low)}-{plain_number(high)}"


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
    kb: KnowledgeBase, lines: tuple[PlanLine, ...], audience: Audience, cites: Citer
) -> tuple[Line, ...]:
    """One line per plan line, worded by its note message (or else its first snippet)."""
    out: list[Line] = []
    seen: set[str] = set()
    for line in lines:
        note = messages().note(line.code, audience)
        text = note if note else kb.snippet(line.snippet_ids[0]).text(audience)
        if text in seen:
            continue
        seen.add(text)
        out.append(cites.line(text, line.snippet_ids))
    return tuple(out)


def _option_lines(options: tuple[PlanLine, ...], cites: Citer) -> tuple[Line, ...]:
    """Each option's snippets verbatim, with their evidence wording: never a plan step."""
    return tuple(cites.snippet_line(sid) for line in options for sid in line.snippet_ids)


def _duration_line(plan: Plan, audience: Audience, cites: Citer) -> Line:
    text = messages().note(f"duration_{plan.duration.value}", audience)
    if text is None:
        raise KeyError(f"messages.yml: notes: no wording for duration {plan.duration.value!r}")
    return cites.line(text, plan.duration_snippet_ids)


_GROUP_TITLES: dict[Audience, tuple[str, str, str, str, str]] = {
    "clinician": (
        "Where the sources differ:",
        "Warnings:",
        "Monitoring:",
        "Not covered / would change the plan:",
        "Options, with their evidence (not plan steps):",
    ),
    "patient": (
        "Where the guidance sources differ:",
        "Important:",
        "What to expect:",
        "Good to know:",
        "Something your clinician may discuss with you:",
    ),
}


_GROUP_STYLES: tuple[SectionStyle, ...] = ("list", "warning", "list", "note")


def _groups(plan: Plan, kb: KnowledgeBase, audience: Audience, cites: Citer) -> list[Section]:
    """Source differences, warnings, monitoring, notes and options, titled per audience."""
    titles = _GROUP_TITLES[audience]
    groups = (plan.source_differences, plan.warnings, plan.monitoring, plan.notes)
    out = [
        Section(title, _snippet_lines(kb, group, audience, cites), style)
        for title, group, style in zip(titles, groups, _GROUP_STYLES, strict=False)
        if group
    ]
    if plan.options:
        out.append(Section(titles[4], _option_lines(plan.options, cites), "list"))
    return out


def render_plan(plan: Plan, kb: KnowledgeBase, audience: Audience) -> Rendered:
    """Render a plan for a clinician (concise) or a patient (plain, never a bare directive)."""
    cites = Citer(kb, audience)
    neuro = plan.facts.neurological_involvement.value == "yes"
    if audience == "clinician":
        answer = _clinician_answer(plan, kb, cites, neuro)
    else:
        answer = _patient_answer(plan, kb, cites, neuro)
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
        "citations": cites.payload(),
    }
    if audience == "clinician":  # the rule path names doses and schedules
        payload["rule_path"] = list(plan.rule_path)
    return Rendered.of(answer, payload)


def _clinician_answer(plan: Plan, kb: KnowledgeBase, cites: Citer, neuro: bool) -> Answer:
    status = "neurological involvement" if neuro else "no neurological involvement"
    banner = None
    if plan.urgent_specialist_advice:
        specialists = " and ".join(plan.specialists)
        banner = Banner(
            "urgent",
            f"URGENT: seek specialist advice ({specialists}).",
            cites.numbers(plan.specialist_snippet_ids),
        )
    drug = plan.drug.value.replace("_", " ")
    steps = [cites.line(f"Drug: {drug}, {plan.route.value}.", plan.drug_route_snippet_ids)]
    steps += [cites.line(f"Loading: {describe_step(s)}.", s.snippet_ids) for s in plan.loading]
    steps += [
        cites.line(f"Maintenance: {describe_step(s, with_duration=False)}.", s.snippet_ids)
        for s in plan.maintenance
    ]
    steps.append(_duration_line(plan, "clinician", cites))
    sections = (Section("", tuple(steps), "steps"), *_groups(plan, kb, "clinician", cites))
    return cited_answer(
        "plan",
        "clinician",
        cites,
        title=f"B12 plan: {status}; cause: {_cause_words(plan.causes)}.",
        banner=banner,
        sections=sections,
    )


def _patient_answer(plan: Plan, kb: KnowledgeBase, cites: Citer, neuro: bool) -> Answer:
    who = "someone with nerve symptoms" if neuro else "someone without nerve symptoms"
    banner = None
    if plan.urgent_specialist_advice:
        first = plan.specialist_snippet_ids[0]
        banner = Banner(
            "urgent",
            kb.snippet(first).text("patient"),
            cites.numbers(plan.specialist_snippet_ids),
        )
    summary = [cites.snippet_line(sid) for sid in plan.summary_snippet_ids]
    summary.append(_duration_line(plan, "patient", cites))
    sections = (
        Section("", tuple(summary), "list"),
        *_groups(plan, kb, "patient", cites),
        lead(messages().text("clinician_decides")),
    )
    return cited_answer(
        "plan",
        "patient",
        cites,
        title=f"What the guidance says, in general, for {who}:",
        banner=banner,
        sections=sections,
    )


NEURO_BUTTONS = (
    Button("Yes", '/inform{"neurological_involvement":"yes"}'),
    Button("No", '/inform{"neurological_involvement":"no"}'),
)


def render_result(result: PlanResult, kb: KnowledgeBase, audience: Audience) -> Rendered:
    """Render any regimen result: a plan, or why there is none (never a guess)."""
    if isinstance(result, Plan):
        return render_plan(result, kb, audience)
    if isinstance(result, Gated):
        return render_gated(result, kb, audience)
    if isinstance(result, MissingFacts):
        answer = Answer(
            kind="ask",
            topic=TOPIC,
            audience=audience,
            sections=(lead(messages().text(f"ask_neuro_{audience}")),),
            buttons=NEURO_BUTTONS,
        )
        return Rendered.of(answer, {"type": "b12.missing_facts", "missing": list(result.missing)})
    if isinstance(result, InvalidFacts):
        return render_invalid(
            messages().text("invalid_facts"), result.problems, result.fields, audience
        )
    assert isinstance(result, ContentUnavailable)
    payload = {
        "type": "b12.content_unavailable",
        "kb_version": kb.version,
        "snippet_ids": list(result.snippet_ids),
    }
    return render_notice(
        "content_unavailable", messages().text("content_unavailable"), payload, audience
    )


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
    used = tuple(Line(fact_line(key, value)) for key, value in facts.items())
    sections = [Section("Facts used:", used)]
    payload: dict[str, Any] = {
        "type": "b12.why",
        "audience": audience,
        "facts_used": facts,
        "findings": [f.to_dict() for f in findings],
    }
    if findings:
        lines = tuple(Line(finding_line(f, audience)) for f in findings)
        sections.append(Section(messages().text(f"why_findings_{audience}"), lines))
    if audience == "clinician":
        rules = tuple(Line(f"{n}. {step}") for n, step in enumerate(plan.rule_path, start=1))
        sections.append(Section("Rules applied:", rules, "steps"))
        payload["rule_path"] = list(plan.rule_path)
    else:
        sections.append(lead(messages().text("why_patient")))
    answer = Answer(kind="why", topic=TOPIC, audience=audience, sections=tuple(sections))
    return Rendered.of(answer, payload)
