"""Session 10 triage fixes (HAZ-170..HAZ-175), from the blind triage17_dev set.

Every sentence here is our own wording of the kind of message the blind set showed, not a
copy of it. Each group holds both sides: what must now escalate or settle, and the near
neighbour that must keep its urgency (so the fix cannot pass by switching a flag off).
"""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from guideline_engine.extraction.lexicon import load_symptoms
from guideline_engine.extraction.vocab import read_vocab_text
from guideline_engine.triage import assess
from guideline_engine.triage.rules import RED_FLAGS_FILE, parse_red_flags
from tests.engine.triage.urgency import urgency_of


def _flags(text: str) -> set[str]:
    return {h.id for h in assess(text).red_flags}


# HAZ-170: clinicians' words for anaphylaxis and reduced consciousness were missed.
@pytest.mark.parametrize(
    "text",
    [
        "2nd hydroxocobalamin dose 30 min ago, now angioedema of the tongue and lips",
        "angio-oedema of face after the loading dose, wheezy",
        "urticaria all over after the injection and her throat feels funny now",
        "GCS looks about 9, came on since lunch",
        "gcs around 11 tonight, was chatting this morning",
        "he is not talking and his eyes only open to pain",
    ],
)
def test_clinical_words_for_emergencies_escalate(text: str) -> None:
    assert urgency_of(text) == "emergency"


def test_gcs_of_fifteen_is_not_reduced_consciousness() -> None:
    assert "reduced_consciousness" not in _flags("GCS 15, alert, b12 110, plan?")


# HAZ-171: a long-standing, unchanged complaint read as a new red flag (over-triage).
@pytest.mark.parametrize(
    "text",
    [
        "my feet have tingled for years, same as ever, neurologist knows about it",
        "dad's walk has been unsteady for years and unchanged, can b12 help",
        "I'm forgetful, same as always really, is that the b12",
        "numb toes for years and it never gets any worse, just wondering about tablets",
    ],
)
def test_long_standing_unchanged_complaints_do_not_escalate(text: str) -> None:
    assert urgency_of(text) not in ("urgent", "emergency")


@pytest.mark.parametrize(
    "text",
    [
        "mum has been forgetful for years but since yesterday she is confused and muddled",
        "tingling for years but this week it has spread up to my knees",
        "unsteady for years and had three falls this week",
        "my feet have tingled for years, same as ever, and today my legs suddenly gave way",
    ],
)
def test_long_standing_with_something_new_still_escalates(text: str) -> None:
    assert urgency_of(text) in ("urgent", "emergency")


def test_an_emergency_can_never_be_settled_as_long_standing() -> None:
    data: dict[str, Any] = yaml.safe_load(read_vocab_text(RED_FLAGS_FILE))
    broken = copy.deepcopy(data)
    entry = next(e for e in broken["red_flags"] if e["urgency"] == "emergency")
    entry["match"]["not_if_long_standing"] = True
    with pytest.raises(Exception, match="never settled"):
        parse_red_flags(broken, frozenset(s.id for s in load_symptoms()))


# HAZ-172: pregnancy or breastfeeding with NORMAL levels, or with folic acid taken as every
# pregnant woman does, read as "with deficiency" (over-triage); "24/40" not read at all.
@pytest.mark.parametrize(
    "text",
    [
        "I'm 30 weeks pregnant, booking bloods showed b12 and folate both normal, "
        "can I stop the folic acid",
        "breastfeeding my 3 month old, my levels were fine at the GP, what b12 spray is best",
        "Pregnant and keep forgetting to take my folic acid, does a day or two matter?",
        "we are planning a baby next year, what folic acid dose should I take",
    ],
)
def test_pregnancy_with_normal_levels_or_routine_folic_acid_is_routine(text: str) -> None:
    assert "pregnancy_or_breastfeeding_with_deficiency" not in _flags(text)


@pytest.mark.parametrize(
    "text",
    [
        "F 29, 22/40, b12 borderline, folate low. Same day?",
        "I'm pregnant and my b12 is 150",
        "pregnant, b12 normal but my folate came back low",
        "I'm pregnant, my b12 was fine last time but now it is 120",
        "still breastfeeding and the nurse says my folic acid level is low",
        "I am 12 weeks pregnant and in my first pregnancy I needed b12 jabs, is it low again",
    ],
)
def test_pregnancy_with_a_low_or_uncertain_level_stays_urgent(text: str) -> None:
    assert "pregnancy_or_breastfeeding_with_deficiency" in _flags(text)


# HAZ-173: "can't walk ... without puffing" read "without" as a denial; new breathlessness
# on ordinary effort in lay words missed.
@pytest.mark.parametrize(
    "text",
    [
        "can't get to the end of the street without puffing these days, only the last few weeks",
        "newly short of breath on the stairs",
        "out of breath walking to the bus since last month, did it for years with no bother",
    ],
)
def test_new_breathlessness_on_effort_is_urgent(text: str) -> None:
    assert urgency_of(text) in ("urgent", "emergency")


