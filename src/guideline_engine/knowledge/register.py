"""Review-workflow edits of the approval register (and the review blocks it pins).

Approving an artefact records who approved it, in which role, on which day, and the SHA-256
of the content they saw. Roles are recorded, not verified: see the README for what real
sign-off needs (authenticated, signed commits reviewed by CODEOWNERS).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from guideline_engine.knowledge import editing
from guideline_engine.knowledge.approval import (
    REGISTER_DIR,
    ApprovalError,
    ApprovalState,
    ApprovalStatus,
    Artefact,
    ArtefactKind,
    ArtefactRef,
    ArtefactSources,
    RegisterEntry,
    approval_state,
)
from guideline_engine.knowledge.base import load_knowledge_base
from guideline_engine.knowledge.loader import REGISTER_FILE_NAME
from guideline_engine.knowledge.model import KnowledgeError

CLI = editing.CLI

REGISTER_HEADER = """\
# Approval register: clinical artefacts that have no content hash of their own: red flags
# (vocab/red_flags.yml), eligibility gates, regimen rule modules (regimen/*.py), the table engine
# (topics.*: the code that turns a rules.yml into decisions and wording), and the clinical
# notes and frequency labels of render/messages.yml. Each row pins the SHA-256 of the content the
# reviewer saw; an approval whose content has changed since is stale and never counts.
# Edit only with `python -m guideline_engine.knowledge approve-artefact | reopen-artefact | rehash`.
# Snippets keep their review in their own block (content/<topic>/snippets.yml).
version: 1
approvals: []
"""


@dataclass(frozen=True)
class Workspace:
    """A content directory and the other artefact sources of the same source tree."""

    root: Path
    engine_dir: Path

    @classmethod
    def for_root(cls, root: Path) -> Workspace:
        """``root`` is ``<engine>/content``; the red flags, messages and rules sit beside it."""
        return cls(root=root, engine_dir=root.parent)

    @property
    def register_path(self) -> Path:
        """The register file."""
        return (
            self.root / REGISTER_DIR / REGISTER_FILE_NAME
            if REGISTER_DIR
            else self.root / REGISTER_FILE_NAME
        )

    def state(self) -> ApprovalState:
        """The approval state of this tree (gate off: it is only being read).

        Raises:
            editing.EditError: If the content or the register is invalid.
        """
        try:
            kb = load_knowledge_base(self.root, approved_only=False)
            sources = ArtefactSources.from_tree(self.engine_dir, self.root)
            return approval_state(kb, sources, enforced=False)
        except (KnowledgeError, ApprovalError) as exc:
            raise editing.EditError(f"fix the content first ('{CLI} validate'):\n{exc}") from exc


def _load_register(path: Path) -> Any:
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(REGISTER_HEADER, encoding="utf-8")
    from ruamel.yaml.comments import CommentedSeq

    doc = editing._RoundTrip.load(path)
    if not isinstance(doc.data.get("approvals"), CommentedSeq):
        doc.data["approvals"] = CommentedSeq(doc.data.get("approvals") or [])
    return doc


def _row(doc: Any, ref: ArtefactRef) -> MutableMapping[str, Any] | None:
    for item in doc.data["approvals"]:
        if item.get("kind") == ref.kind.value and item.get("id") == ref.id:
            return item  # type: ignore[no-any-return]
    return None


def _write_row(doc: Any, entry: RegisterEntry) -> None:
    from ruamel.yaml.comments import CommentedMap

    entry.check(f"{entry.ref}")
    row = _row(doc, entry.ref)
    if row is None:
        row = CommentedMap()
        doc.data["approvals"].append(row)
    for key, value in entry.to_dict().items():
        row[key] = value
    doc.data["approvals"].fa.set_block_style()


def _write_own_review(ws: Workspace, artefact: Artefact, values: dict[str, Any]) -> None:
    """Update the review block of a red flag or gate in its own file."""
    if artefact.ref.kind is ArtefactKind.RED_FLAG:
        path, list_key = ws.engine_dir / "vocab" / "red_flags.yml", "red_flags"
        values = {k: v for k, v in values.items() if k != "role"}  # no role key in that schema
        if values.get("status") == ApprovalStatus.UNDER_REVIEW.value:
            values = {"status": "submitted", "reviewer": None, "reviewed_on": None}
    else:
        path, list_key = ws.root / artefact.file, "gates"
    doc = editing._RoundTrip.load(path)
    items = doc.data.get(list_key) if isinstance(doc.data, MutableMapping) else None
    for item in items or []:
        if isinstance(item, MutableMapping) and item.get("id") == artefact.ref.id:
            review = item.get("review")
            if not isinstance(review, MutableMapping):
                raise editing.EditError(f"{artefact.ref} has no review block in {path}")
            review.update(values)
            doc.save()
            return
    raise editing.EditError(f"{artefact.ref} not found under '{list_key}' in {path}")


def _find(state: ApprovalState, kind: ArtefactKind, ident: str) -> Artefact:
    found = state.get(ArtefactRef(kind, ident))
    if found is None:
        known = ", ".join(a.ref.id for a in state.of_kind(kind)) or "none"
        raise editing.EditError(f"no {kind.value} {ident!r}; known: {known}")
    return found


def approve_artefact(
    root: Path, kind: ArtefactKind, ident: str, reviewer: str, role: str,
    on: dt.date | None = None,
) -> str:  # fmt: skip
    """Approve one artefact and pin the SHA-256 of its current content.

    Snippets go through :func:`editing.approve` (they must be under review first).

    Raises:
        editing.EditError: If the artefact is unknown, already approved, stale (reopen it
            first) or rejected, or the reviewer or role is missing.
    """
    name = editing._check_reviewer(reviewer)
    role = editing._check_role(role)
    if kind is ArtefactKind.SNIPPET:
        return editing.approve(root, ident, name, role, on)
    day = on or editing._today()
    ws = Workspace.for_root(root)
    artefact = _find(ws.state(), kind, ident)
    if artefact.approved:
        raise editing.EditError(f"{artefact.ref} is already approved")
    if artefact.status is ApprovalStatus.APPROVED:
        raise editing.EditError(
            f"{artefact.ref}: {artefact.problem}; reopen it before approving the new content"
        )
    if artefact.status is ApprovalStatus.REJECTED:
        raise editing.EditError(f"{artefact.ref} was rejected; reopen it first")
    entry = RegisterEntry(kind, ident, artefact.sha256, ApprovalStatus.APPROVED, name, role, day)
    doc = _load_register(ws.register_path)
    _write_row(doc, entry)
    if kind in {ArtefactKind.RED_FLAG, ArtefactKind.GATE}:
        _write_own_review(
            ws, artefact, {"status": "approved", "reviewer": name, "reviewed_on": day, "role": role}
        )
    doc.save()
    when = day.isoformat()
    return f"{artefact.ref}: approved by {name} ({role}) on {when} (sha256 {entry.sha256[:12]})"


def reopen_artefact(root: Path, kind: ArtefactKind, ident: str, reviewer: str) -> str:
    """Move an approved (or stale) artefact back under review, pinning its current content.

    Raises:
        editing.EditError: If the artefact is unknown or not approved.
    """
    name = editing._check_reviewer(reviewer)
    if kind is ArtefactKind.SNIPPET:
        return editing.reopen(root, ident, name)
    ws = Workspace.for_root(root)
    artefact = _find(ws.state(), kind, ident)
    if artefact.status is not ApprovalStatus.APPROVED:
        raise editing.EditError(f"{artefact.ref} is {artefact.status.value}, not approved")
    entry = RegisterEntry(kind, ident, artefact.sha256, ApprovalStatus.UNDER_REVIEW, name)
    doc = _load_register(ws.register_path)
    _write_row(doc, entry)
    if kind in {ArtefactKind.RED_FLAG, ArtefactKind.GATE}:
        _write_own_review(
            ws, artefact,
            {"status": "under_review", "reviewer": name, "reviewed_on": None, "role": None},
        )  # fmt: skip
    doc.save()
    return f"{artefact.ref}: approved -> under_review (reviewer {name})"


def rehash_register(root: Path) -> editing.RehashReport:
    """Add missing rows, refresh hashes of rows that are not approved, drop orphan rows.

    Approved rows whose content changed, and orphan approved rows, are left untouched and
    reported as refused: they need ``reopen-artefact`` and a new approval.
    """
    ws = Workspace.for_root(root)
    state = ws.state()
    doc = _load_register(ws.register_path)
    updated: list[str] = []
    refused: list[str] = []
    for artefact in state.artefacts:
        if artefact.ref.kind is ArtefactKind.SNIPPET:
            continue
        row = _row(doc, artefact.ref)
        if row is not None and row.get("sha256") == artefact.sha256:
            continue
        if row is not None and row.get("status") == ApprovalStatus.APPROVED.value:
            refused.append(str(artefact.ref))
            continue
        status = ApprovalStatus.SUBMITTED
        if row is not None:
            status = ApprovalStatus(row["status"])
        elif artefact.status is ApprovalStatus.REJECTED:
            status = ApprovalStatus.REJECTED
        keep = row is not None
        entry = RegisterEntry(
            artefact.ref.kind,
            artefact.ref.id,
            artefact.sha256,
            status,
            row.get("reviewer") if keep and row is not None else None,
            row.get("role") if keep and row is not None else None,
            None,
        )
        _write_row(doc, entry)
        updated.append(str(artefact.ref))
    known = {a.ref for a in state.artefacts}
    for item in list(doc.data["approvals"]):
        ref = ArtefactRef(ArtefactKind(item["kind"]), str(item["id"]))
        if ref in known:
            continue
        if item.get("status") == ApprovalStatus.APPROVED.value:
            refused.append(f"{ref} (no such artefact)")
        else:
            doc.data["approvals"].remove(item)
            updated.append(f"{ref} (removed: no such artefact)")
    if updated:
        doc.save()
    return editing.RehashReport(tuple(updated), tuple(refused), ())
