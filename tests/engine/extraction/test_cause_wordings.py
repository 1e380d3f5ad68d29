"""Lay and shorthand wordings of a cause, and their assertions (issue 10, causes).

Each class of wording added to ``vocab/causes.yml``, ``content/folate/vocab.yml``,
``vocab/antibodies.yml`` or ``vocab/negation.yml`` is tested here with sentences written for
this file (never evaluation sentences): the wording is read as the cause about the patient,
and the same wording about someone else, negated, asked about or meaning something else is
not.
"""

from __future__ import annotations

from typing import Any

import pytest

from guideline_engine.extraction import extract


def _findings(text: str, finding_id: str) -> list[dict[str, Any]]:
    return [f for f in extract(text).findings_as_dicts() if f["id"] == finding_id]


def _assertion(text: str, finding_id: str) -> tuple[str, str, str]:
    found = _findings(text, finding_id)
    assert len(found) == 1, found
    f = found[0]
    return str(f["certainty"]), str(f["experiencer"]), str(f["time"])


# --------------------------------------------------------------------------- dietary


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("My gran barely eats since the winter, folate 2.6", id="barely-eats"),
        pytest.param("he hardly eats and looks thin, b12 160", id="hardly-eats"),
        pytest.param("She eats poorly, living alone. Folate low.", id="eats-poorly"),
        pytest.param("Mum doesn't eat much these days, B12 170", id="doesnt-eat-much"),
        pytest.param("72M, poor food intake, folate 2.1 ug/L", id="poor-food-intake"),
        pytest.param("He lives on crisps and fizzy drinks. Folate 2.4", id="lives-on-crisps"),
        pytest.param("student living on noodles, folate 2.8 ug/L", id="living-on-noodles"),
        pytest.param("I live on ready meals, B12 is 160", id="live-on-ready-meals"),
        pytest.param("my lad is a picky eater, folate came back low", id="picky-eater"),
        pytest.param("16F with an eating disorder, folate 2.2", id="eating-disorder"),
        pytest.param("known anorexia nervosa, B12 140 ng/L", id="anorexia-nervosa"),
        pytest.param("ARFID, 12M, folate 2.5 ug/L", id="arfid"),
        pytest.param("restricted eating for a year, B12 150", id="restricted-eating"),
    ],
)
def test_lay_poor_diet_wording_is_dietary(text: str) -> None:
    assert "dietary" in extract(text).causes


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("86F, lives on her own, folate 2.3 ug/L", id="lives-on-her-own"),
        pytest.param("He lives on a farm, B12 180 ng/L", id="lives-on-a-farm"),
        pytest.param("lives on the third floor, B12 150", id="lives-on-a-floor"),
        pytest.param(
            "flu for three days, hardly eating or drinking, B12 300", id="acute-poor-intake"
        ),
        pytest.param("dad's gone off his food with a temperature", id="off-his-food"),
    ],
)
def test_wording_that_is_not_about_diet_is_not_dietary(text: str) -> None:
    assert "dietary" not in extract(text).causes


def test_negated_fussy_eater_is_not_dietary() -> None:
    text = "she is not a fussy eater, eats everything. Folate 2.5"
    assert "dietary" not in extract(text).causes
    assert _assertion(text, "dietary")[0] == "negated"


def test_relatives_eating_disorder_set_apart_by_the_writer_is_someone_elses() -> None:
    text = "my sister has an eating disorder, I don't. My B12 is 150"
    assert "dietary" not in extract(text).causes
    assert _assertion(text, "dietary")[1] == "other"


def test_asked_about_picky_eating_is_hypothetical() -> None:
    text = "if a toddler is a picky eater should they take folic acid?"
    assert "dietary" not in extract(text).causes
    assert _assertion(text, "dietary")[0] == "hypothetical"


