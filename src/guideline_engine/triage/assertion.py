"""Whose red flag, and when: the assertion rules that may only de-escalate triage.

A red-flag mention escalates unless clear wording in its own clause says otherwise:

* negated close by ("no chest pain"), confirmed by the general context engine;
* conditional or generic ("if he faints", "can b12 deficiency cause chest pain?");
* long past or resolved ("last year", "once", "fine since") - dropped;
* recently past ("yesterday", "last week") - an emergency becomes urgent;
* someone else's and past ("my sister collapsed last year") - dropped; someone else's now
  ("my dad ... we can hardly wake him") escalates for that person;
* stopped just before the mention ("stopped breastfeeding") - long past;
* part of a figure of speech ("took my breath away") - dropped;
* in a clause opened by a supposition ("say my numbness started spreading, ...") - dropped.

Never a reason to drop (round 5): doubt ("not sure if she is breathing"), understatement
("probably nothing but ...") and a stranger or client described now ("the lady I look
after won't wake up"); a stranger makes a clause hearsay only with a reporting word.

The word lists are data in ``vocab/triage_context.yml``.
"""

from __future__ import annotations

import bisect
import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from enum import Enum
from functools import lru_cache
from itertools import pairwise
from typing import Any

import yaml

from guideline_engine.extraction.context import TextContext
from guideline_engine.extraction.text import PhraseHit
from guideline_engine.extraction.vocab import VocabularyError, load_vocab_yaml, read_vocab_text
from guideline_engine.triage.cues import Word, words

CONTEXT_FILE = "triage_context.yml"
TIME_REACH = 8
"""Words between a time marker and the mention it dates (same or referring segment)."""
COMPACT_MENTION = 6
"""Longest mention (in words) whose inner time markers date it."""
_LISTS = (
    "conditional",
    "generic_question",
    "first_person",
    "remote_past",
    "recent_past",
    "resolved",
    "present",
    "other_person",
    "symptom_words",
    "recurred",
    "hearsay",
    "refers_back",
    "change",
    "stable",
    "ceased",
    "figurative",
    "conditional_opening",
    "hearsay_person",
    "reporting",
    "uncertain",
    "hedge",
    "comparison",
    "today",
    "other_complaints",
    "long_standing",
    "levels_normal",
    "levels_unsettled",
    "affirms_own",
)
_INABILITY = frozenset({"cant", "cannot", "couldnt", "unable", "struggle", "struggling"})
"""Words that make a following "without" affirm ("can't walk far without stopping")."""
_NOT_ABILITY = frozenset(
    {
        "believe",
        "wait",
        "thank",
        "fault",
        "remember",
        "imagine",
        "complain",
        "say",
        "tell",
        "stress",
    }
)
"""After "can't", these say nothing about what the writer can do ("can't wait to go without")."""
_SPANS_OF_TIME = frozenset(
    {"day", "days", "week", "weeks", "month", "months", "year", "years", "night", "nights"}
)
_DENYING_DETERMINERS = frozenset({"any", "a", "an", "the", "much", "too", "so", "no"})
"""After "without", these make it a denial whatever came before ("without any chest pain")."""
_TIME_LISTS = ("present", "remote_past", "recent_past")
_POSSESSIVE_LISTS = frozenset({"other_person"})


class Time(str, Enum):
    """When a mention happened, as far as triage is concerned."""

    CURRENT = "current"
    RECENT_PAST = "recent_past"
    PAST = "past"


@dataclass(frozen=True)
class Assertion:
    """How a red-flag mention is qualified.

    Attributes:
        negated: Denied close by in the same clause.
        hypothetical: Conditional or a generic question.
        time: Current, recently past or long past / resolved.
        other_person: About someone other than the writer.
        recent: Dated to the recent past ("yesterday"), even when ``time`` says long past
            because it is someone else's.
        figurative: Part of a figure of speech ("took my breath away", "my heart sank").
        passed: For a mention over by the writer's words ("fine now"), when it happened:
            today (``CURRENT``) or lately (``RECENT_PAST``); None otherwise (not over, or
            long past). A stroke sign that has passed today is still an emergency.
    """

    negated: bool = False
    hypothetical: bool = False
    time: Time = Time.CURRENT
    other_person: bool = False
    recent: bool = False
    figurative: bool = False
    passed: Time | None = None

    @property
    def escalates(self) -> bool:
        """Whether the mention may raise triage at all."""
        return not (self.negated or self.hypothetical or self.figurative or self.time is Time.PAST)


@dataclass(frozen=True)
class TriageContext:
    """Validated word lists of ``triage_context.yml``."""

    negation_reach: int
    phrases: tuple[tuple[str, tuple[tuple[str, ...], ...]], ...]


