"""Process-wide engine state for the actions, built on first use (no I/O at import)."""

from __future__ import annotations

from functools import cache
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from guideline_engine.extraction.text import clean_text
from guideline_engine.facts import FACT_NAMES, PATIENT_ENTITIES
from guideline_engine.knowledge import KnowledgeBase, load_knowledge_base
from guideline_engine.knowledge.approval import (
    ApprovalState,
    Artefact,
    ArtefactKind,
    ArtefactRef,
    content_unavailable_payload,
    load_approval_state,
)
from guideline_engine.regimen import build_plan
from guideline_engine.regimen.model import ContentUnavailable, Facts, Gated, Plan, PlanResult
from guideline_engine.render.answers import MAX_SNIPPETS, SECOND_HIT_RATIO, render_followup
from guideline_engine.render.messages import Audience, messages
from guideline_engine.render.plan import Rendered, render_result
from guideline_engine.retrieval import Answer, RetrievalResult, Retriever, retriever_for


@cache
def knowledge_base() -> KnowledgeBase:
    """The validated knowledge base (``KB_APPROVED_ONLY`` decides what is visible)."""
    return load_knowledge_base()


@cache
def approvals() -> ApprovalState:
    """Every clinical artefact and its approval; the gate is on with ``KB_APPROVED_ONLY``."""
    return load_approval_state(knowledge_base())


@cache
def retriever() -> Retriever:
    """Follow-up retriever over every snippet; the approval gate is applied to its hits."""
    return retriever_for(load_knowledge_base(approved_only=False))


def refusal(blockers: tuple[Artefact, ...]) -> Rendered:
    """The whole answer is refused: it needs artefacts that are not approved."""
    return Rendered(
        text=messages().text("content_unavailable"),
        payload=content_unavailable_payload(knowledge_base().version, blockers),
    )


def _snippet_refs(ids: tuple[str, ...]) -> list[ArtefactRef]:
    return [ArtefactRef(ArtefactKind.SNIPPET, sid) for sid in ids]


def _gated_refs(result: Gated) -> list[ArtefactRef]:
    refs = [ArtefactRef(ArtefactKind.GATE, hit.gate_id) for hit in result.hits]
    for hit in result.hits:
        refs += _snippet_refs(hit.advice_snippet_ids)
    return refs


def _fail_safe_gated(result: Gated, blockers: tuple[Artefact, ...]) -> Rendered:
    """No plan, and still the escalation: generic heading, advice pending clinical review."""
    urgent = result.urgency.value == "urgent"
    heading = messages().text("triage_heading_urgent") if urgent else ""
    line = messages().text("advice_pending_review")
    payload = content_unavailable_payload(knowledge_base().version, blockers)
    payload["escalation"] = {
        "urgency": result.urgency.value,
        "gates": [hit.gate_id for hit in result.hits],
        "specialists": list(dict.fromkeys(hit.specialist for hit in result.hits)),
    }
    return Rendered(text=f"{heading} {line}".strip(), payload=payload)


def render_gated_plan(facts: Facts, audience: Audience) -> tuple[PlanResult, Rendered]:
    """Build the plan and render it, or refuse it whole when the approval gate says so."""
    kb = knowledge_base()
    result = build_plan(facts, kb.ids)
    state = approvals()
    if not state.enforced:
        return result, render_result(result, kb, audience)
    if isinstance(result, Gated):
        blockers = state.blocking(_gated_refs(result))
        if blockers:
            return result, _fail_safe_gated(result, blockers)
    if isinstance(result, ContentUnavailable | Plan):
        full = build_plan(facts)  # every artefact the plan needs, named with its kind
        refs = list(state.needed_by_plan(full)) if isinstance(full, Plan) else []
        if isinstance(result, ContentUnavailable):
            refs = [*_snippet_refs(result.snippet_ids), *refs]
        blockers = state.blocking(refs)
        if blockers:
            return result, refusal(blockers)
    return result, render_result(result, kb, audience)


def gated_followup(result: RetrievalResult, shown: int, ratio: float) -> tuple[Artefact, ...]:
    """Unapproved snippets among the hits an answer would quote (nothing when the gate is off)."""
    if not isinstance(result, Answer):
        return ()
    best = result.best.score
    hits = [h.id for h in result.hits if h.score >= ratio * best][:shown]
    return approvals().blocking(_snippet_refs(tuple(hits)))


def audience_of(tracker: Tracker) -> Audience:
    """The conversation's audience; plain patient wording until someone says otherwise."""
    return "clinician" if tracker.get_slot("audience") == "clinician" else "patient"



def entity_values(tracker: Tracker, entity: str) -> list[Any]:
    """Values of one entity type in the latest user message, in order."""
    return list(tracker.get_latest_entity_values(entity))


def describes_patient(tracker: Tracker) -> bool:
    """Whether the latest message states anything about the patient."""
    entities = tracker.latest_message.get("entities") or []
    return any(e.get("entity") in PATIENT_ENTITIES for e in entities)


def message_text(tracker: Tracker) -> str:
    """The latest user message, cleaned as the extractor read it."""
    return clean_text(tracker.latest_message.get("text") or "")


def announced_this_turn(tracker: Tracker, payload_type: str) -> bool:
    """Whether a payload of this type was already sent since the latest user message."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        custom = (event.get("data") or {}).get("custom") if event.get("event") == "bot" else None
        if isinstance(custom, dict) and custom.get("type") == payload_type:
            return True
    return False


def answer_followup(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Quote the best-matching snippets for the latest message, or say they do not cover it.

    With the approval gate on, an answer that would quote an unapproved snippet is refused
    whole (``b12.content_unavailable``), never shown in part.
    """
    result = retriever().search(message_text(tracker))
    blockers = gated_followup(result, MAX_SNIPPETS, SECOND_HIT_RATIO)
    if blockers:
        send(dispatcher, refusal(blockers))
        return
    send(dispatcher, render_followup(result, knowledge_base(), audience_of(tracker)))


def fact_values(tracker: Tracker) -> dict[str, Any]:
    """Current fact slots by name (unset ones omitted)."""
    values = {name: tracker.get_slot(name) for name in FACT_NAMES}
    return {name: value for name, value in values.items() if value is not None}


def send(dispatcher: CollectingDispatcher, rendered: Rendered) -> None:
    """Send the text (with any buttons) and then its JSON payload."""
    buttons = [{"title": title, "payload": payload} for title, payload in rendered.buttons]
    dispatcher.utter_message(text=rendered.text, buttons=buttons or None)
    dispatcher.utter_message(json_message=rendered.payload)
