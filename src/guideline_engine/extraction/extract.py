"""``extract(text)``: the rule-based clinical fact extractor."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import cast

from guideline_engine.extraction.context import TextContext, analyse_text
from guideline_engine.extraction.lexicon import (
    ANTIBODY,
    CAUSE,
    NEGATIVE_FINDING,
    SYMPTOM,
    ConceptHit,
    Lexicon,
    antibody_results,
    get_lexicon,
)
from guideline_engine.extraction.model import (
    AntibodyMention,
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
    Reading,
    ValueProblem,
    all_three_lines_low,
    find_b12_status,
    find_lab_status,
    gestation_hits,
    read_age,
    read_haemoglobin,
    read_ileal_resection_cm,
    read_lab,
    read_neutrophils,
    read_platelets,
    read_white_cells,
    unread_numbers,
)
from guideline_engine.extraction.style import audience_by_style
from guideline_engine.extraction.text import clean_text

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
                experiencer=c.experiencer,
                possible=c.possible,
            )
        )
    return out


_OWN_RESULT = re.compile(
    r"(?<![a-z])my\s+(?:own\s+)?(?:b\s*-?12|folate|levels?|results?|bloods?|blood\s+tests?)"
    r"(?![a-z0-9])"
)
"""The writer speaking of their own results: the writer is the patient."""


_FOR_ME = re.compile(r"(?<![a-z])(?:(?:as\s+)?for\s+me|as\s+to\s+me|me\s+myself)(?![a-z])")
_FIRST_PERSON = re.compile(r"(?<![a-z])(?:i|i'm|im|i've|ive|i'd|me|my|mine|myself)(?![a-z'])")
_THIRD_PERSON = re.compile(r"(?<![a-z])(?:she|he|her|his|their|they|she's|he's)(?![a-z'])")
_SENTENCE_END = re.compile(r"[;!?\n]|\.(?!\d)")


_OWN_STATEMENT = re.compile(r"b\s*-?12|bloods?|levels?|(?<![a-z])(?:for|as\s+for)\s+me(?![a-z])")
"""Self-denial phrases that state the writer's own result rather than deny a symptom."""


def _writer_is_patient(norm: str, ctx: TextContext) -> bool:
    """The writer speaks of their own results or sets themselves apart ("my b12 is ...")."""
    return bool(_OWN_RESULT.search(norm) or ctx.self_denials or _FOR_ME.search(norm))


def _someone_elses(norm: str, ctx: TextContext, start: int) -> bool:
    """A value or finding at ``start`` said of another person beside the writer's own facts.

    Only when the writer is the patient (:func:`_writer_is_patient`); otherwise the writer is
    a carer and every finding is the patient's. In its sentence, a relative named before it
    with no first person in between ("my sister has PA and her platelets are 30. my b12 is
    150"), or a sentence told in the third person after a relative was named ("My friend is
    pregnant. She has low b12"). Review 9, finding 4 (HAZ-131).
    """
    if not _writer_is_patient(norm, ctx):
        return False
    ends = [m.end() for m in _SENTENCE_END.finditer(norm, 0, start)]
    lo = ends[-1] if ends else 0
    named = [r for r in ctx.relatives if r.start < start]
    in_sentence = [r for r in named if r.start >= lo]
    if in_sentence:
        return not _FIRST_PERSON.search(norm, in_sentence[-1].end, start)
    before = norm[lo:start]
    return bool(named) and bool(_THIRD_PERSON.search(before)) and not _FIRST_PERSON.search(before)


_PAST_PREGNANCY_BEFORE = re.compile(
    r"(?<![a-z])(?:when|while|whilst)\s+(?:i|she|you|my\s+\w+)\s+(?:was|were)\s*$"
)
_WAS_PREGNANT = re.compile(r"(?<![a-z])(?:(?:i|she|you)\s+was|when)\s*$")
_PAST_PREGNANCY_AFTER = re.compile(
    r"^\s*with\s+(?:my|her|our)\s+(?:son|daughter|eldest|oldest|older|youngest|boy|girl|kids?|"
    r"children|twins)(?![a-z])"
)


