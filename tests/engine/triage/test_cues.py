"""Tolerant cue matching: inflections, contractions, typing slips, word order, windows."""

from __future__ import annotations

import pytest

from guideline_engine.triage.cues import (
    CueMatcher,
    fold,
    inflections,
    parse_cue,
    phrase_cue,
    words,
)


def _matcher(*cues: str) -> CueMatcher:
    return CueMatcher(("flag", c, parse_cue(c)) for c in cues)


def _phrases(*phrases: str) -> CueMatcher:
    return CueMatcher(("flag", p, phrase_cue(p)) for p in phrases)


WAKE = "{hard|difficult|cant|cannot|wont|hardly} {wake|rouse} ~4"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("she is hard to wake", id="base"),
        pytest.param("we can't wake him", id="contraction"),
        pytest.param("we cant wake him", id="no-apostrophe"),
        pytest.param("we cannot wake him", id="cannot"),
        pytest.param("he won’t wake up", id="curly-apostrophe"),
        pytest.param("hardly waking at all", id="inflection"),
        pytest.param("waking him is hard", id="word-order-free"),
        pytest.param("CAN'T WAKE HIM", id="upper-case"),
    ],
)
def test_wake_cue_matches_lay_variants(text: str) -> None:
    assert [h.key for h in _matcher(WAKE).find(text)] == ["flag"]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("hard to say when I wake", id="too-far-apart-is-fine-inside-window"),
    ],
)
def test_window_counts_words(text: str) -> None:
    # "hard ... wake": hard, to, say, when, I, wake = 6 words > 4
    assert _matcher(WAKE).find(text) == []


def test_cue_does_not_cross_a_sentence() -> None:
    assert _matcher(WAKE).find("It was hard. I wake early.") == []


def test_veto_word_in_the_clause_cancels_the_cue() -> None:
    matcher = _matcher("{cant|unable} walk ~3 !{far|tired}")
    assert matcher.find("I can't walk") != []
    assert matcher.find("I can't walk far without getting tired") == []


@pytest.mark.parametrize(
    ("phrase", "text"),
    [
        pytest.param("passed out", "he passed out", id="exact"),
        pytest.param("pass out", "she keeps passing out", id="ing"),
        pytest.param("pass out", "he passes out", id="es"),
        pytest.param("unconscious", "he is unconcious", id="typo-deletion"),
        pytest.param("unconscious", "he is unconsious", id="typo-deletion-2"),
        pytest.param("breathing", "trouble breathign", id="typo-swap"),
        pytest.param("collapsed", "she colapsed", id="typo-short"),
    ],
)
def test_phrase_words_tolerate_inflections_and_typos(phrase: str, text: str) -> None:
    assert _phrases(phrase).find(text) != []


def test_short_words_get_no_typo_tolerance() -> None:
    # "wished" is an inflection of "wish" (4 letters): "washed" must not match it.
    assert _phrases("wish").find("colours look washed out") == []


def test_typo_needs_the_right_first_letter() -> None:
    assert _phrases("fainted").find("painted the door") == []


def test_prefix_term() -> None:
    assert _matcher("{breath*} {rest} ~3").find("breathless at rest") != []


def test_message_wide_cue_spans_sentences() -> None:
    matcher = _matcher("{pregnant} {b12} ~msg")
    assert matcher.find("I'm pregnant! Told my B12 is low.") != []
    assert _matcher("{pregnant} {b12} ~9").find("I'm pregnant! Told my B12 is low.") == []


def test_decimal_number_does_not_end_a_clause() -> None:
    assert _matcher("{temperature} {throat} ~15").find("temperature 38.6 and a sore throat")


def test_hit_span_and_parts_point_into_the_original_text() -> None:
    text = "Grandad is VERY hard to rouse today"
    hit = _matcher(WAKE).find(text)[0]
    assert text[hit.start : hit.end] == "hard to rouse"
    assert [text[a:b] for a, b in hit.parts] == ["hard", "rouse"]


def test_fold_keeps_length_and_strips_accents() -> None:
    text = "Não consigo respirar – está difícil"
    folded = fold(text)
    assert len(folded) == len(text)
    assert folded.startswith("nao consigo respirar")


def test_accents_are_optional_both_ways() -> None:
    assert _phrases("não consigo respirar").find("nao consigo respirar") != []
    assert _phrases("nao consigo respirar").find("Não consigo respirar") != []


def test_arabic_script_phrase() -> None:
    assert _phrases("لا أستطيع التنفس").find("أنا لا أستطيع التنفس الآن") != []


def test_inflections() -> None:
    assert {"waking", "wakes", "waked"} <= inflections("wake")
    assert {"passing", "passed", "passes"} <= inflections("pass")
    assert {"stopped", "stopping"} <= inflections("stop")


def test_words_carry_clauses_and_segments() -> None:
    ws = words("fell last year, fine now. but tired")
    assert [(w.key, w.clause, w.segment) for w in ws] == [
        ("fell", 0, 0),
        ("last", 0, 0),
        ("year", 0, 0),
        ("fine", 0, 1),
        ("now", 0, 1),
        ("but", 2, 3),
        ("tired", 2, 3),
    ]


@pytest.mark.parametrize(
    ("notation", "message"),
    [
        pytest.param("{a|} b", "empty alternative", id="empty-alternative"),
        pytest.param("~3", "no word group", id="no-group"),
        pytest.param("{a} {b} {c} ~2", "shorter than its groups", id="short-window"),
    ],
)
def test_bad_cues_are_rejected(notation: str, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        parse_cue(notation)
