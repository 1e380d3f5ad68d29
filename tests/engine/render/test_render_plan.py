from __future__ import annotations

import re

import pytest

from guideline_engine.knowledge import load_knowledge_base
from guideline_engine.regimen import build_plan
from guideline_engine.regimen.model import Cause, Facts, Plan, Route, Tri
from guideline_engine.render.messages import parse_messages
from guideline_engine.render.plan import render_result

KB = load_knowledge_base(approved_only=False)
FACTS = [
    pytest.param(Facts(neurological_involvement=Tri.YES), id="neuro"),
    pytest.param(
        Facts(neurological_involvement=Tri.NO, causes=frozenset({Cause.ILEAL_RESECTION})),
        id="ileal-unknown-length",
    ),
    pytest.param(
        Facts(neurological_involvement=Tri.NO, route_preference=Route.ORAL, platelet_count=30),
        id="oral-low-platelets",
    ),
]


@pytest.mark.parametrize("facts", FACTS)
@pytest.mark.parametrize("audience", ["clinician", "patient"])
def test_every_clinical_line_carries_a_citation_number(facts, audience) -> None:
    result = build_plan(facts, KB.ids)
    assert isinstance(result, Plan)
    rendered = render_result(result, KB, audience)
    body, _, footer = rendered.text.partition("\nSource: ")
    lines = [line for line in body.splitlines()[1:] if line.strip()]
    headings = {
        "Warnings:",
        "Monitoring:",
        "Not covered / would change the plan:",
        "Important:",
        "What to expect:",
        "Good to know:",
    }
    for line in lines:
        if line in headings or line.startswith("Duration: lifelong or not"):
            continue
        if line == "Your clinician will decide the exact treatment with you.":
            continue
        assert re.search(r"\[\d+\]$", line), line
    numbers = {int(n) for n in re.findall(r"\[(\d+)\]", body)}
    assert numbers == set(range(1, len(rendered.payload["citations"]) + 1))
    assert footer.count("pending clinical review") == len(rendered.payload["citations"])


def test_patient_wording_never_gives_a_bare_dose() -> None:
    result = build_plan(Facts(neurological_involvement=Tri.NO), KB.ids)
    assert isinstance(result, Plan)
    text = render_result(result, KB, "patient").text
    assert not re.search(r"\b\d+\s*(mg|µg|mcg|micrograms)\b", text)
    assert "Your clinician will decide" in text


def test_approved_only_deployment_refuses_unapproved_plans() -> None:
    approved_only = load_knowledge_base(approved_only=True)
    result = build_plan(Facts(neurological_involvement=Tri.NO), approved_only.ids)
    rendered = render_result(result, approved_only, "clinician")
    assert rendered.payload["type"] == "b12.content_unavailable"
    assert "b12.nonneuro.loading" in rendered.payload["snippet_ids"]


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param({"bogus": {}}, "unknown", id="unknown-key"),
        pytest.param({"notes": {"x": {"clinician": "a"}}, "frequency": {}}, "x", id="one-audience"),
        pytest.param({"frequency": {"daily": "daily"}}, "no wording", id="missing-frequency"),
    ],
)
def test_message_catalogue_is_validated(data, message) -> None:
    with pytest.raises(ValueError, match=message):
        parse_messages(data)
