"""Red-flag rules: schema, validation and lazy loading of ``vocab/red_flags.yml``."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from typing import Any, Literal, cast

import yaml

from guideline_engine.extraction.text import phrase_regex
from guideline_engine.extraction.vocab import (
    VocabularyError,
    load_symptoms,
    load_vocab_yaml,
    read_vocab_text,
)
from guideline_engine.triage.cues import parse_cue, phrase_cue

RED_FLAGS_FILE = "red_flags.yml"

URGENCY_RANK: Mapping[str, int] = {"emergency": 3, "urgent": 2, "routine": 1}


class Urgency(str, Enum):
    """How soon to act on a red flag; compares equal to its string value."""

    EMERGENCY = "emergency"  # call the local emergency number now
    URGENT = "urgent"  # contact a clinician the same day
    ROUTINE = "routine"  # discuss at the next appointment

    @property
    def rank(self) -> int:
        """3 for emergency, 2 for urgent, 1 for routine."""
        return URGENCY_RANK[self.value]


REVIEW_STATUSES = frozenset({"submitted", "approved", "rejected"})
CONDITION_VALUES: Mapping[str, frozenset[str]] = {
    "pregnant": frozenset({"yes", "no"}),
    "neurological_involvement": frozenset({"yes", "no"}),
    "b12_status": frozenset({"low", "indeterminate"}),
    "folate_status": frozenset({"low", "indeterminate"}),
}
When = Literal[
    "current", "recent_past", "new_or_worsening", "current_or_recent", "current_or_passed"
]
"""When a mention counts: now; recently over; now and new, worsening or spreading; now or
lately; now or over but of today (a stroke sign that has passed)."""
WHEN_VALUES: tuple[str, ...] = (
    "current",
    "recent_past",
    "new_or_worsening",
    "current_or_recent",
    "current_or_passed",
)
_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")


@dataclass(frozen=True)
class Source:
    """Where a red flag comes from, or why it has no source yet."""

    title: str | None
    publisher: str | None
    year: int | None
    kind: str | None
    url: str | None
    says: str | None
    resolution: Literal["resolved", "unresolved"] = "resolved"
    note: str | None = None


@dataclass(frozen=True)
class Review:
    """Clinical review state of a red flag."""

    status: str
    curated_by: str
    curated_on: str
    reviewer: str | None
    reviewed_on: str | None


@dataclass(frozen=True)
class RedFlag:
    """One curated red flag."""

    id: str
    label: str
    urgency: Urgency
    phrases: tuple[str, ...]
    patterns: tuple[str, ...]
    symptoms: tuple[str, ...]
    cues: tuple[str, ...]
    when: When
    all_of: tuple[tuple[str, str], ...]
    unless: tuple[str, ...]
    advice_clinician: str
    advice_patient: str
    source: Source
    review: Review
    trained: bool = False
    not_if_long_standing: bool = False
    not_if_levels_normal: bool = False
    also_when: tuple[tuple[tuple[str, str], ...], ...] = ()

    def advice(self, audience: str) -> str:
        """Advice text for ``"clinician"``; any other audience gets the patient text."""
        return self.advice_clinician if audience == "clinician" else self.advice_patient


RedFlagRule = RedFlag
"""Alias of :class:`RedFlag`."""


def _alternatives(match: Mapping[str, Any], entry: str) -> tuple[tuple[tuple[str, str], ...], ...]:
    """``also_when``: a list of condition sets, any one of which makes a hit."""
    raw = match.get("also_when")
    if raw is None:
        return ()
    if not isinstance(raw, list) or not raw:
        raise _fail(entry, "match.also_when", "expected a non-empty list of condition mappings")
    return tuple(_conditions(item, entry, f"also_when[{i}]") for i, item in enumerate(raw))


def _conditions(raw: object, entry: str, field: str) -> tuple[tuple[str, str], ...]:
    """``all_of`` / one ``also_when`` set: the extractor's readings a rule needs, validated."""
    conditions = _mapping(raw, entry, f"match.{field}")
    if not conditions:
        raise _fail(entry, f"match.{field}", "expected at least one condition")
    out: list[tuple[str, str]] = []
    for name, value in conditions.items():
        allowed = CONDITION_VALUES.get(name)
        if allowed is None:
            raise _fail(
                entry,
                f"match.{field}.{name}",
                f"unknown condition (allowed: {', '.join(sorted(CONDITION_VALUES))})",
            )
        if value not in allowed:
            raise _fail(
                entry,
                f"match.{field}.{name}",
                f"{value!r} is not one of {', '.join(sorted(allowed))}",
            )
        out.append((name, value))
    return tuple(out)


