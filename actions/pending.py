"""A number that answers the bot's open question about a test (HAZ-141).

After "Has your vitamin B12 level been checked too?" (the folate table's missing ``b12_status``)
the reply "yes it was 140" or "yes, 140 ng/L" names no test, so the extractor read no B12
value and the question came back again and again. A reply that is only a number (after "yes",
"it was" and the like) is read as the asked test's value, by the extractor itself with the
test's name put in front, so units, classing and refusals are the extractor's, never guessed.
Any other reply with a number ("yes it was 140 mg", "over 200", "140 or maybe 410") is not read;
its value is named back as written (:func:`unread_answer`, HAZ-164) and the question comes again.
A reply that gives a dose or a treatment ("1000 micrograms daily", "I'm on B12 injections") is
not repeated to a patient, who never sees doses: the notice says what kind of reply it was
(review 10, M5). A phone number in a reply is never repeated (review 10, L6).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from rasa_sdk import Tracker

from actions.engine import entity_values, message_text
from guideline_engine.extraction import extract
from guideline_engine.extraction.text import clean_text

_ASKED_TEST = {"b12_status": ("B12", "b12"), "folate_status": ("folate", "folate")}
"""Pending question -> (test name the extractor reads, the Extraction attribute of its value)."""
_OPENING = re.compile(
    r"^(?:\s*(?:yes|yeah|yep|yup|ya|it's|its|it|that|was|is|has|been|checked|came|back|at|"
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
_LEAD_WORDS = re.compile(_OPENING.pattern.removesuffix("(?=\\d)"), re.IGNORECASE)
"""The opening words without the number after them ("yes it was " of "yes it was over 200")."""
_MAX_NAMED = 60
"""Characters of a reply named back at most (a long message is cut, with "...")."""
_DOSE_OR_SCHEDULE = re.compile(
    r"\d\s*(?:mg|mcg|µg|ug|micrograms?|milligrams?|units?|iu|ml)(?![a-z])|"
    r"(?<![a-z])(?:daily|weekly|monthly|fortnightly|nightly|a\s+day|a\s+week|a\s+month|"
    r"per\s+(?:day|week|month)|each\s+(?:day|week|month)|every\s+(?:\d+|other|day|week|month)|"
    r"times\s+a|once\s+a|twice\s+a|for\s+life|injections?|jabs?|shots?|tablets?|tabs|"
    r"capsules?|supplements?|spray|doses?|hydroxocobalamin|cyanocobalamin|folic\s+acid|"
    r"prescribed|taking|take|takes)(?![a-z])",
    re.IGNORECASE,
)
"""A reply that gives a dose, a schedule or a treatment, not a test result."""
_B12_TREATED = re.compile(
    r"(?<![a-z])(?:(?:on|taking|having|have|get|getting|gets|started|starting|been\s+on|"
    r"prescribed)\s+(?:\w+\s+){0,3}?(?:b\s*-?12|hydroxocobalamin|cyanocobalamin|"
    r"(?:b\s*-?12\s+)?(?:injections?|jabs?|shots?))|"
    r"(?:b\s*-?12|hydroxocobalamin|cyanocobalamin)\s+(?:injections?|jabs?|shots?|tablets?|"
    r"supplements?|spray))(?![a-z])",
    re.IGNORECASE,
)
"""A reply saying B12 is being treated ("I'm on B12 injections", "yes, having jabs")."""
_PHONE = re.compile(r"(?<![\d/.:])\+?\d(?:[\s-]?\d){8,}(?![\d/])")
"""A run of nine digits or more, spaces or dashes between: a phone number, never named back."""


_PLAIN_VALUE = re.compile(
    r"(?:(?:over|under|above|below|about|around|roughly|approx\.?|less\s+than|more\s+than|"
    r"[<>~])\s*)?\d{1,5}(?:[.,]\d+)?\s*(?:%|(?:ng|pg|pmol|nmol|mmol|umol)\s*/\s*(?:l|ml|dl))?"
    r"(?:\s*(?:or(?:\s+maybe)?|to|-)\s*\d{1,5}(?:[.,]\d+)?\s*"
    r"(?:(?:ng|pg|pmol|nmol)\s*/\s*(?:l|ml))?)?|\d{1,2}[/.-]\d{1,2}[/.-]\d{2,4}|\[phone number\]",
    re.IGNORECASE,
)


def plainly_a_value(value: str) -> bool:
    """Whether a reply named back is only a number (a comparison, a range, a lab unit).

    Anything else may hold a dose or a schedule in words no list knows ("the 1000 ones every
    morning", "400 folic"), so a patient is not shown it (review 10b, M4).
    """
    return bool(_PLAIN_VALUE.fullmatch(value.strip()))


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


@dataclass(frozen=True)
class UnreadAnswer:
    """A reply to the asked test's question holding a number that was not read as its value.

    Attributes:
        asked: The pending question (``b12_status``).
        test: The test asked about, as named to the user (``B12``).
        value: The reply as written, phone numbers masked.
        treatment: The reply gives a dose, a schedule or a treatment, not a result.
        b12_treated: The reply says B12 is being treated (asked about B12 only).
    """

    asked: str
    test: str
    value: str
    treatment: bool = False
    b12_treated: bool = False

    def to_dict(self, audience: str = "patient") -> dict[str, str | bool]:
        """``{asked, test, value, treatment, b12_treated}``.

        For a patient, a dose or a treatment is not repeated: ``value`` is then empty.
        """
        value = "" if audience != "clinician" and self.treatment else self.value
        return {
            "asked": self.asked,
            "test": self.test,
            "value": value,
            "treatment": self.treatment,
            "b12_treated": self.b12_treated,
        }


def unread_answer(tracker: Tracker) -> UnreadAnswer | None:
    """The value of a reply to the asked test's question that could not be used, or None.

    "yes it was 140 mg", "yes it was over 200", "yes, 40%", "yes on 1000 micrograms", "140 or
    maybe 410": the reply is refused as the test's value (:func:`pending_test_answer`), and
    is named back as written so the user knows why the question comes again. A reply saying
    B12 is being treated ("I'm on B12 injections") is named too, number or not: the decision
    table has no "being treated" answer, so the question comes again, with why. None when no
    test question is open, the reply has no number (and names no B12 treatment), names a
    test, or its number was read (or refused) as something else by the extractor ("yes,
    she's 78" is an age). Phone numbers are masked.
    """
    asked = _ASKED_TEST.get(str(tracker.get_slot("pending_question")))
    text = clean_text(message_text(tracker)).strip()
    if asked is None:
        return None
    b12_treated = asked[1] == "b12" and bool(_B12_TREATED.search(text))
    if not b12_treated and not re.search(r"\d", text):
        return None
    if any(entity_values(tracker, e) for e in _TEST_ENTITIES) or pending_test_answer(tracker):
        return None
    facts = extract(text)
    digits = [m.start() for m in re.finditer(r"\d", text)]
    taken = any(s.start <= d < s.end for s in facts.spans for d in digits)
    if not b12_treated and (facts.value_problems or taken):
        return None  # the extractor took or named this number itself
    lead = _LEAD_WORDS.match(text)
    value = _PHONE.sub("[phone number]", text[lead.end() if lead else 0 :].strip(" \t\n.,;:!?"))
    if len(value) > _MAX_NAMED:
        value = value[:_MAX_NAMED].rstrip() + "..."
    question = str(tracker.get_slot("pending_question"))
    treatment = b12_treated or bool(_DOSE_OR_SCHEDULE.search(text))
    value = value or _PHONE.sub("[phone number]", text)
    return UnreadAnswer(question, asked[0], value, treatment, b12_treated)