def parse_triage_context(data: object) -> TriageContext:
    """Validate the parsed ``triage_context.yml``.

    Args:
        data: The YAML document as loaded.

    Returns:
        The word lists, each phrase split into word keys.

    Raises:
        VocabularyError: On a missing or unknown key, or a bad value.
    """
    if not isinstance(data, Mapping):
        raise VocabularyError(f"{CONTEXT_FILE}: expected a mapping")
    expected = {"version", "negation_reach", *_LISTS}
    unknown = sorted(set(data) - expected)
    missing = sorted(expected - set(data))
    if unknown or missing:
        raise VocabularyError(f"{CONTEXT_FILE}: unknown keys {unknown}, missing keys {missing}")
    if data["version"] != 1:
        raise VocabularyError(f"{CONTEXT_FILE}: unsupported version {data['version']!r}")
    reach = data["negation_reach"]
    if isinstance(reach, bool) or not isinstance(reach, int) or not 0 <= reach <= 10:
        raise VocabularyError(f"{CONTEXT_FILE}: negation_reach must be an integer 0-10")
    phrases: list[tuple[str, tuple[tuple[str, ...], ...]]] = []
    for name in _LISTS:
        items: Any = data[name]
        if not isinstance(items, list) or not items:
            raise VocabularyError(f"{CONTEXT_FILE}: '{name}' must be a non-empty list")
        keys: list[tuple[str, ...]] = []
        for item in items:
            if not isinstance(item, str) or item != item.lower() or not words(item):
                raise VocabularyError(f"{CONTEXT_FILE}: '{name}': bad phrase {item!r}")
            key = tuple(w.key for w in words(item))
            keys.append(key)
            # "my colleague" also covers "my colleague's baby" (apostrophes are dropped).
            if name in _POSSESSIVE_LISTS and len(key) > 1 and not key[-1].endswith("s"):
                keys.append((*key[:-1], key[-1] + "s"))
        phrases.append((name, tuple(keys)))
    return TriageContext(negation_reach=reach, phrases=tuple(phrases))


@lru_cache(maxsize=1)
def load_triage_context() -> TriageContext:
    """The validated triage context rules (read once per process)."""
    try:
        data = load_vocab_yaml(read_vocab_text(CONTEXT_FILE))
    except yaml.YAMLError as exc:
        raise VocabularyError(f"{CONTEXT_FILE}: not valid YAML: {exc}") from exc
    return parse_triage_context(data)


@lru_cache(maxsize=4)
def _first_word_index(rules: TriageContext) -> dict[str, list[tuple[str, tuple[str, ...]]]]:
    index: dict[str, list[tuple[str, tuple[str, ...]]]] = {}
    for name, phrases in rules.phrases:
        for phrase in phrases:
            index.setdefault(phrase[0], []).append((name, phrase))
    return index


def _is_past_year(key: str) -> bool:
    """A four-digit calendar year before the current one ("in 2010")."""
    return len(key) == 4 and key.isdigit() and 1900 <= int(key) < dt.date.today().year


LIST_REACH = 4
"""Extra words a pre-negation reaches across when an "or"/"nor" list leads to the mention."""
LIST_ITEM_WORDS = 3
"""Longest item (in words) of a comma list a denial reaches across ("denies X, Y or Z")."""
_CHECKLIST_DENIALS = ("denies", "denied", "denying", "negative for", "neg for")
"""Only a checklist's denial reaches across commas: "no let up, breathless or chest tightness"
and "never had this before, tingling or face drooping" deny nothing (review 11b, finding 3)."""
_LIST_JOINERS = frozenset({"or", "nor"})
_LIST_DENIALS = frozenset({"no", "nil", "without"})
CEASED_REACH = 1
"""Words between a "stopped"/"gave up" marker and the mention it ends ("stopped the feeds")."""
CHANGE_NEGATION_REACH = 2
"""Words between a negation and a change word it denies ("it's not spreading")."""
_CHANGE_NEGATIONS = frozenset(
    {
        "not",
        "no",
        "never",
        "isnt",
        "hasnt",
        "havent",
        "arent",
        "wasnt",
        "dont",
        "doesnt",
        "didnt",
        "nothing",
    }
)
_NEW_SUBJECTS = frozenset(
    {"my", "i", "im", "ive", "he", "hes", "she", "shes", "his", "her", "their", "they", "now"}
)


_OWNERS = frozenset({"my", "his", "her", "their"})
"""After "and", a possessive starts another thing's statement ("... last year and my vision")."""
_TAKEN_BACK = frozenset({"but", "except"})
_WITHIN_A_DAY = frozenset({"yesterday", "last night"})
_FREQUENCY_TAILS = frozenset({("and", "then"), ("and", "again")})
_TIME_FILLERS = frozenset({"before", "back", "about", "around", "so", "then", "like", "and", "um"})


