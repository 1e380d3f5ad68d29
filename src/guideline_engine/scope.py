"""Is a message about this bot's topic? Curated terms in ``vocab/topic.yml``."""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources
from typing import Any

import yaml

_KEYS = {"topic", "terms"}


@dataclass(frozen=True)
class TopicTerms:
    """Whole-word terms that place a message within the topic."""

    topic: str
    pattern: re.Pattern[str]

    def mentions(self, text: str) -> bool:
        """True when any topic term (or a pronoun pointing back at the patient) appears."""
        return bool(self.pattern.search(text.lower()))


def parse_topic_terms(data: Any, origin: str = "topic.yml") -> TopicTerms:
    """Validate the file: known keys only, a topic name and a non-empty list of terms."""
    if not isinstance(data, dict) or set(data) - _KEYS or not {"topic", "terms"} <= set(data):
        raise ValueError(f"{origin}: expected exactly the keys {sorted(_KEYS)}")
    terms = data["terms"]
    if not isinstance(terms, list) or not terms or not all(isinstance(t, str) for t in terms):
        raise ValueError(f"{origin}: terms: expected a non-empty list of strings")
    alternatives = "|".join(re.escape(t.strip().lower()) for t in terms)
    return TopicTerms(topic=str(data["topic"]), pattern=re.compile(rf"\b(?:{alternatives})\b"))


@cache
def topic_terms() -> TopicTerms:
    """The packaged terms (read once, on first use)."""
    raw = resources.files("guideline_engine.vocab").joinpath("topic.yml").read_text("utf-8")
    return parse_topic_terms(yaml.safe_load(raw))
