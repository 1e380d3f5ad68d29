"""Whose facts a message gives, and which facts must wait instead of changing the plan.

Two ways another person's facts used to reach the writer's plan (review 9, finding 4):

- a message names another person ("my mum is 80 and her b12 is 90") in a conversation about
  the writer ("my b12 is 110, i'm vegan"), or the reverse: it is asked "is this about you or
  about your mum?" and nothing of it is merged (HAZ-120);
- a follow-up question after a plan carries facts ("my neighbour got pins and needles, is that
  normal?"): the question is answered and the facts are named back, never silently added to
  the plan (HAZ-121).

Who a message is about is read from its words: a relative or friend named as in the
extractor's own list (``negation.yml``: ``experiencer_writer.relative_pre``, "my mum", "my
neighbour"), words for the same person counted as one (``people.yml``: "mum", "mom",
"mother") only when nothing qualifies them ("my mother in law", "my step mum", "my gran (dads
side)" and "my other nan" are each a person of their own, asked about: review 10 H5,
HAZ-186), else the writer's first person ("i", "my b12"). A message with neither ("45F,
B12 120", "she is also vegan") says nothing about who, and never triggers the question. A
clinician's first person ("my patient") is the patient, not someone else.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from typing import Any

import yaml
from rasa_sdk import Tracker
from rasa_sdk.events import EventType, SlotSet

from actions.engine import ASK_WHO_TYPE, FACTS_HELD_TYPE, before_this_message, message_text
from actions.session import findings_in_message, problems_in_message
from guideline_engine.extraction.text import normalise
from guideline_engine.extraction.vocab import load_context_rules, read_vocab_text
from guideline_engine.facts import FACT_NAMES, FactChange, fact_changes

WRITER = "you"
"""The subject of a message written about the writer themself."""
HELD_FACTS: tuple[str, ...] = tuple(n for n in FACT_NAMES if n != "formulary")
"""Facts about the patient (the formulary is the clinic's, not the patient's)."""
HELD_SLOTS: tuple[str, ...] = (*HELD_FACTS, "findings", "value_problems")
"""Slots a held message must leave as they were."""
_FIRST_PERSON = re.compile(r"\b(?:i|i'm|im|i've|ive|i'd|me|my|mine|myself)\b")
_THIRD_PERSON = re.compile(r"\b(?:she|he|her|his|him|hers|they|them|their|she's|he's)\b")
_STATES_PREFERENCE = re.compile(
    r"\b(?:prefer|prefers|preferred|preference|rather|want|wants|wanted|would like|'d like)\b"
)


PEOPLE_FILE = "people.yml"
"""Words naming the same person ("mum", "mom", "mother"), in the vocabulary package."""
PATIENT = "the patient"
"""Whom a clinician's facts so far are about when no message named anyone (HAZ-154)."""


_REQUIRED_KEYS = frozenset({"version", "same_person"})
_QUALIFIER_KEYS = (
    "plain_before",
    "qualifiers_before",
    "joined_before",
    "qualifiers_after",
    "qualifiers_near",
)


def _check_people_keys(data: object, source: str) -> dict[str, Any]:
    """The mapping of ``people.yml`` once its keys and version are checked."""
    allowed = _REQUIRED_KEYS | set(_QUALIFIER_KEYS)
    if not isinstance(data, dict) or not _REQUIRED_KEYS <= set(data) or set(data) - allowed:
        raise ValueError(
            f"{source}: expected the keys version and same_person, and optionally "
            f"{', '.join(_QUALIFIER_KEYS)}"
        )
    if data["version"] != 1:
        raise ValueError(f"{source}: version must be 1, got {data['version']!r}")
    return data


def parse_people(data: object, source: str = PEOPLE_FILE) -> dict[str, str]:
    """Validate ``people.yml``: every word of a group, mapped to the group's person word.

    Raises:
        ValueError: Unknown or missing keys, a word that is not one lower-case word, or a
            word in two groups.
    """
    groups = _check_people_keys(data, source)["same_person"]
    if not isinstance(groups, dict) or not groups:
        raise ValueError(f"{source}: same_person must be a non-empty mapping")
    out: dict[str, str] = {}
    for person, words in groups.items():
        if not isinstance(words, list) or not words:
            raise ValueError(f"{source}: same_person.{person}: expected a non-empty list")
        for word in (person, *words):
            if not isinstance(word, str) or not re.fullmatch(r"[a-z]+", word):
                raise ValueError(f"{source}: same_person.{person}: bad word {word!r}")
            if word in out:
                raise ValueError(f"{source}: same_person.{person}: {word!r} is in two groups")
            out[word] = str(person)
    return out


