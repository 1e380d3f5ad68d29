"""Schema validation of the answer policy (guideline_engine.retrieval.policy)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from guideline_engine.retrieval import AnswerPolicy, default_policy, load_policy

SOURCE = "policy-test.yml"


def _minimal(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {"version": 1, "min_score": 1.5}
    data.update(overrides)
    return data


def test_packaged_policy_loads_and_round_trips() -> None:
    policy = default_policy()
    assert policy.min_score > 0
    assert 0 < policy.min_coverage < 1
    assert {"b12", "deficiency", "treatment"} <= set(policy.generic_terms)
    assert len(policy.not_covered) >= 5
    assert AnswerPolicy.from_dict(policy.to_dict()) == policy


def test_defaults_and_replace() -> None:
    policy = AnswerPolicy.from_dict(_minimal(), source=SOURCE)
    assert policy == AnswerPolicy(min_score=1.5)
    changed = policy.replace(min_coverage=0.5, not_covered=())
    assert changed.min_coverage == 0.5
    assert changed.min_score == 1.5


def test_load_from_a_file_path(tmp_path: Path) -> None:
    path = tmp_path / "policy.yml"
    path.write_text(yaml.safe_dump(_minimal(generic_terms=["b12"])), "utf-8")
    assert load_policy(path).generic_terms == ("b12",)


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(_minimal(threshold=2), r"unknown key\(s\) threshold", id="top-key"),
        pytest.param({"version": 1}, r"missing key\(s\) min_score", id="missing-min-score"),
        pytest.param(_minimal(min_score=-1), r"min_score: expected a number >= 0", id="negative"),
        pytest.param(_minimal(min_score=True), r"min_score: expected a number", id="bool"),
        pytest.param(_minimal(min_coverage=1.5), r"min_coverage: .*<= 1.0", id="coverage>1"),
        pytest.param(_minimal(generic_fallback=""), r"generic_fallback", id="empty-fallback"),
        pytest.param(
            _minimal(not_covered=[{"topic": "kids", "terms": ["child"], "severity": "high"}]),
            r"not_covered\[0\] \(kids\): unknown key\(s\) severity",
            id="topic-key",
        ),
        pytest.param(
            _minimal(not_covered=[{"topic": "Kids!", "terms": ["child"]}]),
            r"topic must match",
            id="topic-name",
        ),
        pytest.param(
            _minimal(
                not_covered=[
                    {"topic": "kids", "terms": ["child"]},
                    {"topic": "kids", "terms": ["baby"]},
                ]
            ),
            r"duplicate topic\(s\) kids",
            id="duplicate-topic",
        ),
    ],
)
def test_schema_errors_name_file_and_entry(data: object, message: str) -> None:
    with pytest.raises(ValueError, match=message) as info:
        AnswerPolicy.from_dict(data, source=SOURCE)
    assert str(info.value).startswith(SOURCE)
