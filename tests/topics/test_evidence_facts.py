"""Whether a first message is about a covered topic: named, evidenced by a stated fact, or gated.

A message that names no topic and states none of a topic's evidence facts is declined as not
this topic instead of being asked the default topic's nerve-symptom question (HAZ-084).
Sentences are ours.
"""

from dataclasses import replace
from typing import Any

import pytest

from guideline_engine.knowledge import load_knowledge_base
from guideline_engine.topics import VIEW_FACTS, nothing_on_topic, topics
from guideline_engine.topics.loader import TopicError, check_against
from guideline_engine.topics.model import Op, RowCondition


@pytest.mark.parametrize(
    ("text", "values"),
    [
        ("What should a vegan climber eat for protein?", {"causes": ["dietary"]}),
        ("Day 2 after a knee replacement, Hb 91. Transfuse?", {"haemoglobin": 91}),
        ("Psoriasis worse on methotrexate, can I go up a dose?", {"causes": ["medication"]}),
        ("55M, tired all the time", {"age": 55}),
    ],
)
def test_a_message_with_no_topic_evidence_is_not_on_topic(
    text: str, values: dict[str, Any]
) -> None:
    assert nothing_on_topic(text, values)


@pytest.mark.parametrize(
    ("text", "values"),
    [
        pytest.param("62F, level 140, tired", {"age": 62, "b12_level": "140 ng/L"}, id="b12-value"),
        pytest.param("low folate, 30F", {"folate_status": "low", "age": 30}, id="folate-named"),
        pytest.param("70M with PA", {"causes": ["pernicious_anaemia"]}, id="pa-cause"),
        pytest.param("gastric bypass 2019, 44F", {"causes": ["bariatric_surgery"]}, id="bypass"),
        pytest.param("on FA 5 mg since Monday", {"folic_acid_started": "yes"}, id="fa-started"),
        pytest.param("how is cobalamin deficiency treated?", {}, id="scope-term"),
        pytest.param(
            "62F no neuro symptoms", {"age": 62, "neurological_involvement": "no"}, id="neuro-no"
        ),
        pytest.param("coeliac, 40M", {"causes": ["malabsorption"], "age": 40}, id="coeliac"),
    ],
)
def test_a_named_or_evidenced_topic_is_on_topic(text: str, values: dict[str, Any]) -> None:
    assert not nothing_on_topic(text, values)


def test_a_gate_keeps_a_message_from_the_decline() -> None:
    # A platelet count of 29 must get its advice before anything else, whatever the topic.
    assert not nothing_on_topic("Both low. Plt 29. 66F.", {"platelet_count": 29, "age": 66})
    assert not nothing_on_topic("14 year old, very tired", {"age": 14})


def test_the_covered_names_come_from_every_topic_package() -> None:
    names = topics().covered_names()
    for topic in topics().all:
        assert topic.title.patient[1:] in names


def test_an_unknown_evidence_fact_fails_at_load() -> None:
    b12 = topics().default
    broken = replace(b12, evidence_facts=(RowCondition("no_such_fact", Op.IS, "yes"),))
    with pytest.raises(TopicError, match="evidence_facts"):
        check_against((broken,), load_knowledge_base(approved_only=False).ids, VIEW_FACTS)


def test_a_value_that_cannot_be_used_is_named_back_not_declined() -> None:
    # Review, session 8: "62F, platelets -40" must hear about the -40, not a decline.
    assert not nothing_on_topic("age 250, tired", {}, refused=1)
    assert not nothing_on_topic("platelets 300 platelets 400", {"platelet_count": [300, 400]})
