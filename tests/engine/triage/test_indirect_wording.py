"""Triage round 3: indirect lay wording for urgent situations and scary-but-routine messages.

Every sentence here was written for this file by the helper (none is copied or paraphrased
from an evaluation split). Each case is a failure mode found while generalising: it failed
before the change that it names.
"""

from __future__ import annotations

import pytest

from guideline_engine.triage import assess
from guideline_engine.triage.assertion import MessageMarkers, Time
from guideline_engine.triage.rules import WHEN_VALUES


def _level(text: str) -> str | None:
    result = assess(text)
    return result.urgency.value if result.urgency else None


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        pytest.param(
            "it is like looking through net curtains, she is on b12 jabs",
            "visual_change",
            id="vision-net-curtains",
        ),
        pytest.param(
            "things have gone a bit milky when i look out of my left eye",
            "visual_change",
            id="vision-milky-eye",
        ),
        pytest.param(
            "my reading has gone to pot this week, the letters won't stay still",
            "visual_change",
            id="vision-letters-move",
        ),
        pytest.param(
            "i keep losing bits of what i'm looking at", "visual_change", id="vision-missing-bits"
        ),
        pytest.param(
            "mum rang me three times this morning to ask the same thing",
            "new_confusion_or_memory_loss",
            id="confusion-repeating-calls",
        ),
        pytest.param(
            "dad's gone a bit doolally since sunday, calling me by my brother's name",
            "new_confusion_or_memory_loss",
            id="confusion-doolally-wrong-name",
        ),
        pytest.param(
            "she got dressed for church at 3am thinking it was sunday morning",
            "new_confusion_or_memory_loss",
            id="confusion-night-day",
        ),
        pytest.param(
            "mum keeps wandering off and doesn't know the way back, it's new this week",
            "new_confusion_or_memory_loss",
            id="confusion-wandering",
        ),
        pytest.param(
            "i'm walking like i've had a few pints but i haven't touched a drop",
            "falls_or_loss_of_balance",
            id="balance-walking-like-drunk",
        ),
        pytest.param(
            "i'm lurching about and holding on to the furniture to get round",
            "falls_or_loss_of_balance",
            id="balance-lurching-furniture",
        ),
        pytest.param(
            "i'm bouncing off the walls in the hallway trying to walk straight",
            "falls_or_loss_of_balance",
            id="balance-bouncing-off-walls",
        ),
        pytest.param(
            "my gait's gone all over the place and i sway like a tree",
            "falls_or_loss_of_balance",
            id="balance-sway",
        ),
        pytest.param(
            "my wee has gone a pinkish colour today",
            "bleeding_or_black_stools",
            id="bleed-pink-wee",
        ),
        pytest.param(
            "been to the loo and it looked like black tar",
            "bleeding_or_black_stools",
            id="bleed-tar-no-poo-word",
        ),
        pytest.param(
            "i've got bruises in places i've not banged",
            "bleeding_or_black_stools",
            id="bleed-unexplained-bruises",
        ),
        pytest.param(
            "i'm red hot, shaking and it feels like swallowing glass",
            "fever_with_sore_throat_or_ulcers",
            id="infection-swallowing-glass",
        ),
        pytest.param(
            "chest all fluttery and i went lightheaded, had to sit on the stairs",
            "palpitations",
            id="palpitations-fluttery-stairs-sitting",
        ),
        pytest.param(
            "the deadness in my feet is now up to my calves",
            "spreading_numbness",
            id="numbness-deadness-up-to-calves",
        ),
        pytest.param(
            "i'm nursing and vegan and my levels are low",
            "pregnancy_or_breastfeeding_with_deficiency",
            id="breastfeeding-levels-low",
        ),
        pytest.param(
            "our 9 month old has stopped trying to crawl and doesn't babble like she used to",
            "unwell_infant",
            id="infant-lost-skills-like-she-used-to",
        ),
        pytest.param(
            "my baby isn't hitting her milestones and has gone backwards, my b12 is low",
            "unwell_infant",
            id="infant-gone-backwards",
        ),
    ],
)
def test_indirect_urgent_wording_escalates(text: str, flag: str) -> None:
    result = assess(text)
    assert flag in result.red_flag_ids, result
    assert result.urgency is not None and result.urgency.rank >= 2, result


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        pytest.param(
            "we can barely rouse her, she opens her eyes then drifts straight off again",
            "reduced_consciousness",
            id="consciousness-barely-rouse",
        ),
        pytest.param(
            "i shook her and she only groaned, she's been asleep since lunch",
            "reduced_consciousness",
            id="consciousness-only-groaned",
        ),
        pytest.param(
            "found my uncle on the bathroom floor and he can't get himself up",
            "fainting_collapse",
            id="collapse-found-on-floor",
        ),
        pytest.param(
            "sometimes i think about swerving into a lorry and finishing it all",
            "suicidal_thoughts",
            id="suicidal-driving-indirect",
        ),
        pytest.param(
            "i can't stop thinking about taking all my tablets at once",
            "suicidal_thoughts",
            id="suicidal-all-at-once-not-past",
        ),
        pytest.param(
            "out of nowhere my arm won't do what i tell it and feels like lead,"
            " came on an hour ago",
            "acute_neurological_deficit",
            id="deficit-limb-wont-obey",
        ),
        pytest.param(
            "my face and lips blew up within minutes of the b12 shot",
            "anaphylaxis",
            id="anaphylaxis-blew-up",
        ),
        pytest.param(
            "i can only get a couple of words out between breaths",
            "breathless_at_rest",
            id="breathless-few-words",
        ),
        pytest.param(
            "no temperature but my chest is killing me", "chest_pain", id="chest-killing-me"
        ),
        pytest.param(
            "no fever and my chest hurts badly", "chest_pain", id="negation-ends-at-and-my"
        ),
    ],
)
def test_indirect_emergency_wording_escalates(text: str, flag: str) -> None:
    result = assess(text)
    assert flag in result.red_flag_ids, result
    assert _level(text) == "emergency", result


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "I have NOT had any breathlessness or chest pain since starting, how often are jabs?",
            id="negated-or-list",
        ),
        pytest.param(
            "a friend's baby was floppy from her low b12 while breastfeeding, that was years "
            "ago and he's a healthy 5 year old now. what should vegans take?",
            id="other-baby-years-ago-long-match",
        ),
        pytest.param(
            "my aunt wet herself from nerve damage years back. what causes that?",
            id="exemplar-clause-dated-years-back",
        ),
        pytest.param(
            "i was wobbly on my feet last spring before treatment but i'm walking completely "
            "normally now",
            id="resolved-walking-normally",
        ),
        pytest.param(
            "had a high temperature and mouth ulcers at new year, got over it. can i stop "
            "the folic acid?",
            id="resolved-got-over-it",
        ),
        pytest.param(
            "I have not had any shortness of breath or chest pain since the jabs began, just "
            "asking about doses",
            id="negation-reaches-across-or-list",
        ),
        pytest.param("can pernicious anaemia make your gums bleed?", id="generic-make-your"),
        pytest.param("i get puffed out on hills", id="exertional"),
        pytest.param("i nearly fainted when i saw the bill", id="figurative-faint"),
        pytest.param("my numbness hasn't changed in months", id="stable-numbness"),
        pytest.param("my friend's baby was floppy last year and is fine now", id="other-past"),
        pytest.param(
            "i read that low b12 can cause blindness, is that true?", id="question-blindness"
        ),
    ],
)
def test_scary_but_routine_does_not_escalate(text: str) -> None:
    result = assess(text)
    assert result.urgency is None or result.urgency.rank <= 1, result


