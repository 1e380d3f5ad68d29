"""Render follow-up answers, the source listing and triage for a conversation."""

from __future__ import annotations

from typing import Any

from guideline_engine.knowledge import KnowledgeBase
from guideline_engine.render.messages import Audience, messages
from guideline_engine.render.plan import Rendered
from guideline_engine.retrieval import Answer, RetrievalResult
from guideline_engine.triage import RedFlag, Urgency, red_flags_by_id

# A second snippet is quoted only when it scores close to the best one.
SECOND_HIT_RATIO = 0.75
MAX_SNIPPETS = 2
# Urgent and emergency triage offers a handoff to a person (intent request_human).
HANDOFF_BUTTON = ("Talk to a person", "/request_human")
HANDOFF_URGENCIES = frozenset({Urgency.URGENT, Urgency.EMERGENCY})


def render_followup(result: RetrievalResult, kb: KnowledgeBase, audience: Audience) -> Rendered:
    """Quote the best snippets with numbered citations, or say the guideline does not cover it."""
    if not isinstance(result, Answer):
        return Rendered(
            text=messages().text("no_answer"),
            payload={
                "type": "b12.no_answer",
                "kb_version": kb.version,
                "reason": result.reason.value,
            },
        )
    best = result.best.score
    hits = [h for h in result.hits if h.score >= SECOND_HIT_RATIO * best][:MAX_SNIPPETS]
    citations = [kb.citation(hit.id, audience) for hit in hits]
    lines = [f"{cite.text} [{n}]" for n, cite in enumerate(citations, start=1)]
    lines.append("")
    for n, (hit, cite) in enumerate(zip(hits, citations, strict=True), start=1):
        label = f"; {cite.label}" if cite.label else ""
        refs = ",".join(str(c) for c in cite.cites)
        # A summary cites its own references by number; a primary guideline by its parts.
        where = (
            f"source refs {refs}" if refs else "parts " + ", ".join(kb.snippet(hit.id).source.parts)
        )
        lines.append(f"[{n}] {cite.source}, {cite.year} ({where}{label})")
    return Rendered(
        text="\n".join(lines),
        payload={
            "type": "b12.answer",
            "kb_version": kb.version,
            "snippets": [cite.to_payload() for cite in citations],
        },
    )


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
    return Rendered(
        text="\n".join(lines),
        payload={"type": "b12.sources", "kb_version": kb.version, "documents": documents},
    )


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
        return _render_unassessed()
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
    text = f"{heading} {advice}" + (f" (Red flags: {named}.)" if named else "")
    return Rendered(
        text=text,
        payload={
            "type": "b12.triage",
            "urgency": level.value,
            "red_flags": [f.id for f in flags],
            "advice": advice,
            "advice_pending_review": sorted(f.id for f in flags if f.id in advice_pending),
            "assessed": True,
            "heading": heading,
            "about_other_person": about_other_person,
        },
        buttons=(HANDOFF_BUTTON,) if offer_handoff and level in HANDOFF_URGENCIES else (),
    )


def _render_unassessed() -> Rendered:
    """Symptoms without a recognised red flag: say they cannot be assessed, never reassure."""
    heading = messages().text("triage_heading_unassessed")
    advice = messages().text("triage_advice_unassessed")
    return Rendered(
        text=f"{heading} {advice}",
        payload={
            "type": "b12.triage",
            "urgency": Urgency.ROUTINE.value,
            "red_flags": [],
            "advice": advice,
            "advice_pending_review": [],
            "assessed": False,
            "heading": heading,
            "about_other_person": False,
        },
    )
