#!/usr/bin/env python
"""Measure the bot on the frozen blind sets (tests/eval/blind/, issue 10 item 6).

Usage::

    python scripts/eval_blind.py [--split dev|test] [--json PATH]

Three sets, each run through the engine the way the bot runs it (no servers, no NLU model):

* **First messages**: the NLU component's entities (``entities_for_text``), the slot values
  Rasa would fill from them (``domain.yml`` mappings, last value wins; causes add up), the
  facts (``facts_from_values``), triage (the ``triage_urgency`` entity) and the plan
  (``actions.engine.render_gated_plan``). Scored: accuracy per field (a field the bot sets
  where the gold is silent counts as wrong), messages with every field right, the outcome
  with a confusion matrix, the assertions of findings the bot records, values named back.
* **Follow-ups**: ``retriever().search`` as actions/followup.py calls it; top-1 is right when
  the top snippet restates a gold seed line (``tests/eval/blind/seed_line_map.yml``).
* **Languages**: the language notice (the component's ``language`` entity) and triage recall.

Decline is modelled from the actions' own checks (a language notice; another condition named
without a B12 term or cause, as actions/guard.py; no fact and no B12 term, as actions/plan.py);
the intent classifier is not run. The dev split prints every miss in full, the test split only
the ids of its misses. This is a report, not a gate: it always exits 0.
"""

from __future__ import annotations

import argparse
import json
import math
import sys
from collections import Counter
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from enum import Enum
from functools import cache
from pathlib import Path
from typing import Any

import yaml

ROOT = Path(__file__).resolve().parent.parent
for _path in (ROOT, ROOT / "src"):
    if str(_path) not in sys.path:
        sys.path.insert(0, str(_path))

from guideline_engine.extraction.text import clean_text  # noqa: E402
from guideline_engine.render.messages import Audience  # noqa: E402
from guideline_engine.scope import declined_condition  # noqa: E402
from guideline_engine.topics import nothing_on_topic  # noqa: E402

BLIND = ROOT / "tests" / "eval" / "blind"
LINE_MAP = BLIND / "seed_line_map.yml"
DOMAIN = ROOT / "domain.yml"

FIELDS = (
    "audience",
    "neurological_involvement",
    "causes",
    "age",
    "sex",
    "b12",
    "b12_status",
    "folate",
    "folate_status",
    "haemoglobin",
    "platelet_count",
    "pregnant",
    "breastfeeding",
    "pancytopenia",
    "formulary",
    "route_preference",
    "ileal_resection_cm",
    "injection_contraindication",
    "folic_acid_started",
)
"""Fields of the fact contract, in report order (a gold field not listed is scored too)."""

DEFAULTED_FIELDS = frozenset({"audience"})
"""Always has a value in the bot (patient by default): scored only where the gold states it."""
LAB_FIELDS = frozenset({"b12", "folate"})
NUMBER_FIELDS = frozenset({"age", "platelet_count", "haemoglobin", "ileal_resection_cm"})
CATEGORIES = ("certainty", "experiencer", "time")
CAUSE_ALIASES = {"antifolate_medication": "medication"}
"""Cause ids of a topic package -> the gold's cause words (the writer's 'medication' covers
folate-lowering drugs; the bot keeps them apart from B12's medication causes)."""

GATE_CLASSES = {
    "under_16": "gate_under_16",
    "pregnancy": "gate_pregnancy",
    "breastfeeding": "gate_pregnancy",
    "pregnancy_breastfeeding": "gate_pregnancy",
    "low_platelets": "gate_low_platelets",
    "pancytopenia_severe_anaemia": "gate_severe",
}
"""Last part of a gate id -> the outcome class of the gold labels."""

CONCEPT_ALIASES: dict[str, tuple[str, ...]] = {
    "numbness": ("numbness",),
    "tingling": ("paraesthesia",),
    "pins_and_needles": ("paraesthesia",),
    "paraesthesia": ("paraesthesia",),
    "neurological_symptoms": ("neurological_unspecified",),
    "neurological_signs": ("neurological_unspecified",),
    "loss_of_vibration_sense": ("neurological_unspecified",),
    "loss_of_joint_position_sense": ("neurological_unspecified",),
    "ataxia": ("gait_ataxia",),
    "incoordination": ("gait_ataxia",),
    "romberg_positive": ("gait_ataxia",),
    "memory_loss": ("memory_problems",),
    "cognitive_decline": ("memory_problems",),
    "cognitive_impairment": ("memory_problems",),
    "confusion": ("confusion",),
    "disorientation": ("confusion",),
    "delirium": ("confusion",),
    "weakness": ("muscle_weakness",),
    "visual_change": ("vision_problems",),
    "central_scotoma": ("vision_problems",),
    "colour_vision_loss": ("vision_problems",),
    "peripheral_neuropathy": ("peripheral_neuropathy",),
    "neuropathy": ("peripheral_neuropathy",),
    "fatigue": ("fatigue",),
    "breathlessness": ("breathlessness",),
    "pallor": ("pallor",),
    "glossitis": ("glossitis",),
    "mouth_ulcers": ("mouth_ulcers",),
    "low_mood": ("low_mood",),
    "palpitations": ("palpitations",),
    "dizziness": ("dizziness",),
    "pernicious_anaemia": ("pernicious_anaemia",),
    "autoimmune_gastritis": ("pernicious_anaemia",),
    "if_antibodies": ("intrinsic_factor_antibody",),
    "parietal_cell_antibodies": ("parietal_cell_antibody",),
    "vegan_diet": ("dietary",),
    "vegetarian_diet": ("dietary",),
    "poor_diet": ("dietary",),
    "dietary_restriction": ("dietary",),
    "metformin": ("medication",),
    "ppi": ("medication",),
    "nitrous_oxide": ("medication",),
    "cimetidine": ("medication",),
    "ileal_resection": ("ileal_resection",),
    "short_bowel": ("malabsorption", "ileal_resection"),
    "crohns_disease": ("malabsorption",),
    "coeliac": ("malabsorption",),
    "gastrectomy": ("malabsorption", "bariatric_surgery"),
    "bariatric_surgery": ("bariatric_surgery",),
}
"""Gold concept (fact contract) -> finding ids the bot may record for it."""