@dataclass(frozen=True)
class _Marker:
    start: int
    end: int
    clause: int
    segment: int


class MessageMarkers:
    """Every person/time marker of one message, found once and asked per mention."""

    def __init__(self, text: str, rules: TriageContext | None = None) -> None:
        """Find the markers of ``text``.

        Args:
            text: The raw message.
            rules: Word lists; the packaged ones by default.
        """
        self.rules = rules or load_triage_context()
        self.text = text
        self.words: tuple[Word, ...] = words(text)
        self._starts = [w.start for w in self.words]
        self.found: dict[str, list[_Marker]] = {name: [] for name in _LISTS}
        keys = [w.key for w in self.words]
        index = _first_word_index(self.rules)
        for i, key in enumerate(keys):
            for name, phrase in index.get(key, ()):
                n = len(phrase)
                if tuple(keys[i : i + n]) == phrase:
                    w0, w1 = self.words[i], self.words[i + n - 1]
                    self.found[name].append(_Marker(w0.start, w1.end, w0.clause, w0.segment))
        # "it's not spreading", "hasn't got worse", "never come back", "didn't in the
        # summer": denied, it did not (then).
        for name in ("change", "recurred", "remote_past", "recent_past"):
            self.found[name] = [
                m for m in self.found[name] if not self._denied_before(m.start, m.clause)
            ]
        # "now and then", "now and again": how often, not when.
        self.found["present"] = [m for m in self.found["present"] if not self._now_and_then(m)]
        # "came round but not making sense": a recovery taken back at once is none.
        self.found["resolved"] = [m for m in self.found["resolved"] if not self._but_after(m.end)]
        # A calendar year ("in 2010") dates a mention to the long past.
        self.found["remote_past"] += [
            _Marker(w.start, w.end, w.clause, w.segment) for w in self.words if _is_past_year(w.key)
        ]
        self._drop_contained_time_markers()

    def _keys_after(self, offset: int, n: int = 2) -> tuple[str, ...]:
        """The keys of the (at most) ``n`` words that start at or after ``offset``."""
        i = bisect.bisect_left(self._starts, offset)
        return tuple(w.key for w in self.words[i : i + n])

    def _now_and_then(self, marker: _Marker) -> bool:
        """Whether a "now" marker is "now and then" or "now and again" (how often)."""
        return self._keys_after(marker.end) in _FREQUENCY_TAILS

    def _but_after(self, end: int) -> bool:
        """Whether "but" or "except" follows offset ``end`` within two words."""
        return any(k in _TAKEN_BACK for k in self._keys_after(end))

    def _drop_contained_time_markers(self) -> None:
        """The longer time marker wins: "started" inside "before he started" is not "now"."""
        spans = [(m.start, m.end, name) for name in _TIME_LISTS for m in self.found[name]]
        for name in _TIME_LISTS:
            self.found[name] = [
                m
                for m in self.found[name]
                if not any(
                    other != name and a <= m.start and m.end <= b and (b - a) > (m.end - m.start)
                    for a, b, other in spans
                )
            ]

    def inside(self, name: str, start: int, end: int) -> bool:
        """Whether ``[start, end)`` lies inside a marker of list ``name``."""
        return any(m.start <= start and end <= m.end for m in self.found[name])

    def _denied_before(self, start: int, clause: int) -> bool:
        """Whether a negation word stands just before offset ``start`` in ``clause``."""
        i = bisect.bisect_left(self._starts, start)
        before = self.words[max(0, i - CHANGE_NEGATION_REACH) : i]
        return any(w.clause == clause and w.key in _CHANGE_NEGATIONS for w in before)

    def _word_at(self, offset: int) -> Word | None:
        """The word that contains ``offset`` (or the last word starting before it)."""
        if not self.words:
            return None
        i = bisect.bisect_right(self._starts, offset) - 1
        return self.words[max(i, 0)]

    def clause_of(self, start: int) -> int:
        """Clause number of the word at offset ``start``."""
        word = self._word_at(start)
        return word.clause if word else 0

    def segment_of(self, start: int) -> int:
        """Comma-segment number of the word at offset ``start``."""
        word = self._word_at(start)
        return word.segment if word else 0

    def _in_segment(self, name: str, segment: int) -> list[_Marker]:
        return [m for m in self.found[name] if m.segment == segment]

    def _segment_starts_with(self, name: str, segment: int) -> list[_Marker]:
        first = next((w for w in self.words if w.segment == segment), None)
        if first is None:
            return []
        return [m for m in self._in_segment(name, segment) if m.start == first.start]

    def symptom_words(self) -> tuple[tuple[int, int], ...]:
        """Spans of generic symptom words outside a conditional or generic clause."""
        return tuple(
            (m.start, m.end) for m in self.found["symptom_words"] if not self.conditional(m.start)
        )

    def hearsay(self, start: int) -> bool:
        """Whether the mention is part of what the writer read or heard about others.

        A stranger ("a woman", "someone in") counts only with a reporting word ("said")
        in the clause: "I look after a lady who won't wake up" is a report of now. The
        report must frame the mention (HAZ-080): "I read about B12 and now my chest hurts",
        "my lips are going blue, someone said it could be the B12" and "I heard that my
        ..." are the writer's own, now.
        """
        clause = self.clause_of(start)
        frames = self.in_clause("hearsay", clause)
        if self.in_clause("hearsay_person", clause):
            frames += self.in_clause("reporting", clause)
        return any(self._frames(m, start) for m in frames)

    def _frames(self, marker: _Marker, start: int) -> bool:
        """Whether a reporting marker governs the mention at ``start`` (same clause)."""
        if marker.end <= start:  # "I read that <mention>": no own words in between
            return not self._own_words(marker.end, start)
        # "<mention> is listed as a side effect": a bare topic, nobody's, not dated now;
        # someone else's only when told as a report ("a colleague said she went blind ...,
        # is that true"), never "he can't be woken, is it true b12 does this".
        first = next((w.start for w in self.words if w.clause == marker.clause), start)
        now = any(first <= m.start < marker.start for m in self.found["present"])
        if now or self._own_words(first, start):
            return False
        told = self.in_clause("reporting", marker.clause, before=start)
        return bool(told) or not self.in_clause("other_person", marker.clause, before=start)

    def _own_words(self, a: int, b: int) -> bool:
        """Whether ``[a, b)`` holds the writer's own words or a new statement."""
        own = any(a <= m.start < b for m in self.found["first_person"])
        return own or self.new_subject_between(a, b)

    def in_clause(self, name: str, clause: int, before: int | None = None) -> list[_Marker]:
        """Markers of list ``name`` in ``clause`` (ending at or before ``before``, if given)."""
        return [
            m
            for m in self.found[name]
            if m.clause == clause and (before is None or m.end <= before)
        ]

    def list_between(self, a: int, b: int) -> bool:
        """Whether the words in ``[a, b)`` end a coordinated list ("no X or Y").

        A negation governs every item of an "or"/"nor" list ("not had any breathlessness
        or chest pain"); "and" is left out ("no fever and my chest hurts" is two statements).
        """
        between = [w.key for w in self.words if a <= w.start < b]
        # the joiner may lead a short item ("or problem with breathing", session 12)
        return bool(between) and any(k in _LIST_JOINERS for k in between[-3:])

    def denied_list_item(self, a: int, b: int, end: int) -> bool:
        """Whether ``[b, end)`` is an item of a comma list of short items that starts at ``a``.

        "denies palpitations, dizziness or chest pain": the denial governs the last item too
        (session 11, triage20_dev), though the commas make separate segments; so it does an
        item just before the "or" ("no fever, chest pain or breathlessness", session 12). The
        "or" must join the mention's own item ("tingling or chest pain", "chest pain or ..."):
        one inside an earlier item ("no fever or cough, chest pain since 2am") makes no list,
        and an item that says now or today ("collapsed or passed out twice today") is no item
        of a denial (review 12, finding 1).
        """
        between = [w for w in self.words if a <= w.start < b]
        if not between or len({w.clause for w in between}) > 1 or self.said_now(b):
            return False
        segment = self.segment_of(b)
        own_start = next(w.start for w in self.words if w.segment == segment)
        after = next((w for w in self.words if w.start >= end), None)
        joined_after = after is not None and after.key in _LIST_JOINERS
        if not (self.list_between(own_start, b) or joined_after):
            return False
        sizes: dict[int, int] = {}
        for w in between:
            sizes[w.segment] = sizes.get(w.segment, 0) + 1
        return max(sizes.values()) <= LIST_ITEM_WORDS

    def new_subject_between(self, a: int, b: int, subjects: frozenset[str] = _NEW_SUBJECTS) -> bool:
        """Whether "and" plus a new subject (one of ``subjects``) lies in ``[a, b)``.

        "no fever and my chest hurts": the second statement is not negated.
        """
        between = [w.key for w in self.words if a <= w.start < b]
        return any(k == "and" and nxt in subjects for k, nxt in pairwise(between))

    def words_between(self, a: int, b: int) -> int:
        """Number of words starting in ``[a, b)``."""
        return bisect.bisect_left(self._starts, b) - bisect.bisect_left(self._starts, a)

    def time(self, start: int, end: int, parts: tuple[tuple[int, int], ...] = ()) -> Time:
        """Time of the mention ``[start, end)``.

        Recurrence ("it's back") markers count anywhere after the mention, resolution ("fine
        since") markers after it unless another dated event comes between them (see
        :meth:`_resolved_after`); present and past markers only near it in its own comma
        segment ("my sister collapsed last year, I'm fine now").
        """
        if any(m.start >= end for m in self.found["recurred"]):
            return Time.CURRENT
        if self._resolved_after(start, end):
            return Time.PAST
        return self._dated(start, end, parts)

    def passed(self, start: int, end: int, parts: tuple[tuple[int, int], ...] = ()) -> Time | None:
        """When a mention over by a resolution marker happened, unless long ago.

        "My face drooped this morning, fine now": today (``CURRENT``). "... yesterday, ok
        now": ``RECENT_PAST``. "I had a stroke years ago, fine since": None.
        """
        if any(m.start >= end for m in self.found["recurred"]):
            return None
        over = self._resolution_after(start, end)
        if over is None:
            return None
        # Only a time word near it and before the recovery says "today" (the "now" of "fine
        # now" does not); undated ("my speech was slurred after my stroke, fine now")
        # counts as lately, like "yesterday".
        dated = self._dated(
            start, end, parts, default=Time.RECENT_PAST, before=over.start, present="today"
        )
        return None if dated is Time.PAST else dated

    def _dated(
        self,
        start: int,
        end: int,
        parts: tuple[tuple[int, int], ...],
        default: Time = Time.CURRENT,
        before: int | None = None,
        present: str = "present",
    ) -> Time:
        """Time of the mention told by the time markers near it (those before ``before``).

        ``present`` names the list that says "now" ("today" for a recovery of today).
        """
        segments = {self.segment_of(start), self.segment_of(max(start, end - 1))}
        following = max(segments) + 1
        if any(self._segment_starts_with("refers_back", following)):
            segments.add(following)
        segments |= self._fronted_time_segments(min(segments))

        # Markers between the parts of a short mention count ("gums used to bleed");
        # markers inside its own words, or anywhere inside a long one, do not.
        short = self.words_between(start, end) <= COMPACT_MENTION
        own = parts if parts and short else ((start, end),)

        def near(name: str) -> bool:
            return any(
                not any(a <= m.start < b for a, b in own)
                and min(self._distance(m, a, b) for a, b in own) <= TIME_REACH
                and not self._compared(end, m)
                and (before is None or m.start < before)
                and not (name != present and self._other_event_before(m, start))
                for seg in segments
                for m in self._in_segment(name, seg)
            )

        if self.ceased_before(start, own):
            return Time.PAST
        if near(present):
            return Time.CURRENT
        if near("remote_past"):
            return Time.PAST
        if near("recent_past"):
            return Time.RECENT_PAST
        return default

    def _fronted_time_segments(self, segment: int) -> set[int]:
        """Comma segments that open the clause and only say when ("Last year, I fell a lot").

        Every segment from the clause's start up to ``segment`` must be a time phrase
        alone (a time marker plus at most a filler such as "before" or "back"), so "Two
        years ago, during my pregnancy, I fainted" is not dated this way.
        """
        clause = next((w.clause for w in self.words if w.segment == segment), None)
        before = sorted({w.segment for w in self.words if w.clause == clause} - {segment})
        fronted = [s for s in before if s < segment]
        timed = [s for s in fronted if self._time_alone(s)]
        fillers = [s for s in fronted if s not in timed and self._filler_alone(s)]
        if not timed or len(timed) + len(fillers) != len(fronted):
            return set()
        return set(fronted)

    def _filler_alone(self, segment: int) -> bool:
        """Whether a comma segment is a lone filler such as "Before," or "So,"."""
        keys = [w.key for w in self.words if w.segment == segment]
        return 0 < len(keys) <= 2 and all(k in _TIME_FILLERS for k in keys)

    def _time_alone(self, segment: int) -> bool:
        """Whether a comma segment is only a time phrase ("one year ago", "before")."""
        # Only the long past dates a clause from a fronted segment: "Last night, I took an
        # overdose" stays current (a recent emergency is never dropped this way).
        marks = self._in_segment("remote_past", segment)
        seg_words = [w for w in self.words if w.segment == segment]
        if not marks or not seg_words:
            return False
        inside = sum(any(m.start <= w.start < m.end for m in marks) for w in seg_words)
        return len(seg_words) - inside <= 1 or all(
            w.key in _TIME_FILLERS or any(m.start <= w.start < m.end for m in marks)
            for w in seg_words
        )

    def _other_event_before(self, marker: _Marker, start: int) -> bool:
        """Whether a past marker before the mention dates another event.

        "had surgery last year and my vision has faded" (session 12): "and" with a possessive
        lies between them.
        """
        return marker.end <= start and self.new_subject_between(marker.end, start, _OWNERS)

    def _compared(self, end: int, marker: _Marker) -> bool:
        """Whether a comparison word comes before a time marker in the marker's clause.

        "the same chest pain I had years ago", "kill myself like I did as a teenager": the
        past is the thing compared with, not the time of the mention (HAZ-058).
        """
        del end  # the comparison may also come before the mention ("the same pain I had")
        return any(
            c.start < marker.start and c.clause == marker.clause for c in self.found["comparison"]
        )

    def _resolved_after(self, start: int, end: int) -> bool:
        """Whether a resolution marker after the mention belongs to it."""
        return self._resolution_after(start, end) is not None

    def _resolution_after(self, start: int, end: int) -> _Marker | None:
        """The first resolution marker after the mention that belongs to it, if any.

        "fainted last week, fine since": yes. "he is unconscious, he had a stroke years ago
        but got over it": no, the resolution belongs to the stroke, a dated event in another
        comma segment between the mention and the marker (HAZ-058).
        """
        own = self.segment_of(start)
        dated = [
            m
            for name in ("remote_past", "recent_past")
            for m in self.found[name]
            if m.start >= end and m.segment != own
        ]
        return next(
            (
                m
                for m in self.found["resolved"]
                if m.start >= end
                and not any(d.start < m.start for d in dated)
                and not self._other_symptom_between(start, end, m.start)
            ),
            None,
        )

    def _other_symptom_between(self, start: int, end: int, marker: int) -> bool:
        """Whether another symptom is named between a mention and a resolution marker.

        "I have crushing chest pain. The headache has settled": the resolution is the
        headache's (HAZ-100). A symptom word the mention itself uses ("chest pain last
        week, the pain went away") is the same symptom.
        """
        own = {w.key for w in self.words if start <= w.start < end}
        return any(
            end <= m.start < marker
            and not {w.key for w in self.words if m.start <= w.start < m.end} <= own
            for name in ("symptom_words", "other_complaints")
            for m in self.found[name]
        )

    def ceased_before(self, start: int, own: tuple[tuple[int, int], ...] = ()) -> bool:
        """Whether "stopped", "gave up" or the like ends the mention ("stopped breastfeeding").

        Only right before the mention, in its clause, and not inside its own words ("baby
        stopped feeding" and "stopped breathing" are the red flag itself).
        """
        clause = self.clause_of(start)
        return any(
            m.clause == clause
            and m.end <= start
            and not any(a <= m.start < b for a, b in own)
            and self.words_between(m.end, start) <= CEASED_REACH
            for m in self.found["ceased"]
        )

    def figurative(self, spans: tuple[tuple[int, int], ...]) -> bool:
        """Whether a figure of speech ("took my breath away") overlaps one of ``spans``."""
        return any(m.start < b and a < m.end for m in self.found["figurative"] for a, b in spans)

    def opens_conditional(self, start: int) -> bool:
        """Whether the mention's comma segment opens with a supposition ("say", "suppose").

        "say my numbness started spreading, when should I ring": a question about a
        situation, not a report of it. Only at the opening of a clause or comma segment, so
        "the nurses say he won't wake" stays a report.
        """
        segment = self.segment_of(start)
        openings = self._segment_starts_with("conditional_opening", segment)
        return any(m.start <= start for m in openings)

    def time_within(self, start: int, end: int) -> Time:
        """Time told by the markers inside ``[start, end)`` only (a whole clause).

        For a mention that is a whole clause (a nearest-exemplar match), whose own markers
        :meth:`time` leaves out: "my aunt lost control years back" is long past.
        """

        def inside(name: str) -> bool:
            return any(start <= m.start and m.end <= end for m in self.found[name])

        if inside("present"):
            return Time.CURRENT
        if inside("remote_past"):
            return Time.PAST
        if inside("recent_past"):
            return Time.RECENT_PAST
        return Time.CURRENT

    def _distance(self, marker: _Marker, start: int, end: int) -> int:
        if marker.end <= start:
            return self.words_between(marker.end, start)
        return self.words_between(end, marker.start)

    def changing(self, start: int) -> bool:
        """Whether the message calls the symptom new, worsening or spreading.

        A stability marker in the mention's clause ("same as for months", "goes away")
        wins over a change marker elsewhere; without either, the symptom is not new.
        """
        if self.in_clause("stable", self.clause_of(start)):
            return False
        return bool(self.found["change"])

    def cannot_do_without(self, start: int, end: int) -> bool:
        """Whether the words at ``[start, end)`` are "without" after "can't ...".

        "can't walk to the shop without puffing" says the symptom happens (HAZ-173).
        """
        i = bisect.bisect_left(self._starts, start)
        if i >= len(self.words) or self.words[i].key != "without" or self.words[i].end > end:
            return False
        # "struggling with tiredness without any chest pain" is a denial (review 10, M2)
        after = self.words[i + 1] if i + 1 < len(self.words) else None
        if after is None or after.key in _DENYING_DETERMINERS:
            return False
        segment = self.words[i].segment
        before = self.words[max(0, i - 8) : i]
        # "a whole month without fainting", "a day without falling": time gone by without it
        if any(w.key in _SPANS_OF_TIME for w in before[-2:]):
            return False
        return any(
            w.segment == segment
            and w.key in _INABILITY
            and (k + 1 >= len(before) or before[k + 1].key not in _NOT_ABILITY)
            for k, w in enumerate(before)
        )

    def long_standing(self, start: int, end: int) -> bool:
        """Whether the mention's own comma segment calls it long-standing, and nothing new.

        "memory's been rubbish for years, same as ever": a complaint of years that nothing in
        the message calls new, worse or of today is not a new red flag (HAZ-171). Only a
        long-standing phrase in the mention's segment counts ("diabetic for years, now
        confused" is not settled: review 10, H1), and a "now" or "still" in that segment is
        news. A change word inside the long-standing phrase ("never gets any worse") is none.
        """
        segment = self.segment_of(start)
        clause = self.clause_of(start)
        # Said of the complaint itself: inside the mention or just after it, in its segment
        # ("memory's been rubbish for years"); a phrase before it qualifies something else
        # ("dad's had diabetes for years and falls a lot": review 10b, H3).
        settled = [
            m
            for m in self.found["long_standing"]
            if (start <= m.start and m.end <= end)
            or (m.segment == segment and m.start >= end and self.words_between(end, m.start) <= 4)
        ]
        if not settled or any(m.clause != clause for m in settled):
            return False

        def outside(m: _Marker) -> bool:
            return not any(
                s.start <= m.start and m.end <= s.end for s in self.found["long_standing"]
            )

        news = [m for name in ("change", "today", "recent_past") for m in self.found[name]]
        news += self._in_segment("present", segment)
        return not any(outside(m) for m in news)

    def within_a_day(self, start: int) -> bool:
        """Whether the mention's clause dates it to last night or yesterday (HAZ-086).

        Someone else's red flag of the last day ("my baby was floppy last night") may still
        be going on; one of last week, or one that "ended up in A&E", is over. One of today
        ("he keeled over about an hour ago, came round", session 12) is within a day too.
        """
        clause = self.clause_of(start)
        return bool(self.in_clause("today", clause)) or any(
            self.text[m.start : m.end].lower() in _WITHIN_A_DAY
            for m in self.in_clause("recent_past", clause)
        )

    def said_now(self, start: int) -> bool:
        """Whether the mention's comma segment holds a word of now or of today."""
        segment = self.segment_of(start)
        return bool(self._in_segment("present", segment) or self._in_segment("today", segment))

    def other_person(self, start: int) -> bool:
        """Whether the clause of the mention is about someone other than the writer."""
        clause = self.clause_of(start)
        return bool(self.in_clause("other_person", clause))

    def conditional(self, start: int) -> bool:
        """Whether a conditional or a generic question governs the mention."""
        clause = self.clause_of(start)
        # "not sure if she is breathing": doubt about now, not a supposition
        if any(
            not self.inside("uncertain", m.start, m.end)
            for m in self.in_clause("conditional", clause, before=start)
        ):
            return True
        generic = self.in_clause("generic_question", clause)
        # "chest pain right now, is it true b12 causes it": dated now, it is not generic
        segment = self.segment_of(start)
        now = any(m.segment == segment for m in self.in_clause("present", clause))
        if not generic or now or self.in_clause("first_person", clause):
            return False
        # "does b12 make you lose control of your bowels? It happened this afternoon": a
        # question the writer then says is about them now is not generic (HAZ-188)
        return not self._affirmed_after(start)

    def _affirmed_after(self, start: int) -> bool:
        """Whether, after a general question, the writer says it is theirs, now.

        "It happened this afternoon", "I've got it right now", "that's been me all week": an
        affirming phrase with a word of now or of lately after the question, and no other
        person in its segment ("it happened to my friend"; "ive got it, diagnosed 2019" names
        the illness, not the symptom: review 10b, M1).
        """
        later = [m for m in self.found["affirms_own"] if m.start >= start]
        if not later:
            return False
        dated = [
            m
            for name in ("present", "today", "recent_past", "change")
            for m in self.found[name]
            if m.start >= start
        ]
        return bool(dated) and any(not self._in_segment("other_person", m.segment) for m in later)


