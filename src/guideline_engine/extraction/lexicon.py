"""Compiled vocabulary matchers and the concept mentions of one text.

Both the context rules (:mod:`guideline_engine.extraction.context`) and the extractor need
to know where the concepts of a text are: the context rules ignore trigger words that are
part of a concept phrase ("IF antibodies +" is not a conditional "if") and stop a negation
at a concept of another kind ("denies paraesthesia, vegan"), and the extractor reports them.

Antibody tests are concepts too; :func:`antibody_results` reads the result written next to
each ("IF antibodies have come back positive", "anti-IF and anti-parietal cell antibodies
NEGATIVE").
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from typing import Literal

from guideline_engine.extraction.text import PhraseHit, PhraseMatcher, overlaps, tokenize
from guideline_engine.extraction.vocab import (
    AntibodyTest,
    CueEntry,
    load_antibodies,
    load_causes,
    load_context_rules,
    load_cues,
    load_symptoms,
)

SYMPTOM = "symptom"
CAUSE = "cause"
NEGATIVE_FINDING = "negative_finding"
ANTIBODY = "antibody"
AntibodyResult = Literal["positive", "negative", "pending"]
CONTEXT_CUE_GROUPS: tuple[str, ...] = (
    "pregnancy",
    "route_preference",
    "injection_contraindication",
    "folic_acid_started",
)
"""Cue groups whose mentions are negation-aware concepts."""


@dataclass(frozen=True)
class ConceptHit:
    """One concept mention: its kind (``group``), its id or value (``key``) and its span."""

    group: str
    key: str
    start: int
    end: int


@dataclass(frozen=True)
class Lexicon:
    """Every vocabulary matcher, compiled once."""

    symptoms: PhraseMatcher
    neurological: frozenset[str]
    causes: PhraseMatcher
    cause_exclusions: PhraseMatcher | None
    cues: dict[str, PhraseMatcher]
    antibodies: PhraseMatcher
    antibodies_next_only: PhraseMatcher
    antibody_results: PhraseMatcher
    antibody_tests: Mapping[str, AntibodyTest]
    result_window: int
    result_stops: PhraseMatcher


def _cue_matcher(entries: Iterable[CueEntry]) -> PhraseMatcher:
    items = list(entries)
    return PhraseMatcher(
        ((p, e.value) for e in items for p in e.phrases),
        ((p, e.value) for e in items for p in e.case_sensitive_phrases),
    )


@lru_cache(maxsize=1)
def get_lexicon() -> Lexicon:
    """The process-wide compiled vocabulary."""
    symptoms = load_symptoms()
    causes = load_causes()
    groups: dict[str, list[CueEntry]] = {}
    for cue in load_cues():
        groups.setdefault(cue.group, []).append(cue)
    exclusions = [(p, c.id) for c in causes for p in c.exclusions]
    abs_rules = load_antibodies()
    results = (
        *((p, "positive") for p in abs_rules.positive),
        *((p, "negative") for p in abs_rules.negative),
        *((p, "pending") for p in abs_rules.pending),
    )
    return Lexicon(
        symptoms=PhraseMatcher(
            ((p, s.id) for s in symptoms for p in s.synonyms),
            ((p, s.id) for s in symptoms for p in s.case_sensitive_synonyms),
        ),
        neurological=frozenset(s.id for s in symptoms if s.neurological),
        causes=PhraseMatcher(
            ((p, c.id) for c in causes for p in c.synonyms),
            ((p, c.id) for c in causes for p in c.case_sensitive_synonyms),
        ),
        cause_exclusions=PhraseMatcher(exclusions) if exclusions else None,
        cues={group: _cue_matcher(entries) for group, entries in groups.items()},
        antibodies=PhraseMatcher(
            ((p, t.id) for t in abs_rules.tests for p in t.synonyms),
            ((p, t.id) for t in abs_rules.tests for p in t.case_sensitive_synonyms),
        ),
        antibodies_next_only=PhraseMatcher(
            (p, t.id) for t in abs_rules.tests for p in t.result_next_only
        ),
        antibody_results=PhraseMatcher(results),
        antibody_tests={t.id: t for t in abs_rules.tests},
        result_window=abs_rules.result_window,
        result_stops=PhraseMatcher((p, p) for p in load_context_rules().terminators_common),
    )


_GLUE = re.compile(r"[\s:=]*")


def _valid_results(norm: str, hits: Iterable[PhraseHit]) -> list[PhraseHit]:
    """Result hits; a bare "+" or "-" counts only when no word follows it at once."""
    out: list[PhraseHit] = []
    for h in hits:
        if not any(ch.isalnum() for ch in norm[h.start : h.end]):
            rest = norm[h.end : h.end + 2].lstrip(" ")
            if rest[:1].isalnum():
                continue
        out.append(h)
    return out


def _adjacent_result(norm: str, start: int, end: int, results: list[PhraseHit]) -> bool:
    for r in results:
        if r.start >= end and _GLUE.fullmatch(norm[end : r.start]):
            return True
        if r.end <= start and _GLUE.fullmatch(norm[r.end : start]):
            return True
    return False


def _antibody_hits(norm: str, original: str) -> list[ConceptHit]:
    lex = get_lexicon()
    main = lex.antibodies.find(norm, original)
    results = _valid_results(norm, lex.antibody_results.find(norm, original))
    out = [ConceptHit(ANTIBODY, h.key, h.start, h.end) for h in main]
    for h in lex.antibodies_next_only.find(norm, original):
        if any(overlaps(m.start, m.end, h.start, h.end) for m in main):
            continue
        if _adjacent_result(norm, h.start, h.end, results):
            out.append(ConceptHit(ANTIBODY, h.key, h.start, h.end))
    return out


def find_concepts(norm: str, original: str) -> tuple[ConceptHit, ...]:
    """Symptom, cause and negation-aware cue mentions of one text, in text order.

    A cause synonym that overlaps one of that cause's exclusions ("PA-C", "PA view") is
    dropped.

    Args:
        norm: Normalised text.
        original: The original text (same length).

    Returns:
        The concept hits sorted by start offset.
    """
    lex = get_lexicon()
    out = [ConceptHit(SYMPTOM, h.key, h.start, h.end) for h in lex.symptoms.find(norm, original)]
    cause_hits = lex.causes.find(norm, original)
    if lex.cause_exclusions is not None and cause_hits:
        excluded = lex.cause_exclusions.find(norm, original)
        cause_hits = [
            h
            for h in cause_hits
            if not any(
                x.key == h.key and overlaps(x.start, x.end, h.start, h.end) for x in excluded
            )
        ]
    out += [ConceptHit(CAUSE, h.key, h.start, h.end) for h in cause_hits]
    out += _antibody_hits(norm, original)
    for group in CONTEXT_CUE_GROUPS:
        matcher = lex.cues.get(group)
        if matcher is not None:
            out += [ConceptHit(group, h.key, h.start, h.end) for h in matcher.find(norm, original)]
    out.sort(key=lambda c: (c.start, -c.end))
    return tuple(out)


def _result_after(
    norm: str, hit: ConceptHit, others: list[ConceptHit], results: list[PhraseHit]
) -> AntibodyResult | None:
    """The first result word after ``hit`` within the window, skipping other test names.

    A clause break ends the search, except a comma or "and" that leads to another test name.
    """
    lex = get_lexicon()
    stops = [s.start for s in lex.result_stops.find(norm, norm) if s.start >= hit.end]
    stops.append(len(norm))
    limit = min(stops)
    words = 0
    for tok in tokenize(norm[hit.end : limit]):
        pos = hit.end + tok.start
        result = next((r for r in results if r.start == pos), None)
        if result is not None:
            return _result_key(result)
        if any(o.start <= pos < o.end for o in others):
            continue
        if tok.text == ",":
            if not any(o.start > pos and not norm[pos + 1 : o.start].strip() for o in others):
                return None
            continue
        if tok.is_word:
            words += 1
            if words > lex.result_window:
                return None
    return None


def _result_key(hit: PhraseHit) -> AntibodyResult:
    if hit.key == "positive":
        return "positive"
    return "negative" if hit.key == "negative" else "pending"


def antibody_results(
    norm: str, concepts: Iterable[ConceptHit]
) -> dict[tuple[int, int], AntibodyResult]:
    """The result written for each antibody test mention, by its ``(start, end)``.

    A result after the name ("IF abs +ve", "IF antibodies have come back positive") is read
    first, then one straight before it ("positive IF antibodies"). A mention with no result
    word is left out.

    Args:
        norm: Normalised text.
        concepts: The text's concept hits (see :func:`find_concepts`).

    Returns:
        ``{(start, end): "positive" | "negative" | "pending"}``.
    """
    lex = get_lexicon()
    tests = [c for c in concepts if c.group == ANTIBODY]
    if not tests:
        return {}
    results = _valid_results(norm, lex.antibody_results.find(norm, norm))
    out: dict[tuple[int, int], AntibodyResult] = {}
    for hit in tests:
        others = [o for o in tests if o is not hit]
        found = _result_after(norm, hit, others, results)
        if found is None:
            before = [r for r in results if r.end <= hit.start]
            if before and _GLUE.fullmatch(norm[before[-1].end : hit.start]) is not None:
                found = _result_key(before[-1])
        if found is not None:
            out[(hit.start, hit.end)] = found
    return out
