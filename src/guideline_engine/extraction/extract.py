"""``extract(text)``: the rule-based clinical fact extractor."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import cast

from guideline_engine.extraction.context import TextContext, analyse_text
from guideline_engine.extraction.lexicon import (
    CAUSE,
    NEGATIVE_FINDING,
    SYMPTOM,
    ConceptHit,
    get_lexicon,
)
from guideline_engine.extraction.model import (
    Audience,
    ConceptMention,
    Extraction,
    FactSpan,
    FormularyCode,
    LabMeasurement,
    LabStatusWord,
    RoutePreference,
    Sex,
    SymptomMention,
    YesNo,
)
from guideline_engine.extraction.numbers import (
    NumberHit,
    find_age,
    find_b12_status,
    find_gestation_weeks,
    find_ileal_resection_cm,
    find_lab,
    find_platelets,
)

MAX_TEXT_LENGTH = 5000
"""Longer messages are cut to this many characters before extraction."""


def warm_up() -> None:
    """Load the vocabulary and compile every pattern now instead of on the first message."""
    extract("warm up: no numbness, plt 35, b12 150 ng/l, 62f")


def _hits(ctx: TextContext, group: str) -> list[ConceptHit]:
    return [c for c in ctx.concepts if c.group == group]


def _mentions(group: str, text: str, ctx: TextContext) -> list[ConceptMention]:
    out: list[ConceptMention] = []
    for hit in _hits(ctx, group):
        c = ctx.classify(hit.start, hit.end, group)
        out.append(
            ConceptMention(
                id=hit.key,
                text=text[hit.start : hit.end],
                start=hit.start,
                end=hit.end,
                negated=c.negated,
                hypothetical=c.hypothetical,
                historical=c.historical,
                experiencer="other" if c.other_experiencer else "patient",
            )
        )
    return out


def _span(field: str, text: str, start: int, end: int) -> FactSpan:
    return FactSpan(field=field, start=start, end=end, text=text[start:end])


def _single(values: Iterable[str]) -> str | None:
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def _neurological_involvement(
    symptoms: tuple[SymptomMention, ...], negative_findings: Iterable[FactSpan]
) -> YesNo | None:
    if any(s.affirmed and s.neurological for s in symptoms):
        return "yes"
    if any(s.denied and s.neurological for s in symptoms) or any(True for _ in negative_findings):
        return "no"
    return None


def _lab(norm: str, text: str, kind: str, spans: list[FactSpan]) -> LabMeasurement | None:
    hit = find_lab(norm, kind)
    if hit is None:
        return None
    spans.append(_span(kind, text, hit.start, hit.end))
    return LabMeasurement(value=hit.value, unit=hit.unit, start=hit.start, end=hit.end)


_CLAUSE_BREAK = re.compile(r"[,;!?\n]|\.(?!\d)")
_QUESTION_OPENERS = frozenset(
    "why what when how who which where should shall can could would will may might".split()
)
_AUXILIARIES = frozenset("is are was were do does did has have had isn't hasn't".split())
_SUBJECTS = frozenset("she he they it i you we the this my her his pt patient".split())


def _in_question(norm: str, start: int, end: int) -> bool:
    """Whether ``[start, end)`` lies in a clause that asks rather than tells.

    A clause runs between commas, semicolons, sentence ends and line breaks. It is a question
    when it ends with "?", opens with a question word or modal ("why", "should", "can"), or
    opens with an inverted auxiliary ("is she ...", "has he ...").
    """
    before = [m.end() for m in _CLAUSE_BREAK.finditer(norm, 0, start)]
    clause_start = before[-1] if before else 0
    after = _CLAUSE_BREAK.search(norm, end)
    if after is not None and after.group() == "?":
        return True
    words = re.findall(r"[a-z0-9]+(?:'[a-z]+)?", norm[clause_start:start])
    if not words:
        return False
    if words[0] in _QUESTION_OPENERS:
        return True
    return words[0] in _AUXILIARIES and len(words) > 1 and words[1] in _SUBJECTS


def _first_span(
    field: str, text: str, mentions: list[ConceptMention], spans: list[FactSpan]
) -> None:
    if mentions:
        spans.append(_span(field, text, mentions[0].start, mentions[0].end))


def extract(text: str) -> Extraction:
    """Read clinical facts from one free-text message.

    Handles lower case, missing punctuation, UK/US spellings and common typos; every
    symptom, cause and cue is negation-aware (NegEx/ConText rules from ``negation.yml``).

    Args:
        text: The user's message (clinician or patient wording).

    Returns:
        The facts found; a field is None when the text does not say.
    """
    text = text[:MAX_TEXT_LENGTH]
    lex = get_lexicon()
    norm, ctx = analyse_text(text)
    spans: list[FactSpan] = []

    # symptoms and neurological involvement
    symptoms: list[SymptomMention] = []
    for hit in _hits(ctx, SYMPTOM):
        c = ctx.classify(hit.start, hit.end, SYMPTOM)
        symptoms.append(
            SymptomMention(
                id=hit.key,
                text=text[hit.start : hit.end],
                start=hit.start,
                end=hit.end,
                negated=c.negated,
                neurological=hit.key in lex.neurological,
                hypothetical=c.hypothetical,
                historical=c.historical,
                experiencer="other" if c.other_experiencer else "patient",
            )
        )
    symptom_tuple = tuple(symptoms)
    negative_findings: list[FactSpan] = []
    for finding in ctx.negative_findings:
        c = ctx.classify(finding.start, finding.end, NEGATIVE_FINDING)
        if c.negated or c.hypothetical or c.other_experiencer:
            continue
        negative_findings.append(_span("negative_finding", text, finding.start, finding.end))
    neuro = _neurological_involvement(symptom_tuple, negative_findings)

    # causes
    cause_mentions = _mentions(CAUSE, text, ctx)
    ileal = find_ileal_resection_cm(norm)
    causes = [m.id for m in cause_mentions if m.affirmed]
    if ileal is not None:
        spans.append(_span("ileal_resection_cm", text, ileal.start, ileal.end))
        causes.append("ileal_resection")

    # numbers
    platelets = find_platelets(norm)
    if platelets is not None:
        spans.append(_span("platelet_count", text, platelets.start, platelets.end))
    age_hit, compact_sex = find_age(norm)
    if age_hit is not None:
        spans.append(_span("age", text, age_hit.start, age_hit.end))
    b12 = _lab(norm, text, "b12", spans)
    folate = _lab(norm, text, "folate", spans)
    mma = _lab(norm, text, "mma", spans)
    status_hit = find_b12_status(norm)
    b12_status: LabStatusWord | None = None
    if status_hit is not None:
        b12_status = cast(LabStatusWord, status_hit[0])
        spans.append(_span("b12_status", text, status_hit[1], status_hit[2]))

    # pregnancy
    preg_mentions = [
        m
        for m in _mentions("pregnancy", text, ctx)
        if not m.hypothetical and m.experiencer == "patient" and not m.historical
    ]
    gestation: NumberHit | None = find_gestation_weeks(norm)
    pregnant: YesNo | None = None
    says_yes = [m for m in preg_mentions if (m.id == "yes") != m.negated]
    says_no = [m for m in preg_mentions if (m.id == "no") != m.negated]
    if says_yes or gestation is not None:
        pregnant = "yes"
        _first_span("pregnant", text, says_yes, spans)
    elif says_no:
        pregnant = "no"
        _first_span("pregnant", text, says_no, spans)
    if gestation is not None:
        spans.append(_span("gestation_weeks", text, gestation.start, gestation.end))

    # route preference (current, affirmed statements only)
    route_mentions = [m for m in _mentions("route_preference", text, ctx) if m.affirmed]
    route = cast(RoutePreference | None, _single(m.id for m in route_mentions))
    if route is not None:
        _first_span("route_preference", text, route_mentions, spans)

    # injection contraindication
    ci_mentions = [
        m
        for m in _mentions("injection_contraindication", text, ctx)
        if not m.hypothetical and m.experiencer == "patient" and not m.historical
    ]
    ci_yes = [m for m in ci_mentions if not m.negated]
    ci_no = [m for m in ci_mentions if m.negated]
    contraindication: YesNo | None = None
    reason: str | None = None
    if ci_yes:
        contraindication, reason = "yes", ci_yes[0].id
        _first_span("injection_contraindication", text, ci_yes, spans)
    elif ci_no:
        contraindication = "no"
        _first_span("injection_contraindication", text, ci_no, spans)

    # folic acid already started (statements about the patient only, not questions)
    fa_mentions = [
        m
        for m in _mentions("folic_acid_started", text, ctx)
        if not m.hypothetical
        and m.experiencer == "patient"
        and not m.historical
        and not _in_question(norm, m.start, m.end)
    ]
    fa_yes = [m for m in fa_mentions if (m.id == "yes") != m.negated]
    fa_no = [m for m in fa_mentions if (m.id == "no") != m.negated]
    folic_acid_started: YesNo | None = None
    if fa_yes:
        folic_acid_started = "yes"
        _first_span("folic_acid_started", text, fa_yes, spans)
    elif fa_no:
        folic_acid_started = "no"
        _first_span("folic_acid_started", text, fa_no, spans)

    # formulary, audience, sex (not negation-aware)
    formulary_hits = lex.cues["formulary"].find(norm, text)
    formulary = cast(FormularyCode | None, _single(h.key for h in formulary_hits))
    if formulary is not None:
        spans.append(_span("formulary", text, formulary_hits[0].start, formulary_hits[0].end))

    audience_hits = lex.cues["audience"].find(norm, text)
    audience: Audience | None = None
    levels: tuple[Audience, ...] = ("clinician", "caregiver", "patient")
    for level in levels:
        chosen = [h for h in audience_hits if h.key == level]
        if chosen:
            audience = level
            spans.append(_span("audience", text, chosen[0].start, chosen[0].end))
            break

    sex: Sex | None = cast(Sex | None, compact_sex)
    if sex is None:
        sex_hits = lex.cues["sex"].find(norm, text)
        sex = cast(Sex | None, _single(h.key for h in sex_hits))
        if sex is None and not sex_hits:
            sex = cast(Sex | None, _single(h.key for h in lex.cues["sex_pronoun"].find(norm, text)))
    if sex is None and pregnant == "yes":
        sex = "female"

    return Extraction(
        text=text,
        symptoms=symptom_tuple,
        neurological_involvement=neuro,
        negative_findings=tuple(negative_findings),
        causes=tuple(dict.fromkeys(causes)),
        cause_mentions=tuple(cause_mentions),
        platelet_count=platelets.value if platelets else None,
        age=int(age_hit.value) if age_hit else None,
        sex=sex,
        pregnant=pregnant,
        gestation_weeks=int(gestation.value) if gestation else None,
        route_preference=route,
        injection_contraindication=contraindication,
        injection_contraindication_reason=reason,
        folic_acid_started=folic_acid_started,
        ileal_resection_cm=ileal.value if ileal else None,
        b12=b12,
        folate=folate,
        mma=mma,
        b12_status=b12_status,
        formulary=formulary,
        audience=audience,
        spans=tuple(spans),
    )
