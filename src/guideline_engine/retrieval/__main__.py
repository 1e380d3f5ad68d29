"""``python -m guideline_engine.retrieval validate``: build the follow-up retriever and check it.

Exit status 0 when it builds with no data problem, 1 otherwise (``make kb-validate`` runs it).
"""

from __future__ import annotations

import argparse
import sys
from collections.abc import Sequence
from typing import TextIO


def main(
    argv: Sequence[str] | None = None, *, out: TextIO | None = None, err: TextIO | None = None
) -> int:
    """Run the command line; return the exit status."""
    out = out or sys.stdout
    err = err or sys.stderr
    parser = argparse.ArgumentParser(
        prog="python -m guideline_engine.retrieval",
        description="Build the follow-up retriever over the knowledge base and validate it.",
    )
    parser.add_argument("command", choices=("validate",))
    parser.parse_args(argv)

    from guideline_engine.knowledge import KnowledgeError, load_knowledge_base
    from guideline_engine.retrieval.check import check_retrieval

    try:
        check = check_retrieval(load_knowledge_base(approved_only=False))
    except (KnowledgeError, ValueError) as exc:
        print(f"error: the follow-up retriever cannot be built: {exc}", file=err)
        return 1
    from guideline_engine.retrieval import learned

    problems = [*check.problems]
    problems += [
        f"{learned.TRAINING_FILE}: label {label!r} is not a snippet id (rebuild it with "
        "scripts/build_followup_training.py)"
        for label in learned.check(check.retriever.ids)
    ]
    for problem in problems:
        print(f"error: {problem}", file=err)
    if problems:
        print(f"FAILED: {check.summary()}", file=err)
        return 1
    print(f"OK: {check.summary()}", file=out)
    return 0


if __name__ == "__main__":
    sys.exit(main())