def _fail(entry: str | None, field: str | None, problem: str) -> VocabularyError:
    parts = [RED_FLAGS_FILE]
    if entry is not None:
        parts.append(f"entry {entry}")
    if field is not None:
        parts.append(f"field '{field}'")
    return VocabularyError(": ".join(parts) + f": {problem}")


def _mapping(obj: object, entry: str | None, field: str | None) -> Mapping[str, Any]:
    if not isinstance(obj, Mapping) or not all(isinstance(k, str) for k in obj):
        raise _fail(entry, field, f"expected a mapping, got {type(obj).__name__}")
    return obj


def _keys(
    obj: Mapping[str, Any], required: set[str], optional: set[str], entry: str | None, prefix: str
) -> None:
    unknown = sorted(set(obj) - required - optional)
    if unknown:
        allowed = ", ".join(sorted(required | optional))
        raise _fail(entry, f"{prefix}{unknown[0]}", f"unknown key (allowed: {allowed})")
    missing = sorted(required - set(obj))
    if missing:
        raise _fail(entry, f"{prefix}{missing[0]}", "required key is missing")


def _text(obj: object, entry: str | None, field: str, *, optional: bool = False) -> str | None:
    if obj is None and optional:
        return None
    if not isinstance(obj, str) or not obj.strip():
        raise _fail(entry, field, f"expected a non-empty string, got {obj!r}")
    return obj.strip()


def _date(obj: object, entry: str, field: str, *, optional: bool = False) -> str | None:
    if obj is None and optional:
        return None
    if isinstance(obj, dt.date):
        return obj.isoformat()
    value = _text(obj, entry, field)
    assert value is not None
    try:
        dt.date.fromisoformat(value)
    except ValueError as exc:
        raise _fail(entry, field, f"expected a date YYYY-MM-DD, got {value!r}") from exc
    return value


def _list(obj: object, entry: str, field: str) -> tuple[str, ...]:
    if obj is None:
        return ()
    if not isinstance(obj, list) or not obj:
        raise _fail(entry, field, f"expected a non-empty list, got {obj!r}")
    out: list[str] = []
    for i, item in enumerate(obj):
        if not isinstance(item, str) or not item.strip():
            raise _fail(entry, f"{field}[{i}]", f"expected a non-empty string, got {item!r}")
        out.append(item)
    return tuple(out)


def _source(obj: object, entry: str) -> Source:
    block = _mapping(obj, entry, "source")
    if "resolution" in block:
        _keys(block, {"resolution", "note"}, set(), entry, "source.")
        if block["resolution"] != "unresolved":
            raise _fail(entry, "source.resolution", "only 'unresolved' may be stated explicitly")
        return Source(
            title=None,
            publisher=None,
            year=None,
            kind=None,
            url=None,
            says=None,
            resolution="unresolved",
            note=_text(block["note"], entry, "source.note"),
        )
    _keys(block, {"title", "publisher", "year", "kind", "says"}, {"url"}, entry, "source.")
    year = block["year"]
    if year is not None and (
        isinstance(year, bool) or not isinstance(year, int) or not 1900 <= year <= 2100
    ):
        raise _fail(entry, "source.year", f"expected a year or null, got {year!r}")
    return Source(
        title=_text(block["title"], entry, "source.title"),
        publisher=_text(block["publisher"], entry, "source.publisher"),
        year=year,
        kind=_text(block["kind"], entry, "source.kind"),
        url=_text(block.get("url"), entry, "source.url", optional=True),
        says=_text(block["says"], entry, "source.says"),
    )


