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
