"""Clinicians' shorthand and lay words reach the snippets; a child's age is never an adult's.

Session 8: about 40 covered follow-ups were declined for low coverage because shorthand
("maint", "q3m", "w/o", "NTD") and lay words ("first lot", "grey area", "stomach op for my
weight") met no snippet term; "what dose of b12 would my 4 year old need" was answered with the
adult cyanocobalamin regimen, "old" being read as elderly (HAZ-082). The learned signal may now
answer a low-coverage decline with a snippet that matches the question itself, never a curated
"not covered" decline (HAZ-083). Every question here is written for these tests, not taken from an
evaluation set.
"""

from __future__ import annotations

import pytest

from actions.engine import cause_snippets, retriever
from guideline_engine.retrieval import Answer, NoAnswer, NoAnswerReason, learned
from guideline_engine.retrieval.context import search_in_context
from guideline_engine.retrieval.text import expand_intervals, name_child_ages


def _search(question: str, topic: str = "b12", promote: bool = True) -> Answer | NoAnswer:
    return search_in_context(retriever(topic), question, (), cause_snippets(topic), promote)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("maint q3m", "maint every 3 months", id="months"),
        pytest.param("Q8WK or q12w", "every 8 weeks or every 12 weeks", id="weeks-upper-case"),
        pytest.param("q2-3m for life", "every 2-3 months for life", id="range"),
        pytest.param("faq2m and q12", "faq2m and q12", id="not-an-interval"),
    ],
)
def test_dosing_interval_shorthand_is_written_out(text: str, expected: str) -> None:
    assert expand_intervals(text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("my 4 year old", "my child", id="child"),
        pytest.param("her 15-yr-old son", "her child son", id="fifteen"),
        pytest.param("a 9 month old", "a baby", id="months-is-a-baby"),
        pytest.param("my 16 year old", "my 16 year old", id="sixteen-is-adult-scope"),
        pytest.param("my 84 yr old mum", "my 84 yr old mum", id="adult-age-kept"),
    ],
)
def test_an_age_under_16_is_named_as_a_child(text: str, expected: str) -> None:
    assert name_child_ages(text) == expected


def test_a_childs_dose_question_is_declined_never_answered_with_an_adult_regimen() -> None:
    result = _search("how much b12 does my 7 year old need")
    assert isinstance(result, NoAnswer)
    assert result.reason is NoAnswerReason.NOT_COVERED and result.topic == "children"


def test_a_childs_folate_question_gets_the_under_16_hand_off() -> None:
    result = _search("my 3 yr old has low folate, what strength of tablet", topic="folate")
    assert isinstance(result, Answer) and result.best.id == "folate.policy.under_16"


def test_an_older_adults_age_still_reads_as_elderly() -> None:
    result = _search("my 84 year old dad has low b12, is he at higher risk")
    assert isinstance(result, Answer) and result.best.id == "b12.population.elderly"


@pytest.mark.parametrize(
    ("question", "snippet"),
    [
        pytest.param(
            "hydroxo maint q3m ok if there is no nerve involvement?",
            "b12.nonneuro.maintenance",
            id="maint-q3m",
        ),
        pytest.param(
            "how many jabs in the first lot if no nerve symptoms",
            "b12.nonneuro.loading",
            id="first-lot",
        ),
        pytest.param(
            "my result is in the grey area, is there a further test",
            "b12.tests.mma_if_indeterminate",
            id="grey-area",
        ),
        pytest.param(
            "had stomach surgery for my weight, do i keep the b12 going",
            "b12.cause.bariatric",
            id="stomach-surgery-for-weight",
        ),
        pytest.param(
            "pt refuses IM, is PO ok", "b12.oral.preference_or_contraindication", id="po-im"
        ),
    ],
)
def test_shorthand_and_lay_words_reach_the_snippet(question: str, snippet: str) -> None:
    result = _search(question)
    assert isinstance(result, Answer) and result.best.id == snippet


# Declined for low coverage by BM25 ("lady", "surgery", "mate" match nothing).
LOW_COVERAGE = "the lady at the surgery said my jabs go on until i stop improving, my mate reckons"


@pytest.fixture
def signal(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, float]]:
    """What the learned signal says, set by each test (the real classifier is not asked)."""
    said: list[tuple[str, float]] = []
    monkeypatch.setattr(learned, "best", lambda model, question: said[0] if said else None)
    return said


def test_bm25_alone_declines_the_low_coverage_question() -> None:
    result = retriever("b12").search(LOW_COVERAGE)
    assert isinstance(result, NoAnswer) and result.reason is NoAnswerReason.LOW_COVERAGE


def test_a_confident_signal_answers_a_low_coverage_decline(
    signal: list[tuple[str, float]],
) -> None:
    signal.append(("b12.neuro.maintenance", learned.load_training().rescue))
    result = _search(LOW_COVERAGE)
    assert isinstance(result, Answer) and result.best.id == "b12.neuro.maintenance"


def test_an_unconfident_signal_leaves_the_decline(signal: list[tuple[str, float]]) -> None:
    signal.append(("b12.neuro.maintenance", learned.load_training().rescue - 0.01))
    assert isinstance(_search(LOW_COVERAGE), NoAnswer)


def test_an_unapproved_signal_never_answers_a_decline(signal: list[tuple[str, float]]) -> None:
    signal.append(("b12.neuro.maintenance", 0.99))
    assert isinstance(_search(LOW_COVERAGE, promote=False), NoAnswer)


def test_the_signal_never_answers_with_a_snippet_that_does_not_match_the_question(
    signal: list[tuple[str, float]],
) -> None:
    signal.append(("b12.population.vegan", 0.99))
    assert isinstance(_search(LOW_COVERAGE), NoAnswer)


def test_the_signal_never_answers_what_the_policy_declines_as_not_covered(
    signal: list[tuple[str, float]],
) -> None:
    signal.append(("b12.nonneuro.maintenance", 0.99))
    result = _search("how much do the maintenance jabs cost, my mate reckons")
    assert isinstance(result, NoAnswer) and result.reason is NoAnswerReason.NOT_COVERED


def test_rescue_label_only_reads_low_coverage_declines(signal: list[tuple[str, float]]) -> None:
    signal.append(("b12.neuro.loading", 0.99))
    ids = {"b12.neuro.loading"}
    for reason in NoAnswerReason:
        label = learned.rescue_label(NoAnswer(reason, 3.0), "q", ids)
        assert (label is not None) == (reason is NoAnswerReason.LOW_COVERAGE), reason
    assert learned.rescue_label(NoAnswer(NoAnswerReason.LOW_COVERAGE, 3.0), "q", {"x"}) is None


@pytest.mark.parametrize(
    "question",
    [
        "maint dose for my 7 yo",
        "dose of hydroxo for a 4yo",
        "my son is 12 what dose of b12 tablets",
    ],
)
def test_a_childs_age_in_shorthand_is_a_child(question: str) -> None:
    """Independent review, session 8 (finding 5): "7 yo", "4yo", "my son is 12"."""
    result = _search(question)
    assert isinstance(result, NoAnswer)
    assert result.reason is NoAnswerReason.NOT_COVERED and result.topic == "children"
