"""Pure rendering of one bot turn for Slack (Block Kit) and Microsoft Teams (Adaptive Cards).

The actions send every answer as a text message (possibly with buttons) followed by one
message whose ``custom`` is the JSON payload (``README.md``: *Machine-readable answers*).
:func:`group_turn` pairs each payload with the text sent just before it; the renderers then
build one chat message per pair from the *payload* (never by parsing the text), and keep the
text as the plain-text fallback. A text without a payload (disclaimer, greeting, questions
with buttons) is rendered as it is.

Patients never see doses or schedules: a ``b12.regimen`` payload whose ``audience`` is not
``clinician`` is laid out from the engine's own plain-language text (the paired text message,
worded by the patient snippets) and the patient-worded citations, never from the structured
steps (dose, unit, frequency, duration), which stay in the payload for integrators only.

Nothing here does I/O, imports Rasa or reads the environment, so it is unit-tested directly.
All bot text is treated as untrusted for markup: Slack ``mrkdwn`` control characters are
escaped, and Adaptive Card text goes into ``TextBlock`` elements only.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

Json = dict[str, Any]

PENDING_LABEL = "pending clinical review"

# Slack limits (https://api.slack.com/reference/block-kit): 50 blocks a message, 3000 chars
# in a section's text, 150 in a header, 75 in a button's text, 2000 in its value, 25
# elements in an actions block, 10 in a context block; chat.postMessage text up to 40000
# (4000 recommended).
SLACK_MAX_BLOCKS = 50
SLACK_SECTION_CHARS = 3000
SLACK_HEADER_CHARS = 150
SLACK_BUTTON_TEXT_CHARS = 75
SLACK_BUTTON_VALUE_CHARS = 2000
SLACK_MAX_BUTTONS = 25
SLACK_FALLBACK_CHARS = 3900
# Teams shows the card's summary in notifications; keep it short.
TEAMS_SUMMARY_CHARS = 200
ADAPTIVE_CARD_VERSION = "1.4"
ADAPTIVE_CARD_TYPE = "application/vnd.microsoft.card.adaptive"
# The key an Adaptive Card submit carries the Rasa payload under (activity.value).
SUBMIT_KEY = "b12_payload"

FREQUENCY = {
    "daily": "daily",
    "alternate_days": "on alternate days",
    "three_times_weekly": "three times a week",
    "every_3_to_4_days": "every 3-4 days",
    "monthly": "monthly",
    "every_2_months": "every 2 months",
    "every_2_to_3_months": "every 2-3 months",
}

# Short labels for plan codes on the clinician's card (the same as the web chat's); the cited
# snippets below the plan carry the clinical wording. Patient cards never use them.
LABELS = {
    "folic_acid_before_b12": "Do not give folic acid before B12 treatment",
    "folic_acid_already_started": "Folic acid already started: tell the treating clinician",
    "check_folate_and_b12": "Check both folate and B12 levels",
    "mma_if_indeterminate": "If the B12 result is indeterminate, consider methylmalonic acid (MMA)",
    "dietary_fortified_foods": "Diet-related: fortified foods or supplements",
    "elderly_monitor_closely": "Older patient: monitor closely",
    "oral_needs_close_monitoring": "Oral treatment needs close monitoring",
    "oral_intermittent_maintenance": "Oral maintenance may be intermittent",
    "platelets_at_or_below_50": "Platelets at or below 50 x10^9/L: injection caution",
    "hb_and_b12_normalise_within_2_months": (
        "Haemoglobin and B12 expected to normalise within 2 months"
    ),
    "neuro_improvement_within_1_month": "Neurological improvement expected within 1 month",
    "individualised_injection_frequency": "Injection frequency may be individualised",
    "cause_medication_not_covered": "Medication-related deficiency is not covered by the source",
    "cause_unknown": "Cause not stated: it may change the duration",
    "pregnancy_not_covered": "Pregnancy is not covered by the source: seek specialist advice",
    "ileal_resection_20cm_or_less_not_covered": "Ileal resection of 20 cm or less is not covered",
    "ileal_resection_length_unknown": "Ileal resection length not given",
    "ileal_resection_source_gives_injections": "After ileal resection the source gives injections",
    "oral_suits_normal_absorption": "Oral treatment suits normal absorption",
    "oral_preference_noted_for_specialist": "Oral preference noted for the specialist",
    "us_regimen_not_stated_for_neuro": "US schedule not stated for neurological involvement",
    "specialist_advice_low_platelets": "Low platelets: seek specialist advice",
    "route_needs_specialist_decision": "Route needs the specialist's decision",
}

TRIAGE_HEADINGS = {
    "emergency": "EMERGENCY: call your local emergency number now",
    "urgent": "URGENT: contact a clinician today",
    "routine": "Mention this at your next appointment",
}
_TRIAGE_RANK = {"emergency": 0, "urgent": 1, "routine": 2}


# --------------------------------------------------------------------------------------------
# Grouping a turn
# --------------------------------------------------------------------------------------------


@dataclass
class Reply:
    """One chat message to send: text (may be empty), buttons and an optional payload."""

    text: str = ""
    buttons: list[dict[str, str]] = field(default_factory=list)
    payload: Json | None = None

    @property
    def kind(self) -> str:
        """The payload's ``type`` (``""`` for a plain text message)."""
        return str((self.payload or {}).get("type") or "")

    def priority(self) -> int:
        """Triage first, emergencies before anything else; then the bot's own order."""
        if self.kind == "b12.triage":
            return _TRIAGE_RANK.get(str((self.payload or {}).get("urgency")), 2)
        return 3


