"""Render what a topic's decision table decided as one :class:`Answer` plus its payload.

Every line is a curated snippet in the audience's wording, followed by its citation number,
so a patient sees only the snippets' plain wording (never a dose: a test checks the patient
wording of every snippet a table names) and a clinician sees the clinical wording.
"""

from __future__ import annotations

from typing import Any, cast

from guideline_engine.facts import value_words
from guideline_engine.knowledge import KnowledgeBase
from guideline_engine.regimen.model import MissingFacts
from guideline_engine.render.answer import CONTRACT_VERSION, Answer, Button, Line, Section
from guideline_engine.render.citing import Citer
from guideline_engine.render.messages import Audience
from guideline_engine.render.reply import Rendered
from guideline_engine.topics.model import TablePlan, Topic


def _sections(plan: TablePlan, citer: Citer, audience: str) -> list[Section]:
    topic = plan.topic
    out: list[Section] = []
    for key, _ in topic.sections:
        seen: dict[str, Line] = {}
        for line in (x for x in plan.lines if x.section == key):
            for sid in line.snippet_ids:
                text = citer.kb.snippet(sid).text(audience)
                if text not in seen:  # the same wording twice is shown (and numbered) once
                    seen[text] = citer.snippet_line(sid)
        if seen:
            title = topic.section_title(key, audience)
            out.append(Section(title, tuple(seen.values()), topic.section_style(key)))
    return out


def render_table(plan: TablePlan, kb: KnowledgeBase, audience: str) -> Rendered:
    """A table plan: its sections of cited snippet lines, and the payload contract."""
    citer = Citer(kb, cast(Audience, audience))
    sections = _sections(plan, citer, audience)
    citations = citer.cited()
    answer = Answer(
        kind="plan",
        topic=plan.topic.id,
        audience=audience,
        title=plan.topic.title.text(audience),
        sections=tuple(sections),
        citations=citations,
        sources_line=citer.sources_line(),
    )
    payload: dict[str, Any] = {
        "type": f"{plan.topic.id}.plan",
        "topic": plan.topic.id,
        "contract_version": CONTRACT_VERSION,
        "audience": audience,
        "kb_version": kb.version,
        "plan": {
            # Doses are in the clinician wording only; integrators must honour this audience.
            "audience": audience,
            "rows": list(dict.fromkeys(line.row for line in plan.lines)),
            "lines": [
                {"section": x.section, "snippet_ids": list(x.snippet_ids)} for x in plan.lines
            ],
            "after_topic": plan.defer_to,
        },
        "facts_used": plan.facts,
        "citations": citer.payload(),
        "answer": answer.to_dict(),
    }
    if audience == "clinician":
        payload["rule_path"] = list(plan.rule_path)
    return Rendered(text=answer.to_text(), payload=payload)


def render_question(topic: Topic, missing: MissingFacts, audience: str) -> Rendered:
    """Ask for the first fact the topic's table needs, with quick replies."""
    question = topic.question(missing.missing[0])
    buttons = tuple(
        Button(title, f'/inform{{"{question.fact}":"{value}"}}')
        for title, value in question.buttons
    )
    answer = Answer(
        kind="ask",
        topic=topic.id,
        audience=audience,
        sections=(Section("", (Line(question.text(audience)),), "lead"),),
        buttons=buttons,
    )
    return Rendered(
        text=answer.to_text(),
        payload={
            "type": f"{topic.id}.missing_facts",
            "topic": topic.id,
            "contract_version": CONTRACT_VERSION,
            "missing": list(missing.missing),
            "answer": answer.to_dict(),
        },
        buttons=tuple((b.title, b.payload) for b in buttons),
    )


def render_table_why(plan: TablePlan, audience: str) -> Rendered:
    """Answer "why?" for a table topic: the facts read and, for clinicians, the rows applied.

    The rows name no dose, but they are the clinical reasoning, so patients (the safe side) get
    the facts and a plain line instead, as for the B12 topic.
    """
    hidden = {"patient_described", "formulary"}
    facts = tuple(
        Line(f"{k.replace('_', ' ')}: {value_words(v)}")
        for k, v in plan.facts.items()
        if v not in (None, "unknown", []) and k not in hidden
    )
    sections = [Section("Facts used:", facts, "list")]
    payload: dict[str, Any] = {
        "type": "b12.why",
        "topic": plan.topic.id,
        "contract_version": CONTRACT_VERSION,
        "audience": audience,
        "facts_used": plan.facts,
    }
    if audience == "clinician":
        rules = tuple(Line(step) for step in plan.rule_path)
        sections.append(Section("Rules applied:", rules, "steps"))
        payload["rule_path"] = list(plan.rule_path)
    answer = Answer(kind="why", topic=plan.topic.id, audience=audience, sections=tuple(sections))
    payload["answer"] = answer.to_dict()
    return Rendered(text=answer.to_text(), payload=payload)
