"""Follow-up search in context: the patient's causes (HAZ-040) and situation (HAZ-124).

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

With the current plan's facts (:class:`PlanContext`), a last rule keeps only the hits written
for the patient's situation, read from each snippet's id, section and wording
(:func:`situation_of`): no loading schedule "when the nerves are affected" for a patient
without nerve symptoms, no pernicious-anaemia evidence for a bariatric patient, no
pre-conception advice to someone who never mentioned pregnancy. With none left the question is
declined (``other_situation``), never answered for another population.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from guideline_engine.retrieval.learned import refine, rescue_label
from guideline_engine.retrieval.retriever import (
    Answer,
    NoAnswer,
    NoAnswerReason,
    RetrievalResult,
    Retriever,
)

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


@dataclass(frozen=True)
class PlanContext:
    """What the current plan knows of the patient, for choosing follow-up answers (HAZ-124).

    Attributes:
        neurological_involvement: ``"yes"``, ``"no"`` or None (not known).
        causes: Cause ids known for the patient.
        pregnant: Whether pregnancy or breastfeeding is known (``"yes"``).
    """

    neurological_involvement: str | None = None
    causes: frozenset[str] = frozenset()
    pregnant: bool = False


@dataclass(frozen=True)
class Situation:
    """Whom a snippet is written for, read from its own id, section and clinician wording.

    Attributes:
        neuro: ``"yes"`` (nerves affected), ``"no"`` (not affected) or None (either).
        causes: The causes its wording names, however tentatively ("may work even in PA").
        pregnancy: Whether it is about pregnancy or conception.
    """

    neuro: str | None = None
    causes: frozenset[str] = frozenset()
    pregnancy: bool = False


_PREGNANCY_WORDS = re.compile(
    r"pregnan|conceiv|concep|breastfe|breast fe|neural tube|\bntds?\b|\bbaby\b|\bttc\b|"
    r"trying for a|start(?:ed|ing)? trying|trying to (?:get pregnant|have a)",
    re.IGNORECASE,
)
_NEURO_WORDS = re.compile(
    r"nerve|neuro|tingl|numb|pins and needles|unsteady|balance|memory", re.IGNORECASE
)
_NEURO_SECTION = {"with_neurological_involvement": "yes", "without_neurological_involvement": "no"}


def situation_of(snippet_id: str, section: str, clinician: str) -> Situation:
    """The :class:`Situation` a snippet is written for (no tagging: ids and wording say it)."""
    parts = snippet_id.split(".")
    neuro = _NEURO_SECTION.get(section.rsplit(".", 1)[-1])
    if neuro is None and "nonneuro" in parts:
        neuro = "no"
    elif neuro is None and any(p == "neuro" or p.startswith("neuro_") for p in parts):
        neuro = "yes"
    pregnancy = "pregnancy" in section or any("pregnancy" in p for p in parts)
    return Situation(neuro, _causes_mentioned(clinician), pregnancy)


def _causes_mentioned(text: str) -> frozenset[str]:
    """Causes a snippet's wording names, affirmed or not ("may be effective even in PA")."""
    from guideline_engine.extraction.extract import extract

    found = extract(text)
    named = {str(f["id"]) for f in found.findings_as_dicts() if f.get("kind") == "cause"}
    return frozenset(named) | frozenset(found.causes)


def keep_applicable(
    result: RetrievalResult,
    question: str,
    context: PlanContext,
    situations: Mapping[str, Situation],
) -> RetrievalResult:
    """Only the hits written for the patient's situation; a decline when none is.

    A hit is dropped when it is for the other nerve status than the plan's, for another cause
    than the patient's (when causes are known), or about pregnancy when neither the plan nor
    the question is. What the question itself names wins over the plan ("and if the nerves
    were affected?"; a cause it names lifts the cause filter). With nothing left the answer is
    declined (``other_situation``) rather than quoted from guidance for another population.
    """
    if not isinstance(result, Answer):
        return result
    asked = _asked_situation(question)
    neuro = asked.neuro or context.neurological_involvement
    if asked.neuro is None and _NEURO_WORDS.search(question):
        neuro = None  # "and if the nerves were affected?": either situation may answer
    # A question naming a cause is about that cause: no cause filter (the cause words of a
    # question and of a snippet may differ in detail: antiepileptic vs medication).
    causes = frozenset() if asked.causes else context.causes
    pregnancy = asked.pregnancy or context.pregnant

    def fits(hit_id: str) -> bool:
        about = situations.get(hit_id, Situation())
        if about.neuro and neuro in ("yes", "no") and about.neuro != neuro:
            return False
        if about.causes and causes and not about.causes & causes:
            return False
        return not (about.pregnancy and not pregnancy)

    kept = tuple(h for h in result.hits if fits(h.id))
    if kept == result.hits:
        return result
    if not kept:
        return NoAnswer(NoAnswerReason.OTHER_SITUATION, result.best.score)
    return Answer(kept)


def _asked_situation(question: str) -> Situation:
    """The situation a question names itself: nerve status, causes, pregnancy."""
    from guideline_engine.extraction.extract import extract

    found = extract(question)
    neuro = found.neurological_involvement
    return Situation(
        neuro if neuro in ("yes", "no") else None,
        frozenset(found.causes),
        bool(_PREGNANCY_WORDS.search(question)) or found.pregnant == "yes",
    )


def search_in_context(
    retriever: Retriever,
    question: str,
    patient_causes: Iterable[str],
    about_cause: Mapping[str, frozenset[str]],
    promote: bool = True,
    context: PlanContext | None = None,
    situations: Mapping[str, Situation] | None = None,
) -> RetrievalResult:
    """Search ``question`` with the patient's causes as context (see the module docstring).

    Args:
        retriever: The topic's follow-up retriever.
        question: The question as written.
        patient_causes: Cause ids known for the patient in this conversation.
        about_cause: Snippet id -> the causes its own wording names (empty: general).
        promote: Whether the learned signal may put another snippet first (see
            :func:`guideline_engine.retrieval.learned.refine`).
        context: The current plan's facts; with ``situations``, only hits written for the
            patient's situation are kept (:func:`keep_applicable`), last of all.
        situations: Snippet id -> the situation it is written for (:func:`situation_of`).
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
    result = _rescued(retriever, result, question) if promote else result
    if context is None or situations is None:
        return result
    return keep_applicable(result, question, context, situations)


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
