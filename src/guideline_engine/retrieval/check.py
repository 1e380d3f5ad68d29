"""Start-up and CI validation of follow-up retrieval over the real knowledge base.

The retriever is otherwise built lazily at the first follow-up question; building it here,
when a server starts and in ``make kb-validate``, turns a content change that breaks it
into a clear message before any user asks.
"""

from __future__ import annotations

from dataclasses import dataclass

from guideline_engine.retrieval.adapter import KnowledgeBaseLike, retriever_for
from guideline_engine.retrieval.policy import AnswerPolicy
from guideline_engine.retrieval.retriever import PolicyOverlap, Retriever
from guideline_engine.retrieval.synonyms import Synonyms


@dataclass(frozen=True)
class RetrievalCheck:
    """The built retriever and what is wrong with its data, if anything.

    Attributes:
        retriever: The retriever, built exactly as the actions build it.
        problems: Data errors that do not stop retrieval but must be fixed (a not-covered
            term that a snippet mentions, a generic fallback that is no snippet).
    """

    retriever: Retriever
    problems: tuple[str, ...]

    def summary(self) -> str:
        """One line for logs and the command line."""
        r = self.retriever
        return (
            f"follow-up retriever: {len(r.ids)} snippets indexed, "
            f"{len(r.policy.not_covered)} not-covered topics, {len(self.problems)} problem(s)"
        )


def _stale(kb: KnowledgeBaseLike, overlaps: tuple[PolicyOverlap, ...]) -> list[PolicyOverlap]:
    """Overlaps with the default topic's own snippets (the topic policy.yml was written for).

    A not-covered term that only another topic's snippets mention is that topic's to answer:
    such questions are answered from those snippets, and the policy is not out of date.
    """
    from guideline_engine.topics import topics

    owner = topics().default.kb_topic
    own = {s.id for s in kb.snippets if getattr(s, "topic", owner) == owner}
    return [o for o in overlaps if own & set(o.snippet_ids)]


def check_retrieval(
    kb: KnowledgeBaseLike,
    *,
    synonyms: Synonyms | None = None,
    policy: AnswerPolicy | None = None,
) -> RetrievalCheck:
    """Build the retriever over ``kb`` and list the data problems that need a fix.

    Args:
        kb: The knowledge base the actions search (every snippet, approved or not).
        synonyms: Vocabulary; ``None`` means the packaged ``synonyms.yml``.
        policy: Answer policy; ``None`` means the packaged ``policy.yml``.

    Raises:
        ValueError: If the retriever cannot be built (bad vocabulary or policy file, a
            duplicate snippet id, a snippet with no searchable term); the message says which.
    """
    retriever = retriever_for(kb, synonyms=synonyms, policy=policy)
    problems = [f"policy.yml: {o.message()}" for o in _stale(kb, retriever.policy_overlaps)]
    fallback = retriever.policy.generic_fallback
    if fallback is not None and fallback not in retriever.ids:
        problems.append(
            f"policy.yml: generic_fallback {fallback!r} is not a snippet id: questions made "
            f"only of generic words would get no answer"
        )
    return RetrievalCheck(retriever, tuple(problems))
