"""Results of tests this bot does not use, named back without holding the plan (HAZ-140).

"my iron is 7", "ferritin 12", "vit D 30": no fact of any topic takes these, so the extractor
reads nothing and they used to be dropped in silence. They are named back ("I read iron 7, but
this bot does not use iron results") with a ``b12.unused_results`` payload. A refused value of
a fact the plan does use (``b12.invalid_facts``) holds the plan until it is corrected; these
never do, because no plan depends on them.

Tests the bot reads in some context (haemoglobin, platelets, white cells, B12, folate, MMA) are
not listed: their values are the extractor's to take or refuse.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.engine import audience_of, entity_values, message_text, send
from guideline_engine.extraction.text import clean_text, normalise
from guideline_engine.render.messages import messages
from guideline_engine.render.reply import render_notice

UNUSED_RESULTS_TYPE = "b12.unused_results"
_TESTS: tuple[tuple[str, str], ...] = (
    ("iron", r"(?:serum\s+)?iron"),
    ("ferritin", r"(?:serum\s+)?ferritin"),
    ("transferrin saturation", r"transferrin\s+sat(?:uration)?|tsat"),
    ("vitamin D", r"vit(?:amin)?\.?\s*d3?"),
    ("TSH", r"tsh"),
    ("T4", r"(?:free\s+)?t4|ft4"),
    ("HbA1c", r"hba1c|a1c"),
    ("glucose", r"(?:blood\s+)?(?:glucose|sugars?)"),
    ("creatinine", r"creatinine"),
    ("eGFR", r"e?gfr"),
    ("cholesterol", r"cholesterol"),
    ("PSA", r"psa"),
    ("CRP", r"crp"),
    ("ESR", r"esr"),
    ("MCV", r"mcv"),
    ("calcium", r"calcium"),
    ("potassium", r"potassium"),
    ("sodium", r"sodium"),
    ("magnesium", r"magnesium"),
    ("zinc", r"zinc"),
)
"""(name as said back, pattern) of blood tests that no topic of this bot uses."""
_LINK = (
    r"(?:\s+(?:level|levels|result|results|reading))?"
    r"(?:\s*(?:is|was|are|were|of|at|came\s+back(?:\s+at)?|=|:|-)\s*|\s+)"
    r"(?:(?:only|just|about|around)\s+)?"
)
_UNIT = r"\s*(?:(?:ng|ug|µg|mcg|nmol|pmol|umol|µmol|mmol|mg|g|iu|miu|mu)\s*/\s*(?:l|ml|dl|mol)|%)"
_NOT_A_RESULT_AFTER = re.compile(
    r"\s*(?:mg|mcg|µg|ug|g|iu|units?|tablets?|tabs?|x|times|years?|yrs?|months?|weeks?|days?|"
    r"hours?|am|pm)\b(?!\s*/)"
)
"""A dose, a count or a time after the number ("vitamin d 1000 iu", "iron 7 years ago")."""
_TAKEN = re.compile(
    r"\b(?:take|takes|taking|took|on|started|prescribed|supplements?)\s+(?:\w+\s+)?$"
)
"""Words before the test that make it a medicine taken, not a result ("taking iron 200")."""


@dataclass(frozen=True)
class UnusedResult:
    """One result of a test the bot does not use, as read."""

    test: str
    value: str

    def words(self) -> str:
        """E.g. ``iron 7`` or ``ferritin 12 ug/l``."""
        return f"{self.test} {self.value}"

    def to_dict(self) -> dict[str, str]:
        """``{test, value}``."""
        return {"test": self.test, "value": self.value}


@cache
def _pattern() -> re.Pattern[str]:
    names = "|".join(f"(?P<t{i}>{rx})" for i, (_, rx) in enumerate(_TESTS))
    return re.compile(
        rf"(?<![a-z0-9])(?:{names})(?![a-z0-9]){_LINK}"
        rf"(?P<num>\d+(?:\.\d+)?)(?![\d.]?\d)(?P<unit>{_UNIT})?"
    )


def unused_results(text: str) -> tuple[UnusedResult, ...]:
    """Results of tests no topic uses, in text order, each once."""
    low = normalise(clean_text(text))
    out: list[UnusedResult] = []
    for m in _pattern().finditer(low):
        if m["unit"] is None and _NOT_A_RESULT_AFTER.match(low, m.end("num")):
            continue
        if _TAKEN.search(low, 0, m.start()):
            continue
        index = next(int(k[1:]) for k, v in m.groupdict().items() if k[0] == "t" and v)
        value = m["num"] + (f" {m['unit'].strip()}" if m["unit"] else "")
        found = UnusedResult(_TESTS[index][0], value)
        if found not in out:
            out.append(found)
    return tuple(out)


def _joined(words: list[str], last: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def name_unused_results(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Name back results of tests the bot does not use; the plan goes on without them.

    Nothing is said for a message in another language (its facts are not read at all).
    """
    if entity_values(tracker, "language"):
        return
    found = unused_results(message_text(tracker))
    if not found:
        return
    tests = list(dict.fromkeys(r.test for r in found))
    text = (
        messages()
        .text("unused_results")
        .format(values=_joined([r.words() for r in found], "and"), tests=_joined(tests, "or"))
    )
    payload = {
        "type": UNUSED_RESULTS_TYPE,
        "results": [r.to_dict() for r in found],
        "plan_held": False,
    }
    audience = audience_of(tracker)
    send(dispatcher, render_notice("notice", (text,), payload, audience, topic=None))
