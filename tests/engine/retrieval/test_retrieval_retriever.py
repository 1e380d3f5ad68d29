"""Ranking and the decision to answer (guideline_engine.retrieval.retriever)."""

from __future__ import annotations

import dataclasses
import time

import pytest
from retrieval_fixtures import FIXTURE_POLICY

from guideline_engine.retrieval import (
    Answer,
    AnswerPolicy,
    Document,
    Hit,
    NoAnswer,
    NoAnswerReason,
    NotCoveredTopic,
    PolicyOverlap,
    Retriever,
    Synonyms,
)


@pytest.mark.parametrize(
    ("question", "expected"),
    [
        pytest.param(
            "how often are the jabs if I have tingling", "b12.neuro.loading", id="patient-neuro"
        ),
        pytest.param(
            "no nerve problems, how many injections a week",
            "b12.nonneuro.loading",
            id="negated-neuro",
        ),
        pytest.param(
            "can I have tablets, I hate needles",
            "b12.oral.preference_or_contraindication",
            id="needle-phobia",
        ),
        pytest.param(
            "Is IM B12 safe with thrombocytopenia?",
            "b12.population.thrombocytopenia",
            id="clinician-platelets",
        ),
        pytest.param(
            "is it safe with low platelets",
            "b12.population.thrombocytopenia",
            id="patient-platelets",
        ),
        pytest.param("is folic acid ok before b12", "b12.folic_acid.not_before_b12", id="folic"),
        pytest.param("plant based diet", "b12.population.vegan", id="vegan-synonym"),
        pytest.param("VEGETARIAN", "b12.population.vegan", id="upper-case"),
    ],
)
def test_answers_in_scope_questions(retriever: Retriever, question: str, expected: str) -> None:
    result = retriever.search(question)
    assert isinstance(result, Answer), result
    assert result.best.id == expected


@pytest.mark.parametrize(
    ("question", "reason"),
    [
        pytest.param(
            "What is the capital of France?", NoAnswerReason.NO_CONTENT_MATCH, id="off-topic"
        ),
        pytest.param("recommend a pizza place", NoAnswerReason.NO_CONTENT_MATCH, id="pizza"),
        pytest.param(
            "how is iron deficiency anaemia treated?",
            NoAnswerReason.NO_CONTENT_MATCH,
            id="generic-plus-unknown",
        ),
        pytest.param("what about children", NoAnswerReason.NOT_COVERED, id="not-covered"),
        pytest.param("injection", NoAnswerReason.LOW_SCORE, id="weak-single-term"),
        pytest.param("do the injections hurt", NoAnswerReason.LOW_SCORE, id="near-topic"),
        pytest.param("", NoAnswerReason.EMPTY_QUESTION, id="empty"),
        pytest.param("???  ...", NoAnswerReason.EMPTY_QUESTION, id="punctuation"),
        pytest.param("what should I do?", NoAnswerReason.EMPTY_QUESTION, id="stop-words"),
    ],
)
def test_says_honestly_when_not_covered(
    retriever: Retriever, question: str, reason: NoAnswerReason
) -> None:
    result = retriever.search(question)
    assert isinstance(result, NoAnswer), result
    assert result.reason is reason


def test_not_covered_names_the_topic_even_when_other_words_match(retriever: Retriever) -> None:
    result = retriever.search("hydroxocobalamin dose for children with neurological symptoms")
    assert isinstance(result, NoAnswer)
    assert (result.reason, result.topic) == (NoAnswerReason.NOT_COVERED, "children")
    assert result.best_score > FIXTURE_POLICY.min_score  # it would have matched otherwise


def test_low_coverage_when_most_of_the_question_is_unknown(retriever: Retriever) -> None:
    question = "vegan marathon runner electrolytes hydration"
    permissive = retriever.with_policy(FIXTURE_POLICY.replace(min_coverage=0.0))
    assert isinstance(permissive.search(question), Answer)
    result = retriever.search(question)
    assert isinstance(result, NoAnswer)
    assert result.reason is NoAnswerReason.LOW_COVERAGE


def test_generic_question_gets_the_fallback_snippet(retriever: Retriever) -> None:
    result = retriever.search("how is B12 deficiency anaemia treated")
    assert isinstance(result, Answer)
    assert [h.id for h in result.hits] == ["b12.overview.im_hydroxocobalamin"]


def test_generic_question_without_fallback_is_not_answered(retriever: Retriever) -> None:
    strict = retriever.with_policy(dataclasses.replace(FIXTURE_POLICY, generic_fallback=None))
    result = strict.search("how is B12 deficiency anaemia treated")
    assert isinstance(result, NoAnswer)
    assert result.reason is NoAnswerReason.NO_CONTENT_MATCH