def _denies_a_list(
    ctx: TextContext, markers: MessageMarkers, trig: PhraseHit, mention: int
) -> bool:
    """A denial that governs a whole comma list ("denies X, Y or Z").

    A checklist's denial does; so does a plain "no" whose first item and the mention are
    themselves symptoms ("no numbness, tingling or chest pain", session 12), but not "no let
    up, breathless or chest tightness", whose first item is no finding (review 11b, finding
    3), nor "no fever, cant breathe or talk", whose item is a statement (review 12, finding 1).
    """
    said = markers.text[trig.start : trig.end].lower()
    if said.startswith(_CHECKLIST_DENIALS):
        return True
    if said not in _LIST_DENIALS:
        return False
    first = next((w for w in markers.words if w.start >= trig.end), None)
    spans = [(c.start, c.end) for c in ctx.concepts if c.group == "symptom"]
    spans += markers.symptom_words()
    return first is not None and all(
        any(a <= at < b for a, b in spans) for at in (first.start, mention)
    )


def _negated_close_by(
    ctx: TextContext,
    markers: MessageMarkers,
    start: int,
    end: int,
    own: tuple[tuple[int, int], ...],
) -> bool:
    """A negation trigger right before or after ``[start, end)`` in the same comma segment.

    Triggers inside the mention's own words (``own``: "not breathing", "can't wake") are not
    negations of it.
    """
    segment = markers.segment_of(start)
    reach = markers.rules.negation_reach

    def outside(trig_start: int, trig_end: int) -> bool:
        # A negation word inside the mention's own words, or inside a hedge or a doubt
        # ("probably nothing but", "don't know if"), negates nothing.
        if markers.inside("hedge", trig_start, trig_end):
            return False
        if markers.inside("uncertain", trig_start, trig_end):
            return False
        if markers.cannot_do_without(trig_start, trig_end):
            return False
        return not any(trig_start < b and a < trig_end for a, b in own)

    for trig in ctx.neg_pre:
        if not outside(trig.start, trig.end):
            continue
        same = markers.segment_of(trig.start) == segment
        across = _denies_a_list(ctx, markers, trig, start) and markers.denied_list_item(
            trig.end, start, end
        )
        if trig.end <= start and (same or across):
            if markers.new_subject_between(trig.end, start):
                continue
            gap = markers.words_between(trig.end, start)
            in_list = gap <= reach + LIST_REACH and markers.list_between(trig.end, start)
            if gap <= reach or in_list:
                return True
    for trig in ctx.neg_post:
        if not outside(trig.start, trig.end):
            continue
        if trig.start >= end and markers.segment_of(trig.start) == markers.segment_of(end - 1):
            if markers.words_between(end, trig.start) <= reach:
                return True
    return False


