from __future__ import annotations

import pytest

from guideline_engine.scope import parse_topic_terms, topic_terms


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("How is B12 deficiency treated?", True, id="b12"),
        pytest.param("treatment of macrocytic anemia", True, id="us-spelling"),
        pytest.param("how do I treat eczema", False, id="eczema"),
        pytest.param("it is itchy", True, id="pronoun"),
        pytest.param("itchy skin", False, id="word-boundary"),
    ],
)
def test_topic_mentions(text: str, expected: bool) -> None:
    assert topic_terms().mentions(text) is expected


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"topic": "x"}, id="no-terms"),
        pytest.param({"topic": "x", "terms": []}, id="empty-terms"),
        pytest.param({"topic": "x", "terms": ["a"], "extra": 1}, id="unknown-key"),
    ],
)
def test_bad_topic_file_is_rejected(data) -> None:
    with pytest.raises(ValueError, match=r"topic\.yml"):
        parse_topic_terms(data)
