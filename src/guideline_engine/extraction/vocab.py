"""Load and validate the curated vocabulary files in ``guideline_engine/vocab``.

Each file has a fixed schema. Unknown keys, missing keys and bad values are rejected with a
``ValueError`` that names the file, the entry and the field, in the spirit of medspacy's
``from_dict`` rule loading. Files are read lazily (on first use) through
:mod:`importlib.resources` and cached for the life of the process.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from importlib.resources.abc import Traversable
from typing import Any

import yaml

from guideline_engine.extraction.text import canonical, phrase_regex

VOCAB_PACKAGE = "guideline_engine.vocab"
SYMPTOMS_FILE = "symptoms.yml"
CAUSES_FILE = "causes.yml"
NEGATION_FILE = "negation.yml"
CUES_FILE = "cues.yml"
ANTIBODIES_FILE = "antibodies.yml"
UNUSED_TESTS_FILE = "unused_tests.yml"

_ID_RE = re.compile(r"^[a-z][a-z0-9_]*$")

CAUSE_IDS: frozenset[str] = frozenset(
    {
        "pernicious_anaemia",
        "malabsorption",
        "ileal_resection",
        "bariatric_surgery",
        "dietary",
        "medication",
    }
)

CUE_GROUP_VALUES: Mapping[str, frozenset[str]] = {
    "pregnancy": frozenset({"yes", "no"}),
    "route_preference": frozenset({"oral", "intramuscular"}),
    "injection_contraindication": frozenset({"anticoagulant", "bleeding_disorder", "stated"}),
    "folic_acid_started": frozenset({"yes", "no"}),
    "audience": frozenset({"clinician", "caregiver", "patient"}),
    "formulary": frozenset({"us", "uk"}),
    "sex": frozenset({"female", "male"}),
    "sex_pronoun": frozenset({"female", "male"}),
    "breastfeeding": frozenset({"yes", "no"}),
    "pancytopenia": frozenset({"yes", "no"}),
    "severe_anaemia": frozenset({"yes", "no"}),
    "reset": frozenset({"new_patient", "new_patient_opening"}),
}

OPTIONAL_CUE_GROUPS: frozenset[str] = frozenset(
    {"folic_acid_started", "breastfeeding", "pancytopenia", "severe_anaemia", "reset"}
)
"""Cue groups a ``cues.yml`` may leave out (the fact is then never extracted); every other
group of :data:`CUE_GROUP_VALUES` is required."""


class VocabularyError(ValueError):
    """A vocabulary file does not follow its schema."""


# --------------------------------------------------------------------------- models


@dataclass(frozen=True)
class SymptomEntry:
    """One symptom of the controlled vocabulary."""

    id: str
    label: str
    neurological: bool
    synonyms: tuple[str, ...]
    case_sensitive_synonyms: tuple[str, ...] = ()
    note: str | None = None


@dataclass(frozen=True)
class CauseEntry:
    """One cause of B12 deficiency with its synonyms."""

    id: str
    label: str
    synonyms: tuple[str, ...]
    case_sensitive_synonyms: tuple[str, ...] = ()
    note: str | None = None
    exclusions: tuple[str, ...] = ()
    """Phrases in which a synonym means something else ("PA-C"); a hit overlapping one is
    dropped."""


@dataclass(frozen=True)
class TriggerSet:
    """Pre- and post-triggers of one ConText category.

    ``pre`` triggers look forward (ConText direction FORWARD), ``post`` triggers look back
    (BACKWARD); a ``both`` list in the YAML (BIDIRECTIONAL) is added to each.
    """

    pre: tuple[str, ...] = ()
    post: tuple[str, ...] = ()


@dataclass(frozen=True)
class WriterRules:
    """Who the writer is: phrases that set a relative's findings apart from the writer's.

    Attributes:
        relative_pre: "my sister", "my dad": an other-experiencer pre-trigger only in a message
            where the writer also speaks of themselves apart ("..., I don't"); otherwise the
            writer is a carer describing the patient.
        self_denial: Phrases by which the writer denies what was said of someone else
            ("I've got none of that").
        self_denial_clause_final: The same, counted only at the end of a clause ("I don't."),
            since "I don't know" denies nothing.
    """

    relative_pre: tuple[str, ...] = ()
    self_denial: tuple[str, ...] = ()
    self_denial_clause_final: tuple[str, ...] = ()


@dataclass(frozen=True)
class TimeCues:
    """Words that place another person's finding now ("can't wake him") or in the past."""

    now: tuple[str, ...] = ()
    past: tuple[str, ...] = ()


