"""Validation of the NG239 mapping ('guidance'), guideline parts and the gates file."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from guideline_engine.knowledge.loader import scan
from guideline_engine.knowledge.model import GuidanceRelation

SNIP = "test/snippets.yml"
GATES = "test/gates.yml"
EditYaml = Callable[[str, Callable[[Any], None]], None]

GATES_YML = """\
topic: test_topic
gates:
  - id: gate.test.child
    conditions:
      - {fact: age, op: lt, value: 16}
    outcome: withhold_plan
    urgency: advice
    specialist: paediatrics
    advice: [SNIPPET]
    basis: Scope of the guideline.
    review: {status: submitted, curated_by: tester, curated_on: 2026-12-01, reviewer: null,
      reviewed_on: null}
"""


def first_snippet(data: Any) -> dict[str, Any]:
    return data["snippets"][0]


def problems(root: Path, field_prefix: str = "") -> list[str]:
    return [
        f"{p.field}: {p.message}" for p in scan(root).problems if p.field.startswith(field_prefix)
    ]


@pytest.fixture
def gates_root(kb_root: Path) -> Path:
    first = scan(kb_root).snippets[0].id
    (kb_root / GATES).write_text(GATES_YML.replace("SNIPPET", first), encoding="utf-8")
    return kb_root


def test_valid_guidance_and_gates_load(gates_root: Path, edit_yaml: EditYaml) -> None:
    def add(data: Any) -> None:
        first_snippet(data)["guidance"] = [
            {
                "document": "doc_guide",
                "recommendation": "1.1.3",
                "relation": "conflicts",
                "note": "n",
            },
            {"document": "doc_guide", "relation": "not_addressed", "note": "not read"},
        ]

    edit_yaml(SNIP, add)
    result = scan(gates_root)
    assert not [p for p in result.problems if p.field.startswith(("guidance", "conditions"))]
    snippet = next(s for s in result.snippets if s.guidance)
    assert [g.relation for g in snippet.guidance] == [
        GuidanceRelation.CONFLICTS,
        GuidanceRelation.NOT_ADDRESSED,
    ]
    (gate,) = result.gates
    assert gate.id == "gate.test.child" and gate.plan_withheld
    assert gate.conditions[0].holds(15.0) and not gate.conditions[0].holds(16.0)
    assert not gate.conditions[0].holds(None)


@pytest.mark.parametrize(
    ("entry", "message"),
    [
        pytest.param(
            {"document": "doc_guide", "relation": "agrees", "note": "x", "bogus": 1},
            "unknown key",
            id="unknown-key",
        ),
        pytest.param(
            {"document": "doc_guide", "relation": "maybe", "note": "x"},
            "invalid value 'maybe'",
            id="bad-relation",
        ),
        pytest.param(
            {"document": "doc_guide", "relation": "agrees", "note": "x"},
            "needs the recommendation",
            id="agrees-needs-rec",
        ),
        pytest.param(
            {
                "document": "doc_guide",
                "recommendation": "one",
                "relation": "conflicts",
                "note": "x",
            },
            "invalid value 'one'",
            id="bad-rec",
        ),
        pytest.param(
            {"document": "nope", "relation": "not_addressed", "note": "x"},
            "unknown document 'nope'",
            id="unknown-doc",
        ),
        pytest.param(
            {"document": "doc_guide", "relation": "not_addressed"},
            "missing required key",
            id="no-note",
        ),
    ],
)
def test_bad_guidance_is_rejected(
    kb_root: Path, edit_yaml: EditYaml, entry: dict[str, Any], message: str
) -> None:
    edit_yaml(SNIP, lambda data: first_snippet(data).__setitem__("guidance", [entry]))
    assert any(message in p for p in problems(kb_root, "guidance")), problems(kb_root)


@pytest.mark.parametrize(
    ("source", "message"),
    [
        pytest.param(
            {"document": "doc_guide", "parts": ["1.1.3", "visual-summary"]}, None, id="parts-ok"
        ),
        pytest.param(
            {"document": "doc_guide", "parts": ["chapter 9"]},
            "invalid value 'chapter 9'",
            id="bad-part",
        ),
        pytest.param({"document": "doc_guide", "parts": []}, "empty list", id="empty-parts"),
        pytest.param({"document": "doc_guide"}, "missing citation", id="neither"),
        pytest.param(
            {"document": "doc_guide", "cites": [1], "where": 2}, "unknown key", id="unknown-key"
        ),
    ],
)
def test_source_parts_are_validated(
    kb_root: Path, edit_yaml: EditYaml, source: dict[str, Any], message: str | None
) -> None:
    edit_yaml(SNIP, lambda data: first_snippet(data).__setitem__("source", source))
    found = [p for p in problems(kb_root, "source") if "hash" not in p]
    if message is None:
        assert not found, found
    else:
        assert any(message in p for p in found), found


@pytest.mark.parametrize(
    ("old", "new", "message"),
    [
        pytest.param(
            "{fact: age, op: lt, value: 16}",
            "{fact: shoe_size, op: lt, value: 16}",
            "unknown fact 'shoe_size'",
            id="unknown-fact",
        ),
        pytest.param(
            "{fact: age, op: lt, value: 16}",
            "{fact: age, op: is, value: 16}",
            "is a number",
            id="number-with-is",
        ),
        pytest.param(
            "{fact: age, op: lt, value: 16}",
            "{fact: pregnant, op: lt, value: 1}",
            "yes/no/unknown",
            id="tri-with-lt",
        ),
        pytest.param(
            "{fact: age, op: lt, value: 16}",
            "{fact: age, op: below, value: 16}",
            "invalid value 'below'",
            id="bad-op",
        ),
        pytest.param(
            "outcome: withhold_plan", "outcome: shrug", "invalid value 'shrug'", id="bad-outcome"
        ),
        pytest.param(
            "urgency: advice", "urgency: whenever", "invalid value 'whenever'", id="bad-urgency"
        ),
        pytest.param("    basis:", "    colour: red\n    basis:", "unknown key", id="unknown-key"),
        pytest.param("id: gate.test.child", "id: child", "invalid value 'child'", id="bad-id"),
    ],
)
def test_bad_gates_are_rejected(gates_root: Path, old: str, new: str, message: str) -> None:
    path = gates_root / GATES
    text = path.read_text(encoding="utf-8")
    assert old in text
    path.write_text(text.replace(old, new), encoding="utf-8")
    result = scan(gates_root)
    assert any(message in p.message for p in result.problems if p.file == GATES), result.problems
    assert not result.gates


def test_gate_advice_must_name_existing_snippets(gates_root: Path) -> None:
    path = gates_root / GATES
    text = path.read_text(encoding="utf-8")
    first = scan(gates_root).snippets[0].id
    path.write_text(text.replace(f"[{first}]", "[t.does_not_exist]"), encoding="utf-8")
    result = scan(gates_root)
    assert any("unknown snippet 't.does_not_exist'" in p.message for p in result.problems)
    assert not result.gates
