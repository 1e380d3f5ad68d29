"""Who a message reads as written by, when the writer did not say (issue 10, HAZ-070).

The markers are data (``vocab/audience_style.yml``). The reading is a suggestion only: the
engine's wording follows a stated or chosen audience, never this one (a patient whose message
looks like a clinician's note must not see doses, HAZ-010); the dialogue offers the clinician
view when a message reads like a clinician's.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache

from guideline_engine.extraction.model import Audience
from guideline_engine.extraction.text import normalise
from guideline_engine.extraction.vocab import VocabularyError, _load_yaml

STYLE_FILE = "audience_style.yml"


@dataclass(frozen=True)
class StyleRule:
    """The markers and the rule that weighs them (see the YAML file's header)."""

    clinician: tuple[re.Pattern[str], ...]
    patient: tuple[re.Pattern[str], ...]
    own_patient: tuple[re.Pattern[str], ...]
    min_clinician: int
    ratio: int
    margin: int

    def reads_as(self, text: str) -> Audience:
        """``clinician`` when the clinician markers outweigh the lay ones, else ``patient``."""
        norm = normalise(text)
        own = _count(self.own_patient, norm)
        clinician = _count(self.clinician, norm) + own
        patient = max(0, _count(self.patient, norm) - 2 * own)
        if clinician >= self.min_clinician and patient == 0:
            return "clinician"
        return "clinician" if clinician >= self.ratio * patient + self.margin else "patient"


def _count(patterns: tuple[re.Pattern[str], ...], norm: str) -> int:
    return sum(len(p.findall(norm)) for p in patterns)


def _patterns(doc: dict[str, object], key: str) -> tuple[re.Pattern[str], ...]:
    raw = doc.get(key)
    if not isinstance(raw, list) or not all(isinstance(p, str) and p for p in raw):
        raise VocabularyError(f"{STYLE_FILE}: {key} must be a non-empty list of patterns")
    try:
        return tuple(re.compile(p) for p in raw)
    except re.error as exc:
        raise VocabularyError(f"{STYLE_FILE}: {key}: bad pattern: {exc}") from exc


def parse_style(data: object) -> StyleRule:
    """Validate the parsed ``audience_style.yml``.

    Raises:
        VocabularyError: On a missing or unknown key, a bad pattern or a bad rule.
    """
    if not isinstance(data, dict) or set(data) != {
        "version",
        "rule",
        "clinician",
        "patient",
        "own_patient",
    }:
        raise VocabularyError(f"{STYLE_FILE}: needs exactly version, rule and three pattern lists")
    rule = data["rule"]
    if not isinstance(rule, dict) or set(rule) != {"min_clinician", "ratio", "margin"}:
        raise VocabularyError(f"{STYLE_FILE}: rule needs min_clinician, ratio and margin")
    if not all(isinstance(v, int) and v >= 0 for v in rule.values()) or rule["min_clinician"] < 1:
        raise VocabularyError(f"{STYLE_FILE}: rule values must be whole numbers (min >= 1)")
    return StyleRule(
        clinician=_patterns(data, "clinician"),
        patient=_patterns(data, "patient"),
        own_patient=_patterns(data, "own_patient"),
        min_clinician=rule["min_clinician"],
        ratio=rule["ratio"],
        margin=rule["margin"],
    )


@lru_cache(maxsize=1)
def load_style() -> StyleRule:
    """The validated style rule (read once per process)."""
    return parse_style(_load_yaml(STYLE_FILE))


def audience_by_style(text: str) -> Audience:
    """Who the message reads as written by: ``clinician`` or ``patient`` (a suggestion)."""
    return load_style().reads_as(text)
