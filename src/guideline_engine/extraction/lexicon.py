"""Compiled vocabulary matchers and the concept mentions of one text.

Both the context rules (:mod:`guideline_engine.extraction.context`) and the extractor need
to know where the concepts of a text are: the context rules ignore trigger words that are
part of a concept phrase ("IF antibodies +" is not a conditional "if") and stop a negation
at a concept of another kind ("denies paraesthesia, vegan"), and the extractor reports them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

from guideline_engine.extraction.text import PhraseMatcher, overlaps
from guideline_engine.extraction.vocab import CueEntry, load_causes, load_cues, load_symptoms

SYMPTOM = "symptom"
CAUSE = "cause"
NEGATIVE_FINDING = "negative_finding"
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
    )


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
    for group in CONTEXT_CUE_GROUPS:
        matcher = lex.cues.get(group)
        if matcher is not None:
            out += [ConceptHit(group, h.key, h.start, h.end) for h in matcher.find(norm, original)]
    out.sort(key=lambda c: (c.start, -c.end))
    return tuple(out)