def _past_pregnancy(norm: str, start: int, end: int) -> bool:
    """A pregnancy told in the past tense, not a state now (session 11, HAZ-192).

    "when I was pregnant", "while she was pregnant", "I was pregnant with my son", "when
    pregnant with my daughter": past.
    "I'm pregnant with my daughter", "while pregnant" and "found out I was pregnant" are not
    (review 11, finding 1: the child's name alone says nothing of the tense).
    """
    before = norm[max(0, start - 30) : start].rstrip()
    if _PAST_PREGNANCY_BEFORE.search(before):
        return True
    return bool(_WAS_PREGNANT.search(before) and _PAST_PREGNANCY_AFTER.match(norm[end : end + 40]))


_CLAUSE_START = r"(?:^|[,;\n]|\.(?!\d))"
_CAUSE_LEAD = r"\s*(?:cause\s*[:=\-]?\s*|likely\s+|probably\s+)?"
_CLAUSE_END = r"\s*(?=[,;\n]|\.(?!\d)|$)"
_DIET_SHORTHAND = re.compile(
    _CLAUSE_START
    + _CAUSE_LEAD
    + r"diet(?:ary)?(?:\s+(?:cause|related|deficiency|deficient))?"
    + _CLAUSE_END
)
"""A clinician's note whose clause is only "diet" ("45F, B12 120 ng/L, no neuro, diet"): the
dietary cause (review 9, finding 12). Not "diet?" (a question) nor a longer clause."""

_ALCOHOL_SHORTHAND = re.compile(
    rf"(?:{_CLAUSE_START}|(?<![a-z0-9])\d{{2,3}}\s?[mf])"
    + _CAUSE_LEAD
    + r"(?:alcohol|etoh)(?:\s+(?:excess|related|xs|history)|\s*\+{2,3})?"
    + _CLAUSE_END
)
"""The same for alcohol, also right after a clinician's "64M" ("B12 90, 64M alcohol", "F 59,
alcohol, Hb 88"): the alcohol cause (session 11, first_messages7_dev). Not "alcohol?" nor a
clause that says more ("no alcohol", "alcohol ok?")."""
_ALCOHOL_UNITS = re.compile(
    r"(?<![a-z])(?:drinks?|drinking|alcohol|etoh)[^.;\n]{0,20}?(?<![\d.<-])(?P<units>\d{2,3})\s*"
    r"(?:units?|u)\s*(?:/|per|a|an|each)\s*(?:wk|week)(?![a-z])"
)
"""Units of alcohol a week above the UK low-risk guideline of 14 ("drinks ~60 units/wk"): the
alcohol cause (session 12, first_messages9_dev); not a limit or a past habit ("less than 20",
"used to drink 60 ... stopped": review 12, finding 12)."""
_NOT_DRINKING_NOW = re.compile(
    r"(?<![a-z])(?:less\s+than|under|below|keep|used\s+to|stopped|gave\s+up|quit|ex[\s-]?drinker|"
    r"husband|wife|partner|dad|father|mum|mother|brother|sister|son|daughter)(?![a-z])"
)
_LOW_RISK_UNITS_A_WEEK = 14
_POLITE_HEDGE = re.compile(r"[^.?!\n]{0,40}?(?<![a-z])(?:if|where|when)\s+possible(?![a-z])")
"""A preference hedged politely ("keen on oral rather than IM if possible", session 12)."""


def _sentence_of(norm: str, m: re.Match[str]) -> str:
    """The sentence around a match."""
    start = max(norm.rfind(c, 0, m.start()) for c in ".;\n") + 1
    stops = [i for i in (norm.find(c, m.end()) for c in ".;\n") if i >= 0]
    return norm[start : min(stops, default=len(norm))]


def _drinks_above_low_risk(norm: str) -> bool:
    """The alcohol shorthand, or a weekly number of units above the low-risk guideline."""
    heavy = any(
        int(m["units"]) > _LOW_RISK_UNITS_A_WEEK
        and not _NOT_DRINKING_NOW.search(_sentence_of(norm, m))
        for m in _ALCOHOL_UNITS.finditer(norm)
    )
    return heavy or bool(_ALCOHOL_SHORTHAND.search(norm))