def clean_buttons(buttons: Any) -> list[dict[str, str]]:
    """Buttons as ``[{title, payload}]`` with both strings; anything else is dropped."""
    out: list[dict[str, str]] = []
    for button in buttons or []:
        if not isinstance(button, Mapping):
            continue
        title, payload = button.get("title"), button.get("payload")
        if isinstance(title, str) and isinstance(payload, str) and title and payload:
            out.append({"title": title, "payload": payload})
    return out


def group_turn(messages: Iterable[Mapping[str, Any]]) -> list[Reply]:
    """Pair each ``custom`` payload with the text sent just before it.

    ``messages`` are Rasa's collected bot messages (``text``, ``buttons``, ``custom``, ...).
    A text followed by another text is a reply of its own. Triage replies move to the front
    (emergency first); everything else keeps the bot's order.
    """
    replies: list[Reply] = []
    pending: Reply | None = None
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, Mapping):
            reply = pending or Reply()
            reply.payload = dict(custom)
            replies.append(reply)
            pending = None
            continue
        text = message.get("text")
        buttons = clean_buttons(message.get("buttons") or message.get("quick_replies"))
        image = message.get("image")
        if not text and not buttons and isinstance(image, str):
            text = image
        if not text and not buttons:
            continue
        if pending is not None:
            replies.append(pending)
        pending = Reply(text=str(text or ""), buttons=buttons)
    if pending is not None:
        replies.append(pending)
    return sorted(replies, key=Reply.priority)


# --------------------------------------------------------------------------------------------
# Shared wording
# --------------------------------------------------------------------------------------------


def label(code: Any) -> str:
    """A readable label for a plan code."""
    text = str(code)
    known = LABELS.get(text)
    if known:
        return known
    words = text.replace("_", " ")
    return words[:1].upper() + words[1:]


def _num(value: Any) -> str:
    if isinstance(value, bool) or not isinstance(value, (int, float)):
        return "" if value is None else str(value)
    return f"{value:g}"


def _span(low: Any, high: Any) -> str:
    if low is None:
        return ""
    if high is None or high == low:
        return _num(low)
    return f"{_num(low)}-{_num(high)}"


def describe_duration(duration: Any) -> str:
    """E.g. ``for 2 weeks``, ``until there is no further improvement``, ``for life``."""
    if not isinstance(duration, Mapping):
        return ""
    kind = duration.get("kind")
    if kind == "fixed":
        span = _span(duration.get("min"), duration.get("max"))
        return f"for {span} {duration.get('unit') or ''}".strip()
    if kind == "doses":
        return f"{_span(duration.get('min'), duration.get('max'))} doses"
    return {
        "until_no_further_improvement": "until there is no further improvement",
        "lifelong": "for life",
        "indefinite": "indefinitely",
        "not_stated": "duration not stated by the source",
    }.get(str(kind), label(kind).lower() if kind else "")


