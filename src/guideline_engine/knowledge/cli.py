"""Command line for validating the clinical content and running its review workflow.

Run ``python -m guideline_engine.knowledge --help``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from guideline_engine.extraction.vocab import VocabularyError
from guideline_engine.knowledge import editing, register
from guideline_engine.knowledge.approval import (
    ApprovalError,
    ApprovalState,
    ApprovalStatus,
    ArtefactKind,
    ArtefactSources,
    approval_state,
    load_approval_state,
)
from guideline_engine.knowledge.base import KnowledgeBase
from guideline_engine.knowledge.loader import scan
from guideline_engine.knowledge.model import REVIEWER_ROLES, KnowledgeError, ReviewStatus

PROG = "python -m guideline_engine.knowledge"


def _date(value: str) -> dt.date:
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected YYYY-MM-DD, got {value!r}") from None


def build_parser() -> argparse.ArgumentParser:
    """Build the argument parser."""
    parser = argparse.ArgumentParser(
        prog=PROG, description="Validate the curated knowledge base and manage clinical review."
    )
    sub = parser.add_subparsers(dest="command", required=True)

    def with_root(p: argparse.ArgumentParser, writes: bool) -> argparse.ArgumentParser:
        default = (
            "src/guideline_engine/content of the source checkout"
            if writes
            else "the packaged content"
        )
        p.add_argument("--root", type=Path, default=None, help=f"content directory ({default})")
        return p

    with_root(sub.add_parser("validate", help="validate all content and print a summary"), False)
    with_root(sub.add_parser("version", help="print the knowledge-base version"), False)
    p_list = with_root(sub.add_parser("list", help="list snippets"), False)
    p_list.add_argument(
        "--status", choices=[s.value for s in ReviewStatus], help="only this review status"
    )
    with_root(sub.add_parser("sources", help="list documents, references and citations"), False)
    with_root(
        sub.add_parser("rehash", help="refresh content hashes of non-approved snippets"), True
    )
    for name, text in (
        ("review", "submitted -> under_review"),
        ("approve", "under_review -> approved"),
        ("reopen", "approved -> under_review"),
    ):
        p = with_root(sub.add_parser(name, help=text), True)
        p.add_argument("id", help="snippet id")
        _reviewer_args(p, approving=name == "approve")
    p_art = with_root(
        sub.add_parser("artefacts", help="list every clinical artefact, its hash and status"), False
    )
    p_art.add_argument("--status", choices=SHOWN_STATUSES, help="only this status")
    p_art.add_argument("--kind", choices=[k.value for k in ArtefactKind], help="only this kind")
    for name, text in (
        ("approve-artefact", "approve any clinical artefact and pin its content hash"),
        ("reopen-artefact", "approved (or stale) -> under_review"),
    ):
        p = with_root(sub.add_parser(name, help=text), True)
        p.add_argument("kind", choices=[k.value for k in ArtefactKind], help="artefact kind")
        p.add_argument("id", help="artefact id (see the 'artefacts' command)")
        _reviewer_args(p, approving=name == "approve-artefact")
    return parser


SHOWN_STATUSES = [*(s.value for s in ApprovalStatus), "approved-stale", "approved-invalid"]


def _reviewer_args(p: argparse.ArgumentParser, *, approving: bool) -> None:
    p.add_argument("--reviewer", required=True, help="name of the clinical reviewer")
    if approving:
        p.add_argument(
            "--role",
            required=True,
            choices=REVIEWER_ROLES,
            help="the reviewer's role, recorded with the approval (not authenticated)",
        )
        p.add_argument("--date", type=_date, default=None, help="YYYY-MM-DD (default today)")


def _full_tree(root: Path | None) -> Path | None:
    """The content root of a full source tree (with vocab/ beside it), or None."""
    target = root if root is not None else _source_root()
    if target is None or not (target.parent / "vocab" / "red_flags.yml").is_file():
        return None
    return target


def _source_root() -> Path | None:
    try:
        return editing.default_source_root()
    except editing.EditError:
        return None


def _approval_state(root: Path | None, kb: KnowledgeBase) -> ApprovalState | None:
    """Approval state of a full tree; packaged sources when no root is given."""
    if root is None:
        return load_approval_state(kb)
    tree = _full_tree(root)
    if tree is None:
        return None
    return approval_state(kb, ArtefactSources.from_tree(tree.parent, tree), enforced=False)


def _print_approvals(state: ApprovalState, out: TextIO, err: TextIO) -> int:
    for warning in state.warnings:
        print(f"warning: {warning}", file=err)
    for problem in state.problems:
        print(problem, file=err)
    if state.problems:
        print(f"FAILED: {len(state.problems)} approval problem(s)", file=err)
        return 1
    print(state.summary(), file=out)
    return 0


def _list_artefacts(args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    kb = _load(args.root, err)
    if kb is None:
        return 1
    state = _approval_state(args.root, kb)
    if state is None:
        print(f"error: {args.root} is not a content folder beside vocab/", file=err)
        return 1
    for a in state.artefacts:
        if args.kind not in (None, a.ref.kind.value) or args.status not in (None, a.shown_status):
            continue
        who = f"{a.reviewer} ({a.role})" if a.role else (a.reviewer or "-")
        print(f"{a.ref.kind.value}\t{a.ref.id}\t{a.shown_status}\t{a.sha256[:16]}\t{who}", file=out)
    for problem in state.problems:
        print(problem, file=err)
    return 1 if state.problems else 0


def _artefact_command(args: argparse.Namespace, target: Path) -> str:
    kind = ArtefactKind(args.kind)
    if args.command == "approve-artefact":
        return register.approve_artefact(target, kind, args.id, args.reviewer, args.role, args.date)
    return register.reopen_artefact(target, kind, args.id, args.reviewer)


def _load(root: Path | None, err: TextIO) -> KnowledgeBase | None:
    result = scan(root)
    if result.problems:
        for problem in result.problems:
            print(problem, file=err)
        count = len(result.problems)
        print(f"FAILED: {count} problem{'s' if count != 1 else ''}", file=err)
        return None
    return KnowledgeBase.from_scan(result, approved_only=False)


def main(
    argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the command line; return the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    args = build_parser().parse_args(argv)
    root: Path | None = args.root
    command: str = args.command
    try:
        if command in {"validate", "version", "sources"}:
            kb = _load(root, err)
            if kb is None:
                return 1
            if command == "validate":
                print(
                    f"OK: {len(kb.all_snippets)} snippets, {len(kb.documents)} documents, "
                    f"version {kb.version}",
                    file=out,
                )
                state = _approval_state(root, kb)
                return 0 if state is None else _print_approvals(state, out, err)
            elif command == "version":
                print(kb.version, file=out)
            else:
                for row in kb.sources_listing():
                    print("\n".join(row.lines()), file=out)
            return 0
        if command == "artefacts":
            return _list_artefacts(args, out, err)
        if command == "list":
            result = scan(root)
            for s in result.snippets:
                if args.status is None or s.review.status.value == args.status:
                    print(f"{s.id}\t{s.review.status.value}\t{s.topic}\t{s.section}", file=out)
            if result.problems:
                print(
                    f"warning: {len(result.problems)} problem(s); invalid snippets are not "
                    f"listed; run '{PROG} validate'",
                    file=err,
                )
            return 0
        target = root if root is not None else editing.default_source_root()
        if command == "rehash":
            report = editing.rehash(target)
            for label in report.updated:
                print(f"rehashed {label}", file=out)
            for label in report.skipped:
                print(f"skipped {label}: incomplete snippet, run '{PROG} validate'", file=err)
            for label in report.refused:
                print(
                    f"refused {label}: approved snippet changed after approval; it must be "
                    f"re-approved ('{PROG} reopen ID --reviewer NAME', then 'approve')",
                    file=err,
                )
            print(f"{len(report.updated)} snippet hash(es) updated", file=out)
            refused = bool(report.refused)
            if _full_tree(target) is not None:
                rows = register.rehash_register(target)
                for label in rows.updated:
                    print(f"register: {label}", file=out)
                for label in rows.refused:
                    print(
                        f"refused {label}: approved artefact changed after approval; "
                        f"'{PROG} reopen-artefact KIND ID --reviewer NAME', then approve again",
                        file=err,
                    )
                print(f"{len(rows.updated)} register row(s) updated", file=out)
                refused = refused or bool(rows.refused)
            return 1 if refused else 0
        if command == "review":
            message = editing.review(target, args.id, args.reviewer)
        elif command == "approve":
            message = editing.approve(target, args.id, args.reviewer, args.role, args.date)
        elif command in {"approve-artefact", "reopen-artefact"}:
            message = _artefact_command(args, target)
        else:
            message = editing.reopen(target, args.id, args.reviewer)
        print(message, file=out)
        return 0
    except (editing.EditError, KnowledgeError, ApprovalError, VocabularyError) as exc:
        print(f"error: {exc}", file=err)
        return 1
