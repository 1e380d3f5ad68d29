"""A question of how long treatment lasts gets the answer for this patient's cause (HAZ-040).

"how long will treatment last?" after a plan ranked the bariatric snippet ("no end date") first,
for a patient of any cause, and with folate content in one index the folate course ("at least 4
months") could rank first. Now a follow-up searches its topic's own index, and
``search_in_context`` uses the patient's causes: a snippet about another cause never answers
first, and with no cause known a general snippet scoring close to a cause-specific one answers.
"""

from __future__ import annotations

from functools import cache

import pytest

from actions.engine import cause_snippets, retriever
from guideline_engine.retrieval import Answer
from guideline_engine.retrieval.context import search_in_context
from guideline_engine.topics import topics
from tests.actions.conversation import Conversation

GENERAL_DURATION = {
    "b12.ng239.lifelong_if_irreversible",
    "b12.ng239.stop_or_reduce_when_cause_resolved",
    "b12.nonneuro.maintenance",
}
QUESTIONS = [
    pytest.param("how long will treatment last?", id="last"),
    pytest.param("how long is treatment?", id="is"),
    pytest.param("how long will I need treatment for?", id="need"),
]


@cache
def _default() -> str:
    return topics().default.id


def _best(question: str, causes: tuple[str, ...]) -> str:
    result = search_in_context(retriever(_default()), question, causes, cause_snippets(_default()))
    assert isinstance(result, Answer)
    return result.best.id


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_duration_question_naming_no_cause_gets_the_general_answer(question: str) -> None:
    assert _best(question, ()) in GENERAL_DURATION


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_pernicious_anaemia_patient_gets_the_lifelong_answer_not_the_bariatric_one(
    question: str,
) -> None:
    assert _best(question, ("pernicious_anaemia",)) == "b12.cause.malabsorption_lifelong"


@pytest.mark.parametrize("question", QUESTIONS)
def test_a_dietary_patient_is_not_told_a_malabsorption_or_bariatric_duration(question: str) -> None:
    assert _best(question, ("dietary",)) not in {
        "b12.cause.malabsorption_lifelong",
        "b12.cause.bariatric",
    }


def test_a_duration_question_naming_the_cause_gets_that_cause() -> None:
    assert (
        _best("had a gastric sleeve, how long do I keep taking b12?", ()) == "b12.cause.bariatric"
    )
    # the cause the question names wins over the patient's recorded one
    best = _best("had a gastric sleeve, how long do I keep taking b12?", ("pernicious_anaemia",))
    assert best == "b12.cause.bariatric"


async def test_after_a_pernicious_anaemia_plan_the_duration_answer_is_for_that_cause() -> None:
    chat = Conversation(audience="patient")
    await chat.say("62F pernicious anaemia, no neuro symptoms")
    turn = await chat.say("how long will treatment last?", "ask_followup")
    (answer,) = turn.payloads("b12.answer")
    assert answer["snippets"][0]["snippet_id"] == "b12.cause.malabsorption_lifelong"
    assert answer["topic"] == "b12"