@dataclass(frozen=True)
class ContextRules:
    """NegEx/ConText rules as data (see ``negation.yml``)."""

    scope_window: int
    post_scope_window: int
    hypothetical_window: int
    numbers_end_negation_scope: bool
    negation: TriggerSet
    pseudo: tuple[str, ...]
    hypothetical: TriggerSet
    historical: TriggerSet
    experiencer_other: TriggerSet
    terminators_common: tuple[str, ...]
    terminators_negation: tuple[str, ...]
    negative_findings: tuple[str, ...]
    possible: TriggerSet = TriggerSet()
    writer: WriterRules = WriterRules()
    experiencer_time: TimeCues = TimeCues()
    normal_exam_subjects: tuple[str, ...] = ()
    """With :attr:`normal_exam_words`: "<subject> <word>" in either order is a negative
    finding ("neuro exam NAD", "neurology: intact", "normal neuro exam")."""
    normal_exam_words: tuple[str, ...] = ()
    terminators_historical: tuple[str, ...] = ()
    """End only historical scope ("resolved last year, now numbness")."""


@dataclass(frozen=True)
class AntibodyTest:
    """A laboratory antibody test whose positive result points to a cause."""

    id: str
    label: str
    indicates: str
    synonyms: tuple[str, ...]
    case_sensitive_synonyms: tuple[str, ...] = ()
    result_next_only: tuple[str, ...] = ()
    """Synonyms that count only when a result follows at once ("if abs +ve"), because
    the same words can open a conditional ("if antibodies come back ...")."""


@dataclass(frozen=True)
class AntibodyRules:
    """Antibody tests and the words that give their result (see ``antibodies.yml``)."""

    tests: tuple[AntibodyTest, ...]
    positive: tuple[str, ...]
    negative: tuple[str, ...]
    pending: tuple[str, ...]
    result_window: int


@dataclass(frozen=True)
class UnusedTest:
    """A blood test no topic uses: its results are only named back (``unused_tests.yml``)."""

    id: str
    name: str
    patterns: tuple[str, ...]


@dataclass(frozen=True)
class UnusedTests:
    """The tests of ``unused_tests.yml`` and where the list comes from."""

    provenance: str
    tests: tuple[UnusedTest, ...]


@dataclass(frozen=True)
class CueEntry:
    """Phrases that set one value of one fact."""

    group: str
    value: str
    phrases: tuple[str, ...]
    case_sensitive_phrases: tuple[str, ...] = ()


# --------------------------------------------------------------------------- helpers


def _where(source: str, entry: str | None = None, field: str | None = None) -> str:
    parts = [source]
    if entry is not None:
        parts.append(f"entry {entry}")
    if field is not None:
        parts.append(f"field '{field}'")
    return ": ".join(parts)


def _fail(source: str, entry: str | None, field: str | None, problem: str) -> VocabularyError:
    return VocabularyError(f"{_where(source, entry, field)}: {problem}")


def _mapping(obj: object, source: str, entry: str | None, field: str | None) -> Mapping[str, Any]:
    if not isinstance(obj, Mapping):
        raise _fail(source, entry, field, f"expected a mapping, got {type(obj).__name__}")
    for key in obj:
        if not isinstance(key, str):
            raise _fail(source, entry, field, f"keys must be strings, got {key!r}")
    return obj


def _check_keys(
    obj: Mapping[str, Any],
    required: set[str],
    optional: set[str],
    source: str,
    entry: str | None,
) -> None:
    unknown = sorted(set(obj) - required - optional)
    if unknown:
        raise _fail(
            source,
            entry,
            unknown[0],
            f"unknown key (allowed: {', '.join(sorted(required | optional))})",
        )
    missing = sorted(required - set(obj))
    if missing:
        raise _fail(source, entry, missing[0], "required key is missing")


def _string(obj: object, source: str, entry: str | None, field: str) -> str:
    if not isinstance(obj, str) or not obj.strip():
        raise _fail(source, entry, field, f"expected a non-empty string, got {obj!r}")
    return obj


def _int(obj: object, source: str, entry: str | None, field: str, minimum: int) -> int:
    if isinstance(obj, bool) or not isinstance(obj, int) or obj < minimum:
        raise _fail(source, entry, field, f"expected an integer >= {minimum}, got {obj!r}")
    return obj


