"""Common emergency phrasings in other languages get emergency triage (accents optional)."""

from __future__ import annotations

import pytest

from guideline_engine.triage import assess

EMERGENCIES = [
    # chest pain
    pytest.param("tengo dolor en el pecho y no puedo respirar", "chest_pain", id="es-chest"),
    pytest.param("j'ai une douleur dans la poitrine", "chest_pain", id="fr-chest"),
    pytest.param("ich habe starke Brustschmerzen", "chest_pain", id="de-chest"),
    pytest.param("estou com dor no peito", "chest_pain", id="pt-chest"),
    pytest.param("ho un forte dolore al petto", "chest_pain", id="it-chest"),
    pytest.param("mam silny ból w klatce piersiowej", "chest_pain", id="pl-chest"),
    pytest.param("عندي ألم في الصدر", "chest_pain", id="ar-chest"),
    # cannot breathe
    pytest.param("no puedo respirar bien", "breathless_at_rest", id="es-breathe"),
    pytest.param("je ne peux pas respirer", "breathless_at_rest", id="fr-breathe"),
    pytest.param("ich kann nicht atmen", "breathless_at_rest", id="de-breathe"),
    pytest.param("nao consigo respirar", "breathless_at_rest", id="pt-breathe-no-accents"),
    pytest.param("não consigo respirar", "breathless_at_rest", id="pt-breathe"),
    pytest.param("non riesco a respirare", "breathless_at_rest", id="it-breathe"),
    pytest.param("nie mogę oddychać", "breathless_at_rest", id="pl-breathe"),
    pytest.param("لا أستطيع التنفس", "breathless_at_rest", id="ar-breathe"),
    # unconscious / will not wake
    pytest.param("mi padre está inconsciente", "reduced_consciousness", id="es-unconscious"),
    pytest.param("il ne se réveille pas", "reduced_consciousness", id="fr-wont-wake"),
    pytest.param("er ist bewusstlos", "reduced_consciousness", id="de-unconscious"),
    pytest.param("ele não acorda", "reduced_consciousness", id="pt-wont-wake"),
    pytest.param("non si sveglia", "reduced_consciousness", id="it-wont-wake"),
    pytest.param("on jest nieprzytomny", "reduced_consciousness", id="pl-unconscious"),
    pytest.param("أبي فاقد الوعي", "reduced_consciousness", id="ar-unconscious"),
    # fainted now
    pytest.param("mi madre se desmayó", "fainting_collapse", id="es-fainted"),
    pytest.param("elle s'est évanouie", "fainting_collapse", id="fr-fainted"),
    pytest.param("sie ist ohnmächtig", "fainting_collapse", id="de-fainted"),
    pytest.param("ela desmaiou agora", "fainting_collapse", id="pt-fainted"),
    pytest.param("è svenuta adesso", "fainting_collapse", id="it-fainted"),
    pytest.param("zemdlała przed chwilą", "fainting_collapse", id="pl-fainted"),
    pytest.param("أغمي عليه", "fainting_collapse", id="ar-fainted"),
    # wants to die
    pytest.param("quiero morir", "suicidal_thoughts", id="es-die"),
    pytest.param("je veux mourir", "suicidal_thoughts", id="fr-die"),
    pytest.param("ich will sterben", "suicidal_thoughts", id="de-die"),
    pytest.param("quero morrer", "suicidal_thoughts", id="pt-die"),
    pytest.param("voglio morire", "suicidal_thoughts", id="it-die"),
    pytest.param("chcę umrzeć", "suicidal_thoughts", id="pl-die"),
    pytest.param("أريد أن أموت", "suicidal_thoughts", id="ar-die"),
]


@pytest.mark.parametrize(("text", "flag"), EMERGENCIES)
def test_non_english_emergency(text: str, flag: str) -> None:
    result = assess(text)
    assert result.urgency == "emergency"
    assert flag in result.red_flag_ids


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("¿Puedo tomar comprimidos en vez de inyecciones?", id="es-question"),
        pytest.param("Quelle est la dose d'entretien ?", id="fr-question"),
        pytest.param("Wie lange dauert die Behandlung?", id="de-question"),
    ],
)
def test_non_english_questions_are_not_flagged(text: str) -> None:
    assert assess(text).urgency is None
