"""Review-workflow edits of the YAML content (round-trip, comments and key order kept).

Every function works on a content directory on disk and rewrites only the files it
changes, through ruamel.yaml's round-trip mode.
"""

from __future__ import annotations

import datetime as dt
import io
import itertools
from collections.abc import Iterator, MutableMapping
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from guideline_engine.knowledge.hashing import compute_hash
from guideline_engine.knowledge.loader import FILE_RECORD, scan
from guideline_engine.knowledge.model import REVIEWER_ROLES, ReviewStatus

if TYPE_CHECKING:
    from ruamel.yaml import YAML

CLI = "python -m guideline_engine.knowledge"


class EditError(Exception):
    """A review-workflow command was refused; the message says why."""


def default_source_root() -> Path:
    """Return ``src/guideline_engine/content`` of the editable checkout.

    Raises:
        EditError: If the package is not running from a source checkout.
    """
    content = Path(__file__).resolve().parent.parent / "content"
    if content.parent.parent.name != "src" or not content.is_dir():
        raise EditError(
            f"the package is not running from a source checkout ({content}); pass --root DIR"
        )
    return content


# ----------------------------------------------------------------------------- YAML I/O


def _guess_mapping_indent(text: str) -> int:
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.lstrip().startswith("#")]
    for line, nxt in itertools.pairwise(lines):
        stripped = line.strip()
        if stripped.startswith("- ") or not stripped.endswith(":"):
            continue
        if nxt.lstrip().startswith("-"):
            continue
        diff = (len(nxt) - len(nxt.lstrip())) - (len(line) - len(line.lstrip()))
        if diff > 0:
            return diff
    return 2


def _yaml_for(text: str) -> YAML:
    from ruamel.yaml import YAML
    from ruamel.yaml.representer import RoundTripRepresenter
    from ruamel.yaml.util import load_yaml_guess_indent

    _, seq_indent, dash_offset = load_yaml_guess_indent(text)
    yaml = YAML(typ="rt")
    yaml.preserve_quotes = True  # type: ignore[assignment]
    yaml.width = 4096  # type: ignore[assignment]
    offset = 0 if dash_offset is None else int(dash_offset)
    sequence = max(int(seq_indent) if seq_indent is not None else 2, offset + 2)
    yaml.indent(mapping=_guess_mapping_indent(text), sequence=sequence, offset=offset)
    yaml.explicit_start = text.lstrip().startswith("---")  # type: ignore[assignment]

    def null(representer: RoundTripRepresenter, _: None) -> Any:
        return representer.represent_scalar("tag:yaml.org,2002:null", "null")

    yaml.representer.add_representer(type(None), null)
    return yaml


@dataclass
class _RoundTrip:
    path: Path
    data: Any
    yaml: YAML

    @classmethod
    def load(cls, path: Path) -> _RoundTrip:
        text = path.read_text(encoding="utf-8")
        yaml = _yaml_for(text)
        return cls(path, yaml.load(text), yaml)

    def save(self) -> None:
        buffer = io.StringIO()
        self.yaml.dump(self.data, buffer)
        self.path.write_text(buffer.getvalue(), encoding="utf-8")

    def snippets(self) -> Iterator[MutableMapping[str, Any]]:
        if not isinstance(self.data, MutableMapping):
            return
        items = self.data.get("snippets")
        if not isinstance(items, list):
            return
        for item in items:
            if isinstance(item, MutableMapping):
                yield item

    @property
    def topic(self) -> Any:
        return self.data.get("topic") if isinstance(self.data, MutableMapping) else None


def _yml_files(root: Path) -> list[Path]:
    if not root.is_dir():
        raise EditError(f"content root {root} is not a directory")
    return sorted(
        p
        for p in root.rglob("*.yml")
        if not any(
            part.startswith(".") or part == "__pycache__" for part in p.relative_to(root).parts
        )
    )