def _phrases(
    obj: object,
    source: str,
    entry: str | None,
    field: str,
    *,
    lower: bool = True,
    allow_empty: bool = False,
) -> tuple[str, ...]:
    if not isinstance(obj, list) or (not obj and not allow_empty):
        raise _fail(source, entry, field, f"expected a non-empty list of phrases, got {obj!r}")
    out: list[str] = []
    for i, item in enumerate(obj):
        if not isinstance(item, str) or (not item.strip() and item != "\n"):
            raise _fail(
                source, entry, f"{field}[{i}]", f"expected a non-empty string, got {item!r}"
            )
        if lower and item != item.lower():
            raise _fail(source, entry, f"{field}[{i}]", f"phrase {item!r} must be lower case")
        try:
            phrase_regex(item)
        except ValueError as exc:
            raise _fail(source, entry, f"{field}[{i}]", str(exc)) from exc
        out.append(item)
    return tuple(out)


def _version(data: Mapping[str, Any], source: str) -> None:
    if _int(data.get("version"), source, None, "version", 1) != 1:
        raise _fail(source, None, "version", "unsupported version (expected 1)")


def _entry_name(raw: object, index: int) -> str:
    if isinstance(raw, Mapping):
        ident = raw.get("id", raw.get("value"))
        if isinstance(ident, str):
            return f"#{index} ({ident})"
    return f"#{index}"


# --------------------------------------------------------------------------- parsers


def parse_symptoms(
    data: object,
    source: str = SYMPTOMS_FILE,
    terminators: Sequence[str] = (),
) -> tuple[SymptomEntry, ...]:
    """Validate the parsed content of ``symptoms.yml``.

    Args:
        data: The YAML document as loaded.
        source: File name used in error messages.
        terminators: Scope terminators a synonym must not contain (a synonym holding
            "but" would cut the scope of "no" in "no <synonym>").

    Returns:
        The symptom entries.

    Raises:
        VocabularyError: On unknown keys, missing keys, bad values or duplicates.
    """
    doc = _mapping(data, source, None, None)
    _check_keys(doc, {"version", "symptoms"}, set(), source, None)
    _version(doc, source)
    items = doc["symptoms"]
    if not isinstance(items, list) or not items:
        raise _fail(source, None, "symptoms", "expected a non-empty list")
    term_keys = {canonical(t) for t in terminators if t.strip() and re.match(r"\w", t)}
    seen_ids: set[str] = set()
    seen_phrases: dict[str, str] = {}
    out: list[SymptomEntry] = []
    for index, raw in enumerate(items):
        name = _entry_name(raw, index)
        item = _mapping(raw, source, name, None)
        _check_keys(
            item,
            {"id", "label", "neurological", "synonyms"},
            {"case_sensitive_synonyms", "note"},
            source,
            name,
        )
        ident = _string(item["id"], source, name, "id")
        if not _ID_RE.match(ident):
            raise _fail(source, name, "id", f"{ident!r} is not a snake_case identifier")
        if ident in seen_ids:
            raise _fail(source, name, "id", f"duplicate id {ident!r}")
        seen_ids.add(ident)
        neuro = item["neurological"]
        if not isinstance(neuro, bool):
            raise _fail(source, name, "neurological", f"expected true or false, got {neuro!r}")
        synonyms = _phrases(item["synonyms"], source, name, "synonyms")
        cs = _phrases(
            item.get("case_sensitive_synonyms", []),
            source,
            name,
            "case_sensitive_synonyms",
            lower=False,
            allow_empty=True,
        )
        groups = (("synonyms", synonyms), ("case_sensitive_synonyms", cs))
        _claim_phrases(groups, ident, seen_phrases, source, name, term_keys)
        note = item.get("note")
        if note is not None:
            _string(note, source, name, "note")
        out.append(
            SymptomEntry(
                id=ident,
                label=_string(item["label"], source, name, "label"),
                neurological=neuro,
                synonyms=synonyms,
                case_sensitive_synonyms=cs,
                note=note,
            )
        )
    return tuple(out)


def _claim_phrases(
    groups: tuple[tuple[str, tuple[str, ...]], ...],
    ident: str,
    seen_phrases: dict[str, str],
    source: str,
    name: str,
    terminators: Iterable[str] = (),
) -> None:
    """Record each phrase as belonging to ``ident``.

    A phrase already owned by another entry, or one containing a negation-scope terminator,
    is an error naming the field.
    """
    terminators = tuple(terminators)
    for field_name, group in groups:
        for phrase in group:
            key = canonical(phrase)
            words = set(key.split())
            bad = sorted(t for t in terminators if t in words or f" {t} " in f" {key} ")
            if bad:
                raise _fail(
                    source,
                    name,
                    field_name,
                    f"phrase {phrase!r} contains the scope terminator {bad[0]!r}",
                )
            other = seen_phrases.get(key)
            if other is not None and other != ident:
                raise _fail(
                    source, name, field_name, f"phrase {phrase!r} is already used by {other!r}"
                )
            seen_phrases[key] = ident


