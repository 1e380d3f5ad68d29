"""Process-wide engine state for the actions, built on first use (no I/O at import)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from functools import cache
from types import MappingProxyType
from typing import Any

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from guideline_engine.extraction.style import audience_by_style
from guideline_engine.extraction.text import clean_text
from guideline_engine.facts import FACT_NAMES, PATIENT_ENTITIES, facts_from_values
from guideline_engine.knowledge import KnowledgeBase, load_knowledge_base
from guideline_engine.knowledge.approval import (
    ApprovalState,
    Artefact,
    ArtefactKind,
    ArtefactRef,
    content_unavailable_payload,
    followup_signal_refs,
    load_approval_state,
    topic_rule_refs,
)
from guideline_engine.regimen.gates import packaged_gates
from guideline_engine.regimen.model import (
    ContentUnavailable,
    Facts,
    Gated,
    MissingFacts,
    Plan,
    PlanResult,
)
from guideline_engine.render.answer import CONTRACT_VERSION, Banner, Button
from guideline_engine.render.answers import MAX_SNIPPETS, SECOND_HIT_RATIO, render_followup
from guideline_engine.render.messages import Audience, messages
from guideline_engine.render.reply import Rendered, render_gated, render_notice
from guideline_engine.retrieval import Answer, RetrievalResult, Retriever, learned, retriever_for
from guideline_engine.retrieval.context import (
    PlanContext,
    Situation,
    search_in_context,
    situation_of,
    snippet_causes,
)
from guideline_engine.topics import (
    TablePlan,
    Topic,
    decide,
    fact_view,
    render_question,
    render_table,
    renderer_of,
    rules_of,
    snippets_of,
    topics,
)
from guideline_engine.topics.model import FactValue


@cache
def knowledge_base() -> KnowledgeBase:
    """The validated knowledge base (``KB_APPROVED_ONLY`` decides what is visible)."""
    return load_knowledge_base()


@cache
def approvals() -> ApprovalState:
    """Every clinical artefact and its approval; the gate is on with ``KB_APPROVED_ONLY``."""
    return load_approval_state(knowledge_base())


@cache
def topic_retrievers() -> Mapping[str, Retriever]:
    """Each topic's follow-up index, by topic id, built once per process.

    The action server builds them at start-up (``check_clinical_content``) and the actions
    reuse them. A topic with no snippet has no index.

    Raises:
        ValueError: A topic's snippets cannot be indexed (the message says which).
    """
    kb = load_knowledge_base(approved_only=False)
    built: dict[str, Retriever] = {}
    for topic in topics().all:
        own = snippets_of(kb, topic.kb_topic)
        if own.snippets:
            built[topic.id] = retriever_for(own)
    unknown = learned.check([s.id for s in kb.snippets])
    if unknown:
        raise ValueError(f"{learned.TRAINING_FILE} names unknown snippets: {unknown}")
    learned.warm_up()
    return MappingProxyType(built)


def retriever(topic_id: str | None = None) -> Retriever:
    """Follow-up retriever over one topic's snippets (default: the default topic's).

    The approval gate is applied to its hits. One index per topic keeps a question in the
    conversation's topic from being answered by another topic's snippets.
    """
    every = topics()
    topic = every.get(topic_id) if topic_id else every.default
    return topic_retrievers()[topic.id]


@cache
def cause_snippets(topic_id: str) -> dict[str, frozenset[str]]:
    """Snippet id -> the causes its wording names, for one topic's follow-up index."""
    kb = load_knowledge_base(approved_only=False)
    topic = topics().get(topic_id)
    return snippet_causes((s.id, s.clinician) for s in kb.snippets if s.topic == topic.kb_topic)


@cache
def snippet_situations(topic_id: str) -> dict[str, Situation]:
    """Snippet id -> the situation it is written for (nerve status, causes, pregnancy)."""
    kb = load_knowledge_base(approved_only=False)
    topic = topics().get(topic_id)
    return {
        s.id: situation_of(s.id, s.section, s.clinician)
        for s in kb.snippets
        if s.topic == topic.kb_topic
    }