def test_relatives_new_confusion_yesterday_escalates() -> None:
    text = (
        "My mum put the iron in the fridge yesterday and didn't know what day it was."
        " That's new for her"
    )
    assert "new_confusion_or_memory_loss" in assess(text).red_flag_ids


def test_negation_helpers_lists_and_new_subjects() -> None:
    text = "not had any shortness of breath or chest pain"
    markers = MessageMarkers(text)
    assert markers.list_between(text.index("any"), text.index("chest"))
    assert not markers.list_between(text.index("any"), text.index("breath"))
    text = "no fever and my chest hurts"
    markers = MessageMarkers(text)
    assert markers.new_subject_between(text.index("fever"), text.index("chest"))
    assert not MessageMarkers("no fever and chills").new_subject_between(0, 19)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("my aunt lost control of her bladder years back", Time.PAST, id="years-back"),
        pytest.param(
            "my aunt lost control of her bladder yesterday", Time.RECENT_PAST, id="recent"
        ),
        pytest.param("my aunt lost control of her bladder since monday", Time.CURRENT, id="now"),
        pytest.param("my aunt lost control of her bladder", Time.CURRENT, id="undated"),
    ],
)
def test_a_whole_clause_is_dated_by_markers_inside_it(text: str, expected: Time) -> None:
    assert MessageMarkers(text).time_within(0, len(text)) is expected


