"""No folic acid from a reference range or an old number, end to end through the NLU component.

HAZ-059, found by an independent review (session 5): a B12 value just inside its laboratory's
range was classed normal and folic acid planned; an old folate number was classed low though
the message said it is normal now, or gave a newer value.
"""

from __future__ import annotations

import pytest

from components.clinical_extractor import entities_for_text
from guideline_engine.facts import facts_from_values
from guideline_engine.topics.decide import decide, fact_view
from guideline_engine.topics.model import TablePlan
from guideline_engine.topics.registry import topics


@pytest.mark.parametrize(
    "text",
    [
        "folate 2.1 ug/L in 2019, now 8 ug/L. B12 normal",
        "folate was 2.1 ug/L last year, now normal. B12 normal",
    ],
)
def test_no_folic_acid_from_a_range_or_an_old_number(text: str) -> None:
    """HAZ-059: found by an independent review; each gave a folic acid plan."""
    values = {e["entity"]: e["value"] for e in entities_for_text(text)}
    read = facts_from_values(values).facts
    result = decide(topics().get("folate"), fact_view(values, read), read, ())
    cited = result.snippet_ids() if isinstance(result, TablePlan) else ()
    assert "folate.treatment.oral_folic_acid" not in cited


@pytest.mark.parametrize(
    "text",
    [
        "folate low, b12 200 ng/L (ref range 187-883)",
        "b12 190 pg/ml (range 180-900), folate 2.0 ng/ml",
    ],
)
def test_b12_inside_its_range_but_in_the_ng239_grey_zone_goes_b12_first(text: str) -> None:
    """HAZ-059 and HAZ-064: a B12 value just inside its laboratory's range is never normal; by
    NICE NG239's bands (180-350 ng/L) it is indeterminate, so the B12 answer comes first and
    folic acid only after it, as for a B12 stated borderline."""
    values = {e["entity"]: e["value"] for e in entities_for_text(text)}
    assert values.get("b12_status") == "indeterminate"
    read = facts_from_values(values).facts
    result = decide(topics().get("folate"), fact_view(values, read), read, ())
    assert isinstance(result, TablePlan) and result.defer_to == "b12"
    assert "folate.before.b12_low_treat_b12_first" in result.snippet_ids()
