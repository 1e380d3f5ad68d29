"""A laboratory result classed in words, for B12 and for folate (issue 11: folate status).

The engine never classes a number itself (no source gives cut-offs): only the writer's words
("low", "borderline", "normal", "deficiency", "both low") set a status.
"""

from __future__ import annotations

import pytest

from guideline_engine.extraction import extract


@pytest.mark.parametrize(
    ("text", "b12", "folate"),
    [
        pytest.param("folate low, B12 normal", "normal", "low", id="each-classed"),
        pytest.param("both low: b12 140, folate 2.5", "low", "low", id="both-low-first"),
        pytest.param("B12 and folate both low", "low", "low", id="both-low-after"),
        pytest.param("low b12 and folate, 50F", "low", "low", id="low-b12-and-folate"),
        pytest.param("folate deficiency, 60M", None, "low", id="folate-deficiency"),
        pytest.param("deficient in folate", None, "low", id="deficient-in"),
        pytest.param("no folate deficiency, B12 low", "low", None, id="denied-deficiency"),
        pytest.param("not both low: b12 normal, folate low", "normal", "low", id="not-both"),
        pytest.param("serum folate 2.2 ng/mL, B12 520", "normal", "low", id="numbers-by-cutoffs"),
        pytest.param("red cell folate borderline", None, "indeterminate", id="borderline"),
    ],
)
def test_lab_status_in_words(text: str, b12: str | None, folate: str | None) -> None:
    facts = extract(text)
    assert (facts.b12_status, facts.folate_status) == (b12, folate)


@pytest.mark.parametrize(
    ("text", "b12", "folate"),
    [
        ("her b12 came back 200, 'borderline' they said", "indeterminate", None),
        ('the letter says my folate is "below range"', None, "low"),
        ("folate 3.4 ug/L, flagged low", None, "low"),
        ("B12 and folate both normal, Hb 101", "normal", "normal"),
        # independent review, session 7 (F1, F2): questions, other people and the past
        ("are b12 and folate ok to take together", None, None),
        ("is folate ok to take with b12", None, None),
        ("b12 deficiency ruled out", None, None),
        ("my mum has b12 deficiency and I am tired", None, None),
        ("folate deficiency was excluded last year", None, None),
        ("might this be b12 deficiency", None, None),
        ("they checked for b12 deficiency?", None, None),
        ("no b12 deficiency on the last bloods", None, None),
    ],
)
def test_status_in_the_words_people_use(text: str, b12: str | None, folate: str | None) -> None:
    """Session 7: quoted and flagged status words, "B12 deficiency", a bare "and" pair."""
    found = extract(text)
    assert (found.b12_status, found.folate_status) == (b12, folate)
