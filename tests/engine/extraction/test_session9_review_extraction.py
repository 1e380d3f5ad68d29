"""Review 9 (clinical-safety red team), extraction side: findings 3, 4, 5, 7, 9, 10 and 12.

Each test names the hazard it guards. Sentences are written for these tests from the review's
description of each failure; none is copied from an evaluation set.
"""

from __future__ import annotations

from typing import Any

import pytest

from components.clinical_extractor import entities_for_text
from guideline_engine.extraction import extract
from guideline_engine.extraction.numbers import read_age, read_haemoglobin, read_platelets
from guideline_engine.facts import facts_from_values
from guideline_engine.regimen.gates import evaluate_gates, packaged_gates
from guideline_engine.topics import topics
from guideline_engine.topics.decide import fact_view

# --------------------------------------------------------------------------- finding 3


@pytest.mark.parametrize(
    ("text", "age"),
    [
        pytest.param("8mo infant, B12 70 ng/L, no neuro, maternal deficiency. tx?", 0, id="8mo"),
        pytest.param("10 mths boy with B12 60 ng/L", 0, id="mths"),
        pytest.param("6 weeks old, exclusively breastfed, B12 low", 0, id="weeks-old"),
        pytest.param("my toddler's b12 came back at 90 ng/L, what does she need", 1, id="toddler"),
        pytest.param("my baby boy has low b12, no nerve problems", 0, id="baby-boy"),
        pytest.param("my 6 month old's b12 is low, what treatment does he need", 0, id="my-6mo"),
        pytest.param("our 9-month-old has low b12", 0, id="our-9mo"),
        pytest.param("infant with B12 70 ng/L and poor feeding", 0, id="clinical-infant"),
        pytest.param("my baby boy has low b12, im vegan", 0, id="maternal-diet"),
    ],
)
def test_an_infant_or_toddler_patient_is_under_16(text: str, age: int) -> None:
    # Hazard (HAZ-130): an infant described in months or with a child word got the adult
    # plan (clinicians: adult doses), because only ages in years were read.
    assert extract(text).age == age


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("I'm breastfeeding my baby, b12 110 ng/L", id="feeding-my-baby"),
        pytest.param("my baby has been unsettled, my b12 is 150 ng/l", id="own-b12"),
        pytest.param("baby due in may, b12 150", id="due"),
        pytest.param(
            "i was pregnant last year, baby is 2 now and weaned. b12 120 ng/L", id="baby-is-2"
        ),
        pytest.param(
            "I'm breastfeeding and my B12 was low (120 ng/L). My 8 month old has a cold",
            id="writers-8mo",
        ),
        pytest.param("3mo ago my b12 was 150", id="time-not-age"),
    ],
)
def test_a_mother_writing_about_her_own_treatment_is_not_a_baby(text: str) -> None:
    # The mother is the patient: her baby's age or a child word is not hers (HAZ-092, HAZ-130).
    assert extract(text).age is None


def test_an_explicit_age_wins_over_a_child_word() -> None:
    assert read_age("my baby boy, now 2 years old, has low b12")[0].hit is not None
    assert extract("my baby boy, now 2 years old, has low b12").age == 2


# --------------------------------------------------------------------------- finding 4


def test_a_relatives_platelets_beside_the_writers_own_result_are_not_used() -> None:
    # Hazard (HAZ-131): the sister's platelets of 30 fired the writer's low-platelet gate.
    facts = extract(
        "my sister has pernicious anaemia and her platelets are 30. my b12 is 150 ng/L, "
        "no numbness. what treatment do i need"
    )
    assert facts.platelet_count is None
    assert facts.b12 is not None and facts.b12.value == 150
    assert "pernicious_anaemia" not in facts.causes
    assert not any(p.field == "platelet_count" for p in facts.value_problems)


