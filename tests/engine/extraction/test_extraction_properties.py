"""Property tests for negation and robustness of the extractor."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from guideline_engine.extraction import extract, load_symptoms

NEURO_PHRASES = sorted(
    {phrase for entry in load_symptoms() if entry.neurological for phrase in entry.synonyms}
)
PREFIXES = ["", "patient has ", "she reports ", "on review, ", "Hi. ", "62F. "]
SUFFIXES = ["", ".", " today", " in both feet", ", plt 35", " on exam"]


def _recase(text: str, mode: int) -> str:
    return [text, text.upper(), text.title()][mode]


@settings(max_examples=300, deadline=None)
@given(
    phrase=st.sampled_from(NEURO_PHRASES),
    prefix=st.sampled_from(PREFIXES),
    suffix=st.sampled_from(SUFFIXES),
    case=st.integers(min_value=0, max_value=2),
)
def test_no_before_a_symptom_never_yields_yes(
    phrase: str, prefix: str, suffix: str, case: int
) -> None:
    """Adding "no " before a symptom phrase never makes neurological involvement "yes"."""
    affirmed = extract(_recase(f"{prefix}{phrase}{suffix}", case))
    negated = extract(_recase(f"{prefix}no {phrase}{suffix}", case))
    assert negated.neurological_involvement != "yes"
    assert affirmed.neurological_involvement == "yes"


@settings(max_examples=200, deadline=None)
@given(st.text(max_size=300))
def test_arbitrary_text_never_crashes_and_spans_are_valid(text: str) -> None:
    facts = extract(text)
    for mention in facts.symptoms:
        assert facts.text[mention.start : mention.end] == mention.text
    for span in facts.spans:
        assert 0 <= span.start <= span.end <= len(facts.text)
    assert facts.neurological_involvement in (None, "yes", "no")