def _family_history(
    mentions: list[ConceptMention], norm: str, ctx: TextContext
) -> list[ConceptMention]:
    """A relative's cause is family history when the writer is the patient (HAZ-079).

    "My mother has pernicious anaemia" beside "my B12 ..." is the writer's family history, not
    their diagnosis. Without the writer's own results ("my mum has PA, her B12 is 90") the
    writer is taken to be a carer describing the patient, as for every other finding.
    """
    if not _OWN_RESULT.search(norm):
        return mentions
    return [
        replace(m, experiencer="other") if ctx.said_of_relative(m.start, m.end) else m
        for m in mentions
    ]


def _symptoms(text: str, ctx: TextContext, lex: Lexicon) -> tuple[SymptomMention, ...]:
    out: list[SymptomMention] = []
    for hit in _hits(ctx, SYMPTOM):
        c = ctx.classify(hit.start, hit.end, SYMPTOM)
        out.append(
            SymptomMention(
                id=hit.key,
                text=text[hit.start : hit.end],
                start=hit.start,
                end=hit.end,
                negated=c.negated,
                neurological=hit.key in lex.neurological,
                hypothetical=c.hypothetical,
                historical=c.historical,
                experiencer="other"
                if c.experiencer == "patient" and _someone_elses(ctx.norm, ctx, hit.start)
                else c.experiencer,
                possible=c.possible,
            )
        )
    return tuple(out)


def _negative_findings(
    text: str, ctx: TextContext, symptoms: tuple[SymptomMention, ...]
) -> list[FactSpan]:
    """Normal-finding phrases about the patient, and the writer's own denials.

    "neuro exam NAD" or "asymptomatic" counts when it is itself affirmed about the patient
    (not negated, uncertain, hypothetical or someone else's). "I've got none of that" after
    someone else's neurological symptom ("my dad had numb feet") is the patient denying them.
    """
    out: list[FactSpan] = []
    for finding in ctx.negative_findings:
        c = ctx.classify(finding.start, finding.end, NEGATIVE_FINDING)
        if c.certainty != "affirmed" or c.other_experiencer:
            continue
        out.append(_span("negative_finding", text, finding.start, finding.end))
    for denial in ctx.self_denials:
        if _OWN_STATEMENT.search(ctx.norm, denial.start, denial.end):
            continue  # "my b12 is ..." sets the writer apart; it denies no symptom
        if any(
            s.neurological and s.experiencer == "other" and s.end <= denial.start for s in symptoms
        ):
            out.append(_span("negative_finding", text, denial.start, denial.end))
    return out


def _antibodies(
    text: str, norm: str, ctx: TextContext, lex: Lexicon
) -> tuple[AntibodyMention, ...]:
    """Antibody tests with their results; the result sets the certainty.

    Positive is affirmed, negative negated; pending or no result is possible. ConText
    still applies: "check IF antibodies" is hypothetical, "her IF antibodies" someone else's.
    """
    results = antibody_results(norm, ctx.concepts)
    out: list[AntibodyMention] = []
    for hit in _hits(ctx, ANTIBODY):
        c = ctx.classify(hit.start, hit.end, ANTIBODY)
        result = results.get((hit.start, hit.end))
        out.append(
            AntibodyMention(
                id=hit.key,
                text=text[hit.start : hit.end],
                start=hit.start,
                end=hit.end,
                indicates=lex.antibody_tests[hit.key].indicates,
                result=result,
                negated=c.negated or result == "negative",
                hypothetical=c.hypothetical,
                historical=c.historical,
                experiencer=c.experiencer,
                possible=c.possible or result in (None, "pending"),
            )
        )
    return tuple(out)


def _span(field: str, text: str, start: int, end: int) -> FactSpan:
    return FactSpan(field=field, start=start, end=end, text=text[start:end])


def _single(values: Iterable[str]) -> str | None:
    distinct = set(values)
    return distinct.pop() if len(distinct) == 1 else None


def _neurological_involvement(
    symptoms: tuple[SymptomMention, ...], negative_findings: Iterable[FactSpan]
) -> YesNo | None:
    # yes only from a current symptom; a resolved one leaves the fact unknown (asked)
    if any(s.affirmed_current_patient and s.neurological for s in symptoms):
        return "yes"
    if any(s.denied and s.neurological for s in symptoms) or any(True for _ in negative_findings):
        return "no"
    return None


