"""Session 9 triage: failures found by a fresh blind dev set (triage15) and an independent review.

Sentences are our own wording or the reviewer's, never copied from an evaluation set.
"""

from __future__ import annotations

import pytest

from guideline_engine.triage import assess


def _level(text: str) -> str:
    result = assess(text)
    return result.urgency.value if result.urgency else "none"


def _flags(text: str) -> tuple[str, ...]:
    return tuple(h.id for h in assess(text).red_flags)


@pytest.mark.parametrize(
    "text",
    [
        "I have crushing chest pain. The headache has settled",
        "my chest is crushing, the dizzy spell went away",
        "my lips are swelling up after the jab, the rash on my arm cleared",
        "he cant be woken up, his cough cleared up last week",
    ],
)
def test_another_symptoms_recovery_does_not_silence_an_emergency(text: str) -> None:
    """HAZ-100: a resolution marker belongs to the symptom named just before it."""
    assert _level(text) == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "I had chest pain last week, the pain went away and has not come back",
        "fainted on monday, feel fine now",
    ],
)
def test_the_same_symptoms_recovery_still_counts(text: str) -> None:
    assert _level(text) != "emergency"


def test_nearly_undoes_only_the_word_it_goes_with() -> None:
    """HAZ-101: "nearly" elsewhere in the clause vetoed a real faint."""
    text = "I passed out in the kitchen this morning, still dizzy and keep nearly going again"
    assert "fainting_collapse" in _flags(text)
    assert _level("I nearly passed out this morning") == "urgent"


@pytest.mark.parametrize(
    "text",
    [
        "my legs just wont move since 7am, i was fine last night",
        "I had crushing chest pain last night and it hasnt gone away",
        "last night my chest went tight and it still hasnt eased",
    ],
)
def test_a_baseline_before_the_onset_or_a_symptom_that_will_not_go_is_current(text: str) -> None:
    """HAZ-102: "fine last night" dates the onset, it does not put the symptom in the past."""
    assert _level(text) == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "my speech was slurred for 10 minutes this morning, back to normal now",
        "my face drooped for 20 minutes earlier, fine now",
        "my dad's face drooped this morning but he seems ok now",
        "my speech went funny this morning",
        "since lunch she can't get her words out",
    ],
)
def test_a_stroke_sign_is_an_emergency_even_when_it_has_passed(text: str) -> None:
    """HAZ-103: a TIA's signs pass; the Stroke Association says call 999 all the same."""
    assert "stroke_signs" in _flags(text)
    assert _level(text) == "emergency"


def test_a_passed_stroke_sign_of_yesterday_is_urgent_and_one_of_years_ago_is_not() -> None:
    assert _level("my face drooped yesterday, fine now") == "urgent"
    assert _level("I had a stroke years ago, fine since") == "none"


@pytest.mark.parametrize(
    "text",
    [
        "my son is having a fit right now and wont stop shaking",
        "he's having a seizure",
        "she is convulsing on the floor",
        "i had my first ever fit an hour ago",
        "her fits wont stop, one after another",
    ],
)
def test_a_seizure_now_is_an_emergency(text: str) -> None:
    """HAZ-104: there was no seizure red flag at all."""
    assert "seizure" in _flags(text)
    assert _level(text) == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "what if I have a seizure",
        "can low b12 cause seizures?",
        "he has epilepsy, had a seizure last year",
        "the fitting room at the shop was tiny",
    ],
)
def test_a_seizure_asked_about_or_long_past_is_not_escalated(text: str) -> None:
    assert "seizure" not in _flags(text)