def parse_causes(
    data: object, source: str = CAUSES_FILE, allowed: frozenset[str] | None = CAUSE_IDS
) -> tuple[CauseEntry, ...]:
    """Validate the parsed content of ``causes.yml`` (or the causes of a topic's ``vocab.yml``).

    Args:
        data: The YAML document as loaded.
        source: File name used in error messages.
        allowed: The cause ids allowed; ``None`` allows any snake_case id (a topic's own
            causes, such as ``alcohol`` for folate, which the B12 regimen ignores).

    Returns:
        The cause entries.

    Raises:
        VocabularyError: On unknown keys, unknown cause ids, bad values or duplicates.
    """
    doc = _mapping(data, source, None, None)
    _check_keys(doc, {"version", "causes"}, set(), source, None)
    _version(doc, source)
    items = doc["causes"]
    if not isinstance(items, list) or not items:
        raise _fail(source, None, "causes", "expected a non-empty list")
    seen_ids: set[str] = set()
    seen_phrases: dict[str, str] = {}
    out: list[CauseEntry] = []
    for index, raw in enumerate(items):
        name = _entry_name(raw, index)
        item = _mapping(raw, source, name, None)
        _check_keys(
            item,
            {"id", "label", "synonyms"},
            {"case_sensitive_synonyms", "exclusions", "note"},
            source,
            name,
        )
        ident = _string(item["id"], source, name, "id")
        if allowed is not None and ident not in allowed:
            raise _fail(
                source,
                name,
                "id",
                f"unknown cause {ident!r} (allowed: {', '.join(sorted(allowed))})",
            )
        if allowed is None and (not _ID_RE.match(ident) or ident in CAUSE_IDS):
            raise _fail(source, name, "id", f"a topic cause needs a new snake_case id: {ident!r}")
        if ident in seen_ids:
            raise _fail(source, name, "id", f"duplicate id {ident!r}")
        seen_ids.add(ident)
        synonyms = _phrases(item["synonyms"], source, name, "synonyms")
        cs = _phrases(
            item.get("case_sensitive_synonyms", []),
            source,
            name,
            "case_sensitive_synonyms",
            lower=False,
            allow_empty=True,
        )
        exclusions = _phrases(
            item.get("exclusions", []), source, name, "exclusions", allow_empty=True
        )
        synonym_keys = {canonical(p) for p in (*synonyms, *cs)}
        for phrase in exclusions:
            if canonical(phrase) in synonym_keys:
                raise _fail(source, name, "exclusions", f"phrase {phrase!r} is also a synonym")
        _claim_phrases((("synonyms", synonyms),), ident, seen_phrases, source, name)
        note = item.get("note")
        if note is not None:
            _string(note, source, name, "note")
        out.append(
            CauseEntry(
                id=ident,
                label=_string(item["label"], source, name, "label"),
                synonyms=synonyms,
                case_sensitive_synonyms=cs,
                note=note,
                exclusions=exclusions,
            )
        )
    return tuple(out)


def _trigger_set(
    obj: object, source: str, field: str, *, need_pre: bool, allow_post: bool = True
) -> TriggerSet:
    block = _mapping(obj, source, None, field)
    allowed = {"pre", "post", "both"} if allow_post else {"pre"}
    _check_keys(
        block,
        {"pre"} if need_pre else set(),
        allowed - ({"pre"} if need_pre else set()),
        source,
        field,
    )
    pre = _phrases(block.get("pre", []), source, field, "pre", allow_empty=not need_pre)
    post = _phrases(block.get("post", []), source, field, "post", allow_empty=True)
    both = _phrases(block.get("both", []), source, field, "both", allow_empty=True)
    return TriggerSet(pre=pre + both, post=post + both)


def _writer_rules(obj: object, source: str) -> WriterRules:
    field = "experiencer_writer"
    block = _mapping(obj, source, None, field)
    keys = {"relative_pre", "self_denial", "self_denial_clause_final"}
    _check_keys(block, keys, set(), source, field)
    return WriterRules(
        relative_pre=_phrases(block["relative_pre"], source, field, "relative_pre"),
        self_denial=_phrases(block["self_denial"], source, field, "self_denial"),
        self_denial_clause_final=_phrases(
            block["self_denial_clause_final"], source, field, "self_denial_clause_final"
        ),
    )