def test_a_friends_pregnancy_is_not_the_writers() -> None:
    # Hazard (HAZ-131): "my friend is pregnant" sent the writer to the pregnancy gate.
    facts = extract("my friend is pregnant and has low b12. for me, b12 is 120 ng/L, no tingling")
    assert facts.pregnant is None
    assert facts.b12 is not None and facts.b12.value == 120


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("my b12 is 110 ng/L. my mum is 80 and she has numb feet", id="mum"),
        pytest.param("my sister had PA. She has numb hands. my b12 is 150", id="she-has"),
    ],
)
def test_another_persons_age_and_symptoms_beside_the_writers_result_are_theirs(
    text: str,
) -> None:
    facts = extract(text)
    assert facts.age is None
    assert facts.neurological_involvement is None
    assert all(s.experiencer == "other" for s in facts.symptoms if s.id == "numbness")


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("my mum is 80 and her b12 is 90 and she has numb feet", id="carer"),
        pytest.param("my mum has PA and my b12 is 150 and my platelets are 40", id="own-plt"),
        pytest.param("my husband says my b12 is low, I'm 45 with tingling feet", id="own-age"),
    ],
)
def test_a_carer_or_the_writers_own_values_still_count(text: str) -> None:
    facts = extract(text)
    assert facts.age is not None or facts.platelet_count is not None
    if "tingling" in text or "numb" in text:
        assert facts.neurological_involvement == "yes"


# --------------------------------------------------------------------------- finding 5


@pytest.mark.parametrize(
    ("text", "hb"),
    [
        pytest.param("my haemoglobin is really low, GP said 70", 70, id="gp-said"),
        pytest.param("hb low on the ward, it was 68", 68, id="it-was"),
    ],
)
def test_a_haemoglobin_said_later_in_the_sentence_is_read(text: str, hb: float) -> None:
    # Hazard (HAZ-132): Hb 70 after "is really low, GP said" was dropped in silence and a
    # routine plan was shown.
    hit = read_haemoglobin(text).hit
    assert hit is not None and hit.value == hb


def test_a_platelet_count_said_later_in_the_sentence_is_read() -> None:
    hit = read_platelets("my platelets are low, the doctor said 40").hit
    assert hit is not None and hit.value == 40


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("hb low, she is 45", id="age"),
        pytest.param("hb low, I'm 45", id="own-age"),
        pytest.param("hb low but b12 is 150", id="other-test"),
        pytest.param("haemoglobin low, on tablets at 5 mg", id="dose"),
    ],
)
def test_a_later_number_that_is_something_else_is_no_haemoglobin(text: str) -> None:
    assert read_haemoglobin(text).hit is None


def test_a_b12_name_and_a_later_unpaired_number_are_named_back() -> None:
    # Hazard (HAZ-132): a lab name and a number in one sentence, not paired by any reader,
    # are named back rather than dropped.
    facts = extract("my b12 came back on the letter, the GP said 90 on the phone")
    assert facts.b12 is None
    assert [p.field for p in facts.value_problems] == ["b12_level"]


def test_a_b12_said_low_in_words_needs_no_number_named_back() -> None:
    # The status answers for the value (actions/validate.py), so nothing blocks the plan.
    facts = extract("my b12 looked really low on the letter, the GP said it was 90")
    assert facts.b12_status == "low"
    assert not facts.value_problems


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("b12 100 ng/L, PA, my haemoglobin is really low", id="really-low"),
        pytest.param("my hb is very low and my b12 is 120", id="hb-very-low"),
        pytest.param("very low haemoglobin, b12 90", id="very-low-first"),
    ],
)
def test_a_haemoglobin_said_very_low_without_a_number_is_severe_anaemia(text: str) -> None:
    # Hazard (HAZ-132): "haemoglobin very low" passed silently and a routine plan was shown.
    assert extract(text).severe_anaemia == "yes"


def test_a_haemoglobin_a_bit_low_is_not_severe() -> None:
    assert extract("my haemoglobin is a bit low, b12 150").severe_anaemia is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("b12 100, PA, my red cells white cells and platelets are all low", id="3"),
        pytest.param("GP said my bloods are low across the board, b12 100", id="board"),
        pytest.param("all my counts are low and b12 is 90", id="counts"),
    ],
)
def test_all_three_lines_low_in_lay_words_is_pancytopenia(text: str) -> None:
    # Hazard (HAZ-132): pancytopenia in lay wording did not stop a patient plan.
    assert extract(text).pancytopenia == "yes"


