"""The lab classing code and the trained signals are pinned in the approval register by hash.

Review 5, finding 7: the code that classes a laboratory number (and so decides folic acid) and
the trained triage signal (which decides when a red flag fires) sat outside the register, so an
approval could be taken to cover behaviour nobody reviewed. Each is now a register row; editing
one without refreshing its row fails validation, and editing one after approval makes the
approval stale.
"""

from __future__ import annotations

import ast
import io
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

import guideline_engine
from guideline_engine.knowledge import load_knowledge_base, register
from guideline_engine.knowledge.approval import (
    LAB_CLASSING,
    PINNED_SOURCES,
    TABLE_ENGINE_MODULES,
    TRIAGE_SIGNAL,
    ApprovalState,
    ArtefactKind,
    ArtefactRef,
    ArtefactSources,
    PinnedSource,
    approval_state,
    closure_nodes,
    closure_source,
    load_approval_state,
    parse_register,
    read_register,
)
from guideline_engine.knowledge.cli import main

ENGINE = Path(guideline_engine.__file__).resolve().parent
FACTS = ArtefactRef(ArtefactKind.RULE, "facts.lab_classing")
NUMBERS = ArtefactRef(ArtefactKind.RULE, "extraction.numbers.lab_classing")
TRAINING = ArtefactRef(ArtefactKind.SIGNAL, "vocab.red_flag_training")


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def engine_copy(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A full copy of the engine with its register refreshed; returns its content root.

    Refreshed first so that work in progress elsewhere in the tree does not decide the test.
    """
    monkeypatch.delenv("KB_APPROVED_ONLY", raising=False)
    engine = tmp_path / "guideline_engine"
    shutil.copytree(ENGINE, engine, ignore=shutil.ignore_patterns("__pycache__"))
    content = engine / "content"
    register.rehash_register(content)
    yield content


def state_of(content: Path) -> ApprovalState:
    kb = load_knowledge_base(content, approved_only=False)
    return approval_state(kb, ArtefactSources.from_tree(content.parent, content), enforced=True)


def edit(content: Path, file: str, old: str, new: str) -> None:
    """Replace ``old`` (found exactly once) by ``new``; an empty ``old`` appends ``new``."""
    path = content.parent / file
    text = path.read_text(encoding="utf-8")
    if not old:
        path.write_text(text + new, encoding="utf-8")
        return
    assert text.count(old) == 1, f"{old!r} not found once in {file}"
    path.write_text(text.replace(old, new), encoding="utf-8")


def approve(content: Path, ref: ArtefactRef) -> None:
    who = ("--reviewer", "Dr P", "--role", "haematologist", "--date", "2026-12-02")
    code, _, err = run("approve-artefact", ref.kind.value, ref.id, *who, "--root", str(content))
    assert code == 0, err


# ----------------------------------------------------------------------------- the register


def test_the_packaged_register_has_a_submitted_row_for_every_pinned_source() -> None:
    rows = {e.ref: e for e in parse_register(read_register(ENGINE / "content"))}
    state = load_approval_state(load_knowledge_base(approved_only=False))
    for pinned in PINNED_SOURCES:
        assert pinned.ref in rows, f"{pinned.ref} has no register row; run make kb-rehash"
        assert rows[pinned.ref].status.value == "submitted"
        artefact = state.get(pinned.ref)
        assert artefact is not None and artefact.file == pinned.file
        assert not artefact.approved


def test_what_the_finding_named_is_pinned() -> None:
    files = {p.file for p in PINNED_SOURCES}
    assert {"labs.py", "facts.py", "extraction/numbers.py"} <= files
    assert {"triage/model.py", "classifier.py", "vocab/red_flag_training.yml",
            "vocab/red_flag_exemplars.yml"} <= files  # fmt: skip
    assert {"retrieval/learned.py", "retrieval/followup_training.yml"} <= files


# ----------------------------------------------------------------------------- validation


@pytest.mark.parametrize(
    ("file", "old", "new", "ref"),
    [
        pytest.param(
            "vocab/red_flag_training.yml", "", "- {label: none, text: a new example, from: x}\n",
            TRAINING, id="training-file-new-item",
        ),
        pytest.param(
            "extraction/numbers.py",
            'return "low" if value < self.low else None',
            'return "low" if value <= self.low else None',
            NUMBERS,
            id="stated-range-status",
        ),
        pytest.param(
            "facts.py",
            "if cutoff is None or lab.value is None or not cutoff.is_low(",
            "if cutoff is None or lab.value is None or cutoff.is_low(",
            FACTS,
            id="facts-classed",
        ),
    ],
)  # fmt: skip
def test_a_pinned_change_fails_validation_until_rehashed(
    engine_copy: Path, file: str, old: str, new: str, ref: ArtefactRef
) -> None:
    assert run("validate", "--root", str(engine_copy))[0] == 0
    edit(engine_copy, file, old, new)
    code, _, err = run("validate", "--root", str(engine_copy))
    assert code == 1
    assert f"{ref}: register hash is out of date" in err
    assert "approvals.yml: out of date for 1 artefact(s)" in err
    code, out, _ = run("rehash", "--root", str(engine_copy))
    assert code == 0 and f"register: {ref}" in out
    assert run("validate", "--root", str(engine_copy))[0] == 0


def test_a_classing_function_edited_after_approval_is_stale(engine_copy: Path) -> None:
    approve(engine_copy, NUMBERS)
    assert state_of(engine_copy).get(NUMBERS).approved  # type: ignore[union-attr]
    numbers = "extraction/numbers.py"
    edit(engine_copy, numbers, "def range_contradiction(", "def range_contradiction(  ")
    artefact = state_of(engine_copy).get(NUMBERS)
    assert artefact is not None and artefact.stale and not artefact.approved
    assert run("validate", "--root", str(engine_copy))[0] == 1
    assert run("rehash", "--root", str(engine_copy))[0] == 1  # never re-pins an approval


def test_a_constant_the_classing_reaches_is_pinned_an_unrelated_reader_is_not(
    engine_copy: Path,
) -> None:
    before = state_of(engine_copy)
    edit(engine_copy, "extraction/numbers.py", 'r"lab(?:oratory)?\\s+range|range|rr|nr)"',
         'r"lab(?:oratory)?\\s+range|range|rr|nr|ri)"')  # fmt: skip
    changed = state_of(engine_copy)
    assert changed.get(NUMBERS).sha256 != before.get(NUMBERS).sha256  # type: ignore[union-attr]
    edit(engine_copy, "extraction/numbers.py", "def read_age(", "def read_age(  ")
    assert state_of(engine_copy).get(NUMBERS).sha256 == changed.get(NUMBERS).sha256  # type: ignore[union-attr]


def test_a_pinned_source_that_is_gone_is_unknown_and_blocks(engine_copy: Path) -> None:
    edit(engine_copy, "extraction/numbers.py", "def range_contradiction(", "def range_clash(")
    (engine_copy.parent / "triage" / "model.py").unlink()
    state = state_of(engine_copy)
    assert state.get(NUMBERS) is None
    assert state.get(ArtefactRef(ArtefactKind.SIGNAL, "triage.model")) is None
    assert NUMBERS in {a.ref for a in state.blocking([NUMBERS])}
    assert "possible_emergency" in state.advice_pending(["possible_emergency"])


def test_register_drift_fails_validation_but_not_start_up(engine_copy: Path) -> None:
    edit(engine_copy, "vocab/red_flag_training.yml", "", "# edited\n")
    state = state_of(engine_copy)
    assert state.problems and state.approval_problems == ()


# ----------------------------------------------------------------------------- closures


def _module(pinned: PinnedSource) -> str:
    return "guideline_engine." + pinned.file.removesuffix(".py").replace("/", ".")


def _reached_names(pinned: PinnedSource) -> set[str]:
    text = (ENGINE / pinned.file).read_text(encoding="utf-8")
    nodes = closure_nodes(text, pinned.roots) if pinned.roots else ast.parse(text).body
    assert nodes is not None
    return {n.id for node in nodes for n in ast.walk(node) if isinstance(n, ast.Name)} | {
        getattr(node, "name", "") for node in nodes
    }


# Engine imports of pinned code that decide nothing clinical, and why.
NOT_CLINICAL = {
    "guideline_engine.extraction.vocab": "reads packaged files and names their errors",
    "guideline_engine.triage.rules": "the red flags, each pinned by its own register row",
    "guideline_engine.retrieval.retriever": "the result types a refinement returns",
}


def _covered(module: str, name: str) -> bool:
    whole = {_module(p) for p in PINNED_SOURCES if not p.roots}
    rules = {f"guideline_engine.{m}" for m in TABLE_ENGINE_MODULES}
    if module in whole | rules or module.startswith("guideline_engine.regimen."):
        return True
    return any(_module(p) == module and name in _reached_names(p) for p in PINNED_SOURCES)


PINNED_CODE = [
    pytest.param(p, id=p.id) for p in (*LAB_CLASSING, *TRIAGE_SIGNAL) if p.file.endswith(".py")
]


@pytest.mark.parametrize("pinned", PINNED_CODE)
def test_what_pinned_code_imports_from_the_engine_is_pinned_too(pinned: PinnedSource) -> None:
    text = (ENGINE / pinned.file).read_text(encoding="utf-8")
    nodes = closure_nodes(text, pinned.roots) if pinned.roots else ast.parse(text).body
    assert nodes is not None
    used = _reached_names(pinned)
    for node in (n for top in nodes for n in ast.walk(top)):
        if not isinstance(node, ast.ImportFrom) or not (node.module or "").startswith("guideline"):
            continue
        module = str(node.module)
        for alias in node.names:
            if (alias.asname or alias.name) in used and module not in NOT_CLINICAL:
                assert _covered(module, alias.name), f"{pinned.id} uses {module}.{alias.name}"


def test_closure_source_keeps_decorators_and_refuses_a_missing_root() -> None:
    text = (
        "import re\nfrom functools import cache\n\n\n@cache\ndef f():\n    return re.I\n\n\n"
        "def g():\n    return 1\n"
    )
    source = closure_source(text, ["f"])
    assert source is not None
    assert "@cache" in source and "import re" in source and "def g" not in source
    assert closure_source(text, ["missing"]) is None
    assert closure_source("def (", ["f"]) is None