def describe_step(step: Mapping[str, Any]) -> str:
    """E.g. ``1 mg, intramuscular, on alternate days, until there is no further improvement``."""
    dose = f"{_span(step.get('dose'), step.get('dose_max'))} {step.get('unit') or ''}".strip()
    frequency = step.get("frequency")
    parts = [
        dose,
        str(step.get("route") or ""),
        FREQUENCY.get(str(frequency), label(frequency).lower()) if frequency else "",
        describe_duration(step.get("duration")),
    ]
    return ", ".join(p for p in parts if p)


def citations_of(payload: Mapping[str, Any], key: str = "citations") -> list[Json]:
    """The payload's citation objects (those with a ``snippet_id``)."""
    value = payload.get(key)
    if not isinstance(value, list):
        return []
    return [
        dict(c) for c in value if isinstance(c, Mapping) and isinstance(c.get("snippet_id"), str)
    ]


def citation_numbers(citations: Sequence[Mapping[str, Any]]) -> dict[str, int]:
    """Snippet id -> its number in the list (1-based), as the text numbers them."""
    return {str(c["snippet_id"]): n for n, c in enumerate(citations, start=1)}


def marks(snippet_ids: Any, numbers: Mapping[str, int]) -> str:
    """``[2][4]`` for the snippet ids that have a number."""
    if not isinstance(snippet_ids, list):
        return ""
    found = [numbers[s] for s in snippet_ids if isinstance(s, str) and s in numbers]
    return "".join(f"[{n}]" for n in dict.fromkeys(found))


def citation_label(cite: Mapping[str, Any]) -> str:
    """The review label to show, ``""`` for approved content."""
    if cite.get("label"):
        return str(cite["label"])
    return PENDING_LABEL if cite.get("pending_review") else ""


def citation_line(number: int, cite: Mapping[str, Any]) -> str:
    """``[1] text — Source, 2025 (source refs 1,2) · pending clinical review`` (no markup)."""
    source = str(cite.get("source") or "")
    year = f", {cite['year']}" if cite.get("year") else ""
    refs = cite.get("cites")
    ref_text = (
        f" (source refs {','.join(str(r) for r in refs)})"
        if isinstance(refs, list) and refs
        else ""
    )
    pending = citation_label(cite)
    tail = f" · {pending}" if pending else ""
    return f"[{number}] {cite.get('text') or ''} — {source}{year}{ref_text}{tail}"


def for_clinician(payload: Mapping[str, Any]) -> bool:
    """Whether a plan may show doses and schedules: only when its audience is ``clinician``."""
    return payload.get("audience") == "clinician"


def plan_title(payload: Mapping[str, Any]) -> str:
    """Card title of a plan."""
    return "Treatment plan" if for_clinician(payload) else "What the guideline says"


def plan_facts(payload: Mapping[str, Any]) -> list[tuple[str, str]]:
    """(term, value) rows: neurological involvement, cause, drug and route."""
    plan = payload.get("plan") if isinstance(payload.get("plan"), Mapping) else {}
    assert isinstance(plan, Mapping)
    rows = [("Neurological involvement", str(plan.get("neurological_involvement") or "unknown"))]
    if plan.get("cause"):
        rows.append(("Cause", label(plan["cause"])))
    drug_route = ", ".join(str(plan[k]) for k in ("drug", "route") if plan.get(k))
    if drug_route:
        rows.append(("Drug and route", drug_route))
    return rows


def plan_steps(payload: Mapping[str, Any], numbers: Mapping[str, int]) -> list[tuple[str, str]]:
    """(Loading|Maintenance|Duration, description with citation marks) rows."""
    plan = payload.get("plan") if isinstance(payload.get("plan"), Mapping) else {}
    assert isinstance(plan, Mapping)
    rows: list[tuple[str, str]] = []
    for name, key in (("Loading", "loading"), ("Maintenance", "maintenance")):
        steps = plan.get(key)
        for step in steps if isinstance(steps, list) else []:
            if isinstance(step, Mapping):
                cited = marks(step.get("snippet_ids"), numbers)
                rows.append((name, f"{describe_step(step)} {cited}".strip()))
    lifelong = plan.get("lifelong")
    duration = (
        "Lifelong"
        if lifelong is True
        else "Not lifelong"
        if lifelong is False
        else "Not stated by the source for these facts"
    )
    rows.append(("Duration", duration))
    return rows


