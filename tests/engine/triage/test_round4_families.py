"""Triage round 4: word families and assertion rules that generalise (2026-12-01).

Each test covers a family of misses found on a tuning half of a blind dev set, with
sentences written for this file in the helper's own words (none is copied from an
evaluation split). Safety first: every de-escalating rule has a guard test showing the
emergency it must not hide.
"""

from __future__ import annotations

import pytest

from guideline_engine.triage import assess
from guideline_engine.triage.assertion import MessageMarkers
from guideline_engine.triage.cues import CueMatcher, parse_cue


def _level(text: str) -> str:
    result = assess(text)
    return result.urgency.value if result.urgency else "none"


def _flags(text: str) -> tuple[str, ...]:
    return assess(text).red_flag_ids


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("i get puffed out walking from the lounge to the kitchen", id="kitchen"),
        pytest.param("she has to stop for breath after a few steps now", id="few-steps"),
        pytest.param("winded just getting washed and dressed in the morning", id="dressing"),
        pytest.param("out of breath walking to my car across the road lately", id="car"),
        pytest.param("breathles after a couple of steps and so tierd", id="typos"),
        pytest.param("my dad is short of breath just crossing the living room", id="room"),
    ],
)
def test_breathless_on_minimal_exertion_is_urgent(text: str) -> None:
    assert _level(text) == "urgent"
    assert "breathless_on_minimal_exertion" in _flags(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a bit out of breath running for the train", id="running"),
        pytest.param("puffed going up three flights of stairs at work", id="stairs"),
        pytest.param("breathless carrying heavy bags up the hill", id="hill"),
    ],
)
def test_ordinary_exertion_stays_routine(text: str) -> None:
    assert _level(text) in {"routine", "none"}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("no control over my waterworks since this morning", id="waterworks"),
        pytest.param("grandad has become incontinent today, never before", id="incontinent"),
        pytest.param("started leaking wee out of nowhere tonight", id="leaking-new"),
    ],
)
def test_new_incontinence_in_lay_words_is_an_emergency(text: str) -> None:
    assert _level(text) == "emergency"
    assert "loss_of_bladder_bowel_control" in _flags(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("i leak a little when i cough, have done for years", id="stress-leak"),
        pytest.param("the radiator started leaking today, also is b12 safe", id="radiator"),
    ],
)
def test_old_or_non_bodily_leaks_are_not_incontinence(text: str) -> None:
    assert "loss_of_bladder_bowel_control" not in _flags(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("she could walk this morning and now cannot bear weight at all", id="bear"),
        pytest.param("he can't weight bear since lunch", id="weight-bear"),
        pytest.param("mum's legs have gone floppy and she can't stand", id="floppy-legs"),
        pytest.param("his legs went like rubber an hour ago", id="rubber"),
    ],
)
def test_sudden_loss_of_standing_in_carers_words_is_an_emergency(text: str) -> None:
    assert _level(text) == "emergency"
    assert "acute_neurological_deficit" in _flags(text)


def test_a_sprained_ankle_that_cannot_bear_weight_is_not_a_neurological_emergency() -> None:
    assert "acute_neurological_deficit" not in _flags(
        "twisted my ankle and can't bear weight on it, is my jab still ok?"
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("my breathin's awful the noo, cannae get my words oot", id="scots"),
        pytest.param("can't get my words out, my breath is so short sitting here", id="plain"),
    ],
)
def test_cannot_get_words_out_for_breath_is_an_emergency(text: str) -> None:
    assert _level(text) == "emergency"


def test_cannot_get_words_out_without_breathlessness_is_a_neurological_emergency() -> None:
    assert "stroke_signs" in _flags("since lunch she can't get her words out")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("my heart goes like the clappers and i almost black out", id="clappers"),
        pytest.param("sometimes i nearly faint when my pulse starts pounding", id="present"),
    ],
)
def test_palpitations_with_near_fainting_in_any_tense_are_urgent(text: str) -> None:
    assert _level(text) == "urgent"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("the bairn is ten months, not sitting or crawling, i'm vegan", id="bairn"),
        pytest.param(
            "my wee one won't roll over at 7 months, breastfed, i'm plant based", id="wee-one"
        ),
    ],
)
def test_infant_not_developing_with_a_deficient_diet_is_urgent(text: str) -> None:
    assert "unwell_infant" in _flags(text)
    assert _level(text) in {"urgent", "emergency"}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("i'm still feeding the baby myself and my b12 was 160", id="feeding-myself"),
        pytest.param("my partner is carrying our first and her folate is low", id="carrying"),
        pytest.param("she is five months pregnant with low folic acid", id="months-pregnant"),
    ],
)
def test_pregnancy_or_breastfeeding_in_lay_words_with_deficiency_is_urgent(text: str) -> None:
    assert "pregnancy_or_breastfeeding_with_deficiency" in _flags(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("i gave up breastfeeding in the summer and my b12 is low", id="gave-up"),
        pytest.param("stopped breastfeeding a year ago, folate a bit low now", id="stopped"),
    ],
)
def test_a_stopped_breastfeeding_is_not_current(text: str) -> None:
    assert "pregnancy_or_breastfeeding_with_deficiency" not in _flags(text)