@dataclass(frozen=True)
class Qualifiers:
    """What makes a relative word name someone other than its group's person (HAZ-186).

    Attributes:
        plain_before: Words between "my" and a relative word that leave the person as it is.
        before: Words before a relative word, with or without "my", that make another person.
        joined: Qualifiers also written as one word with the relative word ("stepmum").
        after: Word sequences right after a relative word that make another person.
        near: Words up to four words after a relative word that make another person.
    """

    plain_before: frozenset[str]
    before: frozenset[str]
    joined: tuple[str, ...]
    after: tuple[tuple[str, ...], ...]
    near: frozenset[str]


def _word_list(data: dict[str, Any], key: str, source: str, phrases: bool = False) -> list[str]:
    """The optional list ``key`` of ``people.yml``: lower-case words (or phrases)."""
    words = data.get(key, [])
    pattern = r"[a-z]+(?: [a-z]+)*" if phrases else r"[a-z]+"
    if not isinstance(words, list):
        raise ValueError(f"{source}: {key}: expected a list")
    for word in words:
        if not isinstance(word, str) or not re.fullmatch(pattern, word):
            raise ValueError(f"{source}: {key}: bad word {word!r}")
    return [str(w) for w in words]


def parse_qualifiers(data: object, source: str = PEOPLE_FILE) -> Qualifiers:
    """Validate the qualifier lists of ``people.yml`` (each optional; absent means none).

    Raises:
        ValueError: Unknown or missing keys, a word that is not lower case, or a word both
            plain and a qualifier.
    """
    checked = _check_people_keys(data, source)
    plain = frozenset(_word_list(checked, "plain_before", source))
    joined = tuple(_word_list(checked, "joined_before", source))
    before = frozenset(_word_list(checked, "qualifiers_before", source)) | set(joined)
    near = frozenset(_word_list(checked, "qualifiers_near", source))
    both = sorted(plain & (before | near))
    if both:
        raise ValueError(f"{source}: plain_before: {both} are also qualifiers")
    after = tuple(
        tuple(p.split()) for p in _word_list(checked, "qualifiers_after", source, phrases=True)
    )
    return Qualifiers(plain, before, joined, after, near)


@cache
def _people_data() -> object:
    return yaml.safe_load(read_vocab_text(PEOPLE_FILE))


@cache
def same_person() -> dict[str, str]:
    """Word -> person word for every word of ``people.yml`` (read once)."""
    return parse_people(_people_data())


@cache
def qualifiers() -> Qualifiers:
    """The qualifier lists of ``people.yml`` (read once)."""
    return parse_qualifiers(_people_data())


@cache
def _person_words() -> dict[str, str]:
    """Word -> person for each relative of the extractor's writer rules and of people.yml."""
    words = [p.removeprefix("my ").strip() for p in load_context_rules().writer.relative_pre]
    people = same_person()
    return {w: people.get(w, w) for w in dict.fromkeys([*words, *people])}


_TOKEN = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|[().,;:!?]")
_BREAK = frozenset(".,;:!?")
_SENTENCE_END = frozenset(".;!?")
_NOT_BEFORE_RELATIVE = frozenset(
    {"and", "or", "but", "is", "was", "are", "were", "has", "had", "have", "with", "of", "to"}
    | {"for", "in", "at", "on", "the", "a", "an", "not", "no", "also", "my", "your", "our"}
)
"""Words that end the search for a relative word after "my" ("my b12 and mum's")."""
_NOT_NEAR = frozenset({"is", "was", "are", "were", "has", "had", "have", "and", "but", "with"})
"""Words that end the search for a near qualifier ("my mum is on the other side of town")."""


@dataclass(frozen=True)
class Mention:
    """A relative named in a message, as one person.

    Attributes:
        start: Offset of the mention ("my" included) in the normalised text.
        end: Offset just after it.
        person: The group's person word for a plain mention ("my mother" -> "mum"); with a
            qualifier, the qualifier and the person word ("step mum", "mum in law", "grandma
            (dads side)"), a person of their own.
    """

    start: int
    end: int
    person: str


