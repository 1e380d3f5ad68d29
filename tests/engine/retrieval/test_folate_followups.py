"""Folate follow-ups are answered by the folate snippet that states the fact asked (HAZ-063).

Before issues 10 and 11 were worked on, the folate package had no snippet on the risks of excess
folic acid, serum against red cell folate, homocysteine, MMA when B12 is borderline, or folic
acid before conception. A question about folic acid with epilepsy medicines was answered by the
"treatment dose is high" snippet, which names none of those risks (reassurance by omission), and
"take loads" was read as a B12 loading dose. The questions here are written for these tests, not
taken from an evaluation set.
"""

from __future__ import annotations

import re

import pytest

from actions.engine import cause_snippets, retriever
from guideline_engine.knowledge import load_knowledge_base
from guideline_engine.retrieval import Answer, NoAnswer, default_synonyms
from guideline_engine.retrieval.context import search_in_context
from guideline_engine.retrieval.text import Analyzer
from guideline_engine.topics import topics

# As tests/topics/test_topic_packages.py: a dose, a frequency or a length of treatment.
DOSE = re.compile(
    r"\d+(?:\.\d+)?\s*(?:mg|µg|mcg|micrograms?|milligrams?)\b|\b(?:daily|weekly|monthly|"
    r"once a day|twice|three times|alternate days|every \d|\d+ (?:weeks?|months?))",
    re.IGNORECASE,
)


def _top(question: str, topic: str = "folate") -> str | None:
    result = search_in_context(retriever(topic), question, (), cause_snippets(topic))
    return result.best.id if isinstance(result, Answer) else None


@pytest.mark.parametrize(
    ("question", "snippet"),
    [
        pytest.param(
            "I take lamotrigine for epilepsy, is folic acid ok with it?",
            "folate.safety.excess_risks",
            id="epilepsy-medicine",
        ),
        pytest.param(
            "could lots of folic acid damage my liver?", "folate.safety.excess_risks", id="liver"
        ),
        pytest.param("is folic acid linked to cancer", "folate.safety.excess_risks", id="cancer"),
        pytest.param(
            "what is a red cell folate test for?",
            "folate.tests.serum_or_red_cell_folate",
            id="red-cell",
        ),
        pytest.param(
            "why would they measure hcy as well as folate", "folate.tests.homocysteine", id="hcy"
        ),
        pytest.param(
            "what is the MMA test for if my b12 is borderline?",
            "folate.before.mma_if_b12_borderline",
            id="mma",
        ),
        pytest.param(
            "we are trying for a baby, should I be on folic acid?",
            "folate.pregnancy.before_conception",
            id="preconception",
        ),
    ],
)
def test_a_folate_question_gets_the_snippet_stating_its_fact(question: str, snippet: str) -> None:
    assert _top(question) == snippet


def test_a_question_on_epilepsy_medicines_is_not_answered_by_a_snippet_silent_on_them() -> None:
    kb = load_knowledge_base(approved_only=False)
    top = _top("is folic acid safe with my epilepsy medicine?")
    assert top is not None
    assert "epilep" in kb.snippet(top).text("patient").lower()


def test_taking_loads_is_a_lot_not_a_loading_dose() -> None:
    analyzer = Analyzer(default_synonyms())
    assert "loading" not in analyzer.terms("what if I take loads of it")
    assert "loading" in analyzer.terms("how long is the loading dose")


def test_the_b12_index_still_declines_homocysteine() -> None:
    result = retriever(topics().default.id).search("why measure hcy?")
    assert isinstance(result, NoAnswer)


def test_a_folate_only_subject_routes_to_folate_but_not_out_of_a_b12_conversation() -> None:
    every = topics()
    assert every.for_question("what is homocysteine for?", None).id == "folate"
    assert every.for_question("is spina bifida a worry?", None).id == "folate"
    assert every.for_question("what is homocysteine for?", every.default.id).default


def test_no_folate_snippet_gives_a_patient_a_dose_frequency_or_length() -> None:
    kb = load_knowledge_base(approved_only=False)
    folate = topics().get("folate").kb_topic
    for snippet in kb.snippets:
        if snippet.topic == folate:
            assert not DOSE.search(snippet.text("patient")), snippet.id
