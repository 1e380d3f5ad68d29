"""Text normalisation, tokens and whole-word phrase matching.

Normalisation keeps every character at its offset (one character in, one character out), so
a span found in the normalised text is the same span in the text the user typed.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

_CHAR_MAP: dict[str, str] = {
    "\u2019": "'",  # right single quote
    "\u2018": "'",
    "\u02bc": "'",
    "`": "'",
    "\u00b4": "'",
    "\u00d7": "x",  # multiplication sign
    "\u00b5": "u",  # micro sign
    "\u03bc": "u",  # greek mu
    "\u2079": "9",  # superscript nine
    "\u00b3": "3",
    "\u2013": "-",
    "\u2014": "-",
    "\u2010": "-",
    "\u2011": "-",
    "\u2212": "-",
    "\u00a0": " ",
    "\u2009": " ",
    "\u202f": " ",
}

# Characters that change nothing a reader sees but split words for a program: zero-width
# space/joiners, soft hyphen, word joiner, BOM, bidirectional marks and embeddings, and the
# other "format" (Cf) characters. Removed before anything reads the text.
_INVISIBLE_CATEGORIES = frozenset({"Cf"})
_CONTROL_KEPT = frozenset("\n\t")

_TOKEN_RE = re.compile(r"[a-z0-9]+(?:'[a-z]+)?|\n|[^\sa-z0-9]")
_PHRASE_TOKEN_RE = re.compile(r"[A-Za-z0-9]+(?:'[A-Za-z]+)?|[^\sA-Za-z0-9]")
_WORD_RE = re.compile(r"[A-Za-z0-9]")


def clean_text(text: str) -> str:
    """Unicode NFKC, with invisible and control characters removed (line breaks kept).

    Runs once on the user's message before anything reads it, so a zero-width space inside
    "pins and needles", a soft hyphen in "numb\u00adness" or full-width digits cannot hide a
    finding or a value. Offsets in the result refer to the cleaned text.

    Args:
        text: The message as received.

    Returns:
        The cleaned text (possibly shorter than ``text``).
    """
    folded = unicodedata.normalize("NFKC", text)
    return "".join(
        ch
        for ch in folded
        if unicodedata.category(ch) not in _INVISIBLE_CATEGORIES
        and (unicodedata.category(ch) != "Cc" or ch in _CONTROL_KEPT)
    )


def normalise(text: str) -> str:
    """Lower-case ``text`` and fold typographic variants, keeping every offset.

    Args:
        text: Raw user text.

    Returns:
        A string of the same length as ``text``.
    """
    out: list[str] = []
    for ch in text:
        mapped = _CHAR_MAP.get(ch)
        if mapped is not None:
            out.append(mapped)
            continue
        low = ch.lower()
        out.append(low if len(low) == 1 else ch)
    return "".join(out)


@dataclass(frozen=True)
class Token:
    """A word or punctuation token of the normalised text."""

    text: str
    start: int
    end: int
    is_word: bool


def tokenize(norm: str) -> tuple[Token, ...]:
    """Split normalised text into word and punctuation tokens.

    Args:
        norm: Text returned by :func:`normalise`.

    Returns:
        The tokens in order.
    """
    return tuple(
        Token(m.group(), m.start(), m.end(), bool(_WORD_RE.match(m.group())))
        for m in _TOKEN_RE.finditer(norm)
    )


def _phrase_tokens(phrase: str) -> list[str]:
    raw = _PHRASE_TOKEN_RE.findall(phrase)
    # a hyphen between two words is a word separator ("pins-and-needles", "anti-if")
    kept: list[str] = []
    for i, tok in enumerate(raw):
        if (
            tok == "-"
            and 0 < i < len(raw) - 1
            and _WORD_RE.match(raw[i - 1])
            and _WORD_RE.match(raw[i + 1])
        ):
            continue
        kept.append(tok)
    return kept


def canonical(phrase: str) -> str:
    """Canonical key of a phrase: lower case, no apostrophes, single spaces.

    Two phrases with the same key match the same text.

    Args:
        phrase: A vocabulary phrase or a matched piece of text.

    Returns:
        The key.
    """
    toks = _phrase_tokens(normalise(phrase).strip())
    return " ".join(t.replace("'", "") for t in toks)


def phrase_regex(phrase: str) -> str:
    """Regular expression source matching ``phrase`` as whole words.

    Runs of spaces or hyphens between words are interchangeable, an apostrophe inside a
    word is optional ("crohns" matches "crohn's"), and punctuation may be surrounded by
    optional spaces. A lone "." only matches as a sentence stop (not "35.5" or "u.s.").

    Args:
        phrase: The phrase as written in the vocabulary.

    Returns:
        Regex source (no flags).

    Raises:
        ValueError: If the phrase has no tokens.
    """
    if phrase == "\n":
        return r"\n"
    if phrase == ".":
        return r"\.(?![0-9A-Za-z])"
    toks = _phrase_tokens(phrase)
    if not toks:
        raise ValueError(f"phrase {phrase!r} has no tokens")
    parts: list[str] = []
    for i, tok in enumerate(toks):
        is_word = bool(_WORD_RE.match(tok))
        if i > 0:
            prev_word = bool(_WORD_RE.match(toks[i - 1]))
            parts.append(r"[\s\-]+" if (is_word and prev_word) else r"\s*")
        if is_word:
            parts.append("'?".join(re.escape(piece) for piece in tok.split("'")))
        else:
            parts.append(re.escape(tok))
    body = "".join(parts)
    if _WORD_RE.match(toks[0]):
        body = r"(?<![A-Za-z0-9])" + body
    if _WORD_RE.match(toks[-1]):
        body = body + r"(?![A-Za-z0-9])"
    return body


@dataclass(frozen=True)
class PhraseHit:
    """One phrase found in a text."""

    key: str
    start: int
    end: int


class PhraseMatcher:
    """Find vocabulary phrases in text; the longest phrase wins at a given position.

    Case-insensitive phrases are matched on the normalised text, case-sensitive ones on
    the original text. Each phrase maps to a key (for example a symptom id).
    """

    def __init__(
        self,
        entries: Iterable[tuple[str, str]],
        case_sensitive_entries: Iterable[tuple[str, str]] = (),
    ) -> None:
        """Compile the matcher.

        Args:
            entries: ``(phrase, key)`` pairs matched case-insensitively.
            case_sensitive_entries: ``(phrase, key)`` pairs matched exactly.
        """
        self._keys: dict[str, str] = {}
        self._cs_keys: dict[str, str] = {}
        self._regex = self._compile(entries, self._keys)
        self._cs_regex = self._compile(case_sensitive_entries, self._cs_keys)

    @staticmethod
    def _compile(
        entries: Iterable[tuple[str, str]], keys: dict[str, str]
    ) -> re.Pattern[str] | None:
        phrases: list[str] = []
        for phrase, key in entries:
            keys.setdefault(canonical(phrase), key)
            phrases.append(phrase)
        if not phrases:
            return None
        ordered = sorted(set(phrases), key=lambda p: (-len(p), p))
        return re.compile("|".join(f"(?:{phrase_regex(p)})" for p in ordered))

    def find(self, norm: str, original: str) -> list[PhraseHit]:
        """All non-overlapping phrase hits, in text order.

        Args:
            norm: Normalised text.
            original: The original text (same length), for case-sensitive phrases.

        Returns:
            Hits sorted by start offset; a case-sensitive hit overlapping an earlier
            case-insensitive hit is dropped.
        """
        hits: list[PhraseHit] = []
        if self._regex is not None:
            for m in self._regex.finditer(norm):
                key = self._keys.get(canonical(m.group()))
                if key is not None:
                    hits.append(PhraseHit(key, m.start(), m.end()))
        if self._cs_regex is not None:
            for m in self._cs_regex.finditer(original):
                key = self._cs_keys.get(canonical(m.group()))
                if key is not None and not any(
                    overlaps(h.start, h.end, m.start(), m.end()) for h in hits
                ):
                    hits.append(PhraseHit(key, m.start(), m.end()))
        hits.sort(key=lambda h: (h.start, -h.end))
        return hits


def overlaps(a_start: int, a_end: int, b_start: int, b_end: int) -> bool:
    """Whether two half-open spans share at least one character."""
    return a_start < b_end and b_start < a_end


def spans_overlapping(spans: Sequence[tuple[int, int]], start: int, end: int) -> bool:
    """Whether any span in ``spans`` overlaps ``[start, end)``."""
    return any(overlaps(s, e, start, end) for s, e in spans)
