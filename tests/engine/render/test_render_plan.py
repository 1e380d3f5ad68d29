from __future__ import annotations

import itertools
import re

import pytest

from guideline_engine.content.b12.render import render_result, render_why
from guideline_engine.content.b12.rules import build_plan
from guideline_engine.knowledge import load_knowledge_base
from guideline_engine.regimen import Gated
from guideline_engine.regimen.model import Cause, Facts, Formulary, Plan, Route, Tri
from guideline_engine.render.messages import parse_messages

KB = load_knowledge_base(approved_only=False)
FACTS = [
    pytest.param(Facts(neurological_involvement=Tri.YES), id="neuro"),
    pytest.param(
        Facts(neurological_involvement=Tri.NO, causes=frozenset({Cause.ILEAL_RESECTION})),
        id="ileal-unknown-length",
    ),
    pytest.param(
        Facts(
            neurological_involvement=Tri.NO,
            route_preference=Route.ORAL,
            causes=frozenset({Cause.PERNICIOUS_ANAEMIA}),
        ),
        id="oral-pernicious-anaemia",
    ),
    pytest.param(
        Facts(neurological_involvement=Tri.NO, causes=frozenset({Cause.DIETARY})), id="dietary"
    ),
]
HEADINGS = {
    "Warnings:",
    "Monitoring:",
    "Not covered / would change the plan:",
    "Where the sources differ:",
    "Options, with their evidence (not plan steps):",
    "Important:",
    "What to expect:",
    "Good to know:",
    "Where the guidance sources differ:",
    "Something your clinician may discuss with you:",
}
DOSE_UNIT = re.compile(
    r"\b\d[\d.,\-]*\s*(mg|µg|mcg|micrograms?)\b|\b(mg|µg|mcg|micrograms?)\b", re.I
)
SCHEDULE = re.compile(
    r"every other day|alternate days|times a week|three injections|every (two|2|three|3|one)\b"
    r"|\bmonthly\b|\bdaily\b|every day|once a month",
    re.I,
)


def _body(text: str) -> str:
    return text.partition("\nSources: ")[0]


@pytest.mark.parametrize("facts", FACTS)
@pytest.mark.parametrize("audience", ["clinician", "patient"])
def test_every_clinical_line_carries_a_citation_number(facts, audience) -> None:
    result = build_plan(facts, KB.ids)
    assert isinstance(result, Plan)
    rendered = render_result(result, KB, audience)
    body, _, footer = rendered.text.partition("\nSources: ")
    # The title (e.g. "B12 plan: ...") names the facts, not clinical content; the banner cites.
    lines = [line for line in body.splitlines() if line.strip() and line != rendered.model.title]
    for line in lines:
        if line in HEADINGS or line == "Your clinician will decide the exact treatment with you.":
            continue
        assert re.search(r"\[\d+\]$", line), line
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    assert numbers == set(range(1, len(rendered.payload["citations"]) + 1))
    assert footer.count("pending clinical review") == len(rendered.payload["citations"])


def _grid() -> list[Facts]:
    out = []
    for neuro, cause, route, formulary, ileal in itertools.product(
        (Tri.YES, Tri.NO),
        (None, *Cause),
        (None, Route.ORAL),
        (Formulary.UK, Formulary.US),
        (None, 10.0, 60.0),
    ):
        out.append(
            Facts(
                neurological_involvement=neuro,
                causes=frozenset({cause}) if cause else frozenset(),
                route_preference=route,
                formulary=formulary,
                ileal_resection_cm=ileal,
                age=40,
                haemoglobin=95.0 if ileal == 10.0 else None,
            )
        )
    return out


GRID = _grid()


def test_patient_text_and_payload_texts_never_give_a_dose_or_schedule() -> None:
    for facts in GRID:
        result = build_plan(facts, KB.ids)
        assert isinstance(result, Plan), facts
        rendered = render_result(result, KB, "patient")
        texts = [rendered.text] + [c["text"] for c in rendered.payload["citations"]]
        for text in texts:
            assert not DOSE_UNIT.search(text), (facts, text)
            assert not SCHEDULE.search(text), (facts, text)
        assert "Your clinician will decide" in rendered.text
        assert rendered.payload["audience"] == "patient"
        assert rendered.payload["plan"]["audience"] == "patient"


@pytest.mark.parametrize(
    "facts",
    [
        Facts(age=3),
        Facts(neurological_involvement=Tri.NO, pregnant=Tri.YES),
        Facts(neurological_involvement=Tri.NO, breastfeeding=Tri.YES),
        Facts(neurological_involvement=Tri.NO, platelet_count=30),
        Facts(neurological_involvement=Tri.NO, pancytopenia=Tri.YES),
    ],
    ids=["child", "pregnant", "breastfeeding", "platelets-30", "pancytopenia"],
)
def test_patient_gate_text_has_no_dose_or_schedule(facts) -> None:
    rendered = render_result(build_plan(facts, KB.ids), KB, "patient")
    assert rendered.payload["type"] == "b12.gate"
    assert not DOSE_UNIT.search(rendered.text)
    assert not SCHEDULE.search(rendered.text)


