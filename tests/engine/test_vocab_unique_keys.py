"""Vocabulary YAML refuses a key given twice (session 12: a second ``patterns:`` in a red flag
had silently dropped the first one's Chinese, Japanese and Korean patterns and a GCS pattern)."""

from __future__ import annotations

import pytest
import yaml

from guideline_engine.extraction.vocab import load_vocab_yaml


def test_a_key_given_twice_is_refused() -> None:
    with pytest.raises(yaml.YAMLError, match="key given twice: patterns"):
        load_vocab_yaml("rule:\n  patterns: [a]\n  patterns: [b]\n")


def test_distinct_keys_load() -> None:
    assert load_vocab_yaml("rule:\n  patterns: [a]\n  cues: [b]\n") == {
        "rule": {"patterns": ["a"], "cues": ["b"]}
    }