@pytest.mark.parametrize(
    ("text", "level"),
    [
        pytest.param("my baby has stopped feeding and is very sleepy", "urgent", id="baby-stopped"),
        pytest.param("he stopped breathing for a moment and is grey", "emergency", id="breathing"),
        pytest.param("her legs stopped working an hour ago", "emergency", id="legs-stopped"),
    ],
)
def test_stopped_inside_the_red_flag_still_escalates(text: str, level: str) -> None:
    assert _level(text) == level


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("the view from the cliff took my breath away, b12 working well", id="breath"),
        pytest.param("honestly the first jab took my breath away, i feel brand new", id="jab"),
        pytest.param("my heart sank when they said more injections", id="heart-sank"),
        pytest.param("i nearly collapsed when i saw the parking charge", id="saw-the-bill"),
        pytest.param("almost fainted when i heard the news, anyway my levels", id="heard"),
    ],
)
def test_figures_of_speech_are_not_red_flags(text: str) -> None:
    assert _level(text) in {"routine", "none"}


def test_a_figure_of_speech_does_not_hide_a_real_red_flag_beside_it() -> None:
    text = "the jab took my breath away and now my throat is closing up"
    assert _level(text) == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("say the tingling started spreading, who would i call?", id="say"),
        pytest.param("let's say my numbness spreads, is that A&E?", id="lets-say"),
        pytest.param("suppose i faint after the jab, what then", id="suppose"),
        pytest.param("what would a severe allergic reaction to the jab look like?", id="would"),
    ],
)
def test_suppositions_are_not_reports(text: str) -> None:
    assert _level(text) in {"routine", "none"}


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("the carers say he won't wake up properly", id="say-not-opening"),
        pytest.param("the doctor would say it is nothing but my chest is crushing now", id="would"),
    ],
)
def test_a_supposition_word_inside_a_report_does_not_hide_an_emergency(text: str) -> None:
    assert _level(text) == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("pins and needles in my toes but it is not spreading", id="not-spreading"),
        pytest.param("numb fingertips, it hasn't got worse in a year", id="hasnt-worse"),
    ],
)
def test_a_denied_change_is_no_change(text: str) -> None:
    assert _level(text) in {"routine", "none"}


def test_a_stated_change_still_makes_tingling_urgent() -> None:
    assert _level("the numbness in my feet is spreading up to my knees") == "urgent"


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        pytest.param(
            "my husband has been muddled for two days, not like him",
            "new_confusion_or_memory_loss",
            id="out-of-character",
        ),
        pytest.param(
            "been tripping and falling a lot lately", "falls_or_loss_of_balance", id="falling"
        ),
        pytest.param(
            "i lost the sight in my right eye this morning", "sudden_vision_loss", id="sight"
        ),
    ],
)
def test_lay_words_of_other_families(text: str, flag: str) -> None:
    assert flag in _flags(text)


def test_marker_rules_directly() -> None:
    stopped = MessageMarkers("i stopped breastfeeding")
    assert stopped.ceased_before(len("i stopped "))
    assert not stopped.ceased_before(0)
    idiom = MessageMarkers("it took my breath away")
    assert idiom.figurative(((12, 18),))
    assert not idiom.figurative(((0, 2),))
    opening = MessageMarkers("say it spreads, then what")
    assert opening.opens_conditional(4)
    assert not MessageMarkers("nurses say it spreads").opens_conditional(11)
    assert not MessageMarkers("it is not spreading").changing(0)
    assert MessageMarkers("it is spreading").changing(0)


def test_dialect_spellings_and_dropped_g_match_cues() -> None:
    matcher = CueMatcher([("flag", "c", parse_cue("{cant} get words out ~5"))])
    assert matcher.find("canny get ma words oot")
    sitting = CueMatcher([("flag", "c", parse_cue("{breathing} {sitting} ~5"))])
    assert sitting.find("ma breathin's bad just sittin")
