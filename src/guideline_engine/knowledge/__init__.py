"""Curated, clinically reviewed knowledge base of the guideline chatbot.

Content lives in YAML files under ``guideline_engine/content/<topic>/``; adding a topic
needs only new files. Nothing is read at import time: call :func:`load_knowledge_base`.
"""

from guideline_engine.knowledge.base import (
    APPROVED_ONLY_ENV,
    KnowledgeBase,
    approved_only_from_env,
    load_knowledge_base,
)
from guideline_engine.knowledge.hashing import compute_hash, normalise_text
from guideline_engine.knowledge.model import (
    PENDING_REVIEW_LABEL,
    Citation,
    CitationView,
    Document,
    DocumentKind,
    KnowledgeError,
    Problem,
    Reference,
    Resolution,
    Review,
    ReviewStatus,
    Snippet,
    SnippetSource,
    SourceListing,
)

__all__ = [
    "APPROVED_ONLY_ENV",
    "PENDING_REVIEW_LABEL",
    "Citation",
    "CitationView",
    "Document",
    "DocumentKind",
    "KnowledgeBase",
    "KnowledgeError",
    "Problem",
    "Reference",
    "Resolution",
    "Review",
    "ReviewStatus",
    "Snippet",
    "SnippetSource",
    "SourceListing",
    "approved_only_from_env",
    "compute_hash",
    "load_knowledge_base",
    "normalise_text",
]
