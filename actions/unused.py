"""Results of tests this bot does not use, named back without holding the plan (HAZ-140).

"my iron is 7", "ferritin 12", "vit D 30": no fact of any topic takes these, so the extractor
reads nothing and they used to be dropped in silence. They are named back ("I read iron 7, but
this bot does not use iron results") with a ``b12.unused_results`` payload. A refused value of
a fact the plan does use (``b12.invalid_facts``) holds the plan until it is corrected; these
never do, because no plan depends on them.

The tests are data (``vocab/unused_tests.yml``, validated on load). Tests the bot reads in
some context (haemoglobin, platelets, white cells, B12, folate, MMA) are not listed: their
values are the extractor's to take or refuse. A value is named back as written: a limit
("ferritin <15") or a range ("ferritin 15-30") whole, never cut to its first number.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache

from rasa_sdk import Tracker
from rasa_sdk.executor import CollectingDispatcher

from actions.engine import audience_of, entity_values, message_text, send
from actions.pending import UnreadAnswer, plainly_a_value, unread_answer
from guideline_engine.extraction import extract
from guideline_engine.extraction.numbers import unsure_gate_values
from guideline_engine.extraction.text import clean_text, normalise
from guideline_engine.extraction.vocab import load_unused_tests
from guideline_engine.render.messages import messages
from guideline_engine.render.reply import render_notice

UNUSED_RESULTS_TYPE = "b12.unused_results"
UNREAD_ANSWER_TYPE = "b12.unread_answer"
UNSURE_VALUES_TYPE = "b12.unsure_values"
_LINK = (
    r"(?:\s+(?:level|levels|result|results|reading))?"
    r"(?:\s*(?:is|was|are|were|of|at|came\s+back(?:\s+at)?|=|:|-)\s*|\s+)"
    r"(?:(?:(?:very|quite|really)\s+)?(?:low|high|normal|borderline|raised)\s*(?:at|of|:|-)?\s*)?"
    r"(?:(?:only|just|about|around)\s+)?"
)
"""Words between a test's name and its value ("ferritin is low at 9", "iron level was 7")."""
_NUMBER = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
"""A number, thousands separators read whole ("vitamin D 20,000 IU" is 20,000, not 20)."""
_VALUE = (
    rf"(?P<value>(?:[<>≤≥]\s*|(?:under|below|less\s+than|over|above|more\s+than)\s+)?"
    rf"(?:{_NUMBER})(?:\s*(?:-|–|to)\s*(?:{_NUMBER}))?)(?![\d.]?\d)"
)
"""One value as written, a limit ("<15") or a range ("15-30") whole: it is named back as given,
never cut to its first number."""
_UNIT = r"\s*(?:(?:ng|ug|µg|mcg|nmol|pmol|umol|µmol|mmol|mg|g|iu|miu|mu)\s*/\s*(?:l|ml|dl|mol)|%)"
_NOT_A_RESULT_AFTER = re.compile(
    r"\s*(?:mg|mcg|µg|ug|g|iu|units?|tablets?|tabs?|x|times|years?|yrs?|months?|weeks?|days?|"
    r"hours?|am|pm|daily|weekly|fortnightly|monthly|nightly|(?:a|per|each|every)\s+"
    r"(?:day|week|fortnight|month|night|morning)|once|twice|od|bd)\b(?!\s*/)"
)
"""A dose, a schedule, a count or a time after the number ("vitamin d 1000 iu", "vit d 800 a
day", "vitamin d 20000 weekly", "iron 7 years ago": review 10, L4)."""
_TAKEN = re.compile(
    r"\b(?:take|takes|taking|took|on|started|prescribed|supplements?)\s+"
    r"(?:(?:a|an|the|my|her|his|their|some|daily|weekly|monthly|regular|extra|high|low|dose|"
    r"high-dose|prescribed|prescription)\s+){0,3}(?:\w+\s+)?$"
)
"""Words before the test that make it a medicine taken, not a result ("taking iron 200", "on a
daily vitamin D 1000 for years")."""


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
    tests = load_unused_tests().tests
    names = "|".join(f"(?P<t{i}>{'|'.join(t.patterns)})" for i, t in enumerate(tests))
    return re.compile(rf"(?<![a-z0-9])(?:{names})(?![a-z0-9]){_LINK}{_VALUE}(?P<unit>{_UNIT})?")


