"""Reading and strictly validating the small YAML data files of the retrieval package.

Nothing is read at import time: callers read a file when they first need it.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from importlib.resources import files
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

import yaml

PACKAGE = "guideline_engine.retrieval"
"""Package whose directory holds the default data files."""


def resource(name: str) -> Traversable:
    """Return the packaged data file ``name`` (not opened yet)."""
    return files(PACKAGE).joinpath(name)


def read_yaml(source: Traversable | Path) -> tuple[str, Any]:
    """Parse a YAML file.

    Args:
        source: Packaged resource or filesystem path.

    Returns:
        A display name for error messages and the parsed document.

    Raises:
        ValueError: If the file is not valid YAML.
    """
    name = str(source)
    try:
        return name, yaml.safe_load(source.read_text(encoding="utf-8"))
    except yaml.YAMLError as exc:
        raise ValueError(f"{name}: not valid YAML: {exc}") from exc


def check_keys(
    data: object,
    *,
    where: str,
    allowed: Sequence[str],
    required: Sequence[str] = (),
) -> Mapping[str, Any]:
    """Check that ``data`` is a mapping with only ``allowed`` and all ``required`` keys.

    Args:
        data: The parsed YAML value.
        where: File and entry to name in error messages.
        allowed: Keys that may appear.
        required: Keys that must appear.

    Returns:
        ``data`` as a mapping.

    Raises:
        ValueError: On a non-mapping, an unknown key or a missing key.
    """
    if not isinstance(data, Mapping):
        raise ValueError(f"{where}: expected a mapping, got {type(data).__name__}")
    unknown = sorted(str(k) for k in data if k not in allowed)
    if unknown:
        raise ValueError(
            f"{where}: unknown key(s) {', '.join(unknown)}; allowed: {', '.join(allowed)}"
        )
    missing = [k for k in required if k not in data]
    if missing:
        raise ValueError(f"{where}: missing key(s) {', '.join(missing)}")
    return data


def string_list(value: object, *, where: str) -> tuple[str, ...]:
    """Return ``value`` as a tuple of non-empty strings.

    Numbers are accepted and converted, since YAML reads ``75`` or ``2024`` as integers.

    Raises:
        ValueError: If ``value`` is not a list of non-empty strings or numbers.
    """
    if not isinstance(value, list):
        raise ValueError(f"{where}: expected a list, got {type(value).__name__}")
    out: list[str] = []
    for i, item in enumerate(value):
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise ValueError(f"{where}[{i}]: expected a string, got {type(item).__name__}")
        text = str(item).strip()
        if not text:
            raise ValueError(f"{where}[{i}]: empty string")
        out.append(text)
    return tuple(out)


def string_pairs(value: object, *, where: str) -> tuple[tuple[str, str], ...]:
    """Return a mapping of strings to strings as a tuple of ``(key, value)`` pairs.

    Raises:
        ValueError: If ``value`` is not a mapping of non-empty strings.
    """
    if not isinstance(value, Mapping):
        raise ValueError(f"{where}: expected a mapping, got {type(value).__name__}")
    out: list[tuple[str, str]] = []
    for key, item in value.items():
        if not isinstance(key, str) or not key.strip():
            raise ValueError(f"{where}: key {key!r} is not a non-empty string")
        if not isinstance(item, str) or not item.strip():
            raise ValueError(f"{where}.{key}: expected a non-empty string, got {item!r}")
        out.append((key, item))
    return tuple(out)
