"""Tokenisation, folding, stemming and synonym handling (guideline_engine.retrieval.text)."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from guideline_engine.retrieval import Analyzer, SynonymGroup, Synonyms, stem
from guideline_engine.retrieval.text import expand_contractions, fold_characters


@pytest.fixture(scope="module")
def analyzer(synonyms: Synonyms) -> Analyzer:
    return Analyzer(synonyms)


def test_fold_characters_maps_micro_sign_and_strips_accents() -> None:
    assert fold_characters("1000 µg") == "1000 ug"
    assert fold_characters("1000 μg") == "1000 ug"  # Greek mu as well
    assert fold_characters("café naïve") == "cafe naive"
    assert fold_characters("don’t") == "don't"


def test_expand_contractions() -> None:
    assert (
        expand_contractions("i'm sure it's fine, can't stop") == "i am sure it fine, can not stop"
    )
    assert expand_contractions("shouldn't") == "should not"


@pytest.mark.parametrize(
    ("words", "expected"),
    [
        pytest.param(("injection", "injections", "injected"), "inject", id="inflections"),
        pytest.param(("treatment", "treated", "treating", "treat"), "treat", id="treatment"),
        pytest.param(("tingling", "tingle"), "tingl", id="final-e"),
        pytest.param(("month", "months", "monthly"), "month", id="adverb"),
        pytest.param(("studies", "study"), "study", id="ies"),
        pytest.param(("getting", "get"), "get", id="double-consonant"),
    ],
)
def test_stem_merges_inflected_forms(words: tuple[str, ...], expected: str) -> None:
    assert {stem(w) for w in words} == {expected}


@pytest.mark.parametrize("word", ["b12", "1000", "is", "pernicious", "analysis", "class"])
def test_stem_leaves_short_numeric_and_protected_endings(word: str) -> None:
    assert stem(word) == word


@pytest.mark.parametrize(
    ("uk", "us"),
    [
        ("anaemia", "anemia"),
        ("haematology", "hematology"),
        ("haemoglobin", "hemoglobin"),
        ("paediatric", "pediatric"),
        ("normalise", "normalize"),
        ("normalisation", "normalization"),
        ("individualised", "individualized"),
        ("oesophagus", "esophagus"),
        ("centre", "center"),
    ],
)
def test_uk_and_us_spellings_give_the_same_terms(analyzer: Analyzer, uk: str, us: str) -> None:
    assert analyzer.terms(uk) == analyzer.terms(us)
    assert analyzer.terms(uk.upper()) == analyzer.terms(us)


@pytest.mark.parametrize(
    ("variants", "term"),
    [
        pytest.param(
            ("jab", "shot", "injection", "intramuscular", "IM", "i.m."), "injection", id="injection"
        ),
        pytest.param(("tablet", "pill", "oral", "by mouth"), "oral", id="oral"),
        pytest.param(
            ("B12", "cobalamin", "hydroxocobalamin", "cyanocobalamin", "vitamin B12"),
            "b12",
            id="b12",
        ),
        pytest.param(("folate", "folic acid"), "folate", id="folate"),
        pytest.param(("MMA", "methylmalonic acid"), "mma", id="mma"),
        pytest.param(
            ("platelets", "thrombocytopenia", "low platelets"), "platelet", id="platelets"
        ),
        pytest.param(("vegan", "vegetarian", "plant-based", "plant based"), "vegan", id="vegan"),
        pytest.param(
            ("weight-loss surgery", "bariatric", "gastric bypass", "sleeve"),
            "bariatric",
            id="bariatric",
        ),
        pytest.param(
            ("nerve", "neurological", "neuro", "tingling", "numbness", "pins and needles"),
            "neuro",
            id="neuro",
        ),
        pytest.param(("elderly", "older", "over 75"), "elderly", id="elderly"),
        pytest.param(
            ("how long", "lifelong", "forever", "for life", "indefinitely"),
            "lifelong",
            id="duration",
        ),
    ],
)
def test_synonyms_map_to_one_term(analyzer: Analyzer, variants: tuple[str, ...], term: str) -> None:
    for variant in variants:
        assert term in analyzer.terms(variant), variant


def test_specific_group_keeps_the_word_itself(analyzer: Analyzer) -> None:
    assert analyzer.terms("cyanocobalamin") == ("b12", "cyanocobalamin")
    assert analyzer.terms("jab") == ("injection",)  # not a specific group


def test_phrase_consumes_its_words(analyzer: Analyzer) -> None:
    # "acid" must not link folic acid and methylmalonic acid
    assert analyzer.terms("folic acid") == ("folate",)
    assert analyzer.terms("methylmalonic acid") == ("mma",)


def test_weight_loss_alone_is_not_bariatric_surgery(analyzer: Analyzer) -> None:
    assert "bariatric" not in analyzer.terms("will b12 help me lose weight")


def test_negation_switches_to_the_negated_term(analyzer: Analyzer) -> None:
    assert "nonneuro" in analyzer.terms("No neurological involvement")
    assert "nonneuro" in analyzer.terms("i dont have any nerve problems")
    assert "neuro" not in analyzer.terms("without nerve symptoms")
    assert "neuro" in analyzer.terms("with nerve symptoms")
    assert "malabsorption" in analyzer.terms("my body cannot absorb B12")
    assert "absorb" in analyzer.terms("my gut absorbs B12 normally")


def test_broader_term_is_added(analyzer: Analyzer) -> None:
    assert analyzer.terms("alternate days") == ("alternate_days", "frequency")


def test_case_sensitive_abbreviations(analyzer: Analyzer) -> None:
    assert "injection" in analyzer.terms("IM hydroxocobalamin")
    assert "injection" not in analyzer.terms("I'm vegan")
    assert "injection" not in analyzer.terms("im vegan")
    assert "united_states" in analyzer.terms("the US regimen")
    assert analyzer.terms("tell us") == ()


def test_number_words_become_digits(analyzer: Analyzer) -> None:
    assert analyzer.terms("three times a week") == analyzer.terms("3 times a week")
    assert analyzer.terms("two months") == analyzer.terms("2 months")


def test_stop_words_are_dropped(analyzer: Analyzer) -> None:
    assert analyzer.terms("what should I do about it?") == ()


def test_typo_correction_only_in_question_mode(synonyms: Synonyms) -> None:
    plain = Analyzer(synonyms)
    assert "pernicious" not in plain.terms("pernicous")
    questions = plain.for_questions(
        {"pernicious", "eating", "interact", "treat"}, {"pernicious"}, protected={"interact"}
    )
    assert "pernicious" in questions.terms("pernicous anemia")
    assert questions.terms("treating") == ("treat",)  # known stem: not "eating"
    assert questions.terms("intact") == ("intact",)  # never corrected to a protected word
    assert questions.terms("reset") == ("reset",)  # too short to correct


def _group(canonical: str, *terms: str) -> SynonymGroup:
    return SynonymGroup(canonical=canonical, terms=terms)


def test_analyzer_rejects_terms_claimed_by_two_groups_after_folding() -> None:
    synonyms = Synonyms(
        groups=(_group("a", "anaemia"), _group("b", "anemia")), spelling_fragments=(("aem", "em"),)
    )
    with pytest.raises(ValueError, match="already claimed by group 'a'"):
        Analyzer(synonyms)


def test_analyzer_rejects_a_term_that_folds_to_a_stop_word() -> None:
    synonyms = Synonyms(groups=(_group("risk", "likely"),), stop_words=frozenset({"like"}))
    with pytest.raises(ValueError, match="stem of a stop word"):
        Analyzer(synonyms)


def test_analyzer_rejects_a_term_that_folds_to_nothing() -> None:
    with pytest.raises(ValueError, match="folds to nothing"):
        Analyzer(Synonyms(groups=(_group("x", "!!!"),)))


_TERM = re.compile(r"^[a-z0-9_.]+$")


@settings(max_examples=200, deadline=None)
@given(text=st.text(max_size=80))
def test_terms_never_fail_and_are_normalised(analyzer: Analyzer, text: str) -> None:
    for term in analyzer.terms(text):
        assert _TERM.match(term), term


@settings(max_examples=100, deadline=None)
@given(text=st.text(alphabet="abcdefghijklmnopqrstuvwxyz ", max_size=60))
def test_title_case_changes_nothing_but_abbreviations(analyzer: Analyzer, text: str) -> None:
    abbreviations = {short.lower() for short, _ in analyzer.synonyms.abbreviations}
    if not abbreviations & set(text.split()):
        assert analyzer.terms(text.title()) == analyzer.terms(text)
