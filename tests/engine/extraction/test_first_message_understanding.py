"""First-message understanding: pregnancy negation, audience from clinician style, values.

Sentences here are written for these tests; none is copied from an evaluation set.
"""

from __future__ import annotations

import pytest

from guideline_engine.extraction import extract
from guideline_engine.extraction.extract import stated_audience
from guideline_engine.triage import assess


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("47F, non-pregnant, B12 120 ng/L", id="non-hyphen"),
        pytest.param("nonpregnant woman of 33 with a low B12", id="nonpregnant"),
        pytest.param("she is not pregnant and B12 is 140", id="not"),
        pytest.param("bHCG neg, B12 150 ng/L, 29F", id="bhcg-neg"),
        pytest.param("pregnancy ruled out, B12 low", id="ruled-out"),
        pytest.param(
            "ignore the pregnant woman I mentioned - the next one is 41F, not pregnant, B12 99",
            id="switch-of-patient",
        ),
    ],
)
def test_denied_pregnancy_never_reads_as_pregnant(text: str) -> None:
    # Hazard: "non-pregnant" and a pregnancy of a previous patient were read as pregnant,
    # which closes the plan behind the pregnancy gate and raises false urgent triage.
    assert extract(text).pregnant == "no"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("not pregnant, B12 100, tingling in both hands for a week", id="not"),
    ],
)
def test_denied_pregnancy_raises_no_pregnancy_red_flag(text: str) -> None:
    flags = [f.id for f in assess(text).red_flags]
    assert not [f for f in flags if "pregnan" in f]


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("30F, 16 weeks pregnant, B12 130", id="weeks"),
        pytest.param("new patient: 28F, pregnant, B12 low", id="after-reset"),
        pytest.param("she is pregnant and not breastfeeding", id="mixed-cues"),
    ],
)
def test_stated_pregnancy_still_reads_as_pregnant(text: str) -> None:
    assert extract(text).pregnant == "yes"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("72M, Hb 96, MCV 114, B12 88 ng/L, no neuro", id="age-sex-and-labs"),
        pytest.param("pt with PA, B12 low, numb toes", id="pt"),
        pytest.param("Practice pharmacist: 60F on metformin, B12 150 ng/L", id="role-opener"),
        pytest.param("referred with B12 of 100 and low folate", id="referred"),
        pytest.param("3/12 fatigue, IF Ab +ve, 48F", id="duration-and-antibody"),
        pytest.param("68-year-old retired man, plt 90, B12 low", id="case-report"),
    ],
)
def test_clinician_shorthand_alone_never_sets_the_audience(text: str) -> None:
    # Style is not a statement: only metadata, words ("I'm a GP") or a button set the audience,
    # since a patient read as a clinician would be shown doses (HAZ-010).
    assert extract(text).audience is None


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("38F, B12 low, tablets or jabs?", id="one-marker-only"),
        pytest.param("b12 140, on a ppi for years, 58m, no symptoms", id="lower-case-shorthand"),
        pytest.param("33F here, Hb 120, MCV 101, my feet tingle", id="first-person"),
        pytest.param("Hb 105, MCV 110, I'm 44F, B12 low", id="first-person-contracted"),
        pytest.param("Mum 79F, Hb 99, MCV 108, B12 low", id="relative"),
        pytest.param("my GP: B12 low, Hb 110, 50F", id="my-gp-is-not-a-role-opener"),
        pytest.param("b12 low. numb? no. 27 f. oral ok?", id="sms"),
    ],
)
def test_patient_wording_is_never_inferred_as_clinician(text: str) -> None:
    # Hazard: a patient read as a clinician would be shown doses and schedules.
    assert extract(text).audience != "clinician"


def test_stated_audience_ignores_style() -> None:
    assert stated_audience("72M, Hb 96, MCV 114, no neuro") is None
    assert stated_audience("I'm a GP, 72M, Hb 96") == "clinician"


@pytest.mark.parametrize(
    ("text", "age"),
    [
        pytest.param("I'm 63, female, B12 low", 63, id="comma-after-age"),
        pytest.param("B12 came back low. I'm 47. Exhausted.", 47, id="full-stop-after-age"),
        pytest.param("my grandma is 88 and her B12 is low", 88, id="relative-is"),
        pytest.param("My husband (71) has low B12", 71, id="relative-bracket"),
        pytest.param("aged 45.5 cm", None, id="decimal-is-not-an-age"),
    ],
)
def test_ages_in_lay_words(text: str, age: int | None) -> None:
    assert extract(text).age == age


@pytest.mark.parametrize(
    ("text", "value", "unit"),
    [
        pytest.param("B12 presently 280 ng/L", 280.0, "ng/L", id="presently"),
        pytest.param("her B12 is fine (410)", 410.0, None, id="status-then-bracket"),
        pytest.param("B12 is low, 140 ng/L", 140.0, "ng/L", id="comma-with-unit"),
        pytest.param("B12 has come back at 95 pmol/L", 95.0, "pmol/L", id="come-back"),
    ],
)
def test_b12_values_in_free_wording(text: str, value: float, unit: str | None) -> None:
    b12 = extract(text).b12
    assert b12 is not None
    assert (b12.value, b12.unit) == (value, unit)


def test_a_number_after_a_comma_without_a_unit_is_not_a_b12_value() -> None:
    # "B12 low, 45F": the 45 is an age, not a level.
    e = extract("B12 low, 45F, vegan")
    assert e.b12 is None
    assert e.age == 45


@pytest.mark.parametrize(
    ("text", "status"),
    [
        pytest.param("B12 fine, folate low", "normal", id="fine"),
        pytest.param("her B12 is ok", "normal", id="ok"),
        pytest.param("B12 and folate are both low", "low", id="both-low"),
        pytest.param("B12 extremely low", "low", id="intensifier"),
        pytest.param("is it ok B12 tablets hurt?", None, id="ok-before-is-not-a-status"),
    ],
)
def test_b12_status_words(text: str, status: str | None) -> None:
    assert extract(text).b12_status == status


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        pytest.param(
            "on carbamazepine since childhood, B12 low", "medication", id="anticonvulsant"
        ),
        pytest.param("uses nitrous at parties, legs numb", "medication", id="nitrous"),
        pytest.param("widower living on tea and toast, B12 low", "dietary", id="tea-and-toast"),
        pytest.param("malnourished after a long illness", "dietary", id="malnourished"),
    ],
)
def test_cause_wording(text: str, cause: str) -> None:
    assert cause in extract(text).causes


def test_negated_cause_wording_is_not_a_cause() -> None:
    assert "dietary" not in extract("she is not malnourished").causes


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("B12 low and memory complaints for a year", id="memory-complaints"),
        pytest.param("he has started shuffling and falls a lot", id="shuffling"),
        pytest.param("my sight went blurry last month", id="went-blurry"),
        pytest.param("she gets muddled in the evenings", id="muddled"),
    ],
)
def test_neurological_wording_sets_involvement(text: str) -> None:
    assert extract(text).neurological_involvement == "yes"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("could we switch to oral?", id="switch"),
        pytest.param("B12 low, tablets ok?", id="tablets-ok"),
    ],
)
def test_oral_route_wording(text: str) -> None:
    assert extract(text).route_preference == "oral"