@dataclass(frozen=True)
class _Word:
    text: str
    start: int
    end: int


_Relative = tuple[tuple[str, ...], str, tuple[str, ...]]
"""(qualifiers before, person word, qualifiers after) of a relative word."""


def _relative(word: str) -> _Relative | None:
    """The relative one word names, or None.

    "mother's" -> ((), "mum", ()); "stepmums" -> (("step",), "mum", ()); "motherinlaw" ->
    ((), "mum", ("in law",)).
    """
    quals = qualifiers()
    after: tuple[str, ...] = ()
    for phrase in quals.after:
        joined = "".join(phrase)
        if word.endswith(joined) and len(word) > len(joined):
            word, after = word[: -len(joined)], (" ".join(phrase),)
            break
    words = _person_words()
    base = word.removesuffix("'s")
    for cand in dict.fromkeys((base, base.removesuffix("s"))):
        if cand in words:
            return (), words[cand], after
        for prefix in quals.joined:
            rest = cand.removeprefix(prefix)
            if rest != cand and rest in words:
                return (prefix,), words[rest], after
    return None


def _word_at(words: list[_Word], i: int) -> str | None:
    """The word at ``i``, or None past the end or at punctuation."""
    if not 0 <= i < len(words) or words[i].text in _BREAK or words[i].text in "()":
        return None
    return words[i].text


def _relative_at(words: list[_Word], i: int) -> tuple[int, _Relative] | None:
    """(index after it, the relative) at ``i``; "grand mother" is one word when it is one."""
    here, following = _word_at(words, i), _word_at(words, i + 1)
    if here is None:
        return None
    found = _relative(here)
    if found is None and following is not None:
        merged = _relative(here + following)
        return None if merged is None else (i + 2, merged)
    return None if found is None else (i + 1, found)


def _head(words: list[_Word], i: int, before: list[str]) -> tuple[int, str] | None:
    """From a relative word at ``i``: (index after the mention, the person it names).

    A possessive relative before another ("my dads mum", "my mum's mum") qualifies it; so do
    the qualifiers after it (:func:`_after`).
    """
    found = _relative_at(words, i)
    if found is None:
        return None
    end, (pre, person, post) = found
    word = words[end - 1].text
    if word.endswith("s") and _relative_at(words, end) is not None:
        return _head(words, end, [*before, " ".join([*pre, f"{person}'s", *post])])
    end, more = _after(words, end)
    return end, " ".join([*before, *pre, person, *post, *more])


def _after(words: list[_Word], i: int) -> tuple[int, list[str]]:
    """Qualifiers after a relative word: "in law", a parenthesis, "(on my) dads side"."""
    quals = qualifiers()
    texts = [w.text for w in words]
    out: list[str] = []
    for phrase in quals.after:
        if tuple(texts[i : i + len(phrase)]) == phrase:
            out.append(" ".join(phrase))
            i += len(phrase)
            break
    if i < len(texts) and texts[i] == "(":
        close = next((j for j in range(i + 1, min(i + 9, len(texts))) if texts[j] == ")"), None)
        inside = texts[i + 1 : close if close is not None else min(i + 9, len(texts))]
        if any(not (t.isdigit() or t in quals.plain_before) for t in inside):
            out.append(f"({' '.join(inside)})")
        i = close + 1 if close is not None else i + 1 + len(inside)
    window: list[str] = []
    for j in range(i, min(i + 5, len(texts))):
        if texts[j] in _SENTENCE_END or texts[j] in "()" or texts[j] in _NOT_NEAR:
            break
        window.append(texts[j])
        if texts[j] in quals.near:
            out.append(" ".join(t for t in window if t not in _BREAK and t != "my"))
            return j + 1, out
    return i, out


def _after_my(words: list[_Word], i: int) -> tuple[int, str] | None:
    """The relative named after "my" at ``i``: every word between qualifies it but plain ones."""
    plain = qualifiers().plain_before
    before: list[str] = []
    for j in range(i + 1, min(i + 5, len(words))):
        found = _head(words, j, before)
        if found is not None:
            return found
        text = _word_at(words, j)
        if text is None or text in _NOT_BEFORE_RELATIVE or _pronoun(text):
            return None
        if not (text.isdigit() or text in plain):
            before.append(text)
    return None


def _pronoun(word: str) -> bool:
    return bool(_FIRST_PERSON.fullmatch(word) or _THIRD_PERSON.fullmatch(word))


