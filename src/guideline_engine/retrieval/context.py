"""Follow-up search with the conversation's context: the patient's causes (HAZ-040).

A question such as "how long will treatment last?" names no cause. Searched alone, BM25 ranks
whichever cause-specific snippet words "how long" most briefly (the bariatric one), whatever
the patient's cause. Two rules, both data-free:

- with the patient's causes known, a snippet about another cause never answers first: the first
  hit about one of the patient's causes or about no particular cause does (a pernicious-anaemia
  patient gets the lifelong malabsorption answer, not the bariatric one);
- with no cause known either way, a snippet about one cause does not answer first when a
  snippet about no particular cause scores close to it (within :data:`GENERAL_RATIO`).

Which snippets are about a cause is read from their own clinician wording by the extractor's
cause vocabulary, so a new snippet needs no tagging.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping

from guideline_engine.retrieval.learned import refine, rescue_label
from guideline_engine.retrieval.retriever import Answer, RetrievalResult, Retriever

GENERAL_RATIO = 0.85
"""A general snippet answers first when it scores at least this share of a cause snippet's."""


def causes_named(text: str) -> frozenset[str]:
    """Causes a text names about the patient (the extractor's cause vocabulary and rules)."""
    from guideline_engine.extraction.extract import extract

    return frozenset(extract(text).causes)


def _front(result: Answer, index: int) -> Answer:
    hit = result.hits[index]
    return Answer((hit, *(h for h in result.hits if h is not hit)))


def _prefer_patients(
    result: Answer, about_cause: Mapping[str, frozenset[str]], known: frozenset[str]
) -> Answer:
    for index, hit in enumerate(result.hits):
        about = about_cause.get(hit.id, frozenset())
        if not about or about & known:
            return _front(result, index) if index else result
    return result


def _prefer_general(result: Answer, about_cause: Mapping[str, frozenset[str]]) -> Answer:
    best = result.best
    if not about_cause.get(best.id):
        return result
    for index, hit in enumerate(result.hits[1:], start=1):
        if hit.score < GENERAL_RATIO * best.score:
            break
        if not about_cause.get(hit.id):
            return _front(result, index)
    return result


def search_in_context(
    retriever: Retriever,
    question: str,
    patient_causes: Iterable[str],
    about_cause: Mapping[str, frozenset[str]],
    promote: bool = True,
) -> RetrievalResult:
    """Search ``question`` with the patient's causes as context (see the module docstring).

    Args:
        retriever: The topic's follow-up retriever.
        question: The question as written.
        patient_causes: Cause ids known for the patient in this conversation.
        about_cause: Snippet id -> the causes its own wording names (empty: general).
        promote: Whether the learned signal may put another snippet first (see
            :func:`guideline_engine.retrieval.learned.refine`).
    """
    result = retriever.search(question)
    if isinstance(result, Answer) and not causes_named(question):
        known = frozenset(patient_causes)
        if known:
            result = _prefer_patients(result, about_cause, known)
        else:
            result = _prefer_general(result, about_cause)
    # Last, the learned signal: questions written like this one were answered by... (or
    # were not covered); it refines an answer, never overrules a curated decline.
    result = refine(result, question, retriever.ids, promote)
    return _rescued(retriever, result, question) if promote else result


def _rescued(retriever: Retriever, result: RetrievalResult, question: str) -> RetrievalResult:
    """A low-coverage decline answered by the snippet the learned signal names, if it fits.

    The snippet must itself match the question (a content word, the policy's score and
    scope: :meth:`Retriever.rescue_hit`), so shorthand the vocabulary lacks ("maint", "q3m")
    can be answered, while a question about something else keeps its decline.
    """
    label = rescue_label(result, question, retriever.ids)
    hit = None if label is None else retriever.rescue_hit(question, label)
    return result if hit is None else Answer((hit,))


def snippet_causes(snippets: Iterable[tuple[str, str]]) -> dict[str, frozenset[str]]:
    """Snippet id -> causes its clinician wording names, for ``(id, clinician text)`` pairs."""
    return {sid: causes_named(text) for sid, text in snippets}