def _time_cues(obj: object, source: str) -> TimeCues:
    field = "experiencer_time"
    block = _mapping(obj, source, None, field)
    _check_keys(block, {"now", "past"}, set(), source, field)
    return TimeCues(
        now=_phrases(block["now"], source, field, "now"),
        past=_phrases(block["past"], source, field, "past"),
    )


def _normal_exam(obj: object, source: str) -> tuple[tuple[str, ...], tuple[str, ...]]:
    field = "normal_exam"
    block = _mapping(obj, source, None, field)
    _check_keys(block, {"subjects", "normal"}, set(), source, field)
    return (
        _phrases(block["subjects"], source, field, "subjects"),
        _phrases(block["normal"], source, field, "normal"),
    )


def parse_context_rules(data: object, source: str = NEGATION_FILE) -> ContextRules:
    """Validate the parsed content of ``negation.yml``.

    Args:
        data: The YAML document as loaded.
        source: File name used in error messages.

    Returns:
        The context rules.

    Raises:
        VocabularyError: On unknown keys, missing keys or bad values.
    """
    doc = _mapping(data, source, None, None)
    _check_keys(
        doc,
        {
            "version",
            "scope_window",
            "post_scope_window",
            "hypothetical_window",
            "numbers_end_negation_scope",
            "negation",
            "hypothetical",
            "historical",
            "experiencer_other",
            "terminators",
            "negative_findings",
        },
        {"possible", "experiencer_writer", "experiencer_time", "normal_exam"},
        source,
        None,
    )
    _version(doc, source)
    numbers_flag = doc["numbers_end_negation_scope"]
    if not isinstance(numbers_flag, bool):
        raise _fail(
            source,
            None,
            "numbers_end_negation_scope",
            f"expected true or false, got {numbers_flag!r}",
        )
    neg = _mapping(doc["negation"], source, None, "negation")
    _check_keys(neg, {"pre", "post", "pseudo"}, set(), source, "negation")
    terms = _mapping(doc["terminators"], source, None, "terminators")
    _check_keys(terms, {"common"}, {"negation", "historical"}, source, "terminators")
    exam = _normal_exam(doc["normal_exam"], source) if "normal_exam" in doc else ((), ())
    return ContextRules(
        scope_window=_int(doc["scope_window"], source, None, "scope_window", 1),
        post_scope_window=_int(doc["post_scope_window"], source, None, "post_scope_window", 1),
        hypothetical_window=_int(
            doc["hypothetical_window"], source, None, "hypothetical_window", 1
        ),
        numbers_end_negation_scope=numbers_flag,
        negation=TriggerSet(
            pre=_phrases(neg["pre"], source, "negation", "pre"),
            post=_phrases(neg["post"], source, "negation", "post"),
        ),
        pseudo=_phrases(neg["pseudo"], source, "negation", "pseudo"),
        hypothetical=_trigger_set(
            doc["hypothetical"], source, "hypothetical", need_pre=True, allow_post=False
        ),
        historical=_trigger_set(doc["historical"], source, "historical", need_pre=True),
        experiencer_other=_trigger_set(
            doc["experiencer_other"], source, "experiencer_other", need_pre=True
        ),
        terminators_common=_phrases(terms["common"], source, "terminators", "common"),
        terminators_negation=_phrases(
            terms.get("negation", []), source, "terminators", "negation", allow_empty=True
        ),
        negative_findings=_phrases(doc["negative_findings"], source, None, "negative_findings"),
        terminators_historical=_phrases(
            terms.get("historical", []), source, "terminators", "historical", allow_empty=True
        ),
        normal_exam_subjects=exam[0],
        normal_exam_words=exam[1],
        possible=(
            _trigger_set(doc["possible"], source, "possible", need_pre=True)
            if "possible" in doc
            else TriggerSet()
        ),
        writer=(
            _writer_rules(doc["experiencer_writer"], source)
            if "experiencer_writer" in doc
            else WriterRules()
        ),
        experiencer_time=(
            _time_cues(doc["experiencer_time"], source) if "experiencer_time" in doc else TimeCues()
        ),
    )


