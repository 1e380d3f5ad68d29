"""A report of what was read or heard frames only what it reports (HAZ-080).

Before: a reporting word anywhere in the clause ("online", "read about", "is it true")
silenced every red flag in it, so "I was reading about B12 online and now my chest really
hurts" got no triage at all. These sentences are ours, written for the failure mode.
"""

import pytest

from guideline_engine.triage import assess


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        pytest.param(
            "I was reading about B12 online and now my chest really hurts",
            "emergency",
            id="own-symptom-after-and",
        ),
        pytest.param(
            "I read about b12 and I cant breathe properly", "emergency", id="own-statement-after"
        ),
        pytest.param(
            "I have chest pain right now, is it true b12 causes that",
            "emergency",
            id="question-after-own-symptom",
        ),
        pytest.param(
            "my lips are going blue, someone said it could be the b12",
            "emergency",
            id="hearsay-about-cause-not-symptom",
        ),
        pytest.param(
            "my dad cant be woken up, I read that low b12 can do this",
            "emergency",
            id="relative-now-then-reading",
        ),
        pytest.param(
            "my chest hurts and someone said its the b12", "emergency", id="same-segment-own"
        ),
        pytest.param(
            "chest pain right now, is it true b12 causes it",
            "emergency",
            id="dated-now-not-generic",
        ),
        pytest.param(
            "I'm with a friend, she says she has crushing chest pain",
            "emergency",
            id="friend-here-now",
        ),
        pytest.param(
            "a neighbour says her baby is floppy and wont wake", "emergency", id="neighbour-now"
        ),
        pytest.param(
            "my dad makes lists, he is suddenly very confused and drowsy today",
            "emergency",
            id="lists-is-no-report",
        ),
        pytest.param(
            "my brother keeps saying he wants to die and has been looking things up online",
            "emergency",
            id="online-in-the-report-itself",
        ),
    ],
)
def test_own_red_flag_beside_a_report_escalates(text: str, urgency: str) -> None:
    """Also someone described now by the writer (review, session 8, findings 1 and 2)."""
    result = assess(text)
    assert result.urgency is not None, text
    assert result.urgency.value == urgency, result.red_flag_ids


@pytest.mark.parametrize(
    "text",
    [
        "a woman in my support group said she collapsed after her jab",
        "Chest pain is listed as a side effect on the leaflet, should I worry",
        "The leaflet for my injection lists 'anaphylaxis' under side effects, I've been fine",
        "I just read palpitations can come with anaemia, is that right?",
        "does low b12 cause fainting now and then",
        "a colleague said she went blind from low b12, is that true",
    ],
)
def test_what_was_read_about_others_does_not_escalate(text: str) -> None:
    result = assess(text)
    assert result.urgency is None or result.urgency.value == "routine", result.red_flag_ids