def plan_context(tracker: Tracker) -> PlanContext:
    """The current plan's facts that decide which follow-up answers apply (HAZ-124)."""
    neuro = tracker.get_slot("neurological_involvement")
    pregnant = "yes" in (tracker.get_slot("pregnant"), tracker.get_slot("breastfeeding"))
    return PlanContext(
        neurological_involvement=neuro if neuro in ("yes", "no") else None,
        causes=frozenset(str(c) for c in tracker.get_slot("causes") or []),
        pregnant=pregnant,
    )


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


def _fail_safe_gated(
    result: Gated,
    blockers: tuple[Artefact, ...],
    audience: Audience = "patient",
    topic: str | None = None,
) -> Rendered:
    """No plan, and still the escalation: generic heading, advice pending clinical review.

    An urgent gate keeps its urgent banner (the generic triage heading, no clinical advice);
    a non-urgent one gets an advice banner saying the advice is pending review.
    """
    urgent = result.urgency.value == "urgent"
    line = messages().text("advice_pending_review")
    banner = (
        Banner("urgent", messages().text("triage_heading_urgent"))
        if urgent
        else Banner("advice", line)
    )
    payload = content_unavailable_payload(knowledge_base().version, blockers)
    payload["escalation"] = {
        "urgency": result.urgency.value,
        "gates": [hit.gate_id for hit in result.hits],
        "specialists": list(dict.fromkeys(hit.specialist for hit in result.hits)),
    }
    text = (line,) if urgent else ()
    return render_notice("gate", text, payload, audience, topic=topic, banner=banner)


def gate_ids(kb_topics: Iterable[str]) -> tuple[str, ...]:
    """Ids of the gates checked before a plan of these knowledge-base topics."""
    wanted = frozenset(kb_topics)
    return tuple(g.id for g in packaged_gates() if g.topic in wanted)


def render_gated_plan(
    facts: Facts, audience: Audience, topic: Topic | None = None
) -> tuple[PlanResult, Rendered]:
    """Build the plan of a rules-module topic (default: the default one) and render it.

    The topic's ``rules_module`` decides and its ``renderer`` words the answer. With the
    approval gate on it is refused whole when anything it rests on is not approved: its
    snippets, rules (its own modules included) and labels, and its own gates (not another
    topic's).
    """
    owner = topic or topics().default
    rules, renderer = rules_of(owner), renderer_of(owner)
    own_gates = gate_ids([owner.kb_topic])
    kb = knowledge_base()
    result = rules.build_plan(facts, kb.ids)
    state = approvals()
    if not state.enforced:
        return result, renderer.render_result(result, kb, audience)
    if isinstance(result, Gated):
        blockers = state.blocking(_gated_refs(result))
        if blockers:
            return result, _fail_safe_gated(result, blockers, audience, owner.id)
    if isinstance(result, ContentUnavailable | Plan):
        full = rules.build_plan(facts)  # every artefact the plan needs, named with its kind
        refs = list(state.needed_by_plan(full, own_gates)) if isinstance(full, Plan) else []
        if isinstance(result, ContentUnavailable):
            refs = [*_snippet_refs(result.snippet_ids), *refs]
        blockers = state.blocking(refs)
        if blockers:
            return result, refusal(blockers)
    return result, renderer.render_result(result, kb, audience)


def gated_followup(result: RetrievalResult, shown: int, ratio: float) -> tuple[Artefact, ...]:
    """Unapproved snippets among the hits an answer would quote (nothing when the gate is off)."""
    if not isinstance(result, Answer):
        return ()
    best = result.best.score
    hits = [h.id for h in result.hits if h.score >= ratio * best][:shown]
    return approvals().blocking(_snippet_refs(tuple(hits)))


AUDIENCE_CHOICES = (
    Button("Clinician", '/choose_audience{"audience":"clinician"}'),
    Button("Patient or carer", '/choose_audience{"audience":"patient"}'),
)
AUDIENCE_OFFER_TYPE = "b12.audience_offer"
TRIAGE_TYPE = "b12.triage"
ASK_WHO_TYPE = "b12.ask_who"
"""Asked whether a message's facts are the writer's or another person's (nothing merged)."""
WHO_ANSWERED_TYPE = "b12.who_answered"
"""The who-question answered by naming whom the facts so far are about: they are kept."""
FACTS_HELD_TYPE = "b12.facts_held"
"""A follow-up question's facts named back, not added to the plan."""
PLAN_HELD_TYPE = "b12.plan_held"
"""A patient's plan held back while an emergency is dealt with."""


