"""The urgency triage gives a message, as the per-session triage tests read it."""

from __future__ import annotations

from guideline_engine.triage import assess


def urgency_of(text: str) -> str | None:
    """``"emergency"``, ``"urgent"``, ``"routine"`` or None when no red flag is found."""
    result = assess(text)
    return None if result.urgency is None else result.urgency.value
