"""Building a :class:`Retriever` from the curated knowledge base.

Typed against small protocols rather than :mod:`guideline_engine.knowledge`, so the
retriever can be tested with any objects that look like snippets.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Protocol

from guideline_engine.retrieval.policy import AnswerPolicy
from guideline_engine.retrieval.retriever import Document, Retriever
from guideline_engine.retrieval.synonyms import Synonyms, default_synonyms

_SECTION_SEPARATORS = re.compile(r"[._]+")


class SnippetLike(Protocol):
    """What the retriever reads from a curated snippet."""

    @property
    def id(self) -> str:
        """Snippet id."""

    @property
    def section(self) -> str:
        """Dotted section name, e.g. ``initial_treatment.with_neurological_involvement``."""

    @property
    def clinician(self) -> str:
        """Wording for clinicians."""

    @property
    def patient(self) -> str:
        """Wording for patients."""

    @property
    def keywords(self) -> Sequence[str]:
        """Curated search phrases."""


class KnowledgeBaseLike(Protocol):
    """What the retriever reads from the knowledge base."""

    @property
    def snippets(self) -> Sequence[SnippetLike]:
        """The visible snippets."""


def document_for(snippet: SnippetLike) -> Document:
    """Return the searchable :class:`Document` of one snippet.

    The text joins both wordings (clinicians and patients word questions differently)
    and the words of the section's last part: ``initial_treatment.with_neurological_
    involvement`` contributes "with neurological involvement" only, because the parent
    part is shared by loading and maintenance snippets alike. Keywords stay separate
    phrases.
    """
    section_words = _SECTION_SEPARATORS.sub(" ", snippet.section.rsplit(".", 1)[-1])
    return Document(
        id=snippet.id,
        text=f"{snippet.clinician}\n{snippet.patient}\n{section_words}",
        keywords=tuple(snippet.keywords),
    )


def retriever_for(
    kb: KnowledgeBaseLike,
    *,
    synonyms: Synonyms | None = None,
    policy: AnswerPolicy | None = None,
) -> Retriever:
    """Build a retriever over the visible snippets of ``kb``.

    Building takes a few milliseconds; build once per knowledge base and reuse it.

    Args:
        kb: The loaded knowledge base (``guideline_engine.knowledge.load_knowledge_base()``).
        synonyms: Vocabulary; ``None`` means the packaged ``synonyms.yml``.
        policy: Answer policy; ``None`` means the packaged ``policy.yml``.

    Raises:
        ValueError: See :meth:`Retriever.build`.
    """
    return Retriever.build(
        [document_for(s) for s in kb.snippets],
        default_synonyms() if synonyms is None else synonyms,
        policy=policy,
    )