def test_clinicians_see_doses_with_citations() -> None:
    result = build_plan(Facts(neurological_involvement=Tri.NO), KB.ids)
    text = render_result(result, KB, "clinician").text
    assert re.search(r"^Loading: 1 mg IM three times a week for 2 weeks\. \[\d+\]$", text, re.M)


@pytest.mark.parametrize(
    ("facts", "urgency", "first_gate", "specialists"),
    [
        (Facts(age=14), "advice", "gate.b12.under_16", ["paediatrics"]),
        (
            Facts(neurological_involvement=Tri.NO, pregnant=Tri.YES),
            "urgent",
            "gate.b12.pregnancy",
            ["haematology"],
        ),
        (
            Facts(neurological_involvement=Tri.NO, platelet_count=50),
            "urgent",
            "gate.b12.low_platelets",
            ["haematology"],
        ),
        (
            Facts(neurological_involvement=Tri.NO, severe_anaemia=Tri.YES),
            "urgent",
            "gate.b12.pancytopenia_severe_anaemia",
            ["haematology"],
        ),
    ],
    ids=["child", "pregnant", "platelets-50", "severe-anaemia"],
)
@pytest.mark.parametrize("audience", ["clinician", "patient"])
def test_gate_payload_and_text(facts, urgency, first_gate, specialists, audience) -> None:
    result = build_plan(facts, KB.ids)
    assert isinstance(result, Gated)
    rendered = render_result(result, KB, audience)
    payload = rendered.payload
    assert payload["type"] == "b12.gate"
    assert payload["gate"] == first_gate
    assert payload["urgency"] == urgency
    assert payload["plan_withheld"] is True
    assert payload["audience"] == audience
    assert payload["specialists"] == specialists
    assert [c["snippet_id"] for c in payload["citations"]] == list(result.snippet_ids())
    assert "plan" not in payload
    body = _body(rendered.text)
    assert "Loading:" not in body and "Maintenance:" not in body
    for line in body.splitlines():
        if line.startswith("- "):
            assert re.search(r"\[\d+\]$", line), line


def test_platelets_gate_says_im_safety_not_established_and_never_switches_to_oral() -> None:
    result = build_plan(Facts(neurological_involvement=Tri.NO, platelet_count=40), KB.ids)
    text = render_result(result, KB, "clinician").text
    assert "not established" in text
    assert "haematology" in text
    assert "Drug:" not in text


def test_under_16_says_the_guideline_covers_16_and_over() -> None:
    for audience in ("clinician", "patient"):
        text = render_result(build_plan(Facts(age=3), KB.ids), KB, audience).text
        assert "16 and over" in text
        assert "hydroxocobalamin" not in text.lower()


LIFE_WORDS = re.compile(r"for life|lifelong|rest of (their|your) life", re.I)
CONDITIONAL_SECTIONS = {
    "Where the sources differ:",
    "Where the guidance sources differ:",
    "Not covered / would change the plan:",
}
QUALIFIED = re.compile(r"(lifelong|for life) only (if|for)|not lifelong", re.I)


@pytest.mark.parametrize("audience", ["clinician", "patient"])
def test_one_duration_statement_per_plan(audience) -> None:
    """One duration line; no other line claims lifelong when the plan is not lifelong."""
    for facts in GRID:
        plan = build_plan(facts, KB.ids)
        assert isinstance(plan, Plan)
        body = _body(render_result(plan, KB, audience).text)
        if audience == "clinician":
            assert len([ln for ln in body.splitlines() if ln.startswith("Duration:")]) == 1
            steps = [ln for ln in body.splitlines() if ln.startswith("Maintenance:")]
            assert not any(LIFE_WORDS.search(ln) or "indefinitely" in ln for ln in steps)
        if plan.duration.value != "lifelong":
            section = ""
            for line in body.splitlines():
                if line in HEADINGS:
                    section = line
                    continue
                # Difference lines name the other source's claim on purpose, and "would change
                # the plan" notes say what an irreversible cause would mean: both are conditional.
                if section in CONDITIONAL_SECTIONS:
                    continue
                unqualified = LIFE_WORDS.search(QUALIFIED.sub("", line))
                assert not unqualified, (facts, line)


def test_bariatric_plan_never_says_both_indefinitely_and_lifelong() -> None:
    facts = Facts(neurological_involvement=Tri.YES, causes=frozenset({Cause.BARIATRIC_SURGERY}))
    text = _body(render_result(build_plan(facts, KB.ids), KB, "clinician").text)
    assert "Duration: indefinitely" in text
    assert "lifelong" not in text.lower().replace("lifelong only", "")