def _review(obj: object, entry: str) -> Review:
    block = _mapping(obj, entry, "review")
    _keys(
        block,
        {"status", "curated_by", "curated_on", "reviewer", "reviewed_on"},
        set(),
        entry,
        "review.",
    )
    status = _text(block["status"], entry, "review.status")
    if status not in REVIEW_STATUSES:
        allowed = ", ".join(sorted(REVIEW_STATUSES))
        raise _fail(entry, "review.status", f"{status!r} is not allowed (allowed: {allowed})")
    reviewer = _text(block["reviewer"], entry, "review.reviewer", optional=True)
    reviewed_on = _date(block["reviewed_on"], entry, "review.reviewed_on", optional=True)
    if status == "approved" and (reviewer is None or reviewed_on is None):
        raise _fail(entry, "review.reviewer", "an approved red flag needs reviewer and reviewed_on")
    curated_by = _text(block["curated_by"], entry, "review.curated_by")
    curated_on = _date(block["curated_on"], entry, "review.curated_on")
    assert status is not None and curated_by is not None and curated_on is not None
    return Review(status, curated_by, curated_on, reviewer, reviewed_on)


def parse_red_flags(data: object, symptom_ids: frozenset[str]) -> tuple[RedFlag, ...]:
    """Validate the parsed content of ``red_flags.yml``.

    Args:
        data: The YAML document as loaded.
        symptom_ids: Ids defined in ``symptoms.yml`` (a rule may only refer to these).

    Returns:
        The rules in file order.

    Raises:
        VocabularyError: Naming file, entry and field for any schema problem.
    """
    doc = _mapping(data, None, None)
    _keys(doc, {"version", "red_flags"}, set(), None, "")
    if doc["version"] != 1:
        raise _fail(None, "version", f"unsupported version {doc['version']!r} (expected 1)")
    items = doc["red_flags"]
    if not isinstance(items, list) or not items:
        raise _fail(None, "red_flags", "expected a non-empty list")
    seen: set[str] = set()
    rules: list[RedFlag] = []
    for index, raw in enumerate(items):
        entry = f"#{index}"
        if isinstance(raw, Mapping) and isinstance(raw.get("id"), str):
            entry = f"#{index} ({raw['id']})"
        item = _mapping(raw, entry, None)
        _keys(
            item,
            {"id", "label", "urgency", "match", "advice", "source", "review"},
            set(),
            entry,
            "",
        )
        ident = _text(item["id"], entry, "id")
        assert ident is not None
        if not _ID_RE.match(ident):
            raise _fail(entry, "id", f"{ident!r} is not a snake_case identifier")
        if ident in seen:
            raise _fail(entry, "id", f"duplicate id {ident!r}")
        seen.add(ident)
        urgency = item["urgency"]
        if urgency not in URGENCY_RANK:
            raise _fail(entry, "urgency", f"{urgency!r} is not one of emergency, urgent, routine")
        match = _mapping(item["match"], entry, "match")
        _keys(
            match,
            set(),
            {
                "phrases",
                "cues",
                "patterns",
                "symptoms",
                "all_of",
                "unless",
                "when",
                "trained",
                "not_if_long_standing",
                "not_if_levels_normal",
                "also_when",
            },
            entry,
            "match.",
        )
        trained = match.get("trained", False)
        if not isinstance(trained, bool) or (trained and set(match) != {"trained"}):
            raise _fail(entry, "match.trained", "must be true alone (a trained-signal flag)")
        long_standing = _settles(match, "not_if_long_standing", urgency, entry)
        levels_normal = _settles(match, "not_if_levels_normal", urgency, entry)
        if not set(match) - {"unless", "when", "not_if_long_standing", "not_if_levels_normal"}:
            raise _fail(
                entry,
                "match",
                "needs at least one of phrases, cues, patterns, symptoms, all_of, trained",
            )
        phrases = _list(match.get("phrases"), entry, "match.phrases")
        for i, phrase in enumerate(phrases):
            if phrase != phrase.lower():
                raise _fail(entry, f"match.phrases[{i}]", f"phrase {phrase!r} must be lower case")
            phrase_regex(phrase)
            try:
                phrase_cue(phrase)
            except ValueError as exc:
                raise _fail(entry, f"match.phrases[{i}]", str(exc)) from exc
        when = match.get("when", "current")
        if when not in WHEN_VALUES:
            raise _fail(entry, "match.when", f"{when!r} is not one of {', '.join(WHEN_VALUES)}")
        cues = _list(match.get("cues"), entry, "match.cues")
        for i, cue in enumerate(cues):
            try:
                parse_cue(cue)
            except ValueError as exc:
                raise _fail(entry, f"match.cues[{i}]", str(exc)) from exc
        patterns = _list(match.get("patterns"), entry, "match.patterns")
        for i, pattern in enumerate(patterns):
            try:
                re.compile(pattern)
            except re.error as exc:
                raise _fail(
                    entry, f"match.patterns[{i}]", f"invalid regular expression: {exc}"
                ) from exc
        symptoms = _list(match.get("symptoms"), entry, "match.symptoms")
        for i, sid in enumerate(symptoms):
            if sid not in symptom_ids:
                raise _fail(entry, f"match.symptoms[{i}]", f"unknown symptom id {sid!r}")
        all_of = _conditions(match["all_of"], entry, "all_of") if "all_of" in match else ()
        also_when = _alternatives(match, entry)
        unless = _list(match.get("unless"), entry, "match.unless")
        advice = _mapping(item["advice"], entry, "advice")
        _keys(advice, {"clinician", "patient"}, set(), entry, "advice.")
        rules.append(
            RedFlag(
                id=ident,
                label=cast(str, _text(item["label"], entry, "label")),
                urgency=Urgency(urgency),
                phrases=phrases,
                patterns=patterns,
                symptoms=symptoms,
                cues=cues,
                when=cast(When, when),
                all_of=tuple(all_of),
                unless=unless,
                advice_clinician=cast(str, _text(advice["clinician"], entry, "advice.clinician")),
                advice_patient=cast(str, _text(advice["patient"], entry, "advice.patient")),
                source=_source(item["source"], entry),
                review=_review(item["review"], entry),
                trained=trained,
                not_if_long_standing=long_standing,
                not_if_levels_normal=levels_normal,
                also_when=also_when,
            )
        )
    ids = {r.id for r in rules}
    for rule in rules:
        for i, other in enumerate(rule.unless):
            if other not in ids:
                raise _fail(f"({rule.id})", f"match.unless[{i}]", f"unknown red flag id {other!r}")
    return tuple(rules)


def _settles(match: Mapping[str, Any], key: str, urgency: str, entry: str) -> bool:
    """A ``not_if_...`` switch: true or false, and never on an emergency (HAZ-171, HAZ-172)."""
    value = match.get(key, False)
    if not isinstance(value, bool):
        raise _fail(entry, f"match.{key}", "must be true or false")
    if urgency == "emergency" and value:
        raise _fail(entry, f"match.{key}", "an emergency is never settled")
    return value


@lru_cache(maxsize=1)
def load_red_flags() -> tuple[RedFlag, ...]:
    """The validated red-flag rules (read once per process)."""
    try:
        data = load_vocab_yaml(read_vocab_text(RED_FLAGS_FILE))
    except yaml.YAMLError as exc:
        raise VocabularyError(f"{RED_FLAGS_FILE}: not valid YAML: {exc}") from exc
    return parse_red_flags(data, frozenset(s.id for s in load_symptoms()))


def red_flags_by_id() -> dict[str, RedFlag]:
    """The validated red flags keyed by id, in file order."""
    return {flag.id: flag for flag in load_red_flags()}
