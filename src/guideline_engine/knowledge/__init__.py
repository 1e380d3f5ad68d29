"""Curated knowledge base of the guideline chatbot, pending clinical review.

The content is curated from published sources by the project team; no clinician has approved
it yet (every snippet is labelled "pending clinical review" until one does). The approval
state of every clinical artefact is in :mod:`guideline_engine.knowledge.approval`.

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