def parse_cues(data: object, source: str = CUES_FILE) -> tuple[CueEntry, ...]:
    """Validate the parsed content of ``cues.yml``.

    Args:
        data: The YAML document as loaded.
        source: File name used in error messages.

    Returns:
        The cue entries of every group.

    Raises:
        VocabularyError: On unknown groups, unknown values, unknown keys or bad phrases.
    """
    doc = _mapping(data, source, None, None)
    _check_keys(doc, {"version", "groups"}, set(), source, None)
    _version(doc, source)
    groups = _mapping(doc["groups"], source, None, "groups")
    missing = sorted(set(CUE_GROUP_VALUES) - OPTIONAL_CUE_GROUPS - set(groups))
    if missing:
        raise _fail(source, None, f"groups.{missing[0]}", "required group is missing")
    out: list[CueEntry] = []
    for group, items in groups.items():
        allowed = CUE_GROUP_VALUES.get(group)
        if allowed is None:
            raise _fail(
                source,
                None,
                f"groups.{group}",
                f"unknown group (allowed: {', '.join(sorted(CUE_GROUP_VALUES))})",
            )
        if not isinstance(items, list) or not items:
            raise _fail(source, None, f"groups.{group}", "expected a non-empty list")
        seen: dict[str, str] = {}
        for index, raw in enumerate(items):
            name = f"{group} {_entry_name(raw, index)}"
            item = _mapping(raw, source, name, None)
            _check_keys(item, {"value", "phrases"}, {"case_sensitive_phrases"}, source, name)
            value = item["value"]
            if not isinstance(value, str) or value not in allowed:
                raise _fail(
                    source,
                    name,
                    "value",
                    f"{value!r} is not allowed (allowed: {', '.join(sorted(allowed))})",
                )
            phrases = _phrases(item["phrases"], source, name, "phrases")
            for phrase in phrases:
                key = canonical(phrase)
                other = seen.get(key)
                if other is not None and other != value:
                    raise _fail(
                        source, name, "phrases", f"phrase {phrase!r} already sets {group}={other!r}"
                    )
                seen[key] = value
            cs = _phrases(
                item.get("case_sensitive_phrases", []),
                source,
                name,
                "case_sensitive_phrases",
                lower=False,
                allow_empty=True,
            )
            out.append(
                CueEntry(group=group, value=value, phrases=phrases, case_sensitive_phrases=cs)
            )
    return tuple(out)


def _antibody_test(raw: object, index: int, source: str) -> AntibodyTest:
    name = _entry_name(raw, index)
    item = _mapping(raw, source, name, None)
    _check_keys(
        item,
        {"id", "label", "indicates", "synonyms"},
        {"case_sensitive_synonyms", "result_next_only"},
        source,
        name,
    )
    ident = _string(item["id"], source, name, "id")
    if not _ID_RE.match(ident):
        raise _fail(source, name, "id", f"{ident!r} is not a snake_case identifier")
    indicates = _string(item["indicates"], source, name, "indicates")
    if indicates not in CAUSE_IDS:
        raise _fail(source, name, "indicates", f"unknown cause {indicates!r}")

    def optional(key: str, lower: bool) -> tuple[str, ...]:
        return _phrases(item.get(key, []), source, name, key, lower=lower, allow_empty=True)

    return AntibodyTest(
        id=ident,
        label=_string(item["label"], source, name, "label"),
        indicates=indicates,
        synonyms=_phrases(item["synonyms"], source, name, "synonyms"),
        case_sensitive_synonyms=optional("case_sensitive_synonyms", lower=False),
        result_next_only=optional("result_next_only", lower=True),
    )


def parse_antibodies(data: object, source: str = ANTIBODIES_FILE) -> AntibodyRules:
    """Validate the parsed content of ``antibodies.yml``.

    Args:
        data: The YAML document as loaded.
        source: File name used in error messages.

    Returns:
        The antibody tests and result words.

    Raises:
        VocabularyError: On unknown keys, unknown causes, bad phrases or duplicates.
    """
    doc = _mapping(data, source, None, None)
    _check_keys(doc, {"version", "tests", "results", "result_window"}, set(), source, None)
    _version(doc, source)
    items = doc["tests"]
    if not isinstance(items, list) or not items:
        raise _fail(source, None, "tests", "expected a non-empty list")
    tests = tuple(_antibody_test(raw, i, source) for i, raw in enumerate(items))
    seen: dict[str, str] = {}
    for test in tests:
        groups = (
            ("synonyms", test.synonyms),
            ("case_sensitive_synonyms", test.case_sensitive_synonyms),
            ("result_next_only", test.result_next_only),
        )
        _claim_phrases(groups, test.id, seen, source, test.id)
    results = _mapping(doc["results"], source, None, "results")
    _check_keys(results, {"positive", "negative", "pending"}, set(), source, "results")
    return AntibodyRules(
        tests=tests,
        positive=_phrases(results["positive"], source, "results", "positive"),
        negative=_phrases(results["negative"], source, "results", "negative"),
        pending=_phrases(results["pending"], source, "results", "pending"),
        result_window=_int(doc["result_window"], source, None, "result_window", 1),
    )