def plan_groups(payload: Mapping[str, Any]) -> list[tuple[str, str, list[str]]]:
    """(key, heading, labels) for warnings, monitoring and notes that are present (clinician)."""
    plan = payload.get("plan") if isinstance(payload.get("plan"), Mapping) else {}
    assert isinstance(plan, Mapping)
    out = []
    for key, heading in (
        ("warnings", "Warnings"),
        ("monitoring", "Monitoring"),
        ("notes", "Not covered / would change the plan"),
    ):
        codes = plan.get(key)
        if isinstance(codes, list) and codes:
            out.append((key, heading, [label(c) for c in codes]))
    return out


def patient_lines(text: str) -> list[str]:
    """The engine's plain-language plan text without its source footer, one line each.

    The engine sends the body, a blank line, then ``Sources: ...`` and numbered snippet ids;
    the card shows those citations itself, so parts starting with ``Sources:`` are left out.
    """
    footer = ("Source:", "Sources:")
    parts = [p for p in text.strip().split("\n\n") if not p.lstrip().startswith(footer)]
    return [line for part in parts for line in part.split("\n") if line.strip()]


def specialist_line(payload: Mapping[str, Any], numbers: Mapping[str, int]) -> str | None:
    """``Urgent specialist advice: neurology and haematology [1]`` or None."""
    plan = payload.get("plan") if isinstance(payload.get("plan"), Mapping) else {}
    assert isinstance(plan, Mapping)
    if not plan.get("urgent_specialist_advice"):
        return None
    specialists = plan.get("specialists")
    who = " and ".join(str(s) for s in specialists) if isinstance(specialists, list) else ""
    cited = marks([s for s in numbers if "specialist" in s], numbers)
    return f"Urgent specialist advice{': ' + who if who else ''}. {cited}".strip()


def triage_parts(payload: Mapping[str, Any]) -> tuple[str, str, str, str]:
    """(urgency, heading, advice, red flags sentence)."""
    urgency = str(payload.get("urgency"))
    if urgency not in TRIAGE_HEADINGS:
        urgency = "routine"
    advice = str(payload.get("advice") or "")
    flags = payload.get("red_flags")
    named = (
        "Warning signs: " + ", ".join(label(f).lower() for f in flags) + "."
        if isinstance(flags, list) and flags
        else ""
    )
    # The engine words the heading (e.g. "I cannot assess these symptoms here" for symptoms it
    # does not recognise); the table is only a fallback for payloads without one.
    heading = str(payload.get("heading") or "").rstrip(". ") or TRIAGE_HEADINGS[urgency]
    return urgency, heading, advice, named


def fallback_text(reply: Reply) -> str:
    """Plain text for a reply: the bot's own text, else one made from the payload."""
    if reply.text.strip():
        return reply.text.strip()
    payload = reply.payload or {}
    kind = reply.kind
    if kind == "b12.triage":
        _, heading, advice, named = triage_parts(payload)
        return " ".join(p for p in (heading + ".", advice, named) if p)
    if kind == "b12.regimen" and not for_clinician(payload):
        cites = citations_of(payload)
        lines = [plan_title(payload)]
        lines += [citation_line(n, c) for n, c in enumerate(cites, start=1)]
        return "\n".join(lines)
    if kind == "b12.regimen":
        cites = citations_of(payload)
        numbers = citation_numbers(cites)
        lines = [plan_title(payload)]
        special = specialist_line(payload, numbers)
        if special:
            lines.append(special)
        lines += [f"{t}: {v}" for t, v in (*plan_facts(payload), *plan_steps(payload, numbers))]
        for _, heading, labels in plan_groups(payload):
            lines.append(f"{heading}:")
            lines += [f"- {x}" for x in labels]
        lines += [citation_line(n, c) for n, c in enumerate(cites, start=1)]
        return "\n".join(lines)
    if kind == "b12.answer":
        cites = citations_of(payload, "snippets")
        return "\n".join(citation_line(n, c) for n, c in enumerate(cites, start=1))
    if reply.buttons:
        return " / ".join(b["title"] for b in reply.buttons)
    return ""


def _truncate(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 1].rstrip() + "…"


