"""Text analysis shared by documents and questions.

One :class:`Analyzer` turns text into index terms in this order:

1. character folding: micro sign to ``u``, accents removed (NFKD), curly quotes made plain;
2. dosing-interval shorthand written out ("q3m" is "every 3 months", "q8wk" "every 8 weeks"),
   a child's age named as a child ("my 4 year old" is "my child", "6 month old" "baby"),
   case-sensitive abbreviations (``IM``, ``US``) expanded, then everything lower-cased;
3. contractions expanded ("I'm" to "i am", "shouldn't" to "should not");
4. tokens split (``b12`` stays one token, ``1000ug`` becomes ``1000`` and ``ug``);
5. UK spelling folded to US (whole words, then fragments such as ``aem`` to ``em``);
6. for questions only, typo correction of unknown words against the known vocabulary;
7. light suffix stripping (:func:`stem`);
8. synonym words and phrases replaced by their group's canonical term (longest first), or
   by the group's ``negated`` term when a negation cue ("no", "without") comes at most
   :data:`NEGATION_WINDOW` words before;
9. stop words dropped.

Documents and questions go through the same steps, so any folding applies to both sides.
"""

from __future__ import annotations

import difflib
import re
import unicodedata
from collections.abc import Iterable, Mapping
from types import MappingProxyType

from guideline_engine.retrieval.synonyms import Synonyms

_CHAR_MAP = str.maketrans(
    {
        "µ": "u",  # micro sign
        "μ": "u",  # Greek mu
        "×": " x ",
        "’": "'",
        "‘": "'",
        "`": "'",
        "–": "-",
        "—": "-",
    }
)
_CONTRACTIONS: tuple[tuple[str, str], ...] = (
    ("can't", "can not"),
    ("won't", "will not"),
    ("n't", " not"),
    ("'m", " am"),
    ("'re", " are"),
    ("'ve", " have"),
    ("'ll", " will"),
    ("'d", " would"),
    ("'s", ""),
)
_INTERVAL = re.compile(
    r"\bq\s?([0-9]+(?:\s?-\s?[0-9]+)?)\s?(h|hr|hrs|d|w|wk|wks|m|mo|mth|mths)\b", re.IGNORECASE
)
"""Prescription shorthand for an interval: ``q`` (Latin *quaque*, every) with a count and unit."""
_INTERVAL_UNITS = {"h": "hours", "d": "days", "w": "weeks", "m": "months"}
_AGE = re.compile(
    r"\b([0-9]{1,3})\s?-?\s?(years?|yrs?|y|months?|mths?|mo|weeks?|wks?)\s?-?\s?old\b"
    r"|\b([0-9]{1,2})\s?(yo|y/o|yr|yrs)\b(?!\s?-?\s?old)"
    r"|\b(?:my|our|her|his)\s+(son|daughter|boy|girl|child|kid)\s+(?:is|who is|whos|who's)\s+"
    r"([0-9]{1,2})\b",
    re.IGNORECASE,
)
ADULT_AGE = 16
"""Age in years from which the sources' adult regimens apply (NICE NG239: 16 and over)."""
_TOKEN = re.compile(r"[a-z]+[0-9]+|[0-9]+(?:\.[0-9]+)?|[a-z]+")
_VOWEL = re.compile(r"[aeiouy]")

# Suffix rules: (suffix, replacement, minimum length of what is left).
_INFLECTIONAL: tuple[tuple[str, str, int], ...] = (
    ("sses", "ss", 2),
    ("ies", "y", 2),
    ("ied", "y", 2),
    ("ss", "ss", 0),
    ("us", "us", 0),
    ("is", "is", 0),
    ("s", "", 3),
    ("eed", "eed", 0),
    ("ed", "", 3),
    ("ing", "", 3),
    ("ly", "", 4),
)
_DERIVATIONAL: tuple[tuple[str, str, int], ...] = (
    ("ization", "", 3),
    ("ation", "", 4),
    ("ction", "ct", 2),
    ("ical", "ic", 3),
    ("ment", "", 4),
    ("ness", "", 3),
    ("ize", "", 4),
    ("iz", "", 4),
    ("ic", "", 6),
)
_KEEP_DOUBLE = frozenset("lsz")