# --------------------------------------------------------------------------- values, reset


@dataclass(frozen=True)
class _Values:
    """Every number of one message, each checked; refused ones are in ``problems``."""

    platelets: NumberHit | None
    age: NumberHit | None
    compact_sex: str | None
    b12: LabMeasurement | None
    folate: LabMeasurement | None
    mma: LabMeasurement | None
    haemoglobin: NumberHit | None
    ileal: NumberHit | None
    white_cells: NumberHit | None
    neutrophils: NumberHit | None
    problems: tuple[ValueProblem, ...]
    settled: frozenset[str]  # fields with a value read or refused (the net leaves them alone)


def _lab(
    reading: Reading, text: str, kind: str, spans: list[FactSpan], ctx: TextContext, norm: str
) -> LabMeasurement | None:
    hit = reading.hit
    if hit is None or _conditional(norm, ctx, hit.start, hit.end):
        return None
    spans.append(_span(kind, text, hit.start, hit.end))
    return LabMeasurement(value=hit.value, unit=hit.unit, start=hit.start, end=hit.end)


_IF_WORDS = frozenset({"if", "whether", "what if", "what happens if", "in case"})
"""Conditions whose clause is a report unless it has an irrealis ("comes back", "would")."""

_FRAMING = frozenset({"hypothetically", "hypothetical", "in theory", "theoretically"})
"""Sentence adverbs that frame the whole sentence, across a comma ("in theory, a patient...")."""

_LAB_CONDITIONS = _IF_WORDS | _FRAMING | {"in the event of", "supposing", "suppose"}
"""HYPOTHETICAL triggers (negation.yml) that make a lab result a condition or an example.

Not "check" or "causes": "check B12: 150" and "metformin causes low B12" are not conditions."""

_IRREALIS = re.compile(
    r"(?<![a-z])(?:comes?\s+back|turns?\s+out|were|would|will|"
    r"next|ever|gets?|goes|drops?|falls?|a\s+patient'?s?|someone'?s?|somebody'?s?|"
    r"a\s+person'?s?|people)(?![a-z])"
)
"""Between an "if" and its value: a result still to come, or no one's in particular. "if my
B12 comes back low" and "if a patient's B12 is 140" are conditions; "what do I do if my B12 is
150", "is it bad if my b12 came back at 130" and "treatment if B12 and folate are both low"
still report the patient's result."""


_LATER = re.compile(r"\s+(?:\w+\s+)?(?:next|ever|again)(?![a-z])")
"""Right after a conditional value: it is still to come ("if it comes back low next week")."""


def _conditional(norm: str, ctx: TextContext, start: int, end: int) -> bool:
    """Whether a lab value or status at ``[start, end)`` is a condition or an example."""
    framing = ctx.hypothetical_trigger(start, end, comma_ends=False)
    if framing is not None and norm[framing.start : framing.end] in _FRAMING:
        return True
    trig = ctx.hypothetical_trigger(start, end)
    if trig is None or norm[trig.start : trig.end] not in _LAB_CONDITIONS:
        return False
    # "what if my b12 is 120" reports the writer's result as much as "if my b12 is 120"
    # (review, session 8, finding 4); only an irrealis makes any "if" a condition.
    if norm[trig.start : trig.end] not in _IF_WORDS:
        return True
    # The condition is the words up to the value ("if my b12 is 140 and I get tingling":
    # "get" is the writer's symptom, not part of the condition), plus "next"/"ever" after it.
    stop = _CLAUSE_BREAK.search(norm, end)
    limit = stop.start() if stop else len(norm)
    later = _LATER.match(norm, end, limit)
    return bool(later or _IRREALIS.search(norm, trig.end, end))