def audience_offer(tracker: Tracker) -> Rendered | None:
    """Offer the clinician view once, when a message reads like a clinician's (HAZ-070).

    Only when nobody has said or chosen who is asking. The reply itself stays in patient
    wording: a style is a guess, and a patient must never see doses because their message
    looked like a clinician's note (HAZ-010).
    """
    if tracker.get_slot("audience") is not None:
        return None
    if audience_by_style(message_text(tracker)) != "clinician":
        return None
    if any(_custom_type(event) == AUDIENCE_OFFER_TYPE for event in tracker.events):
        return None
    payload = {"type": AUDIENCE_OFFER_TYPE, "reads_as": "clinician"}
    texts = (messages().text("offer_clinician_view"),)
    return render_notice("ask", texts, payload, "patient", topic=None, buttons=AUDIENCE_CHOICES)


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
        if _custom_type(event) == payload_type:
            return True
    return False


def announced_from_held(tracker: Tracker) -> bool:
    """Whether this turn started a new patient with the facts held at the who-question."""
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            return False
        custom = (event.get("data") or {}).get("custom") if event.get("event") == "bot" else None
        if isinstance(custom, dict) and str(custom.get("type", "")).endswith(".new_patient"):
            return bool(custom.get("from_held"))
    return False


def followup_search(
    text: str, current: str | None, causes: list[str], context: PlanContext | None = None
) -> tuple[Topic, RetrievalResult]:
    """The topic that answers a follow-up and what its snippets say.

    The question's topic (:meth:`Topics.for_question`) searches first; when its snippets do
    not cover the question, it is not the default topic and the conversation is not that
    topic's own, the default topic's do (B12's content covers folate in B12 care: "check both",
    "no folic acid before B12").

    With ``context`` (the current plan's facts) only snippets written for the patient's
    situation answer; none left is a decline (HAZ-124).
    """
    every = topics()
    topic = every.for_question(text, current)
    # An unapproved learned signal may still decline, never choose the snippet (HAZ-062).
    promote = not approvals().blocking(followup_signal_refs())
    result = search_in_context(
        retriever(topic.id),
        text,
        causes,
        cause_snippets(topic.id),
        promote,
        context,
        snippet_situations(topic.id),
    )
    if isinstance(result, Answer) or topic.default or current not in (None, every.default.id):
        return topic, result  # in a topic's own conversation, "not covered" is the answer
    fallback = every.default
    other = search_in_context(
        retriever(fallback.id),
        text,
        causes,
        cause_snippets(fallback.id),
        promote,
        context,
        snippet_situations(fallback.id),
    )
    return (fallback, other) if isinstance(other, Answer) else (topic, result)


