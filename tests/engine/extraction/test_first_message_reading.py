"""Reading a first message (session 8): conditions, corrections, pronouns and lay causes.

Each case is written in our own words for a general rule; none is a copy of an evaluation
sentence. Hazards: HAZ-073 (a condition or example read as the patient's result), HAZ-074
(a corrected value or status used instead of the correction), HAZ-075 (a status said in
other words than "B12 low" dropped), HAZ-076 (a question-marked differential read as
affirmed), HAZ-077 (folic acid intended read as started), HAZ-078 (a cause in lay words or a
less common antifolate missed).
"""

from __future__ import annotations

import pytest

from guideline_engine.extraction import extract

# --------------------------------------------------------------------------- HAZ-073


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Hypothetically: someone with B12 120 ng/L and no symptoms?", id="example"),
        pytest.param("in theory, a patient whose folate is 1.8 ug/L - oral?", id="in-theory"),
        pytest.param("if her B12 comes back at 130 ng/L, is it jabs?", id="result-to-come"),
        pytest.param("What if a patient's folate were 2.0 ug/L?", id="what-if"),
    ],
)
def test_a_lab_value_given_as_a_condition_is_not_the_patients(text: str) -> None:
    facts = extract(text)
    assert (facts.b12, facts.folate, facts.b12_status, facts.folate_status) == (
        None,
        None,
        None,
        None,
    )


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("if my folate turns out low can I eat more greens?", id="folate-to-come"),
        pytest.param("If his B12 comes back low next month will he need jabs?", id="b12-to-come"),
    ],
)
def test_a_status_given_as_a_condition_is_not_the_patients(text: str) -> None:
    facts = extract(text)
    assert (facts.b12_status, facts.folate_status) == (None, None)


@pytest.mark.parametrize(
    ("text", "b12", "status"),
    [
        pytest.param("what do I do if my B12 is 150 ng/L?", 150.0, "low", id="own-result"),
        pytest.param("if he gets numb feet, B12 140 ng/L", 140.0, "low", id="comma-ends-if"),
        pytest.param("check B12 in a month; B12 160 ng/L now", 160.0, "low", id="check-no-cond"),
    ],
)
def test_a_real_result_beside_an_if_is_still_read(text: str, b12: float, status: str) -> None:
    facts = extract(text)
    assert facts.b12 is not None
    assert (facts.b12.value, facts.b12_status) == (b12, status)


def test_a_present_tense_if_keeps_both_statuses() -> None:
    facts = extract("what is the treatment if B12 and folate are both low and she is unsteady?")
    assert (facts.b12_status, facts.folate_status) == ("low", "low")


# --------------------------------------------------------------------------- HAZ-074


@pytest.mark.parametrize(
    ("text", "value", "status"),
    [
        pytest.param(
            "folate 14 ug/L - apologies, that one is old; the latest is 1.4 ug/L",
            1.4,
            "low",
            id="latest-named",
        ),
        pytest.param("folate 31 - sorry, typo, I meant 3.1 ug/L", 3.1, "low", id="sorry-typo"),
        # session 12: above 5.5 µg/L is the sourced normal band
        pytest.param("folate 2.9... sorry, 29 ug/L", 29.0, "normal", id="ellipsis"),
    ],
)
def test_the_corrected_folate_value_is_used(text: str, value: float, status: str | None) -> None:
    facts = extract(text)
    assert facts.folate is not None
    assert (facts.folate.value, facts.folate_status) == (value, status)


def test_the_corrected_b12_value_is_used() -> None:
    facts = extract("my B12 is 19 - hang on, it's 190 ng/L")
    assert facts.b12 is not None and facts.b12.value == 190.0


def test_a_corrected_status_word_wins() -> None:
    facts = extract("folate normal - correction: folate is low, I misread it. B12 fine")
    assert facts.folate_status == "low"


# --------------------------------------------------------------------------- HAZ-075


@pytest.mark.parametrize(
    ("text", "b12", "folate"),
    [
        pytest.param("both his B12 and his folate came back low", "low", "low", id="both-own"),
        pytest.param("B12 & folate both below range", "low", "low", id="ampersand"),
        pytest.param("Both B12 and folate normal.", "normal", "normal", id="no-verb"),
        pytest.param("my folate shows 0?? the GP says it's low", None, "low", id="pronoun"),
        pytest.param("ferritin 8, which is low. b12 300", None, None, id="pronoun-other-test"),
        pytest.param("folate 2.8 mg/L with a 'low' lab comment", None, "low", id="lab-comment"),
    ],
)
def test_status_said_in_other_words(text: str, b12: str | None, folate: str | None) -> None:
    facts = extract(text)
    assert (facts.b12_status, facts.folate_status) == (b12, folate)