def test_ileal_resection_patient_text_gives_one_schedule_story_and_clinician_one_unit() -> None:
    facts = Facts(neurological_involvement=Tri.NO, ileal_resection_cm=30)
    result = build_plan(facts, KB.ids)
    patient = _body(render_result(result, KB, "patient").text)
    assert "every two to three months" not in patient
    assert "monthly" not in patient
    clinician = render_result(result, KB, "clinician")
    body = _body(clinician.text)
    assert body.splitlines()[0] == "B12 plan: no neurological involvement; cause: ileal resection."
    maintenance = [ln for ln in body.splitlines() if ln.startswith("Maintenance:")]
    assert maintenance == [maintenance[0]] and "1 mg IM monthly" in maintenance[0]
    assert "µg" not in "\n".join(
        ln for ln in body.splitlines() if ln.startswith(("Loading", "Maint"))
    )
    assert clinician.payload["plan"]["cause"] == "ileal_resection"


def test_dietary_plan_follows_ng239_and_says_so() -> None:
    facts = Facts(neurological_involvement=Tri.NO, causes=frozenset({Cause.DIETARY}))
    rendered = render_result(build_plan(facts, KB.ids), KB, "clinician")
    body = _body(rendered.text)
    assert "This plan follows NG239" in body
    assert "Duration: not lifelong" in body
    assert rendered.payload["plan"]["route"] == "oral"
    assert rendered.payload["plan"]["lifelong"] is False
    assert rendered.payload["plan"]["duration"] == "until_cause_resolved"
    cited = {c["snippet_id"] for c in rendered.payload["citations"]}
    assert {"b12.overview.im_hydroxocobalamin", "b12.ng239.treatment_by_cause"} <= cited


def test_oral_pa_plan_shows_evidence_as_option_and_keeps_parenteral_qualifier() -> None:
    facts = Facts(
        neurological_involvement=Tri.NO,
        route_preference=Route.ORAL,
        causes=frozenset({Cause.PERNICIOUS_ANAEMIA}),
    )
    rendered = render_result(build_plan(facts, KB.ids), KB, "clinician")
    body = _body(rendered.text)
    assert "Loading:" not in body and "Maintenance:" not in body
    options = body.partition("Options, with their evidence (not plan steps):")[2]
    assert "may be effective" in options and "small 2024 prospective cohort" in options
    assert "parenteral B12 is the traditional recommendation" in body
    assert rendered.payload["plan"]["options"] == ["oral_high_dose_emerging_evidence"]
    assert rendered.payload["plan"]["loading"] == []


def test_approved_only_deployment_refuses_unapproved_plans() -> None:
    approved_only = load_knowledge_base(approved_only=True)
    result = build_plan(Facts(neurological_involvement=Tri.NO), approved_only.ids)
    rendered = render_result(result, approved_only, "clinician")
    assert rendered.payload["type"] == "b12.content_unavailable"
    assert "b12.nonneuro.loading" in rendered.payload["snippet_ids"]


def test_approved_only_deployment_refuses_unapproved_gate_advice() -> None:
    approved_only = load_knowledge_base(approved_only=True)
    result = build_plan(Facts(age=5), approved_only.ids)
    rendered = render_result(result, approved_only, "patient")
    assert rendered.payload["type"] == "b12.content_unavailable"
    assert "b12.policy.under_16_specialist" in rendered.payload["snippet_ids"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param({"bogus": {}}, "unknown", id="unknown-key"),
        pytest.param({"notes": {"x": {"clinician": "a"}}, "frequency": {}}, "x", id="one-audience"),
        pytest.param(
            {"gates": {"g": {"patient": "a"}}, "frequency": {}}, "gates: g", id="gate-one"
        ),
        pytest.param({"frequency": {"daily": "daily"}}, "no wording", id="missing-frequency"),
    ],
)
def test_message_catalogue_is_validated(data, message) -> None:
    with pytest.raises(ValueError, match=message):
        parse_messages(data)


def test_why_for_a_patient_gives_no_dose_or_schedule_and_no_rule_path() -> None:
    for facts in GRID:
        result = build_plan(facts, KB.ids)
        assert isinstance(result, Plan), facts
        rendered = render_why(result, "patient")
        assert not DOSE_UNIT.search(rendered.text), (facts, rendered.text)
        assert not SCHEDULE.search(rendered.text), (facts, rendered.text)
        assert "rule_path" not in rendered.payload
        assert rendered.payload["audience"] == "patient"


def test_why_for_a_clinician_keeps_the_rule_path() -> None:
    result = build_plan(Facts(neurological_involvement=Tri.YES, age=40), KB.ids)
    assert isinstance(result, Plan)
    rendered = render_why(result, "clinician")
    assert rendered.payload["rule_path"] == list(result.rule_path)
    assert "Rules applied:" in rendered.text
    assert DOSE_UNIT.search(rendered.text)


@pytest.mark.parametrize("neuro", [Tri.YES, Tri.NO])
@pytest.mark.parametrize("audience", ["clinician", "patient"])
def test_bariatric_plan_has_no_sources_differ_line_that_reads_as_not_for_life(
    neuro, audience
) -> None:
    facts = Facts(neurological_involvement=neuro, causes=frozenset({Cause.BARIATRIC_SURGERY}))
    result = build_plan(facts, KB.ids)
    assert isinstance(result, Plan)
    text = _body(render_result(result, KB, audience).text)
    assert "no lifelong treatment" not in text
    assert "how long treatment lasts" not in text
