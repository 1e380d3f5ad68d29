"""'Why?' lists every finding read with its assertions; only some drove the plan."""

from __future__ import annotations

import pytest

from guideline_engine.content.b12.render import render_why
from guideline_engine.content.b12.rules import build_plan
from guideline_engine.facts import Finding, findings_from_values
from guideline_engine.regimen.model import Cause, Facts, Plan, Tri
from tests.engine.render.test_render_plan import DOSE_UNIT, SCHEDULE


def _finding(**changes: str) -> Finding:
    base = {
        "kind": "symptom",
        "id": "numbness",
        "text": "numbness",
        "certainty": "affirmed",
        "experiencer": "patient",
        "time": "current",
    }
    return Finding.from_dict({**base, **changes})


@pytest.mark.parametrize(
    ("finding", "use", "because"),
    [
        pytest.param(_finding(), "counted", None, id="affirmed-current-patient"),
        pytest.param(_finding(certainty="negated"), "absent", None, id="denied"),
        pytest.param(_finding(experiencer="other"), "not_counted", "other_person", id="sister"),
        pytest.param(
            _finding(experiencer="other", certainty="negated"),
            "not_counted",
            "other_person",
            id="sister-denied",
        ),
        pytest.param(
            _finding(certainty="hypothetical"), "not_counted", "hypothetical", id="if-she-develops"
        ),
        pytest.param(_finding(certainty="possible"), "not_counted", "possible", id="query"),
        pytest.param(_finding(time="historical"), "not_counted", "historical", id="resolved"),
        # A past cause still counts (the extractor keeps "s/p RYGB 2019" as the cause).
        pytest.param(
            _finding(kind="cause", id="bariatric_surgery", text="RYGB", time="historical"),
            "counted",
            None,
            id="past-cause",
        ),
    ],
)
def test_finding_use_mirrors_what_the_extractor_counts(finding, use, because) -> None:
    assert finding.use == use
    assert finding.not_counted_because == because


@pytest.mark.parametrize(
    "bad",
    [
        {"certainty": "certain"},
        {"experiencer": "sister"},
        {"time": "yesterday"},
        {"kind": "red_flag"},
        {"text": ""},
        {"id": None},
    ],
)
def test_finding_from_dict_rejects_unknown_values(bad) -> None:
    with pytest.raises(ValueError):
        _finding(**bad)


def test_findings_from_values_skips_what_is_not_a_finding_and_repeats() -> None:
    good = _finding().to_dict()
    values = [good, {"id": "x"}, "junk", 3, dict(good), {**good, "extra": 1}]
    assert findings_from_values(values) == (_finding(),)
    assert findings_from_values(None) == ()
    assert findings_from_values("numbness") == ()


def _plan() -> Plan:
    result = build_plan(
        Facts(neurological_involvement=Tri.NO, causes=frozenset({Cause.DIETARY}), age=40)
    )
    assert isinstance(result, Plan)
    return result


FINDINGS = (
    _finding(kind="cause", id="pernicious_anaemia", text="has PA", experiencer="other"),
    _finding(kind="cause", id="dietary", text="vegan"),
    _finding(id="neurological_unspecified", text="neuro symptoms", certainty="negated"),
    _finding(text="numbness", time="historical"),
)


def test_why_payload_lists_every_finding_with_its_assertions() -> None:
    for audience in ("clinician", "patient"):
        payload = render_why(_plan(), audience, FINDINGS).payload
        assert payload["findings"] == [f.to_dict() for f in FINDINGS]
        assert set(payload["findings"][0]) == {
            "kind",
            "id",
            "text",
            "certainty",
            "experiencer",
            "time",
        }


def test_why_for_a_patient_says_in_plain_words_what_was_not_counted() -> None:
    rendered = render_why(_plan(), "patient", FINDINGS)
    lines = rendered.text.splitlines()
    assert "- Not counted: pernicious anaemia (about someone else)" in lines
    assert "- Counted: dietary" in lines
    assert "- Counted as not present: neuro symptoms" in lines
    assert "- Not counted: numbness (in the past)" in lines
    assert not DOSE_UNIT.search(rendered.text) and not SCHEDULE.search(rendered.text)
    assert "rule_path" not in rendered.payload


def test_why_for_a_clinician_gives_each_assertion() -> None:
    text = render_why(_plan(), "clinician", FINDINGS).text
    assert (
        '- cause pernicious_anaemia "has PA": affirmed, experiencer other, current → not counted'
    ) in text
    assert '- symptom numbness "numbness": affirmed, experiencer patient, historical' in text


def test_why_without_findings_has_an_empty_list_and_no_heading() -> None:
    rendered = render_why(_plan(), "patient")
    assert rendered.payload["findings"] == []
    assert "What I read" not in rendered.text