# --------------------------------------------------------------------------- alcohol


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("55M, alcohol dependent, folate 1.8 ug/L", id="alcohol-dependent"),
        pytest.param("chronic alcohol use, MCV 112, folate 2.0", id="chronic-alcohol-use"),
        pytest.param("history: alcohol use disorder. Folate 2.2", id="alcohol-use-disorder"),
        pytest.param("he has a drinking problem, folate 2.4", id="drinking-problem"),
        pytest.param("has about three pints a night, folate 2.9", id="pints-a-night"),
        pytest.param("I drink a fair bit at weekends, folate is 2.6", id="drink-a-fair-bit"),
        pytest.param("she drinks most nights, folate low", id="drinks-most-nights"),
        pytest.param("I've been drinking more than I should, folate 2.7", id="more-than-i-should"),
        pytest.param("four cans a day, folate 2.1 ug/L", id="cans-a-day"),
    ],
)
def test_lay_and_clinical_alcohol_wording_is_alcohol(text: str) -> None:
    assert "alcohol" in extract(text).causes


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("I drink a lot of water, folate 2.6", id="water"),
        pytest.param("she drinks a lot of tea, B12 170", id="tea"),
        pytest.param("drinking too much coffee lately, folate 2.4", id="coffee"),
    ],
)
def test_drinking_other_things_is_not_alcohol(text: str) -> None:
    assert "alcohol" not in extract(text).causes


def test_negated_excessive_alcohol_is_not_alcohol() -> None:
    text = "no excessive alcohol, folate 2.3 ug/L"
    assert "alcohol" not in extract(text).causes
    assert _assertion(text, "alcohol")[0] == "negated"


def test_partners_drinking_problem_set_apart_by_the_writer_is_someone_elses() -> None:
    text = "my husband has a drinking problem, I don't. My folate is 2.5"
    assert "alcohol" not in extract(text).causes
    assert _assertion(text, "alcohol")[1] == "other"


def test_asked_about_alcohol_dependence_is_hypothetical() -> None:
    text = "if someone is alcohol dependent do they need more folic acid?"
    assert "alcohol" not in extract(text).causes
    assert _assertion(text, "alcohol")[0] == "hypothetical"


def test_past_alcohol_dependence_is_read_as_historical() -> None:
    text = "previously alcohol dependent, folate 2.4"
    assert _assertion(text, "alcohol")[2] == "historical"


# --------------------------------------------------------------------------- surgery


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("62F, Whipple procedure 2021, B12 140", id="whipple-procedure"),
        pytest.param("post-Whipple, B12 150 ng/L", id="post-whipple"),
        pytest.param("pancreaticoduodenectomy last year, B12 130", id="pancreaticoduodenectomy"),
    ],
)
def test_whipple_operation_is_malabsorption(text: str) -> None:
    assert "malabsorption" in extract(text).causes


def test_whipples_triad_is_not_malabsorption() -> None:
    assert "malabsorption" not in extract("Whipple's triad was met, B12 300").causes


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("Sleeve in 2019, 41F, B12 160 ng/L", id="sleeve-in-year"),
        pytest.param("I had a sleeve three years ago, b12 low", id="had-a-sleeve"),
        pytest.param("s/p sleeve, B12 170", id="s-p-sleeve"),
        pytest.param("VSG 2018, B12 150", id="vsg"),
    ],
)
def test_sleeve_operation_is_bariatric_surgery(text: str) -> None:
    assert "bariatric_surgery" in extract(text).causes


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("I had my sleeve rolled up for the jab, B12 200", id="rolled-up"),
        pytest.param("push your sleeve up for the injection", id="sleeve-up"),
        pytest.param("my sleeve in the way of the needle", id="in-the-way"),
    ],
)
def test_a_clothing_sleeve_is_not_bariatric_surgery(text: str) -> None:
    assert "bariatric_surgery" not in extract(text).causes


def test_sleeve_gastrectomy_is_bariatric_not_also_malabsorption() -> None:
    assert extract("had a sleeve gastrectomy in 2017, B12 140").causes == ("bariatric_surgery",)


