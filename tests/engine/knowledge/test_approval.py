"""One approval gate for every clinical artefact: register, hashes, staleness, CLI."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
import yaml

import guideline_engine
from guideline_engine.content.b12.rules import build_plan
from guideline_engine.knowledge import load_knowledge_base
from guideline_engine.knowledge.approval import (
    ApprovalError,
    ApprovalStatus,
    ArtefactKind,
    ArtefactRef,
    ArtefactSources,
    approval_state,
    content_unavailable_payload,
    load_approval_state,
    parse_register,
)
from guideline_engine.knowledge.cli import main
from guideline_engine.regimen.gates import packaged_gates
from guideline_engine.regimen.model import Facts, Plan, Tri
from guideline_engine.render.answers import render_triage
from guideline_engine.render.messages import messages
from guideline_engine.topics import topics

ENGINE = Path(guideline_engine.__file__).resolve().parent
SHA = "a" * 64


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out=out, err=err)
    return code, out.getvalue(), err.getvalue()


@pytest.fixture
def tree(tmp_path: Path) -> Path:
    """A copy of the engine's clinical sources; returns its content root."""
    engine = tmp_path / "guideline_engine"
    shutil.copytree(ENGINE / "content", engine / "content")
    shutil.copytree(ENGINE / "regimen", engine / "regimen", ignore=shutil.ignore_patterns("__py*"))
    shutil.copytree(ENGINE / "topics", engine / "topics", ignore=shutil.ignore_patterns("__py*"))
    (engine / "vocab").mkdir()
    shutil.copy(ENGINE / "vocab" / "red_flags.yml", engine / "vocab" / "red_flags.yml")
    (engine / "render").mkdir()
    shutil.copy(ENGINE / "render" / "messages.yml", engine / "render" / "messages.yml")
    return engine / "content"


def state_of(root: Path, *, enforced: bool = True):  # type: ignore[no-untyped-def]
    kb = load_knowledge_base(root, approved_only=enforced)
    return approval_state(kb, ArtefactSources.from_tree(root.parent, root), enforced=enforced)


def a_plan() -> Plan:
    plan = build_plan(Facts(neurological_involvement=Tri.NO))
    assert isinstance(plan, Plan)
    return plan


def b12_gates() -> tuple[str, ...]:
    """The gates checked before the B12 plan (its topic's own)."""
    return tuple(g.id for g in packaged_gates() if g.topic == topics().default.kb_topic)


# ----------------------------------------------------------------------------- register


@pytest.mark.parametrize(
    ("row", "message"),
    [
        pytest.param({"colour": "red"}, "unknown key", id="unknown-key"),
        pytest.param({"kind": "recipe"}, "invalid value 'recipe'", id="unknown-kind"),
        pytest.param({"kind": "snippet"}, "own review block", id="snippet-row"),
        pytest.param({"sha256": "abc"}, "64 lowercase hex", id="short-hash"),
        pytest.param({"status": "ok"}, "invalid value 'ok'", id="bad-status"),
        pytest.param(
            {"status": "approved", "reviewer": "Dr A", "role": None, "reviewed_on": "2026-12-01"},
            "needs reviewer, role and reviewed_on",
            id="approved-without-role",
        ),
        pytest.param(
            {
                "status": "approved",
                "reviewer": "Dr A",
                "role": "surgeon",
                "reviewed_on": "2026-12-01",
            },
            "role 'surgeon'",
            id="unknown-role",
        ),
        pytest.param({"reviewer": "Dr A"}, "submitted entry has no reviewer", id="submitted-named"),
    ],
)
def test_register_rows_are_validated_strictly(row: dict[str, object], message: str) -> None:
    base = {"kind": "rule", "id": "content.b12.rules", "sha256": SHA, "status": "submitted",
            "reviewer": None, "role": None, "reviewed_on": None}  # fmt: skip
    with pytest.raises(ApprovalError, match=message):
        parse_register({"version": 1, "approvals": [base | row]})


def test_register_rejects_duplicate_rows() -> None:
    row = {"kind": "note", "id": "cause_unknown", "sha256": SHA, "status": "submitted",
           "reviewer": None, "role": None, "reviewed_on": None}  # fmt: skip
    with pytest.raises(ApprovalError, match="duplicate entry for note:cause_unknown"):
        parse_register({"version": 1, "approvals": [row, row]})


def test_packaged_register_is_valid_and_names_every_kind_with_nothing_approved() -> None:
    state = load_approval_state(load_knowledge_base(approved_only=False))
    assert state.problems == (), state.problems
    assert {a.ref.kind for a in state.artefacts} == set(ArtefactKind)
    assert not [a for a in state.artefacts if a.approved]
    assert ArtefactRef(ArtefactKind.RULE, "content.b12.rules") in {a.ref for a in state.artefacts}
    assert all(len(a.sha256) in {16, 64} for a in state.artefacts)


