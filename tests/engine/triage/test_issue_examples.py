"""Every triage example of issue 9 and of the clinical review (section 2), one test each.

Each row would have caught the failure the review found: under-triage of an emergency or an
urgent problem, over-triage of ordinary or past symptoms, or someone else's symptom counted
as the writer's.
"""

from __future__ import annotations

import pytest

from guideline_engine.triage import assess

EMERGENCY, URGENT = "emergency", "urgent"
# At least urgent, emergency allowed: NHS pages read for the sources advise 999 for a limp or
# floppy child, while the issue lists an unwell infant as urgent.
URGENT_OR_MORE = "urgent+"

UNDER_TRIAGE = [
    pytest.param(
        "My dad has low B12 and today he is very drowsy and we can hardly wake him up",
        EMERGENCY,
        "reduced_consciousness",
        id="relative-hard-to-wake",
    ),
    pytest.param(
        "pale, drowsy and hard to wake", EMERGENCY, "reduced_consciousness", id="hard-to-wake"
    ),
    pytest.param(
        "my face and throat swelled up after my b12 injection",
        EMERGENCY,
        "anaphylaxis",
        id="anaphylaxis-after-injection",
    ),
    pytest.param(
        "face and throat swelled after the injection",
        EMERGENCY,
        "anaphylaxis",
        id="anaphylaxis-review-wording",
    ),
    pytest.param(
        "i cant see the point anymore and keep thinking everyone would be better off without me",
        EMERGENCY,
        "suicidal_thoughts",
        id="suicidal-indirect",
    ),
    pytest.param(
        "I'm so out of breath I can't finish a sentence even sitting still and my lips look "
        "a bit blue",
        EMERGENCY,
        "breathless_at_rest",
        id="breathless-blue-lips",
    ),
    pytest.param("my chest hurts", EMERGENCY, "chest_pain", id="chest-hurts"),
    pytest.param(
        "I'm having trouble breathing", EMERGENCY, "breathless_at_rest", id="trouble-breathing"
    ),
    pytest.param(
        "i feel like i'm going to pass out", URGENT, "feeling_faint", id="going-to-pass-out"
    ),
    pytest.param(
        "I've had black sticky stools for two days",
        URGENT,
        "bleeding_or_black_stools",
        id="black-stools",
    ),
    pytest.param(
        "gums bleeding, black stools", URGENT, "bleeding_or_black_stools", id="bleeding-gums"
    ),
    pytest.param(
        "high fever, sore throat",
        URGENT,
        "fever_with_sore_throat_or_ulcers",
        id="fever-sore-throat",
    ),
    pytest.param(
        "pregnant and my B12 is low",
        URGENT,
        "pregnancy_or_breastfeeding_with_deficiency",
        id="pregnant-low-b12",
    ),
    pytest.param(
        "baby floppy, not feeding; I'm vegan, breastfeeding",
        URGENT_OR_MORE,
        "unwell_infant",
        id="floppy-baby-vegan-mother",
    ),
    pytest.param(
        "my breastfed baby is not feeding and very sleepy, my b12 is low",
        URGENT_OR_MORE,
        "unwell_infant",
        id="sleepy-baby-not-feeding",
    ),
    pytest.param(
        "my vision has gone misty and colours look washed out",
        URGENT,
        "visual_change",
        id="vision-misty-colours",
    ),
    pytest.param(
        "my mum is really muddled", URGENT, "new_confusion_or_memory_loss", id="really-muddled"
    ),
    pytest.param(
        "he has had repeated falls this month",
        URGENT,
        "falls_or_loss_of_balance",
        id="repeated-falls",
    ),
    pytest.param(
        "my heart is racing and I feel faint", URGENT, "palpitations", id="heart-racing-faint"
    ),
    pytest.param("my heart is racing", URGENT, "palpitations", id="heart-is-racing"),
    pytest.param(
        "the numbness is spreading up my legs", URGENT, "spreading_numbness", id="numbness-spreads"
    ),
    pytest.param(
        "tengo dolor en el pecho y no puedo respirar",
        EMERGENCY,
        "chest_pain",
        id="spanish-chest-pain-breathing",
    ),
]


@pytest.mark.parametrize(("text", "at_least", "flag"), UNDER_TRIAGE)
def test_red_flag_is_found(text: str, at_least: str, flag: str) -> None:
    result = assess(text)
    assert flag in result.red_flag_ids
    assert result.urgency is not None
    assert result.urgency.rank >= (3 if at_least == EMERGENCY else 2)
    if at_least == URGENT:
        assert result.urgency == URGENT


def test_floppy_baby_is_at_least_urgent_and_names_the_baby() -> None:
    # NHS pages read for the source advise 999 for a limp or floppy child: the result may be
    # emergency, and it is about the baby, not the writer.
    result = assess("my baby is floppy")
    assert result.urgency is not None and result.urgency.rank >= 2
    assert result.about_other_person


def test_relative_described_now_escalates_for_that_person() -> None:
    result = assess("My dad has low B12 and today he is very drowsy and we can hardly wake him up")
    assert result.urgency == EMERGENCY
    assert result.about_other_person


OVER_TRIAGE = [
    pytest.param("I can't walk far without getting tired", id="walk-far-tired"),
    pytest.param("I fainted once last week but I've been fine since", id="past-faint-resolved"),
    pytest.param("fainted once last week but fine since", id="past-faint-resolved-short"),
    pytest.param("my sister collapsed last year, I'm fine, just tired", id="sister-collapsed"),
    pytest.param("my mum had chest pain once", id="mum-chest-pain-once"),
    pytest.param("tiredness getting worse quickly", id="tiredness-worse-quickly"),
    pytest.param("if my legs went weak suddenly, would that be b12?", id="hypothetical-weakness"),
    pytest.param("can b12 deficiency cause chest pain?", id="generic-question"),
    pytest.param("that phone call nearly gave me a heart attack", id="figurative-heart-attack"),
    pytest.param("my legs are dead after the gym", id="figurative-dead-legs"),
    pytest.param("no chest pain, no breathing problems, just tired", id="negated-emergencies"),
]


@pytest.mark.parametrize("text", OVER_TRIAGE)
def test_no_urgent_or_emergency_triage(text: str) -> None:
    result = assess(text)
    assert result.urgency is None or result.urgency == "routine", result.red_flag_ids


def test_slowly_progressive_neuropathy_is_not_an_acute_deficit() -> None:
    text = (
        "68M, 9 months of slowly progressive numbness and weakness in both legs, "
        "B12 110, MMA raised"
    )
    result = assess(text)
    assert "acute_neurological_deficit" not in result.red_flag_ids
    assert result.urgency != EMERGENCY


def test_a_faint_yesterday_is_urgent_not_an_emergency() -> None:
    result = assess("I fainted yesterday")
    assert result.urgency == URGENT
    assert result.red_flag_ids == ("recent_faint_or_fall",)


def test_a_fall_yesterday_is_urgent_not_an_emergency() -> None:
    result = assess("had a fall yesterday")
    assert result.urgency == URGENT


def test_unrecognised_symptoms_are_described_but_not_flagged() -> None:
    # The wording of the reply is tested in test_render_triage.py: it must not reassure.
    result = assess("very weak and dizzy")
    assert result.urgency != EMERGENCY
    assert result.describes_symptoms