def mentions(text: str, bare: bool = False) -> tuple[Mention, ...]:
    """Every relative a message names as "my <relative>", in order (HAZ-186).

    With ``bare``, relatives named without "my" count too ("mother", "other gran"), with the
    ``qualifiers_before`` words just before them.
    """
    low = normalise(text)
    words = [_Word(m.group(), m.start(), m.end()) for m in _TOKEN.finditer(low)]
    out: list[Mention] = []
    i = 0
    while i < len(words):
        first = i if words[i].text == "my" or not bare else _bare_start(words, i, out)
        if words[i].text == "my":
            found = _after_my(words, i)
        else:
            found = _head(words, i, [w.text for w in words[first:i]]) if bare else None
        if found is None:
            i += 1
            continue
        end, person = found
        out.append(Mention(words[first].start, words[end - 1].end, person))
        i = end
    return tuple(out)


def _bare_start(words: list[_Word], i: int, before: list[Mention]) -> int:
    """Where a relative named without "my" at ``i`` starts: its qualifiers ("other gran")."""
    first, quals = i, qualifiers().before
    earlier = before[-1].end if before else 0
    while first > 0 and words[first - 1].text in quals and words[first - 1].start >= earlier:
        first -= 1
    return first


def subject_of(text: str) -> str | None:
    """Who a message is about: a person ("mum", "mum in law"), :data:`WRITER`, or None.

    The first relative named wins; words for the same person count as one only when nothing
    qualifies them (:func:`mentions`). The writer's first person counts only when no relative
    is named and no third person is referred to ("I think she has numb feet" is not the
    writer).
    """
    named = mentions(text)
    if named:
        return named[0].person
    low = normalise(text)
    if _THIRD_PERSON.search(low):
        return None
    return WRITER if _FIRST_PERSON.search(low) else None


def stated_facts(tracker: Tracker) -> dict[str, Any]:
    """The patient facts the latest message states, by slot name (as a reset reads them).

    A route named in a question is not a stated preference (:func:`asked_as_question`).
    """
    out: dict[str, Any] = {}
    causes = [str(v) for v in tracker.get_latest_entity_values("cause")]
    if causes:
        out["causes"] = list(dict.fromkeys(causes))
    for name in HELD_FACTS:
        if name == "causes":
            continue
        values = list(tracker.get_latest_entity_values(name))
        if values:
            out[name] = values[-1]
    if "route_preference" in out and asked_as_question(message_text(tracker)):
        del out["route_preference"]  # "can I take tablets instead?" asks; it does not prefer
    return out


def new_facts(tracker: Tracker, before: dict[str, Any]) -> tuple[FactChange, ...]:
    """Facts of the latest message that differ from ``before`` (causes: only new ones count)."""
    return changes_by(before, stated_facts(tracker))


def changes_by(before: dict[str, Any], stated: dict[str, Any]) -> tuple[FactChange, ...]:
    """Facts of ``stated`` (slot names) that differ from ``before`` (causes: new ones count)."""
    stated = {n: v for n, v in stated.items() if n in HELD_FACTS}
    if "causes" in stated:
        known = [str(c) for c in before.get("causes") or []]
        added = [c for c in stated["causes"] if c not in known]
        stated["causes"] = known + added if added else before.get("causes")
    return fact_changes(before, {**before, **stated})


def _fact_bearing(tracker: Tracker) -> list[tuple[str, bool]]:
    """Earlier user messages of this patient, oldest first, with whether they set a fact.

    A message whose facts were held (the who-question or held follow-up facts) sets none.
    The walk stops at a reset or a new session.
    """
    out: list[tuple[str, bool]] = []
    text, held = None, False
    # The last value of each fact slot in the turn: Rasa's raw from_entity value may be set
    # back by the turn's start in the same turn (actions/turn.py; review 11, finding 7).
    values: dict[str, Any] = {}
    events = list(tracker.events)
    last = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=0)
    for event in events[:last]:
        kind = event.get("event")
        custom = _custom_type(event)
        if kind in ("restart", "session_started"):
            out, text, values, held = [], None, {}, False
        elif custom.endswith(".new_patient"):
            out = []  # the message that reset belongs to the new patient
        if kind == "user":
            if text is not None:
                out.append((text, _any_set(values) and not held))
            text, values, held = str(event.get("text") or ""), {}, False
        elif kind == "slot" and event.get("name") in HELD_FACTS:
            values[str(event["name"])] = event.get("value")
        elif custom in (ASK_WHO_TYPE, FACTS_HELD_TYPE):
            held = True
    if text is not None:
        out.append((text, _any_set(values) and not held))
    return out