def _hash_of(item: MutableMapping[str, Any], topic: Any) -> str | None:
    """Hash of a raw snippet mapping, or None if a hashed field is missing or malformed."""
    source = item.get("source")
    if not isinstance(topic, str) or not isinstance(source, MutableMapping):
        return None
    fields = ("id", "section", "clinician", "patient")
    if not all(isinstance(item.get(k), str) for k in fields):
        return None
    cites = source.get("cites", [])
    parts = source.get("parts", [])
    if not isinstance(source.get("document"), str) or not isinstance(cites, list):
        return None
    if not all(isinstance(c, int) and not isinstance(c, bool) for c in cites):
        return None
    if not isinstance(parts, list) or not all(isinstance(p, str) for p in parts):
        return None
    return compute_hash(
        {
            **{k: str(item[k]) for k in fields},
            "topic": str(topic),
            "source": {
                "document": str(source["document"]),
                "cites": [int(c) for c in cites],
                "parts": [str(p) for p in parts],
            },
        }
    )


@dataclass
class _Located:
    doc: _RoundTrip
    item: MutableMapping[str, Any]
    review: MutableMapping[str, Any]

    @property
    def status(self) -> Any:
        return self.review.get("status")


def _locate(root: Path, snippet_id: str) -> _Located:
    matches: list[tuple[_RoundTrip, MutableMapping[str, Any]]] = []
    for path in _yml_files(root):
        doc = _RoundTrip.load(path)
        matches.extend((doc, item) for item in doc.snippets() if item.get("id") == snippet_id)
    if not matches:
        raise EditError(f"no snippet with id {snippet_id!r} under {root}")
    if len(matches) > 1:
        files = ", ".join(str(doc.path.relative_to(root)) for doc, _ in matches)
        raise EditError(f"snippet id {snippet_id!r} is defined more than once ({files})")
    doc, item = matches[0]
    review = item.get("review")
    if not isinstance(review, MutableMapping):
        raise EditError(f"snippet {snippet_id!r} has no 'review' mapping; run validate")
    return _Located(doc, item, review)


def _refresh_hash(found: _Located) -> str:
    computed = _hash_of(found.item, found.doc.topic)
    if computed is None:
        raise EditError(
            f"snippet {found.item.get('id')!r} is incomplete (cannot compute its hash); "
            "run validate"
        )
    found.item["content_hash"] = computed
    return computed


def _today() -> dt.date:
    return dt.date.today()


def _check_reviewer(reviewer: str) -> str:
    name = reviewer.strip()
    if not name:
        raise EditError("--reviewer must not be empty")
    return name


def _check_role(role: str) -> str:
    # A role is recorded, not verified: real sign-off needs authentication (see README).
    if role not in REVIEWER_ROLES:
        raise EditError(f"--role must be one of {', '.join(REVIEWER_ROLES)}, got {role!r}")
    return role


# ----------------------------------------------------------------------------- commands


def review(root: Path, snippet_id: str, reviewer: str) -> str:
    """Move a snippet from ``submitted`` to ``under_review`` with ``reviewer``.

    Returns:
        A one-line confirmation.

    Raises:
        EditError: If the snippet is missing or not ``submitted``.
    """
    name = _check_reviewer(reviewer)
    found = _locate(root, snippet_id)
    if found.status != ReviewStatus.SUBMITTED.value:
        raise EditError(
            f"snippet {snippet_id!r} is {found.status!r}; only 'submitted' snippets can be "
            "put under review"
        )
    found.review["status"] = ReviewStatus.UNDER_REVIEW.value
    found.review["reviewer"] = name
    found.review["reviewed_on"] = None
    _refresh_hash(found)
    found.doc.save()
    return f"{snippet_id}: submitted -> under_review (reviewer {name})"


