"""Curated vocabulary of the retriever: synonyms, spelling variants, abbreviations, stop words.

The vocabulary is data (``synonyms.yml`` next to this module), so a clinician can review
and extend it without touching code. :meth:`Synonyms.from_dict` rejects unknown keys and
malformed entries with a ``ValueError`` that names the file and the entry.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from guideline_engine.retrieval._data import (
    check_keys,
    read_yaml,
    resource,
    string_list,
    string_pairs,
)

SYNONYMS_FILE = "synonyms.yml"
"""Name of the packaged default vocabulary file."""

SCHEMA_VERSION = 1
"""The only ``version`` the loader understands."""

CANONICAL_PATTERN = re.compile(r"^[a-z0-9_]+$")
"""Shape of a group's canonical term (it becomes an index term as is)."""

_TOP_KEYS = (
    "version",
    "spelling",
    "abbreviations",
    "stop_words",
    "negation_cues",
    "groups",
)
_SPELLING_KEYS = ("words", "fragments")
_GROUP_KEYS = ("canonical", "terms", "negated", "specific", "broader", "note")


@dataclass(frozen=True)
class SynonymGroup:
    """Words and phrases that mean the same thing for retrieval.

    Attributes:
        canonical: Index term every member is mapped to (lower-case ``[a-z0-9_]``).
        terms: Member words and phrases, in any spelling the analyzer folds.
        negated: Term used instead of ``canonical`` when a negation cue closely precedes
            the match ("no neurological involvement" is not "neurological involvement").
        specific: Also index a single matched word as itself, so that specific members
            stay distinguishable ("cyanocobalamin" is ``b12`` and ``cyanocobalamin``).
        broader: A more general term also emitted on a match ("alternate days" answers
            "how often", so ``alternate_days`` has broader term ``frequency``).
        note: Why the group exists or what it deliberately leaves out.
    """

    canonical: str
    terms: tuple[str, ...]
    negated: str | None = None
    specific: bool = False
    broader: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class Synonyms:
    """The retriever's curated vocabulary.

    Attributes:
        groups: Synonym groups; a term belongs to at most one group.
        spelling_words: Whole-word UK to US spellings (``("centre", "center")``).
        spelling_fragments: Word fragments rewritten UK to US (``("aem", "em")``).
        abbreviations: Case-sensitive whole-word expansions applied before lower-casing,
            for abbreviations that clash with ordinary words (``IM`` vs "I'm", ``US`` vs "us").
        stop_words: Words dropped from questions and documents.
        negation_cues: Words that turn a following group match into its ``negated`` term.
    """

    groups: tuple[SynonymGroup, ...] = ()
    spelling_words: tuple[tuple[str, str], ...] = ()
    spelling_fragments: tuple[tuple[str, str], ...] = ()
    abbreviations: tuple[tuple[str, str], ...] = ()
    stop_words: frozenset[str] = frozenset()
    negation_cues: frozenset[str] = frozenset()

    @classmethod
    def from_dict(cls, data: object, *, source: str = "<synonyms>") -> Synonyms:
        """Build and validate from the parsed YAML document.

        Args:
            data: Parsed YAML.
            source: File name used in error messages.

        Raises:
            ValueError: On an unknown or missing key, a wrong type, a bad canonical term,
                or a term listed in two groups; the message names ``source`` and the entry.
        """
        top = check_keys(data, where=source, allowed=_TOP_KEYS, required=("version", "groups"))
        if top["version"] != SCHEMA_VERSION:
            raise ValueError(
                f"{source}: version: expected {SCHEMA_VERSION}, got {top['version']!r}"
            )
        spelling = check_keys(
            top.get("spelling", {}), where=f"{source}: spelling", allowed=_SPELLING_KEYS
        )
        words = string_pairs(spelling.get("words", {}), where=f"{source}: spelling.words")
        fragments = string_pairs(
            spelling.get("fragments", {}), where=f"{source}: spelling.fragments"
        )
        abbreviations = string_pairs(top.get("abbreviations", {}), where=f"{source}: abbreviations")
        stop_words = string_list(top.get("stop_words", []), where=f"{source}: stop_words")
        cues = string_list(top.get("negation_cues", []), where=f"{source}: negation_cues")
        raw_groups = top["groups"]
        if not isinstance(raw_groups, list):
            raise ValueError(f"{source}: groups: expected a list")
        groups = tuple(_group(entry, source, i) for i, entry in enumerate(raw_groups))
        _check_unique_terms(groups, source)
        return cls(
            groups=groups,
            spelling_words=tuple((k.lower(), v.lower()) for k, v in words),
            spelling_fragments=tuple((k.lower(), v.lower()) for k, v in fragments),
            abbreviations=abbreviations,
            stop_words=frozenset(w.lower() for w in stop_words),
            negation_cues=frozenset(w.lower() for w in cues),
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the YAML-ready form; ``from_dict(to_dict())`` gives an equal object."""
        groups: list[dict[str, Any]] = []
        for group in self.groups:
            entry: dict[str, Any] = {"canonical": group.canonical, "terms": list(group.terms)}
            if group.negated is not None:
                entry["negated"] = group.negated
            if group.specific:
                entry["specific"] = True
            if group.broader is not None:
                entry["broader"] = group.broader
            if group.note is not None:
                entry["note"] = group.note
            groups.append(entry)
        return {
            "version": SCHEMA_VERSION,
            "spelling": {
                "words": dict(self.spelling_words),
                "fragments": dict(self.spelling_fragments),
            },
            "abbreviations": dict(self.abbreviations),
            "stop_words": sorted(self.stop_words),
            "negation_cues": sorted(self.negation_cues),
            "groups": groups,
        }


def _group(entry: object, source: str, index: int) -> SynonymGroup:
    label = entry.get("canonical", f"#{index}") if isinstance(entry, dict) else f"#{index}"
    where = f"{source}: groups[{index}] ({label})"
    data = check_keys(entry, where=where, allowed=_GROUP_KEYS, required=("canonical", "terms"))
    canonical = data["canonical"]
    if not isinstance(canonical, str) or not CANONICAL_PATTERN.match(canonical):
        raise ValueError(f"{where}: canonical must match {CANONICAL_PATTERN.pattern}")
    terms = string_list(data["terms"], where=f"{where}: terms")
    if not terms:
        raise ValueError(f"{where}: terms: empty list")
    negated = data.get("negated")
    if negated is not None and (
        not isinstance(negated, str) or not CANONICAL_PATTERN.match(negated)
    ):
        raise ValueError(f"{where}: negated must match {CANONICAL_PATTERN.pattern}")
    broader = data.get("broader")
    if broader is not None and (
        not isinstance(broader, str) or not CANONICAL_PATTERN.match(broader)
    ):
        raise ValueError(f"{where}: broader must match {CANONICAL_PATTERN.pattern}")
    specific = data.get("specific", False)
    if not isinstance(specific, bool):
        raise ValueError(f"{where}: specific: expected true or false")
    note = data.get("note")
    if note is not None and not isinstance(note, str):
        raise ValueError(f"{where}: note: expected a string")
    return SynonymGroup(
        canonical=canonical,
        terms=terms,
        negated=negated,
        specific=specific,
        broader=broader,
        note=note,
    )


def _check_unique_terms(groups: tuple[SynonymGroup, ...], source: str) -> None:
    owner: dict[str, str] = {}
    canonicals: set[str] = set()
    for group in groups:
        if group.canonical in canonicals:
            raise ValueError(f"{source}: groups: canonical {group.canonical!r} used twice")
        canonicals.add(group.canonical)
        for term in group.terms:
            key = term.lower()
            if key in owner and owner[key] != group.canonical:
                raise ValueError(
                    f"{source}: groups ({group.canonical}): term {term!r} is already in "
                    f"group {owner[key]!r}"
                )
            owner[key] = group.canonical


def load_synonyms(source: Traversable | Path | None = None) -> Synonyms:
    """Read and validate a vocabulary file.

    Args:
        source: File to read; ``None`` means the packaged ``synonyms.yml``.

    Raises:
        ValueError: If the file is not valid YAML or breaks the schema.
    """
    name, data = read_yaml(resource(SYNONYMS_FILE) if source is None else source)
    return Synonyms.from_dict(data, source=name)


@functools.cache
def default_synonyms() -> Synonyms:
    """Return the packaged vocabulary, read on first use and cached."""
    return load_synonyms()