def _any_set(values: dict[str, Any]) -> bool:
    return any(v is not None for v in values.values())


def _custom_type(event: dict[str, Any]) -> str:
    custom = (event.get("data") or {}).get("custom") if event.get("event") == "bot" else None
    return str(custom.get("type", "")) if isinstance(custom, dict) else ""


def conversation_subject(tracker: Tracker, audience: str | None) -> str | None:
    """Who the patient's facts so far are about: the latest fact message that says who.

    A patient-audience conversation whose fact messages never say who is about the person a
    reply to the who-question started it for, else the writer (a carer names the person they
    write about); a clinician's is about :data:`PATIENT` (a clinician's own "my patient" or
    "I checked" is the patient too, so only a relative they name is someone else).
    """
    bearing = [text for text, sets in _fact_bearing(tracker) if sets]
    if not bearing:
        return None
    for text in reversed(bearing):
        subject = _subject_for(subject_of(text), audience)
        if subject is not None:
            return subject
    declared = declared_subject(tracker)  # "her" started a new patient: mum's facts
    if declared is not None:
        return declared
    return WRITER if audience != "clinician" else PATIENT


def _subject_for(subject: str | None, audience: str | None) -> str | None:
    """A clinician writing in the first person writes about the patient: no subject said."""
    return None if audience == "clinician" and subject == WRITER else subject


def other_person(tracker: Tracker, audience: str | None) -> str | None:
    """The person word to ask about when the latest message switches whose facts these are.

    The message must state patient facts, say who it is about, and differ from whom the
    conversation's facts were about. The person named is returned ("mum" in "you or your
    mum?"), whichever side of the switch they are on.
    """
    if not stated_facts(tracker):
        return None
    subject = _subject_for(subject_of(message_text(tracker)), audience)
    known = conversation_subject(tracker, audience)
    if subject is None or known is None or subject == known:
        return None
    return subject if subject != WRITER else known


def holds_followup_facts(tracker: Tracker) -> tuple[FactChange, ...]:
    """New facts of a follow-up question sent after a plan, which must not change it."""
    intent = (tracker.latest_message.get("intent") or {}).get("name")
    if intent != "ask_followup":
        return ()
    before, shown = before_this_message(tracker)
    return new_facts(tracker, before) if shown else ()


def restore_events(
    tracker: Tracker, domain: dict[str, Any], names: tuple[str, ...]
) -> list[EventType]:
    """Set each slot of ``names`` back to its value before the latest message."""
    known = domain.get("slots", {})
    return [SlotSet(n, earlier_slot(tracker, n)) for n in names if n in known]


def earlier_slot(tracker: Tracker, name: str) -> Any:
    """The last value of slot ``name`` set before the latest user message."""
    user_turns = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            user_turns += 1
        elif user_turns and event.get("event") == "slot" and event.get("name") == name:
            return event.get("value")
    return None


def asked_as_question(text: str) -> bool:
    """A route named in a question ("can I just take tablets instead?"), not a preference."""
    low = normalise(text)
    question = bool(
        re.search(r"\?\s*$", low)
        or re.match(r"\s*(?:can|could|should|would|will|do|does|is|are|what|why|how)\b", low)
    )
    return question and not _STATES_PREFERENCE.search(low)


NEW_PATIENT_WORDS = re.compile(
    r"\b(?:new patient|new pt|someone else|someone new|another (?:person|patient)|"
    r"a different (?:person|patient))\b"
)
_SAME_PATIENT = re.compile(
    r"\b(?:same patient|patient so far|same person|the (?:same |first )?patient)\b"
)
_DENIED = re.compile(
    r"\bnot\s+(?:about\s+|for\s+)?(?P<who>me|myself|mine|her|him|them|hers|his|my\s+\w+|\w+)\b"
)
_DENIAL_BEFORE = re.compile(r"\bnot\s+(?:about\s+|for\s+)?$")
"""A relative named right after "not" is denied ("not my mum", "not mum")."""
KEPT, STARTED = "kept", "started"
"""What a reply to the who-question did: kept the facts so far, or started the held ones."""
SOMEONE_ELSE = "someone else"
"""A side of a who-reply that is neither the writer nor the person asked about."""