def unused_results(text: str) -> tuple[UnusedResult, ...]:
    """Results of tests no topic uses, in text order, each once, values as written."""
    low = normalise(clean_text(text))
    tests = load_unused_tests().tests
    out: list[UnusedResult] = []
    for m in _pattern().finditer(low):
        if m["unit"] is None and _NOT_A_RESULT_AFTER.match(low, m.end("value")):
            continue
        if _TAKEN.search(low, 0, m.start()):
            continue
        index = next(int(k[1:]) for k, v in m.groupdict().items() if k[0] == "t" and v)
        value = " ".join(m["value"].split()) + (f" {m['unit'].strip()}" if m["unit"] else "")
        found = UnusedResult(tests[index].name, value)
        if found not in out:
            out.append(found)
    return tuple(out)


def _joined(words: list[str], last: str) -> str:
    return words[0] if len(words) == 1 else f"{', '.join(words[:-1])} {last} {words[-1]}"


def name_unused_results(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Name back values the bot does not use; the plan goes on without them.

    Results of tests no topic uses (``b12.unused_results``), and a number in a reply to "Has
    your B12 been checked?" that could not be read as its value (``b12.unread_answer``: "yes
    it was 140 mg"; the question is then asked again; a dose is never repeated to a patient).
    Also a value used although another was offered in its place, for a gate's sake
    (``b12.unsure_values``: "Hb 65 or 70"). Nothing is said for a message in another language
    (its facts are not read at all).
    """
    if entity_values(tracker, "language"):
        return
    audience = audience_of(tracker)
    _name_unsure_gate_values(dispatcher, tracker)
    found = unused_results(message_text(tracker))
    if found:
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
        send(dispatcher, render_notice("notice", (text,), payload, audience, topic=None))
        return
    answer = unread_answer(tracker)
    if answer is not None:
        payload = {"type": UNREAD_ANSWER_TYPE, **answer.to_dict(audience), "used": False}
        texts = _unread_answer_texts(answer, audience)
        send(dispatcher, render_notice("notice", texts, payload, audience, topic=None))


def _unread_answer_texts(answer: UnreadAnswer, audience: str) -> tuple[str, ...]:
    """The notice for a reply not read as the asked result; a dose never reaches a patient."""
    if audience == "clinician":
        key = "unread_answer"
    elif answer.treatment:
        key = "unread_answer_treatment"
    elif not plainly_a_value(answer.value):
        key = "unread_answer_unquoted"  # words no list knows may be a dose (review 10b, M4)
    else:
        key = "unread_answer"
    first = messages().text(key).format(value=answer.value, test=answer.test)
    if not answer.b12_treated:
        return (first,)
    return (first, messages().text("unread_answer_b12_treated"))


def _name_unsure_gate_values(dispatcher: CollectingDispatcher, tracker: Tracker) -> None:
    """Name a value used although another was offered in its place (review 10, H3).

    "Hb 65 or 70": the worst value offered is used so that the gate it reaches still fires;
    the doubt is said beside it, never dropped. Only values the extractor did use.
    """
    text = message_text(tracker)
    facts = extract(text)
    used = {"platelet_count": facts.platelet_count, "haemoglobin": facts.haemoglobin}
    found = unsure_gate_values(normalise(clean_text(text)))
    doubts = [d for d in found if used.get(d.field) is not None]
    if not doubts:
        return
    shown = {"platelet_count": "x10^9/L", "haemoglobin": "g/L"}
    words = _joined([d.problem for d in doubts], "and")
    values = _joined([f"{used[d.field]:g} {shown[d.field]}" for d in doubts], "and")
    payload = {
        "type": UNSURE_VALUES_TYPE,
        "values": [{"field": d.field, "written": d.problem, "used": used[d.field]} for d in doubts],
        "plan_held": False,
    }
    notice = messages().text("unsure_gate_value").format(values=words, used=values)
    send(dispatcher, render_notice("notice", (notice,), payload, audience_of(tracker), topic=None))