def test_without_after_an_ability_still_denies() -> None:
    assert urgency_of("I can walk to the shops without getting breathless") not in (
        "urgent",
        "emergency",
    )


# HAZ-174: confusion and an unwell baby in other words.
@pytest.mark.parametrize(
    "text",
    [
        "my nan isn't making sense on the phone this evening, she's anaemic",
        "my baby 4 month not want milk and body is soft, I am vegan with low b12",
    ],
)
def test_confusion_and_infant_in_other_words_are_urgent(text: str) -> None:
    assert urgency_of(text) in ("urgent", "emergency")


def test_a_form_not_making_sense_is_not_confusion() -> None:
    assert "new_confusion_or_memory_loss" not in _flags("this letter isn't making sense to me")


# HAZ-175: someone dead, or an earlier pregnancy, is the past.
@pytest.mark.parametrize(
    "text",
    [
        "My late father had pernicious anaemia and got very confused, should I be tested?",
        "in my last pregnancy my gums bled a lot with low folate, planning another baby now",
    ],
)
def test_the_dead_and_an_earlier_pregnancy_are_past(text: str) -> None:
    assert urgency_of(text) not in ("urgent", "emergency")


def test_the_writer_now_beside_someone_dead_still_escalates() -> None:
    assert urgency_of("my late husband had low b12 and now I'm so confused I can't think") in (
        "urgent",
        "emergency",
    )


# HAZ-181: an age of 38 to 40 read as a temperature beside a sore mouth.
@pytest.mark.parametrize(
    "text",
    ["sore mouth and big red cells, folate 1.9 ug/L. 39 F", "aged 40 with a sore mouth, b12 low"],
)
def test_an_age_is_no_temperature(text: str) -> None:
    assert "fever_with_sore_throat_or_ulcers" not in _flags(text)


@pytest.mark.parametrize(
    "text", ["temp 39 and my throat is killing me", "39 and a sore throat, on carbimazole"]
)
def test_a_temperature_with_a_sore_throat_is_still_urgent(text: str) -> None:
    assert "fever_with_sore_throat_or_ulcers" in _flags(text)


# HAZ-187: review 10 of this session's uncommitted triage changes (its own sentences).
@pytest.mark.parametrize(
    "text",
    [
        "just before he passed out he had crushing chest pain",
        "before she passed out she said she couldnt breathe and her lips went blue",
        "after my late shift i collapsed and couldnt get up",
        "my tongue is swollen and my throat is closing after the jab",
    ],
)
def test_review10_emergencies_stay_emergencies(text: str) -> None:
    assert urgency_of(text) == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "dads been diabetic for years n now hes confused n keeps falling",
        "my nan is diabetic a long time, she's fallen over twice and is muddled",
        "Pt with longstanding hypothyroidism, now confused and falls x3",
        "numb feet unchanged, my husband is confused and doesnt know me",
        "confused for years same as always but more confused now",
        "this is my first pregnancy and my b12 is 110",
        "pregnant with my 2nd, had low b12 in my last pregnancy, not been tested this time",
        "my late period, im pregnant i think, b12 is 90",
        "im pregnant, all normal except my b12 which is 100",
        "pregnant, b12 fine, folate wasn't",
        "im pregnant. b12 normal but mcv high and hb 90",
        "pregnant and vegan, b12 was ok at booking but not rechecked, should i take b12",
        "she is five months pregnant with low folic acid",
    ],
)
def test_review10_urgent_messages_stay_urgent(text: str) -> None:
    assert urgency_of(text) in ("urgent", "emergency")


@pytest.mark.parametrize(
    "text",
    [
        "my b12 was 400 last year, went down suddenly to 150 this year",
        "folate levels, dropped down at the last test to 2.1",
        "my tongue is swollen, it's red and sore",
        "I'm struggling with tiredness without any chest pain",
        "unable to get the jab this week, coping without any breathlessness so far",
        "my breath smells, past few weeks, b12 low",
        "pregnant, feeling low, is b12 safe to take",
    ],
)
def test_review10_routine_messages_are_not_emergencies(text: str) -> None:
    assert urgency_of(text) != "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "my b12 was 400 last year, went down suddenly to 150 this year",
        "I'm struggling with tiredness without any chest pain",
        "my breath smells, past few weeks, b12 low",
    ],
)
def test_review10_over_triage_is_gone(text: str) -> None:
    assert urgency_of(text) not in ("urgent", "emergency")