def _values(norm: str, text: str, spans: list[FactSpan], ctx: TextContext) -> _Values:
    """Read the numbers; a value refused or contradicted is named in ``problems``, never used.

    A lab value inside a condition or an example ("if my B12 comes back at 150",
    "hypothetically: a patient with B12 150") is no one's result: it is not used (HAZ-073).
    """
    elsewhere: set[str] = set()

    def own(field: str, reading: Reading) -> Reading:
        """The reading, without a value said of someone else (not used, not named back)."""
        if reading.hit is None or not _someone_elses(norm, ctx, reading.hit.start):
            return reading
        elsewhere.add(field)
        return Reading(None, reading.problems)

    platelets = own("platelet_count", read_platelets(norm))
    age_reading, compact_sex = read_age(norm)
    age = own("age", age_reading)
    if age.hit is None and age_reading.hit is not None:
        compact_sex = None
    haemoglobin = own("haemoglobin", read_haemoglobin(norm))
    ileal = own("ileal_resection_cm", read_ileal_resection_cm(norm))
    labs = {kind: own(f"{kind}_level", read_lab(norm, kind)) for kind in ("b12", "folate", "mma")}
    # White cells are read only to recognise pancytopenia from counts (HAZ-014).
    white = own("white_cell_count", read_white_cells(norm))
    neutrophils = own("neutrophil_count", read_neutrophils(norm))
    for field, hit in (
        ("platelet_count", platelets.hit),
        ("age", age.hit),
        ("haemoglobin", haemoglobin.hit),
        ("ileal_resection_cm", ileal.hit),
    ):
        if hit is not None:
            spans.append(_span(field, text, hit.start, hit.end))
    readings = (platelets, age, haemoglobin, ileal, *labs.values(), white, neutrophils)
    problems = [p for r in readings for p in r.problems]
    read = (
        ("platelet_count", platelets),
        ("haemoglobin", haemoglobin),
        ("b12_level", labs["b12"]),
        ("folate_level", labs["folate"]),
    )
    settled = {p.field for p in problems} | {f for f, r in read if r.hit is not None} | elsewhere
    return _Values(
        platelets=platelets.hit,
        age=age.hit,
        compact_sex=compact_sex,
        b12=_lab(labs["b12"], text, "b12", spans, ctx, norm),
        folate=_lab(labs["folate"], text, "folate", spans, ctx, norm),
        mma=_lab(labs["mma"], text, "mma", spans, ctx, norm),
        haemoglobin=haemoglobin.hit,
        ileal=ileal.hit,
        white_cells=white.hit,
        neutrophils=neutrophils.hit,
        problems=tuple(problems),
        settled=frozenset(settled),
    )


def _pancytopenia(
    stated: YesNo | None, values: _Values, sex: Sex | None, text: str, spans: list[FactSpan]
) -> YesNo | None:
    """Pancytopenia as stated, or "yes" when the stated counts show all three lines low.

    The counts only ever escalate: they never turn a stated or missing pancytopenia into
    "no" (HAZ-014; limits in :data:`guideline_engine.extraction.numbers.HB_LOWER_LIMIT_G_L`).
    """
    hb, plt = values.haemoglobin, values.platelets
    white = values.white_cells or values.neutrophils
    low = all_three_lines_low(
        haemoglobin=hb.value if hb else None,
        platelets=plt.value if plt else None,
        white_cells=values.white_cells.value if values.white_cells else None,
        neutrophils=values.neutrophils.value if values.neutrophils else None,
        sex=sex,
    )
    if stated == "yes" or not low or hb is None or plt is None or white is None:
        return stated
    hits = (hb, plt, white)
    spans[:] = [s for s in spans if s.field != "pancytopenia"]
    spans.append(_span("pancytopenia", text, min(h.start for h in hits), max(h.end for h in hits)))
    return "yes"


_FED = re.compile(r"(?:breast|bottle)[\s-]*fed$")
_FED_OBJECT = re.compile(
    r"\s+(?:my|her|his|our|their|the|him|them|both|twins?|a\s+baby|baby|for|until|since|"
    r"exclusively|and\s+(?:still|now))(?![a-z])"
)


def _fed_infant(norm: str, start: int, end: int) -> bool:
    """A passive "breastfed" with no one fed after it describes an infant, not a mother.

    "exclusively breastfed 5-month-old" and "the baby is breastfed" are the child's feeding;
    "I breastfed my son until ..." (an object follows) stays the writer's own.
    """
    return bool(_FED.search(norm, start, end)) and not _FED_OBJECT.match(norm, end)


