"""Wording of triage: no false reassurance, advice for the person described, sourced advice."""

from __future__ import annotations

import pytest

from guideline_engine.render.answers import render_triage
from guideline_engine.render.messages import messages
from guideline_engine.triage import assess, load_red_flags

REASSURING = ("nothing you describe", "not a warning sign", "nothing to worry", "no need to worry")


def _render(text: str, audience: str = "patient") -> tuple[str, dict[str, object]]:
    result = assess(text)
    rendered = render_triage(
        red_flag_ids=list(result.red_flag_ids),
        urgency=result.urgency.value if result.urgency else None,
        describes_symptoms=result.describes_symptoms,
        audience=audience,  # type: ignore[arg-type]
        about_other_person=result.about_other_person,
    )
    assert rendered is not None
    assert rendered.payload is not None
    return rendered.text, rendered.payload


@pytest.mark.parametrize(
    "text",
    [
        # "my leg is swollen and hot" was the example until the trained signal learned to send
        # it to same-day care (possible_urgent), which is right for a hot swollen leg.
        pytest.param("I have a red rash on my elbow", id="unknown-symptom"),
        pytest.param("I blacked out once as a child", id="past-only"),
    ],
)
def test_unrecognised_symptoms_get_no_reassurance(text: str) -> None:
    reply, payload = _render(text)
    lowered = reply.lower()
    assert not any(phrase in lowered for phrase in REASSURING)
    assert "cannot assess" in lowered
    assert "nhs 111" in lowered and "emergency number" in lowered
    assert payload["assessed"] is False


def test_weak_and_dizzy_is_escalated_or_not_assessed_never_reassured() -> None:
    """Since session 5 the trained signal calls "very weak and dizzy" possibly urgent."""
    reply, payload = _render("very weak and dizzy")
    assert not any(phrase in reply.lower() for phrase in REASSURING)
    assert payload["urgency"] in ("urgent", "emergency") or "cannot assess" in reply.lower()


def test_no_message_in_the_catalogue_reassures() -> None:
    for key, text in messages().texts.items():
        if key.startswith("triage_"):
            assert not any(p in text.lower() for p in REASSURING), key


def test_routine_red_flag_still_says_other_symptoms_are_not_assessed() -> None:
    reply, payload = _render("tired and pale")
    assert payload["urgency"] == "routine" and payload["assessed"] is True
    assert "cannot assess any other symptoms" in reply


def test_emergency_for_a_relative_says_it_is_about_them() -> None:
    reply, payload = _render(
        "My dad has low B12 and today he is very drowsy and we can hardly wake him up"
    )
    assert payload["urgency"] == "emergency"
    assert payload["about_other_person"] is True
    assert "About the person you describe:" in reply
    assert "emergency number now" in reply


def test_emergency_heading_and_advice_for_the_writer() -> None:
    reply, payload = _render("my chest hurts")
    assert reply.startswith(messages().text("triage_heading_emergency"))
    assert payload["red_flags"] == ["chest_pain"]
    assert "About the person" not in reply


def test_clinician_gets_nothing_for_unrecognised_symptoms() -> None:
    result = render_triage(
        red_flag_ids=[], urgency=None, describes_symptoms=True, audience="clinician"
    )
    assert result is None


@pytest.mark.parametrize("flag", [r for r in load_red_flags()], ids=lambda r: r.id)
def test_patient_advice_says_what_to_do_and_never_reassures(flag: object) -> None:
    from guideline_engine.triage import RedFlag

    assert isinstance(flag, RedFlag)
    advice = flag.advice_patient.lower()
    assert not any(p in advice for p in REASSURING)
    assert "usually improves" not in advice and "usually get better" not in advice
    if flag.urgency == "emergency":
        assert "emergency number" in advice or "emergency department" in advice
        assert "now" in advice
    elif flag.urgency == "urgent":
        assert "today" in advice


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("no nerve symptoms", id="no-nerve-symptoms"),
        pytest.param("no tingling or numbness", id="or-list"),
        pytest.param("I don't have any chest pain", id="dont-have-any"),
    ],
)
def test_a_message_that_only_denies_gets_no_triage_reply(text: str) -> None:
    # Neither "cannot assess these symptoms" (nothing was described) nor reassurance (HAZ-039).
    result = assess(text)
    rendered = render_triage(
        red_flag_ids=list(result.red_flag_ids),
        urgency=result.urgency.value if result.urgency else None,
        describes_symptoms=result.describes_symptoms,
        audience="patient",
    )
    assert rendered is None
