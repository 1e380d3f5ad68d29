"""ConText assertions of a concept mention: certainty, experiencer and time.

The algorithm is ConText (Harkema et al., 2009, an extension of NegEx); the trigger lists,
scopes and terminators are data in ``vocab/negation.yml``. Each mention gets:

* certainty: ``hypothetical`` ("if she gets numbness"), else ``negated`` ("no numbness"),
  else ``possible`` ("?PA", "possible coeliac"), else ``affirmed``;
* experiencer: ``patient`` or ``other`` ("her mother had PA"; "my sister has PA, I don't");
* time: ``historical`` ("numb feet last year, fine now") or ``current``.

Only an affirmed, current finding about the patient (:attr:`Context.affirmed_current_patient`)
may drive a plan or a red flag. For another person's finding,
:attr:`Context.other_experiencer_now` says whether it is described as happening now (a
relative's emergency) rather than in the past.

A pre-trigger modifies a concept that starts after it within ``scope_window`` word tokens,
provided no scope terminator lies in between; a post-trigger modifies a concept that ends
before it within ``post_scope_window`` word tokens. Trigger words inside a pseudo-trigger
("no change", "not only") are ignored, and so is a trigger that overlaps the concept itself
("no energy" is a fatigue phrase, not a negated "energy").

Two concept-aware refinements (concepts are the symptom, cause and negation-aware cue
mentions of :func:`guideline_engine.extraction.lexicon.find_concepts`):

* a trigger word inside any concept phrase is not a trigger ("IF antibodies +" holds no
  conditional "if", "off balance" no historical "off");
* a negation stops at a concept of another kind: in "denies paraesthesia, vegan" or "no
  neuro signs, prefers tablets" the negation of the symptom does not reach the cause or the
  route cue. Kinds are symptom (with the whole-phrase negative findings), cause, and each
  cue group. An explicit "or"/"nor" between the two keeps the negation going ("not pregnant
  or on warfarin").
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass
from functools import lru_cache

from guideline_engine.extraction.lexicon import (
    CAUSE,
    NEGATIVE_FINDING,
    SYMPTOM,
    ConceptHit,
    find_concepts,
)
from guideline_engine.extraction.model import Certainty, Experiencer, Temporality, certainty_of
from guideline_engine.extraction.text import (
    PhraseHit,
    PhraseMatcher,
    Token,
    normalise,
    phrase_regex,
    tokenize,
)
from guideline_engine.extraction.vocab import ContextRules, TriggerSet, load_context_rules

_GAP_SPLIT = re.compile(r"\s+|(,)")
_OR_WORDS = frozenset({"or", "nor", "and/or"})
_CLAUSE_END = re.compile(r"\s*(?:[.,;:!?\n]|$)")
_CHECKLIST_DENIALS = (
    "denies",
    "denied",
    "denying",
    "nil",
    "negative for",
    "neg for",
    "no hx",
    "no history",
)
"""A checklist's denial governs its whole comma list ("denies alcohol, metformin use")."""
_SENTENCE_END = re.compile(r"[.;:!?\n]|\bbut\b")
_CLAUSE_OPEN = re.compile(r"(?:^|[.,;:!?\n(])\s*(?:query\s+|possible\s+)?$")


def _kind(group: str) -> str:
    """Negation fences compare kinds; a negative finding is of the symptom kind."""
    return SYMPTOM if group == NEGATIVE_FINDING else group