def answer_followup(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Quote the best-matching snippets for the latest message, or say they do not cover it.

    With the approval gate on, an answer that would quote an unapproved snippet is refused
    whole (``b12.content_unavailable``), never shown in part.
    """
    if announced_this_turn(tracker, ASK_WHO_TYPE):
        return  # whose facts these are comes first (HAZ-120)
    text = message_text(tracker)
    causes = [str(c) for c in tracker.get_slot("causes") or []]
    context = plan_context(tracker)
    topic, result = followup_search(text, tracker.get_slot("topic"), causes, context)
    blockers = gated_followup(result, MAX_SNIPPETS, SECOND_HIT_RATIO)
    if blockers:
        send(dispatcher, refusal(blockers))
        return
    rendered = render_followup(result, knowledge_base(), audience_of(tracker), topic.id)
    send(dispatcher, rendered, topic.id)


PLAN_TYPES = (".regimen", ".plan", ".gate")
"""Payload types that carry a plan or a gate in its place (``b12.regimen``, ``folate.plan``)."""


def before_this_message(tracker: Tracker) -> tuple[dict[str, Any], bool]:
    """Fact slots as they stood before the latest user message, and whether a plan was shown.

    Replays the slot events up to the latest user message; a reset (``b12.new_patient``)
    or a new session forgets both, since they were another patient's. The facts set in the
    turn of a reset are the new patient's, whether they come before or after its message.
    """
    events = list(tracker.events)
    last = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=0)
    values: dict[str, Any] = {}
    this_turn: dict[str, Any] = {}
    shown = False
    for event in events[:last]:
        kind = event.get("event")
        kind_of = _custom_type(event)
        if kind == "user":
            this_turn = {}
        if kind in {"restart", "session_started"}:
            values, this_turn, shown = {}, {}, False
        elif kind_of.endswith(".new_patient"):
            values, shown = dict(this_turn), False
        elif kind == "slot" and event.get("name") in FACT_NAMES:
            values[str(event["name"])] = this_turn[str(event["name"])] = event.get("value")
        shown = shown or kind_of.endswith(PLAN_TYPES)
    if any(_custom_type(e).endswith(".new_patient") for e in events[last:]):
        return {}, False  # this message started a new patient
    return {k: v for k, v in values.items() if v is not None}, shown


def _custom_type(event: dict[str, Any]) -> str:
    custom = (event.get("data") or {}).get("custom") if event.get("event") == "bot" else None
    return str(custom.get("type", "")) if isinstance(custom, dict) else ""


def fact_values(tracker: Tracker) -> dict[str, Any]:
    """Current fact slots by name (unset ones omitted)."""
    values = {name: tracker.get_slot(name) for name in FACT_NAMES}
    return {name: value for name, value in values.items() if value is not None}


def send(dispatcher: CollectingDispatcher, rendered: Rendered, topic: str | None = None) -> None:
    """Send the text (with any buttons) and then its JSON payload.

    Every payload carries the contract version, and the topic that answered when one did.
    """
    buttons = [{"title": title, "payload": payload} for title, payload in rendered.buttons]
    dispatcher.utter_message(text=rendered.text, buttons=buttons or None)
    payload = {**rendered.payload, "contract_version": CONTRACT_VERSION}
    if topic is not None:
        payload.setdefault("topic", topic)
    dispatcher.utter_message(json_message=payload)


def _checked_kb_topics(
    topic: Topic, view: Mapping[str, FactValue], handed_to: Mapping[str, str]
) -> tuple[str, ...]:
    """The topic's knowledge-base topic and those of the topics its applying rows defer to.

    :func:`decide` checks the gates of exactly these, so an answer rests on their approval.
    """
    deferred = [r.defer_to for r in topic.rows if r.defer_to and r.applies(dict(view))]
    return (topic.kb_topic, *(handed_to[d] for d in deferred if d in handed_to))


def render_table_result(
    topic: Topic, values: dict[str, Any], audience: Audience
) -> tuple[TablePlan | Gated | MissingFacts, Rendered | None]:
    """Decide with a topic's table and word it, or refuse it whole when the approval gate says so.

    ``None`` for the rendering means there is nothing of this topic to show (a plan whose rows
    only hand over to another topic).
    """
    kb = knowledge_base()
    facts = facts_from_values(values).facts
    view = fact_view(values, facts)
    handed_to = {t.id: t.kb_topic for t in topics().all}
    result = decide(topic, view, facts, packaged_gates(), handed_to)
    rules = list(topic_rule_refs(topic.folder))  # the table, manifest and table engine
    if isinstance(result, MissingFacts):
        blockers = approvals().blocking(rules) if approvals().enforced else ()
        if blockers:  # the question's wording is the manifest's: clinical text too
            return result, refusal(blockers)
        return result, render_question(topic, result, audience)
    refs = _gated_refs(result) if isinstance(result, Gated) else _snippet_refs(result.snippet_ids())
    checked = gate_ids(_checked_kb_topics(topic, view, handed_to))
    refs = [*refs, *rules, *(ArtefactRef(ArtefactKind.GATE, g) for g in checked)]
    blockers = approvals().blocking(refs) if approvals().enforced else ()
    if blockers:
        refused = (
            _fail_safe_gated(result, blockers, audience, topic.id)
            if isinstance(result, Gated)
            else refusal(blockers)
        )
        return result, refused
    if isinstance(result, Gated):
        gated = render_gated(result, kb, audience)
        payload = {**gated.payload, "type": f"{topic.id}.gate", "topic": topic.id}
        return result, Rendered.of(dataclasses.replace(gated.model, topic=topic.id), payload)
    return result, render_table(result, kb, audience) if result.lines else None