# --------------------------------------------------------------------------- loading


def load_set(name: str, split: str) -> dict[str, Any]:
    """One blind half as written (``name``: first_messages, followups or languages)."""
    data = yaml.safe_load((BLIND / f"{name}_{split}.yml").read_text(encoding="utf-8"))
    return data if isinstance(data, dict) else {}


def load_line_map(path: Path = LINE_MAP) -> dict[str, frozenset[int | str]]:
    """Snippet id -> the seed lines (B12) or folate article keys (folate) it restates."""
    data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    out: dict[str, frozenset[int | str]] = {
        str(k): frozenset(int(n) for n in v or ()) for k, v in data["snippets"].items()
    }
    for k, v in (data.get("folate_snippets") or {}).items():
        out[str(k)] = frozenset(key if isinstance(key, int) else str(key) for key in v or ())
    return out


# --------------------------------------------------------------------------- the bot, as run


@cache
def _entity_slots() -> tuple[tuple[str, str], ...]:
    """(slot, entity) for every ``from_entity`` slot mapping in the domain."""
    slots = (yaml.safe_load(DOMAIN.read_text(encoding="utf-8")) or {}).get("slots") or {}
    return tuple(
        (name, str(m["entity"]))
        for name, spec in slots.items()
        for m in (spec or {}).get("mappings") or []
        if m.get("type") == "from_entity" and m.get("entity")
    )


@cache
def domain_slot_names() -> frozenset[str]:
    """Slot names declared in domain.yml."""
    slots = (yaml.safe_load(DOMAIN.read_text(encoding="utf-8")) or {}).get("slots") or {}
    return frozenset(slots)


def entities(text: str) -> list[dict[str, Any]]:
    """The NLU component's entities for one message (imports Rasa on first use)."""
    from components.clinical_extractor import entities_for_text

    return entities_for_text(text)


def values_by_type(found: Iterable[Mapping[str, Any]]) -> dict[str, list[Any]]:
    """Entity values grouped by entity type, in message order."""
    grouped: dict[str, list[Any]] = {}
    for entity in found:
        grouped.setdefault(str(entity.get("entity")), []).append(entity.get("value"))
    return grouped