@dataclass(frozen=True)
class Context:
    """How a mention is qualified by its surroundings (the raw ConText modifiers).

    Attributes:
        negated: Denied ("no numbness", "IF antibodies negative").
        hypothetical: Asked about or conditional ("if someone has pins and needles").
        historical: Past or resolved ("numbness resolved", "last year, fine now").
        other_experiencer: About someone other than the patient.
        possible: Uncertain ("?PA", "possible pernicious anaemia", "might have").
        other_experiencer_now: Another person's finding described as happening now
            ("is", "today", "can't wake him") or with no time word at all; False for the
            patient's own findings and for someone else's past or hypothetical event.
    """

    negated: bool = False
    hypothetical: bool = False
    historical: bool = False
    other_experiencer: bool = False
    possible: bool = False
    other_experiencer_now: bool = False

    @property
    def about_patient_now_or_before(self) -> bool:
        """True when the mention is a real statement about the patient (any polarity)."""
        return not self.hypothetical and not self.other_experiencer

    @property
    def certainty(self) -> Certainty:
        """``hypothetical``, else ``negated``, else ``possible``, else ``affirmed``."""
        return certainty_of(
            hypothetical=self.hypothetical, negated=self.negated, possible=self.possible
        )

    @property
    def experiencer(self) -> Experiencer:
        """``patient`` or ``other``."""
        return "other" if self.other_experiencer else "patient"

    @property
    def time(self) -> Temporality:
        """``historical`` or ``current``."""
        return "historical" if self.historical else "current"

    @property
    def affirmed_current_patient(self) -> bool:
        """Affirmed, current and about the patient: the only kind that may drive a plan."""
        return self.certainty == "affirmed" and not self.other_experiencer and not self.historical


def _matcher(phrases: tuple[str, ...]) -> PhraseMatcher:
    return PhraseMatcher((p, p) for p in phrases)


def _alternation(phrases: tuple[str, ...]) -> str:
    ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
    return "|".join(f"(?:{phrase_regex(p)})" for p in ordered)


def _normal_exam_regex(rules: ContextRules) -> re.Pattern[str] | None:
    """One pattern for "<subject> [:|-|was] <normal word>" and "<normal word> <subject>"."""
    if not rules.normal_exam_subjects or not rules.normal_exam_words:
        return None
    subject = _alternation(rules.normal_exam_subjects)
    word = _alternation(rules.normal_exam_words)
    # "neuro exam NAD", "neuro exam: normal", "neuro exam was normal", "normal neuro exam"
    copula = r"(?:(?:was|is|were|are|looked|looks|came\s+back|comes\s+back|has\s+been)\s+)?"
    return re.compile(
        rf"(?:{subject})(?:\s*[:\-]\s*|\s+{copula})(?:{word})|(?:{word})\s+(?:{subject})"
    )


@dataclass(frozen=True)
class _Matchers:
    neg_pre: PhraseMatcher
    neg_post: PhraseMatcher
    pseudo: PhraseMatcher
    hyp_pre: PhraseMatcher
    hist_pre: PhraseMatcher
    hist_post: PhraseMatcher
    exp_pre: PhraseMatcher
    exp_post: PhraseMatcher
    term_common: PhraseMatcher
    term_negation: PhraseMatcher
    term_historical: PhraseMatcher
    negative_findings: PhraseMatcher
    poss_pre: PhraseMatcher
    poss_post: PhraseMatcher
    relative_pre: PhraseMatcher
    self_denial: PhraseMatcher
    self_denial_final: PhraseMatcher
    time_now: PhraseMatcher
    time_past: PhraseMatcher


def _is_symbol(hit: PhraseHit, norm: str) -> bool:
    return not any(ch.isalnum() for ch in norm[hit.start : hit.end])


def _attached(hit: PhraseHit, norm: str) -> bool:
    """A symbol trigger ("?") written against the next word ("?PA")."""
    return hit.end < len(norm) and norm[hit.end].isalnum()


