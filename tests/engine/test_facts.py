from __future__ import annotations

import pytest

from guideline_engine.facts import facts_from_values
from guideline_engine.regimen.model import Cause, Formulary, LabStatus, Route, Tri


def test_slot_values_become_typed_facts() -> None:
    read = facts_from_values(
        {
            "neurological_involvement": "yes",
            "causes": ["pernicious_anaemia", "dietary", "made_up"],
            "platelet_count": "35",
            "age": 62.0,
            "pregnant": "no",
            "route_preference": "oral",
            "formulary": "us",
            "b12_level": "120 ng/L",
            "b12_status": "low",
        }
    )
    facts = read.facts
    assert facts.neurological_involvement is Tri.YES
    assert facts.causes == frozenset({Cause.PERNICIOUS_ANAEMIA, Cause.DIETARY})
    assert facts.platelet_count == 35.0
    assert facts.age == 62
    assert facts.pregnant is Tri.NO
    assert facts.route_preference is Route.ORAL
    assert facts.formulary is Formulary.US
    assert facts.b12 is not None
    assert (facts.b12.value, facts.b12.unit, facts.b12.status) == (120.0, "ng/L", LabStatus.LOW)
    assert read.unreadable == ()


@pytest.mark.parametrize(
    ("values", "unreadable"),
    [
        pytest.param({"platelet_count": "lots"}, ("platelet_count",), id="platelets-text"),
        pytest.param({"age": True}, ("age",), id="age-bool"),
        pytest.param({"age": "nan"}, ("age",), id="age-nan"),
        pytest.param({"platelet_count": "inf"}, ("platelet_count",), id="platelets-inf"),
        pytest.param({"platelet_count": -40}, ("platelet_count",), id="platelets-negative"),
        pytest.param({"platelet_count": "35,000"}, ("platelet_count",), id="platelets-per-ul"),
        pytest.param({"age": 250}, ("age",), id="age-impossible"),
        pytest.param({"b12_level": "1e+26 ng/L"}, ("b12_level",), id="b12-huge"),
        pytest.param({"b12_level": "-150 ng/L"}, ("b12_level",), id="b12-negative"),
        pytest.param({"b12_level": "90000 pmol/L"}, ("b12_level",), id="b12-pmol-impossible"),
        pytest.param({"haemoglobin": 900}, ("haemoglobin",), id="hb-impossible"),
        pytest.param({"ileal_resection_cm": -3}, ("ileal_resection_cm",), id="ileal-negative"),
    ],
)
def test_unreadable_values_are_dropped_and_named(values, unreadable) -> None:
    read = facts_from_values(values)
    assert read.unreadable == unreadable
    assert len(read.problems) == len(unreadable)
    (name,) = unreadable
    written = str(values[name])
    assert written in read.problems[0]
    assert read.facts.platelet_count is None and read.facts.age is None and read.facts.b12 is None


def test_zero_platelets_is_a_value() -> None:
    read = facts_from_values({"platelet_count": 0.0})
    assert read.facts.platelet_count == 0.0 and read.unreadable == ()


def test_new_facts_reach_the_regimen() -> None:
    facts = facts_from_values(
        {"breastfeeding": "yes", "haemoglobin": 85.0, "pancytopenia": "no"}
    ).facts
    assert facts.breastfeeding is Tri.YES
    assert facts.haemoglobin == 85.0
    assert facts.pancytopenia is Tri.NO


def test_nothing_known_stays_unknown() -> None:
    facts = facts_from_values({}).facts
    assert facts.neurological_involvement is Tri.UNKNOWN
    assert facts.causes == frozenset()
    assert facts.formulary is Formulary.UK


def test_described_b12_result_without_a_number_keeps_its_status() -> None:
    facts = facts_from_values({"b12_status": "indeterminate"}).facts
    assert facts.b12 is not None and facts.b12.value is None
    assert facts.b12.status is LabStatus.INDETERMINATE


def test_domain_declares_every_entity_the_component_emits_once() -> None:
    from pathlib import Path

    import yaml

    from guideline_engine.facts import ENTITY_NAMES, PATIENT_ENTITIES

    domain = yaml.safe_load((Path(__file__).resolve().parents[2] / "domain.yml").read_text())
    declared = [e if isinstance(e, str) else next(iter(e)) for e in domain["entities"]]
    assert len(ENTITY_NAMES) == len(set(ENTITY_NAMES))
    assert PATIENT_ENTITIES <= set(ENTITY_NAMES)
    assert set(ENTITY_NAMES) <= set(declared), set(ENTITY_NAMES) - set(declared)


def test_every_fact_slot_has_one_spelling_shared_with_the_topics_view() -> None:
    """Issue 11: a fact is named once: slot = entity = the name rows and payloads use."""
    from guideline_engine.facts import FACT_NAMES
    from guideline_engine.topics import VIEW_FACTS

    for name in FACT_NAMES:
        lab = name.removesuffix("_level")
        assert name in VIEW_FACTS or f"{lab}_value" in VIEW_FACTS, name
    # the old second spelling of neurological involvement is gone everywhere
    assert "neuro_involvement" not in FACT_NAMES