# --------------------------------------------------------------------------- finding 7


def test_a_unitless_b12_never_normal_in_any_unit_comes_first_beside_a_low_folate() -> None:
    # Hazard (HAZ-134): "b12 140 and folate 2.1" was routed to folate, which asked whether B12
    # had been checked, again and again.
    values = {"b12_level": "140", "folate_level": "2.1", "folate_status": "low"}
    view = fact_view(values)
    assert view["b12_status"] == "indeterminate"
    assert topics().route("b12 140 and folate 2.1", view, None).id == "folate"


def test_a_unitless_b12_that_may_be_normal_stays_unknown() -> None:
    # 400 pmol/L is normal, 400 ng/L borderline: nothing may be assumed.
    assert fact_view({"b12_level": "400"})["b12_status"] == "unknown"
    assert fact_view({"b12_level": "140 ng/L"})["b12_status"] == "low"


# --------------------------------------------------------------------------- finding 9


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("actually forget all that, asking for my husband, he's 50", id="forget-all"),
        pytest.param("forget that, b12 120 ng/L, 40M", id="forget-that"),
        pytest.param("can we start over please", id="start-over"),
        pytest.param("I'm asking for my mum now, she is 80", id="asking-for"),
        pytest.param("sorry, scrap that. 62F, b12 150", id="scrap"),
    ],
)
def test_taking_back_or_turning_to_someone_else_is_a_reset(text: str) -> None:
    # Hazard (HAZ-133): the husband's plan kept the writer's breastfeeding gate.
    assert extract(text).reset is True


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("my b12 is 150, I'm asking for my treatment options", id="own-treatment"),
        pytest.param("what if I forget that dose?", id="forget-dose"),
    ],
)
def test_these_words_mid_message_are_no_reset(text: str) -> None:
    assert extract(text).reset is False


def test_a_past_pregnancy_and_a_weaned_child_are_not_pregnancy_or_breastfeeding_now() -> None:
    # Hazard (HAZ-133): "i was pregnant last year, baby is 2 now and weaned" (extraction side).
    facts = extract("i was pregnant last year, baby is 2 now and weaned. b12 120 ng/L")
    assert facts.pregnant is None
    assert facts.breastfeeding == "no"
    assert facts.age is None


# --------------------------------------------------------------------------- finding 10


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        pytest.param(
            "b12 100 ng/L, platelets were 40 last year but 180 now",
            "platelet_count",
            180,
            id="platelets",
        ),
        pytest.param("my hb was 65 in 2019 but its 128 now", "haemoglobin", 128, id="hb"),
        pytest.param("platelets 180 now, were 40 last year", "platelet_count", 180, id="reversed"),
    ],
)
def test_the_value_marked_now_wins_over_a_past_one(text: str, field: str, value: float) -> None:
    # Hazard (HAZ-135): the past value (40, 65) fired a gate while the current one was dropped.
    assert getattr(extract(text), field) == value


def test_a_value_dated_in_a_past_year_alone_is_still_read() -> None:
    assert extract("my hb was 65 in 2019").haemoglobin == 65


# --------------------------------------------------------------------------- finding 12


def test_diet_alone_in_a_clinicians_note_is_the_dietary_cause() -> None:
    # Hazard (HAZ-136): "45F, B12 120 ng/L, no neuro, diet" gave "cause: unknown".
    assert "dietary" in extract("45F, B12 120 ng/L, no neuro, diet").causes


@pytest.mark.parametrize("text", ["what diet, b12 120?", "b12 120, diet?", "diet and exercise"])
def test_diet_in_a_question_or_a_longer_clause_is_no_cause(text: str) -> None:
    assert "dietary" not in extract(text).causes


def test_what_the_writer_takes_back_as_someone_elses_is_not_used() -> None:
    # Hazard (HAZ-136): "... im on chemo and b12 is 90... no wait, thats my sister".
    facts = extract("i'm on chemo and b12 is 90 and my feet are numb... no wait, thats my sister")
    assert facts.b12 is None
    assert facts.neurological_involvement is None


