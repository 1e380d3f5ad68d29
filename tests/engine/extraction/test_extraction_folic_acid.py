"""Table tests for the ``folic_acid_started`` fact (has folic acid been started before B12?).

The source says never to give folic acid before B12, so the regimen engine warns when it
has already been started. Questions and hypotheticals must not set the fact.
"""

from __future__ import annotations

import pytest

from guideline_engine.extraction import extract
from guideline_engine.extraction.lexicon import CONTEXT_CUE_GROUPS
from guideline_engine.extraction.vocab import CUE_GROUP_VALUES, load_cues


@pytest.mark.parametrize(
    ("text", "value", "span"),
    [
        # affirmed
        pytest.param("on folic acid", "yes", "on folic acid", id="on"),
        pytest.param("already on folic acid", "yes", "already on folic acid", id="already-on"),
        pytest.param("GP started folic acid last week", "yes", "started folic acid", id="started"),
        pytest.param("taking folic acid", "yes", "taking folic acid", id="taking"),
        pytest.param("folic acid started 2/52 ago", "yes", "folic acid started", id="post-verb"),
        pytest.param("on folate supplements", "yes", "on folate supplements", id="folate-supps"),
        pytest.param("has been given folic acid", "yes", "been given folic acid", id="given"),
        pytest.param("she is taking folate", "yes", "taking folate", id="taking-folate"),
        pytest.param("commenced folic acid", "yes", "commenced folic acid", id="commenced"),
        pytest.param("Folic acid 5 mg OD", "yes", "Folic acid 5 mg OD", id="dose-od"),
        pytest.param("on folic acid 5mg", "yes", "on folic acid 5mg", id="dose-compact"),
        pytest.param(
            "62F, B12 120 ng/L, started on folic acid by GP",
            "yes",
            "started on folic acid",
            id="in-clinical-note",
        ),
        pytest.param(
            "no numbness, on folic acid", "yes", "on folic acid", id="symptom-negation-fenced"
        ),
        pytest.param(
            "she's on folic acid, is that a problem?",
            "yes",
            "on folic acid",
            id="fact-then-question",
        ),
        # negated
        pytest.param("not on folic acid", "no", "on folic acid", id="not-on"),
        pytest.param("no folic acid yet", "no", "folic acid yet", id="no-yet"),
        pytest.param("not taking any folic acid", "no", "taking any folic acid", id="not-any"),
        pytest.param("never been given folic acid", "no", "been given folic acid", id="never"),
        pytest.param(
            "not yet started folic acid", "no", "not yet started folic acid", id="not-yet-started"
        ),
        pytest.param("folic acid not started", "no", "folic acid not started", id="not-started"),
        pytest.param("not pregnant or on folic acid", "no", "on folic acid", id="or-carries"),
        # questions, hypotheticals, other people, history: unknown
        pytest.param("should I start folic acid?", None, None, id="question-should"),
        pytest.param("can I give folic acid first?", None, None, id="question-can"),
        pytest.param("why no folic acid first", None, None, id="question-why"),
        pytest.param("is she on folic acid", None, None, id="question-inverted"),
        pytest.param("on folic acid?", None, None, id="question-mark"),
        pytest.param("has she had folic acid yet", None, None, id="question-yet"),
        pytest.param("if on folic acid, what then", None, None, id="conditional"),
        pytest.param("her mother is on folic acid", None, None, id="other-person"),
        pytest.param("stopped folic acid last year", None, None, id="historical"),
        pytest.param("give B12 then folic acid", None, None, id="plan-bare-folic-acid"),
        pytest.param("folate 5 ug/L", None, None, id="folate-lab-level"),
    ],
)
def test_folic_acid_started(text: str, value: str | None, span: str | None) -> None:
    facts = extract(text)
    assert facts.folic_acid_started == value
    found = facts.span_of("folic_acid_started")
    if span is None:
        assert found is None
    else:
        assert found is not None and found.text == span
        assert text[found.start : found.end] == span


def test_affirmed_beats_denied() -> None:
    assert extract("not on warfarin, already taking folic acid").folic_acid_started == "yes"


def test_other_facts_are_unchanged() -> None:
    facts = extract("not on warfarin, on folic acid 5mg od, folate 3 ug/L")
    assert facts.injection_contraindication == "no"
    assert facts.folic_acid_started == "yes"
    assert facts.folate is not None and facts.folate.as_tuple() == (3.0, "µg/L")


def test_group_is_wired_like_the_other_context_cues() -> None:
    assert CUE_GROUP_VALUES["folic_acid_started"] == frozenset({"yes", "no"})
    assert "folic_acid_started" in CONTEXT_CUE_GROUPS
    assert {c.value for c in load_cues() if c.group == "folic_acid_started"} == {"yes", "no"}
