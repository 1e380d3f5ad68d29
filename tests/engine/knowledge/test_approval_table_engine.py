"""The code that turns a rules.yml into decisions and wording is pinned like a rule module."""

from __future__ import annotations

from pathlib import Path

import pytest

from guideline_engine.knowledge import load_knowledge_base
from guideline_engine.knowledge.approval import (
    TABLE_ENGINE_MODULES,
    ArtefactKind,
    ArtefactRef,
    load_approval_state,
    topic_rule_refs,
)
from tests.engine.knowledge.test_approval import approve, run, state_of, tree

__all__ = ["tree"]  # the fixture, shared with the register tests

ENGINE_FILES = [pytest.param(m, id=m) for m in TABLE_ENGINE_MODULES]


def _edit(tree: Path, module: str) -> None:
    folder, name = module.split(".")
    source = tree.parent / folder / f"{name}.py"
    source.write_text(source.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")


def test_the_register_pins_every_table_engine_module() -> None:
    state = load_approval_state(load_knowledge_base(approved_only=False))
    assert state.problems == ()
    pinned = {a.ref.id for a in state.of_kind(ArtefactKind.RULE)}
    assert {"topics.decide", "topics.render"} <= set(TABLE_ENGINE_MODULES) <= pinned


def test_every_table_answer_rests_on_the_table_engine() -> None:
    refs = set(topic_rule_refs("any"))
    assert {ArtefactRef(ArtefactKind.RULE, m) for m in TABLE_ENGINE_MODULES} <= refs


@pytest.mark.parametrize("module", ENGINE_FILES)
def test_table_engine_edited_after_approval_is_stale_and_fails_closed(
    tree: Path, module: str
) -> None:
    approve(tree, "rule", module)
    ref = ArtefactRef(ArtefactKind.RULE, module)
    assert state_of(tree).get(ref).approved  # type: ignore[union-attr]
    _edit(tree, module)
    state = state_of(tree)
    artefact = state.get(ref)
    assert artefact is not None and artefact.stale and not artefact.approved
    assert state.blocking(topic_rule_refs("folate"))  # every table answer is refused
    assert ref in {a.ref for a in state.blocking(topic_rule_refs("folate"))}
    assert run("validate", "--root", str(tree))[0] == 1
    assert run("rehash", "--root", str(tree))[0] == 1  # rehash never re-pins an approval


def test_table_engine_edited_before_approval_is_rehashed(tree: Path) -> None:
    _edit(tree, "topics.decide")
    warned = " ".join(state_of(tree).warnings)
    assert "rule:topics.decide: register hash is out of date" in warned
    code, out, _ = run("rehash", "--root", str(tree))
    assert code == 0 and "register: rule:topics.decide" in out
    assert "rule:topics.decide" not in " ".join(state_of(tree).warnings)


def test_a_missing_table_engine_file_fails_closed(tree: Path) -> None:
    (tree.parent / "topics" / "decide.py").unlink()
    state = state_of(tree)
    ref = ArtefactRef(ArtefactKind.RULE, "topics.decide")
    assert state.get(ref) is None
    assert ref in {a.ref for a in state.blocking(topic_rule_refs("folate"))}