def _chunks(text: str, limit: int) -> list[str]:
    """Split on line breaks into pieces of at most ``limit`` characters."""
    pieces: list[str] = []
    current = ""
    for line in text.split("\n"):
        while len(line) > limit:
            if current:
                pieces.append(current)
                current = ""
            pieces.append(line[:limit])
            line = line[limit:]
        candidate = f"{current}\n{line}" if current else line
        if len(candidate) > limit:
            pieces.append(current)
            current = line
        else:
            current = candidate
    if current.strip():
        pieces.append(current)
    return [p for p in pieces if p.strip()]


# --------------------------------------------------------------------------------------------
# Slack Block Kit
# --------------------------------------------------------------------------------------------


def slack_escape(text: str) -> str:
    """Escape Slack's control characters (``&``, ``<``, ``>``) in bot text."""
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def _mrkdwn(text: str) -> Json:
    return {"type": "mrkdwn", "text": text}


def _section(text: str) -> Json:
    return {"type": "section", "text": _mrkdwn(_truncate(text, SLACK_SECTION_CHARS))}


def _text_sections(text: str) -> list[Json]:
    return [
        _section(slack_escape(piece)) for piece in _chunks(text.strip(), SLACK_SECTION_CHARS - 200)
    ]


def slack_buttons(buttons: Sequence[Mapping[str, str]]) -> Json | None:
    """An ``actions`` block: one button per bot button, its ``value`` the Rasa payload."""
    elements = []
    for index, button in enumerate(buttons[:SLACK_MAX_BUTTONS]):
        payload = button["payload"]
        if len(payload) > SLACK_BUTTON_VALUE_CHARS:
            continue
        elements.append(
            {
                "type": "button",
                "action_id": f"b12_button_{index}",
                "text": {
                    "type": "plain_text",
                    "text": _truncate(button["title"], SLACK_BUTTON_TEXT_CHARS),
                    "emoji": True,
                },
                "value": payload,
            }
        )
    return (
        {"type": "actions", "block_id": "b12_buttons", "elements": elements} if elements else None
    )


def _slack_citations(
    cites: Sequence[Mapping[str, Any]], heading: str, room: int, *, with_text: bool = True
) -> list[Json]:
    """A heading context block, then one context block per citation (within ``room``)."""
    if not cites or room < 2:
        return []
    pending = any(citation_label(c) for c in cites)
    head = f"*{heading}*" + (f" · _{PENDING_LABEL}_" if pending else "")
    blocks: list[Json] = [{"type": "context", "elements": [_mrkdwn(head)]}]
    shown = list(enumerate(cites, start=1))
    if len(shown) > room - 1:
        shown = shown[: room - 2]
    for number, cite in shown:
        source = slack_escape(str(cite.get("source") or ""))
        year = f", {cite['year']}" if cite.get("year") else ""
        refs = cite.get("cites")
        ref_text = (
            f" (source refs {','.join(str(r) for r in refs)})"
            if isinstance(refs, list) and refs
            else ""
        )
        pending_label = citation_label(cite)
        tail = f" · `{slack_escape(pending_label)}`" if pending_label else ""
        quoted = f" {slack_escape(str(cite.get('text') or ''))}\n" if with_text else " "
        text = f"*[{number}]*{quoted}_{source}{year}_{ref_text}{tail}"
        blocks.append(
            {"type": "context", "elements": [_mrkdwn(_truncate(text, SLACK_SECTION_CHARS))]}
        )
    if len(shown) < len(cites):
        more = len(cites) - len(shown)
        blocks.append(
            {"type": "context", "elements": [_mrkdwn(f"{more} more: say *sources* for the list.")]}
        )
    return blocks


def _slack_plan_header(payload: Mapping[str, Any], cites: Sequence[Mapping[str, Any]]) -> Json:
    pending = any(citation_label(c) for c in cites)
    title = plan_title(payload) + (f" ({PENDING_LABEL})" if pending else "")
    return {
        "type": "header",
        "text": {"type": "plain_text", "text": _truncate(title, SLACK_HEADER_CHARS)},
    }


def _slack_kb_footer(payload: Mapping[str, Any]) -> list[Json]:
    kb = payload.get("kb_version")
    if not kb:
        return []
    return [{"type": "context", "elements": [_mrkdwn(f"Knowledge base `{slack_escape(str(kb))}`")]}]


