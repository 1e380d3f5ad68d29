"""Product wording around curated content, loaded from ``messages.yml``."""

from __future__ import annotations

from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from typing import Any, Literal

import yaml

from guideline_engine.regimen.model import Frequency

Audience = Literal["clinician", "patient"]
AUDIENCES: tuple[Audience, ...] = ("clinician", "patient")
_TOP_KEYS = {"notes", "gates", "frequency", "text"}


@dataclass(frozen=True)
class Messages:
    """Validated message catalogue."""

    notes: dict[str, dict[str, str]]
    frequencies: dict[str, str]
    texts: dict[str, str]
    gates: dict[str, dict[str, str]] = field(default_factory=dict)

    def note(self, code: str, audience: Audience) -> str | None:
        """Wording of a plan note, or None if the code is not a note."""
        entry = self.notes.get(code)
        return entry[audience] if entry else None

    def gate(self, code: str, audience: Audience) -> str:
        """Wording around a fired eligibility gate; KeyError names the code."""
        try:
            return self.gates[code][audience]
        except KeyError:
            raise KeyError(f"messages.yml: gates: no entry {code!r}") from None

    def frequency(self, frequency: Frequency) -> str:
        """E.g. ``three times a week``."""
        return self.frequencies[frequency.value]

    def text(self, key: str) -> str:
        """A fixed text by key; KeyError names the key."""
        try:
            return self.texts[key]
        except KeyError:
            raise KeyError(f"messages.yml: text: no entry {key!r}") from None


def parse_messages(data: Any, origin: str = "messages.yml") -> Messages:
    """Validate the catalogue: known keys, both audiences per note, every frequency worded."""
    if not isinstance(data, dict) or set(data) - _TOP_KEYS:
        unknown = sorted(set(data) - _TOP_KEYS) if isinstance(data, dict) else data
        raise ValueError(f"{origin}: unknown or malformed top-level keys: {unknown}")
    notes = _per_audience(data, "notes", origin)
    gates = _per_audience(data, "gates", origin)
    frequencies = {str(k): str(v) for k, v in (data.get("frequency") or {}).items()}
    missing = {f.value for f in Frequency} - set(frequencies)
    if missing:
        raise ValueError(f"{origin}: frequency: no wording for {sorted(missing)}")
    texts = {str(k): str(v) for k, v in (data.get("text") or {}).items()}
    return Messages(notes=notes, frequencies=frequencies, texts=texts, gates=gates)


def _per_audience(data: dict[str, Any], key: str, origin: str) -> dict[str, dict[str, str]]:
    """Entries of ``key`` that each need exactly a clinician and a patient wording."""
    out: dict[str, dict[str, str]] = {}
    for code, entry in (data.get(key) or {}).items():
        if not isinstance(entry, dict) or set(entry) != set(AUDIENCES):
            raise ValueError(f"{origin}: {key}: {code}: needs exactly 'clinician' and 'patient'")
        out[code] = {k: str(v) for k, v in entry.items()}
    return out


@cache
def messages() -> Messages:
    """The packaged catalogue (read once, on first use)."""
    raw = resources.files("guideline_engine.render").joinpath("messages.yml").read_text("utf-8")
    return parse_messages(yaml.safe_load(raw))