def test_levels_normal_can_never_settle_an_emergency() -> None:
    data: dict[str, Any] = yaml.safe_load(read_vocab_text(RED_FLAGS_FILE))
    broken = copy.deepcopy(data)
    entry = next(e for e in broken["red_flags"] if e["urgency"] == "emergency")
    entry["match"]["not_if_levels_normal"] = True
    with pytest.raises(Exception, match="never settled"):
        parse_red_flags(broken, frozenset(s.id for s in load_symptoms()))


# HAZ-188: a general question the writer then says is about them now.
@pytest.mark.parametrize(
    "text",
    [
        "Can low b12 give you crushing chest pain? Because I've got it right now",
        "does b12 deficiency make you lose control of your bladder? it happened this morning",
        "can b12 make you want to end it all? thats been me all week",
    ],
)
def test_a_question_the_writer_says_is_theirs_escalates(text: str) -> None:
    assert urgency_of(text) == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "can b12 deficiency cause chest pain?",
        "does low b12 make you lose control of your bladder? asking for a leaflet",
        "does PA cause loss of bladder control? ive got it, diagnosed 2019",
        "can b12 injections cause anaphylaxis? it happened to my friend",
    ],
)
def test_a_general_question_alone_does_not_escalate(text: str) -> None:
    assert urgency_of(text) != "emergency"


# Review 10b, H3: a long-standing illness is not a long-standing complaint.
@pytest.mark.parametrize(
    "text",
    [
        "Pt with longstanding hypothyroidism confused and falling x3",
        "dads had diabetes a long time and falls a lot",
        "dads had diabetes for years and falls a lot",
        "he has been confused for a long time and falls every day",
    ],
)
def test_a_long_standing_illness_does_not_settle_new_falls(text: str) -> None:
    assert urgency_of(text) in ("urgent", "emergency")


# Review 10b, H2 and M2.
@pytest.mark.parametrize(
    "text",
    [
        "im pregnant and my glucose test came back normal, im vegan and b12 deficient",
        "pregnant, folate came back normal, b12 result pending",
        "pregnant. bloods were normal. b12 140",
    ],
)
def test_review10b_pregnancy_with_an_unknown_level_stays_urgent(text: str) -> None:
    assert "pregnancy_or_breastfeeding_with_deficiency" in _flags(text)


@pytest.mark.parametrize(
    "text",
    [
        "cant believe ive gone a whole month without fainting",
        "cant wait to go a day without falling",
    ],
)
def test_cant_wait_and_time_gone_by_without_deny(text: str) -> None:
    assert urgency_of(text) not in ("urgent", "emergency")


# HAZ-191, HAZ-192: known gaps held by strict xfails in session 10, fixed in session 11.
# Fixed in session 11: the pregnancy flag's also_when on the extractor's readings.
def test_pregnancy_with_a_recent_low_b12_is_urgent() -> None:
    assert urgency_of("pregnant. my b12 was low last month") in ("urgent", "emergency")


# Fixed in session 11 (extract._past_pregnancy).
def test_a_past_pregnancy_is_not_a_pregnancy_now() -> None:
    from guideline_engine.extraction import extract

    found = extract("when i was pregnant with my son (he is 6 now) my b12 was low")
    assert found.pregnant != "yes"


@pytest.mark.parametrize(
    "text",
    [
        "pregnant, folate was low a few weeks ago",
        "I'm 12 weeks pregnant and my b12 came back low in the spring",
    ],
)
def test_pregnancy_now_with_a_low_level_of_any_date_is_urgent(text: str) -> None:
    assert urgency_of(text) in ("urgent", "emergency")


@pytest.mark.parametrize(
    "text",
    [
        "when I was pregnant with my daughter my b12 was low, she's 4 now; is it low again?",
        "my wife had low folate while she was pregnant, mine is low now",
        "I'm pregnant, b12 and folate both normal, can I take a multivitamin?",
    ],
)
def test_a_past_pregnancy_or_normal_levels_are_not_urgent_by_the_rule(text: str) -> None:
    assert "pregnancy_or_breastfeeding_with_deficiency" not in _flags(text)


@pytest.mark.parametrize(
    ("text", "pregnant"),
    [
        ("I'm pregnant with my second, b12 low", "yes"),
        ("found out I was pregnant when I was at the GP", "yes"),
        ("I had low b12 when pregnant with my son", None),
        ("while she was pregnant her folate was low", None),
    ],
)
def test_a_pregnancy_now_is_told_from_one_in_the_past(text: str, pregnant: str | None) -> None:
    from guideline_engine.extraction import extract

    assert extract(text).pregnant == pregnant


@pytest.mark.parametrize(
    "text",
    [
        "I'm pregnant with my daughter and my folate is 2.1",
        "currently pregnant with my son, B12 120 and low",
    ],
)
def test_a_pregnancy_now_with_a_named_baby_is_still_urgent(text: str) -> None:
    from guideline_engine.extraction import extract

    assert extract(text).pregnant == "yes"
    assert urgency_of(text) in ("urgent", "emergency")
