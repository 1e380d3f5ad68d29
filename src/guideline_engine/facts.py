"""Turn loosely typed conversation values (slots, JSON) into regimen :class:`Facts`.

Values that cannot be read, are negative or cannot be a real result are left out of the facts
and reported (``unreadable`` names them, ``problems`` says why in words fit to show the user),
never guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any, Literal, get_args

from guideline_engine.extraction.model import Certainty, Experiencer, Temporality
from guideline_engine.extraction.numbers import PLAUSIBLE, lab_unit
from guideline_engine.labs import cutoff_for
from guideline_engine.regimen.model import (
    Cause,
    Facts,
    Formulary,
    LabStatus,
    LabValue,
    Route,
    Tri,
)

PATIENT_ENTITIES: frozenset[str] = frozenset(
    {
        "neurological_involvement",
        "symptom",
        "negated_symptom",
        "cause",
        "platelet_count",
        "age",
        "pregnant",
        "route_preference",
        "injection_contraindication",
        "folic_acid_started",
        "ileal_resection_cm",
        "b12_level",
        "b12_status",
        "folate_level",
        "folate_status",
        "mma_level",
        "breastfeeding",
        "haemoglobin",
        "pancytopenia",
        "severe_anaemia",
        "invalid_value",
    }
)
"""Entities that say something about the patient (not the user, the channel or triage)."""

ENTITY_NAMES: tuple[str, ...] = (
    *sorted(PATIENT_ENTITIES),
    "formulary",
    "audience",
    "red_flag",
    "triage_urgency",
    "triage_describes_symptoms",
    "reset",
    "language",
    "finding",
)
"""Every entity type the NLU component can emit (one spelling each; domain.yml declares them)."""


FACT_NAMES: tuple[str, ...] = (
    "neurological_involvement",
    "causes",
    "platelet_count",
    "age",
    "pregnant",
    "route_preference",
    "injection_contraindication",
    "ileal_resection_cm",
    "b12_level",
    "b12_status",
    "folate_level",
    "folate_status",
    "mma_level",
    "formulary",
    "folic_acid_started",
    "breastfeeding",
    "haemoglobin",
    "pancytopenia",
    "severe_anaemia",
)
_LAB = re.compile(r"^\s*(?P<value>-?\d+(?:\.\d+)?(?:e[+-]?\d+)?)\s*(?P<unit>\S.*)?$", re.IGNORECASE)
_LABELS = {
    "platelet_count": "platelet count",
    "age": "age",
    "ileal_resection_cm": "resected ileum length",
    "haemoglobin": "haemoglobin",
    "b12_level": "B12 level",
    "folate_level": "folate level",
    "mma_level": "MMA level",
}


@dataclass(frozen=True)
class ReadFacts:
    """Facts plus the values that could not be used: their names and why, in words."""

    facts: Facts
    unreadable: tuple[str, ...]
    problems: tuple[str, ...] = ()


def _tri(value: Any) -> Tri:
    if isinstance(value, bool):
        return Tri.YES if value else Tri.NO
    text = str(value).strip().lower() if value is not None else ""
    if text in {"yes", "true", "y"}:
        return Tri.YES
    if text in {"no", "false", "n"}:
        return Tri.NO
    return Tri.UNKNOWN


def _number(value: Any) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        number = float(str(value).replace(",", ""))
    except ValueError:
        return None
    return number if math.isfinite(number) else None


def _causes(value: Any) -> frozenset[Cause]:
    items: Iterable[Any] = value if isinstance(value, list | tuple | set | frozenset) else [value]
    known = {c.value: c for c in Cause}
    return frozenset(known[str(v)] for v in items if str(v) in known)


def _lab_parts(value: Any) -> tuple[float | None, str]:
    if isinstance(value, Mapping):
        return _number(value.get("value")), str(value.get("unit") or "")
    match = _LAB.match(str(value)) if value is not None else None
    if match is None:
        return None, ""
    number = _number(match["value"])
    return number, (match["unit"] or "").strip()


def _range_key(name: str, unit: str) -> str:
    keyed = f"{name} {unit}"
    return keyed if keyed in PLAUSIBLE else name


class _Reader:
    """Reads numbers and lab values, collecting what cannot be used."""

    def __init__(self, values: Mapping[str, Any]) -> None:
        self.values = values
        self.unreadable: list[str] = []
        self.problems: list[str] = []

    def refuse(self, name: str, raw: Any, why: str) -> None:
        self.unreadable.append(name)
        self.problems.append(f'{_LABELS.get(name, name)} "{raw}": {why}')

    def number(self, name: str) -> float | None:
        raw = self.values.get(name)
        parsed = _number(raw)
        if raw is None:
            return None
        if parsed is None:
            self.refuse(name, raw, "not a number")
        elif parsed < 0:
            self.refuse(name, raw, "it cannot be negative")
        elif name in PLAUSIBLE and not PLAUSIBLE[name][0] <= parsed <= PLAUSIBLE[name][1]:
            low, high = PLAUSIBLE[name]
            self.refuse(name, raw, f"outside the possible range {low:g}-{high:g}")
        else:
            return parsed
        return None

    def lab(self, name: str, status: LabStatus | None = None) -> LabValue | None:
        raw = self.values.get(name)
        if raw is None:
            return None
        number, unit = _lab_parts(raw)
        if number is None:
            self.refuse(name, raw, "not a number")
            return None
        low, high = PLAUSIBLE.get(_range_key(name, unit), (0.0, math.inf))
        if number < 0:
            self.refuse(name, raw, "it cannot be negative")
        elif not low <= number <= high:
            self.refuse(name, raw, f"outside the possible range {low:g}-{high:g} {unit}".rstrip())
        else:
            return LabValue(value=number, unit=unit, status=status)
        return None


def _status(raw: Any) -> LabStatus | None:
    return LabStatus(raw) if raw in {s.value for s in LabStatus} else None


def _lab_with_status(reader: _Reader, name: str, status_raw: Any) -> LabValue | None:
    """A lab value with its stated class; a class without a number still counts.

    Without a stated class, a number in a known unit below its topic's sourced cut-off
    (:func:`guideline_engine.labs.cutoff_for`) is taken as low; a number is never classed
    normal here. A stated class always wins, but "normal" beside a number below the cut-off
    is a contradiction: the value is named back (not used) until the writer says which is right.
    """
    status = _status(status_raw)
    lab = reader.lab(name, status)
    if lab is not None and lab.value is not None and status in (None, LabStatus.NORMAL):
        lab = _classed(reader, name, lab)
    if lab is None and status is not None:
        return LabValue(value=None, unit="", status=status)
    return lab


def _classed(reader: _Reader, name: str, lab: LabValue) -> LabValue | None:
    # Low only: the indeterminate and normal bands of a banded cut-off need the words around
    # the number (a past value, a level taken on treatment), so only the extractor uses them.
    unit = lab_unit(lab.unit)
    cutoff = cutoff_for(name, unit)
    if cutoff is None or lab.value is None or not cutoff.is_low(lab.value, unit):
        return lab
    if lab.status is None:
        return LabValue(value=lab.value, unit=lab.unit, status=LabStatus.LOW)
    below = f"{cutoff.low_below:g} {cutoff.unit}"
    why = f"said to be normal, but it is below {below}, a level reported as low; which is right?"
    reader.refuse(name, reader.values.get(name), why)
    return None


def facts_from_values(values: Mapping[str, Any]) -> ReadFacts:
    """Build :class:`Facts` from slot-like values; unknown names are ignored.

    A number that is not a number, is negative or is outside :data:`PLAUSIBLE` is left out and
    reported in ``unreadable`` (names) and ``problems`` (sentences to show the user).
    """
    reader = _Reader(values)
    number = reader.number

    route_raw = values.get("route_preference")
    route = Route(route_raw) if route_raw in {r.value for r in Route} else None
    formulary_raw = str(values.get("formulary") or "uk").lower()
    formulary = Formulary.US if formulary_raw == "us" else Formulary.UK
    age = number("age")
    facts = Facts(
        neurological_involvement=_tri(values.get("neurological_involvement")),
        causes=_causes(values.get("causes")),
        ileal_resection_cm=number("ileal_resection_cm"),
        platelet_count=number("platelet_count"),
        age=int(age) if age is not None else None,
        pregnant=_tri(values.get("pregnant")),
        route_preference=route,
        injection_contraindication=_tri(values.get("injection_contraindication")),
        formulary=formulary,
        folic_acid_started=_tri(values.get("folic_acid_started")),
        b12=_lab_with_status(reader, "b12_level", values.get("b12_status")),
        folate=_lab_with_status(reader, "folate_level", values.get("folate_status")),
        mma=reader.lab("mma_level"),
        breastfeeding=_tri(values.get("breastfeeding")),
        haemoglobin=number("haemoglobin"),
        pancytopenia=_tri(values.get("pancytopenia")),
        severe_anaemia=_tri(values.get("severe_anaemia")),
    )
    return ReadFacts(
        facts=facts, unreadable=tuple(reader.unreadable), problems=tuple(reader.problems)
    )


FindingKind = Literal["symptom", "cause", "antibody"]
FindingUse = Literal["counted", "absent", "not_counted"]
NotCountedBecause = Literal["other_person", "hypothetical", "possible", "historical"]
_FINDING_FIELDS: dict[str, tuple[str, ...]] = {
    "kind": get_args(FindingKind),
    "certainty": get_args(Certainty),
    "experiencer": get_args(Experiencer),
    "time": get_args(Temporality),
}


@dataclass(frozen=True)
class Finding:
    """One symptom, cause or antibody finding read from a message, with its assertions.

    Only some findings drive the plan and triage; the rest are kept so that "why?" can show
    them with the reason they were not counted.

    Attributes:
        kind: ``symptom``, ``cause`` or ``antibody``.
        id: Vocabulary id (``pernicious_anaemia``, ``paraesthesia``...).
        text: The words as written.
        certainty: ``affirmed``, ``negated``, ``possible`` or ``hypothetical``.
        experiencer: ``patient`` or ``other`` (someone else: "my sister has PA").
        time: ``current`` or ``historical``.
    """

    kind: FindingKind
    id: str
    text: str
    certainty: Certainty
    experiencer: Experiencer
    time: Temporality

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> Finding:
        """Build from plain data (extractor output or a slot); extra keys are ignored.

        Raises:
            ValueError: A field is missing or empty, or an assertion is not a known value.
        """
        values: dict[str, str] = {}
        for name in ("kind", "id", "text", "certainty", "experiencer", "time"):
            value = data.get(name)
            if not isinstance(value, str) or not value.strip():
                raise ValueError(f"finding: {name!r} missing or not text: {value!r}")
            allowed = _FINDING_FIELDS.get(name)
            if allowed is not None and value not in allowed:
                raise ValueError(f"finding: {name} {value!r} is not one of {list(allowed)}")
            values[name] = value
        return cls(**values)  # type: ignore[arg-type]  # Literal values checked above

    def to_dict(self) -> dict[str, str]:
        """``{kind, id, text, certainty, experiencer, time}``."""
        return {
            "kind": self.kind,
            "id": self.id,
            "text": self.text,
            "certainty": self.certainty,
            "experiencer": self.experiencer,
            "time": self.time,
        }

    @property
    def not_counted_because(self) -> NotCountedBecause | None:
        """Why the finding did not drive the plan, or ``None`` when it was used.

        Mirrors the extractor: a cause or antibody about the patient counts even when past
        ("s/p RYGB 2019"); a symptom counts only when current.
        """
        if self.experiencer == "other":
            return "other_person"
        if self.certainty == "hypothetical":
            return "hypothetical"
        if self.certainty == "possible":
            return "possible"
        if self.certainty == "affirmed" and self.kind == "symptom" and self.time == "historical":
            return "historical"
        return None

    @property
    def use(self) -> FindingUse:
        """``counted`` (drives the plan), ``absent`` (denied for the patient) or not."""
        if self.not_counted_because is not None:
            return "not_counted"
        return "absent" if self.certainty == "negated" else "counted"


def findings_from_values(values: Any) -> tuple[Finding, ...]:
    """Findings from a list of plain dicts, in order, without repeats.

    An entry that is not a valid finding is left out: findings only explain the plan, and
    a slot can be set from a message payload, so its content is not trusted.
    """
    items = values if isinstance(values, list | tuple) else []
    out: dict[Finding, None] = {}
    for item in items:
        if not isinstance(item, Mapping):
            continue
        try:
            out.setdefault(Finding.from_dict(item), None)
        except ValueError:
            continue
    return tuple(out)


@dataclass(frozen=True)
class FactChange:
    """One fact whose value differs from the one the last plan was built on."""

    fact: str
    before: Any
    after: Any

    def words(self) -> str:
        """E.g. ``platelet count: 35 → 120`` or ``causes: not given → pernicious anaemia``."""
        return f"{_label(self.fact)}: {value_words(self.before)} → {value_words(self.after)}"

    def to_dict(self) -> dict[str, Any]:
        """``{fact, before, after}``."""
        return {"fact": self.fact, "before": self.before, "after": self.after}


def _label(name: str) -> str:
    return _LABELS.get(name, name.replace("_", " "))


def value_words(value: Any) -> str:
    """A fact value in plain words: ``35``, ``pernicious anaemia``, ``not given``."""
    if value is None:
        return "not given"
    if isinstance(value, Mapping):
        return f"{value.get('value')} {value.get('unit') or ''}".strip()
    if isinstance(value, list | tuple):
        return ", ".join(str(v).replace("_", " ") for v in value) or "none"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).replace("_", " ")


def fact_changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> tuple[FactChange, ...]:
    """The facts (of :data:`FACT_NAMES`) whose values differ, in that order."""
    out = []
    for name in FACT_NAMES:
        old, new = before.get(name), after.get(name)
        if (
            isinstance(old, list)
            and isinstance(new, list)
            and sorted(map(str, old)) == sorted(map(str, new))
        ):
            continue
        if old != new:
            out.append(FactChange(name, old, new))
    return tuple(out)
