"""Answering follow-up questions by retrieval over the curated snippets.

BM25 ranking over analysed terms (spelling folding, light stemming, curated synonyms),
plus an answer policy that says honestly when the guideline does not cover a question.
No data is read at import time.

Typical use::

    from guideline_engine.knowledge import load_knowledge_base
    from guideline_engine.retrieval import Answer, retriever_for

    retriever = retriever_for(load_knowledge_base())  # build once
    result = retriever.search("can I have tablets instead of injections?")
    if isinstance(result, Answer):
        snippet_id = result.best.id
"""

from guideline_engine.retrieval.adapter import (
    KnowledgeBaseLike,
    SnippetLike,
    document_for,
    retriever_for,
)
from guideline_engine.retrieval.check import RetrievalCheck, check_retrieval
from guideline_engine.retrieval.policy import (
    AnswerPolicy,
    NotCoveredTopic,
    default_policy,
    load_policy,
)
from guideline_engine.retrieval.retriever import (
    Answer,
    Document,
    Hit,
    NoAnswer,
    NoAnswerReason,
    PolicyOverlap,
    RetrievalResult,
    Retriever,
)
from guideline_engine.retrieval.synonyms import (
    SynonymGroup,
    Synonyms,
    default_synonyms,
    load_synonyms,
)
from guideline_engine.retrieval.text import Analyzer, stem

__all__ = [
    "Analyzer",
    "Answer",
    "AnswerPolicy",
    "Document",
    "Hit",
    "KnowledgeBaseLike",
    "NoAnswer",
    "NoAnswerReason",
    "NotCoveredTopic",
    "PolicyOverlap",
    "RetrievalCheck",
    "RetrievalResult",
    "Retriever",
    "SnippetLike",
    "SynonymGroup",
    "Synonyms",
    "check_retrieval",
    "default_policy",
    "default_synonyms",
    "document_for",
    "load_policy",
    "load_synonyms",
    "retriever_for",
    "stem",
]
