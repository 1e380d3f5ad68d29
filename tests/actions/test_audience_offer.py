"""A message that reads like a clinician's note gets patient wording and an offer (HAZ-070).

Issue 10: the audience is read from the message; issue 9 / HAZ-010: a patient whose message
looks like a clinician's must never see doses. So the reading only offers the clinician view.
Sentences written for these tests; none is copied from an evaluation set.
"""

from __future__ import annotations

import re
from typing import Any

from actions.engine import AUDIENCE_OFFER_TYPE
from actions.plan import ActionPlan
from tests.actions.conftest import custom_payloads, texts

SHORTHAND = "58M, B12 104 ng/L, IF ab positive, no neuro sx, plt 210"
DOSE = re.compile(r"\d\s*(?:mg|mcg|µg|micrograms?)\b|three times a week|every \d", re.IGNORECASE)


def _slots(audience: str | None) -> dict[str, Any]:
    return {
        "audience": audience,
        "neurological_involvement": "no",
        "causes": ["pernicious_anaemia"],
        "b12_level": "104 ng/L",
        "b12_status": "low",
        "platelet_count": 210.0,
        "age": 58,
    }


async def test_shorthand_without_an_audience_gets_plain_words_and_the_offer(
    dispatcher, make_tracker, domain
):
    tracker = make_tracker(slots=_slots(None), text=SHORTHAND)
    await ActionPlan().answer(dispatcher, tracker, domain)
    types = [p["type"] for p in custom_payloads(dispatcher)]
    assert types == ["b12.regimen", AUDIENCE_OFFER_TYPE]
    plan_text = texts(dispatcher)[0]
    assert not DOSE.search(plan_text), plan_text  # patient wording: no dose
    offer = dispatcher.messages[-2]
    assert [b["title"] for b in offer["buttons"]] == ["Clinician", "Patient or carer"]
    assert custom_payloads(dispatcher)[-1]["reads_as"] == "clinician"


async def test_no_offer_once_the_audience_is_known(dispatcher, make_tracker, domain):
    tracker = make_tracker(slots=_slots("patient"), text=SHORTHAND)
    await ActionPlan().answer(dispatcher, tracker, domain)
    assert AUDIENCE_OFFER_TYPE not in [p["type"] for p in custom_payloads(dispatcher)]


async def test_no_offer_for_lay_writing(dispatcher, make_tracker, domain):
    text = "hi my b12 came back 104 and the doctor says i need injections, i feel ok"
    await ActionPlan().answer(dispatcher, make_tracker(slots=_slots(None), text=text), domain)
    assert AUDIENCE_OFFER_TYPE not in [p["type"] for p in custom_payloads(dispatcher)]


async def test_the_offer_is_made_once_per_conversation(dispatcher, make_tracker, domain):
    earlier = {"event": "bot", "data": {"custom": {"type": AUDIENCE_OFFER_TYPE}}}
    tracker = make_tracker(slots=_slots(None), text=SHORTHAND, events=[earlier])
    await ActionPlan().answer(dispatcher, tracker, domain)
    assert AUDIENCE_OFFER_TYPE not in [p["type"] for p in custom_payloads(dispatcher)]


async def test_no_offer_beside_triage_advice(dispatcher, make_tracker, domain):
    """Independent review, session 7 (F8): nothing distracts from triage or a gate."""
    triage = {"event": "bot", "data": {"custom": {"type": "b12.triage", "urgency": "emergency"}}}
    tracker = make_tracker(slots=_slots(None), text=SHORTHAND, after_user=[triage])
    await ActionPlan().answer(dispatcher, tracker, domain)
    assert AUDIENCE_OFFER_TYPE not in [p["type"] for p in custom_payloads(dispatcher)]


async def test_no_offer_beside_a_gate(dispatcher, make_tracker, domain):
    slots = {**_slots(None), "platelet_count": 30.0}
    await ActionPlan().answer(dispatcher, make_tracker(slots=slots, text=SHORTHAND), domain)
    types = [p["type"] for p in custom_payloads(dispatcher)]
    assert "b12.gate" in types and AUDIENCE_OFFER_TYPE not in types
