"""Tolerant, word-order-free matching of red-flag cues.

People describe emergencies in their own words: "passing out", "cant wake him", "unconcious",
"my chest is really tight". A cue is a list of word groups that must all occur within a
window of words in one clause, in any order; each group lists alternatives, and an
alternative may be several adjacent words ("unable to"). Every word tolerates:

* inflections ("pass" matches "passes", "passed", "passing"; "wake" matches "waking");
* apostrophes and accents being left out ("cant", "wont", "nao consigo" for "não consigo");
* one typing slip (insertion, deletion, substitution or swapped letters) in vocabulary words
  of :data:`FUZZY_MIN_LENGTH` letters or more (and their inflections), when the first letter
  is right, and two swapped letters in words of :data:`SWAP_MIN_LENGTH` letters or more;
* a trailing ``*`` in the vocabulary makes a prefix ("breath*" matches "breathless").

Matching is on a character-for-character folded copy of the text, so spans point into the
text the user typed. Clauses end at sentence punctuation and at "but"; a cue never spans two
clauses.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable
from dataclasses import dataclass, field
from functools import lru_cache

FUZZY_MIN_LENGTH = 6
"""Shortest word (in letters) for which one typing slip is forgiven."""
SWAP_MIN_LENGTH = 4
"""Shortest word for which two swapped neighbouring letters are forgiven ("pian")."""

_TOKEN_RE = re.compile(r"\d+(?:[.,]\d+)?|[^\W_]+(?:'[^\W_]+)?|[.!?;,\n]")
# A bracketed result with its date is a comma segment of its own: its time words date only it
# ("my mum (anaemic, Hb 68 last week) has a weight on her chest": session 11, triage20_dev).
# Only a bracket that names a result: "(happening now)", "(2 years ago)" still date the mention
# beside them (review 11b, findings 1 and 12).
_RESULT_ASIDE = re.compile(
    r"\([^()]*?(?<![a-z])(?:hb|hgb|haemoglobin|hemoglobin|b12|folate|plt|platelets|mcv|ferritin|"
    r"wcc|inr)(?![a-z])[^()]*\)"
)
_CLAUSE_BREAKS = frozenset({".", "!", "?", ";", "\n", "but", "however", "although", "though"})
_APOSTROPHES = {"\u2019": "'", "\u2018": "'", "\u02bc": "'", "`": "'", "\u00b4": "'"}
# Spellings that mean the same word once apostrophes are gone, and Scots and northern
# English forms of the negated modals and of "out" / "now" ("canny get my words oot").
_ALIASES = {
    "cannot": "cant",
    "couldnt": "cant",
    "can't": "cant",
    "won't": "wont",
    "canny": "cant",
    "cannae": "cant",
    "canna": "cant",
    "couldnae": "cant",
    "wullnae": "wont",
    "winnae": "wont",
    "dinnae": "dont",
    "dinna": "dont",
    "didnae": "didnt",
    "isnae": "isnt",
    "wisnae": "wasnt",
    "oot": "out",
    "noo": "now",
    # session 9 (blind dev set triage16): Scots spellings
    "tae": "to",
    "ower": "over",
    "aboot": "about",
    "nae": "no",
    "ahm": "im",
    "ahve": "ive",
    "pechin": "puffing",
    "peching": "puffing",
    "pechan": "puffing",
    # session 12 (triage21_dev): Jamaican and Caribbean English spellings
    "cyaan": "cant",
    "caan": "cant",
    "pon": "on",
    "mawnin": "morning",
    "dis": "this",
    "di": "the",
    "tek": "take",
    "seh": "say",
    # Sound-alike spellings and voice-to-text slips that one-slip tolerance does not reach
    # (round 5, 2026-12-01): "tite chest", "cant breth", "my throte", "ive falen".
    "tite": "tight",
    "tyte": "tight",
    "tytes": "tight",
    "rite": "right",
    "breth": "breath",
    "breeth": "breath",
    "brethe": "breathe",
    "breeve": "breathe",
    "breave": "breathe",
    "brething": "breathing",
    "breething": "breathing",
    "throte": "throat",
    "throt": "throat",
    "cheast": "chest",
    "chesst": "chest",
    "falen": "fallen",
    "fallin": "falling",
    "unconshus": "unconscious",
    "unconsious": "unconscious",
    "consious": "conscious",
    "conshus": "conscious",
    "wheezey": "wheezy",
    "weezy": "wheezy",
    "weezing": "wheezing",
    "stroak": "stroke",
    "collasped": "collapsed",
}
_PHONETIC_ENDINGS = (("shun", "tion"), ("shuns", "tions"))
"""Spoken-form endings typed by ear ("injecshun"): rewritten to the written form."""


@lru_cache(maxsize=4096)
def _fold_char(ch: str) -> str:
    mapped = _APOSTROPHES.get(ch)
    if mapped is not None:
        return mapped
    low = ch.lower()
    if len(low) != 1:
        return ch
    decomposed = unicodedata.normalize("NFKD", low)
    if len(decomposed) > 1 and all(unicodedata.combining(c) for c in decomposed[1:]):
        return decomposed[0]
    return low


def fold(text: str) -> str:
    """Lower-case, strip accents and unify apostrophes, one character for one character.

    Args:
        text: Raw text.

    Returns:
        A string of the same length.
    """
    return "".join(_fold_char(ch) for ch in text)


def _word_key(token: str) -> str:
    key = token.replace("'", "")
    alias = _ALIASES.get(key)
    if alias is not None:
        return alias
    for spoken, written in _PHONETIC_ENDINGS:
        if len(key) > len(spoken) + 2 and key.endswith(spoken):
            return key[: -len(spoken)] + written
    return key


@dataclass(frozen=True)
class Word:
    """A word of a folded text with its clause and comma-segment numbers and offsets."""

    key: str
    start: int
    end: int
    clause: int
    segment: int = 0


def _aside_bounds(folded: str) -> frozenset[int]:
    """Offsets of the brackets that enclose a result aside (:data:`_RESULT_ASIDE`)."""
    return frozenset(
        offset for m in _RESULT_ASIDE.finditer(folded) for offset in (m.start(), m.end() - 1)
    )


@lru_cache(maxsize=256)
def words(text: str) -> tuple[Word, ...]:
    """Split a raw text into words (punctuation only ends clauses), cached per text.

    Args:
        text: Raw user text.

    Returns:
        The words in order, each with its clause number.
    """
    folded = fold(text)
    out: list[Word] = []
    clause = 0
    segment = 0
    asides = sorted(_aside_bounds(folded))
    for m in _TOKEN_RE.finditer(folded):
        tok = m.group()
        while asides and asides[0] < m.start():
            asides.pop(0)
            segment += 1
        if tok == ",":
            segment += 1
            continue
        if tok in _CLAUSE_BREAKS:
            clause += 1
            segment += 1
            if tok not in {"but", "however", "although", "though"}:
                continue
        out.append(Word(_word_key(tok), m.start(), m.end(), clause, segment))
    return tuple(out)


def inflections(base: str) -> set[str]:
    """Regular English inflections of a base word (a superset is harmless).

    Args:
        base: A lower-case word.

    Returns:
        The base and its -s, -es, -ed, -d, -ing, -er forms with the usual spelling changes.
    """
    forms = {base, base + "s", base + "es", base + "ed", base + "d", base + "ing"}
    if base.endswith("e"):
        forms |= {base[:-1] + "ing", base[:-1] + "ed"}
    if base.endswith("y") and len(base) > 2:
        forms |= {base[:-1] + "ies", base[:-1] + "ied"}
    if len(base) >= 3 and base[-1] not in "aeiouwxy" and base[-2] in "aeiou":
        forms |= {base + base[-1] + "ing", base + base[-1] + "ed"}
    return forms


_CUE_PART_RE = re.compile(r"[!-]?\{[^}]*\}|~msg|~whole|~\d+|\S+")
MESSAGE_WINDOW = 60
"""Window of a ``~msg`` cue: its groups may be in different clauses of one message."""


@dataclass(frozen=True)
class CueSpec:
    """A cue as parsed from its one-line notation (see :func:`parse_cue`)."""

    groups: tuple[tuple[str, ...], ...]
    within: int
    ordered: bool
    not_near: tuple[str, ...]
    across_clauses: bool = False
    whole: bool = False
    not_part_of: tuple[str, ...] = ()


def parse_cue(notation: str) -> CueSpec:
    """Parse the one-line notation of a cue.

    ``"{hard|difficult|cant|unable to} {wake|rouse} ~4"``: groups in braces (alternatives
    separated by ``|``, an alternative may be several words) or bare words; ``~N`` is the
    largest number of words from the first to the last matched word (default: number of
    groups + 3); ``~msg`` lets the groups lie in different clauses of the message (a
    condition and a finding: "I'm pregnant! My B12 is low"); ``~whole`` checks negation and
    time on the first group only, the condition ("not pregnant, folate low" is denied;
    "midwife hasn't checked my B12" does not deny the pregnancy); ``!{far|tired}`` vetoes
    the cue when one of those occurs in the same clause; ``-{expecting me}`` drops an
    occurrence of a group that is part of one of those phrases ("when she was expecting me"
    is not a pregnancy now). A leading ``>`` keeps the groups in the written
    order.

    Args:
        notation: The cue as written in ``red_flags.yml``.

    Returns:
        The parsed cue.

    Raises:
        ValueError: On an empty group, a bad window or no group at all.
    """
    text = notation.strip()
    ordered = text.startswith(">")
    if ordered:
        text = text[1:]
    groups: list[tuple[str, ...]] = []
    not_near: list[str] = []
    not_part_of: list[str] = []
    within: int | None = None
    across = False
    whole = False
    for part in _CUE_PART_RE.findall(text):
        if part == "~whole":
            whole = True
            continue
        if part == "~msg":
            across = True
            within = MESSAGE_WINDOW
            continue
        if part.startswith("~"):
            within = int(part[1:])
            continue
        veto = part.startswith("!")
        excluded = part.startswith("-{")
        body = part[1:] if veto or excluded else part
        if body.startswith("{"):
            alts = tuple(a.strip() for a in body[1:-1].split("|"))
        else:
            alts = (body,)
        if not all(alts) or any(not words(a) for a in alts):
            raise ValueError(f"cue {notation!r}: empty alternative in {part!r}")
        if veto:
            not_near.extend(alts)
        elif excluded:
            not_part_of.extend(alts)
        else:
            groups.append(alts)
    if not groups:
        raise ValueError(f"cue {notation!r}: no word group")
    if within is None:
        within = len(groups) + 3
    if within < len(groups):
        raise ValueError(f"cue {notation!r}: window ~{within} is shorter than its groups")
    return CueSpec(
        tuple(groups), within, ordered, tuple(not_near), across, whole, tuple(not_part_of)
    )


def phrase_cue(phrase: str) -> CueSpec:
    """A fixed phrase as a cue: its words in order and adjacent, each tolerant."""
    keys = tuple((w.key,) for w in words(phrase))
    if not keys:
        raise ValueError(f"phrase {phrase!r} has no words")
    return CueSpec(keys, len(keys), True, ())


def _drop_g(key: str) -> str | None:
    """The "-ing" spelling of a dropped-g word ("breathin" -> "breathing"), if it is one."""
    if len(key) >= 6 and key.endswith("ins"):
        return key[:-1] + "g"
    if len(key) >= 5 and key.endswith("in"):
        return key + "g"
    return None


def _deletions(word: str) -> set[str]:
    return {word[:i] + word[i + 1 :] for i in range(len(word))}


def _swaps(word: str) -> set[str]:
    return {word[:i] + word[i + 1] + word[i] + word[i + 2 :] for i in range(len(word) - 1)}


@dataclass(frozen=True)
class Cue:
    """Word groups that must all occur within ``within`` words of one clause.

    Attributes:
        groups: Each group is a tuple of alternatives; an alternative is a tuple of term
            ids that must be adjacent, in order.
        within: Largest number of words from the first to the last matched word.
        ordered: Whether the groups must appear in the given order.
        not_near: Alternatives that veto the cue when they occur in the same clause.
        source: The cue as written in the data file (for error messages and tests).
        not_part_of: Phrases an occurrence of a group must not be part of.
    """

    groups: tuple[tuple[tuple[int, ...], ...], ...]
    within: int
    ordered: bool
    not_near: tuple[tuple[int, ...], ...]
    source: str
    across_clauses: bool = False
    whole: bool = False
    not_part_of: tuple[tuple[int, ...], ...] = ()
    in_segment: tuple[bool, ...] = ()


_SEGMENT_VETO_WORDS = frozenset(
    {"years", "year", "yrs", "months", "month", "weeks", "ages", "same", "stable", "unchanged"}
)
_SEGMENT_VETO_PREFIXES = ("slow", "gradual", "hasnt changed", "not changed", "for years")


def _vetoes_in_segment(alternative: str) -> bool:
    """Whether a veto dates or steadies a complaint rather than names a subject.

    A dating veto counts in its comma segment, a subject veto in the whole clause: "tingled for
    years, same as ever, and today my legs gave way" is not vetoed by "years" (HAZ-176), while
    "my b12 was 400, went down suddenly to 150" stays vetoed by "b12" (review 10, M1).
    """
    text = alternative.strip().lower()
    return text in _SEGMENT_VETO_WORDS or text.startswith(_SEGMENT_VETO_PREFIXES)


@dataclass(frozen=True)
class CueHit:
    """A cue found in a text.

    Attributes:
        key: The red flag id.
        start: Start of the first matched word.
        end: End of the last matched word.
        clause: Clause of the first matched word.
        parts: Span of each matched group, in group order.
    """

    key: str
    start: int
    end: int
    clause: int
    parts: tuple[tuple[int, int], ...] = ()


@dataclass
class _Terms:
    exact: dict[str, set[int]] = field(default_factory=dict)
    prefixes: list[tuple[str, int]] = field(default_factory=list)
    fuzzy: dict[str, set[int]] = field(default_factory=dict)
    swapped: dict[str, set[int]] = field(default_factory=dict)
    ids: dict[str, int] = field(default_factory=dict)
    texts: list[str] = field(default_factory=list)

    def term_id(self, term: str) -> int:
        known = self.ids.get(term)
        if known is not None:
            return known
        ident = len(self.ids)
        self.ids[term] = ident
        self.texts.append(term)
        if term.endswith("*"):
            self.prefixes.append((term[:-1], ident))
            return ident
        plain = term.isascii() and term.isalpha()
        forms = inflections(term) if plain else {term}
        for form in forms:
            self.exact.setdefault(form, set()).add(ident)
            # Typing slips are forgiven on long words only: "wished" must not become "washed".
            # Shorter words forgive two swapped letters ("pian"), nothing else.
            if len(term) >= FUZZY_MIN_LENGTH:
                for variant in _deletions(form) | _swaps(form) | {form}:
                    self.fuzzy.setdefault(variant, set()).add(ident)
            elif len(term) >= SWAP_MIN_LENGTH:
                for variant in _swaps(form):
                    self.swapped.setdefault(variant, set()).add(ident)
        return ident


def _overlap(a: list[tuple[int, int]], b: list[tuple[int, int]]) -> bool:
    """Whether two matches of one cue share a word (one mention, not two)."""
    return min(x for x, _ in a) <= max(y for _, y in b) and min(x for x, _ in b) <= max(
        y for _, y in a
    )


class CueMatcher:
    """Compiled cues of many keys; build once, match every message cheaply."""

    def __init__(self, cues: Iterable[tuple[str, str, CueSpec]]) -> None:
        """Compile cues.

        Args:
            cues: ``(key, notation, spec)`` triples; the key is returned with each hit.
        """
        self._terms = _Terms()
        self._cues: list[tuple[str, Cue]] = []
        self._needs: list[tuple[frozenset[int], ...]] = []
        self._by_first: dict[int, list[int]] = {}
        for key, source, spec in cues:
            compiled = Cue(
                groups=tuple(tuple(self._alternative(a) for a in g) for g in spec.groups),
                within=spec.within,
                ordered=spec.ordered,
                not_near=tuple(self._alternative(a) for a in spec.not_near),
                source=source,
                across_clauses=spec.across_clauses,
                whole=spec.whole,
                not_part_of=tuple(self._alternative(a) for a in spec.not_part_of),
                in_segment=tuple(_vetoes_in_segment(a) for a in spec.not_near),
            )
            index = len(self._cues)
            self._cues.append((key, compiled))
            self._needs.append(tuple(frozenset(a[0] for a in g) for g in compiled.groups))
            for alt in compiled.groups[0]:
                self._by_first.setdefault(alt[0], []).append(index)

    def _alternative(self, text: str) -> tuple[int, ...]:
        parts: list[str] = []
        for piece in text.split():
            if piece.endswith("*") and len(piece) > 1:
                parts.append(_word_key(fold(piece[:-1])) + "*")
            else:
                parts.extend(w.key for w in words(piece))
        if not parts:
            raise ValueError(f"empty cue alternative {text!r}")
        return tuple(self._terms.term_id(p) for p in parts)

    @lru_cache(maxsize=8192)  # noqa: B019 - one matcher per process, cache is bounded
    def _lookup(self, key: str) -> frozenset[int]:
        terms = self._terms
        found = set(terms.exact.get(key, ()))
        # "sittin", "breathin's": a dropped g is the -ing form, not a typing slip
        full = _drop_g(key) if not found else None
        if full is not None:
            found.update(terms.exact.get(full, ()))
        found.update(terms.swapped.get(key, ()))
        for prefix, ident in terms.prefixes:
            if key.startswith(prefix):
                found.add(ident)
        # A word the vocabulary knows exactly is not a typing slip of another word:
        # "injections" must not also match "infections".
        if len(key) >= FUZZY_MIN_LENGTH - 1 and not terms.exact.get(key):
            for variant in _deletions(key) | _swaps(key) | {key}:
                for ident in terms.fuzzy.get(variant, ()):
                    found.add(ident)
        return frozenset(i for i in found if self._first_letter_ok(i, key))

    def _first_letter_ok(self, ident: int, key: str) -> bool:
        return self._terms.texts[ident][:1] == key[:1]

    def _term_text(self, ident: int) -> str:
        return self._terms.texts[ident]

    def find(self, text: str) -> list[CueHit]:
        """Every cue that matches ``text``, once per occurrence of its first group.

        Every occurrence counts: "chest pain years ago that went away, now chest pain again"
        has a second, current mention the first one must not hide (HAZ-058).

        Args:
            text: Raw user text.

        Returns:
            Hits in text order.
        """
        toks = words(text)
        if not toks:
            return []
        tok_terms = [self._lookup(t.key) for t in toks]
        positions: dict[int, list[int]] = {}
        for i, terms in enumerate(tok_terms):
            for ident in terms:
                positions.setdefault(ident, []).append(i)
        candidates: set[int] = set()
        for ident in positions:
            candidates.update(self._by_first.get(ident, ()))
        hits: list[CueHit] = []
        present = positions.keys()
        for index in sorted(candidates):
            if any(present.isdisjoint(need) for need in self._needs[index]):
                continue
            key, cue = self._cues[index]
            for chosen in self._matches(cue, toks, tok_terms, positions):
                first = min(a for a, _ in chosen)
                last = max(b for _, b in chosen)
                spans = tuple((toks[a].start, toks[b].end) for a, b in chosen)
                # ~whole: only the first group (the condition, "pregnant") decides negation and
                # time, so "not pregnant, folate low" is denied while "midwife hasn't
                # checked my B12" is not
                parts = spans[:1] if cue.whole else spans
                hits.append(
                    CueHit(key, toks[first].start, toks[last].end, toks[first].clause, parts)
                )
        hits.sort(key=lambda h: (h.start, -h.end))
        return hits

    @staticmethod
    def _occurrences(
        alt: tuple[int, ...], tok_terms: list[frozenset[int]], positions: dict[int, list[int]]
    ) -> list[tuple[int, int]]:
        out: list[tuple[int, int]] = []
        for i in positions.get(alt[0], ()):
            if i + len(alt) <= len(tok_terms) and all(
                alt[k] in tok_terms[i + k] for k in range(1, len(alt))
            ):
                out.append((i, i + len(alt) - 1))
        return out

    def _matches(
        self,
        cue: Cue,
        toks: tuple[Word, ...],
        tok_terms: list[frozenset[int]],
        positions: dict[int, list[int]],
    ) -> list[list[tuple[int, int]]]:
        per_group: list[list[tuple[int, int]]] = []
        for group in cue.groups:
            occ = [o for alt in group for o in self._occurrences(alt, tok_terms, positions)]
            if not occ:
                return []
            per_group.append(sorted(occ))
        per_group = [self._not_part_of(cue, occ, tok_terms, positions) for occ in per_group]
        if not all(per_group):
            return []
        found: list[list[tuple[int, int]]] = []
        # A dating or steadying veto counts in the comma segment of the cue's first group, a
        # subject veto in its whole clause (HAZ-176, review 10 M1).
        vetoed: set[tuple[int, int | None]] = set()
        for alt, in_segment in zip(cue.not_near, cue.in_segment, strict=True):
            for a, _ in self._occurrences(alt, tok_terms, positions):
                vetoed.add((toks[a].clause, toks[a].segment if in_segment else None))
        for first, first_end in per_group[0]:
            clause = toks[first].clause
            here = {(clause, toks[first].segment), (clause, None)}
            if here & vetoed or (cue.across_clauses and vetoed):
                continue
            chosen = self._extend(
                cue, toks, per_group, [(first, first_end)], first, first_end, clause
            )
            if chosen is not None and not any(_overlap(chosen, other) for other in found):
                found.append(chosen)
        return found

    def _not_part_of(
        self,
        cue: Cue,
        first: list[tuple[int, int]],
        tok_terms: list[frozenset[int]],
        positions: dict[int, list[int]],
    ) -> list[tuple[int, int]]:
        """A group's occurrences that are not part of a ``-{...}`` phrase."""
        taken = {
            i
            for alt in cue.not_part_of
            for a, b in self._occurrences(alt, tok_terms, positions)
            for i in range(a, b + 1)
        }
        return [(a, b) for a, b in first if not taken.intersection(range(a, b + 1))]

    def _extend(
        self,
        cue: Cue,
        toks: tuple[Word, ...],
        per_group: list[list[tuple[int, int]]],
        chosen: list[tuple[int, int]],
        lo: int,
        hi: int,
        clause: int,
    ) -> list[tuple[int, int]] | None:
        g = len(chosen)
        if g == len(per_group):
            return chosen
        prev_end = chosen[-1][1]
        for start, end in per_group[g]:
            if not cue.across_clauses and toks[start].clause != clause:
                continue
            if cue.ordered and start <= prev_end:
                continue
            if any(start <= b and a <= end for a, b in chosen):
                continue
            new_lo, new_hi = min(lo, start), max(hi, end)
            if new_hi - new_lo + 1 > cue.within:
                continue
            found = self._extend(
                cue, toks, per_group, [*chosen, (start, end)], new_lo, new_hi, clause
            )
            if found is not None:
                return found
        return None
