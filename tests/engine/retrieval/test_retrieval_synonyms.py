"""Schema validation of the synonyms file (guideline_engine.retrieval.synonyms)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
import yaml

from guideline_engine.retrieval import Synonyms, default_synonyms, load_synonyms

SOURCE = "synonyms-test.yml"


def _minimal(**overrides: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "version": 1,
        "groups": [{"canonical": "injection", "terms": ["jab", "shot"]}],
    }
    data.update(overrides)
    return data


def test_packaged_file_loads_and_round_trips() -> None:
    synonyms = default_synonyms()
    assert synonyms.groups
    assert "injection" in {g.canonical for g in synonyms.groups}
    assert Synonyms.from_dict(synonyms.to_dict()) == synonyms
    assert default_synonyms() is synonyms  # read once


def test_load_from_a_file_path(tmp_path: Path) -> None:
    path = tmp_path / "vocab.yml"
    path.write_text(yaml.safe_dump(_minimal(stop_words=["the"])), encoding="utf-8")
    synonyms = load_synonyms(path)
    assert synonyms.stop_words == frozenset({"the"})


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(_minimal(colour="x"), rf"{SOURCE}: unknown key\(s\) colour", id="top-key"),
        pytest.param({"version": 1}, rf"{SOURCE}: missing key\(s\) groups", id="missing-groups"),
        pytest.param(_minimal(version=2), rf"{SOURCE}: version: expected 1", id="version"),
        pytest.param(
            _minimal(groups=[{"canonical": "injection", "terms": ["jab"], "weight": 2}]),
            r"groups\[0\] \(injection\): unknown key\(s\) weight",
            id="group-key",
        ),
        pytest.param(
            _minimal(groups=[{"terms": ["jab"]}]),
            r"groups\[0\] \(#0\): missing key\(s\) canonical",
            id="missing-canonical",
        ),
        pytest.param(
            _minimal(groups=[{"canonical": "Injection!", "terms": ["jab"]}]),
            r"canonical must match",
            id="bad-canonical",
        ),
        pytest.param(
            _minimal(groups=[{"canonical": "injection", "terms": "jab"}]),
            r"groups\[0\] \(injection\): terms: expected a list",
            id="terms-not-list",
        ),
        pytest.param(
            _minimal(groups=[{"canonical": "injection", "terms": []}]),
            r"terms: empty list",
            id="empty-terms",
        ),
        pytest.param(
            _minimal(
                groups=[
                    {"canonical": "injection", "terms": ["shot"]},
                    {"canonical": "photo", "terms": ["Shot"]},
                ]
            ),
            r"groups \(photo\): term 'Shot' is already in group 'injection'",
            id="term-in-two-groups",
        ),
        pytest.param(
            _minimal(
                groups=[
                    {"canonical": "injection", "terms": ["jab"]},
                    {"canonical": "injection", "terms": ["shot"]},
                ]
            ),
            r"canonical 'injection' used twice",
            id="duplicate-canonical",
        ),
        pytest.param(
            _minimal(stop_words=[False]),
            r"stop_words\[0\]: expected a string, got bool",
            id="yaml-boolean",  # an unquoted `no` in YAML
        ),
        pytest.param(
            _minimal(spelling={"words": {"centre": "center"}, "rules": {}}),
            r"spelling: unknown key\(s\) rules",
            id="spelling-key",
        ),
        pytest.param(
            _minimal(spelling={"words": {"centre": 3}}),
            r"spelling.words.centre: expected a non-empty string",
            id="spelling-value",
        ),
        pytest.param(
            _minimal(groups=[{"canonical": "neuro", "terms": ["nerve"], "negated": "Non Neuro"}]),
            r"negated must match",
            id="bad-negated",
        ),
        pytest.param(
            _minimal(groups=[{"canonical": "b12", "terms": ["cobalamin"], "specific": "yes"}]),
            r"specific: expected true or false",
            id="bad-specific",
        ),
        pytest.param([], rf"{SOURCE}: expected a mapping, got list", id="not-a-mapping"),
    ],
)
def test_schema_errors_name_file_and_entry(data: object, message: str) -> None:
    with pytest.raises(ValueError, match=message):
        Synonyms.from_dict(data, source=SOURCE)


def test_file_errors_name_the_path(tmp_path: Path) -> None:
    path = tmp_path / "broken.yml"
    path.write_text("version: 1\ngroups: [{canonical: x, terms: [a], extra: 1}]\n", "utf-8")
    with pytest.raises(ValueError, match=r"broken\.yml: groups\[0\] \(x\): unknown key"):
        load_synonyms(path)


def test_invalid_yaml_names_the_path(tmp_path: Path) -> None:
    path = tmp_path / "bad.yml"
    path.write_text("groups: [unclosed\n", "utf-8")
    with pytest.raises(ValueError, match=r"bad\.yml: not valid YAML"):
        load_synonyms(path)
