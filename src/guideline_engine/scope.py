"""What the bot covers: its topics, the other conditions it declines, and the language it reads.

Curated as data: each topic's ``scope_terms`` (``content/<topic>/topic.yml``), the other
conditions of ``vocab/topic.yml`` (those no topic covers) and ``vocab/languages.yml`` (a cheap
language detector: function words, letters and scripts).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

_KEYS = {"topic", "terms", "other_conditions"}
_CONDITION_KEYS = {"id", "name", "phrases", "planned"}
_LANGUAGE_KEYS = {"min_score", "english", "languages", "scripts"}
_PROFILE_KEYS = {"words", "letters", "greetings"}
_WORD = re.compile(r"[^\W\d_]+(?:'[^\W\d_]+)?")


def whole_words(phrases: Iterable[str]) -> re.Pattern[str]:
    """One pattern for the phrases, whole words, longest first, hyphen or spaces between words."""
    items = list(phrases)
    if not items:
        return re.compile(r"(?!x)x")  # matches nothing
    ordered = sorted({p.strip().lower() for p in items}, key=len, reverse=True)
    alternatives = "|".join(re.escape(p).replace(r"\ ", r"[\s\-]+") for p in ordered)
    return re.compile(rf"(?<![a-z0-9])(?:{alternatives})(?![a-z0-9])")


@dataclass(frozen=True)
class OtherCondition:
    """A condition the bot is asked about but does not cover.

    Attributes:
        id: Stable id (``folate_deficiency_anaemia``).
        name: Name shown to the user.
        planned: A topic planned for a later release.
    """

    id: str
    name: str
    planned: bool
    pattern: re.Pattern[str]


@dataclass(frozen=True)
class TopicTerms:
    """Whole-word terms that place a message within the topic, and the conditions outside it."""

    topic: str
    pattern: re.Pattern[str]
    other_conditions: tuple[OtherCondition, ...] = ()

    def mentions(self, text: str) -> bool:
        """True when a term specific to the topic appears ("B12", "pernicious", ...)."""
        return bool(self.pattern.search(text.lower()))

    def other_condition(self, text: str) -> OtherCondition | None:
        """The first other condition named in ``text`` (earliest mention), if any."""
        low = text.lower()
        found = [(m.start(), c) for c in self.other_conditions if (m := c.pattern.search(low))]
        return min(found, key=lambda pair: pair[0])[1] if found else None


def _string_list(value: Any, origin: str, where: str) -> list[str]:
    if not isinstance(value, list) or not value or not all(isinstance(t, str) for t in value):
        raise ValueError(f"{origin}: {where}: expected a non-empty list of strings")
    return value


def _condition(raw: Any, origin: str, index: int) -> OtherCondition:
    where = f"other_conditions[{index}]"
    if not isinstance(raw, dict) or set(raw) - _CONDITION_KEYS or not {"id", "name"} <= set(raw):
        raise ValueError(f"{origin}: {where}: expected keys {sorted(_CONDITION_KEYS)}")
    if not isinstance(raw.get("planned", False), bool):
        raise ValueError(f"{origin}: {where}: planned must be true or false")
    phrases = _string_list(raw.get("phrases"), origin, f"{where}.phrases")
    return OtherCondition(
        id=str(raw["id"]),
        name=str(raw["name"]),
        planned=bool(raw.get("planned", False)),
        pattern=whole_words(phrases),
    )


def parse_topic_terms(data: Any, origin: str = "topic.yml") -> TopicTerms:
    """Validate the file: known keys only, a topic name, terms and optional other conditions."""
    if not isinstance(data, dict) or set(data) - _KEYS or "topic" not in data:
        raise ValueError(f"{origin}: expected the keys {sorted(_KEYS)} (terms optional)")
    terms = _string_list(data["terms"], origin, "terms") if "terms" in data else []
    conditions = data.get("other_conditions") or []
    if not isinstance(conditions, list):
        raise ValueError(f"{origin}: other_conditions: expected a list")
    return TopicTerms(
        topic=str(data["topic"]),
        pattern=whole_words(terms),
        other_conditions=tuple(_condition(c, origin, i) for i, c in enumerate(conditions)),
    )


@cache
def topic_terms() -> TopicTerms:
    """Every topic's terms, and the other conditions no topic covers (read once, on first use)."""
    from guideline_engine.topics import topics

    raw = resources.files("guideline_engine.vocab").joinpath("topic.yml").read_text("utf-8")
    data = yaml.safe_load(raw)
    every = topics()
    data["terms"] = [term for topic in every.all for term in topic.scope_terms]
    parsed = parse_topic_terms(data)
    covered = every.covered()
    kept = tuple(c for c in parsed.other_conditions if c.id not in covered)
    return TopicTerms(topic=parsed.topic, pattern=parsed.pattern, other_conditions=kept)


