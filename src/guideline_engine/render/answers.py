"""Render follow-up answers, the source listing and triage for a conversation."""

from __future__ import annotations

from typing import Any

from guideline_engine.knowledge import KnowledgeBase
from guideline_engine.render.answer import Answer, Banner, BannerLevel, Button, Line, Section
from guideline_engine.render.citing import Citer
from guideline_engine.render.messages import Audience, messages
from guideline_engine.render.reply import TOPIC, Rendered, cited_answer, lead, render_notice
from guideline_engine.retrieval import Answer as Retrieved
from guideline_engine.retrieval import NoAnswerReason, RetrievalResult
from guideline_engine.triage import RedFlag, Urgency, red_flags_by_id

# A second snippet is quoted only when it scores close to the best one.
SECOND_HIT_RATIO = 0.75
MAX_SNIPPETS = 2
# Urgent and emergency triage offers a handoff to a person (intent request_human).
HANDOFF_BUTTON = ("Talk to a person", "/request_human")
HANDOFF_URGENCIES = frozenset({Urgency.URGENT, Urgency.EMERGENCY})


def render_followup(
    result: RetrievalResult, kb: KnowledgeBase, audience: Audience, topic: str = TOPIC
) -> Rendered:
    """Quote the best snippets with numbered citations, or say the guideline does not cover it.

    An answer is typed with the topic whose snippets it quotes (``b12.answer``,
    ``folate.answer``); a decline stays ``b12.no_answer`` whatever the topic. A decline because
    the matching guidance is for another situation says so (HAZ-124).
    """
    if not isinstance(result, Retrieved):
        refused = {"type": "b12.no_answer", "kb_version": kb.version, "reason": result.reason.value}
        other = result.reason is NoAnswerReason.OTHER_SITUATION
        text = messages().text("no_answer_other_situation" if other else "no_answer")
        return render_notice("decline", text, refused, audience)
    best = result.best.score
    hits = [h for h in result.hits if h.score >= SECOND_HIT_RATIO * best][:MAX_SNIPPETS]
    cites = Citer(kb, audience)
    lines = tuple(cites.snippet_line(hit.id) for hit in hits)
    answer = cited_answer("followup", audience, cites, sections=(Section("", lines, "lead"),))
    payload: dict[str, Any] = {
        "type": f"{topic}.answer",
        "kb_version": kb.version,
        "snippets": [kb.citation(hit.id, audience).to_payload() for hit in hits],
    }
    return Rendered.of(answer, payload)


def render_sources(kb: KnowledgeBase) -> Rendered:
    """Every source document, its listed references and how each citation number resolves."""
    listings = kb.sources_listing()
    lines: list[str] = []
    documents: list[dict[str, Any]] = []
    for listing in listings:
        lines.extend(listing.lines())
        doc = listing.document
        documents.append(
            {
                "id": doc.id,
                "title": doc.title,
                "publisher": doc.publisher,
                "year": doc.year,
                "kind": doc.kind.value,
                "references": [
                    {
                        "position": r.position,
                        "title": r.title,
                        "publisher": r.publisher,
                        "year": r.year,
                        "kind": r.kind.value,
                    }
                    for r in listing.references
                ],
                "citations": [
                    {
                        "number": c.number,
                        "resolution": c.resolution.value,
                        "references": list(c.references),
                        "basis": c.basis,
                    }
                    for c in listing.citations
                ],
            }
        )
    answer = Answer(kind="sources", topic=TOPIC, audience="patient", sections=(lead(*lines),))
    payload = {"type": "b12.sources", "kb_version": kb.version, "documents": documents}
    return Rendered.of(answer, payload)


def render_triage(
    *,
    red_flag_ids: list[str],
    urgency: str | None,
    describes_symptoms: bool,
    audience: Audience,
    offer_handoff: bool = True,
    advice_pending: frozenset[str] = frozenset(),
    about_other_person: bool = False,
) -> Rendered | None:
    """Triage first: any red flag, or a patient describing symptoms; else nothing.

    Detection happened in the NLU pipeline; this only words the result. Urgent and emergency
    results carry a "Talk to a person" button unless ``offer_handoff`` is False. Red flags in
    ``advice_pending`` (not approved while the approval gate is on) still escalate, but their
    advice is replaced by a neutral line saying it is pending clinical review.

    Symptoms that match no red flag are never called harmless: the reply says they cannot be
    assessed here and when to seek help (payload ``assessed: false``). With
    ``about_other_person`` the advice is introduced as being about the person described.
    """
    known = red_flags_by_id()
    flags: list[RedFlag] = [known[i] for i in dict.fromkeys(red_flag_ids) if i in known]
    if flags:
        level = max((f.urgency for f in flags), key=lambda u: u.rank)
    elif audience == "patient" and urgency:
        level = Urgency(urgency)
    elif audience == "patient" and describes_symptoms:
        return _render_unassessed(audience)
    else:
        return None
    worst = [f for f in flags if f.urgency is level]
    pending = messages().text("advice_pending_review")
    advice = " ".join(
        dict.fromkeys(pending if f.id in advice_pending else f.advice(audience) for f in worst)
    ) or messages().text(f"triage_advice_{level.value}")
    if about_other_person:
        advice = f"{messages().text('triage_about_other_person')} {advice}"
    if level is Urgency.ROUTINE and audience == "patient":
        advice = f"{advice} {messages().text('triage_routine_other_symptoms')}"
    heading = messages().text(f"triage_heading_{level.value}")
    named = ", ".join(f.label for f in flags)
    payload = {
        "type": "b12.triage",
        "urgency": level.value,
        "red_flags": [f.id for f in flags],
        "advice": advice,
        "advice_pending_review": sorted(f.id for f in flags if f.id in advice_pending),
        "assessed": True,
        "heading": heading,
        "about_other_person": about_other_person,
    }
    handoff = offer_handoff and level in HANDOFF_URGENCIES
    banner: BannerLevel = level.value
    answer = triage_answer(banner, heading, advice, named, audience, handoff=handoff)
    return Rendered.of(answer, payload)


def triage_answer(
    level: BannerLevel,
    heading: str,
    advice: str,
    named: str,
    audience: Audience,
    *,
    handoff: bool = False,
) -> Answer:
    """What to do first as the banner; the red flags recognised as a note."""
    sections = (Section("", (Line(f"Red flags: {named}."),), "note"),) if named else ()
    return Answer(
        kind="triage",
        topic=TOPIC,
        audience=audience,
        banner=Banner(level, f"{heading} {advice}"),
        sections=sections,
        buttons=(Button(*HANDOFF_BUTTON),) if handoff else (),
    )


def _render_unassessed(audience: Audience = "patient") -> Rendered:
    """Symptoms without a recognised red flag: say they cannot be assessed, never reassure."""
    heading = messages().text("triage_heading_unassessed")
    advice = messages().text("triage_advice_unassessed")
    payload = {
        "type": "b12.triage",
        "urgency": Urgency.ROUTINE.value,
        "red_flags": [],
        "advice": advice,
        "advice_pending_review": [],
        "assessed": False,
        "heading": heading,
        "about_other_person": False,
    }
    # "advice", never "routine": symptoms it cannot assess are not called harmless.
    return Rendered.of(triage_answer("advice", heading, advice, "", audience), payload)