def _yes_no_cue(
    group: str, text: str, norm: str, ctx: TextContext, spans: list[FactSpan]
) -> YesNo | None:
    """A negation-aware yes/no cue about the patient now ("breastfeeding", "no pancytopenia")."""
    matcher = get_lexicon().cues.get(group)
    if matcher is None:
        return None
    yes: list[FactSpan] = []
    no: list[FactSpan] = []
    for hit in matcher.find(norm, text):
        c = ctx.classify(hit.start, hit.end, group)
        if (
            c.hypothetical
            or c.other_experiencer
            or c.historical
            or _someone_elses(norm, ctx, hit.start)
            or _general_question(norm, hit.start)
            or (group == "breastfeeding" and _fed_infant(norm, hit.start, hit.end))
        ):
            continue
        (yes if (hit.key == "yes") != c.negated else no).append(
            _span(group, text, hit.start, hit.end)
        )
    chosen: YesNo | None = "yes" if yes else "no" if no else None
    if chosen is not None:
        spans.append((yes or no)[0])
    return chosen


_RESET_LEAD = re.compile(
    r"^[\s\W]*(?:(?:ok(?:ay)?|right|thanks|thank\s+you|great|cheers|and|now|so|next|hi|hello|"
    r"actually|sorry|wait|no|oh|um|hmm|i'?m|im|i\s+am|we'?re|we\s+are|can\s+we|let'?s|please)"
    r"[\s\W]+)*$"
)


def _reset(text: str, norm: str) -> bool:
    """Whether the message opens with a reset ("new patient: ...", "next patient is ...")."""
    matcher = get_lexicon().cues.get("reset")
    hits = matcher.find(norm, text) if matcher is not None else []
    return bool(hits) and bool(_RESET_LEAD.match(norm[: hits[0].start]))


def _stated_audience(text: str, norm: str, spans: list[FactSpan]) -> Audience | None:
    """The audience a cue states ("I'm a GP", "my mum", "I have"); clinician wins."""
    audience_hits = get_lexicon().cues["audience"].find(norm, text)
    levels: tuple[Audience, ...] = ("clinician", "caregiver", "patient")
    for level in levels:
        chosen = [h for h in audience_hits if h.key == level]
        if chosen:
            spans.append(_span("audience", text, chosen[0].start, chosen[0].end))
            return level
    return None


def stated_audience(text: str) -> Audience | None:
    """The audience the message states in words, without inferring one from its style."""
    text = clean_text(text)[:MAX_TEXT_LENGTH]
    norm, _ = analyse_text(text)
    return _stated_audience(text, norm, [])


def _patient_switch(text: str, norm: str) -> int:
    """Where the current patient's details start: after the last reset cue, else 0.

    "Thanks. New patient: 55F, not pregnant" and "ok next one is 55F" switch; mid-message only
    an unambiguous phrase does ("... - next patient: 55F"), not "when is the next one due?"
    after "I'm 20 weeks pregnant" (HAZ-071).
    """
    matcher = get_lexicon().cues.get("reset")
    hits = matcher.find(norm, text) if matcher is not None else []
    switches = [
        h
        for h in hits
        if h.key == "new_patient"
        or (h is hits[0] and _RESET_LEAD.match(norm[: h.start]))
        or _NEW_PATIENT_AGE.match(norm, h.end)
    ]
    return switches[-1].end if switches else 0


_NEW_PATIENT_AGE = re.compile(r"[\s:,\-]*(?:is\s+)?(?:an?\s+)?\d{1,3}\s?(?:[mf]\b|yo\b|y/o|-?year)")
"""An age right after an ambiguous reset phrase makes it a switch ("- the next one is 41F")."""


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
    after = _CLAUSE_BREAK.search(norm, end)
    if after is not None and after.group() == "?":
        return True
    words = _clause_words(norm, start)
    if not words:
        return False
    if words[0] in _QUESTION_OPENERS:
        return True
    return words[0] in _AUXILIARIES and len(words) > 1 and words[1] in _SUBJECTS


