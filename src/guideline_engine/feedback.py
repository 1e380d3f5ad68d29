"""Feedback on answers ("this is wrong"), kept for content reviewers."""

from __future__ import annotations

import json
from dataclasses import asdict, dataclass, field
from datetime import datetime, timezone
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class FeedbackRecord:
    """One report: which conversation, which answer, which knowledge-base version."""

    conversation_id: str
    answer: str
    answer_payload: dict[str, Any] | None
    comment: str
    kb_version: str
    recorded_at: str = field(default_factory=lambda: datetime.now(timezone.utc).isoformat())


def append_feedback(path: Path, record: FeedbackRecord) -> None:
    """Append the record as one JSON line (the file and folder are created if missing)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("a", encoding="utf-8") as handle:
        handle.write(json.dumps(asdict(record), ensure_ascii=False) + "\n")


def read_feedback(path: Path) -> list[FeedbackRecord]:
    """All records in the file, oldest first."""
    if not path.exists():
        return []
    lines = path.read_text(encoding="utf-8").splitlines()
    return [FeedbackRecord(**json.loads(line)) for line in lines if line.strip()]