def approve(
    root: Path, snippet_id: str, reviewer: str, role: str, on: dt.date | None = None
) -> str:
    """Approve a snippet that is ``under_review`` and pin its current content hash.

    Args:
        root: Content directory.
        snippet_id: Snippet to approve.
        reviewer: Name of the approving clinician.
        role: The reviewer's role (one of ``REVIEWER_ROLES``), recorded with the approval.
        on: Approval date; defaults to today.

    Returns:
        A one-line confirmation.

    Raises:
        EditError: If the snippet is not under review, the date is before its curation
            date, or the snippet has validation problems other than a stale hash.
    """
    name = _check_reviewer(reviewer)
    role = _check_role(role)
    day = on or _today()
    found = _locate(root, snippet_id)
    if found.status != ReviewStatus.UNDER_REVIEW.value:
        hint = (
            f"; run '{CLI} review {snippet_id} --reviewer NAME' first"
            if (found.status == ReviewStatus.SUBMITTED.value)
            else ""
        )
        raise EditError(
            f"snippet {snippet_id!r} is {found.status!r}; only snippets under review can be "
            f"approved{hint}"
        )
    curated_on = found.review.get("curated_on")
    if isinstance(curated_on, dt.date) and day < curated_on:
        raise EditError(
            f"approval date {day.isoformat()} is before curated_on {curated_on.isoformat()}"
        )
    rel = str(found.doc.path.relative_to(root).as_posix())
    blocking = [
        p
        for p in scan(root).problems
        if p.file == rel
        and p.record_id == snippet_id
        and p.field not in {"content_hash", "review.role"}
    ]
    if blocking:
        lines = "\n".join(f"  {p}" for p in blocking)
        raise EditError(f"snippet {snippet_id!r} has problems; fix them before approving:\n{lines}")
    found.review["status"] = ReviewStatus.APPROVED.value
    found.review["reviewer"] = name
    found.review["reviewed_on"] = day
    found.review["role"] = role
    computed = _refresh_hash(found)
    found.doc.save()
    return (
        f"{snippet_id}: approved by {name} ({role}) on {day.isoformat()} (content_hash {computed})"
    )


def reopen(root: Path, snippet_id: str, reviewer: str) -> str:
    """Move an ``approved`` snippet back to ``under_review`` and refresh its hash.

    Returns:
        A one-line confirmation.

    Raises:
        EditError: If the snippet is missing or not approved.
    """
    name = _check_reviewer(reviewer)
    found = _locate(root, snippet_id)
    if found.status != ReviewStatus.APPROVED.value:
        raise EditError(
            f"snippet {snippet_id!r} is {found.status!r}; only approved snippets can be reopened"
        )
    found.review["status"] = ReviewStatus.UNDER_REVIEW.value
    found.review["reviewer"] = name
    found.review["reviewed_on"] = None
    if "role" in found.review:
        found.review["role"] = None
    _refresh_hash(found)
    found.doc.save()
    return f"{snippet_id}: approved -> under_review (reviewer {name})"


@dataclass(frozen=True)
class RehashReport:
    """Outcome of :func:`rehash`."""

    updated: tuple[str, ...]
    refused: tuple[str, ...]
    skipped: tuple[str, ...]


def rehash(root: Path) -> RehashReport:
    """Update ``content_hash`` of every non-approved snippet whose content changed.

    Approved snippets with a stale hash are left untouched and reported as refused: they
    must go through ``reopen`` and ``approve``. Snippets too incomplete to hash are skipped.
    """
    updated: list[str] = []
    refused: list[str] = []
    skipped: list[str] = []
    for path in _yml_files(root):
        doc = _RoundTrip.load(path)
        rel = path.relative_to(root).as_posix()
        dirty = False
        for item in doc.snippets():
            label = f"{rel}: {item.get('id', FILE_RECORD)}"
            computed = _hash_of(item, doc.topic)
            if computed is None:
                skipped.append(label)
                continue
            if item.get("content_hash") == computed:
                continue
            review = item.get("review")
            status = review.get("status") if isinstance(review, MutableMapping) else None
            if status == ReviewStatus.APPROVED.value:
                refused.append(label)
                continue
            item["content_hash"] = computed
            updated.append(label)
            dirty = True
        if dirty:
            doc.save()
    return RehashReport(tuple(updated), tuple(refused), tuple(skipped))