def test_relatives_sleeve_set_apart_by_the_writer_is_someone_elses() -> None:
    text = "my sister had a sleeve, I didn't. My B12 is 170"
    assert "bariatric_surgery" not in extract(text).causes
    assert _assertion(text, "bariatric_surgery")[1] == "other"


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("part of her ileum was removed for a stricture", id="ileum-was-removed"),
        pytest.param("he had the end of his ileum taken out as a baby", id="ileum-taken-out"),
    ],
)
def test_lay_ileal_resection_wording_is_ileal_resection(text: str) -> None:
    assert "ileal_resection" in extract(text).causes


def test_planned_ileal_resection_is_hypothetical() -> None:
    text = "planning to have the terminal ileum removed next month, B12 400"
    assert "ileal_resection" not in extract(text).causes
    assert _assertion(text, "ileal_resection")[0] == "hypothetical"


# --------------------------------------------------------------------------- PA assertions


@pytest.mark.parametrize(
    ("text", "certainty"),
    [
        pytest.param("B12 120 ng/L, PA screen awaited", "possible", id="awaited"),
        pytest.param("PA screen sent today, B12 150", "possible", id="sent"),
        pytest.param("pernicious anaemia test negative, B12 170", "negated", id="negative"),
        pytest.param("PA antibodies negative, B12 160", "negated", id="antibodies-negative"),
    ],
)
def test_a_pa_screen_without_a_positive_result_is_not_pa(text: str, certainty: str) -> None:
    facts = extract(text)
    assert "pernicious_anaemia" not in facts.causes
    assert _assertion(text, "pernicious_anaemia_screen")[0] == certainty
    assert not _findings(text, "pernicious_anaemia")


def test_a_positive_pa_screen_is_pa() -> None:
    assert "pernicious_anaemia" in extract("PA screen came back positive, B12 110").causes


def test_a_pa_screen_with_no_result_is_no_finding() -> None:
    text = "should I request a PA screen? B12 150"
    assert "pernicious_anaemia" not in extract(text).causes


def test_a_message_headed_as_a_query_still_affirms_pa() -> None:
    text = "Pharmacist query: 70M with PA, B12 180 ng/L, no neuro symptoms"
    assert "pernicious_anaemia" in extract(text).causes
    assert _assertion(text, "pernicious_anaemia")[0] == "affirmed"


def test_query_before_pa_is_still_possible() -> None:
    text = "query PA, B12 150 ng/L"
    assert "pernicious_anaemia" not in extract(text).causes
    assert _assertion(text, "pernicious_anaemia")[0] == "possible"


@pytest.mark.parametrize(
    ("text", "cause"),
    [
        pytest.param("Pt's mother has PA. B12 200 ng/L", "pernicious_anaemia", id="pts-mother"),
        pytest.param(
            "patient's brother has coeliac disease, B12 210", "malabsorption", id="patients-brother"
        ),
    ],
)
def test_the_patients_relative_in_shorthand_is_someone_else(text: str, cause: str) -> None:
    assert cause not in extract(text).causes
    assert _assertion(text, cause)[1] == "other"


@pytest.mark.parametrize(
    "text",
    [
        "gp query: PA?",
        "query from GP about PA",
        "anorexia and weight loss for a month",
        "had my sleeve shortened at the tailor",
        "drinks quite a lot of juice",
        "drinking too much tea lately",
        "drinks every night a glass of milk",
    ],
)
def test_review_seven_false_causes(text: str) -> None:
    """Independent review, session 7 (F7): these name no cause of the patient's."""
    assert extract(text).causes == ()


def test_a_spouse_reporting_the_patients_symptom_keeps_it_the_patients() -> None:
    """Independent review, session 7 (F7): "pt's wife says he has numbness" is his."""
    assert extract("pt's wife says he has numbness in his feet").neurological_involvement == "yes"
