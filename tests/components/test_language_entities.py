"""A message in (or with) another language: the notice entity AND triage first (issue 10.5)."""

from __future__ import annotations

from typing import Any

import pytest

from components.clinical_extractor import entities_for_text


def _values(entities: list[dict[str, Any]], name: str) -> list[Any]:
    return [e["value"] for e in entities if e["entity"] == name]


@pytest.mark.parametrize(
    ("text", "language"),
    [
        # English red flag beside another script: the notice must not hide it
        pytest.param("my mum قالت إنها متعبة جدا and her lips are blue now", "ar", id="ar-mixed"),
        pytest.param("奶奶 is not breathing, 我们怎么办", "zh", id="zh-mixed"),
        # English red flag beside a clause in another Latin-script language
        pytest.param("non so cosa fare, my dad has crushing chest pain", "it", id="it-mixed"),
        # red flag in the other language only
        pytest.param("mere seene mein dard hai aur saans nahi aa rahi", "hi_latn", id="hi-roman"),
        pytest.param("mijn vader is bewusteloos", "nl", id="nl"),
    ],
)
def test_notice_and_emergency_triage_together(text: str, language: str) -> None:
    entities = entities_for_text(text)
    assert _values(entities, "language") == [language]
    assert _values(entities, "triage_urgency") == ["emergency"]
