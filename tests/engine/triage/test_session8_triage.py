"""Triage wording found on the blind triage14 dev set (session 8), as sentences of our own.

Each case is a failure mode: a recovery taken back at once, an event minutes ago, a time
phrase fronted in its own comma segment, a denied recurrence or a denied past, and lay
words for chest pain, reduced consciousness, new weakness, new breathlessness and an
unwell toddler (HAZ-081).
"""

import pytest

from tests.engine.triage.urgency import urgency_of


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        pytest.param(
            "my nan fainted 5 mins ago, she came round but she's not making sense",
            "emergency",
            id="recovery-taken-back",
        ),
        pytest.param(
            "she fainted yesterday and came round but is still really drowsy",
            "emergency",
            id="still-drowsy-after-faint",
        ),
        pytest.param("he collapsed a few minutes ago", "emergency", id="minutes-ago-is-now"),
        pytest.param(
            "Resident on the floor this morning, sleepy and not back to baseline",
            "emergency",
            id="not-back-to-baseline",
        ),
        pytest.param(
            "Pt c/o tight feeling, holding his sternum, sweaty", "emergency", id="holding-sternum"
        ),
        pytest.param(
            "my grip has gone, keep dropping cups, this is new", "urgent", id="new-weak-hands"
        ),
        pytest.param(
            "out of puff walking to the shop, never used to be", "urgent", id="out-of-puff-new"
        ),
        pytest.param(
            "I get breathless on the stairs now, was fine before", "urgent", id="fine-before"
        ),
        pytest.param(
            "my toddler is so sleepy all day, I breastfed him and I'm vegan",
            "urgent",
            id="sleepy-toddler-vegan-mother",
        ),
        pytest.param(
            "I keep falling over, never did last year", "urgent", id="denied-past-not-past"
        ),
    ],
)
def test_escalates(text: str, urgency: str) -> None:
    assert urgency_of(text) == urgency


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Last year, I fell a lot, but now I walk fine", id="fronted-remote-past"),
        pytest.param(
            "Before, two years ago, I fell many times, now I walk good", id="fronted-chain"
        ),
        pytest.param(
            "I had a nosebleed that would not stop years ago, it has never come back",
            id="denied-recurrence",
        ),
        pytest.param(
            "my friend passed out at a gig over the summer, is that a b12 thing",
            id="someone-else-in-the-summer",
        ),
        pytest.param(
            "Would a nosebleed be a worry on folic acid? None so far", id="would-a-is-hypothetical"
        ),
        pytest.param(
            "my toddler is a fussy eater, I'm vegan, does he need b12", id="fussy-toddler"
        ),
        pytest.param("I keep dropping things, always been clumsy", id="clumsy-for-ever"),
        pytest.param(
            "he passed out last week, came round straight away, fine since", id="resolved"
        ),
    ],
)
def test_does_not_escalate(text: str) -> None:
    assert urgency_of(text) in (None, "routine")


def test_a_fronted_recent_time_does_not_drop_an_emergency() -> None:
    # Only the long past dates a clause from a fronted segment (review, session 8, finding 3).
    assert urgency_of("Yesterday, I collapsed in the kitchen") in ("urgent", "emergency")


def test_a_fronted_segment_that_is_not_only_a_time_does_not_date_the_rest() -> None:
    assert urgency_of("Two years ago, during my pregnancy, I was dizzy and now I fainted") == (
        "emergency"
    )


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        pytest.param("I took an overdose last night", "emergency", id="overdose-last-night"),
        pytest.param("Last night, I took an overdose", "emergency", id="fronted-overdose"),
        pytest.param(
            "Yesterday, I had thoughts of killing myself", "emergency", id="fronted-suicidal"
        ),
        pytest.param("Last night, my husband collapsed", "emergency", id="fronted-relative"),
        pytest.param(
            "I had crushing chest pain last night", "urgent", id="own-recent-emergency-kept"
        ),
    ],
)
def test_a_recent_emergency_is_never_dropped(text: str, urgency: str) -> None:
    """Independent review, session 8 (finding 3; HAZ-086)."""
    assert urgency_of(text) == urgency


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("I keep dropping things", id="dropping-is-its-own-change-word"),
        pytest.param("my toddler is sleepy after nursery, I am vegan", id="toddler-after-nursery"),
        pytest.param("my toddler is not talking yet, I'm vegan", id="toddler-not-talking-yet"),
        pytest.param(
            "my friend ended up in A&E with chest pains from B12, how common is that?",
            id="friends-past-admission",
        ),
    ],
)
def test_review_over_triage_stays_routine(text: str) -> None:
    """Independent review, session 8 (findings 7 and 8)."""
    assert urgency_of(text) in (None, "routine")


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        pytest.param(
            "my baby was floppy and hard to wake last night", "urgent", id="baby-last-night"
        ),
        pytest.param("my dad was really confused yesterday", "urgent", id="dad-yesterday"),
        pytest.param("my mum collapsed last week", None, id="mum-last-week-is-over"),
        pytest.param("my sister passed out yesterday but she is fine now", None, id="resolved"),
    ],
)
def test_someone_elses_red_flag_of_the_last_day_is_not_dropped(
    text: str, urgency: str | None
) -> None:
    """HAZ-086: the review's "my baby was floppy last night" (finding 3, someone else's)."""
    assert urgency_of(text) == urgency
