from __future__ import annotations

import dataclasses
import json

import pytest

from guideline_engine.handoff import HANDOFF_TYPE, HandoffSummary, build_handoff_summary
from guideline_engine.render.answers import render_triage
from guideline_engine.triage import Urgency

SLOTS = {
    "neurological_involvement": "yes",
    "causes": ["pernicious_anaemia"],
    "age": 62,
    "platelet_count": "120",
    "b12_level": "150 ng/L",
}


def _summary(**overrides: object) -> HandoffSummary:
    args: dict[str, object] = {
        "conversation_id": "conv-1",
        "audience": "patient",
        "slot_values": SLOTS,
        "triage_urgency": "emergency",
        "triage_red_flags": ["chest_pain"],
    } | overrides
    return build_handoff_summary(**args)  # type: ignore[arg-type]


def test_payload_has_exactly_the_needed_keys() -> None:
    payload = _summary().to_payload()
    assert set(payload) == {"type", "text", "conversation_id", "audience", "triage", "facts"}
    assert payload["type"] == HANDOFF_TYPE
    assert payload["conversation_id"] == "conv-1"
    assert payload["audience"] == "patient"
    assert payload["triage"] == {
        "urgency": "emergency",
        "red_flags": ["chest_pain"],
        "red_flag_labels": ["Chest pain"],
    }
    assert payload["facts"] == {
        "neurological_involvement": "yes",
        "causes": ["pernicious_anaemia"],
        "age": 62,
        "platelet_count": 120.0,
        "b12": {"value": 150.0, "unit": "ng/L", "status": "low"},  # NG239: below 180
    }
    json.dumps(payload)  # JSON as it is


def test_text_names_conversation_triage_and_facts() -> None:
    text = _summary().text()
    assert "conv-1" in text
    assert "EMERGENCY" in text and "Chest pain" in text
    assert "age 62" in text and "b12 150 ng/L" in text
    assert _summary().to_payload()["text"] == text


def test_unknown_and_default_facts_are_left_out() -> None:
    payload = _summary(slot_values={}, triage_urgency=None, triage_red_flags=[]).to_payload()
    assert payload["facts"] == {}  # no "unknown" neuro status, no default formulary
    assert payload["triage"] is None
    assert "Facts: none given" in payload["text"]


def test_free_text_in_slots_never_reaches_the_operator() -> None:
    secret = "Jane Doe 12 Acacia Avenue"
    slots = {
        "neurological_involvement": secret,
        "causes": [secret, "dietary"],
        "age": secret,
        "route_preference": secret,
        "formulary": secret,
        "b12_level": f"150 {secret}",
        "folate_level": secret,
        "b12_status": secret,
    }
    payload = _summary(
        slot_values=slots, triage_urgency=secret, triage_red_flags=[secret, "chest_pain"]
    ).to_payload()
    dumped = json.dumps(payload)
    assert "Jane" not in dumped and "Acacia" not in dumped
    assert payload["facts"]["causes"] == ["dietary"]
    assert payload["facts"]["b12"] == {"value": 150.0, "unit": "", "status": None}
    # An unknown urgency is dropped; the known red flag decides.
    assert payload["triage"]["urgency"] == "emergency"
    assert payload["triage"]["red_flags"] == ["chest_pain"]


@pytest.mark.parametrize("value", ["nan", "inf", "-inf"])
def test_non_finite_numbers_are_dropped_not_crashed_on(value: str) -> None:
    payload = _summary(slot_values={"age": value, "platelet_count": value}).to_payload()
    assert "age" not in payload["facts"] and "platelet_count" not in payload["facts"]


def test_conversation_id_loses_control_characters_and_is_bounded() -> None:
    summary = _summary(conversation_id="a\nb\x00c" + "x" * 500)
    assert summary.conversation_id.startswith("abc")
    assert len(summary.conversation_id) == 128


def test_summary_is_frozen() -> None:
    summary = _summary()
    with pytest.raises(dataclasses.FrozenInstanceError):
        summary.audience = "clinician"  # type: ignore[misc]
    with pytest.raises(TypeError):
        summary.facts["age"] = 1  # type: ignore[index]


def test_urgency_without_flags_is_kept() -> None:
    summary = _summary(triage_urgency="urgent", triage_red_flags=[])
    assert summary.triage is not None
    assert summary.triage.urgency is Urgency.URGENT
    assert summary.triage.red_flags == ()


@pytest.mark.parametrize(
    ("flags", "urgency", "audience", "button"),
    [
        (["chest_pain"], None, "patient", True),
        (["chest_pain"], None, "clinician", True),
        ([], "urgent", "patient", True),
        ([], None, "patient", False),  # routine: symptoms only
    ],
)
def test_urgent_and_emergency_triage_offer_a_person(
    flags: list[str], urgency: str | None, audience: str, button: bool
) -> None:
    rendered = render_triage(
        red_flag_ids=flags,
        urgency=urgency,
        describes_symptoms=True,
        audience=audience,  # type: ignore[arg-type]
    )
    assert rendered is not None
    expected = (("Talk to a person", "/request_human"),) if button else ()
    assert rendered.buttons == expected


def test_triage_button_can_be_switched_off() -> None:
    rendered = render_triage(
        red_flag_ids=["chest_pain"],
        urgency=None,
        describes_symptoms=False,
        audience="patient",
        offer_handoff=False,
    )
    assert rendered is not None and rendered.buttons == ()
