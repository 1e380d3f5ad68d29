"""Session 12 reading fixes (HAZ-200), from review 11b's leftovers and the blind
first_messages9_dev set. Sentences are our own wording, not copies of the blind set."""

from __future__ import annotations

import pytest

from guideline_engine.extraction import extract


@pytest.mark.parametrize(
    ("text", "causes"),
    [
        # a denial does not run on through a comma into another cause
        ("40F, no alcohol, vegan, b12 110", ("dietary",)),
        ("vegan, no alcohol", ("dietary",)),
        # ... unless the list is one denied "or" list
        ("no alcohol, metformin, PPI or bariatric surgery", ()),
        ("denies alcohol, metformin or ppi use, vegan", ("dietary",)),
        # lay and shorthand wordings of causes
        ("had wls 2 years ago", ("bariatric_surgery",)),
        ("I had part of my stomach removed in 2010", ("malabsorption",)),
        ("been living on toast and pot noodles", ("dietary",)),
        ("72M, alcohol ++, folate low", ("alcohol",)),
        ("drinks about 50 units a week", ("alcohol",)),
        ("drinks 8 units a week", ()),
    ],
)
def test_session_12_causes(text: str, causes: tuple[str, ...]) -> None:
    assert tuple(sorted(extract(text).causes)) == tuple(sorted(causes))


@pytest.mark.parametrize(
    ("text", "route"),
    [
        ("keen on oral rather than IM if possible", "oral"),
        ("i'd rather tablets than jabs", "oral"),
        ("I'd much prefer the injections rather than tablets", "intramuscular"),
        ("not keen on tablets if possible", None),
    ],
)
def test_session_12_route_preferences(text: str, route: str | None) -> None:
    assert extract(text).route_preference == route


@pytest.mark.parametrize(
    ("text", "length"),
    [
        ("they removed the last bit of my small bowel (the ileum), about 40cm", 40.0),
        ("bowel taken out years ago (end of the small intestine, 35cm they said)", 35.0),
        ("small bowel obstruction last year, a 4cm polyp removed", None),
    ],
)
def test_session_12_a_length_said_after_the_part(text: str, length: float | None) -> None:
    assert extract(text).ileal_resection_cm == length


def test_a_friends_deficiency_does_not_override_the_writers_normal_b12() -> None:
    text = "My colleague's son had B12 deficiency last year. I'm 18 weeks and my B12 is normal."
    assert extract(text).b12_status == "normal"


def test_a_relatives_deficiency_in_a_carers_message_is_the_patients() -> None:
    assert extract("My wife is 66 and has B12 deficiency from her metformin").b12_status == "low"


def test_someone_elses_normal_word_never_classes_the_writers_result() -> None:
    text = "My B12 came back at 190 pg/mL and I've started injections. My husband's B12 is fine."
    assert extract(text).b12_status != "normal"


def test_a_result_of_last_week_is_the_current_one() -> None:
    facts = extract("bloods last week: folate 7.1 ug/L, B12 420 ng/L")
    assert (facts.folate_status, facts.b12_status) == ("normal", "normal")


def test_a_question_in_the_next_clause_does_not_doubt_a_stated_deficiency() -> None:
    assert extract("pregnant with B12 deficiency, which tablets are safe?").b12_status == "low"
    assert extract("is it b12 deficiency?").b12_status is None


# Review 12: what the first versions of this session's changes got wrong.
@pytest.mark.parametrize(
    "text",
    [
        "b12 normal, folate 6.1 ug/L, flagged as low",
        "folate 6.1 ug/L L, b12 normal",
        "b12 normal, folate 6.1 ug/L, they said borderline",
        "Folate 8.2 ug/L on FA 5mg od for 3 months, B12 400 ng/L",
        "folate 9 ug/L after 4 months of treatment",
        "I take methylfolate daily, folate 12 ug/L",
        "erythrocyte folate 120 ug/L",
    ],
)
def test_review_12_a_folate_number_said_or_taken_otherwise_is_not_normal(text: str) -> None:
    assert extract(text).folate_status != "normal"


@pytest.mark.parametrize(
    ("text", "causes"),
    [
        ("No hx of gastrectomy, ileal resection. B12 120 ng/L", ()),
        ("Nil PPI, metformin, colchicine. B12 95 ng/L", ()),
        ("denies alcohol, metformin use", ()),
        ("38M, no fixed abode, heavy drinker.", ("alcohol",)),
        ("I drink less than 20 units a week", ()),
        ("used to drink 60 units a week but stopped 10 years ago", ()),
        ("alcohol 10-15 units/wk", ()),
    ],
)
def test_review_12_denied_lists_and_units(text: str, causes: tuple[str, ...]) -> None:
    assert tuple(sorted(extract(text).causes)) == causes


@pytest.mark.parametrize(
    "text",
    [
        "They removed part of my small bowel last year, I'm 160cm and weigh 50kg",
        "they removed 20cm of my large bowel, the ileum was fine",
        "they cut out part of my ileum, the scar is about 10cm long",
    ],
)
def test_review_12_a_height_scar_or_other_organ_is_no_resected_length(text: str) -> None:
    assert extract(text).ileal_resection_cm is None


def test_review_12_a_carers_stated_result_is_kept() -> None:
    assert extract("my husband's B12 is low, I'm not sure what he should take").b12_status == "low"
