"""BM25 retrieval over curated snippets, answering only when the guideline covers the question.

A question is answered when all of these hold:

1. it does not mention a subject listed as not covered by the source (``policy.yml``),
   unless a snippet mentions that very term: then the content covers it after all, and the
   question is answered only from the snippets that mention it (see
   :attr:`Retriever.policy_overlaps`; ``python -m guideline_engine.retrieval validate``
   reports the overlap so the policy gets fixed);
2. at least one of its terms that is not a generic topic word ("b12", "deficiency",
   "treatment") matches a snippet; a question made only of generic words is answered
   with the policy's ``generic_fallback`` snippet, if any;
3. the best such snippet scores at least ``policy.min_score``;
4. it matches at least ``policy.min_coverage`` of the question's content-term weight
   (idf-weighted; words the index does not know weigh as much as the rarest term).

Otherwise the result is a :class:`NoAnswer` saying why, so the bot can state honestly
that the guideline does not cover the question.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import Enum
from typing import TypeAlias

from rank_bm25 import BM25Plus  # type: ignore[import-untyped]

from guideline_engine.retrieval.policy import AnswerPolicy, default_policy
from guideline_engine.retrieval.synonyms import Synonyms
from guideline_engine.retrieval.text import Analyzer

BM25_K1 = 1.2
"""Term-frequency saturation. Snippets are short, so repeats matter little."""

BM25_B = 0.75
"""Document-length normalisation."""


@dataclass(frozen=True)
class Document:
    """A unit of retrieval: one curated snippet's searchable text.

    Attributes:
        id: Snippet id returned in hits.
        text: Searchable text (clinician and patient wording, section words).
        keywords: Extra curated phrases; each is analysed on its own, so a phrase never
            runs into the next one, and only terms the text lacks are added.
    """

    id: str
    text: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class Hit:
    """One retrieved snippet.

    Attributes:
        id: Snippet id.
        score: BM25 score for the question.
        matched_terms: Question terms found in the snippet, in question order.
    """

    id: str
    score: float
    matched_terms: tuple[str, ...]


@dataclass(frozen=True)
class Answer:
    """The guideline covers the question; ``hits`` are best first and never empty."""

    hits: tuple[Hit, ...]

    @property
    def best(self) -> Hit:
        """The top-ranked hit."""
        return self.hits[0]


class NoAnswerReason(str, Enum):
    """Why a question was not answered."""

    EMPTY_QUESTION = "empty_question"
    """Nothing searchable was left after removing stop words."""

    NOT_COVERED = "not_covered"
    """The question mentions a subject the source does not address."""

    NO_CONTENT_MATCH = "no_content_match"
    """No snippet matches any question term beyond generic topic words."""

    LOW_SCORE = "low_score"
    """The best snippet matches too weakly."""

    LOW_COVERAGE = "low_coverage"
    """The best snippet leaves too much of the question unmatched."""

    LIKE_UNCOVERED = "like_uncovered_questions"
    """Questions written like this one were ones the content does not cover (the learned
    signal, :mod:`guideline_engine.retrieval.learned`), though some words matched a snippet."""

    OTHER_SITUATION = "other_situation"
    """The snippets that match are written for another situation than the patient's (the other
    nerve status, another cause, pregnancy): declined rather than answered for another
    population (:func:`guideline_engine.retrieval.context.keep_applicable`)."""


@dataclass(frozen=True)
class NoAnswer:
    """The guideline does not (clearly) cover the question.

    Attributes:
        reason: Why there is no answer.
        best_score: Score of the best snippet anyway (0.0 if nothing matched); for logs
            and calibration, never for showing the snippet.
        topic: The not-covered subject, when ``reason`` is ``NOT_COVERED``.
    """

    reason: NoAnswerReason
    best_score: float
    topic: str | None = None


RetrievalResult: TypeAlias = Answer | NoAnswer
"""What :meth:`Retriever.search` returns."""


@dataclass(frozen=True)
class PolicyOverlap:
    """A not-covered term of the policy that a snippet mentions: the policy is out of date.

    Attributes:
        topic: The not-covered topic.
        term: The term, as written in the policy.
        snippet_ids: The snippets that mention it (never empty).
    """

    topic: str
    term: str
    snippet_ids: tuple[str, ...]

    def message(self) -> str:
        """One line for a validation report."""
        return (
            f"not-covered term {self.term!r} (topic {self.topic}) occurs in snippet(s) "
            f"{', '.join(self.snippet_ids)}: the content covers it now, so remove or narrow "
            f"the term in policy.yml (until then such questions are answered only from "
            f"those snippets)"
        )


@dataclass(frozen=True)
class _Phrase:
    terms: tuple[str, ...]
    covering: frozenset[int]
    """Indices of the documents that mention the phrase (empty: truly not covered)."""


@dataclass(frozen=True)
class _Compiled:
    generic: frozenset[str]
    topics: tuple[tuple[str, tuple[_Phrase, ...]], ...]
    overlaps: tuple[PolicyOverlap, ...]


def _contains(terms: Sequence[str], phrase: tuple[str, ...]) -> bool:
    n = len(phrase)
    return any(tuple(terms[i : i + n]) == phrase for i in range(len(terms) - n + 1))


def _is_number(term: str) -> bool:
    return term.replace(".", "", 1).isdigit()


def _dedupe(terms: Iterable[str]) -> tuple[str, ...]:
    return tuple(dict.fromkeys(terms))


class Retriever:
    """Ranks snippets for a question with BM25 and decides whether to answer.

    Build once with :meth:`build` and reuse: building analyses every document, searching
    only analyses the question.
    """

    __slots__ = (
        "_analyzer",
        "_bm25",
        "_compiled",
        "_doc_sets",
        "_doc_terms",
        "_doc_words",
        "_idf",
        "_ids",
        "_policy",
        "_query_analyzer",
    )

    def __init__(
        self,
        *,
        ids: tuple[str, ...],
        doc_terms: tuple[tuple[str, ...], ...],
        doc_words: frozenset[str],
        analyzer: Analyzer,
        policy: AnswerPolicy,
    ) -> None:
        """Use :meth:`build`; this constructor expects already analysed documents."""
        self._ids = ids
        self._doc_terms = doc_terms
        self._doc_words = doc_words
        self._doc_sets = tuple(frozenset(t) for t in doc_terms)
        self._analyzer = analyzer
        self._policy = policy
        # rank_bm25's BM25Plus adds ``delta * idf`` to every document, matching or not, so
        # delta would only shift all scores; delta=0 keeps scores absolute (0 = no match)
        # while keeping BM25Plus's always-positive idf, log((N + 1) / df).
        self._bm25 = BM25Plus([list(t) for t in doc_terms], k1=BM25_K1, b=BM25_B, delta=0)
        self._idf: dict[str, float] = {str(k): float(v) for k, v in self._bm25.idf.items()}
        self._compiled = self._compile(policy)
        vocabulary = set(analyzer.known_words) | set(doc_words)
        protected: set[str] = set()
        for phrase in self._policy_phrases(policy):
            protected.update(analyzer.words(phrase))
        index_terms = {t for terms in doc_terms for t in terms}
        self._query_analyzer = analyzer.for_questions(vocabulary, index_terms, protected=protected)

    @classmethod
    def build(
        cls,
        documents: Sequence[Document],
        synonyms: Synonyms,
        *,
        policy: AnswerPolicy | None = None,
    ) -> Retriever:
        """Analyse and index ``documents``.

        Args:
            documents: The snippets to search; ids must be unique.
            synonyms: Vocabulary used for documents and questions alike.
            policy: Answer policy; ``None`` means the packaged ``policy.yml``.

        Raises:
            ValueError: On no documents, a duplicate id, a document with no searchable
                term, or a policy term that folds to nothing. A not-covered term that
                occurs in a document is not an error here (a content change must not
                break follow-ups at run time): see :attr:`policy_overlaps`.
        """
        if not documents:
            raise ValueError("cannot build a retriever over no documents")
        analyzer = Analyzer(synonyms)
        ids: list[str] = []
        all_terms: list[tuple[str, ...]] = []
        words: set[str] = set()
        for doc in documents:
            if doc.id in ids:
                raise ValueError(f"duplicate document id {doc.id!r}")
            terms = analyzer.terms(doc.text)
            words.update(analyzer.words(doc.text))
            for keyword in doc.keywords:
                # Keywords widen the vocabulary; they do not add weight to terms the text
                # already has, so a long keyword list cannot dominate the ranking.
                terms += tuple(t for t in analyzer.terms(keyword) if t not in terms)
                words.update(analyzer.words(keyword))
            if not terms:
                raise ValueError(f"document {doc.id!r} has no searchable terms")
            ids.append(doc.id)
            all_terms.append(terms)
        return cls(
            ids=tuple(ids),
            doc_terms=tuple(all_terms),
            doc_words=frozenset(words),
            analyzer=analyzer,
            policy=default_policy() if policy is None else policy,
        )

    def with_policy(self, policy: AnswerPolicy) -> Retriever:
        """Return a retriever over the same index with another policy (for calibration)."""
        return Retriever(
            ids=self._ids,
            doc_terms=self._doc_terms,
            doc_words=self._doc_words,
            analyzer=self._analyzer,
            policy=policy,
        )

    @property
    def ids(self) -> tuple[str, ...]:
        """Ids of the indexed documents, in build order."""
        return self._ids

    @property
    def policy(self) -> AnswerPolicy:
        """The answer policy in force."""
        return self._policy

    @property
    def policy_overlaps(self) -> tuple[PolicyOverlap, ...]:
        """Not-covered terms of the policy that snippets mention (should be empty)."""
        return self._compiled.overlaps

    @staticmethod
    def _policy_phrases(policy: AnswerPolicy) -> tuple[str, ...]:
        return policy.generic_terms + tuple(t for topic in policy.not_covered for t in topic.terms)

    def _compile(self, policy: AnswerPolicy) -> _Compiled:
        generic: set[str] = set()
        for word in policy.generic_terms:
            terms = self._analyzer.terms(word)
            if not terms:
                raise ValueError(f"generic term {word!r} is a stop word or folds to nothing")
            generic.update(terms)
        topics: list[tuple[str, tuple[_Phrase, ...]]] = []
        overlaps: list[PolicyOverlap] = []
        for topic in policy.not_covered:
            phrases: list[_Phrase] = []
            for word in topic.terms:
                phrase = self._analyzer.terms(word)
                if not phrase:
                    raise ValueError(f"not-covered term {word!r} ({topic.topic}) folds to nothing")
                covering = frozenset(
                    i for i, terms in enumerate(self._doc_terms) if _contains(terms, phrase)
                )
                if covering:
                    ids = tuple(self._ids[i] for i in sorted(covering))
                    overlaps.append(PolicyOverlap(topic.topic, word, ids))
                phrases.append(_Phrase(phrase, covering))
            topics.append((topic.topic, tuple(phrases)))
        return _Compiled(generic=frozenset(generic), topics=tuple(topics), overlaps=tuple(overlaps))

    def _scope(self, terms: Sequence[str], best_any: float) -> NoAnswer | frozenset[int] | None:
        """Apply the not-covered list: a refusal, the documents allowed to answer, or None.

        A not-covered phrase that no document mentions refuses the question. One that some
        documents mention (a policy overlap) restricts the answer to those documents.
        """
        allowed: frozenset[int] | None = None
        for topic, phrases in self._compiled.topics:
            for phrase in phrases:
                if not _contains(terms, phrase.terms):
                    continue
                if not phrase.covering:
                    return NoAnswer(NoAnswerReason.NOT_COVERED, round(best_any, 4), topic=topic)
                allowed = phrase.covering if allowed is None else allowed & phrase.covering
                if not allowed:
                    return NoAnswer(NoAnswerReason.NOT_COVERED, round(best_any, 4), topic=topic)
        return allowed

    def analyze(self, question: str) -> tuple[str, ...]:
        """Return the distinct index terms of ``question``, as used by :meth:`search`."""
        return _dedupe(self._query_analyzer.terms(question))

    def _hit(self, index: int, score: float, terms: Sequence[str]) -> Hit:
        doc = self._doc_sets[index]
        return Hit(
            id=self._ids[index],
            score=round(score, 4),
            matched_terms=tuple(t for t in terms if t in doc),
        )

    def _weight(self, term: str) -> float:
        # An unknown word weighs like a term found in a single snippet, log((N + 1) / 1),
        # scaled by the policy.
        known = self._idf.get(term)
        if known is not None:
            return known
        return self._policy.unknown_term_weight * math.log(len(self._ids) + 1)

    def coverage(self, terms: Sequence[str], index: int) -> float:
        """Share of the content-term weight of ``terms`` matched by document ``index``.

        Numbers the index does not know ("80", "30 cm") are left out: they qualify a
        question rather than change its subject.
        """
        content = [
            t
            for t in terms
            if t not in self._compiled.generic and (t in self._idf or not _is_number(t))
        ]
        total = sum(self._weight(t) for t in content)
        if total == 0:
            return 1.0
        doc = self._doc_sets[index]
        return sum(self._weight(t) for t in content if t in doc) / total

    def rescue_hit(self, question: str, snippet_id: str) -> Hit | None:
        """A hit for ``snippet_id`` when it may answer ``question`` despite low coverage.

        Used when another signal (:mod:`guideline_engine.retrieval.learned`) names the
        snippet for a question BM25 declined for low coverage. The snippet must be allowed
        by the not-covered list (:meth:`_scope`), match at least one of the question's
        content terms (not only generic topic words) and score at least ``min_score``.

        Returns:
            The hit, or None when the snippet is unknown or any of these fails.
        """
        if snippet_id not in self._ids:
            return None
        terms = self.analyze(question)
        if not terms:
            return None
        index = self._ids.index(snippet_id)
        scores = [float(s) for s in self._bm25.get_scores(list(terms))]
        scope = self._scope(terms, max(scores))
        if isinstance(scope, NoAnswer) or (scope is not None and index not in scope):
            return None
        doc = self._doc_sets[index]
        if not any(t in doc for t in terms if t not in self._compiled.generic):
            return None
        if scores[index] < self._policy.min_score:
            return None
        return self._hit(index, scores[index], terms)

    def search(self, question: str, *, limit: int = 3) -> RetrievalResult:
        """Find the snippets that answer ``question``, or say why none does.

        Args:
            question: Free-text follow-up question, in any of the supported spellings.
            limit: Maximum number of hits in an :class:`Answer`.

        Returns:
            An :class:`Answer` whose hits all pass the policy (best first), or a
            :class:`NoAnswer` with the reason.

        Raises:
            ValueError: If ``limit`` is less than 1.
        """
        if limit < 1:
            raise ValueError(f"limit must be at least 1, got {limit}")
        terms = self.analyze(question)
        if not terms:
            return NoAnswer(NoAnswerReason.EMPTY_QUESTION, 0.0)
        scores = [float(s) for s in self._bm25.get_scores(list(terms))]
        best_any = max(scores)
        scope = self._scope(terms, best_any)
        if isinstance(scope, NoAnswer):
            return scope
        generic = self._compiled.generic
        content = [t for t in terms if t not in generic]
        if not content:
            fallback = self._policy.generic_fallback
            if fallback is not None and fallback in self._ids:
                index = self._ids.index(fallback)
                if scope is None or index in scope:
                    return Answer((self._hit(index, scores[index], terms),))
            return NoAnswer(NoAnswerReason.NO_CONTENT_MATCH, round(best_any, 4))
        candidates = [
            i
            for i, doc in enumerate(self._doc_sets)
            if (scope is None or i in scope) and any(t in doc for t in content)
        ]
        if not candidates:
            return NoAnswer(NoAnswerReason.NO_CONTENT_MATCH, round(best_any, 4))
        ranked = sorted(candidates, key=lambda i: -scores[i])
        best = scores[ranked[0]]
        if best < self._policy.min_score:
            return NoAnswer(NoAnswerReason.LOW_SCORE, round(best, 4))
        if self.coverage(terms, ranked[0]) < self._policy.min_coverage:
            return NoAnswer(NoAnswerReason.LOW_COVERAGE, round(best, 4))
        hits = tuple(
            self._hit(i, scores[i], terms)
            for i in ranked[:limit]
            if scores[i] >= self._policy.min_score
            and self.coverage(terms, i) >= self._policy.min_coverage
        )
        return Answer(hits)
