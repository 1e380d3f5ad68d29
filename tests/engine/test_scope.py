from __future__ import annotations

import pytest

from guideline_engine.scope import (
    detect_language,
    language_rules,
    parse_languages,
    parse_topic_terms,
    topic_terms,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        pytest.param("How is B12 deficiency treated?", True, id="b12"),
        pytest.param("treatment of macrocytic anemia", True, id="us-spelling"),
        pytest.param("pernicious anaemia", True, id="pernicious"),
        pytest.param("how do I treat eczema", False, id="eczema"),
        pytest.param("how do I treat my eczema?", False, id="my-is-not-the-topic"),
        pytest.param("it is itchy", False, id="it-is-not-the-topic"),
        pytest.param("how do I treat her?", False, id="her-is-not-the-topic"),
        pytest.param("how is anemia treated", False, id="anaemia-alone-is-not-b12"),
        pytest.param("how is iron deficiency anaemia treated", False, id="iron-anaemia"),
        pytest.param("itchy skin", False, id="word-boundary"),
    ],
)
def test_topic_mentions(text: str, expected: bool) -> None:
    assert topic_terms().mentions(text) is expected


@pytest.mark.parametrize(
    ("text", "condition", "planned"),
    [
        pytest.param("iron deficiency anaemia", "iron_deficiency_anaemia", False, id="iron"),
        pytest.param("ferrous sulphate dose", "iron_deficiency_anaemia", False, id="ferrous"),
        pytest.param("how do I treat my eczema?", "eczema", False, id="eczema"),
        pytest.param("sickle cell anaemia", "sickle_cell_disease", False, id="sickle"),
    ],
)
def test_other_conditions(text: str, condition: str, planned: bool) -> None:
    found = topic_terms().other_condition(text)
    assert found is not None and found.id == condition and found.planned is planned


@pytest.mark.parametrize(
    "text",
    [
        "vegan with low b12",
        "folate 3 ug/L, b12 120",
        "pernicious anaemia",
        "ironing",
    ],
)
def test_no_other_condition(text: str) -> None:
    assert topic_terms().other_condition(text) is None


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"terms": ["a"]}, id="no-topic"),
        pytest.param({"topic": "x", "terms": []}, id="empty-terms"),
        pytest.param({"topic": "x", "terms": ["a"], "extra": 1}, id="unknown-key"),
        pytest.param(
            {"topic": "x", "terms": ["a"], "other_conditions": [{"id": "y", "name": "y"}]},
            id="condition-without-phrases",
        ),
        pytest.param(
            {
                "topic": "x",
                "terms": ["a"],
                "other_conditions": [{"id": "y", "name": "y", "phrases": ["y"], "planned": "yes"}],
            },
            id="planned-not-bool",
        ),
    ],
)
def test_bad_topic_file_is_rejected(data) -> None:
    with pytest.raises(ValueError, match=r"topic\.yml"):
        parse_topic_terms(data)


@pytest.mark.parametrize(
    ("text", "language"),
    [
        pytest.param("tengo dolor en el pecho y no puedo respirar", "es", id="es"),
        pytest.param("¿Cómo se trata la anemia por deficiencia de vitamina B12?", "es", id="es-q"),
        pytest.param("hola", "es", id="es-greeting"),
        pytest.param("J'ai mal à la poitrine et je ne peux pas respirer", "fr", id="fr"),
        pytest.param("Ich habe Schmerzen in der Brust", "de", id="de"),
        pytest.param("Estou com dor no peito e não consigo respirar", "pt", id="pt"),
        pytest.param("Ho un dolore al petto e non riesco a respirare", "it", id="it"),
        pytest.param("Boli mnie w klatce piersiowej", "pl", id="pl"),
        pytest.param("أشعر بألم في صدري", "ar", id="ar"),
        pytest.param("У меня болит грудь", "ru", id="cyrillic"),
        pytest.param("62F, IF antibodies +, pins and needles, plt 120", None, id="clinician-en"),
        pytest.param("how do I treat it?", None, id="short-en"),
        pytest.param("ok", None, id="too-short"),
        pytest.param("😀😀😀", None, id="emoji"),
        pytest.param("plt 35 hb 85 pa, vegan", None, id="shorthand"),
        pytest.param("the patient con PA, de novo, no neuro symptoms", None, id="latin-in-en"),
        pytest.param("Hola, my mum has low b12 and pins and needles", None, id="mixed-mostly-en"),
        pytest.param("come to think of it she has numb feet", None, id="english-come"),
    ],
)
def test_detect_language(text: str, language: str | None) -> None:
    assert detect_language(text) == language


def test_every_language_has_a_reply_in_its_language() -> None:
    from guideline_engine.render.messages import messages

    for profile in language_rules().profiles:
        assert f"language_unsupported_{profile.code}" in messages().texts
    assert "language_unsupported_ar" in messages().texts


@pytest.mark.parametrize(
    "data",
    [
        pytest.param({"english": ["a"]}, id="missing-keys"),
        pytest.param(
            {"min_score": 0, "english": ["a"], "languages": {"x": {"words": ["b"]}}, "scripts": {}},
            id="min-score",
        ),
        pytest.param(
            {"min_score": 2, "english": ["a"], "languages": {"x": {"wordz": ["b"]}}, "scripts": {}},
            id="unknown-profile-key",
        ),
        pytest.param(
            {
                "min_score": 2,
                "english": [True],
                "languages": {"x": {"words": ["b"]}},
                "scripts": {},
            },
            id="yaml-boolean-word",
        ),
    ],
)
def test_bad_language_file_is_rejected(data) -> None:
    with pytest.raises(ValueError, match=r"languages\.yml"):
        parse_languages(data)


def test_a_condition_a_topic_covers_is_no_longer_declined() -> None:
    """Each other condition of vocab/topic.yml is declined unless a topic package covers it."""
    from pathlib import Path

    import yaml

    from guideline_engine.topics import topics

    root = Path(__file__).resolve().parents[2]
    data = yaml.safe_load((root / "src/guideline_engine/vocab/topic.yml").read_text("utf-8"))
    covered = topics().covered()
    for condition in data["other_conditions"]:
        found = topic_terms().other_condition(condition["phrases"][0])
        if condition["id"] in covered:
            assert found is None, condition["id"]
        else:
            assert found is not None and found.id == condition["id"], condition["id"]


@pytest.mark.parametrize(
    ("text", "statuses", "declined"),
    [
        ("B12 and folate both normal, TSH 9, ?hypothyroid", ["normal", "normal"], True),
        ("thal trait, Hb 109, MCV 64, anything needed?", [], True),
        ("eGFR 19, CKD 4, Hb 90, when do we start an ESA?", [], True),
        ("B12 low, TSH 9, ?hypothyroid as well", ["low"], False),
        ("B12 normal but folate low, on levothyroxine", ["normal", "low"], False),
    ],
)
def test_another_condition_is_declined_unless_a_covered_result_is_abnormal(
    text: str, statuses: list[str], declined: bool
) -> None:
    """Session 7 (blind dev sets): questions beside normal results are about something else."""
    from guideline_engine.scope import declined_condition

    assert (declined_condition(text, False, statuses) is not None) is declined
