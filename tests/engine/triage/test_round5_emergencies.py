"""Triage round 5: emergency families and assertion rules that must not de-escalate (2026-12-01).

Each test covers a family of misses found on the tuning half of an emergency-heavy blind dev
set. Every sentence was written for this file in the helper's own words (none is copied from
an evaluation split). Each escalating family has a guard showing the routine wording it must
leave alone, and each assertion change has a guard showing the de-escalation it keeps.
"""

from __future__ import annotations

import pytest

from guideline_engine.triage import assess
from guideline_engine.triage.assertion import MessageMarkers, Time
from guideline_engine.triage.cues import words


def _level(text: str) -> str:
    result = assess(text)
    return result.urgency.value if result.urgency else "none"


def _flags(text: str) -> tuple[str, ...]:
    return assess(text).red_flag_ids


# --- unresponsiveness in lay words -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("grandma barely responsive this afternoon", id="barely"),
        pytest.param("my brother is hardly responsive and very pale", id="hardly"),
        pytest.param("she's only semi conscious on the sofa", id="semi"),
        pytest.param("can't get any response out of my husband", id="any-response"),
        pytest.param(
            "sorry to bother you, it's likely nothing, but dad can't be woken", id="passive"
        ),
        pytest.param("nan is really groggy and we can't rouse her fully", id="rouse"),
    ],
)
def test_partial_responsiveness_in_lay_words_is_an_emergency(text: str) -> None:
    assert _level(text) == "emergency"
    assert "reduced_consciousness" in _flags(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("I look after a lady who won't wake up this morning", id="client"),
        pytest.param("someone in my care home is unresponsive now", id="someone-in"),
        pytest.param("the man I care for has collapsed on the floor", id="the-man"),
        pytest.param(
            "the gentleman I look after has collapsed and isn't breathing right", id="gent"
        ),
        pytest.param("mum had a fall this morning and now she won't wake properly", id="mum-now"),
        pytest.param("my wife blacked out yesterday and is still really drowsy today", id="still"),
    ],
)
def test_someone_else_described_now_escalates(text: str) -> None:
    assert _level(text) == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("a woman in my support group said she collapsed after her jab", id="group"),
        pytest.param("my friend said a man at her work passed out after a jab", id="friend"),
    ],
)
def test_a_stranger_in_a_reported_story_is_still_hearsay(text: str) -> None:
    assert _level(text) in {"routine", "none"}


# --- throat and mouth after a dose -------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("wheezy and my lips are tingling since the injecshun", id="slip"),
        pytest.param("feels like my throat is getting smaller after that tablet", id="smaller"),
        pytest.param("my throat feels like it's shutting", id="shutting"),
        pytest.param("feel like my airway is closing", id="airway"),
        pytest.param("mouth is fizzing and itchy ten minutes after the jab", id="fizzing"),
        pytest.param("I can't swallow properly and my tongue is swelling", id="swallow"),
    ],
)
def test_throat_closing_or_tingling_mouth_after_a_dose_is_anaphylaxis(text: str) -> None:
    assert _level(text) == "emergency"
    assert "anaphylaxis" in _flags(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("temperature of 38.9 and my throat is so sore I can't swallow", id="sore"),
        pytest.param("I can't swallow the big tablets, are there smaller ones?", id="tablets"),
        pytest.param("I have a cold and my windpipe feels narrow with phlegm", id="cold"),
    ],
)
def test_a_sore_throat_or_big_tablets_are_not_anaphylaxis(text: str) -> None:
    assert "anaphylaxis" not in _flags(text)


# --- suicidal thoughts in indirect words -------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "I've given away my guitar and all my books, won't need them soon", id="given"
        ),
        pytest.param("been handing all my stuff out to friends, it's for the best", id="handing"),
        pytest.param(
            "the pills are all here on the table and I'm going to swallow them", id="pills"
        ),
        pytest.param("I want to finish my life", id="finish-life"),
        pytest.param("sometimes I think to finish my days", id="non-native"),
        pytest.param("I have a lot of tablets saved up here", id="saved"),
        pytest.param("this is my last message, thank you for trying", id="last-message"),
        pytest.param("Im saying my goodbyes to everyone", id="goodbyes"),
        pytest.param("my flatmate has taken a load of tablets and is really sleepy", id="taken"),
    ],
)
def test_indirect_suicidal_wording_is_an_emergency(text: str) -> None:
    assert _level(text) == "emergency"
    assert "suicidal_thoughts" in _flags(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("my son messaged to say goodbye and now his phone is off", id="phone-off"),
        pytest.param(
            "my sister left a note saying sorry for everything, can't reach her", id="note"
        ),
        pytest.param(
            "my partner texted me to look after the kids for him and he isn't picking up",
            id="look-after",
        ),
    ],
)
def test_someone_elses_goodbye_then_silence_is_an_emergency(text: str) -> None:
    assert _level(text) == "emergency"
    assert "suicidal_thoughts" in _flags(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("I'm giving away baby clothes to a charity shop", id="charity"),
        pytest.param("I'm going to take my tablets with breakfast", id="breakfast"),
        pytest.param("I've got enough tablets to last till my next prescription", id="supply"),
        pytest.param(
            "she texted to say goodbye before her holiday",
            id="holiday",
            # Known over-triage by the trained signal since session 6; strict, so a fix shows.
            marks=pytest.mark.xfail(strict=True, reason="trained signal over-triages (session 6)"),
        ),
        pytest.param("I've taken all my tablets this month, when is my retest?", id="course"),
        pytest.param("I've given up on the tablets, can I get injections instead?", id="given-up"),
    ],
)
def test_ordinary_giving_goodbyes_and_tablets_stay_routine(text: str) -> None:
    assert _level(text) in {"routine", "none"}