def slot_values(found: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The slots Rasa and actions/validate.py would fill from one message's entities."""
    from actions.validate import AUDIENCE_ALIASES

    grouped = values_by_type(found)
    values = {slot: grouped[ent][-1] for slot, ent in _entity_slots() if grouped.get(ent)}
    causes = list(dict.fromkeys(str(v) for v in grouped.get("cause", [])))
    if causes and "causes" in domain_slot_names():
        values["causes"] = causes
    stated = [AUDIENCE_ALIASES.get(str(v)) for v in grouped.get("audience", [])]
    audience = next((a for a in reversed(stated) if a), None)
    if audience:
        values["audience"] = audience
    return values


def is_declined(
    text: str, grouped: Mapping[str, list[Any]], values: Mapping[str, Any] | None
) -> bool:
    """Language notice, another condition (actions/guard.py) or not this topic (plan.py).

    ``values`` are the first message's fact values (None for a follow-up question, which the
    conversation's topic keeps).
    """
    if grouped.get("language"):
        return True
    statuses = [*grouped.get("b12_status", []), *grouped.get("folate_status", [])]
    if declined_condition(text, bool(grouped.get("cause")), map(str, statuses)) is not None:
        return True
    mentioned = map(str, grouped.get("finding", []))
    refused = len(grouped.get("invalid_value", []))
    return values is not None and nothing_on_topic(text, values, mentioned, refused)


def _gate_class(result: object) -> str | None:
    """The outcome class of the first gate that fired, or None when the result is no gate."""
    if type(result).__name__ != "Gated":
        return None
    hits = getattr(result, "hits", ()) or ()
    gate = str(getattr(hits[0], "gate_id", "")).rsplit(".", 1)[-1] if hits else ""
    return GATE_CLASSES.get(gate, "gate_other")


def outcome_class(result: object, payload_type: str, urgency: str | None, declined: bool) -> str:
    """Map what the bot did to a gold outcome class; an unknown result type is ``other``.

    The bot sends triage first and then answers, so one turn may hold both. Order: emergency
    triage, then a gate (a gated plan is the escalation; the pregnancy red flag repeats the
    pregnancy gate), then urgent triage, then a decline, then the plan result.
    """
    gate = _gate_class(result)
    if urgency == "emergency" or (urgency == "urgent" and gate is None):
        return str(urgency)
    if gate is not None:
        return gate
    if declined:
        return "decline"
    if payload_type == "b12.content_unavailable":
        return "content_unavailable"
    kind = type(result).__name__
    simple = {"Plan": "plan", "TablePlan": "plan", "MissingFacts": "ask", "InvalidFacts": "invalid"}
    return simple.get(kind, "other")


@dataclass(frozen=True)
class FirstReading:
    """What the bot made of a first message, in the gold's terms."""

    fields: dict[str, Any]
    outcome: str
    topic: str = "b12"
    findings: tuple[Mapping[str, Any], ...] = ()
    named_back: int = 0
    error: str | None = None
    worded_for: str = "patient"  # the audience the wording follows (stated or chosen only)


def _plain(value: Any) -> Any:
    """Enums to their values, unknown and empty to None, sets to frozensets."""
    if isinstance(value, Enum):
        value = value.value
    if isinstance(value, set | frozenset | list | tuple):
        items = frozenset(str(_plain(v)) for v in value)
        return items or None
    return None if value == "unknown" else value


def bot_field(name: str, facts: Any, extraction: Any, slots: Mapping[str, Any]) -> Any:
    """One field as the plan sees it (one it has no place for: as the extractor read it)."""
    if name == "audience":  # stated or chosen; else how the message reads (an offer, not wording)
        stated = slots.get(name)
        if stated is not None:
            return "clinician" if stated == "clinician" else "patient"
        return getattr(extraction, "audience_style", None) or "patient"
    if name == "formulary":
        return slots.get(name)
    if name == "causes":  # every cause read, B12's and other topics' (facts keep B12's only)
        raw = slots.get("causes") or []
        return _plain([CAUSE_ALIASES.get(str(c), str(c)) for c in raw])
    if name == "b12_status":
        return _plain(getattr(getattr(facts, "b12", None), "status", None))
    if name in LAB_FIELDS:
        lab = getattr(facts, name, None)
        value = getattr(lab, "value", None)
        return None if value is None else {"value": value, "unit": getattr(lab, "unit", None)}
    if hasattr(facts, name):
        return _plain(getattr(facts, name))
    return _plain(getattr(extraction, name, None))


def _routed(
    text: str, slots: Mapping[str, Any], facts: Any, audience: Audience
) -> tuple[object, Any, str]:
    """The answer as actions/plan.py gives it: the routed topic, its table or its module.

    A table that hands over first (B12 before folate) is scored by the first answer, and
    its topic is ``both``.
    """
    from actions.engine import render_gated_plan, render_table_result
    from guideline_engine.facts import FACT_NAMES
    from guideline_engine.topics import TablePlan, fact_view, topics

    values = {k: v for k, v in slots.items() if k in FACT_NAMES}
    topic = topics().route(clean_text(text), fact_view(values), None)
    if topic.rules_module is not None:
        result, rendered = render_gated_plan(facts, audience)
        return result, rendered, topic.id
    table, shown = render_table_result(topic, values, audience)
    if isinstance(table, TablePlan) and table.defer_to is not None:
        result, rendered = render_gated_plan(facts, audience)
        return result, rendered, "both" if table.lines else table.defer_to
    return table, shown, topic.id


def read_first_message(text: str) -> FirstReading:
    """Run one first message through the bot's engine, as actions/plan.py does."""
    from guideline_engine.extraction import extract
    from guideline_engine.facts import FACT_NAMES, facts_from_values

    found = entities(text)
    grouped = values_by_type(found)
    slots = slot_values(found)
    read = facts_from_values({k: v for k, v in slots.items() if k in FACT_NAMES})
    audience: Audience = "clinician" if slots.get("audience") == "clinician" else "patient"
    result, rendered, topic = _routed(text, slots, read.facts, audience)
    extraction = extract(clean_text(text))
    urgency = next(iter(grouped.get("triage_urgency", [])), None)
    facts = {k: v for k, v in slots.items() if k in FACT_NAMES}
    declined = is_declined(clean_text(text), grouped, facts)
    payload_type = str(rendered.payload.get("type", ""))
    names = set(FIELDS)
    return FirstReading(
        fields={n: bot_field(n, read.facts, extraction, slots) for n in sorted(names)},
        outcome=outcome_class(result, payload_type, urgency, declined),
        topic="out_of_scope" if declined else topic,
        findings=tuple(extraction.findings_as_dicts()),
        named_back=len(grouped.get("invalid_value", [])) + len(read.problems),
        worded_for=audience,
    )


def safe_first_reading(text: str) -> FirstReading:
    """:func:`read_first_message`, with an engine failure recorded instead of raised."""
    try:
        return read_first_message(text)
    except Exception as exc:  # helpers are editing the engine: report, go on
        return FirstReading(fields={}, outcome="error", error=f"{type(exc).__name__}: {exc}")


# --------------------------------------------------------------------------- field scoring


def _unit(unit: Any) -> str:
    text = str(unit or "").replace(" ", "").replace("µ", "u").replace("μ", "u").lower()
    return text.replace("mcg", "ug")


def _close(a: Any, b: Any) -> bool:
    try:
        return math.isclose(float(a), float(b), rel_tol=1e-6, abs_tol=1e-6)
    except (TypeError, ValueError):
        return False


def field_matches(name: str, gold: Any, got: Any) -> bool:
    """Whether the bot's value equals the gold (labs: value, and unit when the gold has one)."""
    if gold is None or got is None:
        return gold is None and got is None
    if name in LAB_FIELDS:
        gold = gold if isinstance(gold, Mapping) else {"value": gold}
        unit_ok = not gold.get("unit") or _unit(gold["unit"]) == _unit(got.get("unit"))
        return _close(gold.get("value"), got.get("value")) and unit_ok
    if name == "causes":
        return {str(c) for c in gold} == {str(c) for c in got}
    if name == "age":
        return _close(int(float(gold)), int(float(got)))
    if name in NUMBER_FIELDS:
        return _close(gold, got)
    return str(gold).strip().lower() == str(got).strip().lower()


def gold_fields(expected: Mapping[str, Any]) -> dict[str, Any]:
    """The gold's facts plus its audience (``unknown`` means not stated)."""
    gold = dict(expected.get("facts") or {})
    audience = expected.get("audience")
    gold["audience"] = None if audience in (None, "unknown") else audience
    return {k: v for k, v in gold.items() if v is not None}


@dataclass
class FieldTally:
    """One field over the items: gold states it, right, and set where the gold is silent."""

    stated: int = 0
    right: int = 0
    false_pos: int = 0

    @property
    def accuracy(self) -> float | None:
        """Right over (stated + false positives); None when the field never came up."""
        scored = self.stated + self.false_pos
        return self.right / scored if scored else None


def _set_by_bot(got: Mapping[str, Any]) -> set[str]:
    """Fields the bot set; a default (the audience) is not a statement the gold could omit."""
    return {k for k, v in got.items() if v is not None and k not in DEFAULTED_FIELDS}


# A status the bot derives from a number (B12 by NICE NG239's bands since session 6, folate by
# its cut-off) where the gold gives that number but no status: the first blind writer recorded a
# status only when the message stated one in words, the second also from numbers. Such a status is
# neither scored right nor counted as a false positive; the number itself is scored.
DERIVED_STATUS = {"b12_status": "b12", "folate_status": "folate"}


def _scored(gold: Mapping[str, Any], got: Mapping[str, Any]) -> set[str]:
    """Fields to score: the gold's, and those the bot set that the gold could have stated."""
    derived = {n for n, number in DERIVED_STATUS.items() if n not in gold and number in gold}
    return set(gold) | (_set_by_bot(got) - derived)


def field_errors(gold: Mapping[str, Any], got: Mapping[str, Any]) -> dict[str, str]:
    """Fields the bot got wrong, each with ``missed``, ``false_positive`` or ``wrong``."""
    errors: dict[str, str] = {}
    for name in sorted(_scored(gold, got)):
        g, b = gold.get(name), got.get(name)
        if not field_matches(name, g, b):
            errors[name] = "false_positive" if g is None else ("missed" if b is None else "wrong")
    return errors


def tally_fields(
    pairs: Iterable[tuple[Mapping[str, Any], Mapping[str, Any]]],
) -> dict[str, FieldTally]:
    """Per-field tallies over (gold fields, bot fields) pairs."""
    tallies: dict[str, FieldTally] = {}
    for gold, got in pairs:
        for name in _scored(gold, got):
            tally = tallies.setdefault(name, FieldTally())
            if name not in gold:
                tally.false_pos += 1
                continue
            tally.stated += 1
            tally.right += field_matches(name, gold[name], got.get(name))
    return tallies


# --------------------------------------------------------------------------- findings


@dataclass
class AssertionTally:
    """Gold findings: how many could be compared, and per category how many agreed."""

    gold: int = 0
    unmatchable: int = 0
    not_recorded: int = 0
    compared: int = 0
    right: dict[str, int] = field(default_factory=lambda: dict.fromkeys(CATEGORIES, 0))
    unmatched_concepts: Counter[str] = field(default_factory=Counter)


def _agreement(gold: Mapping[str, Any], found: Mapping[str, Any]) -> int:
    return sum(str(gold.get(c)) == str(found.get(c)) for c in CATEGORIES)


def score_findings(
    gold: Sequence[Mapping[str, Any]], found: Sequence[Mapping[str, Any]], tally: AssertionTally
) -> list[str]:
    """Add one message's findings to ``tally``; return its assertion misses, in words."""
    misses: list[str] = []
    for finding in gold:
        tally.gold += 1
        concept = str(finding.get("concept"))
        aliases = CONCEPT_ALIASES.get(concept)
        if aliases is None:
            tally.unmatchable += 1
            tally.unmatched_concepts[concept] += 1
            continue
        mentions = [f for f in found if f.get("id") in aliases]
        if not mentions:
            tally.not_recorded += 1
            continue
        best = max(mentions, key=lambda m: _agreement(finding, m))  # concept said twice
        tally.compared += 1
        for category in CATEGORIES:
            agree = str(finding.get(category)) == str(best.get(category))
            tally.right[category] += agree
            if not agree:
                want, got = finding.get(category), best.get(category)
                misses.append(f"{concept}.{category}: expected {want}, got {got}")
    return misses


# --------------------------------------------------------------------------- follow-ups


@dataclass(frozen=True)
class FollowupReading:
    """The retriever's answer: top snippet id, or a decline and why."""

    top: str | None
    declined: bool
    why: str = ""


def safe_followup_reading(question: str) -> FollowupReading:
    """:func:`read_followup`, with an engine failure recorded instead of raised."""
    try:
        return read_followup(question)
    except Exception as exc:  # helpers are editing the engine: report, go on
        return FollowupReading(None, False, f"error: {type(exc).__name__}: {exc}")


def read_followup(question: str) -> FollowupReading:
    """Run a follow-up as actions/followup.py does (plus the scope and language checks)."""
    from actions.engine import followup_search

    grouped = values_by_type(entities(question))
    if grouped.get("language"):
        return FollowupReading(None, True, "language")
    if is_declined(clean_text(question), grouped, None):
        return FollowupReading(None, True, "other_condition")
    _, result = followup_search(clean_text(question), None, [])
    hits = getattr(result, "hits", None)
    if hits:
        return FollowupReading(str(hits[0].id), False)
    reason = getattr(getattr(result, "reason", None), "value", type(result).__name__)
    return FollowupReading(None, True, str(reason))


def gold_kind(answer: Any) -> str:
    """``covered`` (seed lines), ``folate`` (folate keys only) or ``not_covered``."""
    if answer == "not_covered" or not answer:
        return "not_covered"
    return "covered" if any(isinstance(a, int) for a in answer) else "folate"


def top1_right(
    reading: FollowupReading, answer: Any, line_map: Mapping[str, frozenset[int | str]]
) -> bool:
    """Right when the top snippet restates one of the gold seed lines."""
    if reading.top is None:
        return False
    return bool(line_map.get(reading.top, frozenset()) & set(answer))


@dataclass(frozen=True)
class Ratio:
    """A count over a total, printed as a percentage."""

    num: int
    den: int

    @property
    def value(self) -> float | None:
        """num/den, or None when nothing was counted."""
        return self.num / self.den if self.den else None

    def __str__(self) -> str:
        """``" 93.1% (27/29)"`` or ``"  n/a (0/0)"``."""
        value = self.value
        pct = "  n/a" if value is None else f"{100 * value:5.1f}%"
        return f"{pct} ({self.num}/{self.den})"


def decline_pr(pairs: Iterable[tuple[bool, bool]]) -> tuple[Ratio, Ratio]:
    """Precision and recall of declining over (should decline, declined) pairs."""
    counts = Counter(pairs)
    tp, fp, fn = counts[(True, True)], counts[(False, True)], counts[(True, False)]
    return Ratio(tp, tp + fp), Ratio(tp, tp + fn)


# --------------------------------------------------------------------------- evaluation


@dataclass(frozen=True)
class Miss:
    """One item the bot got wrong: its id, text and what differed."""

    id: str
    text: str
    details: tuple[str, ...]


@dataclass
class FirstReport:
    """Scores of the first-message set."""

    n: int = 0
    fields: dict[str, FieldTally] = field(default_factory=dict)
    all_fields_right: int = 0
    all_fields_worded: int = 0
    all_facts_right: int = 0
    all_and_outcome_right: int = 0
    outcome_right: int = 0
    topic_right: int = 0
    topic_confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    by_topic: dict[str, Counter[str]] = field(default_factory=dict)
    confusion: Counter[tuple[str, str]] = field(default_factory=Counter)
    assertions: AssertionTally = field(default_factory=AssertionTally)
    unusable: Counter[str] = field(default_factory=Counter)
    errors: Counter[str] = field(default_factory=Counter)
    misses: list[Miss] = field(default_factory=list)


def _show(value: Any) -> str:
    if isinstance(value, frozenset | set):
        return "[" + ", ".join(sorted(map(str, value))) + "]"
    return "-" if value is None else str(value)


def _unusable_kind(expected: Mapping[str, Any], named_back: int) -> str | None:
    gold = len(expected.get("unusable_values") or ())
    if gold:
        return "named_all" if named_back >= gold else "named_too_few"
    return "false_alarm" if named_back else None


def score_first_message(item: Mapping[str, Any], got: FirstReading, report: FirstReport) -> None:
    """Add one first message to ``report``."""
    expected = item.get("expected") or {}
    gold = gold_fields(expected)
    errors = field_errors(gold, got.fields)
    for name, tally in tally_fields([(gold, got.fields)]).items():
        total = report.fields.setdefault(name, FieldTally())
        total.stated, total.right = total.stated + tally.stated, total.right + tally.right
        total.false_pos += tally.false_pos
    gold_outcome = str(expected.get("outcome"))
    report.n += 1
    if got.error:
        report.errors[" ".join(got.error.split())[:200]] += 1
    report.confusion[(gold_outcome, got.outcome)] += 1
    report.outcome_right += gold_outcome == got.outcome
    gold_topic = str(expected.get("topic") or "b12")
    report.topic_right += gold_topic == got.topic
    report.topic_confusion[(gold_topic, got.topic)] += 1
    # per gold topic: folate and "both" together against B12, the "same standard"
    group = report.by_topic.setdefault(
        "folate" if gold_topic in {"folate", "both"} else gold_topic, Counter()
    )
    group["n"] += 1
    group["outcome"] += gold_outcome == got.outcome
    group["facts"] += not set(errors) - {"audience"}
    group["routed"] += gold_topic == got.topic
    report.all_fields_right += not errors
    gold_audience = "clinician" if gold.get("audience") == "clinician" else "patient"
    report.all_fields_worded += not set(errors) - {"audience"} and (
        "audience" not in gold or got.worded_for == gold_audience
    )
    report.all_facts_right += not set(errors) - {"audience"}
    report.all_and_outcome_right += not errors and gold_outcome == got.outcome
    kind = _unusable_kind(expected, got.named_back)
    if kind:
        report.unusable[kind] += 1
    details = [
        f"{n} ({e}): expected {_show(gold.get(n))}, got {_show(got.fields.get(n))}"
        for n, e in errors.items()
    ]
    if gold_outcome != got.outcome:
        details.insert(0, f"outcome: expected {gold_outcome}, got {got.outcome}")
    details += score_findings(expected.get("findings") or (), got.findings, report.assertions)
    if kind in ("named_too_few", "false_alarm"):
        gold_values = expected.get("unusable_values")
        details.append(f"unusable values: expected {gold_values}, named back {got.named_back}")
    if got.error:
        details.append(f"error: {got.error}")
    if details:
        report.misses.append(Miss(str(item.get("id")), str(item.get("text")), tuple(details)))


def evaluate_first_messages(items: Iterable[Mapping[str, Any]], reader: Any = None) -> FirstReport:
    """Run and score every first message (``reader`` defaults to the bot's engine)."""
    read = reader or safe_first_reading
    report = FirstReport()
    for item in items:
        score_first_message(item, read(str(item.get("text", ""))), report)
    return report


@dataclass
class FollowupReport:
    """Scores of the follow-up set."""

    covered: int = 0
    top1: int = 0
    folate: int = 0
    folate_declined: int = 0
    folate_top1: int = 0
    decisions: list[tuple[str, bool]] = field(default_factory=list)
    unmapped: set[str] = field(default_factory=set)
    errors: Counter[str] = field(default_factory=Counter)
    misses: list[Miss] = field(default_factory=list)

    def decline(self, with_folate: bool = False) -> tuple[Ratio, Ratio]:
        """Decline precision and recall over B12 questions (with folate as should-decline)."""
        return decline_pr(
            (kind != "covered", declined)
            for kind, declined in self.decisions
            if with_folate or kind != "folate"
        )


def _expected_words(answer: Any, line_map: Mapping[str, frozenset[int | str]]) -> str:
    if gold_kind(answer) != "covered":
        return str(answer)
    lines = {a for a in answer if isinstance(a, int)}
    ids = [sid for sid, restated in line_map.items() if restated & lines]
    return f"seed lines {sorted(lines)} = {', '.join(ids) or 'no snippet restates them'}"


def score_followup(
    item: Mapping[str, Any],
    got: FollowupReading,
    line_map: Mapping[str, frozenset[int | str]],
    report: FollowupReport,
) -> None:
    """Add one follow-up question to ``report``."""
    answer = item.get("answer")
    kind = gold_kind(answer)
    right = got.declined if kind == "not_covered" else top1_right(got, answer, line_map)
    report.decisions.append((kind, got.declined))
    if got.why.startswith("error: "):
        report.errors[" ".join(got.why[len("error: ") :].split())[:200]] += 1
    if got.top is not None and got.top not in line_map:
        report.unmapped.add(got.top)
    if kind == "covered":
        report.covered += 1
        report.top1 += right
    elif kind == "folate":
        report.folate += 1
        report.folate_declined += got.declined
        report.folate_top1 += right
    if not right:
        said = (
            f"declined ({got.why})"
            if got.declined
            else f"{got.top} (lines {sorted(map(str, line_map.get(got.top or '', ())))})"
        )
        detail = f"expected {_expected_words(answer, line_map)}; got {said}"
        report.misses.append(Miss(str(item.get("id")), str(item.get("question")), (detail,)))


def evaluate_followups(
    items: Iterable[Mapping[str, Any]],
    line_map: Mapping[str, frozenset[int | str]],
    reader: Any = None,
) -> FollowupReport:
    """Run and score every follow-up question (``reader`` defaults to the bot's retriever)."""
    read = reader or safe_followup_reading
    report = FollowupReport()
    for item in items:
        score_followup(item, read(str(item.get("question", ""))), line_map, report)
    return report


@dataclass
class LanguageReport:
    """Language notices, and triage of the messages labelled with a red flag."""

    n: int = 0
    notices: Counter[str] = field(default_factory=Counter)
    totals: Counter[str] = field(default_factory=Counter)
    red_flags: int = 0
    triaged: int = 0
    exact: int = 0
    false_alarms: int = 0
    errors: Counter[str] = field(default_factory=Counter)
    misses: list[Miss] = field(default_factory=list)


def read_language(text: str) -> tuple[str | None, str | None]:
    """(language notice, triage urgency) as the NLU component emits them (``error`` if it fails)."""
    try:
        grouped = values_by_type(entities(text))
    except Exception as exc:  # helpers are editing the engine: report, go on
        return None, f"error: {type(exc).__name__}: {' '.join(str(exc).split())[:200]}"
    language = next(iter(grouped.get("language", [])), None)
    urgency = next(iter(grouped.get("triage_urgency", [])), None)
    return (None if language is None else str(language)), (
        None if urgency is None else str(urgency)
    )


def score_language(
    item: Mapping[str, Any], got: tuple[str | None, str | None], report: LanguageReport
) -> None:
    """Add one non-English message to ``report``."""
    language, urgency = got
    written_in, red_flag = str(item.get("language")), str(item.get("red_flag"))
    report.n += 1
    if urgency and urgency.startswith("error: "):
        report.errors[urgency[len("error: ") :]] += 1
    report.totals[written_in] += 1
    report.notices[written_in] += language is not None
    details = [] if language is not None else [f"no language notice (written in {written_in})"]
    if red_flag in ("emergency", "urgent"):
        report.red_flags += 1
        report.triaged += urgency in ("emergency", "urgent")
        report.exact += urgency == red_flag
        if urgency != red_flag:
            details.append(f"triage: expected {red_flag}, got {urgency or 'none'}")
    elif urgency in ("emergency", "urgent"):
        report.false_alarms += 1
        details.append(f"triage: expected none, got {urgency}")
    if details:
        report.misses.append(Miss(str(item.get("id")), str(item.get("text")), tuple(details)))


def evaluate_languages(items: Iterable[Mapping[str, Any]], reader: Any = None) -> LanguageReport:
    """Run and score every non-English message (``reader`` defaults to the NLU component)."""
    read = reader or read_language
    report = LanguageReport()
    for item in items:
        score_language(item, read(str(item.get("text", ""))), report)
    return report


# --------------------------------------------------------------------------- printing


def print_misses(title: str, misses: Sequence[Miss], full: bool) -> None:
    """Every miss in full (dev), or only the ids (test: for reporting, not for reading)."""
    print(f"\n  {title}: {len(misses)} miss(es)")
    if not full:
        print("    ids: " + (", ".join(m.id for m in misses) or "none"))
        return
    for miss in misses:
        print(f"    [{miss.id}] {miss.text!r}")
        for detail in miss.details:
            print(f"        {detail}")


def extractor_only_fields() -> list[str]:
    """Fields the plan's Facts has no place for (scored from the extractor, marked *)."""
    from guideline_engine.regimen.model import Facts

    facts = Facts()
    kept = {"audience", "formulary", "b12_status"}  # slot, slot, Facts.b12.status
    return [n for n in FIELDS if n not in kept and not hasattr(facts, n)]


def print_errors(errors: Counter[str]) -> None:
    """Engine failures (the tree is being edited): how many items, and each distinct error."""
    for error, count in errors.most_common():
        print(f"  ENGINE ERROR on {count} item(s), scored as wrong: {error}")


def print_fields(report: FirstReport) -> None:
    """The per-field table."""
    marked = set(extractor_only_fields())
    print(f"  {'field':<28}{'accuracy':>18}  stated  false+")
    order = [*FIELDS, *sorted(set(report.fields) - set(FIELDS))]
    for name in (n for n in order if n in report.fields):
        tally = report.fields[name]
        ratio = Ratio(tally.right, tally.stated + tally.false_pos)
        label = name + (" *" if name in marked else "")
        print(f"  {label:<28}{ratio!s:>18}  {tally.stated:>6}  {tally.false_pos:>6}")
    if marked:
        print("  * not a fact the plan keeps: scored as the extractor read it")


def print_confusion(confusion: Counter[tuple[str, str]]) -> None:
    """Outcome confusion matrix: rows gold, columns what the bot did."""
    gold = sorted({g for g, _ in confusion})
    got = sorted({b for _, b in confusion})
    print("  outcome confusion (rows: expected, columns: bot)")
    print("  " + " " * 20 + "".join(f"{c[:10]:>11}" for c in got))
    for row in gold:
        print(f"  {row:<20}" + "".join(f"{confusion[(row, c)]:>11}" for c in got))


def print_assertions(tally: AssertionTally) -> None:
    """Assertion accuracy by category, and how many gold findings could not be compared."""
    print(
        f"  findings: {tally.gold} in the gold; {tally.unmatchable} could not be matched at all "
        f"(concept outside the alias table), {tally.not_recorded} matched but not recorded by the "
        f"bot, {tally.compared} compared"
    )
    for category in CATEGORIES:
        print(f"    {category:<12}{Ratio(tally.right[category], tally.compared)!s:>18}")
    common = ", ".join(f"{c} {n}" for c, n in tally.unmatched_concepts.most_common(8))
    print(f"    most frequent unmatched concepts: {common or 'none'}")


def print_first(report: FirstReport, full: bool) -> None:
    """The first-message section."""
    print(f"\nFIRST MESSAGES ({report.n})")
    print_errors(report.errors)
    print_fields(report)
    print(f"  every field right (facts + audience): {Ratio(report.all_fields_right, report.n)}")
    print(f"  every fact right (audience aside):    {Ratio(report.all_facts_right, report.n)}")
    print(
        "  every field right, audience as worded: "
        f"{Ratio(report.all_fields_worded, report.n)} (the audience read from style only "
        "offers the clinician view; the wording follows a stated or chosen one)"
    )
    print(
        f"  every field and the outcome right:    {Ratio(report.all_and_outcome_right, report.n)}"
    )
    print(f"  outcome accuracy:                     {Ratio(report.outcome_right, report.n)}")
    print(f"  topic routed right:                   {Ratio(report.topic_right, report.n)}")
    for name, group in sorted(report.by_topic.items()):
        n = group["n"]
        print(
            f"    gold topic {name:<13} outcome {Ratio(group['outcome'], n)}  every fact "
            f"{Ratio(group['facts'], n)}  routed {Ratio(group['routed'], n)}"
        )
    for (gold, got), count in sorted(report.topic_confusion.items()):
        if gold != got:
            print(f"    topic {gold} -> {got}: {count}")
    print_confusion(report.confusion)
    print_assertions(report.assertions)
    u = report.unusable
    print(
        f"  unusable values: {u['named_all']} of {u['named_all'] + u['named_too_few']} messages "
        f"with such values had all named back; {u['false_alarm']} without any had one refused"
    )
    print_misses("first messages", report.misses, full)


def print_followups(report: FollowupReport, full: bool) -> None:
    """The follow-up section."""
    precision, recall = report.decline()
    fp, fr = report.decline(with_folate=True)
    print(f"\nFOLLOW-UPS ({len(report.decisions)})")
    print_errors(report.errors)
    print(f"  top-1 over covered B12 questions:  {Ratio(report.top1, report.covered)}")
    print(f"  decline precision (B12 set):       {precision}")
    print(f"  decline recall (B12 set):          {recall}")
    print(
        f"  folate questions: top-1 {Ratio(report.folate_top1, report.folate)}, "
        f"declined {Ratio(report.folate_declined, report.folate)}"
    )
    print(f"  decline precision / recall with folate as should-decline: {fp} / {fr}")
    if report.unmapped:
        print(
            f"  top snippets missing from seed_line_map.yml: {', '.join(sorted(report.unmapped))}"
        )
    print_misses("follow-ups", report.misses, full)


def print_languages(report: LanguageReport, full: bool) -> None:
    """The language section."""
    print(f"\nLANGUAGES ({report.n}; detector: guideline_engine.scope.detect_language)")
    print_errors(report.errors)
    print(f"  language notice:   {Ratio(sum(report.notices.values()), report.n)}")
    per = ", ".join(f"{k} {report.notices[k]}/{n}" for k, n in sorted(report.totals.items()))
    print(f"    by language: {per}")
    print(f"  triage recall (emergency/urgent labelled): {Ratio(report.triaged, report.red_flags)}")
    print(f"  same urgency as labelled:                  {Ratio(report.exact, report.red_flags)}")
    print(f"  urgent/emergency on messages labelled none: {report.false_alarms}")
    print_misses("languages", report.misses, full)


# --------------------------------------------------------------------------- main


def summary(first: FirstReport, follow: FollowupReport, lang: LanguageReport) -> dict[str, Any]:
    """Figures and miss ids as JSON-ready data (no message text)."""
    precision, recall = follow.decline()
    return {
        "first_messages": {
            "n": first.n,
            "field_accuracy": {k: t.accuracy for k, t in first.fields.items()},
            "every_field_right": Ratio(first.all_fields_right, first.n).value,
            "every_field_right_audience_as_worded": Ratio(first.all_fields_worded, first.n).value,
            "every_fact_right_audience_aside": Ratio(first.all_facts_right, first.n).value,
            "every_field_and_outcome_right": Ratio(first.all_and_outcome_right, first.n).value,
            "outcome_accuracy": Ratio(first.outcome_right, first.n).value,
            "topic_accuracy": Ratio(first.topic_right, first.n).value,
            "by_topic": {
                name: {
                    "n": g["n"],
                    "outcome": Ratio(g["outcome"], g["n"]).value,
                    "every_fact": Ratio(g["facts"], g["n"]).value,
                    "routed": Ratio(g["routed"], g["n"]).value,
                }
                for name, g in sorted(first.by_topic.items())
            },
            "confusion": {f"{g} -> {b}": n for (g, b), n in sorted(first.confusion.items())},
            "assertions": {
                c: Ratio(first.assertions.right[c], first.assertions.compared).value
                for c in CATEGORIES
            },
            "findings_unmatchable": first.assertions.unmatchable,
            "engine_errors": sum(first.errors.values()),
            "miss_ids": [m.id for m in first.misses],
        },
        "followups": {
            "top1_covered": Ratio(follow.top1, follow.covered).value,
            "decline_precision": precision.value,
            "decline_recall": recall.value,
            "folate_declined": Ratio(follow.folate_declined, follow.folate).value,
            "folate_top1": Ratio(follow.folate_top1, follow.folate).value,
            "engine_errors": sum(follow.errors.values()),
            "miss_ids": [m.id for m in follow.misses],
        },
        "languages": {
            "notice": Ratio(sum(lang.notices.values()), lang.n).value,
            "triage_recall": Ratio(lang.triaged, lang.red_flags).value,
            "miss_ids": [m.id for m in lang.misses],
        },
    }


def main(argv: Sequence[str] | None = None) -> int:
    """Run the three blind sets of one split and print (and optionally save) the report."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0] if __doc__ else None)
    parser.add_argument("--split", choices=("dev", "test"), default="test")
    parser.add_argument("--json", type=Path, help="also save the figures (no message text) here")
    parser.add_argument("--first", default="first_messages", help="first-message set (dev: any)")
    parser.add_argument("--followups", default="followups", help="follow-up set (dev: any)")
    args = parser.parse_args(argv)
    missing = [
        n for n in (args.first, args.followups) if not (BLIND / f"{n}_{args.split}.yml").is_file()
    ]
    if missing:
        parser.error(f"no {args.split} split of {', '.join(missing)}")
    full = args.split == "dev"
    print(f"Blind evaluation, {args.split} split (dev prints misses in full, test only their ids)")
    first = evaluate_first_messages(load_set(args.first, args.split).get("messages") or [])
    print_first(first, full)
    questions = load_set(args.followups, args.split).get("questions") or []
    follow = evaluate_followups(questions, load_line_map())
    print_followups(follow, full)
    lang = evaluate_languages(load_set("languages", args.split).get("messages") or [])
    print_languages(lang, full)
    if args.json:
        args.json.parent.mkdir(parents=True, exist_ok=True)
        args.json.write_text(
            json.dumps(summary(first, follow, lang), indent=2) + "\n", encoding="utf-8"
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
