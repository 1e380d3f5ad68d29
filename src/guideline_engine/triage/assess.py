"""``assess(text)``: match curated red flags and rank their urgency.

Three signals may escalate: tolerant, word-order-free cues from ``red_flags.yml`` (see
:mod:`guideline_engine.triage.cues`) together with extracted symptoms, the nearest
curated exemplar per red flag (:mod:`guideline_engine.triage.semantic`), and a classifier
trained on messages written blind (:mod:`guideline_engine.triage.model`). The assertion
rules (:mod:`guideline_engine.triage.assertion`) can only take a mention away: negated,
conditional, long past, resolved or stopped, someone else's in the past, or a figure of
speech.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from functools import lru_cache

from guideline_engine.extraction.context import TextContext, analyse_text
from guideline_engine.extraction.extract import MAX_TEXT_LENGTH, extract
from guideline_engine.extraction.model import Extraction
from guideline_engine.triage.assertion import (
    Assertion,
    MessageMarkers,
    Time,
    assert_mention,
    load_triage_context,
)
from guideline_engine.triage.cues import CueMatcher, parse_cue, phrase_cue, words
from guideline_engine.triage.model import model_red_flags, warm_up_model
from guideline_engine.triage.rules import RedFlag, Urgency, load_red_flags
from guideline_engine.triage.semantic import nearest_red_flags, warm_up_exemplars


@dataclass(frozen=True)
class RedFlagHit:
    """A red flag found in a message.

    Attributes:
        id: Red flag id from ``red_flags.yml``.
        label: Its label.
        urgency: ``emergency``, ``urgent`` or ``routine``.
        start: Start offset of the evidence in the text, or None for a combined rule.
        end: End offset (exclusive), or None.
        other_person: The evidence is about someone other than the writer, now.
        signal: ``"cue"`` (curated wording or an extracted symptom), ``"exemplar"``
            (nearest curated example), ``"model"`` (the trained classifier) or ``"rule"``
            (a combined condition).
    """

    id: str
    label: str
    urgency: Urgency
    start: int | None = None
    end: int | None = None
    other_person: bool = False
    signal: str = "cue"


@dataclass(frozen=True)
class TriageResult:
    """Outcome of triage for one message.

    Attributes:
        urgency: The highest urgency of any hit, or None when no red flag was found.
        red_flags: Hits, most urgent first (file order within one urgency).
        advice_clinician: Advice texts for clinicians, in the order of ``red_flags``.
        advice_patient: Advice texts for patients and carers, same order.
        describes_symptoms: The message states a symptom or red-flag feature that is present
            or was present (past, uncertain or someone else's counts). A message that only
            denies symptoms ("no chest pain", "no tingling or numbness", "neuro exam normal")
            describes nothing to assess, and a hypothetical question such as "can B12
            deficiency cause tingling?" does not either (HAZ-039).
        about_other_person: The most urgent hits describe someone other than the writer
            (a carer writing about a relative now).
    """

    urgency: Urgency | None
    red_flags: tuple[RedFlagHit, ...]
    advice_clinician: tuple[str, ...]
    advice_patient: tuple[str, ...]
    describes_symptoms: bool
    about_other_person: bool = False

    @property
    def red_flag_ids(self) -> tuple[str, ...]:
        """Ids of the hits."""
        return tuple(h.id for h in self.red_flags)


@dataclass(frozen=True)
class _Compiled:
    rules: tuple[RedFlag, ...]
    by_id: dict[str, RedFlag]
    order: dict[str, int]
    cues: CueMatcher
    patterns: tuple[tuple[str, re.Pattern[str]], ...]
    by_symptom: dict[str, tuple[str, ...]]
    trained: dict[Urgency, str]


@lru_cache(maxsize=1)
def _compiled() -> _Compiled:
    """Everything triage needs, loaded and validated once (the first message pays)."""
    rules = load_red_flags()
    load_triage_context()
    warm_up_exemplars()
    warm_up_model()
    entries = []
    for rule in rules:
        entries += [(rule.id, p, phrase_cue(p)) for p in rule.phrases]
        entries += [(rule.id, c, parse_cue(c)) for c in rule.cues]
    return _Compiled(
        rules=rules,
        by_id={r.id: r for r in rules},
        order={r.id: i for i, r in enumerate(rules)},
        cues=CueMatcher(entries),
        patterns=tuple((r.id, re.compile(p)) for r in rules for p in r.patterns),
        by_symptom={
            sid: tuple(r.id for r in rules if sid in r.symptoms)
            for sid in {s for r in rules for s in r.symptoms}
        },
        trained={r.urgency: r.id for r in rules if r.trained},
    )


def _conditions_hold(conditions: tuple[tuple[str, str], ...], extraction: Extraction) -> bool:
    facts = {
        "pregnant": extraction.pregnant,
        "neurological_involvement": extraction.neurological_involvement,
        "b12_status": extraction.b12_status,
        "folate_status": extraction.folate_status,
    }
    return all(facts.get(key) == value for key, value in conditions)


_WRITER_ITSELF = frozenset({"i", "im", "i'm", "ive", "i've", "me", "mine", "myself"})
"""First-person words that name the writer, not only what is theirs ("my friend's baby")."""
_NOW_WORDS = frozenset({"now", "currently", "at the moment", "right now", "these days", "today"})


def _said_of_someone_else(markers: MessageMarkers, start: int) -> bool:
    """A word in a clause about someone else in which the writer is not named.

    "my friend's baby ... B12 deficiency"; not "my mum and I both have PA" (review 12, 11).
    """
    clause = markers.clause_of(start)
    found = markers.in_clause("first_person", clause)
    writer = (markers.text[m.start : m.end].lower() for m in found)
    return markers.other_person(start) and not any(w in _WRITER_ITSELF for w in writer)


def _levels_normal(markers: MessageMarkers, extraction: Extraction) -> bool:
    """The message calls the levels normal, and neither its words nor its values are low."""
    read = (extraction.b12_status, extraction.folate_status)
    # a low word in a clause about someone else ("my friend's baby ... B12 deficiency") does not
    # unsettle the writer's own normal levels (session 12, triage22_dev)
    unsettled = [
        m for m in markers.found["levels_unsettled"] if not _said_of_someone_else(markers, m.start)
    ]
    if any(status not in (None, "normal") for status in read) or unsettled:
        return False
    # A value that could not be used, or a haemoglobin, leaves the question open (review 10 H4);
    # so does a B12 or folate number the reader could not class ("b12 140" without a unit).
    if extraction.value_problems or extraction.haemoglobin is not None:
        return False
    unclassed = (
        (extraction.b12, extraction.b12_status),
        (extraction.folate, extraction.folate_status),
    )
    if any(value is not None and status != "normal" for value, status in unclassed):
        return False
    # "my b12 was fine but now it is 120": a level of now may follow the normal one
    if markers.found["change"] or any(
        markers.text[m.start : m.end].lower() in _NOW_WORDS for m in markers.found["present"]
    ):
        return False
    return "normal" in read or bool(markers.found["levels_normal"])


_Candidate = tuple[str, int, int, str, tuple[tuple[int, int], ...]]


def _candidates(
    compiled: _Compiled, text: str, norm: str, extraction: Extraction
) -> list[_Candidate]:
    """Every (rule id, start, end, signal, parts) a red flag could rest on, before assertion."""
    found: list[_Candidate] = [
        (h.key, h.start, h.end, "cue", h.parts) for h in compiled.cues.find(text)
    ]
    for rid, pattern in compiled.patterns:
        found += [(rid, m.start(), m.end(), "cue", ()) for m in pattern.finditer(norm)]
    wanted = compiled.by_symptom
    for mention in extraction.symptoms:
        if mention.affirmed and not mention.historical:
            found += [
                (rid, mention.start, mention.end, "cue", ()) for rid in wanted.get(mention.id, ())
            ]
    found += [(rid, s, e, "exemplar", ()) for rid, s, e in nearest_red_flags(text)]
    # The classifier's guess of a neighbouring red flag is not shown: only its urgency, as
    # the trained-signal flag of that urgency ("may need urgent care"), with its own advice.
    for rid, s, e in model_red_flags(text):
        generic = compiled.trained.get(compiled.by_id[rid].urgency)
        if generic is not None:
            found.append((generic, s, e, "model", ()))
    return found


def _admits(
    rule: RedFlag, assertion: Assertion, markers: MessageMarkers, start: int, end: int
) -> bool:
    if assertion.negated or assertion.hypothetical or assertion.figurative:
        return False
    if rule.not_if_long_standing and markers.long_standing(start, end):
        return False
    if rule.when == "recent_past":
        return assertion.time is Time.RECENT_PAST and not assertion.other_person
    if rule.when == "new_or_worsening" and not markers.changing(start):
        return False
    if rule.when == "current_or_passed" and assertion.passed is Time.CURRENT:
        # "my face drooped this morning, fine now": a stroke sign that passed (HAZ-103)
        return True
    if rule.when == "current_or_recent" and assertion.recent:
        # A lasting change seen yesterday still needs seeing today; someone else's only
        # when the message calls it new or worsening ("this is new for him").
        return not assertion.other_person or markers.changing(start)
    return assertion.time is Time.CURRENT


def _dated_by_clause(
    assertion: Assertion, markers: MessageMarkers, start: int, end: int
) -> Assertion:
    """An exemplar match is a whole clause: a time marker inside it dates the mention."""
    inner = markers.time_within(start, end)
    if inner is Time.CURRENT:
        return assertion
    recent = inner is Time.RECENT_PAST
    if assertion.other_person and recent:
        inner = Time.PAST
    return replace(assertion, time=inner, recent=recent)


_CLAUSE_SIGNALS = ("exemplar", "model")


def _whole_clause(
    text: str, ctx: TextContext, markers: MessageMarkers, start: int, end: int
) -> Assertion:
    """Qualify a match that is a whole clause (or message) rather than a few words.

    Its own markers count: a time marker inside dates it; read from its last word, a
    supposition that opens it ("what if someone ...") makes it hypothetical and a closing
    "got over it" or "has resolved" makes it past (HAZ-056).
    """
    assertion = assert_mention(ctx, markers, start, end)
    if assertion.time is Time.CURRENT:
        assertion = _dated_by_clause(assertion, markers, start, end)
    last = max((w.start for w in words(text) if start <= w.start < end), default=start)
    if last == start:
        return assertion
    tail = assert_mention(ctx, markers, last, end)
    if tail.hypothetical:
        assertion = replace(assertion, hypothetical=True)
    resolved = any(start <= m.start and m.end <= end for m in markers.found["resolved"])
    if tail.time is Time.PAST or resolved:  # "... got over it", "... has resolved"
        assertion = replace(assertion, time=Time.PAST, recent=False)
    return assertion


def _hits(compiled: _Compiled, text: str, extraction: Extraction) -> tuple[list[RedFlagHit], bool]:
    norm, ctx = analyse_text(text)
    candidates = _candidates(compiled, text, norm, extraction)
    hits: dict[str, RedFlagHit] = {}
    mentioned = False
    # Tight evidence for a red flag dated to the long past or resolved decides: a longer
    # match from the same start (a "~msg" cue running on past "that was years ago") does
    # not overrule it, nor does another match sharing its words ("went blind" beside "blind
    # in one eye ... back in the 80s", session 12).
    decided: set[tuple[str, int]] = set()
    recent = False  # an emergency or urgent red flag dated to the recent past (HAZ-086)
    # The trained signal comes last: it is a safety net under the curated ones.
    ordered = sorted(candidates, key=lambda c: (c[3] == "model", c[1], c[2]))
    markers: MessageMarkers | None = MessageMarkers(text) if ordered else None
    asserted: dict[tuple[int, int, tuple[tuple[int, int], ...]], Assertion] = {}
    past = _past_spans(compiled, ordered, ctx, markers, extraction, asserted)
    for rid, start, end, signal, parts in ordered:
        if (rid, start) in decided:
            continue
        if markers and _shares_words(past.get(rid, ()), start, end, markers):
            continue
        rule = compiled.by_id[rid]
        if rule.all_of and not _conditions_hold(rule.all_of, extraction):
            continue
        markers = markers or MessageMarkers(text)
        if rule.not_if_levels_normal and _levels_normal(markers, extraction):
            continue
        if signal in _CLAUSE_SIGNALS:
            assertion = _whole_clause(text, ctx, markers, start, end)
        else:
            assertion = asserted.get((start, end, parts)) or assert_mention(
                ctx, markers, start, end, parts
            )
        if assertion.time is Time.PAST:
            decided.add((rid, start))
        # A denial ("no chest pain") is not a symptom to assess (HAZ-039).
        mentioned = mentioned or not (
            assertion.hypothetical or assertion.negated or assertion.figurative
        )
        if rid in hits:
            continue
        if not _admits(rule, assertion, markers, start, end):
            recent = recent or _recently(rule, assertion, markers.within_a_day(start))
            continue
        hits[rid] = RedFlagHit(
            rid, rule.label, rule.urgency, start, end, assertion.other_person, signal
        )
    if recent:
        _add_recent_fallback(compiled, hits)
    if not mentioned:
        mentioned = _states_symptom_word(ctx, markers or MessageMarkers(text))
    for rule in compiled.rules:
        has_matchers = bool(rule.phrases or rule.cues or rule.patterns or rule.symptoms)
        if rule.all_of and not has_matchers and _conditions_hold(rule.all_of, extraction):
            hits[rule.id] = RedFlagHit(rule.id, rule.label, rule.urgency, signal="rule")
        elif rule.id not in hits and any(
            _conditions_hold(conditions, extraction) for conditions in rule.also_when
        ):
            hits[rule.id] = RedFlagHit(rule.id, rule.label, rule.urgency, signal="rule")
    return _model_only_above_the_rest(list(hits.values())), mentioned


def _past_spans(
    compiled: _Compiled,
    candidates: list[_Candidate],
    ctx: TextContext,
    markers: MessageMarkers | None,
    extraction: Extraction,
    asserted: dict[tuple[int, int, tuple[tuple[int, int], ...]], Assertion],
) -> dict[str, list[tuple[int, int]]]:
    """Per red flag with several cue matches, the spans of those dated to the long past.

    Each assertion made is kept in ``asserted`` (by span and parts) for the caller to reuse.
    """
    cues = [c for c in candidates if c[3] == "cue"]
    several = {rid for rid in {c[0] for c in cues} if sum(c[0] == rid for c in cues) > 1}
    spans: dict[str, list[tuple[int, int]]] = {}
    if markers is None:
        return spans
    for rid, start, end, _signal, parts in cues:
        rule = compiled.by_id[rid]
        if rid not in several or (rule.all_of and not _conditions_hold(rule.all_of, extraction)):
            continue
        assertion = assert_mention(ctx, markers, start, end, parts)
        asserted[(start, end, parts)] = assertion
        # over by now but of today ("went dark at lunch, fine now") is no long-past evidence
        if assertion.time is Time.PAST and assertion.passed is not Time.CURRENT:
            spans.setdefault(rid, []).append((start, end))
    return spans


def _shares_words(
    spans: Iterable[tuple[int, int]], start: int, end: int, markers: MessageMarkers
) -> bool:
    """Whether ``[start, end)`` shares its words with evidence dated to the long past.

    "went blind" beside "blind in one eye ... back in the 80s" overlaps the dated match in
    part; "face swelled" inside "a reaction to his jab ages ago, face swelled" lies in it. A
    match is still judged by its own words when its own segment says now ("my late husband
    ... now I'm so confused", "years ago I was on metformin, now my tingling has moved up"),
    and one that holds the dated evidence whole always is (the "same start" rule above covers
    the ones that begin with it).
    """
    if markers.said_now(start):  # "years ago i was on metformin, now my tingling" (review 12)
        return False
    return any(a < end and start < b and not (start <= a and b <= end) for a, b in spans)


def _recently(rule: RedFlag, assertion: Assertion, within_a_day: bool) -> bool:
    """A red flag of "now" said of the recent past ("last night", "yesterday").

    Also one over by now but of today or lately ("chest pain this morning, fine now").
    Not denied, supposed or figurative, not long past, and the rule has no rule of its
    own for the recent past ("fainted yesterday" has its urgent sibling). Someone else's
    counts only when dated last night or yesterday ("my baby was floppy last night").
    """
    if assertion.negated or assertion.hypothetical or assertion.figurative:
        return False
    if assertion.other_person and not within_a_day:  # "my friend ended up in A&E": over
        return False
    current_rule = rule.when in ("current", "current_or_passed")
    serious = rule.urgency in (Urgency.EMERGENCY, Urgency.URGENT)
    # Over by now but said to be of today ("chest pain this morning, fine now"): still
    # checked today; a stroke sign over lately or undated, too (review of session 9).
    passed = assertion.passed is Time.CURRENT or (
        rule.when == "current_or_passed" and assertion.passed is not None
    )
    return (assertion.recent or passed) and current_rule and serious


def _add_recent_fallback(compiled: _Compiled, hits: dict[str, RedFlagHit]) -> None:
    """Never drop an emergency or urgent red flag of the recent past.

    It gets the uncertain urgent flag ("may need checking today"), unless an urgent-or-higher
    flag already answers (HAZ-086).
    """
    if any(h.urgency.rank >= Urgency.URGENT.rank for h in hits.values()):
        return
    generic = compiled.trained.get(Urgency.URGENT)
    if generic is not None:
        rule = compiled.by_id[generic]
        hits[generic] = RedFlagHit(generic, rule.label, rule.urgency, signal="recent")


def _model_only_above_the_rest(hits: list[RedFlagHit]) -> list[RedFlagHit]:
    """Keep a trained-signal hit only when it is more urgent than every curated hit.

    The curated cues and exemplars say which red flag and which advice; the classifier only
    raises the urgency when they found less (or nothing), so it never swaps their advice for
    its guess of a neighbouring red flag.
    """
    curated = max((h.urgency.rank for h in hits if h.signal != "model"), default=-1)
    return [h for h in hits if h.signal != "model" or h.urgency.rank > curated]


def _states_symptom(extraction: Extraction) -> bool:
    """A vocabulary symptom of the patient's that is not denied (past or uncertain counts)."""
    return any(s.about_patient and not s.negated for s in extraction.symptoms)


def _states_symptom_word(ctx: TextContext, markers: MessageMarkers) -> bool:
    """A generic symptom word ("pain", "unwell") that is neither conditional nor denied."""
    return any(
        not assert_mention(ctx, markers, start, end).negated
        for start, end in markers.symptom_words()
    )


def assess(text: str, extraction: Extraction | None = None) -> TriageResult:
    """Find red flags in a message and rank them.

    Emergency outranks urgent outranks routine. Matching tolerates inflections, missing
    apostrophes, typing slips and free word order; it is negation-aware ("no chest pain" is
    not a hit), and a conditional ("if she faints"), long past or resolved ("fainted years
    ago", "fainted once but fine since") or someone else's past ("her mother collapsed last
    year") mention is not a hit. Someone else described now ("my dad won't wake up") is.

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
    compiled = _compiled()
    hits, mentioned = _hits(compiled, text, extraction)
    found = {h.id for h in hits}
    hits = [h for h in hits if not found.intersection(compiled.by_id[h.id].unless)]
    hits.sort(key=lambda h: (-h.urgency.rank, compiled.order[h.id]))
    urgency: Urgency | None = hits[0].urgency if hits else None
    top = [h for h in hits if h.urgency is urgency]
    return TriageResult(
        urgency=urgency,
        red_flags=tuple(hits),
        advice_clinician=tuple(dict.fromkeys(compiled.by_id[h.id].advice_clinician for h in hits)),
        advice_patient=tuple(dict.fromkeys(compiled.by_id[h.id].advice_patient for h in hits)),
        describes_symptoms=_states_symptom(extraction) or mentioned or bool(hits),
        about_other_person=bool(top) and all(h.other_person for h in top),
    )
