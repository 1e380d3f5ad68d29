"""Person and time of a red flag: the rules that may only de-escalate triage."""

from __future__ import annotations

import copy
from typing import Any

import pytest
import yaml

from guideline_engine.extraction import VocabularyError
from guideline_engine.extraction.vocab import read_vocab_text
from guideline_engine.triage import assess
from guideline_engine.triage.assertion import parse_triage_context


@pytest.mark.parametrize(
    ("text", "urgency"),
    [
        # someone else, now: escalates for them
        pytest.param("my husband just collapsed in the kitchen", "emergency", id="other-now"),
        pytest.param("she won't wake up", "emergency", id="pronoun-now"),
        # someone else, past: never escalates
        pytest.param("my dad collapsed years ago", None, id="other-remote-past"),
        pytest.param("my friend fainted last week", None, id="other-recent-past"),
        pytest.param("her mother collapsed last week", None, id="family-history-style"),
        # the writer, past
        pytest.param("I blacked out once as a child", None, id="self-remote-past"),
        pytest.param("passed out on saturday", "urgent", id="self-recent-past"),
        # not fully recovered: the fainting source says call 999
        pytest.param(
            "I fainted yesterday and still feel awful", "emergency", id="recent-not-recovered"
        ),
        pytest.param("fainted on monday but fine since", None, id="recent-resolved"),
        # time markers bind to their own comma segment
        pytest.param("my legs suddenly gave way, I fell last year too", "emergency", id="segment"),
        pytest.param("had chest pain years ago, it is back now", "emergency", id="back-now"),
        # conditional and generic
        pytest.param("what should I do if she collapses", None, id="conditional"),
        pytest.param("does low b12 cause chest pain", None, id="generic-question"),
        pytest.param("a woman online said she went blind from b12", None, id="hearsay"),
        # negation close by, same segment only
        pytest.param("no chest pain", None, id="negated"),
        pytest.param("chest pain: none", None, id="negated-post"),
        pytest.param(
            "I don't know what is happening, he won't wake up", "emergency", id="far-negation"
        ),
        pytest.param("not breathing", "emergency", id="negation-is-the-symptom"),
        pytest.param(
            "mouth ulcers keep coming back, no temperature with them", "routine", id="negated-part"
        ),
    ],
)
def test_person_and_time(text: str, urgency: str | None) -> None:
    result = assess(text)
    assert result.urgency == urgency, result.red_flag_ids


def test_someone_else_now_is_marked_as_about_them() -> None:
    result = assess("my husband just collapsed in the kitchen")
    assert result.about_other_person
    assert not assess("I just collapsed in the kitchen").about_other_person


def test_conditional_mention_does_not_count_as_describing_symptoms() -> None:
    assert not assess("what should I do if she collapses").describes_symptoms


def test_past_mention_still_counts_as_describing_symptoms() -> None:
    # The reply then says what it cannot assess instead of saying nothing.
    assert assess("I blacked out once as a child").describes_symptoms


def _context() -> dict[str, Any]:
    data = yaml.safe_load(read_vocab_text("triage_context.yml"))
    assert isinstance(data, dict)
    return data


def test_packaged_context_file_is_valid() -> None:
    rules = parse_triage_context(_context())
    assert rules.negation_reach >= 1


@pytest.mark.parametrize(
    ("key", "value", "message"),
    [
        pytest.param("version", 2, "unsupported version", id="version"),
        pytest.param("negation_reach", 99, "negation_reach", id="reach"),
        pytest.param("present", [], "'present' must be a non-empty list", id="empty-list"),
        pytest.param("present", ["Now"], "bad phrase", id="upper-case"),
        pytest.param("someday", ["x"], "unknown keys", id="unknown-key"),
    ],
)
def test_bad_context_files_are_rejected(key: str, value: object, message: str) -> None:
    data = copy.deepcopy(_context())
    data[key] = value
    with pytest.raises(VocabularyError, match=message):
        parse_triage_context(data)