# --------------------------------------------------------------------------- language


@dataclass(frozen=True)
class LanguageProfile:
    """Signals of one language: function words, letters English does not use, greetings."""

    code: str
    words: frozenset[str]
    letters: frozenset[str]
    greetings: frozenset[str]

    def score(self, tokens: list[str], text: str) -> int:
        """Words count 1, a greeting 2, any letter only this language uses 2 (once)."""
        points = sum(1 for t in tokens if t in self.words)
        points += sum(2 for t in tokens if t in self.greetings and t not in self.words)
        return points + (2 if any(ch in self.letters for ch in text) else 0)


@dataclass(frozen=True)
class LanguageRules:
    """The detector's data (see ``vocab/languages.yml``)."""

    min_score: int
    english: frozenset[str]
    profiles: tuple[LanguageProfile, ...]
    scripts: Mapping[str, str]

    def detect(self, text: str) -> str | None:
        """The language code of a message not written in English, or None.

        None means English, or too little text to tell (a number, an emoji, "ok").

        Args:
            text: The message, cleaned (see :func:`guideline_engine.extraction.text.clean_text`).
        """
        letters = [ch for ch in text if ch.isalpha()]
        if not letters:
            return None
        scripts = Counter(_script(ch) for ch in letters)
        script, count = scripts.most_common(1)[0]
        if script != "LATIN" and count * 2 >= len(letters):
            return self.scripts.get(script, script.lower())
        low = text.lower()
        tokens = _WORD.findall(low)
        english = sum(1 for t in tokens if t in self.english)
        scored = sorted(((p.score(tokens, low), p.code) for p in self.profiles), reverse=True)
        best, code = scored[0]
        return code if best >= self.min_score and best > english else None


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def parse_languages(data: Any, origin: str = "languages.yml") -> LanguageRules:
    """Validate ``languages.yml``: known keys, word lists, a script map."""
    if not isinstance(data, dict) or set(data) != _LANGUAGE_KEYS:
        raise ValueError(f"{origin}: expected exactly the keys {sorted(_LANGUAGE_KEYS)}")
    if not isinstance(data["min_score"], int) or data["min_score"] < 1:
        raise ValueError(f"{origin}: min_score: expected a positive integer")
    languages = data["languages"]
    if not isinstance(languages, dict) or not languages:
        raise ValueError(f"{origin}: languages: expected a mapping of code -> profile")
    profiles: list[LanguageProfile] = []
    for code, raw in languages.items():
        if not isinstance(raw, dict) or set(raw) - _PROFILE_KEYS or "words" not in raw:
            raise ValueError(f"{origin}: languages.{code}: expected keys {sorted(_PROFILE_KEYS)}")
        words = _string_list(raw["words"], origin, f"languages.{code}.words")
        greetings = raw.get("greetings") or []
        profiles.append(
            LanguageProfile(
                code=str(code),
                words=frozenset(w.lower() for w in words),
                letters=frozenset(str(raw.get("letters") or "")),
                greetings=frozenset(str(g).lower() for g in greetings),
            )
        )
    scripts = data["scripts"]
    if not isinstance(scripts, dict) or not all(isinstance(v, str) for v in scripts.values()):
        raise ValueError(f"{origin}: scripts: expected a mapping of script name -> code")
    return LanguageRules(
        min_score=data["min_score"],
        english=frozenset(w.lower() for w in _string_list(data["english"], origin, "english")),
        profiles=tuple(profiles),
        scripts={str(k): v for k, v in scripts.items()},
    )


@cache
def language_rules() -> LanguageRules:
    """The packaged detector data (read once, on first use)."""
    raw = resources.files("guideline_engine.vocab").joinpath("languages.yml").read_text("utf-8")
    return parse_languages(yaml.safe_load(raw))


def detect_language(text: str) -> str | None:
    """The language code of a message not written in English, or None (see LanguageRules)."""
    return language_rules().detect(text)