def test_register_row_for_an_unknown_artefact_is_reported(tree: Path) -> None:
    path = tree / "approvals.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["approvals"].append({"kind": "rule", "id": "regimen.gone", "sha256": SHA,
                              "status": "submitted", "reviewer": None, "role": None,
                              "reviewed_on": None})  # fmt: skip
    path.write_text(yaml.safe_dump(data), encoding="utf-8")
    assert "rule:regimen.gone: no such artefact" in " ".join(state_of(tree).warnings)
    assert run("rehash", "--root", str(tree))[0] == 0
    assert "regimen.gone" not in (tree / "approvals.yml").read_text(encoding="utf-8")


# ----------------------------------------------------------------------------- the gate


def test_gate_on_names_every_unapproved_artefact_a_plan_needs() -> None:
    kb = load_knowledge_base(approved_only=True)
    state = load_approval_state(kb)
    blockers = {a.ref for a in state.blocking(state.needed_by_plan(a_plan(), b12_gates()))}
    kinds = {ref.kind for ref in blockers}
    assert {ArtefactKind.SNIPPET, ArtefactKind.RULE, ArtefactKind.GATE, ArtefactKind.LABEL} <= kinds
    assert ArtefactRef(ArtefactKind.RULE, "content.b12.rules") in blockers
    payload = content_unavailable_payload(
        kb.version, state.blocking(state.needed_by_plan(a_plan(), b12_gates()))
    )
    assert payload["type"] == "b12.content_unavailable"
    rules = {"kind": "rule", "id": "content.b12.rules"}
    assert rules.items() <= payload["artefacts"][0].items() or any(
        item["kind"] == "rule" and item["id"] == rules["id"] for item in payload["artefacts"]
    )


def test_gate_off_blocks_nothing() -> None:
    state = load_approval_state(load_knowledge_base(approved_only=False))
    assert not state.enforced
    assert state.blocking(state.needed_by_plan(a_plan(), b12_gates())) == ()
    needs = state.needed_by_plan(a_plan(), b12_gates())
    assert state.unapproved(needs)  # still reported, only not enforced


def test_an_approved_note_rule_and_label_pass_the_gate_once_approved(tree: Path) -> None:
    plan = a_plan()
    needs = state_of(tree).needed_by_plan(plan, b12_gates())
    for ref in needs:
        if ref.kind is ArtefactKind.SNIPPET:
            continue
        code, _, err = run(
            "approve-artefact",
            ref.kind.value,
            ref.id,
            "--reviewer",
            "Dr H",
            "--role",
            "haematologist",
            "--date",
            "2026-12-02",
            "--root",
            str(tree),
        )
        assert code == 0, err
    left = {a.ref.kind for a in state_of(tree).blocking(needs)}
    assert left == {ArtefactKind.SNIPPET}
    row = next(
        a
        for a in state_of(tree).artefacts
        if a.ref == ArtefactRef(ArtefactKind.RULE, "content.b12.rules")
    )
    assert (row.status, row.reviewer, row.role) == (
        ApprovalStatus.APPROVED,
        "Dr H",
        "haematologist",
    )


# ----------------------------------------------------------------------------- staleness


def approve(tree: Path, kind: str, ident: str) -> None:
    code, _, err = run("approve-artefact", kind, ident, "--reviewer", "Dr P", "--role",
                       "pharmacist", "--date", "2026-12-02", "--root", str(tree))  # fmt: skip
    assert code == 0, err


def test_rule_edited_after_approval_is_stale_and_not_approved(tree: Path) -> None:
    approve(tree, "rule", "content.b12.rules")
    ref = ArtefactRef(ArtefactKind.RULE, "content.b12.rules")
    assert state_of(tree).get(ref).approved  # type: ignore[union-attr]
    source = tree / "b12" / "rules.py"
    source.write_text(source.read_text(encoding="utf-8") + "\n# edited\n", encoding="utf-8")
    state = state_of(tree)
    artefact = state.get(ref)
    assert artefact is not None and not artefact.approved and artefact.stale
    assert state.blocking([ref]) == (artefact,)
    assert any(p.startswith("rule:content.b12.rules: stale") for p in state.problems)
    assert run("validate", "--root", str(tree))[0] == 1
    # Rehash never re-pins an approval, and approving again needs a reopen first.
    assert run("rehash", "--root", str(tree))[0] == 1
    code, _, err = run("approve-artefact", "rule", "content.b12.rules", "--reviewer", "Dr P",
                       "--role", "pharmacist", "--root", str(tree))  # fmt: skip
    assert code == 1 and "reopen it" in err
    assert run("reopen-artefact", "rule", "content.b12.rules", "--reviewer", "Dr P", "--root",
               str(tree))[0] == 0  # fmt: skip
    approve(tree, "rule", "content.b12.rules")
    assert state_of(tree).get(ref).approved  # type: ignore[union-attr]