def assert_mention(
    ctx: TextContext,
    markers: MessageMarkers,
    start: int,
    end: int,
    parts: tuple[tuple[int, int], ...] = (),
) -> Assertion:
    """Qualify one red-flag mention.

    The general context engine must agree on a negation or a hypothetical, and the
    triage rules must find it in the same clause, close by: either alone is not enough to
    drop a red flag. A mention made of several parts ("ulcers ... no temperature") is
    negated when any part is.

    Args:
        ctx: Context of the normalised message (from ``analyse_text``).
        markers: Person/time markers of the same message.
        start: Start offset of the mention.
        end: End offset of the mention.
        parts: Spans of the mention's words or word groups, if known.

    Returns:
        The mention's assertion.
    """
    units = parts or ((start, end),)
    # The cheap same-segment check first; the general engine only confirms.
    negated = any(
        _negated_close_by(ctx, markers, a, b, units) and ctx.classify(a, b).negated
        for a, b in units
    )
    conditional = markers.conditional(start)
    general = ctx.classify(start, end) if conditional or ctx.exp_pre or ctx.exp_post else None
    hypothetical = (
        markers.hearsay(start)
        or markers.opens_conditional(start)
        or (
            conditional
            and general is not None
            and (
                general.hypothetical
                or not markers.in_clause("first_person", markers.clause_of(start))
            )
        )
    )
    time = markers.time(start, end, parts)
    other_experiencer = general is not None and general.other_experiencer
    other = markers.other_person(start) or other_experiencer
    if other_experiencer and time is not Time.CURRENT:
        time = Time.PAST
    recent = time is Time.RECENT_PAST
    if other and recent:
        time = Time.PAST
    return Assertion(
        negated=negated,
        hypothetical=hypothetical,
        time=time,
        other_person=other,
        recent=recent,
        figurative=markers.figurative(units),
        passed=markers.passed(start, end, parts) if time is Time.PAST else None,
    )