@pytest.mark.parametrize(
    ("text", "flag", "level"),
    [
        ("Pt c/o CP radiating to L arm, b12 110", "chest_pain", "emergency"),
        ("80M, B12 150, T 38.9, neut 0.4", "fever_with_neutropenia", "emergency"),
        ("temp 38.9 and my neutrophils are 0.4", "fever_with_neutropenia", "emergency"),
        ("72F, new onset confusion today, GCS 13, B12 60", "reduced_consciousness", "emergency"),
        ("61M ?SACD, ataxic gait, falls x3 this wk, b12 74", "falls_or_loss_of_balance", "urgent"),
        ("44F, B12 95, weakness progressive over 48h", "acute_neurological_deficit", "emergency"),
        ("30F, B12 100, new visual loss R eye today", "sudden_vision_loss", "emergency"),
        ("my sight went in one eye an hour ago", "sudden_vision_loss", "emergency"),
        ("new central scotoma and reduced colour vision, B12 low", "visual_change", "urgent"),
        ("I took all my tablets at once an hour ago", "suicidal_thoughts", "emergency"),
        ("she cannot be kept awake and is talking nonsense", "reduced_consciousness", "emergency"),
    ],
)
def test_clinician_shorthand_and_plain_words_for_red_flags(
    text: str, flag: str, level: str
) -> None:
    """HAZ-105: shorthand and wording an independent review and a blind dev set found missed."""
    assert flag in _flags(text)
    assert _level(text) == level


def test_cp_alone_may_be_cerebral_palsy() -> None:
    assert "chest_pain" not in _flags("my son has CP and low b12")


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("I'm lying on the sofa puffing like I've climbed a mountain, this is new", "emergency"),
        ("third fall this week, my knees just buckle", "urgent"),
        ("Pt reports progressive paraesthesia ascending to the knees over a week", "urgent"),
        ("blood on the paper and in the pan when I go, for 3 days", "urgent"),
        ("I used to cycle to work, now I'm out of breath walking to the shop", "urgent"),
        ("new exertional dyspnoea over two weeks, B12 low", "urgent"),
        ("9 month old, exclusively breastfed, vegan mum, hypotonia and faltering growth", "urgent"),
        ("swollen lips and facial swelling with urticaria after hydroxocobalamin", "emergency"),
    ],
)
def test_new_wording_of_urgent_and_emergency_flags(text: str, level: str) -> None:
    """HAZ-105: wording of each category a blind dev set (triage15) showed missed."""
    assert _level(text) == level


@pytest.mark.parametrize(
    "text",
    [
        "years ago I had swollen lips after a jab, but I've had 20 since with no problem",
        "I self harmed in my teens, that's long behind me",
        "tingling in my toes last year before treatment, totally gone now",
        "my brother's baby was floppy 2 yrs ago, thriving now",
        "my heart dropped through the floor when I saw the result",
    ],
)
def test_past_resolved_and_figurative_wording_is_not_escalated(text: str) -> None:
    assert _level(text) in ("none", "routine")


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("My mother had anaemia from low folate when she was expecting me", "none"),
        (
            "mum had low folate when pregnant with me. now im pregnant too and my b12 is low",
            "urgent",
        ),
        ("im pregnant with low b12", "urgent"),
    ],
)
def test_the_writers_own_gestation_is_not_a_pregnancy_now(text: str, level: str) -> None:
    """HAZ-107: "when she was expecting me" raised the pregnancy flag for the writer."""
    assert _level(text) == level


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("Ah'm pechin on the hill these days, never used tae be like that", "urgent"),
        ("toes went numb on tuesday, now its my whole foot and ankle", "urgent"),
        ("SpO2 89% on my finger monitor and breathless sitting down", "emergency"),
        ("resting dyspnoea since this morning, Hb 58", "emergency"),
        ("he responds only to pain now, eyes shut", "emergency"),
        ("febrile 38.8 with rigors and tonsillitis since yesterday, on B12", "urgent"),
        ("I keep missing my footing and I've been unsteady lately", "urgent"),
        ("little purple dots on her shins that weren't there last week", "urgent"),
        ("puffed out on one flight of stairs, new for me this last month", "urgent"),
        ("my husband says I keep repeating myself this week, not like me", "urgent"),
        ("I'm 18 weeks gone and my B12's low", "urgent"),
    ],
)
def test_wording_a_second_blind_dev_set_found_missed(text: str, level: str) -> None:
    """HAZ-105: wording of urgent and emergency flags found missed by triage16 (own sentences)."""
    assert _level(text) == level


def test_a_stable_unsteadiness_in_scots_is_not_escalated() -> None:
    """HAZ-106: "nae worse" is "no worse" (Scots spellings are read as their English words)."""
    text = "a wee bit o unsteadiness fur years, the physio's seen me, nae worse"
    assert _level(text) in ("none", "routine")