READ_TEST_NAMES: tuple[str, ...] = (
    "b12",
    "vitamin b12",
    "active b12",
    "holotc",
    "folate",
    "folic acid",
    "mma",
    "hb",
    "haemoglobin",
    "hemoglobin",
    "platelets",
    "plt",
    "wcc",
    "wbc",
    "white cells",
    "neutrophils",
)
"""Names of tests the extractor reads; no pattern of ``unused_tests.yml`` may match one."""


def _unused_test(raw: object, index: int, source: str) -> UnusedTest:
    name = _entry_name(raw, index)
    item = _mapping(raw, source, name, None)
    _check_keys(item, {"id", "name", "patterns"}, set(), source, name)
    ident = _string(item["id"], source, name, "id")
    if not _ID_RE.match(ident):
        raise _fail(source, name, "id", f"{ident!r} is not a snake_case identifier")
    patterns = _phrases(item["patterns"], source, name, "patterns", lower=False)
    for pattern in patterns:
        if pattern != pattern.lower() or "(?P<" in pattern:
            raise _fail(source, name, "patterns", f"{pattern!r}: lower case, no named groups")
        try:
            compiled = re.compile(pattern)
        except re.error as exc:
            raise _fail(source, name, "patterns", f"{pattern!r}: bad pattern: {exc}") from exc
        read = [t for t in READ_TEST_NAMES if compiled.fullmatch(t)]
        if read:
            raise _fail(source, name, "patterns", f"{pattern!r} matches {read[0]!r}, a read test")
    return UnusedTest(ident, _string(item["name"], source, name, "name"), patterns)


def parse_unused_tests(data: object, source: str = UNUSED_TESTS_FILE) -> UnusedTests:
    """Validate the parsed content of ``unused_tests.yml``.

    Args:
        data: The YAML document as loaded.
        source: File name used in error messages.

    Returns:
        The tests, in file order, with the list's provenance.

    Raises:
        VocabularyError: On unknown or missing keys, a bad or duplicate id or name, a pattern
            that does not compile, has a named group or matches a test the extractor reads.
    """
    doc = _mapping(data, source, None, None)
    _check_keys(doc, {"version", "provenance", "tests"}, set(), source, None)
    _version(doc, source)
    provenance = _string(doc["provenance"], source, None, "provenance")
    items = doc["tests"]
    if not isinstance(items, list) or not items:
        raise _fail(source, None, "tests", "expected a non-empty list")
    tests = tuple(_unused_test(raw, i, source) for i, raw in enumerate(items))
    for key in ("id", "name"):
        values = [getattr(t, key).lower() for t in tests]
        twice = sorted({v for v in values if values.count(v) > 1})
        if twice:
            raise _fail(source, twice[0], key, "used by two entries")
    return UnusedTests(provenance, tests)


# --------------------------------------------------------------------------- loading


def read_vocab_text(name: str) -> str:
    """Read one vocabulary file from the package.

    Args:
        name: File name inside ``guideline_engine/vocab``.

    Returns:
        The file's text.
    """
    return resources.files(VOCAB_PACKAGE).joinpath(name).read_text(encoding="utf-8")


class _UniqueKeyLoader(yaml.SafeLoader):
    """A safe loader that refuses a key given twice in one mapping.

    PyYAML keeps the last of two equal keys, so a second ``patterns:`` in a red flag silently
    dropped the first one's patterns (session 12); vocabulary files are loaded with this.
    """

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        keys = [self.construct_object(k, deep=deep) for k, _ in node.value]
        repeated = sorted({str(k) for k in keys if keys.count(k) > 1})
        if repeated:
            raise yaml.constructor.ConstructorError(
                None, None, f"key given twice: {', '.join(repeated)}", node.start_mark
            )
        return super().construct_mapping(node, deep=deep)


def load_vocab_yaml(text: str) -> object:
    """Parse vocabulary YAML, refusing a key given twice in one mapping."""
    return yaml.load(text, Loader=_UniqueKeyLoader)