def _slack_patient_plan(reply: Reply) -> list[Json]:
    """The engine's plain-language text and the patient-worded citations; no plan rows."""
    payload = reply.payload or {}
    cites = citations_of(payload)
    body = "\n".join(patient_lines(reply.text))
    blocks: list[Json] = [_slack_plan_header(payload, cites)]
    if body:
        blocks.extend(_text_sections(body))
    blocks.append({"type": "divider"})
    footer = _slack_kb_footer(payload)
    room = SLACK_MAX_BLOCKS - len(blocks) - len(footer) - 1  # 1 for the buttons
    return [*blocks, *_slack_citations(cites, "Citations", room), *footer]


def _slack_plan(payload: Mapping[str, Any]) -> list[Json]:
    cites = citations_of(payload)
    numbers = citation_numbers(cites)
    blocks: list[Json] = [_slack_plan_header(payload, cites)]
    special = specialist_line(payload, numbers)
    if special:
        blocks.append(_section(f":rotating_light: *{slack_escape(special)}*"))
    blocks.append(
        {
            "type": "section",
            "fields": [_mrkdwn(f"*{t}*\n{slack_escape(v)}") for t, v in plan_facts(payload)],
        }
    )
    for term, value in plan_steps(payload, numbers):
        blocks.append(_section(f"*{term}*\n{slack_escape(value)}"))
    for key, heading, labels in plan_groups(payload):
        icon = ":warning: " if key == "warnings" else ""
        items = "\n".join(f"• {slack_escape(x)}" for x in labels)
        blocks.append(_section(f"{icon}*{heading}*\n{items}"))
    blocks.append({"type": "divider"})
    footer = _slack_kb_footer(payload)
    room = SLACK_MAX_BLOCKS - len(blocks) - len(footer) - 1  # 1 for the buttons
    return [*blocks, *_slack_citations(cites, "Citations", room), *footer]


def _slack_triage(payload: Mapping[str, Any]) -> list[Json]:
    urgency, heading, advice, named = triage_parts(payload)
    icon = {"emergency": ":rotating_light:", "urgent": ":warning:"}.get(
        urgency, ":information_source:"
    )
    blocks: list[Json] = [_section(f"{icon} *{slack_escape(heading)}*")]
    if advice:
        blocks.append(_section(f"*What to do now:* {slack_escape(advice)}"))
    if named:
        blocks.append({"type": "context", "elements": [_mrkdwn(slack_escape(named))]})
    return blocks


def _slack_answer(reply: Reply) -> list[Json]:
    cites = citations_of(reply.payload or {}, "snippets")
    if not cites:
        return _text_sections(reply.text)
    body = "\n".join(
        f"{slack_escape(str(c.get('text') or ''))} *[{n}]*" for n, c in enumerate(cites, start=1)
    )
    sources = _slack_citations(cites, "From the guideline", SLACK_MAX_BLOCKS - 3, with_text=False)
    return [_section(body), *sources]


def _slack_why(payload: Mapping[str, Any]) -> list[Json]:
    facts = payload.get("facts_used") if isinstance(payload.get("facts_used"), Mapping) else {}
    assert isinstance(facts, Mapping)
    rows = []
    for key, value in facts.items():
        shown = ", ".join(label(v) for v in value) if isinstance(value, list) else str(value)
        rows.append(f"• {slack_escape(label(key))}: {slack_escape(shown)}")
    rules = payload.get("rule_path") if isinstance(payload.get("rule_path"), list) else []
    assert isinstance(rules, list)
    steps = [f"{n}. {slack_escape(str(r))}" for n, r in enumerate(rules, start=1)]
    blocks = [
        {"type": "header", "text": {"type": "plain_text", "text": "Why this plan"}},
        _section("*Facts used*\n" + ("\n".join(rows) or "none")),
    ]
    # Patients get no rule path (it names doses); clinicians do.
    return blocks + ([_section("*Rules applied*\n" + "\n".join(steps))] if steps else [])


def slack_blocks(reply: Reply) -> list[Json]:
    """Block Kit blocks for one reply (payload-specific where it has a structure)."""
    kind, payload = reply.kind, reply.payload or {}
    if kind == "b12.regimen" and not for_clinician(payload):
        blocks = _slack_patient_plan(reply)
    elif kind == "b12.regimen":
        blocks = _slack_plan(payload)
    elif kind == "b12.triage":
        blocks = _slack_triage(payload)
    elif kind == "b12.answer":
        blocks = _slack_answer(reply)
    elif kind == "b12.why":
        blocks = _slack_why(payload)
    else:
        blocks = _text_sections(reply.text or fallback_text(reply))
    actions = slack_buttons(reply.buttons)
    blocks = blocks[: SLACK_MAX_BLOCKS - (1 if actions else 0)]
    if actions:
        blocks.append(actions)
    return blocks