@pytest.mark.parametrize(
    "text",
    [
        "would someone with low b12 ever lose control of their bowels? just wondering",
        "Can b12 deficiency make people suicidal? asking for an essay",
        "my uncle lost the sight in one eye back in the 80s, could that happen to me",
        "im fainting from boredom in this queue",
        "I nearly collapsed with relief when the GP rang",
    ],
)
def test_generic_questions_old_events_and_figures_of_speech_are_not_escalated(text: str) -> None:
    """HAZ-106: wording leave-one-dev-set-out runs showed over-triaged (own sentences)."""
    assert _level(text) in ("none", "routine")


@pytest.mark.parametrize(
    "text",
    [
        "would I end up in A&E if my chest hurts like this all night? it's crushing right now",
        "numbness was only in my toes last month, now it's my whole feet and creeping up",
    ],
)
def test_a_question_or_an_old_date_beside_a_current_red_flag_does_not_hide_it(text: str) -> None:
    assert _level(text) in ("urgent", "emergency")


@pytest.mark.parametrize(
    ("text", "level"),
    [
        ("I have severe chest pain, palpitations gone now", "emergency"),
        (
            "my throat is closing up after the jab, I had the first ones without any problems",
            "emergency",
        ),
        ("I can't breathe, the pneumonia is behind me now", "emergency"),
        ("She's having a fit right now, her cold is totally gone now", "emergency"),
        ("my baby is floppy and won't feed, she was thriving now she isn't", "urgent"),
        (
            "I had my first jab in 2015 and an hour after today's jab my face swelled up",
            "emergency",
        ),
        ("her sats are in the 80s and she's gasping", "emergency"),
        ("I shook him, he was diagnosed in 2010 with PA, he only groaned", "emergency"),
        ("my wife had a fit in the night, first time ever, she's ok now", "emergency"),
        ("he's had 3 fits today and is drowsy between them", "emergency"),
    ],
)
def test_review_of_the_session_current_red_flags_are_not_hidden(text: str, level: str) -> None:
    """HAZ-108: an independent review of this session's triage changes (its sentences)."""
    assert _level(text) == level


def test_a_red_flag_of_today_that_is_over_is_still_checked_today() -> None:
    """HAZ-108: over by now but of today: at least urgent; undated and over: not an emergency."""
    assert _level("had chest pain this morning, fine now") in ("urgent", "emergency")
    assert _level("After my stroke my speech was slurred but it's fine now") != "emergency"


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        ("my mum had a fit when she saw the bill, my b12 came back low", "seizure"),
        ("I'm having a fit of coughing every night", "seizure"),
        ("she is fitting the curtains, I have pins and needles in my feet", "seizure"),
        ("is tonic clonic seizure linked with b12 deficiency?", "seizure"),
        ("I had febrile convulsions as a baby", "seizure"),
        ("My son has CP, ongoing physio, B12 low", "chest_pain"),
        ("This is my second trip to the GP about tiredness", "falls_or_loss_of_balance"),
    ],
)
def test_review_of_the_session_new_cues_do_not_fire_on_other_meanings(text: str, flag: str) -> None:
    """HAZ-106: idioms, questions and history the new seizure, CP and falls cues caught."""
    assert flag not in _flags(text)


@pytest.mark.parametrize(
    "text",
    [
        "the vision in my right eye went black for a few minutes this morning, back to normal now",
        "my sight went dark in one eye at lunch, fine now",
    ],
)
def test_sight_lost_today_and_back_is_still_an_emergency(text: str) -> None:
    """HAZ-103: a passed loss of sight in one eye may be a TIA of the eye."""
    assert "sudden_vision_loss" in _flags(text)
    assert _level(text) == "emergency"


def test_sight_lost_years_ago_is_not_escalated() -> None:
    assert _level("I went blind in one eye years ago, fine since") == "none"


@pytest.mark.parametrize(
    "text",
    ["i think so", "yes, 140 i think", "i dont think so", "not sure, maybe", "yes it was 140"],
)
def test_an_answer_that_says_nothing_about_anyone_is_no_emergency(text: str) -> None:
    """HAZ-109: the trained signal read "i think so" as an emergency from its words alone."""
    assert _level(text) == "none"


def test_a_hedged_emergency_still_counts() -> None:
    assert _level("i think hes dying, he wont wake up") == "emergency"