def _general_question(norm: str, start: int) -> bool:
    """A question about no one in particular ("what counts as severe anaemia?").

    Only a clause that opens with a question word and names nobody before the mention: "is it
    ok that I'm breastfeeding", "should i be worried i'm severely anaemic" and "my mum is very
    anaemic what do i do?" state a finding and still count (escalation cues fail safe, HAZ-066).
    """
    words = _clause_words(norm, start)
    return bool(words) and words[0] in _WH_WORDS and not _PERSONS.intersection(words)


def _clause_words(norm: str, start: int) -> list[str]:
    before = [m.end() for m in _CLAUSE_BREAK.finditer(norm, 0, start)]
    clause_start = before[-1] if before else 0
    return re.findall(r"[a-z0-9]+(?:'[a-z]+)?", norm[clause_start:start])


_WH_WORDS = frozenset("what which how why when where who".split())
_PERSONS = frozenset(
    "i i'm im i've my me she she's her he he's his they their we our mum mom dad wife husband "
    "son daughter patient pt".split()
)


def _patient_gestation(norm: str, ctx: TextContext, boundary: int) -> NumberHit | None:
    """Weeks of pregnancy stated of this patient now (ConText, after any reset).

    Not "my sister is 28 weeks pregnant", "if I were 20/40", nor before "new patient:".
    """
    for hit in gestation_hits(norm):
        c = ctx.classify(hit.start, hit.end, "pregnancy")
        current = not (c.hypothetical or c.other_experiencer or c.historical or c.negated)
        if current and hit.start >= boundary:
            return hit
    return None


def _stated_status(
    hit: tuple[str, int, int] | None, norm: str, ctx: TextContext
) -> tuple[str, int, int] | None:
    """A status unless it is a condition or an example ("if my B12 comes back low")."""
    if hit is None or _conditional(norm, ctx, hit[1], hit[2]):
        return None
    return hit


_FA_INTENDED = re.compile(
    r"(?<![a-z])(?:(?:wants?|would\s+like|asked)\s+(?:me|him|her|them|us)|(?:to\s+)?start|"
    r"starting|prescription\s+for|script\s+for)\s*['\"]?\s*$"
)
"""Words before a folic acid mention that make it an intention, not a start: "wants me on
folic acid", "'start folic acid 5 mg od'", "a prescription for folic acid 5 mg daily"."""


def _first_span(
    field: str, text: str, mentions: list[ConceptMention], spans: list[FactSpan]
) -> None:
    if mentions:
        spans.append(_span(field, text, mentions[0].start, mentions[0].end))


_TAKEN_BACK = re.compile(
    r"(?<![a-z])(?:no\s+wait|wait|sorry|oops|actually|hang\s+on)[\s,.!:;-]*(?:no[\s,.!-]+)?"
    r"(?:that'?s|thats|that\s+is|that\s+was|it'?s|its|it\s+is|it\s+was|those\s+are|"
    r"those\s+were)\s+(?:all\s+)?(?:about\s+|for\s+)?(?:my|her|his|our)\s+"
    r"(?:mum|mom|mother|dad|father|wife|husband|partner|son|daughter|sister|brother|friend|"
    r"gran|nan|grandma|grandad|grandmother|grandfather|aunt|uncle|neighbou?r|child|baby)'?s?"
    r"(?![a-z])(?:\s+(?:not\s+(?:me|mine)|results?|symptoms?|bloods?))?"
)
"""The writer taking back what they wrote as someone else's ("... im on chemo... no wait,
thats my sister"): nothing before it is about the patient (review 9, finding 12)."""


def _without_taken_back(text: str) -> str:
    """``text`` with what the writer took back as someone else's blanked (same length)."""
    marks = list(_TAKEN_BACK.finditer(text.lower()))
    if not marks:
        return text
    cut = marks[-1].end()
    return " " * cut + text[cut:]


