"""A haemoglobin below the WHO severe cut-off gets urgent referral, end to end (HAZ-065).

Issue 9 item 4: severe anaemia -> urgent referral. A haemoglobin value alone used to be named
back and never classed, so "Hb 58" got a routine plan. The severe-anaemia gate of each topic
now also fires on a current haemoglobin below 80 g/L (WHO/NMH/NHD/MNM/11.1, read through
secondary copies: content/b12/sources.yml who_hb_severity_2011). Sentences here are written for
these tests; none is copied from an evaluation set.
"""

from __future__ import annotations

import re
from typing import Any

import pytest

from components.clinical_extractor import entities_for_text
from guideline_engine.content.b12.rules import build_plan
from guideline_engine.facts import facts_from_values
from guideline_engine.knowledge import load_knowledge_base
from guideline_engine.regimen import Gated
from guideline_engine.regimen.gates import packaged_gates
from guideline_engine.topics.decide import decide, fact_view
from guideline_engine.topics.registry import topics

B12_GATE = "gate.b12.pancytopenia_severe_anaemia"
FOLATE_GATE = "gate.folate.pancytopenia_severe_anaemia"
WHO_SNIPPETS = ("b12.who.severe_anaemia_haemoglobin", "folate.who.severe_anaemia_haemoglobin")


def _values(text: str) -> dict[str, Any]:
    return {e["entity"]: e["value"] for e in entities_for_text(text)}


def _b12_gates(text: str) -> tuple[str, ...]:
    """The gates the B12 topic fires for one message (extraction -> facts -> build_plan)."""
    result = build_plan(facts_from_values(_values(text)).facts)
    return tuple(h.gate_id for h in result.hits) if isinstance(result, Gated) else ()


def _folate_gates(text: str) -> tuple[str, ...]:
    """The gates the folate topic fires for one message (extraction -> facts -> decide)."""
    values = _values(text)
    read = facts_from_values(values).facts
    handed_to = {t.id: t.kb_topic for t in topics().all}
    result = decide(
        topics().get("folate"), fact_view(values, read), read, packaged_gates(), handed_to
    )
    return tuple(h.gate_id for h in result.hits) if isinstance(result, Gated) else ()


SEVERE = [
    pytest.param("Hb 58, no numbness", id="unitless-g-per-l"),
    pytest.param("haemoglobin 62 g/L, walking fine", id="g-per-l"),
    pytest.param("Hb 6.9 and feeling tired", id="unitless-g-per-dl"),
    pytest.param("hemoglobin 7.4 g/dL", id="g-per-dl"),
    pytest.param("Hb 79", id="edge-79"),
    pytest.param("Hb 7.9 g/dL", id="edge-7.9-g-per-dl"),
    pytest.param("Hb 112 in June, now 71", id="current-value-is-low"),
    pytest.param("my dad is 80 and his Hb is 7.2 g/dL", id="carer-about-the-patient"),
    # HAZ-066: stated in words, with no number
    pytest.param("severely anaemic, b12 low, no numbness", id="stated-in-words"),
    pytest.param("my mum is very anaemic and her b12 is low", id="lay-words-carer"),
]
NOT_SEVERE = [
    pytest.param("Hb 80", id="edge-80"),
    pytest.param("Hb 8.0 g/dL", id="edge-8.0-g-per-dl"),
    pytest.param("haemoglobin 101 g/L", id="moderate"),
    pytest.param("Hb was 58 in March, now 110", id="past-value-superseded"),
    pytest.param("Hb 0.6", id="implausible-named-back"),
    pytest.param("not severely anaemic, b12 low", id="severe-negated"),
    pytest.param("what counts as severe anaemia? b12 low", id="severe-asked-about"),
]


@pytest.mark.parametrize("text", SEVERE)
def test_haemoglobin_below_80_fires_the_b12_severe_anaemia_gate(text: str) -> None:
    assert B12_GATE in _b12_gates(f"{text}. B12 110 ng/L, 52F")


@pytest.mark.parametrize("text", SEVERE)
def test_haemoglobin_below_80_fires_the_folate_severe_anaemia_gate(text: str) -> None:
    assert FOLATE_GATE in _folate_gates(f"{text}. Folate 1.9 ug/L, B12 normal, 52F")


@pytest.mark.parametrize("text", NOT_SEVERE)
def test_haemoglobin_not_below_80_or_not_current_fires_no_gate(text: str) -> None:
    assert _b12_gates(f"{text}. B12 110 ng/L, 52F, no numbness") == ()
    assert _folate_gates(f"{text}. Folate 1.9 ug/L, B12 normal, 52F") == ()


def test_the_current_value_is_the_one_the_gate_reads() -> None:
    assert _values("Hb was 58 in March, now 110")["haemoglobin"] == 110.0
    assert _values("Hb 112 in June, now 71")["haemoglobin"] == 71.0


def test_an_implausible_haemoglobin_is_named_back_not_used() -> None:
    values = _values("Hb 0.6, B12 110 ng/L")
    assert "haemoglobin" not in values
    assert values.get("invalid_value") == "haemoglobin"


def test_the_gate_cites_cks_and_the_who_cut_off_in_both_topics() -> None:
    result = build_plan(facts_from_values(_values("Hb 58. B12 110 ng/L")).facts)
    assert isinstance(result, Gated)
    assert result.snippet_ids() == (
        "b12.cks.urgent_referral_severe_anaemia_pancytopenia",
        "b12.who.severe_anaemia_haemoglobin",
    )
    folate = next(g for g in packaged_gates() if g.id == FOLATE_GATE)
    assert folate.advice == (
        "folate.referral.severe_or_pancytopenia",
        "folate.who.severe_anaemia_haemoglobin",
    )


def test_the_who_snippets_give_no_number_to_the_patient_and_name_their_source() -> None:
    kb = load_knowledge_base(approved_only=False)
    for snippet_id in WHO_SNIPPETS:
        snippet = kb.snippet(snippet_id)
        numbers = re.findall(r"(?<![A-Za-z\d])\d", snippet.patient)  # "B12" is a name
        assert not numbers, snippet.patient
        assert "80 g/L" in snippet.clinician and "WHO" in snippet.clinician
        assert snippet.source.document.startswith("who_hb_severity_2011")
