"""Refuse, with what to install instead, a Python that cannot run this project (``make install``).

Rasa 3.6 with TensorFlow 2.12 has wheels for CPython 3.10 and 3.11 only: on 3.12 (Ubuntu 24.04's
default) pip would fail deep inside the install, so the version is checked first.
"""

from __future__ import annotations

import sys

SUPPORTED = ((3, 10), (3, 11))


def problem(version: tuple[int, int], executable: str) -> str | None:
    """None if ``version`` can run the project, else what to do about it."""
    if version in SUPPORTED:
        return None
    found = f"{version[0]}.{version[1]}"
    why = (
        f"TensorFlow 2.12 (needed by Rasa 3.6) has no wheel for Python {found}"
        if version > SUPPORTED[-1]
        else f"Rasa 3.6 needs Python 3.10 or newer, not {found}"
    )
    return (
        f"{executable} is Python {found}; this project needs Python 3.10 or 3.11.\n"
        f"  Why: {why}.\n"
        "  Fix: install python3.11 (Debian/Ubuntu: `apt install python3.11 python3.11-venv`, on "
        "Ubuntu 24.04 from the deadsnakes PPA; or `pyenv install 3.11`), remove a .venv made "
        "with another version (`rm -rf .venv`), then run:\n"
        "    make PYTHON=python3.11 install"
    )


def main() -> int:
    """Exit 0 on a supported Python, else print the fix and exit 1."""
    message = problem((sys.version_info[0], sys.version_info[1]), sys.executable)
    if message:
        print(message, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
