"""When the retriever may answer: thresholds, generic terms and known gaps of the source.

The policy is data (``policy.yml`` next to this module) so that what counts as "covered
by the guideline" can be reviewed without reading code. Thresholds are tuned on the dev sets
(``tests/eval/followups.yml`` and the blind ``followups_dev.yml``, both reported by
``scripts/eval_retrieval.py``); the blind test split is only reported.
"""

from __future__ import annotations

import functools
import math
import re
from dataclasses import dataclass
from importlib.resources.abc import Traversable
from pathlib import Path
from typing import Any

from guideline_engine.retrieval._data import check_keys, read_yaml, resource, string_list

POLICY_FILE = "policy.yml"
"""Name of the packaged default policy file."""

SCHEMA_VERSION = 1
"""The only ``version`` the loader understands."""

TOPIC_PATTERN = re.compile(r"^[a-z][a-z0-9_]*$")
"""Shape of a not-covered topic name."""

_TOP_KEYS = (
    "version",
    "min_score",
    "min_coverage",
    "unknown_term_weight",
    "generic_terms",
    "generic_fallback",
    "not_covered",
)
_TOPIC_KEYS = ("topic", "terms", "note")


@dataclass(frozen=True)
class NotCoveredTopic:
    """A subject near the guideline's topic that the source article does not address.

    Attributes:
        topic: Short machine name, reported in :class:`NoAnswer.topic`.
        terms: Words and phrases that signal the subject.
        note: Why the subject is out of scope.
    """

    topic: str
    terms: tuple[str, ...]
    note: str | None = None