def test_relatives_confusion_yesterday_that_is_new_escalates() -> None:
    # Someone else's recent episode counts for lasting-change flags when the message calls it
    # new ("current_or_recent"); without that it stays someone else's past.
    new = (
        "yesterday my husband put his keys in the freezer and didn't know what month it was."
        " this is new"
    )
    assert "new_confusion_or_memory_loss" in assess(new).red_flag_ids
    assert _level("my friend's dad got confused yesterday at the party") is None


def test_own_black_stool_yesterday_escalates() -> None:
    assert "bleeding_or_black_stools" in assess("my poo was jet black yesterday").red_flag_ids


def test_current_or_recent_is_a_known_when_value() -> None:
    assert "current_or_recent" in WHEN_VALUES


@pytest.mark.parametrize(
    ("text", "mention", "expected"),
    [
        pytest.param(
            "she doesnt smile like she used to", "smile", Time.CURRENT, id="like-she-used-to"
        ),
        pytest.param("he used to get dizzy", "dizzy", Time.PAST, id="used-to"),
        pytest.param("i went faint all at once", "faint", Time.CURRENT, id="all-at-once"),
        pytest.param("i went faint once", "faint", Time.PAST, id="once"),
    ],
)
def test_comparisons_with_used_to_and_at_once_are_not_past(
    text: str, mention: str, expected: Time
) -> None:
    start = text.index(mention)
    assert MessageMarkers(text).time(start, start + len(mention)) is expected


@pytest.mark.parametrize(
    ("text", "flag"),
    [
        pytest.param(
            "he's 10 months and his head flops more than it did in spring, i'm vegan and "
            "breastfeeding",
            "unwell_infant",
            id="infant-head-control-lost",
        ),
        pytest.param(
            "our 7 months old keeps trembling and i'm b12 deficient and breastfeeding",
            "unwell_infant",
            id="infant-trembling",
        ),
        pytest.param(
            "the loo has been sticky and black since this morning",
            "bleeding_or_black_stools",
            id="bleed-loo-sticky-black",
        ),
        pytest.param(
            "my feet are going dead, it was the big toes first and now the whole soles",
            "spreading_numbness",
            id="numbness-first-then-now",
        ),
        pytest.param(
            "my vision has gone murky and greyish, the optician found nothing",
            "visual_change",
            id="vision-greyish-despite-optician",
        ),
        pytest.param(
            "grandad has been away with the fairies since friday",
            "new_confusion_or_memory_loss",
            id="confusion-fairies-since",
        ),
        pytest.param(
            "mum is muddling up her tablets and wearing her slippers on the wrong feet",
            "new_confusion_or_memory_loss",
            id="confusion-pills-wrong-feet",
        ),
        pytest.param(
            "my wife took a new vitamin an hour ago, her lips are big and she breathe with noise",
            "anaphylaxis",
            id="anaphylaxis-plain-english",
        ),
        pytest.param(
            "i'm so worn out that i've been thinking about how i'd end it",
            "suicidal_thoughts",
            id="suicidal-how-id-end-it",
        ),
    ],
)
def test_more_indirect_wording_escalates(text: str, flag: str) -> None:
    assert flag in assess(text).red_flag_ids


def test_nearly_going_down_is_not_a_collapse() -> None:
    result = assess("my heart was pounding and i nearly went down on the stairs")
    assert "fainting_collapse" not in result.red_flag_ids, result
    assert result.urgency is not None and result.urgency.value == "urgent", result


def test_a_leaflet_listing_a_side_effect_is_not_the_side_effect() -> None:
    text = "the leaflet lists anaphylaxis as a side effect and it scares me, i've had 4 jabs fine"
    assert "anaphylaxis" not in assess(text).red_flag_ids
