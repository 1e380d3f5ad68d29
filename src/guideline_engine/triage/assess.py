"""``assess(text)``: match curated red flags and rank their urgency."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from guideline_engine.extraction.context import analyse_text
from guideline_engine.extraction.extract import MAX_TEXT_LENGTH, extract
from guideline_engine.extraction.model import Extraction
from guideline_engine.extraction.text import PhraseMatcher
from guideline_engine.triage.rules import RedFlag, Urgency, load_red_flags


@dataclass(frozen=True)
class RedFlagHit:
    """A red flag found in a message.

    Attributes:
        id: Red flag id from ``red_flags.yml``.
        label: Its label.
        urgency: ``emergency``, ``urgent`` or ``routine``.
        start: Start offset of the evidence in the text, or None for a combined rule.
        end: End offset (exclusive), or None.
    """

    id: str
    label: str
    urgency: Urgency
    start: int | None = None
    end: int | None = None


@dataclass(frozen=True)
class TriageResult:
    """Outcome of triage for one message.

    Attributes:
        urgency: The highest urgency of any hit, or None when no red flag was found.
        red_flags: Hits, most urgent first (file order within one urgency).
        advice_clinician: Advice texts for clinicians, in the order of ``red_flags``.
        advice_patient: Advice texts for patients and carers, same order.
        describes_symptoms: The message states something about the patient's symptoms or
            red-flag features, affirmed or denied ("no chest pain" counts; a hypothetical
            question such as "can B12 deficiency cause tingling?" does not).
    """

    urgency: Urgency | None
    red_flags: tuple[RedFlagHit, ...]
    advice_clinician: tuple[str, ...]
    advice_patient: tuple[str, ...]
    describes_symptoms: bool

    @property
    def red_flag_ids(self) -> tuple[str, ...]:
        """Ids of the hits."""
        return tuple(h.id for h in self.red_flags)


@dataclass(frozen=True)
class _CompiledRule:
    rule: RedFlag
    phrases: PhraseMatcher | None
    patterns: tuple[re.Pattern[str], ...]


@lru_cache(maxsize=1)
def _compiled() -> tuple[_CompiledRule, ...]:
    return tuple(
        _CompiledRule(
            rule=r,
            phrases=PhraseMatcher((p, r.id) for p in r.phrases) if r.phrases else None,
            patterns=tuple(re.compile(p) for p in r.patterns),
        )
        for r in load_red_flags()
    )


def _conditions_hold(rule: RedFlag, extraction: Extraction) -> bool:
    facts = {
        "pregnant": extraction.pregnant,
        "neurological_involvement": extraction.neurological_involvement,
    }
    return all(facts.get(key) == value for key, value in rule.all_of)


def _evidence(
    compiled: _CompiledRule, text: str, extraction: Extraction
) -> tuple[tuple[int, int] | None, bool]:
    """Evidence span of a hit (or None) and whether the flag was mentioned at all."""
    norm, ctx = analyse_text(text)
    mentioned = False
    spans: list[tuple[int, int]] = []
    if compiled.phrases is not None:
        spans += [(h.start, h.end) for h in compiled.phrases.find(norm, text)]
    for pattern in compiled.patterns:
        spans += [(m.start(), m.end()) for m in pattern.finditer(norm)]
    for start, end in sorted(spans):
        c = ctx.classify(start, end)
        if c.hypothetical or c.other_experiencer:
            continue
        mentioned = True
        if not (c.negated or c.historical):
            return (start, end), True
    wanted = set(compiled.rule.symptoms)
    for mention in extraction.symptoms:
        if mention.id in wanted and mention.affirmed and not mention.historical:
            return (mention.start, mention.end), True
    return None, mentioned


def assess(text: str, extraction: Extraction | None = None) -> TriageResult:
    """Find red flags in a message and rank them.

    Emergency outranks urgent outranks routine. Matching is negation-aware: "no chest pain"
    is not a hit, nor is a hypothetical ("if she faints"), past ("fainted years ago") or
    other person's ("her mother collapsed") mention.

    Args:
        text: The user's message.
        extraction: The result of :func:`guideline_engine.extraction.extract` for the same
            text, if already computed.

    Returns:
        The triage result.
    """
    if extraction is None or extraction.text != text[:MAX_TEXT_LENGTH]:
        extraction = extract(text)
    text = extraction.text
    hits: list[RedFlagHit] = []
    mentioned = False
    for compiled in _compiled():
        rule = compiled.rule
        has_matchers = bool(rule.phrases or rule.patterns or rule.symptoms)
        if rule.all_of and not _conditions_hold(rule, extraction):
            continue
        if has_matchers:
            span, said = _evidence(compiled, text, extraction)
            mentioned = mentioned or said
            if span is None:
                continue
            hits.append(RedFlagHit(rule.id, rule.label, rule.urgency, span[0], span[1]))
        else:
            hits.append(RedFlagHit(rule.id, rule.label, rule.urgency))
    found = {h.id for h in hits}
    rules = {c.rule.id: c.rule for c in _compiled()}
    hits = [h for h in hits if not found.intersection(rules[h.id].unless)]
    order = {c.rule.id: i for i, c in enumerate(_compiled())}
    hits.sort(key=lambda h: (-h.urgency.rank, order[h.id]))
    urgency: Urgency | None = hits[0].urgency if hits else None
    return TriageResult(
        urgency=urgency,
        red_flags=tuple(hits),
        advice_clinician=tuple(dict.fromkeys(rules[h.id].advice_clinician for h in hits)),
        advice_patient=tuple(dict.fromkeys(rules[h.id].advice_patient for h in hits)),
        describes_symptoms=(
            extraction.describes_symptoms
            or bool(extraction.negative_findings)
            or mentioned
            or bool(hits)
        ),
    )
