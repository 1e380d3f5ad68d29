"""Turn loosely typed conversation values (slots, JSON) into regimen :class:`Facts`.

Values that cannot be read are dropped and reported, never guessed.
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from guideline_engine.regimen.model import (
    Cause,
    Facts,
    Formulary,
    LabStatus,
    LabValue,
    Route,
    Tri,
)

FACT_NAMES: tuple[str, ...] = (
    "neuro_involvement",
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
    "mma_level",
    "formulary",
    "folic_acid_started",
)
_LAB = re.compile(r"^\s*(?P<value>\d+(?:\.\d+)?)\s*(?P<unit>\S.*)?$")


@dataclass(frozen=True)
class ReadFacts:
    """Facts plus the names of values that could not be read."""

    facts: Facts
    unreadable: tuple[str, ...]


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


def _lab(value: Any, status: LabStatus | None = None) -> LabValue | None:
    if isinstance(value, Mapping):
        number = _number(value.get("value"))
        unit = str(value.get("unit") or "")
    else:
        match = _LAB.match(str(value)) if value is not None else None
        number = float(match["value"]) if match else None
        unit = (match["unit"] or "").strip() if match else ""
    return None if number is None else LabValue(value=number, unit=unit, status=status)


def facts_from_values(values: Mapping[str, Any]) -> ReadFacts:
    """Build :class:`Facts` from slot-like values; unknown names are ignored."""
    unreadable: list[str] = []

    def number(name: str) -> float | None:
        raw = values.get(name)
        parsed = _number(raw)
        if raw is not None and parsed is None:
            unreadable.append(name)
        return parsed

    route_raw = values.get("route_preference")
    route = Route(route_raw) if route_raw in {r.value for r in Route} else None
    formulary_raw = str(values.get("formulary") or "uk").lower()
    formulary = Formulary.US if formulary_raw == "us" else Formulary.UK
    status_raw = values.get("b12_status")
    status = LabStatus(status_raw) if status_raw in {s.value for s in LabStatus} else None
    b12 = _lab(values.get("b12_level"), status)
    if b12 is None and status is not None:
        # A described result ("borderline B12") without a number still counts.
        b12 = LabValue(value=None, unit="", status=status)
    age = number("age")
    facts = Facts(
        neurological_involvement=_tri(values.get("neuro_involvement")),
        causes=_causes(values.get("causes")),
        ileal_resection_cm=number("ileal_resection_cm"),
        platelet_count=number("platelet_count"),
        age=int(age) if age is not None else None,
        pregnant=_tri(values.get("pregnant")),
        route_preference=route,
        injection_contraindication=_tri(values.get("injection_contraindication")),
        formulary=formulary,
        folic_acid_started=_tri(values.get("folic_acid_started")),
        b12=b12,
        folate=_lab(values.get("folate_level")),
        mma=_lab(values.get("mma_level")),
    )
    return ReadFacts(facts=facts, unreadable=tuple(unreadable))