def extract(text: str) -> Extraction:
    """Read clinical facts from one free-text message.

    Handles lower case, missing punctuation, UK/US spellings and common typos. Every
    symptom, cause, antibody result and cue carries its ConText assertions (certainty,
    experiencer, time; rules in ``negation.yml``); only affirmed findings about the patient
    set a fact, and neurological involvement needs a current one.

    Args:
        text: The user's message (clinician or patient wording).

    Returns:
        The facts found; a field is None when the text does not say.
    """
    text = _without_taken_back(clean_text(text)[:MAX_TEXT_LENGTH])
    lex = get_lexicon()
    norm, ctx = analyse_text(text)
    spans: list[FactSpan] = []

    # symptoms and neurological involvement (affirmed, current, about the patient)
    symptom_tuple = _symptoms(text, ctx, lex)
    negative_findings = _negative_findings(text, ctx, symptom_tuple)
    neuro = _neurological_involvement(symptom_tuple, negative_findings)

    # causes: affirmed about the patient (a past cause still counts), positive antibodies
    cause_mentions = _family_history(_mentions(CAUSE, text, ctx), norm, ctx)
    antibodies = _antibodies(text, norm, ctx, lex)
    values = _values(norm, text, spans, ctx)
    ileal, platelets, age_hit = values.ileal, values.platelets, values.age
    causes = [m.id for m in cause_mentions if m.affirmed]
    causes += [a.indicates for a in antibodies if a.affirmed]
    if ileal is not None:
        causes.append("ileal_resection")
    if _DIET_SHORTHAND.search(norm):
        causes.append("dietary")
    if _drinks_above_low_risk(norm) and "alcohol" not in causes:
        causes.append("alcohol")

    status_hit = _stated_status(find_b12_status(norm), norm, ctx)
    b12_status: LabStatusWord | None = None
    if status_hit is not None:
        b12_status = cast(LabStatusWord, status_hit[0])
        spans.append(_span("b12_status", text, status_hit[1], status_hit[2]))
    folate_hit = _stated_status(find_lab_status(norm, "folate"), norm, ctx)
    classed = {f for f, hit in (("b12_level", status_hit), ("folate_level", folate_hit)) if hit}
    folate_status: LabStatusWord | None = None
    if folate_hit is not None:
        folate_status = cast(LabStatusWord, folate_hit[0])
        spans.append(_span("folate_status", text, folate_hit[1], folate_hit[2]))

    # pregnancy (about this patient: mentions before a mid-message switch of patient are dropped)
    boundary = _patient_switch(text, norm)
    preg_mentions = [
        m
        for m in _mentions("pregnancy", text, ctx)
        if not m.hypothetical
        and m.experiencer == "patient"
        and not m.historical
        and m.start >= boundary
        and not _someone_elses(norm, ctx, m.start)
        and not _past_pregnancy(norm, m.start, m.end)
    ]
    gestation = _patient_gestation(norm, ctx, boundary)
    pregnant: YesNo | None = None
    # A denial of a negative ("not pregnant (bHCG neg)": the "not" reaches "bHCG neg") is a
    # list of negatives, never a pregnancy (HAZ-179).
    says_yes = [m for m in preg_mentions if m.id == "yes" and not m.negated]
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
    # "keen on oral if possible": a preference hedged politely is still the preference
    route_mentions = [
        m
        for m in _mentions("route_preference", text, ctx)
        if m.affirmed or (m.possible and _POLITE_HEDGE.match(norm, m.end) and not m.negated)
    ]
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
        and not _FA_INTENDED.search(norm, max(0, m.start - 30), m.start)
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

    # Only a stated audience counts: a patient whose message merely looks like a clinician's
    # ("72M, Hb 96, MCV 114") must never be switched to dose-level wording (HAZ-010).
    audience = _stated_audience(text, norm, spans)

    sex: Sex | None = cast(Sex | None, values.compact_sex)
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
        antibody_mentions=antibodies,
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
        b12=values.b12,
        folate=values.folate,
        mma=values.mma,
        b12_status=b12_status,
        folate_status=folate_status,
        formulary=formulary,
        audience=audience,
        audience_style=None if audience is not None else audience_by_style(text),
        breastfeeding=_yes_no_cue("breastfeeding", text, norm, ctx, spans),
        haemoglobin=values.haemoglobin.value if values.haemoglobin else None,
        pancytopenia=_pancytopenia(
            _yes_no_cue("pancytopenia", text, norm, ctx, spans), values, sex, text, spans
        ),
        severe_anaemia=_yes_no_cue("severe_anaemia", text, norm, ctx, spans),
        reset=_reset(text, norm),
        value_problems=(*values.problems, *unread_numbers(norm, values.settled | classed)),
        spans=tuple(spans),
    )
