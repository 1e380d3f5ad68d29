"""Content hashing and canonical JSON for snippets and the knowledge-base version."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import re
from collections.abc import Mapping
from enum import Enum
from typing import Any

HASH_FIELDS: tuple[str, ...] = ("id", "topic", "section", "clinician", "patient", "source")
"""Snippet fields covered by the content hash (keywords and review are not)."""

TEXT_FIELDS: tuple[str, ...] = ("clinician", "patient")
"""Fields whose whitespace is normalised before hashing."""

HASH_PATTERN = re.compile(r"^[0-9a-f]{16}$")

_WHITESPACE = re.compile(r"\s+")


def normalise_text(text: str) -> str:
    """Collapse every run of whitespace to one space and strip the ends."""
    return _WHITESPACE.sub(" ", text).strip()


def _jsonable(value: Any) -> Any:
    if isinstance(value, Enum):
        return value.value
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _jsonable(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    return value


def canonical_json(value: Any) -> str:
    """Serialise ``value`` deterministically (sorted keys, compact, UTF-8 text)."""
    return json.dumps(_jsonable(value), sort_keys=True, ensure_ascii=False, separators=(",", ":"))


def hash_payload(record: Mapping[str, Any]) -> dict[str, Any]:
    """Return the exact mapping that :func:`compute_hash` hashes.

    Raises:
        KeyError: If a hashed field is missing from ``record``.
    """
    source = record["source"]
    hashed_source: dict[str, Any] = {
        "document": source["document"],
        "cites": list(source.get("cites") or []),
    }
    # Parts of a primary guideline are hashed only when present, so snippets that cite
    # in-text numbers keep the hash they had before parts existed.
    if source.get("parts"):
        hashed_source["parts"] = list(source["parts"])
    return {
        "id": record["id"],
        "topic": record["topic"],
        "section": record["section"],
        "clinician": normalise_text(record["clinician"]),
        "patient": normalise_text(record["patient"]),
        "source": hashed_source,
    }


def compute_hash(record: Mapping[str, Any]) -> str:
    """Compute the 16-hex content hash of a snippet.

    Args:
        record: Mapping with ``id``, ``topic``, ``section``, ``clinician``, ``patient`` and
            ``source`` (``document`` and ``cites``). Other keys are ignored.

    Returns:
        The first 16 hex digits of the SHA-256 of the canonical JSON of those fields.

    Raises:
        KeyError: If a hashed field is missing.
    """
    digest = hashlib.sha256(canonical_json(hash_payload(record)).encode("utf-8"))
    return digest.hexdigest()[:16]