def _load_yaml(name: str) -> object:
    try:
        return load_vocab_yaml(read_vocab_text(name))
    except yaml.YAMLError as exc:
        raise VocabularyError(f"{name}: not valid YAML: {exc}") from exc


@lru_cache(maxsize=1)
def load_context_rules() -> ContextRules:
    """The validated NegEx/ConText rules (read once per process)."""
    return parse_context_rules(_load_yaml(NEGATION_FILE), NEGATION_FILE)


@lru_cache(maxsize=1)
def load_symptoms() -> tuple[SymptomEntry, ...]:
    """The validated symptom vocabulary (read once per process)."""
    rules = load_context_rules()
    return parse_symptoms(
        _load_yaml(SYMPTOMS_FILE),
        SYMPTOMS_FILE,
        terminators=(*rules.terminators_common, *rules.terminators_negation),
    )


TOPIC_VOCAB_FILE = "vocab.yml"
"""A topic package's own vocabulary (``content/<topic>/vocab.yml``): causes only, for now."""


def topic_vocab_files() -> tuple[Traversable, ...]:
    """Every topic package's ``vocab.yml``, in folder order."""
    root = resources.files("guideline_engine").joinpath("content")
    folders = sorted((c for c in root.iterdir() if c.is_dir()), key=lambda c: c.name)
    files = (f.joinpath(TOPIC_VOCAB_FILE) for f in folders)
    return tuple(f for f in files if f.is_file())


@lru_cache(maxsize=1)
def load_causes() -> tuple[CauseEntry, ...]:
    """The validated cause vocabulary: ``causes.yml`` plus each topic's own causes (read once).

    Raises:
        VocabularyError: A file is invalid, or two files claim the same id or phrase.
    """
    files = [parse_causes(_load_yaml(CAUSES_FILE), CAUSES_FILE)]
    for entry in topic_vocab_files():
        source = f"topic {TOPIC_VOCAB_FILE}"
        try:
            data = yaml.safe_load(entry.read_text(encoding="utf-8"))
        except yaml.YAMLError as exc:
            raise VocabularyError(f"{source}: not valid YAML: {exc}") from exc
        files.append(parse_causes(data, source, allowed=None))
    _check_across(files)
    return tuple(c for entries in files for c in entries)


def _check_across(files: list[tuple[CauseEntry, ...]]) -> None:
    """No cause id and no phrase is claimed by two vocabulary files."""
    seen_ids: set[str] = set()
    seen_phrases: set[str] = set()
    for entries in files:
        ids = {c.id for c in entries}
        phrases = {canonical(p) for c in entries for p in (*c.synonyms, *c.case_sensitive_synonyms)}
        if ids & seen_ids or phrases & seen_phrases:
            both = sorted((ids & seen_ids) | (phrases & seen_phrases))
            raise VocabularyError(f"cause ids or phrases claimed by two vocabularies: {both}")
        seen_ids |= ids
        seen_phrases |= phrases


@lru_cache(maxsize=1)
def load_antibodies() -> AntibodyRules:
    """The validated antibody tests and result words (read once per process)."""
    return parse_antibodies(_load_yaml(ANTIBODIES_FILE), ANTIBODIES_FILE)


@lru_cache(maxsize=1)
def load_unused_tests() -> UnusedTests:
    """The validated tests no topic uses (read once per process)."""
    return parse_unused_tests(_load_yaml(UNUSED_TESTS_FILE), UNUSED_TESTS_FILE)


@lru_cache(maxsize=1)
def load_cues() -> tuple[CueEntry, ...]:
    """The validated cue lists (read once per process)."""
    return parse_cues(_load_yaml(CUES_FILE), CUES_FILE)


def vocab_file_names() -> tuple[str, ...]:
    """Names of every ``*.yml`` file in the vocabulary package, sorted."""
    root = resources.files(VOCAB_PACKAGE)
    return tuple(sorted(p.name for p in root.iterdir() if p.name.endswith(".yml")))


def vocab_fingerprint() -> str:
    """SHA-256 over the names and bytes of every vocabulary YAML file.

    Returns:
        A hex digest that changes whenever any lexicon or rule file changes.
    """
    digest = hashlib.sha256()
    root = resources.files(VOCAB_PACKAGE)
    for name in vocab_file_names():
        digest.update(name.encode("utf-8"))
        digest.update(b"\0")
        digest.update(root.joinpath(name).read_bytes())
        digest.update(b"\0")
    for entry in topic_vocab_files():  # topic packages' own vocabularies
        digest.update(entry.read_bytes())
        digest.update(b"\0")
    return digest.hexdigest()
