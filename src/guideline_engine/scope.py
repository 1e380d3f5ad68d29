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
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any

import yaml

_KEYS = {"topic", "terms", "other_conditions"}
_CONDITION_KEYS = {"id", "name", "phrases", "planned"}
_LANGUAGE_KEYS = {"min_score", "english", "languages", "scripts"}
_OPTIONAL_LANGUAGE_KEYS = {"mixed", "script_variants", "shared_scripts", "word_scripts"}
_DEFAULT_MIXED = {"min_words": 2, "min_score": 4, "script_letters": 3}
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


def declined_condition(
    text: str, names_cause: bool, statuses: Iterable[str]
) -> OtherCondition | None:
    """Another condition a message asks about, when it is not about a covered topic.

    Not when it names a cause of a covered deficiency, nor when it names a covered topic
    ("B12", "folate") unless every result it states is normal: "B12 and folate both normal,
    ?hypothyroid" asks about the thyroid (session 7, blind dev sets).
    """
    if names_cause:
        return None
    terms = topic_terms()
    stated = list(statuses)
    if terms.mentions(text) and not (stated and all(s == "normal" for s in stated)):
        return None
    return terms.other_condition(text)


# --------------------------------------------------------------------------- language


@dataclass(frozen=True)
class LanguageProfile:
    """Signals of one language: function words, letters English does not use, greetings.

    Words and greetings also match without their accents (``sie`` for ``się``, ``nao`` for
    ``não``) unless the bare spelling is an English word or a single letter.
    """

    code: str
    words: frozenset[str]
    letters: frozenset[str]
    greetings: frozenset[str]

    def word_hits(self, tokens: list[str], folded: list[str] | None = None) -> list[str]:
        """The tokens that are this language's function words, in message order.

        Args:
            tokens: The message's words.
            folded: The same words without accents (:func:`_fold`), when already computed.
        """
        bare = folded if folded is not None else [_fold(t) for t in tokens]
        return [t for t, b in zip(tokens, bare, strict=True) if t in self.words or b in self.words]

    def score(
        self,
        tokens: list[str],
        text: str,
        folded: list[str] | None = None,
        hits: list[str] | None = None,
    ) -> int:
        """Words count 1, a greeting 2, any letter only this language uses 2 (once).

        ``folded`` and ``hits`` (:meth:`word_hits`) may be given when already computed.
        """
        bare = folded if folded is not None else [_fold(t) for t in tokens]
        points = len(hits if hits is not None else self.word_hits(tokens, bare))
        greets = self.greetings
        greetings = [t for t, b in zip(tokens, bare, strict=True) if t in greets or b in greets]
        points += sum(2 for t in greetings if t not in self.words)
        return points + (2 if any(ch in self.letters for ch in text) else 0)


@dataclass(frozen=True)
class MixedRule:
    """When a mostly English message still holds a real share of another language.

    Attributes:
        min_words: Distinct function words of one language needed (names, medical Latin
            and a greeting give at most one).
        min_score: That language's score needed (see :meth:`LanguageProfile.score`).
        script_letters: Letters in a listed non-Latin script needed.
    """

    min_words: int
    min_score: int
    script_letters: int


@dataclass(frozen=True)
class LanguageReading:
    """What the detector read: a language code (None: English or too little text to tell).

    Attributes:
        code: Language code of the notice, or None.
        mixed: The message also holds English (a clause of it, or more English words than
            the other language's), which the bot can still read.
    """

    code: str | None
    mixed: bool = False


