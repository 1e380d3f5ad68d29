"""A value inside "if"/"what if" is the writer's result unless the condition says it is to come.

Independent review, session 8 (finding 4; HAZ-073): "what happens if my b12 is 120" had its
value dropped with no word to the user. Sentences are ours.
"""

import pytest

from guideline_engine.extraction import extract


@pytest.mark.parametrize(
    ("text", "value"),
    [
        ("what happens if my b12 is 120", 120.0),
        ("is it bad if my b12 came back at 130", 130.0),
        ("do I need injections if my b12 is 140 and I get tingling", 140.0),
    ],
)
def test_a_reported_b12_inside_a_question_is_read(text: str, value: float) -> None:
    b12 = extract(text).b12
    assert b12 is not None and b12.value == value


def test_a_reported_folate_inside_what_if_is_read() -> None:
    folate = extract("what if my folate is 2.1").folate
    assert folate is not None and folate.value == 2.1


@pytest.mark.parametrize(
    "text",
    [
        "what if my B12 comes back low next week",
        "if my b12 drops below 200 should I go back on tablets",
        "if a patients b12 is 140 what do you do",
        "if my b12 is low next week what then",
    ],
)
def test_a_result_still_to_come_or_nobodys_is_not_the_patients(text: str) -> None:
    reading = extract(text)
    assert reading.b12 is None and reading.b12_status is None
