"""Session 11 triage fixes (HAZ-193), from the blind triage19_dev set.

Every sentence is our own wording of the kind of message the blind set showed, not a copy.
Each group holds both sides: what must now escalate, and the neighbour that must stay routine.
"""

from __future__ import annotations

import pytest

from tests.engine.triage.urgency import urgency_of


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        # "rn" / "atm" say now: a dated event after the complaint does not date it
        ("my chest is so tight and sore rn, had the injection on monday, is it that?", "emergency"),
        ("chest feels crushed atm, saw the nurse yesterday for my jab", "emergency"),
        # clinical words for a reduced level of consciousness
        ("Pt 71F with PA, obtunded since lunchtime per daughter", "emergency"),
        ("he only opens his eyes to painful stimuli now", "emergency"),
        ("stuporous on arrival, known B12 deficiency", "emergency"),
        # shorthand for double vision and for palpitations with feeling faint
        ("new diplopia for two days, on B12 loading", "urgent"),
        ("palps and presyncope since yesterday, Hb 80", "urgent"),
        ("near syncope when she stands, B12 low", "urgent"),
        # an infant or toddler of a deficient or vegan mother who is not thriving
        ("3 month old, mum has untreated PA, feeding poorly and dropped two centiles", "urgent"),
        ("our toddler is 20 months and still not walking or talking, we are vegan", "urgent"),
        # the near neighbours of the settled complaints below
        ("my vision has gone blurry this week", "urgent"),
        ("the tingling in my feet is now up to my knees", "urgent"),
    ],
)
def test_session_11_wordings_escalate(text: str, urgency: str) -> None:
    assert urgency_of(text) == urgency


@pytest.mark.parametrize(
    "text",
    [
        # fainting at the sight of a needle that did not happen
        "I nearly passed out looking at the needle but I was fine, is 1mg normal?",
        # a toddler's milestones asked about in general
        "is it normal for a toddler not walking at 13 months? we eat meat",
        # double vision that was years ago and went
        "had diplopia once in 2015 after a head injury, fine since, now asking about b12 tablets",
        # long-standing blurred sight, already explained
        "my eyesight has been a bit blurry for years, the optician says it's my glasses, no change",
        # pins and needles that went
        "tingling in my feet last winter, all gone now after the jabs, do I still need them?",
    ],
)
def test_session_11_neighbours_stay_routine(text: str) -> None:
    assert urgency_of(text) not in ("urgent", "emergency")


# HAZ-196: triage20_dev. A time word of another event (in brackets, or before "and my ...")
# dated a current red flag; indirect wordings of emergencies; local reactions and jokes.
@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        (
            "dad (Hb 70 on monday) says his chest feels heavy, he is grey and clammy",
            "emergency",
        ),
        ("this isn't my usual indigestion, it's going up into my jaw and I feel sick", "emergency"),
        (
            "she says she's a burden and has sorted it so we won't have to worry",
            "emergency",
        ),
        (
            "how many folic acid tablets is an overdose? I have been saving them up",
            "emergency",
        ),
        (
            "mum got lost walking back from the post office, she never does that",
            "urgent",
        ),
        ("can you OD on folic acid? I have a lot saved up", "emergency"),
        ("mum has been in a stupor all afternoon", "emergency"),
        ("heartburn that goes through to my back and I feel clammy", "emergency"),
        ("the numb patch on my shin is bigger every day", "urgent"),
        ("my hands have gone dead since the weekend and I keep dropping my cup", "urgent"),
    ],
)
def test_triage20_wordings_escalate(text: str, urgency: str) -> None:
    assert urgency_of(text) == urgency


@pytest.mark.parametrize(
    "text",
    [
        "a bit itchy where the jab went in, no rash anywhere else",
        "this tax form is giving me chest pains haha, where do I upload my results?",
        "palpitations on and off for 15 years, holter and cardiology all fine, can b12 cause them?",
        "my grandad used to have b12 jabs and he collapsed a few times back then",
    ],
)
def test_triage20_neighbours_stay_routine(text: str) -> None:
    assert urgency_of(text) not in ("urgent", "emergency")


@pytest.mark.parametrize(
    "text", ["wet purpura on her legs since this morning", "new petechiae, plt 12"]
)
def test_blood_spots_in_clinicians_words_are_urgent(text: str) -> None:
    assert urgency_of(text) in ("urgent", "emergency")


@pytest.mark.parametrize(
    "text",
    [
        "RN asking: patient had chest pain last month which resolved, B12 low, plan?",
        "I was in a stupor after the party, is my b12 to blame?",
    ],
)
def test_review_11_over_triage_stays_routine(text: str) -> None:
    assert urgency_of(text) != "emergency"


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        ("customer denies palpitations, dizziness or chest pain, ok to sell b12?", None),
        # no "or": two statements, the second is not denied
        ("no headache, chest pain since this morning", "emergency"),
        ("no fever, but now I have chest pain", "emergency"),
    ],
)
def test_a_denial_reaches_across_a_comma_list_ending_in_or(text: str, urgency: str | None) -> None:
    assert urgency_of(text) == urgency


# Review 11b: what the first versions of this session's changes got wrong.
@pytest.mark.parametrize(
    "text",
    [
        "my face drooped last year (happening now)",
        "my lips went blue years ago (they are blue right now)",
        "I don't feel right, weak, dizzy or passing out",
        "No let up, breathless or chest tightness",
        "Never had this before, tingling or face drooping",
        "my speech went slurred two years ago and now it's slurred again",
    ],
)
def test_review_11b_current_emergencies_stay_emergencies(text: str) -> None:
    assert urgency_of(text) == "emergency"


@pytest.mark.parametrize(
    "text",
    [
        "Patient on folic acid 5mg OD, collected repeat prescription, B12 150",
        "I'm confused about what day to have my injection",
        "My blood results got lost, coming back next week?",
        "My heartburn is worse than usual today",
        "After mowing the lawn I sat down to catch my breath",
        "my hand went dead from sleeping on it and I dropped my cup",
    ],
)
def test_review_11b_ordinary_messages_stay_below_emergency(text: str) -> None:
    assert urgency_of(text) not in ("urgent", "emergency")


def test_palpitations_for_years_that_now_will_not_stop_are_urgent() -> None:
    assert urgency_of("I've had palpitations for years and now they won't stop") == "urgent"