@dataclass(frozen=True)
class LanguageRules:
    """The detector's data (see ``vocab/languages.yml``)."""

    min_score: int
    english: frozenset[str]
    profiles: tuple[LanguageProfile, ...]
    scripts: Mapping[str, str]
    mixed_rule: MixedRule = MixedRule(min_words=2, min_score=4, script_letters=3)
    variants: Mapping[str, Mapping[str, frozenset[str]]] = field(default_factory=dict)
    shared_scripts: Mapping[str, tuple[str, ...]] = field(default_factory=dict)
    word_scripts: frozenset[str] = frozenset()

    def detect(self, text: str) -> str | None:
        """The language code of a message not written (only) in English, or None.

        None means English, or too little text to tell (a number, an emoji, "ok").

        Args:
            text: The message, cleaned (see :func:`guideline_engine.extraction.text.clean_text`).
        """
        return self.read(text).code

    def read(self, text: str) -> LanguageReading:
        """Script first (most letters, or a real share, in a listed script), then words."""
        letters = [ch for ch in text if ch.isalpha()]
        if not letters:
            return LanguageReading(None)
        by_script = self._script_reading(letters)
        if by_script.code is not None:
            return by_script
        return self._word_reading(text.lower())

    def _script_reading(self, letters: list[str]) -> LanguageReading:
        counts = Counter(_script(ch) for ch in letters)
        listed = {s: n for s, n in counts.items() if s in self.scripts}
        total = sum(listed.values())
        if total == 0:
            script, count = counts.most_common(1)[0]
            unlisted = script not in ("LATIN", "UNKNOWN") and count >= 3
            majority = unlisted and count * 2 >= len(letters)
            return LanguageReading(script.lower() if majority else None)
        script = max(listed, key=lambda s: (listed[s], s))
        single_ok = script in self.word_scripts or total >= 2
        majority = total * 2 >= len(letters) and single_ok
        if not majority and total < self.mixed_rule.script_letters:
            return LanguageReading(None)
        code = self._script_code(script, listed, letters)
        return LanguageReading(code, mixed=not majority)

    def _script_code(self, script: str, listed: Mapping[str, int], letters: list[str]) -> str:
        """The code of ``script``, refined by a shared script or letters one language uses."""
        code = self.scripts[script]
        for reader in self.shared_scripts.get(script, ()):
            if any(self.scripts[s] == reader for s in listed):
                code = reader
        for variant, marks in self.variants.get(code, {}).items():
            if any(ch in marks for ch in letters):
                return variant
        return code

    def _word_reading(self, low: str) -> LanguageReading:
        # Units are no words of a language: "ng/mL" is not Tagalog "ng" (session 10, HAZ-177).
        low = _UNIT.sub(" ", low)
        tokens = _WORD.findall(low)
        folded = [_fold(t) for t in tokens]  # once per message, not once per language
        english = sum(1 for t in tokens if t in self.english)
        scored = []
        for i, p in enumerate(self.profiles):
            hits = p.word_hits(tokens, folded)
            scored.append((p.score(tokens, low, folded, hits), len(set(hits)), -i, p.code))
        # ties go to the profile listed first (the commoner language)
        best, distinct, _, code = max(scored)
        if best >= self.min_score and best > english:
            return LanguageReading(code, mixed=english >= 3 and english * 2 >= best)
        rule = self.mixed_rule
        if distinct >= rule.min_words and best >= rule.min_score:
            return LanguageReading(code, mixed=True)
        return LanguageReading(None)


_FOLD_EXTRA = str.maketrans({"ł": "l", "ø": "o", "ı": "i", "đ": "d", "ß": "ss", "æ": "ae"})


_UNIT = re.compile(
    r"(?<![a-z])(?:ng|pg|pmol|nmol|umol|mmol|mol|ug|µg|mcg|mg|g|iu|u)\s*/\s*(?:l|ml|dl|day|d|wk)(?![a-z])"
)


def _fold(word: str) -> str:
    """``word`` without accents (``się`` -> ``sie``, ``łóżko`` -> ``lozko``)."""
    bare = unicodedata.normalize("NFKD", word.translate(_FOLD_EXTRA))
    return "".join(ch for ch in bare if not unicodedata.combining(ch))


def _script(ch: str) -> str:
    name = unicodedata.name(ch, "")
    return name.split(" ", 1)[0] if name else "UNKNOWN"


def _with_bare_spellings(words: Iterable[str], english: frozenset[str]) -> frozenset[str]:
    """The words, lower-cased, plus their unaccented spellings that are not English."""
    low = {w.lower() for w in words}
    bare = {b for w in low if (b := _fold(w)) != w and len(b) >= 2 and b not in english}
    return frozenset(low | bare)


def _profile(code: str, raw: Any, english: frozenset[str], origin: str) -> LanguageProfile:
    if not isinstance(raw, dict) or set(raw) - _PROFILE_KEYS or "words" not in raw:
        raise ValueError(f"{origin}: languages.{code}: expected keys {sorted(_PROFILE_KEYS)}")
    words = _string_list(raw["words"], origin, f"languages.{code}.words")
    greetings = raw.get("greetings") or []
    if not isinstance(greetings, list) or not all(isinstance(g, str) for g in greetings):
        raise ValueError(f"{origin}: languages.{code}.greetings: expected a list of strings")
    return LanguageProfile(
        code=str(code),
        words=_with_bare_spellings(words, english),
        letters=frozenset(str(raw.get("letters") or "")),
        greetings=_with_bare_spellings(greetings, english),
    )


