from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from guideline_engine.knowledge import compute_hash, normalise_text

BASE: dict[str, Any] = {
    "id": "b12.neuro.loading",
    "topic": "b12_deficiency_anaemia",
    "section": "initial_treatment.with_neurological_involvement",
    "clinician": "Hydroxocobalamin 1 mg IM on alternate days.",
    "patient": "Injections every other day; your clinician will decide.",
    "source": {"document": "droracle_b12_treatment", "cites": [1, 2]},
}


def test_hash_is_first_16_hex_of_sha256_of_canonical_json() -> None:
    canonical = json.dumps(BASE, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    expected = hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]
    assert compute_hash(BASE) == expected
    assert len(expected) == 16


def test_hash_ignores_keywords_review_and_stored_hash() -> None:
    extra = {
        **BASE,
        "keywords": ["loading"],
        "review": {"status": "approved"},
        "content_hash": "0" * 16,
    }
    assert compute_hash(extra) == compute_hash(BASE)


def test_non_ascii_text_is_hashed_as_utf8() -> None:
    record = {**BASE, "clinician": "1000 µg — daily"}
    canonical = json.dumps(record, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    assert compute_hash(record) == hashlib.sha256(canonical.encode()).hexdigest()[:16]


@pytest.mark.parametrize(
    "change",
    [
        pytest.param({"id": "b12.neuro.other"}, id="id"),
        pytest.param({"topic": "other_topic"}, id="topic"),
        pytest.param({"section": "maintenance"}, id="section"),
        pytest.param({"clinician": "Hydroxocobalamin 1 mg IM weekly."}, id="clinician"),
        pytest.param({"patient": "Weekly injections."}, id="patient"),
        pytest.param({"source": {"document": "other_doc", "cites": [1, 2]}}, id="document"),
        pytest.param({"source": {"document": "droracle_b12_treatment", "cites": [1]}}, id="cites"),
        pytest.param(
            {"source": {"document": "droracle_b12_treatment", "cites": [2, 1]}}, id="cite-order"
        ),
    ],
)
def test_every_hashed_field_changes_the_hash(change: dict[str, Any]) -> None:
    assert compute_hash({**BASE, **change}) != compute_hash(BASE)


def test_missing_field_raises_key_error() -> None:
    record = {k: v for k, v in BASE.items() if k != "patient"}
    with pytest.raises(KeyError):
        compute_hash(record)


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        pytest.param("  a  b\n\tc ", "a b c", id="mixed"),
        pytest.param("a\n\nb", "a b", id="blank-line"),
        pytest.param("plain", "plain", id="unchanged"),
    ],
)
def test_normalise_text(raw: str, expected: str) -> None:
    assert normalise_text(raw) == expected


words = st.lists(st.text(alphabet="abcµé1.", min_size=1, max_size=6), min_size=1, max_size=6)
gap = st.text(alphabet=" \t\n\r", min_size=1, max_size=3)
edge = st.text(alphabet=" \t\n", max_size=3)


@given(words=words, data=st.data())
def test_whitespace_layout_does_not_change_the_hash(words: list[str], data: st.DataObject) -> None:
    layout = data.draw(edge, label="lead") + words[0]
    for word in words[1:]:
        layout += data.draw(gap, label="gap") + word
    layout += data.draw(edge, label="trail")
    single = " ".join(words)
    for field in ("clinician", "patient"):
        assert compute_hash({**BASE, field: layout}) == compute_hash({**BASE, field: single})


@given(words=st.lists(st.text(alphabet="abc", min_size=1, max_size=4), min_size=2, max_size=5))
def test_removing_a_word_boundary_changes_the_hash(words: list[str]) -> None:
    assert compute_hash({**BASE, "patient": "".join(words)}) != compute_hash(
        {**BASE, "patient": " ".join(words)}
    )
