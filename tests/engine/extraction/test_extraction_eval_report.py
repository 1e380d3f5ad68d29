"""The facts-evaluation metric code of ``scripts/eval_extraction.py`` on tiny inline sets.

A fake extractor returns fixed ``Extraction`` objects so the counting, not the extractor, is
under test.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
import yaml

from guideline_engine.extraction import Extraction, LabMeasurement

ROOT = Path(__file__).resolve().parents[3]
SCRIPT = ROOT / "scripts" / "eval_extraction.py"


@pytest.fixture(scope="module")
def ev() -> ModuleType:
    spec = importlib.util.spec_from_file_location("eval_extraction_under_test", SCRIPT)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module
    spec.loader.exec_module(module)
    return module


def _lab(value: float, unit: str | None) -> LabMeasurement:
    return LabMeasurement(value=value, unit=unit, start=0, end=1)


PREDICTIONS: dict[str, Extraction] = {
    "a": Extraction(
        text="a",
        platelet_count=35.0,
        age=62,
        causes=("medication", "dietary"),
        b12=_lab(110.0, "ng/L"),
        neurological_involvement="yes",
    ),
    "b": Extraction(text="b", pregnant="no", folate=_lab(2.1, "µg/L")),
}

PERFECT: list[dict[str, Any]] = [
    {
        "text": "a",
        "expect": {
            "platelet_count": 35,
            "age": 62,
            "causes": ["dietary", "medication"],
            "b12": [110, "ng/L"],
            "neurological_involvement": "yes",
        },
    },
    {"text": "b", "expect": {"pregnant": "no", "folate": [2.1, "µg/L"]}},
]


def _run(ev: ModuleType, cases: list[dict[str, Any]]) -> Any:
    return ev.evaluate_facts(cases, extractor=lambda text: PREDICTIONS[text])


def _with(case: int, **changes: Any) -> list[dict[str, Any]]:
    cases = [{"text": c["text"], "expect": dict(c["expect"])} for c in PERFECT]
    for name, value in changes.items():
        if value is None:
            del cases[case]["expect"][name]
        else:
            cases[case]["expect"][name] = value
    return cases


def test_perfect_set_scores_one(ev: ModuleType) -> None:
    report = _run(ev, PERFECT)
    assert report.micro.prf() == (1.0, 1.0, 1.0)
    assert report.micro.tp == 8  # 6 scalar fields + 2 causes
    assert report.fields["causes"].tp == 2
    assert all(c.prf() == (1.0, 1.0, 1.0) for c in report.fields.values())
    assert report.disagreements == []


def test_numbers_match_within_tolerance(ev: ModuleType) -> None:
    report = _run(ev, _with(0, platelet_count=35.0000000001, b12=[110.0000000001, "ng/L"]))
    assert report.micro.prf() == (1.0, 1.0, 1.0)


def test_wrong_value_lowers_precision_and_recall(ev: ModuleType) -> None:
    report = _run(ev, _with(0, platelet_count=36))
    plt = report.fields["platelet_count"]
    assert (plt.tp, plt.fp, plt.fn) == (0, 1, 1)
    p, r, _ = report.micro.prf()
    assert p == pytest.approx(7 / 8) and r == pytest.approx(7 / 8)
    assert report.errors["platelet_count"].wrong == 1
    assert len(report.disagreements) == 1 and "wrong" in report.disagreements[0]


def test_wrong_unit_is_a_wrong_value(ev: ModuleType) -> None:
    report = _run(ev, _with(1, folate=[2.1, "ng/mL"]))
    folate = report.fields["folate"]
    assert (folate.tp, folate.fp, folate.fn) == (0, 1, 1)


def test_missing_value_lowers_recall_only(ev: ModuleType) -> None:
    report = _run(ev, _with(1, sex="female"))
    p, r, _ = report.micro.prf()
    assert p == 1.0
    assert r == pytest.approx(8 / 9)
    assert report.errors["sex"].missed == 1


def test_extra_value_lowers_precision_only(ev: ModuleType) -> None:
    report = _run(ev, _with(0, age=None))
    p, r, _ = report.micro.prf()
    assert p == pytest.approx(7 / 8)
    assert r == 1.0
    assert report.errors["age"].spurious == 1


def test_causes_are_scored_item_by_item(ev: ModuleType) -> None:
    report = _run(ev, _with(0, causes=["dietary", "pernicious_anaemia"]))
    causes = report.fields["causes"]
    assert (causes.tp, causes.fp, causes.fn) == (1, 1, 1)
    p, r, f = causes.prf()
    assert (p, r, f) == (0.5, 0.5, 0.5)


def test_unknown_field_is_rejected(ev: ModuleType) -> None:
    with pytest.raises(ValueError, match="unknown field"):
        _run(ev, _with(0, platelets=35))


def test_facts_set_is_well_formed(ev: ModuleType) -> None:
    cases = yaml.safe_load(ev.FACTS_SET.read_text(encoding="utf-8"))["cases"]
    assert len(cases) >= 80
    assert len({c["text"] for c in cases}) == len(cases)
    report = ev.evaluate_facts(cases)  # real extractor; raises on malformed gold values
    assert report.n_cases == len(cases)
