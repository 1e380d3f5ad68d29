"""A message that only denies symptoms gets no "cannot assess" banner and no reassurance (HAZ-039).

Driven through the real NLU component and the real actions (``tests/actions/conversation.py``).
"""

from __future__ import annotations

import pytest

from tests.actions.conversation import Conversation

REASSURING = ("nothing you describe", "not a warning sign", "nothing to worry", "no need to worry")


@pytest.mark.parametrize(
    "message",
    [
        pytest.param("no nerve symptoms", id="no-nerve-symptoms"),
        pytest.param("no tingling or numbness", id="or-list"),
        pytest.param("I don't have any chest pain", id="dont-have-any"),
    ],
)
async def test_a_denial_only_message_gets_no_triage_banner_and_no_reassurance(
    message: str,
) -> None:
    turn = await Conversation(audience="patient").say(message)
    assert not turn.payloads("b12.triage")
    replies = " ".join(turn.texts()).lower()
    assert "cannot assess these symptoms" not in replies
    assert not any(phrase in replies for phrase in REASSURING)


async def test_a_complaint_beside_a_denial_still_gets_the_cannot_assess_banner() -> None:
    turn = await Conversation(audience="patient").say("no chest pain, but I feel unwell")
    (triage,) = turn.payloads("b12.triage")
    assert triage["assessed"] is False