class ContextEngine:
    """Compiled context rules; build once and reuse for every text."""

    def __init__(self, rules: ContextRules) -> None:
        """Compile all trigger lists.

        Args:
            rules: Validated rules from ``negation.yml``.
        """
        self.rules = rules
        self._normal_exam = _normal_exam_regex(rules)

        def pair(ts: TriggerSet) -> tuple[PhraseMatcher, PhraseMatcher]:
            return _matcher(ts.pre), _matcher(ts.post)

        neg_pre, neg_post = pair(rules.negation)
        hist_pre, hist_post = pair(rules.historical)
        exp_pre, exp_post = pair(rules.experiencer_other)
        self._m = _Matchers(
            neg_pre=neg_pre,
            neg_post=neg_post,
            pseudo=_matcher(rules.pseudo),
            hyp_pre=_matcher(rules.hypothetical.pre),
            hist_pre=hist_pre,
            hist_post=hist_post,
            exp_pre=exp_pre,
            exp_post=exp_post,
            term_common=_matcher(rules.terminators_common),
            term_negation=_matcher(rules.terminators_negation),
            term_historical=_matcher(rules.terminators_historical),
            negative_findings=_matcher(rules.negative_findings),
            poss_pre=_matcher(rules.possible.pre),
            poss_post=_matcher(rules.possible.post),
            relative_pre=_matcher(rules.writer.relative_pre),
            self_denial=_matcher(rules.writer.self_denial),
            self_denial_final=_matcher(rules.writer.self_denial_clause_final),
            time_now=_matcher(rules.experiencer_time.now),
            time_past=_matcher(rules.experiencer_time.past),
        )

    def self_denials(self, norm: str, original: str) -> tuple[PhraseHit, ...]:
        """Where the writer sets themselves apart from someone else ("..., I don't.").

        Args:
            norm: Normalised text.
            original: Original text of the same length.

        Returns:
            The self-denial phrases, in text order.
        """
        hits = list(self._m.self_denial.find(norm, original))
        hits += [
            h
            for h in self._m.self_denial_final.find(norm, original)
            if _CLAUSE_END.match(norm, h.end) is not None
            and not any(o.start <= h.start < o.end for o in hits)
        ]
        return tuple(sorted(hits, key=lambda h: h.start))

    def analyse(
        self, norm: str, original: str, concepts: tuple[ConceptHit, ...] = ()
    ) -> TextContext:
        """Find every trigger and terminator of one text.

        Args:
            norm: Normalised text.
            original: Original text of the same length.
            concepts: Concept mentions of the text (see
                :func:`guideline_engine.extraction.lexicon.find_concepts`); trigger words
                inside them are ignored and negation scope stops at a concept of another
                kind.

        Returns:
            A :class:`TextContext` that answers questions about spans of this text.
        """
        m = self._m
        pseudo = m.pseudo.find(norm, original)
        toks = tokenize(norm)

        def found(matcher: PhraseMatcher) -> tuple[PhraseHit, ...]:
            return tuple(
                h
                for h in matcher.find(norm, original)
                if not any(p.start < h.end and h.start < p.end for p in pseudo)
                and not any(c.start <= h.start and h.end <= c.end for c in concepts)
            )

        exam_hits = (
            [PhraseHit("normal_exam", x.start(), x.end()) for x in self._normal_exam.finditer(norm)]
            if self._normal_exam is not None
            else []
        )
        listed = m.negative_findings.find(norm, original)
        merged = listed + [
            h for h in exam_hits if not any(o.start < h.end and h.start < o.end for o in listed)
        ]
        negative_findings = tuple(
            h
            for h in sorted(merged, key=lambda h: h.start)
            if not any(p.start < h.end and h.start < p.end for p in pseudo)
        )
        fences = tuple(
            sorted(
                (
                    *concepts,
                    *(ConceptHit(NEGATIVE_FINDING, "", h.start, h.end) for h in negative_findings),
                ),
                key=lambda c: (c.start, -c.end),
            )
        )

        denials = self.self_denials(norm, original)
        possible_pre = found(m.poss_pre)
        exp_pre = found(m.exp_pre) + (found(m.relative_pre) if denials else ())

        number_terms: tuple[PhraseHit, ...] = ()
        if self.rules.numbers_end_negation_scope:
            number_terms = tuple(
                PhraseHit("#", t.start, t.end)
                for t in toks
                if t.is_word and any(ch.isdigit() for ch in t.text)
            )
        return TextContext(
            rules=self.rules,
            tokens=toks,
            word_starts=[t.start for t in toks if t.is_word],
            neg_pre=found(m.neg_pre),
            neg_post=found(m.neg_post),
            hyp_pre=found(m.hyp_pre),
            hist_pre=found(m.hist_pre),
            hist_post=found(m.hist_post),
            exp_pre=tuple(sorted(exp_pre, key=lambda h: h.start)),
            exp_post=found(m.exp_post),
            term_common=tuple(m.term_common.find(norm, original)),
            term_negation=tuple(m.term_negation.find(norm, original)) + number_terms,
            negative_findings=negative_findings,
            norm=norm,
            concepts=concepts,
            fences=fences,
            poss_pre=tuple(h for h in possible_pre if not _is_symbol(h, norm)),
            poss_pre_attached=tuple(
                h for h in possible_pre if _is_symbol(h, norm) and _attached(h, norm)
            ),
            poss_post=found(m.poss_post),
            self_denials=denials,
            relatives=found(m.relative_pre),
            time_now=tuple(m.time_now.find(norm, original)),
            time_past=tuple(m.time_past.find(norm, original)),
            term_historical=tuple(m.term_historical.find(norm, original)),
        )