def test_note_edited_after_approval_is_stale(tree: Path) -> None:
    approve(tree, "note", "cause_unknown")
    path = tree.parent / "render" / "messages.yml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    data["notes"]["cause_unknown"]["patient"] += " Edited."
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    artefact = state_of(tree).get(ArtefactRef(ArtefactKind.NOTE, "cause_unknown"))
    assert artefact is not None and artefact.stale and not artefact.approved


def test_red_flag_advice_edited_after_approval_is_stale(tree: Path) -> None:
    approve(tree, "red_flag", "chest_pain")
    flags = tree.parent / "vocab" / "red_flags.yml"
    data = yaml.safe_load(flags.read_text(encoding="utf-8"))
    chest = next(f for f in data["red_flags"] if f["id"] == "chest_pain")
    assert chest["review"]["status"] == "approved" and chest["review"]["reviewer"] == "Dr P"
    assert state_of(tree).get(ArtefactRef(ArtefactKind.RED_FLAG, "chest_pain")).approved  # type: ignore[union-attr]
    chest["advice"]["patient"] = "Rest and see how it goes."
    flags.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    artefact = state_of(tree).get(ArtefactRef(ArtefactKind.RED_FLAG, "chest_pain"))
    assert artefact is not None and artefact.stale and not artefact.approved


def test_red_flag_marked_approved_by_hand_without_a_pin_is_not_approved(tree: Path) -> None:
    flags = tree.parent / "vocab" / "red_flags.yml"
    data = yaml.safe_load(flags.read_text(encoding="utf-8"))
    data["red_flags"][0]["review"] |= {"status": "approved", "reviewer": "Anyone",
                                       "reviewed_on": "2026-12-02"}  # fmt: skip
    flags.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    ref = ArtefactRef(ArtefactKind.RED_FLAG, data["red_flags"][0]["id"])
    state = state_of(tree)
    assert not state.get(ref).approved  # type: ignore[union-attr]
    assert any("pins no approved content" in p for p in state.problems)


def test_gate_edited_after_approval_is_stale(tree: Path) -> None:
    approve(tree, "gate", "gate.b12.under_16")
    ref = ArtefactRef(ArtefactKind.GATE, "gate.b12.under_16")
    assert state_of(tree).get(ref).approved  # type: ignore[union-attr]
    path = tree / "b12" / "gates.yml"
    path.write_text(path.read_text(encoding="utf-8").replace("value: 16}", "value: 12}"), "utf-8")
    artefact = state_of(tree).get(ref)
    assert artefact is not None and artefact.stale and not artefact.approved


# ----------------------------------------------------------------------------- reviewer role


def test_approve_artefact_requires_a_role(tree: Path) -> None:
    with pytest.raises(SystemExit):
        run("approve-artefact", "rule", "content.b12.rules", "--reviewer", "Dr A", "--root",
            str(tree))  # fmt: skip
    with pytest.raises(SystemExit):
        run("approve-artefact", "rule", "content.b12.rules", "--reviewer", "Dr A", "--role", "cook",
            "--root", str(tree))  # fmt: skip


def test_artefacts_lists_hash_and_status(tree: Path) -> None:
    code, out, _ = run("artefacts", "--kind", "rule", "--root", str(tree))
    assert code == 0
    assert "rule\tcontent.b12.rules\tsubmitted\t" in out
    approve(tree, "rule", "content.b12.rules")
    code, out, _ = run("artefacts", "--status", "approved", "--root", str(tree))
    assert out.splitlines() == [line for line in out.splitlines() if "content.b12.rules" in line]
    assert "Dr P (pharmacist)" in out


# ----------------------------------------------------------------------------- triage fails safe


def test_unapproved_red_flag_still_escalates_with_neutral_advice_under_the_gate() -> None:
    state = load_approval_state(load_knowledge_base(approved_only=True))
    pending = state.advice_pending(["chest_pain"])
    assert pending == {"chest_pain"}
    rendered = render_triage(red_flag_ids=["chest_pain"], urgency=None, describes_symptoms=True,
                             audience="patient", advice_pending=pending)  # fmt: skip
    assert rendered is not None
    assert rendered.payload["urgency"] == "emergency"
    assert rendered.text.startswith(messages().text("triage_heading_emergency"))
    assert messages().text("advice_pending_review") in rendered.text
    assert "heart attack" not in rendered.text  # the unapproved advice is not shown
    assert rendered.payload["advice_pending_review"] == ["chest_pain"]


def test_gate_off_keeps_red_flag_advice() -> None:
    state = load_approval_state(load_knowledge_base(approved_only=False))
    assert state.advice_pending(["chest_pain"]) == frozenset()


# ----------------------------------------------------------------------------- honest claims


def test_nothing_calls_the_content_clinically_reviewed() -> None:
    import guideline_engine.knowledge as knowledge

    assert "clinically reviewed" not in (knowledge.__doc__ or "").lower()
    assert "pending clinical review" in (knowledge.__doc__ or "")
    for path in ENGINE.rglob("*.py"):
        assert "clinically reviewed" not in path.read_text(encoding="utf-8").lower(), path
