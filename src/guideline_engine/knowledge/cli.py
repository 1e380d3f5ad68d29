"""Command line for validating the knowledge base and running the clinical review workflow.

Run ``python -m guideline_engine.knowledge --help``.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from guideline_engine.knowledge import editing
from guideline_engine.knowledge.base import KnowledgeBase
from guideline_engine.knowledge.loader import scan
from guideline_engine.knowledge.model import KnowledgeError, ReviewStatus

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
        p.add_argument("--reviewer", required=True, help="name of the clinical reviewer")
        if name == "approve":
            p.add_argument("--date", type=_date, default=None, help="YYYY-MM-DD (default today)")
    return parser


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
            elif command == "version":
                print(kb.version, file=out)
            else:
                for row in kb.sources_listing():
                    print("\n".join(row.lines()), file=out)
            return 0
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
            return 1 if report.refused else 0
        if command == "review":
            message = editing.review(target, args.id, args.reviewer)
        elif command == "approve":
            message = editing.approve(target, args.id, args.reviewer, args.date)
        else:
            message = editing.reopen(target, args.id, args.reviewer)
        print(message, file=out)
        return 0
    except (editing.EditError, KnowledgeError) as exc:
        print(f"error: {exc}", file=err)
        return 1