def slack_message(reply: Reply) -> Json:
    """Keyword arguments for ``chat.postMessage``: ``text`` (fallback) and ``blocks``."""
    return {
        "text": _truncate(fallback_text(reply) or " ", SLACK_FALLBACK_CHARS),
        "blocks": slack_blocks(reply),
    }


# --------------------------------------------------------------------------------------------
# Microsoft Teams: Adaptive Cards 1.4
# --------------------------------------------------------------------------------------------


def _tb(text: str, **props: Any) -> Json:
    return {"type": "TextBlock", "text": text, "wrap": True, **props}


def submit_action(button: Mapping[str, str]) -> Json:
    """``Action.Submit`` whose data carries the Rasa payload; in Teams a ``messageBack``."""
    payload = button["payload"]
    return {
        "type": "Action.Submit",
        "title": button["title"],
        "data": {
            SUBMIT_KEY: payload,
            "msteams": {
                "type": "messageBack",
                "text": payload,
                "displayText": button["title"],
                "value": {SUBMIT_KEY: payload},
            },
        },
    }


def _ac_citations(
    cites: Sequence[Mapping[str, Any]], heading: str, *, with_text: bool = True
) -> list[Json]:
    if not cites:
        return []
    pending = any(citation_label(c) for c in cites)
    items: list[Json] = [
        _tb(heading, weight="Bolder", separator=True, spacing="Medium"),
    ]
    if pending:
        items.append(_tb(PENDING_LABEL, color="Warning", size="Small", spacing="None"))
    for number, cite in enumerate(cites, start=1):
        source = str(cite.get("source") or "")
        year = f", {cite['year']}" if cite.get("year") else ""
        pending_label = citation_label(cite)
        tail = f" · {pending_label}" if pending_label else ""
        if with_text:
            items.append(_tb(f"[{number}] {cite.get('text') or ''}", size="Small", spacing="Small"))
            items.append(_tb(f"{source}{year}{tail}", size="Small", isSubtle=True, spacing="None"))
        else:
            items.append(_tb(f"[{number}] {source}{year}{tail}", size="Small", isSubtle=True))
    return items


def _ac_patient_plan(reply: Reply) -> list[Json]:
    """The engine's plain-language text and the patient-worded citations; no plan rows."""
    payload = reply.payload or {}
    cites = citations_of(payload)
    body: list[Json] = [_tb(plan_title(payload), size="Large", weight="Bolder")]
    if any(citation_label(c) for c in cites):
        body.append(_tb(PENDING_LABEL, color="Warning", size="Small", spacing="None"))
    body.extend(_tb(line, spacing="Small") for line in patient_lines(reply.text))
    body.extend(_ac_citations(cites, "Citations"))
    if payload.get("kb_version"):
        body.append(_tb(f"Knowledge base {payload['kb_version']}", size="Small", isSubtle=True))
    return body


def _ac_plan(payload: Mapping[str, Any]) -> list[Json]:
    cites = citations_of(payload)
    numbers = citation_numbers(cites)
    body: list[Json] = [_tb(plan_title(payload), size="Large", weight="Bolder")]
    if any(citation_label(c) for c in cites):
        body.append(_tb(PENDING_LABEL, color="Warning", size="Small", spacing="None"))
    special = specialist_line(payload, numbers)
    if special:
        body.append(
            {
                "type": "Container",
                "style": "attention",
                "items": [_tb(special, weight="Bolder", color="Attention")],
            }
        )
    facts = [*plan_facts(payload), *plan_steps(payload, numbers)]
    body.append({"type": "FactSet", "facts": [{"title": t, "value": v} for t, v in facts]})
    for key, heading, labels in plan_groups(payload):
        items = [_tb(heading, weight="Bolder")] + [_tb(f"• {x}", spacing="None") for x in labels]
        if key == "warnings":
            body.append({"type": "Container", "style": "warning", "items": items})
        else:
            body.extend(items)
    body.extend(_ac_citations(cites, "Citations"))
    if payload.get("kb_version"):
        body.append(_tb(f"Knowledge base {payload['kb_version']}", size="Small", isSubtle=True))
    return body