def test_values_after_taking_back_are_still_read() -> None:
    facts = extract("b12 90, vegan - sorry that's my sister's results. b12 300 ng/l, 40M")
    assert facts.b12 is not None and facts.b12.value == 300
    assert "dietary" not in facts.causes


# --------------------------------------------------------------------------- leftovers


@pytest.mark.parametrize(
    ("text", "field", "value"),
    [
        pytest.param(
            "haematologist says IM contraindicated",
            "injection_contraindication",
            "yes",
            id="im-contraindicated",
        ),
        pytest.param("keen on tablets not jabs", "route_preference", "oral", id="keen-tablets"),
        pytest.param(
            "I'd rather have the injections",
            "route_preference",
            "intramuscular",
            id="rather-injections",
        ),
    ],
)
def test_review_leftover_wordings_are_read(text: str, field: str, value: str) -> None:
    # Hazard (HAZ-136): a stated contraindication to IM or a route preference was not read.
    assert getattr(extract(text), field) == value


def test_im_said_not_contraindicated_is_no_contraindication() -> None:
    assert extract("IM not contraindicated").injection_contraindication != "yes"


# --------------------------------------------------------------------------- through to the gates


def _gate(text: str) -> str | None:
    """The first B12 gate that fires for the facts the NLU component reads from ``text``."""
    values: dict[str, Any] = {}
    for entity in entities_for_text(text):
        if entity["entity"] == "cause":
            values.setdefault("causes", []).append(entity["value"])
        else:
            values[entity["entity"]] = entity["value"]
    gated = evaluate_gates(facts_from_values(values).facts, packaged_gates())
    return gated.gate_id if gated is not None else None


@pytest.mark.parametrize(
    ("text", "gate"),
    [
        pytest.param(
            "8mo infant, B12 70 ng/L, no neuro, maternal deficiency. tx?",
            "gate.b12.under_16",
            id="infant-clinician",
        ),
        pytest.param(
            "my toddler's b12 came back at 90 ng/L, she's not got any numbness",
            "gate.b12.under_16",
            id="toddler",
        ),
        pytest.param(
            "my baby boy has low b12, no nerve problems, what's the treatment",
            "gate.b12.under_16",
            id="baby-boy",
        ),
        pytest.param(
            "my 6 month old's b12 is low, im vegan and breastfeed him",
            "gate.b12.under_16",
            id="6-month-old",
        ),
        pytest.param(
            "b12 100 ng/L no tingling PA, my haemoglobin is really low, GP said 70",
            "gate.b12.pancytopenia_severe_anaemia",
            id="hb-said-70",
        ),
        pytest.param(
            "b12 100 ng/L, no tingling, PA, my red cells white cells and platelets are all low",
            "gate.b12.pancytopenia_severe_anaemia",
            id="three-lines",
        ),
        pytest.param(
            "b12 100 ng/L, no tingling, PA, GP said my bloods are low across the board",
            "gate.b12.pancytopenia_severe_anaemia",
            id="across-the-board",
        ),
    ],
)
def test_the_review_sentences_reach_their_gate(text: str, gate: str) -> None:
    # Hazards HAZ-130 (under 16) and HAZ-132 (severe anaemia, pancytopenia): these reached
    # the standard (adult, routine) plan.
    assert _gate(text) == gate


@pytest.mark.parametrize(
    "text",
    [
        pytest.param(
            "my sister has pernicious anaemia and her platelets are 30. my b12 is 150 ng/L, "
            "no numbness. what treatment do i need",
            id="sisters-platelets",
        ),
        pytest.param(
            "my friend is pregnant and has low b12. for me, b12 is 120 ng/L, no tingling",
            id="friends-pregnancy",
        ),
        pytest.param(
            "b12 100 ng/L no tingling PA, platelets were 40 last year but 180 now",
            id="past-platelets",
        ),
    ],
)
def test_another_persons_or_a_past_finding_fires_no_gate(text: str) -> None:
    # Hazards HAZ-131 and HAZ-135: the sister's platelets, the friend's pregnancy and last
    # year's platelet count gated the writer's plan.
    assert _gate(text) is None
