"""A number that answers the bot's open question about a test (HAZ-141).

After "Has your vitamin B12 level been checked too?" (the folate table's missing ``b12_status``)
the reply "yes it was 140" or "yes, 140 ng/L" names no test, so the extractor read no B12
value and the question came back again and again. A reply that is only a number (after "yes",
"it was" and the like) is read as the asked test's value, by the extractor itself with the
test's name put in front, so units, classing and refusals are the extractor's, never guessed.
"""

from __future__ import annotations

import re
from typing import Any

from rasa_sdk import Tracker

from actions.engine import entity_values, message_text
from guideline_engine.extraction import extract
from guideline_engine.extraction.text import clean_text

_ASKED_TEST = {"b12_status": ("B12", "b12"), "folate_status": ("folate", "folate")}
"""Pending question -> (test name the extractor reads, the Extraction attribute of its value)."""
_OPENING = re.compile(
    r"^(?:\s*(?:yes|yeah|yep|yup|ya|it|its|it's|that|was|is|has|been|checked|came|back|at|"
    r"the|result|level|done)\b[\s,.:;!-]*)*(?=\d)",
    re.IGNORECASE,
)
"""Words before the number of a reply that only gives a value ("yes it was 140")."""
_ONLY_A_VALUE = re.compile(
    r"^(?!(?:19|20)\d\d\b)(?!\d{1,2}[.:]\d\d\b)"
    r"\d{1,4}(?:[.,]\d)?\s*(?:(?:ng|pg|pmol|nmol|ug|µg|mcg)\s*/\s*(?:l|ml|dl))?\s*[.!]?\s*$",
    re.IGNORECASE,
)
"""What may follow the opening: one number and at most its unit ("140", "140 ng/L"). A date,
a year, a clock time, a range, a phone number, another test's name or a dose ("yes 140
platelets", "12/03/2024", "it was 2023", "at 9.30", "140 to 200", "07700 900123", "140 mg") is no
answer (review of session 9, finding 1)."""
_TEST_ENTITIES = ("b12_level", "b12_status", "folate_level", "folate_status", "invalid_value")


def pending_test_answer(tracker: Tracker) -> dict[str, Any]:
    """Slot values for a reply that is only the asked test's number, else ``{}``.

    Keys: ``<test>_level`` (as the extractor displays it), ``<test>_status`` when the value
    is classed, and ``value_problems`` (this value's refusals, ``{field, problem}``) when the
    extractor refused it, which then holds the plan as any refused value does.
    """
    asked = _ASKED_TEST.get(str(tracker.get_slot("pending_question")))
    if asked is None or any(entity_values(tracker, e) for e in _TEST_ENTITIES):
        return {}
    text = clean_text(message_text(tracker))
    opening = _OPENING.match(text)
    if opening is None or not _ONLY_A_VALUE.match(text[opening.end() :]):
        return {}
    name, kind = asked
    facts = extract(f"{name} {text[opening.end() :]}")
    lab, status = getattr(facts, kind), getattr(facts, f"{kind}_status")
    problems = [
        {"field": p.field, "problem": p.problem}
        for p in facts.value_problems
        if p.field.startswith(kind)
    ]
    out: dict[str, Any] = {}
    if lab is not None:
        out[f"{kind}_level"] = lab.display()
    if status is not None and (lab is not None or problems):
        out[f"{kind}_status"] = status
    if problems:
        out["value_problems"] = problems
    return out
