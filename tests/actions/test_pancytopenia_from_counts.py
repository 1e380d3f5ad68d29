"""All three cell lines stated low escalate through the pancytopenia gate (HAZ-014).

Driven through the real NLU component and the real actions (``tests/actions/conversation.py``).
"""

from __future__ import annotations

import pytest

from tests.actions.conversation import Conversation

GATE = "gate.b12.pancytopenia_severe_anaemia"


def _gates(payload: dict[str, object]) -> list[str]:
    gates = payload.get("gates")
    assert isinstance(gates, list)
    return [str(g["gate"]) for g in gates if isinstance(g, dict)]


@pytest.mark.parametrize("audience", ["clinician", "patient"])
async def test_low_hb_white_cells_and_platelets_fire_the_pancytopenia_gate(audience: str) -> None:
    turn = await Conversation(audience=audience).say(
        "68F pernicious anaemia, no neuro, Hb 82, WCC 2.1, plt 60"
    )
    gate = turn.payload("b12.gate")
    assert GATE in _gates(gate)
    assert not turn.payloads("b12.regimen")


async def test_normal_white_cells_do_not_fire_the_pancytopenia_gate() -> None:
    turn = await Conversation(audience="clinician").say(
        "68F pernicious anaemia, no neuro, Hb 82, WCC 6.3, plt 160"
    )
    assert not turn.payloads("b12.gate")
    assert turn.payloads("b12.regimen")