def _ac_triage(payload: Mapping[str, Any]) -> list[Json]:
    urgency, heading, advice, named = triage_parts(payload)
    style = {"emergency": "attention", "urgent": "warning"}.get(urgency, "emphasis")
    color = {"emergency": "Attention", "urgent": "Warning"}.get(urgency, "Default")
    items = [_tb(heading, size="Large", weight="Bolder", color=color)]
    if advice:
        items.append(_tb(f"What to do now: {advice}"))
    if named:
        items.append(_tb(named, size="Small"))
    return [{"type": "Container", "style": style, "bleed": True, "items": items}]


def _ac_answer(reply: Reply) -> list[Json]:
    cites = citations_of(reply.payload or {}, "snippets")
    if not cites:
        return [_tb(reply.text)]
    body = [_tb(f"{c.get('text') or ''} [{n}]") for n, c in enumerate(cites, start=1)]
    return body + _ac_citations(cites, "From the guideline", with_text=False)


def _ac_why(payload: Mapping[str, Any]) -> list[Json]:
    facts = payload.get("facts_used") if isinstance(payload.get("facts_used"), Mapping) else {}
    assert isinstance(facts, Mapping)
    rules = payload.get("rule_path") if isinstance(payload.get("rule_path"), list) else []
    assert isinstance(rules, list)
    return [
        _tb("Why this plan", size="Large", weight="Bolder"),
        _tb("Facts used", weight="Bolder"),
        {
            "type": "FactSet",
            "facts": [
                {
                    "title": label(k),
                    "value": ", ".join(label(x) for x in v) if isinstance(v, list) else str(v),
                }
                for k, v in facts.items()
            ],
        },
        *([_tb("Rules applied", weight="Bolder")] if rules else []),
        *[_tb(f"{n}. {r}", spacing="None") for n, r in enumerate(rules, start=1)],
    ]


def needs_card(reply: Reply) -> bool:
    """Whether a reply is sent as an Adaptive Card (else as a plain text activity)."""
    return bool(reply.buttons) or reply.kind in {
        "b12.regimen",
        "b12.triage",
        "b12.answer",
        "b12.why",
    }


def adaptive_card(reply: Reply) -> Json:
    """The Adaptive Card (1.4) content for one reply; ``fallbackText`` is its plain text."""
    kind, payload = reply.kind, reply.payload or {}
    if kind == "b12.regimen" and not for_clinician(payload):
        body = _ac_patient_plan(reply)
    elif kind == "b12.regimen":
        body = _ac_plan(payload)
    elif kind == "b12.triage":
        body = _ac_triage(payload)
    elif kind == "b12.answer":
        body = _ac_answer(reply)
    elif kind == "b12.why":
        body = _ac_why(payload)
    else:
        body = [_tb(piece) for piece in _chunks(reply.text or fallback_text(reply), 4000)]
    card: Json = {
        "type": "AdaptiveCard",
        "$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
        "version": ADAPTIVE_CARD_VERSION,
        "body": body,
        "fallbackText": fallback_text(reply),
    }
    if reply.buttons:
        card["actions"] = [submit_action(b) for b in reply.buttons]
    return card


def teams_activity(reply: Reply) -> Json:
    """Activity fields for one reply: an Adaptive Card attachment, or plain text."""
    text = fallback_text(reply)
    if not needs_card(reply):
        return {"text": text, "textFormat": "plain"}
    return {
        "text": "",
        "summary": _truncate(text.split("\n", 1)[0], TEAMS_SUMMARY_CHARS),
        "attachments": [{"contentType": ADAPTIVE_CARD_TYPE, "content": adaptive_card(reply)}],
    }


def submitted_payload(value: Any) -> str | None:
    """The Rasa payload a card submit carries in ``activity.value``, if any."""
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            return None
    if not isinstance(value, Mapping):
        return None
    payload = value.get(SUBMIT_KEY)
    if isinstance(payload, str) and payload.strip():
        return payload.strip()
    nested = value.get("msteams")
    if isinstance(nested, Mapping):
        return submitted_payload(nested.get("value"))
    return None
