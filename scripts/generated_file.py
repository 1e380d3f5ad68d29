"""Write a generated data file, or check that the committed copy is up to date.

Shared by ``build_triage_training.py`` and ``build_followup_training.py``.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import yaml


def dump(header: str, body: dict[str, Any]) -> str:
    """The file's text: the comment header, then the body as YAML."""
    return header + yaml.safe_dump(body, sort_keys=False, allow_unicode=True, width=100)


def write_or_check(out: Path, text: str, description: str, script: str) -> int:
    """Command line of a generator: write ``out``, or with --check fail when it is stale.

    Args:
        out: The generated file.
        text: What it should hold.
        description: The generator's one-line description (for --help).
        script: The generator's path, named in the stale message.

    Returns:
        The exit status.
    """
    parser = argparse.ArgumentParser(description=description)
    parser.add_argument("--check", action="store_true", help="fail if the file is stale")
    args = parser.parse_args()
    if args.check:
        if out.read_text(encoding="utf-8") != text:
            print(f"{out} is stale: run {script}", file=sys.stderr)
            return 1
        return 0
    out.write_text(text, encoding="utf-8")
    print(f"wrote {out}")
    return 0
