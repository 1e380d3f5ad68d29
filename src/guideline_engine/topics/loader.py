"""Find and validate every topic package (``content/<folder>/topic.yml`` and ``rules.yml``).

Strict, like the knowledge loader: unknown keys, bad operators, unknown snippets, sections or
facts, a missing question for an asked fact, a deferral to no topic, and anything but exactly
one default topic raise :class:`TopicError` naming the file and the place. A topic whose rules
are code names its ``rules_module`` and its ``renderer``; both must import and expose the
functions the engine calls (:func:`check_modules`). The action server loads and cross-checks
every topic at start-up (``guideline_engine.topics.topics``), so a broken topic fails there, not
at the first question.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable, Iterable, Mapping
from functools import cache
from importlib import resources
from importlib.resources.abc import Traversable
from types import ModuleType
from typing import Any, cast

import yaml

from guideline_engine.topics.model import (
    RENDERER_FUNCTIONS,
    RULES_FUNCTIONS,
    LabCutoff,
    Op,
    Question,
    Renderer,
    Row,
    RowCondition,
    RowLine,
    RulesModule,
    Topic,
    Worded,
)

MANIFEST = "topic.yml"
RULES = "rules.yml"
_TOPIC_KEYS = {
    "id",
    "topic",
    "title",
    "default",
    "scope_terms",
    "route_facts",
    "evidence_facts",
    "evidence_with_words",
    "covers",
    "rules_module",
    "renderer",
    "sections",
    "questions",
    "question_terms",
    "lab_cutoffs",
}
_ROW_KEYS = {"id", "when", "ask", "defer_to", "lines", "stop"}
_LIST_OPS = {Op.IN}
_NUMBER_OPS = {Op.LT, Op.LE, Op.GT, Op.GE}
_BANDS = ("low", "indeterminate", "normal")


class TopicError(ValueError):
    """A topic package is malformed; the message names the file and the place."""


def _need(cond: bool, where: str, what: str) -> None:
    if not cond:
        raise TopicError(f"{where}: {what}")


def _keys(raw: Any, allowed: set[str], required: Iterable[str], where: str) -> dict[str, Any]:
    _need(isinstance(raw, dict), where, "expected a mapping")
    unknown = sorted(set(raw) - allowed)
    _need(not unknown, where, f"unknown keys {unknown}")
    missing = sorted(set(required) - set(raw))
    _need(not missing, where, f"missing keys {missing}")
    return dict(raw)


def _strings(raw: Any, where: str) -> tuple[str, ...]:
    ok = isinstance(raw, list) and all(isinstance(x, str) and x.strip() for x in raw)
    _need(ok, where, "expected a list of non-empty strings")
    return tuple(raw)


def _worded(raw: Any, where: str, extra: set[str] | None = None) -> Worded:
    data = _keys(raw, {"clinician", "patient", *(extra or set())}, ("clinician", "patient"), where)
    return Worded(clinician=str(data["clinician"]), patient=str(data["patient"]))


def parse_condition(raw: Any, where: str) -> RowCondition:
    """``{fact, op, value}`` with a known operator and a value of the right kind."""
    data = _keys(raw, {"fact", "op", "value"}, ("fact", "op", "value"), where)
    try:
        op = Op(data["op"])
    except ValueError:
        raise TopicError(
            f"{where}: op {data['op']!r} is not one of {[o.value for o in Op]}"
        ) from None
    value = data["value"]
    if op in _LIST_OPS:
        return RowCondition(str(data["fact"]), op, _strings(value, f"{where}.value"))
    if op in _NUMBER_OPS:
        ok = isinstance(value, int | float) and not isinstance(value, bool)
        _need(ok, f"{where}.value", "expected a number")
        return RowCondition(str(data["fact"]), op, float(value))
    _need(isinstance(value, str), f"{where}.value", "expected a word (quote 'yes'/'no')")
    return RowCondition(str(data["fact"]), op, str(value))


def _row(raw: Any, where: str) -> Row:
    data = _keys(raw, _ROW_KEYS, ("id",), where)
    lines = tuple(
        RowLine(
            section=str(_keys(x, {"section", "snippets"}, ("section", "snippets"), w)["section"]),
            snippet_ids=_strings(x["snippets"], f"{w}.snippets"),
        )
        for i, x in enumerate(data.get("lines") or [])
        for w in [f"{where}.lines[{i}]"]
    )
    row = Row(
        id=str(data["id"]),
        when=tuple(
            parse_condition(c, f"{where}.when[{i}]") for i, c in enumerate(data.get("when") or [])
        ),
        ask=data.get("ask"),
        defer_to=data.get("defer_to"),
        lines=lines,
        stop=bool(data.get("stop", False)),
    )
    _need(bool(row.ask or row.lines or row.defer_to), where, "a row must ask, defer or add lines")
    _need(not (row.ask and row.lines), where, "a row that asks adds no lines")
    return row


def _positive(raw: Any, where: str) -> float:
    ok = isinstance(raw, int | float) and not isinstance(raw, bool) and raw > 0
    _need(ok, where, "expected a positive number")
    return float(raw)


def _optional_str(raw: Any) -> str | None:
    return None if raw is None else str(raw)


def _lab_cutoff(raw: Any, where: str) -> LabCutoff:
    """``{fact, low_below: {value, unit}, units: {unit: factor}, snippet}``.

    Optionally bands: ``normal_above: {value, unit}`` (the same unit) with ``normal_snippet``
    stating it, and ``indeterminate_snippet`` stating the band between (without it that band
    is not classed).
    """
    required = {"fact", "low_below", "units", "snippet"}
    banded = {"normal_above", "indeterminate_snippet", "normal_snippet"}
    data = _keys(raw, required | banded, required, where)
    below = _keys(data["low_below"], {"value", "unit"}, ("value", "unit"), f"{where}.low_below")
    units = data["units"]
    _need(isinstance(units, dict) and bool(units), f"{where}.units", "expected {unit: factor}")
    factors = tuple((str(u), _positive(f, f"{where}.units.{u}")) for u, f in units.items())
    present = banded & set(data)
    _need(
        present in (set(), banded, banded - {"indeterminate_snippet"}),
        where,
        "bands need normal_above and normal_snippet (indeterminate_snippet is optional)",
    )
    normal_above: float | None = None
    if present:
        above = _keys(
            data["normal_above"], {"value", "unit"}, ("value", "unit"), f"{where}.normal_above"
        )
        _need(above["unit"] == below["unit"], f"{where}.normal_above.unit", "use low_below's unit")
        normal_above = _positive(above["value"], f"{where}.normal_above.value")
    _need(
        dict(factors).get(str(below["unit"])) == 1.0, f"{where}.units", "the cut-off's unit needs 1"
    )
    try:
        cutoff = LabCutoff(
            fact=str(data["fact"]),
            low_below=_positive(below["value"], f"{where}.low_below.value"),
            unit=str(below["unit"]),
            factors=factors,
            snippet_id=str(data["snippet"]),
            normal_above=normal_above,
            indeterminate_snippet_id=_optional_str(data.get("indeterminate_snippet")),
            normal_snippet_id=_optional_str(data.get("normal_snippet")),
        )
    except ValueError as error:
        raise TopicError(f"{where}: {error}") from None
    _need(cutoff.fact.endswith("_level"), f"{where}.fact", "expected a laboratory value (*_level)")
    return cutoff


def _question(raw: Any, where: str) -> Question:
    data = _keys(
        raw, {"fact", "clinician", "patient", "buttons"}, ("fact", "clinician", "patient"), where
    )
    buttons = []
    for i, b in enumerate(data.get("buttons") or []):
        button = _keys(b, {"title", "value"}, ("title", "value"), f"{where}.buttons[{i}]")
        buttons.append((str(button["title"]), str(button["value"])))
    return Question(
        fact=str(data["fact"]),
        clinician=str(data["clinician"]),
        patient=str(data["patient"]),
        buttons=tuple(buttons),
    )


def _conditions(data: Mapping[str, Any], key: str, where: str) -> tuple[RowCondition, ...]:
    """The conditions listed under ``key`` (none when absent)."""
    return tuple(
        parse_condition(c, f"{where}.{key}[{i}]") for i, c in enumerate(data.get(key) or [])
    )


def parse_topic(manifest: Any, rules: Any, folder: str) -> Topic:
    """Build a :class:`Topic` from a parsed manifest and (optional) decision table."""
    where = f"content/{folder}/{MANIFEST}"
    data = _keys(manifest, _TOPIC_KEYS, ("id", "topic", "title", "scope_terms"), where)
    raw_sections = data.get("sections") or []
    sections = tuple(
        (
            str(_keys(s, {"key", "clinician", "patient", "style"}, ("key",), w)["key"]),
            _worded({k: v for k, v in s.items() if k != "style"}, w, {"key"}),
        )
        for i, s in enumerate(raw_sections)
        for w in [f"{where}.sections[{i}]"]
    )
    for i, s in enumerate(raw_sections):
        _need(
            s.get("style", "list") in {"list", "warning"},
            f"{where}.sections[{i}].style",
            "list or warning",
        )
    warning = tuple(str(s["key"]) for s in raw_sections if s.get("style") == "warning")
    rows: tuple[Row, ...] = ()
    if rules is not None:
        rwhere = f"content/{folder}/{RULES}"
        table = _keys(rules, {"topic", "rows"}, ("topic", "rows"), rwhere)
        _need(table["topic"] == data["topic"], rwhere, "topic differs from the manifest's")
        rows = tuple(_row(r, f"{rwhere}.rows[{i}]") for i, r in enumerate(table["rows"] or []))
    topic = Topic(
        id=str(data["id"]),
        kb_topic=str(data["topic"]),
        folder=folder,
        title=_worded(data["title"], f"{where}.title"),
        scope_terms=_strings(data["scope_terms"], f"{where}.scope_terms"),
        route_facts=_conditions(data, "route_facts", where),
        evidence_facts=_conditions(data, "evidence_facts", where),
        covers=_strings(data["covers"], f"{where}.covers") if "covers" in data else (),
        default=bool(data.get("default", False)),
        rules_module=data.get("rules_module"),
        renderer=data.get("renderer"),
        sections=sections,
        questions=tuple(
            _question(q, f"{where}.questions[{i}]")
            for i, q in enumerate(data.get("questions") or [])
        ),
        rows=rows,
        warning_sections=warning,
        question_terms=(
            _strings(data["question_terms"], f"{where}.question_terms")
            if "question_terms" in data
            else ()
        ),
        lab_cutoffs=tuple(
            _lab_cutoff(c, f"{where}.lab_cutoffs[{i}]")
            for i, c in enumerate(data.get("lab_cutoffs") or [])
        ),
        **_worded_evidence(data, where),
    )
    _check_table(topic, where)
    return topic


def _worded_evidence(data: dict[str, Any], where: str) -> dict[str, Any]:
    """``evidence_with_words: {facts: [...], words: [...]}``, both non-empty, or nothing."""
    raw = data.get("evidence_with_words")
    if raw is None:
        return {}
    here = f"{where}.evidence_with_words"
    block = _keys(raw, {"facts", "words"}, ("facts", "words"), here)
    facts = _conditions(block, "facts", here)
    words = _strings(block["words"], f"{here}.words")
    _need(bool(facts) and bool(words), here, "needs facts and words")
    return {"worded_evidence": facts, "evidence_words": words}


def _check_table(topic: Topic, where: str) -> None:
    _need(bool(topic.rows) != bool(topic.rules_module), where, "needs rules.yml or rules_module")
    for key in ("rules_module", "renderer"):
        name = getattr(topic, key)
        ok = name is None or (isinstance(name, str) and bool(name.strip()))
        _need(ok, f"{where}.{key}", "expected a module name")
    keys = {key for key, _ in topic.sections}
    asked = {q.fact for q in topic.questions}
    for row in topic.rows:
        for line in row.lines:
            _need(line.section in keys, where, f"row {row.id}: unknown section {line.section!r}")
        if row.ask:
            _need(row.ask in asked, where, f"row {row.id}: no question for fact {row.ask!r}")


def _module(name: str, functions: tuple[str, ...], where: str) -> ModuleType:
    """The module ``name``, imported, with every one of ``functions`` (fails fast otherwise)."""
    try:
        module = importlib.import_module(name)
    except Exception as error:  # any failure to import is a broken topic, named as such
        raise TopicError(
            f"{where}: module {name!r} does not import: {type(error).__name__}: {error}"
        ) from error
    missing = [f for f in functions if not callable(getattr(module, f, None))]
    _need(not missing, where, f"module {name!r} lacks the functions {missing}")
    return module


@cache
def rules_of(topic: Topic) -> RulesModule:
    """The topic's ``rules_module``, imported and checked.

    Raises:
        TopicError: It has none, it does not import, or it lacks :data:`RULES_FUNCTIONS`.
    """
    where = f"content/{topic.folder}/{MANIFEST}.rules_module"
    _need(topic.rules_module is not None, where, "this topic has no rules module")
    return cast(RulesModule, _module(str(topic.rules_module), RULES_FUNCTIONS, where))


@cache
def renderer_of(topic: Topic) -> Renderer:
    """The topic's ``renderer``, imported and checked.

    Raises:
        TopicError: It has none, it does not import, or it lacks :data:`RENDERER_FUNCTIONS`.
    """
    where = f"content/{topic.folder}/{MANIFEST}.renderer"
    _need(topic.renderer is not None, where, "a topic with a rules_module needs a renderer")
    return cast(Renderer, _module(str(topic.renderer), RENDERER_FUNCTIONS, where))


def check_modules(topics: Iterable[Topic]) -> None:
    """Import every topic's ``rules_module`` and ``renderer`` and check their functions.

    A renderer goes with a rules module (a table topic is worded by the engine's table
    renderer); the action server runs this at start-up, so a module that does not import
    fails there.

    Raises:
        TopicError: The first problem found, naming the manifest and the module.
    """
    for topic in topics:
        where = f"content/{topic.folder}/{MANIFEST}"
        if topic.rules_module is None:
            _need(topic.renderer is None, f"{where}.renderer", "only with a rules_module")
            continue
        rules_of(topic)
        renderer_of(topic)


def check_against(
    topics: tuple[Topic, ...], snippet_ids: frozenset[str], facts: frozenset[str]
) -> None:
    """Cross-checks: one default, unique ids, deferrals and snippets and facts that exist.

    Raises:
        TopicError: The first problem found.
    """
    ids = [t.id for t in topics]
    _need(len(ids) == len(set(ids)), "topics", f"duplicate topic ids {ids}")
    _need(sum(t.default for t in topics) == 1, "topics", "exactly one topic must be default")
    for topic in topics:
        where = f"content/{topic.folder}"
        for row in topic.rows:
            _need(row.defer_to in {None, *ids}, where, f"row {row.id}: defers to no topic")
            _need(
                row.ask in {None, *facts}, where, f"row {row.id}: asks for unknown fact {row.ask!r}"
            )
            unknown = [c.fact for c in row.when if c.fact not in facts]
            _need(not unknown, where, f"row {row.id}: unknown facts {unknown}")
        cited = {
            *topic.snippet_ids(),
            *(s for c in topic.lab_cutoffs for b in _BANDS if (s := c.snippet_for(b)) is not None),
        }
        missing = sorted(cited - snippet_ids)
        _need(not missing, where, f"unknown snippets {missing}")
        for key, conditions in (
            ("route_facts", topic.route_facts),
            ("evidence_facts", topic.evidence_facts),
            ("evidence_with_words", topic.worded_evidence),
        ):
            unknown = [c.fact for c in conditions if c.fact not in facts]
            _need(not unknown, where, f"{key}: unknown facts {unknown}")


def discover(
    root: Traversable, read: Callable[[Traversable], Any] | None = None
) -> tuple[Topic, ...]:
    """Every folder under ``root`` with a ``topic.yml``, in folder order."""
    load = read or (lambda entry: yaml.safe_load(entry.read_text(encoding="utf-8")))
    found = []
    for folder in sorted((c for c in root.iterdir() if c.is_dir()), key=lambda c: c.name):
        manifest = folder.joinpath(MANIFEST)
        if not manifest.is_file():
            continue
        rules_file = folder.joinpath(RULES)
        rules = load(rules_file) if rules_file.is_file() else None
        found.append(parse_topic(load(manifest), rules, folder.name))
    return tuple(found)


@cache
def packaged_topics() -> tuple[Topic, ...]:
    """The topics of the packaged content, parsed (not yet cross-checked; see registry)."""
    return discover(resources.files("guideline_engine") / "content")
