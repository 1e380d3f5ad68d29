"""The Rasa NLU component: built via create(), run via process(), entities asserted."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest

os.environ.setdefault("RASA_TELEMETRY_ENABLED", "false")

from rasa.engine.graph import ExecutionContext, GraphSchema
from rasa.engine.storage.local_model_storage import LocalModelStorage
from rasa.engine.storage.resource import Resource
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from components.clinical_extractor import ClinicalFactExtractor
from guideline_engine.facts import ENTITY_NAMES


@pytest.fixture(scope="module")
def component(tmp_path_factory: pytest.TempPathFactory) -> ClinicalFactExtractor:
    storage = LocalModelStorage(Path(tmp_path_factory.mktemp("model")))
    return ClinicalFactExtractor.create(
        ClinicalFactExtractor.get_default_config(),
        storage,
        Resource("clinical_fact_extractor"),
        ExecutionContext(GraphSchema({}), "test"),
    )


def _run(component: ClinicalFactExtractor, text: str) -> list[dict[str, Any]]:
    message = Message({"text": text})
    component.process([message])
    entities: list[dict[str, Any]] = message.get("entities", [])
    return entities


def _values(entities: list[dict[str, Any]], name: str) -> list[Any]:
    return [e["value"] for e in entities if e["entity"] == name]


def test_clinical_note_entities(component: ClinicalFactExtractor) -> None:
    text = (
        "62F, known PA, pins and needles but no numbness. Plt 35k, B12 of 120 ng/L, "
        "borderline B12, folate 3 ug/L, MMA 450 nmol/L, 40 cm of terminal ileum resected. "
        "On warfarin, prefers tablets. I'm a GP in the US."
    )
    entities = _run(component, text)
    assert _values(entities, "neurological_involvement") == ["yes"]
    assert _values(entities, "symptom") == ["paraesthesia"]
    assert _values(entities, "negated_symptom") == ["numbness"]
    assert _values(entities, "cause") == ["pernicious_anaemia", "ileal_resection"]
    assert _values(entities, "platelet_count") == [35.0]
    assert _values(entities, "age") == [62]
    assert _values(entities, "route_preference") == ["oral"]
    assert _values(entities, "injection_contraindication") == ["yes"]
    assert _values(entities, "ileal_resection_cm") == [40.0]
    assert _values(entities, "b12_level") == ["120 ng/L"]
    assert _values(entities, "b12_status") == ["indeterminate"]
    assert _values(entities, "folate_level") == ["3 µg/L"]
    assert _values(entities, "mma_level") == ["450 nmol/L"]
    assert _values(entities, "formulary") == ["us"]
    assert _values(entities, "audience") == ["clinician"]
    # Tingling not said to be new, worsening or spreading is no red flag (narrowed
    # 2026-12-01, pending clinical review); it still counts as neurological involvement.
    assert _values(entities, "red_flag") == []
    assert _values(entities, "triage_urgency") == []
    b12 = next(e for e in entities if e["entity"] == "b12_level")
    assert b12["numeric_value"] == 120.0 and b12["unit"] == "ng/L"
    for entity in entities:
        assert entity["extractor"] == "ClinicalFactExtractor"
        assert entity["entity"] in ENTITY_NAMES
        if "start" in entity:
            assert 0 <= entity["start"] < entity["end"] <= len(text)
    json.dumps(entities)


def test_symptom_spans_match_text(component: ClinicalFactExtractor) -> None:
    text = "Denies paraesthesia; has an unsteady gait"
    entities = _run(component, text)
    spans = {
        e["value"]: text[e["start"] : e["end"]]
        for e in entities
        if e["entity"] in ("symptom", "negated_symptom")
    }
    assert spans == {"paraesthesia": "paraesthesia", "gait_ataxia": "unsteady gait"}


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param(
            "neuro exam normal", {"neurological_involvement": ["no"]}, id="negative-finding"
        ),
        pytest.param(
            "28 weeks pregnant, tingling feet",
            {
                "pregnant": ["yes"],
                "red_flag": ["pregnancy_with_neurological_symptoms"],
                "triage_urgency": ["urgent"],
            },
            id="pregnancy-neuro",
        ),
        pytest.param(
            "no chest pain but sudden weakness in her legs",
            {
                "red_flag": ["acute_neurological_deficit", "other_neurological_symptoms"],
                "triage_urgency": ["emergency"],
            },
            id="emergency",
        ),
        pytest.param(
            "my mum is vegan", {"cause": ["dietary"], "audience": ["caregiver"]}, id="carer-diet"
        ),
        pytest.param(
            "already on folic acid 5mg, not on warfarin",
            {"folic_acid_started": ["yes"], "injection_contraindication": ["no"]},
            id="folic-acid-started",
        ),
        pytest.param("no folic acid yet", {"folic_acid_started": ["no"]}, id="folic-acid-not-yet"),
        pytest.param(
            "should I start folic acid?", {"folic_acid_started": []}, id="folic-acid-question"
        ),
    ],
)
def test_entities_table(
    component: ClinicalFactExtractor, text: str, expected: dict[str, list[Any]]
) -> None:
    entities = _run(component, text)
    for name, values in expected.items():
        assert _values(entities, name) == values, name


def test_folic_acid_started_span(component: ClinicalFactExtractor) -> None:
    text = "B12 120 ng/L, GP started folic acid last week"
    entity = next(e for e in _run(component, text) if e["entity"] == "folic_acid_started")
    assert entity["value"] == "yes"
    assert text[entity["start"] : entity["end"]] == "started folic acid"


def test_no_entities_for_small_talk(component: ClinicalFactExtractor) -> None:
    message = Message({"text": "hello there"})
    component.process([message])
    assert message.get("entities") is None


def test_existing_entities_are_kept(component: ClinicalFactExtractor) -> None:
    message = Message({"text": "tingling", "entities": [{"entity": "other", "value": "x"}]})
    component.process([message])
    names = [e["entity"] for e in message.get("entities")]
    assert names[0] == "other" and "symptom" in names


def test_empty_and_missing_text(component: ClinicalFactExtractor) -> None:
    messages = [Message({"text": ""}), Message({})]
    assert component.process(messages) == messages


def test_training_data_is_untouched(component: ClinicalFactExtractor) -> None:
    data = TrainingData([Message({"text": "tingling", "intent": "inform"})])
    assert component.process_training_data(data) is data
    assert data.training_examples[0].get("entities") is None


def test_fingerprint_addon_hashes_vocab() -> None:
    addon = ClinicalFactExtractor.fingerprint_addon({})
    assert addon is not None and len(addon) == 64


def test_component_is_registered_as_entity_extractor() -> None:
    from rasa.engine.recipes.default_recipe import DefaultV1Recipe

    registered = DefaultV1Recipe._from_registry("ClinicalFactExtractor")
    assert DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR in registered.types
    assert registered.is_trainable is False


@pytest.mark.parametrize(
    ("text", "entity", "value"),
    [
        pytest.param("new patient: 30M, vegan", "reset", "new_patient", id="reset"),
        pytest.param("30F breastfeeding", "breastfeeding", "yes", id="breastfeeding"),
        pytest.param("not breastfeeding", "breastfeeding", "no", id="not-breastfeeding"),
        pytest.param("Hb 8.5 g/dL", "haemoglobin", 85.0, id="hb-g-per-dl"),
        pytest.param("known pancytopenia", "pancytopenia", "yes", id="pancytopenia"),
        pytest.param("platelets -40", "invalid_value", "platelet_count", id="negative"),
        pytest.param("age 250", "invalid_value", "age", id="impossible-age"),
        pytest.param(
            "pins\u200b and needles", "neurological_involvement", "yes", id="zero-width-space"
        ),
        pytest.param("plt \uff13\uff15", "platelet_count", 35.0, id="full-width-digits"),
    ],
)
def test_values_reset_and_cleaning(
    component: ClinicalFactExtractor, text: str, entity: str, value: Any
) -> None:
    assert value in _values(_run(component, text), entity)


def test_refused_value_carries_the_problem_to_name_back(component: ClinicalFactExtractor) -> None:
    (refused,) = [e for e in _run(component, "plt -40") if e["entity"] == "invalid_value"]
    assert "-40" in refused["problem"]
    assert not _values(_run(component, "plt -40"), "platelet_count")


def test_other_language_keeps_only_language_and_red_flags(
    component: ClinicalFactExtractor,
) -> None:
    entities = _run(component, "tengo crushing chest pain, 62 años, no puedo respirar")
    names = {e["entity"] for e in entities}
    assert _values(entities, "language") == ["es"]
    assert names <= {"language", "red_flag", "triage_urgency", "triage_describes_symptoms"}
    assert "red_flag" in names
