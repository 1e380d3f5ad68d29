"""Evaluate a topic's decision table on the facts: gates first, then rows in order.

The facts come as a flat view (:func:`fact_view`) with one spelling per fact, the names of
:class:`guideline_engine.regimen.model.Facts`: yes/no facts and lab statuses as words
(``unknown`` when nobody said), numbers as floats, causes as a set of ids (every cause the
extractor read, including those only one topic knows).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from typing import Any

from guideline_engine.facts import facts_from_values
from guideline_engine.knowledge.model import Gate
from guideline_engine.labs import cutoff_for
from guideline_engine.regimen.gates import evaluate_gates
from guideline_engine.regimen.model import Facts, Gated, LabValue, MissingFacts, Tri
from guideline_engine.topics.model import FactValue, TableLine, TablePlan, Topic

_LABS = ("b12", "folate", "mma")
VIEW_FACTS: frozenset[str] = frozenset(
    {f.name for f in dataclasses.fields(Facts) if f.name not in _LABS}
    | {f"{lab}_status" for lab in _LABS}
    | {f"{lab}_value" for lab in _LABS}
    | {"patient_described"}
)
"""Every fact name a row, a route or a gate may test."""


def _plain(value: Any) -> FactValue:
    if isinstance(value, Tri):
        return value.value
    if isinstance(value, frozenset):
        return frozenset(str(getattr(v, "value", v)) for v in value)
    if isinstance(value, bool) or value is None:
        return None
    if isinstance(value, int | float):
        return float(value)
    return str(getattr(value, "value", value))


def _status_word(name: str, lab: LabValue | None) -> str:
    """A lab's status as a table reads it.

    A number written without a unit that is below normal whichever unit it was in ("B12 140":
    low in ng/L, borderline in pmol/L) reads as borderline, not as unknown: B12 comes first
    and "has B12 been checked?" is not asked of a B12 the writer gave (review 9, finding 7;
    HAZ-134). The plan itself still reads the fact unclassed (``Facts``).
    """
    if lab is not None and lab.status is not None:
        return lab.status.value
    if lab is None or lab.value is None or lab.unit:
        return "unknown"
    cutoff = cutoff_for(f"{name}_level", None)
    return "indeterminate" if cutoff and cutoff.never_normal(lab.value, None) else "unknown"


def fact_view(values: Mapping[str, Any], facts: Facts | None = None) -> dict[str, FactValue]:
    """The facts of slot-like ``values`` as the decision table sees them.

    ``facts`` is ``facts_from_values(values).facts`` when the caller has read it already.
    """
    facts = facts if facts is not None else facts_from_values(values).facts
    view: dict[str, FactValue] = {}
    for field in dataclasses.fields(facts):
        value = getattr(facts, field.name)
        if field.name in _LABS:
            lab: LabValue | None = value
            view[f"{field.name}_status"] = _status_word(field.name, lab)
            view[f"{field.name}_value"] = lab.value if lab and lab.value is not None else None
        else:
            view[field.name] = _plain(value)
    raw = values.get("causes")
    items = raw if isinstance(raw, list | tuple | set | frozenset) else [raw] if raw else []
    view["causes"] = frozenset(str(c) for c in items)
    # A patient is described by something beyond the condition's own name: "how is folate
    # deficiency treated?" states a low folate and nothing about anyone.
    plain = {"formulary", *(f"{lab}_status" for lab in _LABS)}
    known = [
        k for k, v in view.items() if v not in (None, "unknown", frozenset()) and k not in plain
    ]
    view["patient_described"] = "yes" if known else "no"
    return view


def decide(
    topic: Topic,
    view: Mapping[str, FactValue],
    facts: Facts,
    gates: Iterable[Gate],
    handed_to: Mapping[str, str] | None = None,
) -> TablePlan | Gated | MissingFacts:
    """The topic's gates, then its rows in order: ask, defer, add lines, stop.

    The gates of a topic this table would hand over to (``handed_to``: topic id -> knowledge-
    base topic) are checked too, so a pregnancy with B12 and folate both low gets both topics'
    hand-offs; nerve symptoms add the urgent neurology advice to any gate that fires.
    """
    others = handed_to or {}
    deferred = {r.defer_to for r in topic.rows if r.defer_to and r.applies(dict(view))}
    kb_topics = {topic.kb_topic} | {others[d] for d in deferred if d in others}
    gated = evaluate_gates(facts, [g for g in gates if g.topic in kb_topics])
    if gated is not None:
        return gated
    lines: list[TableLine] = []
    path: list[str] = []
    defer_to: str | None = None
    for row in topic.rows:
        if not row.applies(dict(view)):
            continue
        held = " and ".join(c.describe() for c in row.when) or "always"
        if row.ask:
            return MissingFacts((row.ask,), (*path, f"{row.id}: {held} → ask {row.ask}"))
        path.append(f"{row.id}: {held}")
        defer_to = defer_to or row.defer_to
        lines += [TableLine(x.section, x.snippet_ids, row.id) for x in row.lines]
        if row.stop:
            break
    facts_used = {k: sorted(v) if isinstance(v, frozenset) else v for k, v in view.items()}
    return TablePlan(topic, tuple(lines), defer_to, tuple(path), facts_used)
