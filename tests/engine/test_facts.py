from __future__ import annotations

import pytest

from guideline_engine.facts import facts_from_values
from guideline_engine.regimen.model import Cause, Formulary, LabStatus, Route, Tri


def test_slot_values_become_typed_facts() -> None:
    read = facts_from_values(
        {
            "neuro_involvement": "yes",
            "causes": ["pernicious_anaemia", "dietary", "made_up"],
            "platelet_count": "35,000",
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
    assert facts.platelet_count == 35000.0
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
    ],
)
def test_unreadable_values_are_dropped_and_named(values, unreadable) -> None:
    read = facts_from_values(values)
    assert read.unreadable == unreadable
    assert read.facts.platelet_count is None and read.facts.age is None


def test_nothing_known_stays_unknown() -> None:
    facts = facts_from_values({}).facts
    assert facts.neurological_involvement is Tri.UNKNOWN
    assert facts.causes == frozenset()
    assert facts.formulary is Formulary.UK


def test_described_b12_result_without_a_number_keeps_its_status() -> None:
    facts = facts_from_values({"b12_status": "indeterminate"}).facts
    assert facts.b12 is not None and facts.b12.value is None
    assert facts.b12.status is LabStatus.INDETERMINATE