def _mixed_rule(raw: Any, origin: str) -> MixedRule:
    keys = {"min_words", "min_score", "script_letters"}
    if not isinstance(raw, dict) or set(raw) != keys:
        raise ValueError(f"{origin}: mixed: expected exactly the keys {sorted(keys)}")
    if not all(isinstance(v, int) and not isinstance(v, bool) and v >= 1 for v in raw.values()):
        raise ValueError(f"{origin}: mixed: expected positive integers")
    return MixedRule(
        min_words=raw["min_words"], min_score=raw["min_score"], script_letters=raw["script_letters"]
    )


def _variants(raw: Any, origin: str) -> dict[str, dict[str, frozenset[str]]]:
    where = f"{origin}: script_variants"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected code -> {{variant code: letters}}")
    out: dict[str, dict[str, frozenset[str]]] = {}
    for code, variants in raw.items():
        if not isinstance(variants, dict) or not all(
            isinstance(v, str) and v for v in variants.values()
        ):
            raise ValueError(f"{where}.{code}: expected variant code -> letters")
        out[str(code)] = {str(k): frozenset(v) for k, v in variants.items()}
    return out


def _shared(raw: Any, scripts: Mapping[str, str], origin: str) -> dict[str, tuple[str, ...]]:
    where = f"{origin}: shared_scripts"
    if not isinstance(raw, dict):
        raise ValueError(f"{where}: expected script -> list of codes")
    codes = set(scripts.values())
    out: dict[str, tuple[str, ...]] = {}
    for script, readers in raw.items():
        listed = _string_list(readers, origin, f"shared_scripts.{script}")
        if script not in scripts or set(listed) - codes:
            raise ValueError(f"{where}.{script}: script and codes must be listed under scripts")
        out[str(script)] = tuple(listed)
    return out


def parse_languages(data: Any, origin: str = "languages.yml") -> LanguageRules:
    """Validate ``languages.yml``: known keys, word lists, a script map, the mixed rule."""
    if (
        not isinstance(data, dict)
        or not _LANGUAGE_KEYS <= set(data)
        or set(data) - _LANGUAGE_KEYS - _OPTIONAL_LANGUAGE_KEYS
    ):
        raise ValueError(
            f"{origin}: expected the keys {sorted(_LANGUAGE_KEYS)}"
            f" (optional: {sorted(_OPTIONAL_LANGUAGE_KEYS)})"
        )
    if not isinstance(data["min_score"], int) or data["min_score"] < 1:
        raise ValueError(f"{origin}: min_score: expected a positive integer")
    english = frozenset(w.lower() for w in _string_list(data["english"], origin, "english"))
    languages = data["languages"]
    if not isinstance(languages, dict) or not languages:
        raise ValueError(f"{origin}: languages: expected a mapping of code -> profile")
    profiles = tuple(_profile(str(c), raw, english, origin) for c, raw in languages.items())
    scripts = data["scripts"]
    if not isinstance(scripts, dict) or not all(isinstance(v, str) for v in scripts.values()):
        raise ValueError(f"{origin}: scripts: expected a mapping of script name -> code")
    scripts = {str(k): v for k, v in scripts.items()}
    word_scripts = data.get("word_scripts") or []
    if not isinstance(word_scripts, list) or set(word_scripts) - set(scripts):
        raise ValueError(f"{origin}: word_scripts: expected scripts listed under scripts")
    return LanguageRules(
        min_score=data["min_score"],
        english=english,
        profiles=profiles,
        scripts=scripts,
        mixed_rule=_mixed_rule(data.get("mixed", _DEFAULT_MIXED), origin),
        variants=_variants(data.get("script_variants") or {}, origin),
        shared_scripts=_shared(data.get("shared_scripts") or {}, scripts, origin),
        word_scripts=frozenset(str(s) for s in word_scripts),
    )


@cache
def language_rules() -> LanguageRules:
    """The packaged detector data (read once, on first use)."""
    raw = resources.files("guideline_engine.vocab").joinpath("languages.yml").read_text("utf-8")
    return parse_languages(yaml.safe_load(raw))


def read_language(text: str) -> LanguageReading:
    """What the detector reads in a message: a language code, and whether English is mixed in."""
    return language_rules().read(text)


def detect_language(text: str) -> str | None:
    """The language code of a message not written (only) in English, or None (see LanguageRules)."""
    return language_rules().detect(text)