@dataclass(frozen=True)
class TextContext:
    """Triggers found in one text, ready to qualify concept spans."""

    rules: ContextRules
    tokens: tuple[Token, ...]
    word_starts: list[int]
    neg_pre: tuple[PhraseHit, ...]
    neg_post: tuple[PhraseHit, ...]
    hyp_pre: tuple[PhraseHit, ...]
    hist_pre: tuple[PhraseHit, ...]
    hist_post: tuple[PhraseHit, ...]
    exp_pre: tuple[PhraseHit, ...]
    exp_post: tuple[PhraseHit, ...]
    term_common: tuple[PhraseHit, ...]
    term_negation: tuple[PhraseHit, ...]
    negative_findings: tuple[PhraseHit, ...]
    norm: str = ""
    concepts: tuple[ConceptHit, ...] = ()
    """Concept mentions found in the text (symptoms, causes, negation-aware cues)."""
    fences: tuple[ConceptHit, ...] = ()
    """Concepts and negative findings, which end the negation scope of another kind."""
    poss_pre: tuple[PhraseHit, ...] = ()
    poss_pre_attached: tuple[PhraseHit, ...] = ()
    """Symbol triggers ("?") that modify only the concept written against them ("?PA")."""
    poss_post: tuple[PhraseHit, ...] = ()
    self_denials: tuple[PhraseHit, ...] = ()
    """Where the writer sets themselves apart from someone else ("I've got none of that")."""
    relatives: tuple[PhraseHit, ...] = ()
    """Every relative the writer names ("my mother"), whether or not they set themselves apart."""
    time_now: tuple[PhraseHit, ...] = ()
    time_past: tuple[PhraseHit, ...] = ()
    term_historical: tuple[PhraseHit, ...] = ()

    def group_of(self, start: int, end: int) -> str | None:
        """Kind of the concept mention exactly at ``[start, end)``, if there is one."""
        for c in self.concepts:
            if c.start == start and c.end == end:
                return c.group
            if c.start > start:
                break
        return None

    def _or_joined(self, a: int, b: int) -> bool:
        """Whether the text between two concepts is an explicit "or"/"nor" connective."""
        words = [t for t in _GAP_SPLIT.split(self.norm[a:b]) if t]
        return any(w in _OR_WORDS for w in words) and all(w in _OR_WORDS or w == "," for w in words)

    def _comma_statements(self, trig: PhraseHit, start: int, end: int) -> bool:
        """Whether a comma parts a denial from a cause, with no list to join them.

        "no alcohol, vegan", "no fixed abode, heavy drinker", "eat meat but not much, I take
        omeprazole" are two statements; an "or" list is one ("no alcohol, vegan or veggie"), and
        so is the list of a checklist's denial or of a denial whose first item is itself a
        cause ("denies alcohol, metformin use", "nil PPI, metformin", "no hx of gastrectomy,
        ileal resection": review 12, finding 8), until an "or" has closed it ("denies alcohol,
        metformin or PPI use, vegan").
        """
        a = trig.end
        if "," not in self.norm[a:start]:
            return False
        before = [w for w in _GAP_SPLIT.split(self.norm[a:start]) if w]
        sentence = _SENTENCE_END.search(self.norm, end)
        after = [
            w
            for w in _GAP_SPLIT.split(self.norm[end : sentence.start() if sentence else None])
            if w
        ]
        if any(w in _OR_WORDS for w in before[-2:] + after):
            return False
        if any(w in _OR_WORDS for w in before):
            return True  # the list closed with its "or" before this cause
        if self.norm[trig.start : trig.end].startswith(_CHECKLIST_DENIALS):
            return False
        first = next((c for c in self.concepts if c.start >= a), None)
        return not (
            first is not None and first.group == CAUSE and first.start < self.norm.find(",", a)
        )

    def _fenced(self, group: str, a: int, b: int, c_start: int, c_end: int) -> bool:
        """Whether a concept of another kind than ``group`` lies inside ``[a, b)``.

        ``[a, b)`` runs from a trigger to the concept it would modify (either order); the
        concept itself, ``[c_start, c_end)``, does not count.
        """
        kind = _kind(group)
        for f in self.fences:
            if f.start >= b:
                break
            if f.start < a or f.end > b or (f.start < c_end and c_start < f.end):
                continue
            if _kind(f.group) == kind:
                continue
            gap = (f.end, c_start) if f.end <= c_start else (c_end, f.start)
            if self._or_joined(*gap):
                continue
            return True
        return False

    def _words_between(self, starts: list[int], a: int, b: int) -> int:
        return bisect.bisect_left(starts, b) - bisect.bisect_left(starts, a)

    @staticmethod
    def _blocked(
        terms: tuple[PhraseHit, ...], trigger: PhraseHit, a: int, b: int, c_start: int, c_end: int
    ) -> bool:
        for t in terms:
            if t.start >= a and t.end <= b:
                inside_trigger = t.start < trigger.end and trigger.start < t.end
                inside_concept = t.start < c_end and c_start < t.end
                if not inside_trigger and not inside_concept:
                    return True
        return False

    def _pre(
        self,
        triggers: tuple[PhraseHit, ...],
        start: int,
        end: int,
        window: int,
        terms: tuple[PhraseHit, ...],
        starts: list[int],
        group: str | None = None,
    ) -> bool:
        for trig in triggers:
            if trig.end > start:
                continue
            if self._words_between(starts, trig.end, start) > window:
                continue
            if self._blocked(terms, trig, trig.end, start, start, end):
                continue
            if group is not None and self._fenced(group, trig.start, start, start, end):
                continue
            if group == CAUSE and self._comma_statements(trig, start, end):
                continue  # "no alcohol, vegan": two statements (session 12; review 12, 8)
            return True
        return False

    def _post(
        self,
        triggers: tuple[PhraseHit, ...],
        start: int,
        end: int,
        window: int,
        terms: tuple[PhraseHit, ...],
        starts: list[int],
        group: str | None = None,
    ) -> bool:
        for trig in triggers:
            if trig.start < end:
                continue
            if self._words_between(starts, end, trig.start) > window:
                continue
            if self._blocked(terms, trig, end, trig.start, start, end):
                continue
            if group is not None and self._fenced(group, end, trig.end, start, end):
                continue
            return True
        return False

    def classify(self, start: int, end: int, group: str | None = None) -> Context:
        """Qualify the concept mention ``[start, end)``.

        Args:
            start: Start offset of the mention.
            end: End offset of the mention.
            group: Kind of the mention ("symptom", "cause", a cue group, or
                "negative_finding"); looked up among the text's concepts when omitted. A
                negation does not reach across a concept of another kind.

        Returns:
            The mention's context.
        """
        if group is None:
            group = self.group_of(start, end)
        r = self.rules
        starts = self.word_starts
        common = self.term_common
        neg_terms = common + self.term_negation

        def outside(hits: tuple[PhraseHit, ...]) -> tuple[PhraseHit, ...]:
            return tuple(h for h in hits if not (h.start < end and start < h.end))

        negated = self._pre(
            outside(self.neg_pre), start, end, r.scope_window, neg_terms, starts, group
        ) or self._post(
            outside(self.neg_post), start, end, r.post_scope_window, neg_terms, starts, group
        )
        hypothetical = self._pre(
            outside(self.hyp_pre), start, end, r.hypothetical_window, common, starts
        )
        hist_terms = common + self.term_historical
        historical = self._pre(
            outside(self.hist_pre), start, end, r.scope_window, hist_terms, starts
        ) or self._post(
            outside(self.hist_post), start, end, r.post_scope_window, hist_terms, starts
        )
        other = self._pre(
            outside(self.exp_pre), start, end, r.scope_window, common, starts
        ) or self._post(outside(self.exp_post), start, end, r.post_scope_window, common, starts)
        return Context(
            negated=negated,
            hypothetical=hypothetical,
            historical=historical,
            other_experiencer=other,
            possible=self._possible(start, end, group),
            other_experiencer_now=other
            and not hypothetical
            and not historical
            and self._described_now(start, end),
        )

    def said_of_relative(self, start: int, end: int) -> bool:
        """Whether a relative the writer names ("my mother has ...") precedes the mention."""
        return self._pre(
            self.relatives, start, end, self.rules.scope_window, self.term_common, self.word_starts
        )

    def hypothetical_trigger(
        self, start: int, end: int, *, comma_ends: bool = True
    ) -> PhraseHit | None:
        """The HYPOTHETICAL trigger whose scope reaches ``[start, end)``.

        As for any mention, but by default a comma also ends the scope: in "if she gets numb,
        B12 150" the "if" does not reach the B12 value.
        """
        commas = tuple(PhraseHit(",", t.start, t.end) for t in self.tokens if t.text == ",")
        terms = self.term_common + (commas if comma_ends else ())
        for trig in self.hyp_pre:
            if not (trig.start < end and start < trig.end) and self._pre(
                (trig,), start, end, self.rules.hypothetical_window, terms, self.word_starts
            ):
                return trig
        return None

    def _possible(self, start: int, end: int, group: str | None) -> bool:
        """POSSIBLE_EXISTENCE: a "?" written against the mention, or a word trigger in scope.

        A comma ends the scope of a possible trigger as well: "?PA, vegan" doubts only PA.
        """
        r = self.rules
        starts = self.word_starts
        if any(t.end == start for t in self.poss_pre_attached):
            return True
        if group == CAUSE and self._bare_query(start, end):
            return True
        terms = self.term_common + tuple(
            PhraseHit(",", t.start, t.end) for t in self.tokens if t.text == ","
        )

        def outside(hits: tuple[PhraseHit, ...]) -> tuple[PhraseHit, ...]:
            return tuple(h for h in hits if not (h.start < end and start < h.end))

        return self._pre(
            outside(self.poss_pre), start, end, r.scope_window, terms, starts, group
        ) or self._post(outside(self.poss_post), start, end, r.post_scope_window, terms, starts)

    def _bare_query(self, start: int, end: int) -> bool:
        """A cause written alone in its clause with a "?" against it ("62F, B12 140, PA?").

        The clinician's shorthand for a differential, like "?PA". Causes only: a symptom with
        a question mark stays affirmed so that triage never under-calls it, and a cause inside
        a longer question ("should I stop my metformin?") is still the patient's.
        """
        if not self.norm.startswith("?", end):
            return False
        before = _CLAUSE_OPEN.search(self.norm, 0, start)
        return before is not None and before.end() == start

    def _sentence(self, start: int, end: int) -> tuple[int, int]:
        """Bounds of the stretch around ``[start, end)`` between two common terminators."""
        lo, hi = 0, len(self.norm)
        for t in self.term_common:
            if t.end <= start:
                lo = max(lo, t.end)
            elif t.start >= end:
                hi = min(hi, t.start)
        return lo, hi

    def _described_now(self, start: int, end: int) -> bool:
        """Whether another person's finding is told as happening now.

        The time cue nearest the mention within its sentence decides (a tie goes to "now");
        with no cue the finding is taken as now, so that a relative's emergency is not
        missed for want of a time word.
        """
        lo, hi = self._sentence(start, end)
        best: tuple[int, bool] | None = None
        for is_now, cues in ((True, self.time_now), (False, self.time_past)):
            for c in cues:
                if c.start < lo or c.end > hi:
                    continue
                if c.start < end and start < c.end:
                    distance = 0
                else:
                    distance = start - c.end if c.end <= start else c.start - end
                if best is None or distance < best[0] or (distance == best[0] and is_now):
                    best = (distance, is_now)
        return True if best is None else best[1]


@lru_cache(maxsize=1)
def get_context_engine() -> ContextEngine:
    """The process-wide context engine (compiled on first use)."""
    return ContextEngine(load_context_rules())


@lru_cache(maxsize=256)
def analyse_text(text: str) -> tuple[str, TextContext]:
    """Normalise ``text`` and find its triggers, cached for recently seen texts.

    Extraction and triage both need the same analysis of a message; the cache lets the
    second caller reuse it.

    Args:
        text: Original text.

    Returns:
        ``(normalised text, context)``.
    """
    norm = normalise(text)
    return norm, get_context_engine().analyse(norm, text, find_concepts(norm, text))