def test_a_missing_fallback_snippet_is_ignored(
    documents: tuple[Document, ...], synonyms: Synonyms
) -> None:
    subset = [d for d in documents if d.id != "b12.overview.im_hydroxocobalamin"]
    retriever = Retriever.build(subset, synonyms, policy=FIXTURE_POLICY)
    assert isinstance(retriever.search("B12 deficiency treatment"), NoAnswer)


def test_hits_are_ranked_limited_and_all_pass_the_policy(retriever: Retriever) -> None:
    result = retriever.search("how often are the jabs if I have tingling", limit=5)
    assert isinstance(result, Answer)
    scores = [h.score for h in result.hits]
    assert scores == sorted(scores, reverse=True)
    assert all(s >= FIXTURE_POLICY.min_score for s in scores)
    assert result.hits[0] == Hit(
        "b12.neuro.loading", scores[0], ("frequency", "injection", "neuro")
    )
    one = retriever.search("how often are the jabs if I have tingling", limit=1)
    assert isinstance(one, Answer) and len(one.hits) == 1


def test_limit_must_be_positive(retriever: Retriever) -> None:
    with pytest.raises(ValueError, match="limit must be at least 1"):
        retriever.search("vegan", limit=0)


def test_results_are_immutable(retriever: Retriever) -> None:
    result = retriever.search("vegan")
    assert isinstance(result, Answer)
    with pytest.raises(dataclasses.FrozenInstanceError):
        result.best.score = 99.0  # type: ignore[misc]


def test_analyze_exposes_the_question_terms(retriever: Retriever) -> None:
    assert retriever.analyze("Jabs, jabs and more JABS by mouth") == ("injection", "oral")
    assert retriever.ids[0] == "b12.overview.im_hydroxocobalamin"
    assert retriever.policy is FIXTURE_POLICY


def test_build_rejects_bad_input(documents: tuple[Document, ...], synonyms: Synonyms) -> None:
    with pytest.raises(ValueError, match="no documents"):
        Retriever.build([], synonyms, policy=FIXTURE_POLICY)
    with pytest.raises(ValueError, match="duplicate document id"):
        Retriever.build([documents[0], documents[0]], synonyms, policy=FIXTURE_POLICY)
    with pytest.raises(ValueError, match="no searchable terms"):
        Retriever.build([Document("x", "the and of")], synonyms, policy=FIXTURE_POLICY)


def test_a_not_covered_term_a_snippet_mentions_restricts_answers_instead_of_breaking(
    documents: tuple[Document, ...], synonyms: Synonyms
) -> None:
    # Content that starts covering a listed topic must not stop follow-ups at run time: the
    # build succeeds, reports the overlap, and answers such questions only from the
    # snippets that mention the term.
    policy = dataclasses.replace(
        FIXTURE_POLICY,
        not_covered=(
            NotCoveredTopic("diet", ("fortified foods",)),
            NotCoveredTopic("children", ("child",)),
        ),
    )
    retriever = Retriever.build(documents, synonyms, policy=policy)
    assert retriever.policy_overlaps == (
        PolicyOverlap("diet", "fortified foods", ("b12.population.vegan",)),
    )
    assert "remove or narrow" in retriever.policy_overlaps[0].message()
    result = retriever.search("are fortified foods enough or do I need injections")
    assert isinstance(result, Answer), result
    assert {hit.id for hit in result.hits} == {"b12.population.vegan"}
    refused = retriever.search("fortified foods for a child")
    assert isinstance(refused, NoAnswer)
    assert (refused.reason, refused.topic) == (NoAnswerReason.NOT_COVERED, "children")


def test_build_rejects_a_generic_term_that_is_a_stop_word(
    documents: tuple[Document, ...], synonyms: Synonyms
) -> None:
    policy = AnswerPolicy(min_score=1.0, generic_terms=("the",))
    with pytest.raises(ValueError, match="generic term 'the'"):
        Retriever.build(documents, synonyms, policy=policy)


def test_default_policy_is_the_packaged_one(
    documents: tuple[Document, ...], synonyms: Synonyms
) -> None:
    from guideline_engine.retrieval import default_policy

    assert Retriever.build(documents, synonyms).policy is default_policy()


def test_search_is_fast_after_build(retriever: Retriever) -> None:
    questions = [
        "how often are the jabs if I have tingling",
        "can I have tablets, I hate needles",
        "What is the capital of France?",
        "hydroxocobalmin dose for pernicous anaemia with numbnes",  # typos: correction path
    ] * 50
    retriever.search(questions[0])
    start = time.perf_counter()
    for q in questions:
        retriever.search(q)
    per_question = (time.perf_counter() - start) / len(questions)
    assert per_question < 0.005, f"{per_question * 1000:.2f} ms per question"