def test_a_refused_value_is_named_back_while_its_status_counts() -> None:
    facts = extract("folate -3 on the printout, the doctor says it's low")
    assert facts.folate is None and facts.folate_status == "low"
    assert [p.field for p in facts.value_problems] == ["folate_level"]


@pytest.mark.parametrize(
    ("text", "value"),
    [
        pytest.param("b12 tablets or jabs? level came back 160 pg/mL", 160.0, id="level-b12-unit"),
        pytest.param("dizzy all week. B12 was low, 110", 110.0, id="after-comma-at-end"),
        pytest.param("on oral B12, level 240 ng/L", 240.0, id="after-comma-filler"),
        pytest.param("B12 since come back at 95 ng/L", 95.0, id="since-back"),
        pytest.param("the B12 is low too, 118 ng/L", 118.0, id="too"),
    ],
)
def test_b12_values_said_loosely_are_read(text: str, value: float) -> None:
    facts = extract(text)
    assert facts.b12 is not None and facts.b12.value == value


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("B12 low, troponin level 40 ng/L", id="level-of-another-test"),
        pytest.param("B12 low, 65 years old", id="age-after-comma"),
    ],
)
def test_numbers_of_something_else_are_not_b12(text: str) -> None:
    assert extract(text).b12 is None


def test_a_past_tense_result_is_classed_but_a_dated_one_is_not() -> None:
    assert extract("my folate was 2.2 ug/L").folate_status == "low"
    assert extract("my folate was 2.2 ug/L last year").folate_status is None


def test_a_b12_level_on_oral_b12_is_not_called_borderline_by_number() -> None:
    assert extract("on oral B12, level 240 ng/L").b12_status is None


# --------------------------------------------------------------------------- HAZ-076


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("70M, B12 120, PA?", id="after-values"),
        pytest.param("PA?", id="alone"),
        pytest.param("folate 2.1. Coeliac?", id="coeliac"),
    ],
)
def test_a_bare_cause_with_a_question_mark_is_possible(text: str) -> None:
    facts = extract(text)
    assert facts.causes == ()
    assert [m.possible for m in facts.cause_mentions] == [True]


def test_a_cause_inside_a_longer_question_stays_the_patients() -> None:
    assert extract("should I stop my omeprazole?").causes == ("medication",)


# --------------------------------------------------------------------------- HAZ-077


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("the consultant wants her on folic acid", id="wants-her-on"),
        pytest.param("GP letter: 'start folic acid 5mg od'", id="instruction"),
        pytest.param("came in with a prescription for folic acid 5 mg daily", id="prescription"),
    ],
)
def test_folic_acid_intended_is_not_started(text: str) -> None:
    assert extract(text).folic_acid_started is None


def test_folic_acid_taken_is_still_started() -> None:
    assert extract("she is on folic acid 5 mg od since Monday").folic_acid_started == "yes"


# --------------------------------------------------------------------------- HAZ-078


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        pytest.param("on trimethoprim prophylaxis for years", "antifolate_medication", id="tmp"),
        pytest.param("had co-trimoxazole for a month", "antifolate_medication", id="cotrim"),
        pytest.param("lives alone, poor intake", "dietary", id="poor-intake"),
        pytest.param("frail, eats little", "dietary", id="eats-little"),
        pytest.param("GP says it's because of her diet", "dietary", id="because-of-diet"),
        pytest.param("a bottle of wine each night", "alcohol", id="wine-nightly"),
        pytest.param("his folate is low from the drink", "alcohol", id="from-the-drink"),
        pytest.param("short bowel after surgery", "malabsorption", id="short-bowel"),
        pytest.param("jejunal resection in 2019", "malabsorption", id="jejunal-resection"),
    ],
)
def test_lay_and_less_common_causes(text: str, cause: str) -> None:
    assert cause in extract(text).causes


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("she keeps away from alcohol", id="abstains"),
        pytest.param("headaches from drinking coffee", id="coffee"),
        pytest.param("not on trimethoprim", id="negated"),
    ],
)
def test_words_near_a_cause_that_are_not_one(text: str) -> None:
    assert extract(text).causes == ()


# --------------------------------------------------------------------------- HAZ-079


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("My father has pernicious anaemia. My B12 is 300 ng/L.", id="father-pa"),
        pytest.param("my sister has coeliac; my own folate is 2.4 ug/L", id="sister-coeliac"),
    ],
)
def test_a_relatives_cause_is_family_history_when_the_writer_is_the_patient(text: str) -> None:
    facts = extract(text)
    assert facts.causes == ()
    assert [m.experiencer for m in facts.cause_mentions] == ["other"]


def test_a_carer_describing_the_patient_keeps_the_cause() -> None:
    facts = extract("My dad has pernicious anaemia and his B12 is 95 ng/L")
    assert facts.causes == ("pernicious_anaemia",)