@dataclass(frozen=True)
class AnswerPolicy:
    """Rules deciding whether the best retrieved snippet is good enough to answer.

    Attributes:
        min_score: Minimum BM25 score of the best hit.
        min_coverage: Minimum share (0 to 1) of the question's content-term weight that
            the hit must match; words unknown to the index weigh as much as the rarest
            indexed term (times ``unknown_term_weight``), so "do the injections hurt?" is
            not answered by "injections".
        unknown_term_weight: Weight of a question word the index does not know, as a
            fraction of the weight of a term found in a single snippet.
        generic_terms: Words that name the topic itself ("b12", "deficiency",
            "treatment"); at least one matched term must be outside this list.
        generic_fallback: Snippet id answering a question made only of generic terms
            ("how is B12 deficiency treated?"); ``None`` answers such questions with
            ``NoAnswer``.
        not_covered: Subjects the source does not address; a question that mentions
            one is not answered even if other words match.
    """

    min_score: float
    min_coverage: float = 0.0
    unknown_term_weight: float = 1.0
    generic_terms: tuple[str, ...] = ()
    generic_fallback: str | None = None
    not_covered: tuple[NotCoveredTopic, ...] = ()

    def replace(
        self,
        *,
        min_score: float | None = None,
        min_coverage: float | None = None,
        unknown_term_weight: float | None = None,
        not_covered: tuple[NotCoveredTopic, ...] | None = None,
    ) -> AnswerPolicy:
        """Return a copy with some settings changed (for calibration sweeps)."""
        return AnswerPolicy(
            min_score=self.min_score if min_score is None else min_score,
            min_coverage=self.min_coverage if min_coverage is None else min_coverage,
            unknown_term_weight=(
                self.unknown_term_weight if unknown_term_weight is None else unknown_term_weight
            ),
            generic_terms=self.generic_terms,
            generic_fallback=self.generic_fallback,
            not_covered=self.not_covered if not_covered is None else not_covered,
        )

    @classmethod
    def from_dict(cls, data: object, *, source: str = "<policy>") -> AnswerPolicy:
        """Build and validate from the parsed YAML document.

        Args:
            data: Parsed YAML.
            source: File name used in error messages.

        Raises:
            ValueError: On an unknown or missing key or a malformed entry; the message
                names ``source`` and the entry.
        """
        top = check_keys(data, where=source, allowed=_TOP_KEYS, required=("version", "min_score"))
        if top["version"] != SCHEMA_VERSION:
            raise ValueError(
                f"{source}: version: expected {SCHEMA_VERSION}, got {top['version']!r}"
            )
        min_score = _number(top["min_score"], where=f"{source}: min_score", high=math.inf)
        min_coverage = _number(
            top.get("min_coverage", 0.0), where=f"{source}: min_coverage", high=1.0
        )
        unknown_weight = _number(
            top.get("unknown_term_weight", 1.0),
            where=f"{source}: unknown_term_weight",
            high=math.inf,
        )
        generic = string_list(top.get("generic_terms", []), where=f"{source}: generic_terms")
        fallback = top.get("generic_fallback")
        if fallback is not None and (not isinstance(fallback, str) or not fallback.strip()):
            raise ValueError(f"{source}: generic_fallback: expected a snippet id or null")
        raw_topics = top.get("not_covered", [])
        if not isinstance(raw_topics, list):
            raise ValueError(f"{source}: not_covered: expected a list")
        topics = tuple(_topic(entry, source, i) for i, entry in enumerate(raw_topics))
        names = [t.topic for t in topics]
        duplicates = sorted({n for n in names if names.count(n) > 1})
        if duplicates:
            raise ValueError(f"{source}: not_covered: duplicate topic(s) {', '.join(duplicates)}")
        return cls(
            min_score=min_score,
            min_coverage=min_coverage,
            unknown_term_weight=unknown_weight,
            generic_terms=generic,
            generic_fallback=fallback,
            not_covered=topics,
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the YAML-ready form; ``from_dict(to_dict())`` gives an equal object."""
        topics: list[dict[str, Any]] = []
        for topic in self.not_covered:
            entry: dict[str, Any] = {"topic": topic.topic, "terms": list(topic.terms)}
            if topic.note is not None:
                entry["note"] = topic.note
            topics.append(entry)
        return {
            "version": SCHEMA_VERSION,
            "min_score": self.min_score,
            "min_coverage": self.min_coverage,
            "unknown_term_weight": self.unknown_term_weight,
            "generic_terms": list(self.generic_terms),
            "generic_fallback": self.generic_fallback,
            "not_covered": topics,
        }


def _number(value: object, *, where: str, high: float) -> float:
    if (
        isinstance(value, bool)
        or not isinstance(value, (int, float))
        or not math.isfinite(value)
        or not 0 <= value <= high
    ):
        bound = "" if math.isinf(high) else f" and <= {high}"
        raise ValueError(f"{where}: expected a number >= 0{bound}, got {value!r}")
    return float(value)


def _topic(entry: object, source: str, index: int) -> NotCoveredTopic:
    label = entry.get("topic", f"#{index}") if isinstance(entry, dict) else f"#{index}"
    where = f"{source}: not_covered[{index}] ({label})"
    data = check_keys(entry, where=where, allowed=_TOPIC_KEYS, required=("topic", "terms"))
    name = data["topic"]
    if not isinstance(name, str) or not TOPIC_PATTERN.match(name):
        raise ValueError(f"{where}: topic must match {TOPIC_PATTERN.pattern}")
    terms = string_list(data["terms"], where=f"{where}: terms")
    if not terms:
        raise ValueError(f"{where}: terms: empty list")
    note = data.get("note")
    if note is not None and not isinstance(note, str):
        raise ValueError(f"{where}: note: expected a string")
    return NotCoveredTopic(topic=name, terms=terms, note=note)


def load_policy(source: Traversable | Path | None = None) -> AnswerPolicy:
    """Read and validate a policy file.

    Args:
        source: File to read; ``None`` means the packaged ``policy.yml``.

    Raises:
        ValueError: If the file is not valid YAML or breaks the schema.
    """
    name, data = read_yaml(resource(POLICY_FILE) if source is None else source)
    return AnswerPolicy.from_dict(data, source=name)


@functools.cache
def default_policy() -> AnswerPolicy:
    """Return the packaged policy, read on first use and cached."""
    return load_policy()