TYPO_CUTOFF = 0.85
"""Minimum :class:`difflib.SequenceMatcher` ratio for a typo correction."""

TYPO_MIN_LENGTH = 6
"""Words shorter than this are never corrected (too many real words are one edit apart)."""

NEGATION_WINDOW = 3
"""How many words before a synonym match are searched for a negation cue."""

_CACHE_LIMIT = 4096


def fold_characters(text: str) -> str:
    """Map look-alike characters to ASCII and strip accents (case is kept).

    >>> fold_characters("1000 µg café")
    '1000 ug cafe'
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_CHAR_MAP))
    return "".join(c for c in decomposed if not unicodedata.combining(c))


def expand_intervals(text: str) -> str:
    """Write out dosing-interval shorthand ("q2-3m" becomes "every 2-3 months").

    >>> expand_intervals("q8wk or q12w, maint q2m")
    'every 8 weeks or every 12 weeks, maint every 2 months'
    """

    def spelled(match: re.Match[str]) -> str:
        return f"every {match.group(1)} {_INTERVAL_UNITS[match.group(2)[0].lower()]}"

    return _INTERVAL.sub(spelled, text)


def name_child_ages(text: str) -> str:
    """Name an age under :data:`ADULT_AGE` as a child, so the not-covered policy sees it.

    Ages written "N year(s) old" (or months, weeks), "N yo" / "N y/o", or "my son is N" are
    read (review, session 8); an adult age is left as written ("84 year old" keeps "old").

    >>> name_child_ages("dose for my 4 year old? and my 84 yr old mum, 6-month-old baby")
    'dose for my child? and my 84 yr old mum, baby baby'
    """

    def named(match: re.Match[str]) -> str:
        if match.group(5):  # "my son is 12"
            return "child" if int(match.group(6)) < ADULT_AGE else match.group(0)
        years, unit = (match.group(1), match.group(2)) if match.group(1) else match.group(3, 4)
        if unit.lower().startswith(("m", "w")):
            return "baby"
        return "child" if int(years) < ADULT_AGE else match.group(0)

    return _AGE.sub(named, text)


def expand_contractions(text: str) -> str:
    """Expand English contractions in lower-case text ("i'm" becomes "i am")."""
    for short, long in _CONTRACTIONS:
        text = text.replace(short, long)
    return text.replace("'", "")


def _strip(word: str, rules: tuple[tuple[str, str, int], ...]) -> str:
    for suffix, replacement, min_stem in rules:
        if word.endswith(suffix):
            stem = word[: len(word) - len(suffix)]
            if len(stem) >= min_stem and (min_stem == 0 or _VOWEL.search(stem)):
                return stem + replacement
            return word
    return word


def stem(word: str) -> str:
    """Strip common English suffixes so inflected forms share one term.

    A deliberately small, predictable stripper: plurals, ``-ed``, ``-ing``, ``-ly``, then
    one or two derivational suffixes, then a final ``e``. Words with digits and short
    words are returned unchanged.

    >>> [stem(w) for w in ("injections", "injected", "treatment", "tingling", "tingle")]
    ['inject', 'inject', 'treat', 'tingl', 'tingl']
    """
    if len(word) <= 3 or not word.isalpha():
        return word
    out = _strip(word, _INFLECTIONAL)
    if out != word and len(out) > 2 and out[-1] == out[-2] and out[-1] not in _KEEP_DOUBLE:
        out = out[:-1]  # "getting" -> "gett" -> "get"
    for _ in range(2):
        shorter = _strip(out, _DERIVATIONAL)
        if shorter == out:
            break
        out = shorter
    if len(out) > 4 and out.endswith("e"):
        out = out[:-1]
    return out


class Analyzer:
    """Turns text into index terms using a :class:`Synonyms` vocabulary.

    Build one per vocabulary and reuse it; it caches typo corrections.
    """

    __slots__ = (
        "_abbreviations",
        "_broader",
        "_corrections",
        "_fragments",
        "_index_terms",
        "_max_phrase",
        "_negated",
        "_negation_cues",
        "_phrases",
        "_protected",
        "_specific",
        "_stop",
        "_vocabulary",
        "_vocabulary_list",
        "_vocabulary_stems",
        "_words",
        "synonyms",
    )

    def __init__(
        self,
        synonyms: Synonyms,
        *,
        vocabulary: Iterable[str] | None = None,
        protected: Iterable[str] = (),
        index_terms: Iterable[str] | None = None,
    ) -> None:
        """Prepare the analyzer.

        Args:
            synonyms: The curated vocabulary.
            vocabulary: Known (spelling-folded) words; when given, unknown question words
                of at least :data:`TYPO_MIN_LENGTH` letters are corrected to the closest
                known word.
            protected: Words that are never corrected but never corrected *to* either
                (the not-covered terms: "intact" must not become "interact").
            index_terms: Terms of the index; when given, a word's own stem is emitted
                beside its synonym group's term only if the index has it (question mode).

        Raises:
            ValueError: If two synonym groups claim the same word or phrase after
                folding, a synonym term folds to nothing, or a single-word term folds to
                the stem of a stop word without being one ("likely" and "like").
        """
        self.synonyms = synonyms
        self._words: Mapping[str, str] = MappingProxyType(dict(synonyms.spelling_words))
        self._fragments = synonyms.spelling_fragments
        self._abbreviations = tuple(
            (re.compile(rf"\b{re.escape(short)}\b"), f" {long} ")
            for short, long in synonyms.abbreviations
        )
        self._stop = frozenset(synonyms.stop_words)
        self._negation_cues = frozenset(self.spell(w) for w in synonyms.negation_cues)
        self._negated: Mapping[str, str] = MappingProxyType(
            {g.canonical: g.negated for g in synonyms.groups if g.negated is not None}
        )
        self._specific = frozenset(g.canonical for g in synonyms.groups if g.specific)
        self._broader: Mapping[str, str] = MappingProxyType(
            {g.canonical: g.broader for g in synonyms.groups if g.broader is not None}
        )
        # Synonym terms themselves are never typo-corrected: no vocabulary while reading them.
        self._vocabulary: frozenset[str] = frozenset()
        self._vocabulary_list: list[str] = []
        self._vocabulary_stems: frozenset[str] = frozenset()
        self._index_terms = None if index_terms is None else frozenset(index_terms)
        self._corrections: dict[str, str] = {}
        stop_stems = {stem(w) for w in self._stop}
        phrases: dict[tuple[str, ...], str] = {}
        for group in synonyms.groups:
            for term in group.terms:
                key = tuple(s for _, s in self.tokens(term))
                if not key:
                    raise ValueError(
                        f"synonym term {term!r} of group {group.canonical!r} folds to nothing"
                    )
                if len(key) == 1 and term.lower() not in self._stop and key[0] in stop_stems:
                    raise ValueError(
                        f"synonym term {term!r} of group {group.canonical!r} folds to "
                        f"{key[0]!r}, the stem of a stop word; list it as a phrase instead"
                    )
                other = phrases.get(key)
                if other is not None and other != group.canonical:
                    raise ValueError(
                        f"synonym term {term!r} of group {group.canonical!r} folds to "
                        f"{' '.join(key)!r}, already claimed by group {other!r}"
                    )
                phrases[key] = group.canonical
        self._phrases: Mapping[tuple[str, ...], str] = MappingProxyType(phrases)
        self._max_phrase = max((len(k) for k in phrases), default=1)
        self._protected = frozenset(protected)
        if vocabulary is not None:
            self._vocabulary = frozenset(vocabulary) - self._protected
            self._vocabulary_list = sorted(self._vocabulary)
            self._vocabulary_stems = frozenset(stem(w) for w in self._vocabulary)

    def for_questions(
        self,
        vocabulary: Iterable[str],
        index_terms: Iterable[str],
        *,
        protected: Iterable[str] = (),
    ) -> Analyzer:
        """Return an analyzer with the same synonyms, in question mode.

        Args:
            vocabulary: Known words that typos are corrected to.
            index_terms: Terms of the index (see :meth:`__init__`).
            protected: Words never corrected and never corrected to.
        """
        return Analyzer(
            self.synonyms, vocabulary=vocabulary, protected=protected, index_terms=index_terms
        )

    def spell(self, word: str) -> str:
        """Fold one lower-case word from UK to US spelling."""
        word = self._words.get(word, word)
        for uk, us in self._fragments:
            if uk in word:
                word = word.replace(uk, us)
        return word

    def tokens(self, text: str) -> list[tuple[str, str]]:
        """Split text into ``(word, stem)`` pairs after folding, before synonyms.

        ``word`` is the spelling-folded surface form (used for stop words), ``stem`` the
        output of :func:`stem`.
        """
        text = name_child_ages(expand_intervals(fold_characters(text)))
        for pattern, replacement in self._abbreviations:
            text = pattern.sub(replacement, text)
        text = expand_contractions(text.casefold())
        out: list[tuple[str, str]] = []
        for raw in _TOKEN.findall(text):
            word = self._correct(self.spell(raw))
            out.append((word, stem(word)))
        return out

    def words(self, text: str) -> frozenset[str]:
        """Return every spelling-folded word of ``text`` (before stemming and synonyms)."""
        return frozenset(w for w, _ in self.tokens(text))

    @property
    def known_words(self) -> frozenset[str]:
        """Words of synonym terms, stop words and negation cues: never typo-corrected."""
        words: set[str] = set(self._stop) | set(self._negation_cues)
        for group in self.synonyms.groups:
            for term in group.terms:
                words.update(self.words(term))
        return frozenset(words)

    def is_stop_word(self, word: str) -> bool:
        """Return True if the (folded) word is a stop word."""
        return word in self._stop

    def _correct(self, word: str) -> str:
        if (
            not self._vocabulary
            or word in self._vocabulary
            or word in self._protected
            or len(word) < TYPO_MIN_LENGTH
            or not word.isalpha()
            or stem(word) in self._vocabulary_stems  # "treating" is "treat", not "eating"
        ):
            return word
        cached = self._corrections.get(word)
        if cached is None:
            close = difflib.get_close_matches(word, self._vocabulary_list, n=1, cutoff=TYPO_CUTOFF)
            cached = close[0] if close else word
            if len(self._corrections) < _CACHE_LIMIT:
                self._corrections[word] = cached
        return cached

    def _negation_before(self, pairs: list[tuple[str, str]], index: int) -> bool:
        start = max(0, index - NEGATION_WINDOW)
        return any(word in self._negation_cues for word, _ in pairs[start:index])

    def terms(self, text: str) -> tuple[str, ...]:
        """Return the index terms of ``text`` in order (duplicates kept).

        A synonym match yields its group's canonical (or negated) term, then its
        ``broader`` term if any; a single word of a ``specific`` group also yields its own
        stem, so ``cyanocobalamin`` still counts beside ``b12``.
        """
        pairs = self.tokens(text)
        stems = [s for _, s in pairs]
        out: list[str] = []
        i = 0
        while i < len(pairs):
            for length in range(min(self._max_phrase, len(pairs) - i), 0, -1):
                canonical = self._phrases.get(tuple(stems[i : i + length]))
                if canonical is not None:
                    negated = self._negated.get(canonical)
                    if negated is not None and self._negation_before(pairs, i):
                        out.append(negated)
                    else:
                        out.append(canonical)
                        broader = self._broader.get(canonical)
                        if broader is not None:
                            out.append(broader)
                        word, own = pairs[i]
                        if (
                            length == 1
                            and canonical in self._specific
                            and own != canonical
                            and word not in self._stop
                            and (self._index_terms is None or own in self._index_terms)
                        ):
                            out.append(own)
                    i += length
                    break
            else:
                word, own = pairs[i]
                if word not in self._stop and own not in self._stop:
                    out.append(own)
                i += 1
        return tuple(out)