# --- breathless at rest --------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("mum can't finish a sentence without gasping for air", id="sentence"),
        pytest.param("he can't say more than a few words without stopping for breath", id="words"),
        pytest.param("she is panting just sitting still in her chair", id="panting"),
        pytest.param("he is breathing really fast lying in bed doing nothing", id="fast"),
    ],
)
def test_cannot_finish_a_sentence_or_panting_at_rest_is_an_emergency(text: str) -> None:
    assert _level(text) == "emergency"
    assert "breathless_at_rest" in _flags(text)


def test_panting_after_exercise_is_not_breathlessness_at_rest() -> None:
    assert "breathless_at_rest" not in _flags("I was panting sitting down after my run")


# --- sound-alike spellings and voice-to-text slips -----------------------------------------


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        pytest.param("tite chest and sweaty since lunch", "chest_pain", id="tite"),
        pytest.param("i cant breed properly even sitting down", "breathless_at_rest", id="breed"),
        pytest.param("he's not breeding properly", "breathless_at_rest", id="breeding"),
        pytest.param("my wife is having a hard attack i think", "chest_pain", id="hard-attack"),
        pytest.param(
            "my husband is on conscious on the sofa", "reduced_consciousness", id="on-con"
        ),
        pytest.param("my throte is closing up after the jab", "anaphylaxis", id="throte"),
        pytest.param("he is unconshus on the floor", "reduced_consciousness", id="unconshus"),
    ],
)
def test_sound_alike_and_voice_to_text_slips_still_match(text: str, flag: str) -> None:
    assert _level(text) == "emergency"
    assert flag in _flags(text)


def test_spoken_endings_and_sound_alikes_are_rewritten_to_the_written_word() -> None:
    assert [w.key for w in words("injecshun tite falen throte")] == [
        "injection",
        "tight",
        "fallen",
        "throat",
    ]
    # a short word ending in the same letters is left alone
    assert words("shun")[0].key == "shun"


# --- chest discomfort in lay words --------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("pain behind my breast bone that won't go", id="breast-bone"),
        pytest.param("there's a squeezing feeling in the middle of my chest", id="squeezing"),
        pytest.param("feels like someone is standing on my chest", id="standing-on"),
        pytest.param("my chest feels really odd, heavy and achy, and I feel sick", id="odd-heavy"),
    ],
)
def test_chest_discomfort_in_lay_words_is_an_emergency(text: str) -> None:
    assert _level(text) == "emergency"
    assert "chest_pain" in _flags(text)


# --- legs giving way, stuck on the floor ---------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("on the floor, my legs not working from 20 minutes", id="non-native"),
        pytest.param("legs no move since this morning", id="no-move"),
        pytest.param("my legs have just gone, I'm stuck on the kitchen floor", id="gone"),
        pytest.param("i'm on the ground and can't get up, legs are like jelly", id="ground"),
        pytest.param("dad's legs suddenly gave up on him and he can't stand", id="gave-up"),
    ],
)
def test_legs_giving_way_or_stuck_on_the_floor_is_an_emergency(text: str) -> None:
    assert _level(text) == "emergency"
    assert "acute_neurological_deficit" in _flags(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("my legs feel like jelly after my spin class", id="spin"),
        pytest.param(
            "sat on the floor playing lego with the kids, can I take b12 with tea?", id="lego"
        ),
        pytest.param("my legs ache after the gym", id="gym"),
    ],
)
def test_tired_legs_and_sitting_on_the_floor_are_not_neurological_emergencies(text: str) -> None:
    assert "acute_neurological_deficit" not in _flags(text)


