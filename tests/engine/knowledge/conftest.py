"""Fixtures: a small, valid two-topic knowledge base written to tmp_path."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from guideline_engine.knowledge import compute_hash

SOURCES_YML = """\
# Sources of the test topic (comment kept by round-trip edits).
topic: test_topic
documents:
  - id: doc_guide
    title: Test Guideline
    publisher: Test Publisher
    year: 2025
    kind: guideline
    last_updated: 2025-10-21
    source_review_status: pending human review
    intended_audience: healthcare professionals
references:
  - id: ref_one
    document: doc_guide
    position: 1
    title: First Reference
    publisher: Journal One
    year: 2017
    kind: research
  - id: ref_two
    document: doc_guide
    position: 2
    title: Second Reference
    publisher: Journal Two
    year: 2020
    kind: research
  - id: ref_three
    document: doc_guide
    position: 3
    title: Third Reference
    publisher: Journal Three
    year: 2021
    kind: guideline
citations:
  - document: doc_guide
    number: 1
    resolution: resolved
    references: [ref_one]
    basis: Year and subject match.
  - document: doc_guide
    number: 2
    resolution: ambiguous
    references: [ref_two, ref_three]
    basis: Both fit the statement.
  - document: doc_guide
    number: 3
    resolution: unresolved
    references: []
    basis: Nothing in the list matches.
"""

SNIPPETS_YML = """\
# Snippets of the test topic.
topic: test_topic
snippets:
  - id: t.alpha  # the submitted one
    section: treatment.loading
    clinician: Give drug X 1 mg IM on alternate days.
    patient: You will usually have injections every other day.
    source: {document: doc_guide, cites: [1, 2]}
    keywords: [alternate days, loading]
    review:
      status: submitted
      curated_by: tester
      curated_on: 2026-11-25
      reviewer: null
      reviewed_on: null
    content_hash: "HASH(t.alpha)"
  - id: t.beta
    section: treatment.maintenance
    clinician: Maintenance drug X 1 mg IM every 2 months.
    patient: Later you will usually have one injection every two months.
    source: {document: doc_guide, cites: [3]}
    review:
      status: approved
      curated_by: tester
      curated_on: 2026-11-25
      reviewer: Dr Beta
      reviewed_on: 2026-11-26
      role: haematologist
    content_hash: "HASH(t.beta)"
  # A snippet somebody is reviewing right now.
  - id: t.gamma
    section: monitoring
    clinician: Recheck the full blood count after 8 weeks.
    patient: You will usually have a blood test after about two months.
    source: {document: doc_guide, cites: [1]}
    keywords: [blood test]
    review:
      status: under_review
      curated_by: tester
      curated_on: 2026-11-25
      reviewer: Dr Gamma
      reviewed_on: null
    content_hash: "HASH(t.gamma)"
"""

OTHER_YML = """\
topic: other_topic
documents:
  - id: doc_other
    title: Other Leaflet
    publisher: Other Publisher
    year: 2024
    kind: patient_information
citations:
  - document: doc_other
    number: 1
    resolution: unresolved
    references: []
    basis: The leaflet has no reference list.
snippets:
  - id: other.info
    section: general
    clinician: Other clinician text.
    patient: Other patient text.
    source: {document: doc_other, cites: [1]}
    review:
      status: approved
      curated_by: tester
      curated_on: 2026-11-20
      reviewer: Dr Other
      reviewed_on: 2026-11-21
      role: haematologist
    content_hash: "HASH(other.info)"
"""

FILES = {
    "test/sources.yml": SOURCES_YML,
    "test/snippets.yml": SNIPPETS_YML,
    "other/other.yml": OTHER_YML,
}


def _hashes() -> dict[str, str]:
    """Compute the correct hash of every fixture snippet from the templates themselves."""
    out: dict[str, str] = {}
    for template in (SNIPPETS_YML, OTHER_YML):
        data = yaml.safe_load(template)
        for item in data["snippets"]:
            out[item["id"]] = compute_hash({**item, "topic": data["topic"]})
    return out


def write_kb(root: Path) -> Path:
    """Write the valid fixture knowledge base under ``root`` and return ``root``."""
    hashes = _hashes()
    for rel, template in FILES.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        text = re.sub(r"HASH\(([a-z0-9_.]+)\)", lambda m: hashes[m.group(1)], template)
        path.write_text(text, encoding="utf-8")
    return root


@pytest.fixture
def kb_root(tmp_path: Path) -> Path:
    """A valid knowledge base: topics test_topic (3 snippets) and other_topic (1 snippet)."""
    return write_kb(tmp_path / "content")


@pytest.fixture
def edit_yaml(kb_root: Path) -> Callable[[str, Callable[[Any], None]], None]:
    """Load a fixture file as plain data, let the test mutate it, and write it back."""

    def apply(rel: str, mutate: Callable[[Any], None]) -> None:
        path = kb_root / rel
        data = yaml.safe_load(path.read_text(encoding="utf-8"))
        mutate(data)
        path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")

    return apply


@pytest.fixture(autouse=True)
def _no_env_filter(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KB_APPROVED_ONLY", raising=False)
