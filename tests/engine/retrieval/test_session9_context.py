"""Follow-up answers fit the plan's situation (review 9 finding 8, HAZ-124)."""

from __future__ import annotations

import pytest

from guideline_engine.retrieval import Answer, Hit, NoAnswer, NoAnswerReason
from guideline_engine.retrieval.context import (
    PlanContext,
    Situation,
    keep_applicable,
    situation_of,
)


@pytest.mark.parametrize(
    ("snippet_id", "section", "neuro", "pregnancy"),
    [
        pytest.param(
            "b12.neuro.loading",
            "initial_treatment.with_neurological_involvement",
            "yes",
            False,
            id="neuro-section",
        ),
        pytest.param(
            "b12.nonneuro.loading",
            "initial_treatment.without_neurological_involvement",
            "no",
            False,
            id="nonneuro-section",
        ),
        pytest.param("b12.monitor.neuro_one_month", "monitoring", "yes", False, id="neuro-id"),
        pytest.param("folate.pregnancy.before_conception", "pregnancy", None, True, id="preg"),
        pytest.param(
            "b12.sps.pregnancy_urgent_haematology", "special_populations", None, True, id="preg-id"
        ),
        pytest.param("b12.overview.im_hydroxocobalamin", "overview", None, False, id="general"),
    ],
)
def test_a_snippets_situation_is_read_from_its_id_and_section(
    snippet_id: str, section: str, neuro: str | None, pregnancy: bool
) -> None:
    found = situation_of(snippet_id, section, "Hydroxocobalamin 1 mg IM.")
    assert (found.neuro, found.pregnancy) == (neuro, pregnancy)


def test_a_cause_named_tentatively_still_makes_a_snippet_about_that_cause() -> None:
    text = "High-dose oral B12 may be effective even in pernicious anaemia."
    assert situation_of("b12.oral.high_dose_pa", "oral_therapy", text).causes == {
        "pernicious_anaemia"
    }


SITUATIONS = {
    "neuro": Situation(neuro="yes"),
    "nonneuro": Situation(neuro="no"),
    "pa": Situation(causes=frozenset({"pernicious_anaemia"})),
    "preg": Situation(pregnancy=True),
    "general": Situation(),
}


def _answer(*ids: str) -> Answer:
    return Answer(tuple(Hit(i, 10.0 - n, ("dose",)) for n, i in enumerate(ids)))


def test_the_other_nerve_status_gives_way_to_the_patients() -> None:
    got = keep_applicable(
        _answer("neuro", "nonneuro"),
        "how often is the loading dose",
        PlanContext("no"),
        SITUATIONS,
    )
    assert isinstance(got, Answer) and [h.id for h in got.hits] == ["nonneuro"]


def test_a_question_about_the_nerves_may_be_answered_for_either_status() -> None:
    got = keep_applicable(
        _answer("neuro", "nonneuro"),
        "and if the nerves were affected?",
        PlanContext("no"),
        SITUATIONS,
    )
    assert isinstance(got, Answer) and [h.id for h in got.hits] == ["neuro", "nonneuro"]


def test_another_causes_evidence_is_not_quoted_for_a_known_cause() -> None:
    context = PlanContext("no", frozenset({"bariatric_surgery"}))
    got = keep_applicable(_answer("pa", "general"), "is 1000 mcg enough", context, SITUATIONS)
    assert isinstance(got, Answer) and [h.id for h in got.hits] == ["general"]


def test_pregnancy_advice_only_when_pregnancy_is_known_or_asked() -> None:
    never = keep_applicable(_answer("preg"), "can i take 400 micrograms", PlanContext(), SITUATIONS)
    assert isinstance(never, NoAnswer) and never.reason is NoAnswerReason.OTHER_SITUATION
    asked = keep_applicable(
        _answer("preg"),
        "can i take 400 micrograms, i'm trying for a baby",
        PlanContext(),
        SITUATIONS,
    )
    assert isinstance(asked, Answer)
    known = keep_applicable(
        _answer("preg"), "can i take 400 micrograms", PlanContext(pregnant=True), SITUATIONS
    )
    assert isinstance(known, Answer)


def test_nothing_known_keeps_every_hit_but_pregnancy() -> None:
    got = keep_applicable(
        _answer("neuro", "nonneuro", "pa", "general"), "how often", PlanContext(), SITUATIONS
    )
    assert isinstance(got, Answer) and len(got.hits) == 4


def test_a_cause_named_in_the_question_lifts_the_cause_filter() -> None:
    context = PlanContext("no", frozenset({"bariatric_surgery"}))
    question = "with pernicious anaemia would 1000 mcg be enough"
    got = keep_applicable(_answer("pa", "general"), question, context, SITUATIONS)
    assert isinstance(got, Answer) and [h.id for h in got.hits] == ["pa", "general"]


def test_an_unanswered_question_is_left_as_it_was() -> None:
    declined = NoAnswer(NoAnswerReason.LOW_SCORE, 0.5)
    assert keep_applicable(declined, "how often", PlanContext("no"), SITUATIONS) is declined