def asked_who(tracker: Tracker) -> dict[str, Any] | None:
    """The who-question payload the bot sent in reply to the previous message, if any."""
    users = 0
    for event in reversed(tracker.events):
        if event.get("event") == "user":
            users += 1
            if users == 2:
                return None
        elif users == 1 and _custom_type(event) == ASK_WHO_TYPE:
            custom = (event.get("data") or {}).get("custom")
            return dict(custom) if isinstance(custom, dict) else None
    return None


def who_reply(tracker: Tracker, asked: dict[str, Any], resets: bool) -> str | None:
    """:data:`KEPT` or :data:`STARTED` for a short reply to the who-question, else None.

    The question asks whom the held message is about. A reply naming that person ("my mum",
    "mother", "her" when the held message was about mum; "me" when it was the writer's), or
    "new patient", starts a new patient with the held facts; a reply naming whom the facts so
    far are about ("me" after "my mum is 80 ..."), or "same patient", keeps them and adds
    nothing. A reply that only denies one side ("not me", "not her") names the other. A reply
    that states facts, names someone else, names both or names no one is no answer.
    """
    low = normalise(message_text(tracker))
    if stated_facts(tracker) or len(low.split()) > 8:
        return None
    if resets or NEW_PATIENT_WORDS.search(low):
        return STARTED
    if _SAME_PATIENT.search(low):
        return KEPT
    person = same_person().get(str(asked.get("person") or ""), str(asked.get("person") or ""))
    said, denied = _sides_named(low, person)
    side = _one_side(said, denied, person)
    if side is None:
        return None
    return STARTED if side == asked.get("held_about") else KEPT


def _side(word: str, person: str) -> str | None:
    """The side a denied pronoun names: the writer, the person asked about, or None."""
    if word.startswith("my "):
        return None  # "not my problem": relatives were taken out before (:func:`mentions`)
    if _FIRST_PERSON.fullmatch(word):
        return WRITER
    return person if _THIRD_PERSON.fullmatch(word) else None


def _sides_named(low: str, person: str) -> tuple[set[str], set[str]]:
    """(sides a reply names, sides it denies): "not my mum", "not her", "not me" deny.

    A relative counts as the person asked about only as the same person (:func:`mentions`:
    "my mother" for mum, never "my mother in law" or "my step mum"); else someone else.
    """
    said: set[str] = set()
    denied: set[str] = set()
    rest = low
    for mention in mentions(low, bare=True):
        side = person if mention.person == person else SOMEONE_ELSE
        (denied if _DENIAL_BEFORE.search(low[: mention.start]) else said).add(side)
        rest = rest[: mention.start] + "," * (mention.end - mention.start) + rest[mention.end :]
    denied |= {d for m in _DENIED.finditer(rest) if (d := _side(m.group("who"), person))}
    rest = _DENIED.sub(" ", rest)
    if _THIRD_PERSON.search(rest):
        said.add(person)
    if _FIRST_PERSON.search(rest):
        said.add(WRITER)
    return said, denied


def _one_side(said: set[str], denied: set[str], person: str) -> str | None:
    """The one side a reply names, or the other side of the one it denies; else None."""
    if len(said) == 1:
        (side,) = said
        return side if side in (WRITER, person) and side not in denied else None
    if not said and len(denied) == 1 and denied <= {WRITER, person}:
        return person if denied == {WRITER} else WRITER
    return None


def held_message(tracker: Tracker) -> dict[str, Any]:
    """The patient facts of the latest message, with its findings and refused values.

    Kept in the who-question's payload, so that a reply starting a new patient uses them.
    """
    held = stated_facts(tracker)
    findings, problems = findings_in_message(tracker), problems_in_message(tracker)
    if findings:
        held["findings"] = findings
    if problems:
        held["value_problems"] = problems
    return held


def declared_subject(tracker: Tracker) -> str | None:
    """Whom the latest reset was declared to be about (``about`` of a new patient), if any."""
    about = None
    for event in tracker.events:
        if event.get("event") in ("restart", "session_started"):
            about = None
        elif _custom_type(event).endswith(".new_patient"):
            custom = (event.get("data") or {}).get("custom") or {}
            about = custom.get("about") if isinstance(custom, dict) else None
    return str(about) if about else None