# --- doubt and understatement must not de-escalate -----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("not sure if she is still breathing, her lips look blue", id="not-sure"),
        pytest.param(
            "I don't know if he's unconscious or just asleep, I can't wake him", id="dont-know"
        ),
        pytest.param(
            "can't tell whether he is breathing, he's gone blue round the lips", id="cant-tell"
        ),
    ],
)
def test_doubt_about_what_is_happening_is_not_a_supposition(text: str) -> None:
    assert _level(text) == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "it's probably nothing serious just a heavy chest and pain down my left arm", id="ns"
        ),
        pytest.param("probably nothing but my chest has been tight for an hour", id="pn"),
        pytest.param("don't want to make a fuss but I can't feel my legs suddenly", id="fuss"),
        pytest.param(
            "might be overreacting but my lips are swelling after the injection", id="over"
        ),
        pytest.param(
            "it's probably just anxiety but my chest is crushing and I'm sweating", id="anx"
        ),
    ],
)
def test_understatement_does_not_hide_an_emergency(text: str) -> None:
    assert _level(text) == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("if she stops breathing what should I do?", id="if"),
        pytest.param("no chest pain, just tired all the time", id="denial"),
        pytest.param("I'm not sure if I should take b12 with food", id="no-flag"),
    ],
)
def test_real_suppositions_and_denials_still_de_escalate(text: str) -> None:
    assert _level(text) in {"routine", "none"}


# --- key fact buried in a long message -----------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "Hi, I had my levels done in March and started tablets, the GP said folate was "
            "fine, anyway this morning my speech went all slurred and my right arm is weak, "
            "and I wondered about diet too",
            id="speech",
        ),
        pytest.param(
            "quick one about my prescription, also my husband collapsed ten minutes ago and "
            "isn't answering, and can I take the tablets with tea?",
            id="collapse",
        ),
        pytest.param(
            "I have a few questions about folate. One, what foods? Two, my son is very drowsy "
            "and not waking up properly since his jab. Three, is it ok with iron?",
            id="numbered",
        ),
    ],
)
def test_an_emergency_buried_in_a_long_message_escalates(text: str) -> None:
    assert _level(text) == "emergency"


# --- urgent families ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        pytest.param("ive falen over twice this week", "falls_or_loss_of_balance", id="falen"),
        pytest.param(
            "I've fallen 3 times since Sunday for no reason", "falls_or_loss_of_balance", id="3x"
        ),
        pytest.param(
            "my 4 month old keeps vomiting and isnt gaining weight, my b12 was low",
            "unwell_infant",
            id="infant-vomit",
        ),
        pytest.param(
            "baby not putting on weight and very irritable, I'm vegan and breastfeeding",
            "unwell_infant",
            id="infant-weight",
        ),
        pytest.param(
            "can't get up the stairs without stopping for breath now, this is new",
            "breathless_on_minimal_exertion",
            id="stairs",
        ),
    ],
)
def test_counted_falls_infant_weight_and_one_flight_of_stairs_are_urgent(
    text: str, flag: str
) -> None:
    assert _level(text) in {"urgent", "emergency"}
    assert flag in _flags(text)


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("I fell over once in 2019 and broke my wrist", id="once"),
        pytest.param(
            "my baby keeps being sick after feeds sometimes, is that normal?", id="posset"
        ),
        pytest.param("puffed going up three flights of stairs at work", id="flights"),
    ],
)
def test_old_falls_ordinary_posseting_and_long_climbs_stay_routine(text: str) -> None:
    assert _level(text) in {"routine", "none"}


# --- time before treatment ------------------------------------------------------------------


def test_confusion_before_treatment_started_is_past() -> None:
    text = (
        "my husband used to get confused before he started injections in 2018 but he's "
        "sharp now, can he stop them?"
    )
    assert _level(text) in {"routine", "none"}


def test_started_on_its_own_still_makes_a_mention_current() -> None:
    assert _level("my dad started getting really confused this week") in {"urgent", "emergency"}


def test_marker_rules_directly() -> None:
    text = "not sure if he is breathing, probably nothing but before she started it was bad"
    markers = MessageMarkers(text)
    found = {name: [text[m.start : m.end] for m in ms] for name, ms in markers.found.items()}
    assert found["uncertain"] == ["not sure if"]
    assert found["hedge"] == ["probably nothing"]
    # "started" inside the longer "before she started" is not a present-time marker
    assert "started" not in found["present"]
    assert found["remote_past"] == ["before she started"]
    start = text.index("breathing")
    assert not markers.conditional(start)
    assert markers.time(start, start + len("breathing")) is Time.CURRENT
    # a plain "if" is still a supposition
    assert MessageMarkers("what if he stops breathing").conditional(len("what if he stops "))
