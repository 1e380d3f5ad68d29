"""Numbers with units: platelet count, age, lab values, ileal resection length.

All patterns run on normalised text (lower case, "×" -> "x", "µ" -> "u", "⁹" -> "9") and are
compiled once, on first use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Collection, Iterable, Iterator
from dataclasses import dataclass
from functools import cache, lru_cache
from itertools import pairwise

from guideline_engine.knowledge.model import GateCondition, GateOperator

NUM = r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"

_FILLER_WORDS = (
    r"count|counts|level|levels|value|result|results|of|is|are|was|were|now|at|about|around|"
    r"only|just|approx|approximately|roughly|came\s+back|came\s+back\s+at|down\s+to|"
    r"dropped\s+to|fell\s+to|measured|measured\s+at|reading|today|yesterday|recently|serum|"
    r"total|very|low|reduced|borderline|last|latest|recent|check|test|the|her|his|my|"
    r"currently|presently|still|has|have|come\s+back|comes\s+back|back|normal|fine|ok|okay|"
    r"high|raised|deficient|apparently|as|also|found|reported|says|said|showed|shows|good|"
    r"letter|report|really|quite|too|severely|since(?=\s+(?:come\s+|came\s+)?back)|"
    r"(?:last|this)\s+(?:week|month)|dr|doctor|gp|either"
)
_FILLER = rf"(?:[\s:=~\-()'\"]*(?:{_FILLER_WORDS})\b)*[\s:=~\-()'\"]*"

_THRESHOLD_BEFORE = re.compile(
    r"(?:[<>≤≥]|above|below|over|under|less\s+than|more\s+than|greater\s+than)\s*$"
)


@dataclass(frozen=True)
class NumberHit:
    """A number read from text, with its normalised unit and span."""

    value: float
    unit: str | None
    start: int
    end: int


@dataclass(frozen=True)
class ValueProblem:
    """A value the writer gave that cannot be used, and why, in words fit to show them.

    Attributes:
        field: The fact it was meant for (``platelet_count``, ``age``, ``b12_level``, ...).
        problem: One sentence naming the value as written and what is wrong with it.
        start: Start offset of the value in the (cleaned) text.
        end: End offset (exclusive).
    """

    field: str
    problem: str
    start: int
    end: int


@dataclass(frozen=True)
class Reading:
    """What was read for one fact: the value to use (or None) and every value refused.

    ``unsure`` names a value the writer offered with another in its place ("Hb 65 or 70")
    that is used all the same, because one of the offered values reaches a gate's cut-off:
    the gate wins, and the doubt is named back beside it (review 10, H3).
    """

    hit: NumberHit | None
    problems: tuple[ValueProblem, ...] = ()
    unsure: tuple[ValueProblem, ...] = ()


PLAUSIBLE: dict[str, tuple[float, float]] = {
    # Sanity limits, not clinical thresholds: a value outside cannot be a real result for a
    # living person (or is a typing slip), so it is named back instead of being used.
    "platelet_count": (0.0, 2000.0),  # ×10⁹/L; 0 is a real (critical) result
    "age": (0.0, 120.0),  # years
    "ileal_resection_cm": (0.1, 700.0),  # cm; longer than a whole small bowel is impossible
    "haemoglobin": (10.0, 250.0),  # g/L
    "b12_level ng/L": (1.0, 50000.0),  # ng/L = pg/mL
    "b12_level pg/mL": (1.0, 50000.0),
    "b12_level pmol/L": (1.0, 37000.0),  # 1 ng/L = 0.738 pmol/L
    "b12_level pmol/L holoTC": (1.0, 37000.0),  # active B12 (holotranscobalamin)
    "b12_level": (1.0, 50000.0),  # no unit written
    "folate_level": (0.0, 10000.0),  # only sign and gross slips are checked
    "mma_level": (0.0, 100000.0),
    "white_cell_count": (0.0, 1000.0),  # ×10⁹/L; hyperleukocytosis can pass 100
    "neutrophil_count": (0.0, 500.0),  # ×10⁹/L
}
_LABELS: dict[str, str] = {
    "platelet_count": "platelet count",
    "age": "age",
    "ileal_resection_cm": "resected ileum length",
    "haemoglobin": "haemoglobin",
    "b12_level": "B12 level",
    "folate_level": "folate level",
    "mma_level": "MMA level",
    "white_cell_count": "white cell count",
    "neutrophil_count": "neutrophil count",
}


def _to_float(raw: str) -> float:
    return float(raw.replace(",", ""))


def _negative(norm: str, num_start: int) -> bool:
    """A minus sign written against the number ("platelets -40", "plt: -40").

    Not a hyphen joining a word to it ("plt-40") or a range ("35-40").
    """
    if num_start < 1 or norm[num_start - 1] != "-":
        return False
    return num_start < 2 or norm[num_start - 2] in " \t\n:=(~,;'\""


def _problem(field: str, norm: str, start: int, end: int, why: str) -> ValueProblem:
    written = norm[start:end].strip()
    return ValueProblem(field, f'{_LABELS[field]} "{written}": {why}', start, end)


_PAST_MARKER = re.compile(
    r"(?<![a-z])(?:was|were|previously|prior|before|initially|originally|on\s+admission|"
    r"at\s+diagnosis|last\s+(?:week|month|year|time|check|test)|yesterday|earlier|ago|"
    r"used\s+to\s+be)(?![a-z])"
)
_NOW_MARKER = re.compile(
    r"(?<![a-z])(?:now|today|currently|current|this\s+morning|latest|most\s+recent(?:ly)?|"
    r"repeat|recheck(?:ed)?|this\s+week)(?![a-z])"
)
_TAIL = re.compile(r"[^,;.\n]{0,30}")
_TIMING_TAIL = re.compile(r"(?:(?!(?<![a-z])(?:but|whereas)(?![a-z]))[^,;.\n]){0,30}")
"""Words after a value that may time it, up to a "but" ("platelets were 40 last year but 180
now": the "now" is the 180's, not the 40's; review 9, finding 10)."""


_LEAD_NOW = re.compile(
    r"(?<![a-z])(?:now|today|currently|latest|later|then|subsequently|repeat(?:ed)?|"
    r"recheck(?:ed)?)[^a-z0-9,;.]*(?:[a-z]+[^a-z0-9,;.]+){0,2}$"
)


def _timing(norm: str, start: int, num_start: int, end: int) -> str:
    """``"now"``, ``"past"`` or ``""`` from the words around one value."""
    if _LEAD_NOW.search(norm[max(0, start - 30) : start]):
        return "now"
    tail = _TIMING_TAIL.match(norm, end)
    around = norm[start:num_start] + " " + (tail.group() if tail else "")
    if _NOW_MARKER.search(around):
        return "now"
    if _PAST_MARKER.search(around):
        return "past"
    return ""


_THEN_NOW = (
    r"[\s,;(]*(?:(?:last|this|previous)\s+(?:week|month|year|time)|\w+\s+(?:days?|weeks?|"
    r"months?|years?)\s+ago|yesterday|previously|before|initially|on\s+admission|"
    r"at\s+diagnosis|in\s+(?:19|20)\d\d|back\s+then|at\s+the\s+time)?"
    r"[\s,;)]*(?:but|and|whereas)\s+(?:(?:it'?s|its|it\s+is|they'?re|they\s+are|is|are)\s+)?"
    r"(?:(?:only|back\s+up\s+to|up\s+to|at)\s+)?(?P<neg>-)?"
)
"""A second value joined to the first by "but"/"and" and timed after it: "40 last year but 180
now", "65 in 2019 but its 128 now" (the "now" must follow it: see :data:`_NOW_AFTER`)."""
_NOW_AFTER = (
    r"(?=\s*(?:now|today|currently|at\s+the\s+moment|these\s+days|this\s+(?:week|time)|"
    r"on\s+(?:the\s+)?(?:latest|repeat|recheck))(?![a-z]))"
)


_CORRECTION_WORDS = r"sorry|apologies|typo|no\s+wait|hang\s+on|i\s+meant|i\s+mean|correction"
"""Words that take back what was just written; a value after them is the one meant."""

_CONTINUATION = re.compile(
    r"[\s,;(]*(?:(?:last|this|previous)\s+(?:week|month|year|time)|\w+\s+(?:days?|weeks?|"
    r"months?|years?)\s+ago|yesterday|previously|before|initially|on\s+admission|"
    r"at\s+diagnosis|in\s+(?:19|20)\d\d|in\s+[a-z]+)?"
    r"[\s,;)]*(?:and|but|which|that)?\s*(?:(?:is|are|has|have)\s+)?(?:been\s+)?"
    r"(?P<marker>now|today|currently|this\s+morning|latest|most\s+recent(?:ly)?|repeat|then|"
    r"later|rose\s+to|risen\s+to|rising\s+to|increased\s+to|gone\s+up\s+to|up\s+to|"
    r"improved\s+to|fell\s+to|fallen\s+to|dropped\s+to|down\s+to|->|→|"
    rf"(?:\.{{2,}}\s*|…\s*)?(?:-\s*)?(?:(?:{_CORRECTION_WORDS})[\s,:\-]*(?:no[\s,:\-]+)?)+|"
    # "12 - apologies, that was the previous result; today's is 1.2": the replacement is named
    r"(?:-\s*)?(?:sorry|apologies)(?![a-z])[^.;\n\d]{0,60}[;,.]\s*(?:today'?s|the\s+(?:latest|"
    r"current|new|correct|right)(?:\s+(?:one|result|value|level))?))"
    r"(?:\s*(?:is|at|of|it'?s|was)\b)?[\s:=~]*(?P<neg>-)?"
)


@dataclass(frozen=True)
class _Value:
    value: float
    start: int
    num_start: int
    end: int
    timing: str  # "now" | "past" | ""
    unit: str | None = None


def _resolve(field: str, unit: str, values: list[_Value], norm: str) -> Reading:
    """The value to use among several, or a contradiction.

    One distinct value, else the one said to be current, else the only one not said to be
    past, else (a history only) the last; two current values are a contradiction.
    """
    if not values:
        return Reading(None)
    values = sorted(values, key=lambda v: v.start)
    chosen: _Value | None = None
    if len({v.value for v in values}) == 1:
        chosen = values[-1]
    else:
        for pool in (
            [v for v in values if v.timing == "now"],
            [v for v in values if v.timing != "past"],
        ):
            if len({v.value for v in pool}) == 1:
                chosen = pool[-1]
                break
        if chosen is None and all(v.timing == "past" for v in values):
            chosen = values[-1]  # a history only: the last value given is the latest
    if chosen is None:
        chosen = _corrected(values, norm)
    if chosen is None:
        shown = " and ".join(dict.fromkeys(f"{v.value:g} {v.unit or unit}".strip() for v in values))
        problem = ValueProblem(
            field,
            f"{_LABELS[field]}: different values ({shown}) without saying which is the current one",
            values[0].start,
            values[-1].end,
        )
        return Reading(None, (problem,))
    return Reading(NumberHit(chosen.value, chosen.unit or unit or None, chosen.start, chosen.end))


_CORRECTION = re.compile(
    rf"(?<![a-z])(?:{_CORRECTION_WORDS}|"
    r"misread|mis-?typed|(?:that\s+was|that's|thats)\s+(?:the|my|an?)\s+(?:previous|old|"
    r"earlier|last)|"
    r"should\s+(?:have\s+)?(?:said|read|be)|not\s+\d)(?![a-z])"
)


def _corrected(values: list[_Value], norm: str) -> _Value | None:
    """The last value written after a correction word, if any.

    "plt 22 - sorry, typo, platelets 220"; "B12 600 - no wait, that's my ferritin. B12 160".
    """
    fixed = [b for a, b in pairwise(values) if _CORRECTION.search(norm[a.end : b.start])]
    return fixed[-1] if fixed else None


def _after_threshold(norm: str, pos: int) -> bool:
    return bool(_THRESHOLD_BEFORE.search(norm[max(0, pos - 14) : pos]))


Convert = Callable[[re.Match[str]], tuple[float | None, str, str | None]]
"""A match to ``(value or None if unreadable, key into PLAUSIBLE, unit as normalised)``."""


@cache
def _later_now(continuation: re.Pattern[str]) -> re.Pattern[str]:
    """The reader's own number pattern after :data:`_THEN_NOW`, with a "now" after the value.

    Built from the reader's continuation (``_CONTINUATION`` + its number and unit), so that
    the value is converted as every other value of the field is.
    """
    number = continuation.pattern.removeprefix(_CONTINUATION.pattern)
    if number == continuation.pattern:
        return re.compile(r"(?!)")  # a continuation of another shape: nothing to add
    return re.compile(rf"{_THEN_NOW}{number}{_NOW_AFTER}")


def _read_values(
    field: str,
    unit: str,
    norm: str,
    matches: Iterable[re.Match[str]],
    continuation: re.Pattern[str],
    convert: Convert,
) -> Reading:
    """Every value of one field, each checked for sign and range, resolved to one or none.

    A value followed by "..., now N" (``continuation``) is the earlier of the two; N written
    without a unit is in the unit of the value it follows ("B12 15 ng/L - sorry, I meant 150").
    Any value refused (unreadable unit, negative, impossible) means no value is used for the
    field.
    """
    values: list[_Value] = []
    problems: list[ValueProblem] = []
    unsure: list[ValueProblem] = []
    taken: list[tuple[int, int]] = []

    def add(m: re.Match[str], timing: str | None = None, inherited: str | None = None) -> None:
        if any(a < m.end() and m.start() < b for a, b in taken):
            return
        if field != "age" and _TIME_AFTER.match(norm, m.end("num")):
            return  # "platelets fine 3 months ago", "hb as at 3 pm 90": a time, not a value
        taken.append((m.start(), m.end()))
        num_start = m.start("num")
        value, key, written_unit = convert(m)
        written_unit = written_unit or inherited
        follow = continuation.match(norm, m.end()) or _later_now(continuation).match(
            norm, m.end()
        )
        negative = _negative(norm, num_start) or bool(m["neg"])
        problem = _refusal(key, value, negative) or _hedged(field, norm, m.end())
        other = _ALTERNATIVE_AFTER.match(norm, m.end()) if field in _UNSURE_FIELDS else None
        if other is not None and not problem and value is not None:
            worst = _gate_side(field, (value, _alternative_value(m, other, convert)))
            if worst is None:
                problem = "you gave more than one possible value: please send the one on the report"
            else:  # the gate wins: the value that fires it is used, the doubt named back
                written = _problem(field, norm, num_start, other.end(), "").problem
                doubt = ValueProblem(field, written.removesuffix(": "), num_start, other.end())
                unsure.append(doubt)
                taken.append((m.end(), other.end()))
                when = _timing(norm, m.start(), num_start, other.end())
                values.append(_Value(worst, m.start(), num_start, other.end(), when, written_unit))
                return
        elif other is not None and not problem:
            problem = "you gave more than one possible value: please send the one on the report"
        if problem:
            stop = other.end() if other is not None else m.end()
            problems.append(_problem(field, norm, num_start - negative, stop, problem))
        elif value is not None:
            when = timing if timing is not None else _timing(norm, m.start(), num_start, m.end())
            timing_ = "past" if follow else when
            values.append(_Value(value, m.start(), num_start, m.end(), timing_, written_unit))
        if follow is not None:
            add(follow, "now", written_unit)

    for m in matches:
        if not _after_threshold(norm, m.start("num")):
            add(m)
    if problems:
        return Reading(None, tuple(problems))
    resolved = _resolve(field, unit, values, norm)
    if resolved.hit is None:
        return resolved
    return Reading(resolved.hit, (), tuple(unsure))


_HEDGE_AFTER = re.compile(
    r"\s*,?\s*(?:i\s+think|i\s+believe|i'?m\s+not\s+sure|not\s+sure|or\s+so|or\s+something|"
    r"something|maybe|i\s+can'?t\s+remember|can'?t\s+remember|cant\s+remember|"
    r"if\s+i\s+remember(?:\s+right(?:ly)?)?)(?=\s*(?:[,.;!?)\n]|$))"
)
"""A doubt right after a value that ends its clause: "150 I think,", "60 something."."""
_HEDGED_FIELDS = frozenset({"b12_level", "folate_level", "mma_level"})
_ALTERNATIVE_AFTER = re.compile(
    r"\s*,?\s*or\s*,?\s*(?:(?:maybe|perhaps|possibly|probably|even|else)\s+|"
    r"(?:was|is)\s+it\s+|it\s+(?:might|may|could)\s+(?:have\s+)?(?:been|be)\s+|"
    r"(?:might|may|could)\s+(?:have\s+)?been\s+)?(?:about\s+|around\s+)?"
    r"(?<![\d.])\d+(?:[.,]\d+)?(?![\d])(?:\s*(?:ng|pg|pmol|nmol|ug|µg|mcg)\s*/\s*(?:l|ml|dl))?"
    # a time is no second value: "hb 125, or 6 weeks ago it was 70" (review 10b, M3)
    r"(?!\s*(?:weeks?|wks?|days?|months?|mths?|years?|yrs?|hours?|hrs?|ago|am|pm|o'?clock)\b)"
)
"""Another number offered instead of the value: "B12 140 or maybe 410", "140, or was it 410?",
"either 140 or 410". The writer is unsure which it is, so neither is used (session 10)."""
_UNSURE_FIELDS = _HEDGED_FIELDS | {
    "platelet_count",
    "haemoglobin",
    "white_cell_count",
    "neutrophil_count",
}
"""Fields whose value is refused when another is offered in its place. Not age ("45 or 46")."""


def _alternative_value(m: re.Match[str], other: re.Match[str], convert: Convert) -> float | None:
    """The other value offered ("70" of "Hb 65 or 70"), converted as the first one was.

    The reader's own pattern is run again with the other number in the first one's place, so
    that its unit (written after the first number, or none) is read the same way.
    """
    number = re.search(r"\d+(?:[.,]\d+)?(?=\D*$)", other.group())
    if number is None:
        return None
    text = m.string
    again = text[m.start() : m.start("num")] + number.group() + text[m.end("num") : m.end()]
    rerun = m.re.match(again)
    return None if rerun is None else convert(rerun)[0]


@cache
def _gate_cutoffs(field: str) -> tuple[GateCondition, ...]:
    """The numeric conditions the packaged gates test ``field`` against (gates.yml)."""
    # Imported here: the gates are read by the knowledge loader, which reads the topics.
    from guideline_engine.regimen.gates import packaged_gates

    return tuple(
        c
        for gate in packaged_gates()
        for c in gate.conditions
        if c.fact == field and not isinstance(c.value, str)
    )


def _gate_side(field: str, offered: tuple[float, float | None]) -> float | None:
    """The offered value that fires a gate (the worst, if both do), else None.

    Safety first: when the writer is unsure and any value offered reaches a gate's cut-off
    (platelets at or below 50, Hb below 80 g/L), the gate wins (review 10, H3). An offered
    value that cannot be read ("Hb 65 or x") counts as firing nothing.
    """
    for condition in _gate_cutoffs(field):
        firing = [v for v in offered if v is not None and condition.holds(v)]
        if firing:
            below = condition.op in (GateOperator.LT, GateOperator.LE)
            return min(firing) if below else max(firing)
    return None


def _hedged(field: str, norm: str, end: int) -> str | None:
    """Why a laboratory value the writer is unsure of cannot be used ("B12 150 I think").

    Only for B12, folate and MMA: such a value would class a result; a platelet count said
    with doubt still fires its gate.
    """
    if field in _HEDGED_FIELDS and _HEDGE_AFTER.match(norm, end):
        return "you were not sure of it: please check the report"
    return None


_TIME_AFTER = re.compile(
    r"\s*(?:days?|weeks?|wks?|months?|years?|yrs?|hours?|hrs?|mins?|minutes?|am|pm|"
    r"o'?clock|ago)(?![a-z])"
)
"""A number followed by one of these is a time or a duration, never a test's value."""

_UNIT_SHOWN = {
    "platelet_count": "x10^9/L",
    "age": "years",
    "haemoglobin": "g/L",
    "ileal_resection_cm": "cm",
    "white_cell_count": "x10^9/L",
    "neutrophil_count": "x10^9/L",
}


def _refusal(key: str, value: float | None, negative: bool) -> str | None:
    """Why a value cannot be used (``key`` names its range in PLAUSIBLE), or None."""
    if value is None:
        return "the unit could not be read, or is not one I can use"
    if negative:
        return "it cannot be negative"
    low, high = PLAUSIBLE[key]
    if not low <= value <= high:
        unit = key.partition(" ")[2] or _UNIT_SHOWN.get(key, "")
        return f"outside the possible range {low:g}-{high:g} {unit}".rstrip()
    return None


# --------------------------------------------------------------------------- said later

_RELATIVE = (
    r"mum|mom|dad|mother|father|wife|husband|partner|son|daughter|sister|brother|grandad|"
    r"granddad|grandpa|grandfather|grandma|grandmother|granny|gran|nan|nana|aunt|uncle|"
    r"neighbou?r|friend|father-in-law|mother-in-law"
)


_SAID = (
    r"(?<![a-z])(?:said|says|told\s+me|was|were|is|are|at|it'?s|its|came\s+back(?:\s+at)?|"
    r"showed?|shows|reads?|read)[\s:]+"
)
_SAID_GAP_STOPS = re.compile(
    r"(?<![a-z])(?:but|whereas|although|though|if|when|inject\w*|jabs?|tablets?|doses?|every|"
    r"since|ago|aged?|weeks?|months?|years?|yrs?|days?|temp\w*|bp|pulse|weight|"
    rf"i|i'?m|she|he|they|we|you|who|{_RELATIVE})(?![a-z])"
)
"""Words between a test's name and a later number that make the number something else: a
person's age ("hb low, she is 45"), a dose, a time, or the end of the report."""
_SAID_AFTER_STOPS = re.compile(
    r"\s*(?:%|years?|yrs?|yo\b|y/o|days?|weeks?|months?|mg|mcg|ug|iu|kg|x\b|times?|am\b|pm\b|"
    r"[:/]\d|-\s*\d|to\s+\d)"
)


def _said_later(norm: str, keyword: str, number: str) -> list[re.Match[str]]:
    """A value said later in the sentence than its test's name, past a comma (review 9, f. 5).

    "my haemoglobin is really low, GP said 70": the name and the number are one report. Used
    only when no value follows the name at once. Not across another test's name, a "but" or a
    condition, nor a number that is a dose, a time, an age or a percentage.
    """
    pattern = _said_pattern(keyword, number)
    out: list[re.Match[str]] = []
    for m in pattern.finditer(norm):
        gap = m.group("gap")
        if _SAID_GAP_STOPS.search(gap) or _OTHER_TEST.search(gap):
            continue
        if _SAID_AFTER_STOPS.match(norm, m.end("num")):
            continue
        out.append(m)
    return out


@cache
def _said_pattern(keyword: str, number: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?<![a-z0-9]){keyword}(?![a-z0-9])(?P<gap>[^\d.;!?\n]{{0,50}}?){_SAID}"
        rf"(?<![\d.])(?P<neg>){number}"
    )


# --------------------------------------------------------------------------- platelets

_PLT_KW = r"(?:platelets?|platelet\s+counts?|plts?|plat|thrombocytes)"
_PLT_NUM = r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)(?:e(?P<exp>[+-]?\d{1,2})(?![\d]))?"
_PLT_UNIT = (
    r"(?P<unit>\s*(?:"
    r"x\s*10\s*(?:\^|e|\*\*?)?\s*9\s*(?:/\s*l|per\s+l(?:itre|iter)?)?"
    r"|x\s*10\s*(?:\^|e|\*\*?)?\s*3\s*(?:/\s*u?l|/\s*mm3|per\s+ul)"
    r"|k\s*/\s*u?l|k(?![a-z0-9])"
    r"|/\s*u?l|/\s*mcl|/\s*mm3|/\s*mm\^3|per\s+u?l|per\s+microlit(?:re|er)"
    r"|g\s*/\s*l"
    r"))?"
)


@lru_cache(maxsize=1)
def _platelet_patterns() -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    forward = re.compile(rf"(?<![a-z0-9]){_PLT_KW}(?![a-z]){_FILLER}(?P<neg>){_PLT_NUM}{_PLT_UNIT}")
    backward = re.compile(
        rf"(?<![\d.,])(?P<neg>){_PLT_NUM}{_PLT_UNIT}\s*(?:of\s+)?{_PLT_KW}(?![a-z])"
    )
    continuation = re.compile(rf"{_CONTINUATION.pattern}{_PLT_NUM}{_PLT_UNIT}")
    return forward, backward, continuation


def _platelet_value(raw: str, exp: str | None, unit: str | None) -> float | None:
    """The count in ×10⁹/L, or None when a power of ten cannot be read as a count."""
    value = _to_float(raw)
    u = re.sub(r"\s+", "", unit or "")
    per_microlitre = u.startswith("/u") or u.startswith("/mcl") or u.startswith("/mm")
    per_microlitre = per_microlitre or u.startswith("per") or u.startswith("k/")
    if exp is not None:
        # "150e9/L" = 150 ×10⁹ per litre; "150e3/µL" = 150 ×10³ per microlitre.
        per_litre = value * 10.0 ** int(exp) * (1e6 if per_microlitre else 1.0)
        if not per_microlitre and u not in ("", "/l"):
            return None
        if not per_microlitre and u == "" and int(exp) not in (9, 3):
            return None
        if u == "" and int(exp) == 3:
            per_litre *= 1e6
        return per_litre / 1e9
    if u.startswith("k"):
        return value  # "150 k/µL" = 150 ×10³/µL = 150 ×10⁹/L
    if per_microlitre or u == "/l" or (not u and value >= 1000):
        value = value / 1000.0
    return value


def read_platelets(norm: str) -> Reading:
    """Every platelet count in the text, resolved to the one to use, in ×10⁹/L.

    "plt 35", "platelets 35", "35k", "35,000/µL", "35000/uL", "35 x10^9/L", "35 ×10⁹/L" and
    "35e9/L" all read as 35.0. A number after a comparison ("platelets > 50") is a threshold,
    not a result. "was 45 last week, now 220" gives 220; two current values that differ
    ("platelets 35 ... platelets 300") give no value and a contradiction; a negative or
    impossible count gives no value and a problem naming it. 0 is a real result.

    Args:
        norm: Normalised text.

    Returns:
        The reading.
    """
    forward, backward, continuation = _platelet_patterns()

    def convert(m: re.Match[str]) -> tuple[float | None, str, str | None]:
        value = _platelet_value(m.group("num"), m.group("exp"), m.group("unit"))
        return value, "platelet_count", None

    matches = [*forward.finditer(norm), *backward.finditer(norm)]
    matches = matches or _said_later(norm, _PLT_KW, rf"{_PLT_NUM}{_PLT_UNIT}")
    return _read_values("platelet_count", "x10^9/L", norm, matches, continuation, convert)


def unsure_gate_values(norm: str) -> tuple[ValueProblem, ...]:
    """Values used although the writer offered another in their place, for a gate's sake.

    "Hb 65 or 70", "plts 30 or 40": one offered value reaches a gate's cut-off, so the worst
    is used and the gate fires (review 10, H3); each is named here (``problem`` is the value
    as written, e.g. ``haemoglobin "65 or 70"``) so that the doubt can be said back.

    Args:
        norm: Normalised text.

    Returns:
        The doubts, platelets first, in text order within each test.
    """
    return (*read_platelets(norm).unsure, *read_haemoglobin(norm).unsure)


def find_platelets(norm: str) -> NumberHit | None:
    """The platelet count to use, in ×10⁹/L (see :func:`read_platelets`), or None."""
    return read_platelets(norm).hit


# --------------------------------------------------------------------------- age and sex

_AGE_UNIT = r"(?:yo|y/o|y\.o\.?|yrs?\s*-?\s*old|years?\s*-?\s*old|year\s*-?\s*old)"



_INFANT_AFTER = r"(?=[\s-]*(?:old|boy|girl|infant|baby|child|toddler|male|female|m|f)(?![a-z]))"
_CHILD_IS_PATIENT = (
    r"(?=(?:'s|s')\s|\s+(?:(?:baby\s+)?(?:boy|girl|son|daughter|baby)\s+)?(?:has|had|with|needs?|"
    r"got|has\s+got|is\s+(?:low|deficient|anaemic|anemic|b12\s+deficient))(?![a-z]))"
)
"""After a child, what makes the child the patient: their results ("my toddler's b12"), or
a finding they have ("my baby boy has low b12"), not the writer feeding or carrying them."""


@lru_cache(maxsize=1)
def _age_patterns() -> tuple[re.Pattern[str], ...]:
    return (
        re.compile(rf"(?<![\d.,])(?P<neg>-)?(?P<num>\d{{1,4}})\s*-?\s*{_AGE_UNIT}(?![a-z0-9])"),
        # "62F", "71 M", "45M 2 week history"; never a result's value before a sex letter
        # (session 11: "Hb 100 F 30" is no 100-year-old)
        re.compile(
            r"(?<![a-z0-9.,])(?<!hb\s)(?<!hgb\s)(?<!plt\s)(?<!mcv\s)(?<!b12\s)(?<!wcc\s)"
            r"(?P<neg>)(?P<num>\d{2,3})[ \t]?(?P<sex>[fm])(?![a-z0-9])"
        ),
        re.compile(
            r"(?<![a-z0-9])(?:aged|age(?:\s*(?:is|of|:|=|-))?)\s*(?P<neg>-)?(?P<num>\d{1,4})"
            r"(?!\d|[.,]\d)"
        ),
        re.compile(
            # never "1 mg IM 3 monthly" (intramuscular, not "I'm 3": review 10b, L3)
            rf"(?<![a-z0-9])(?<!mg\s)(?<!mg)(?<!mcg\s)(?<!micrograms\s)(?:i'?m|i\s+am|she'?s|"
            rf"she\s+is|he'?s|he\s+is|(?:{_RELATIVE})"
            r"\s+is|patient\s+is|pt\s+is)\s+(?:a\s+)?(?P<neg>)(?P<num>\d{1,3})(?!\d|[.,]\d)"
            r"(?!\s*(?:%|kg|g|mg|mcg|ug|cm|mm|lbs?|st|stone|weeks?|wks?|months?|days?|/40|x)(?![a-z]))"
            r"(?!\s*(?:monthly|weekly|daily|yearly|times|doses?|injections?|jabs?|amps?|ampoules?)\b)"
        ),
        re.compile(rf"(?<![a-z0-9])(?:{_RELATIVE})\s*\((?P<neg>)(?P<num>\d{{1,3}})\)"),
        # "Dad's 76", "the resident is 90", "my husband, 71, who": a relative or a resident
        # with the number at once.
        re.compile(
            rf"(?<![a-z0-9])(?:(?:{_RELATIVE})(?:'s|,)|resident\s+is)\s*(?P<neg>)(?P<num>\d{{1,3}})"
            r"(?![\d.,]?\d)(?=\s*(?:[,;.!?)\n]|$|and\s|(?:years?|yrs?)\b))"
        ),
        # A letter's or a note's name and age: "Mr D, 66, who ...", "Mrs K, 49,".
        re.compile(
            r"(?<![a-z])(?:mr|mrs|ms|miss|mx)\.?\s+[a-z][a-z'-]*,\s*(?P<neg>)(?P<num>\d{1,3})"
            r"(?=\s*[,;.)]|\s+(?:who|with|has|is)\b)"
        ),
        # A case that is an infant: "15-month-old boy", "a 5 month old girl" (whole years;
        # never after a possessive: "my 8-month-old" is the writer's baby, not the patient).
        re.compile(
            r"(?<![a-z0-9])(?<!my\s)(?<!her\s)(?<!his\s)(?<!our\s)(?<!their\s)(?<!your\s)"
            r"(?P<neg>)(?P<num>\d{1,2})[\s-]*(?P<months>months?)[\s-]*old(?![a-z])"
            r"(?=\s*(?:boy|girl|infant|baby|child|toddler|male|female|m|f)?(?![a-z]))"
        ),
        # An infant in a clinician's shorthand or in weeks: "8mo infant", "10 mths boy", "6 weeks
        # old" (review 9, finding 3); never after a possessive, as above.
        re.compile(
            r"(?<![a-z0-9])(?<!my\s)(?<!her\s)(?<!his\s)(?<!our\s)(?<!their\s)(?<!your\s)"
            rf"(?P<neg>)(?P<num>\d{{1,2}})\s*-?\s*(?P<months>mo|mos|mths?)(?![a-z]){_INFANT_AFTER}"
        ),
        re.compile(
            r"(?<![a-z0-9])(?<!my\s)(?<!her\s)(?<!his\s)(?<!our\s)(?<!their\s)(?<!your\s)"
            r"(?P<neg>)(?P<num>\d{1,2})[\s-]*(?P<weeks>weeks?|wks?)[\s-]*old(?![a-z])"
        ),
        # The writer's own infant who is the patient: "my 6 month old's b12", "our 9-month-old
        # has low b12", "my 3 week old baby girl has" (not "breastfeeding my 6-month-old", nor
        # beside the writer's own results: _WRITER_IS_PATIENT).
        re.compile(
            r"(?<![a-z0-9])(?:my|our|her|his|their)\s+(?P<neg>)(?P<num>\d{1,2})[\s-]*"
            r"(?:(?P<months>months?|mo|mths?)|(?P<weeks>weeks?|wks?))(?:[\s-]*old)?"
            rf"{_CHILD_IS_PATIENT}"
        ),
        # A report's "Female, 44" / "Male, 56": the sex word and the age after a comma.
        re.compile(
            r"(?<![a-z])(?P<sex>female|male),\s*(?P<neg>)(?P<num>\d{1,3})(?=\s*(?:[.;)\n]|$))"
        ),
        # Session 10 (first_messages6_dev): the sex letter first, "F 34, 28/40", "M 58. MCV",
        # "in M 33, homeless": at the start, after punctuation or "in", then a clause end.
        re.compile(
            r"(?:^|(?<=[,.;:(\n])|(?<=[,.;:(]\s)|(?<=\bin\s))\s*(?P<sex>[fm])\s?(?P<neg>)"
            r"(?P<num>\d{2,3})(?![\d.]?\d)(?=\s*(?:[,.;:)\n]|$|with\s|on\s|who\s))"
        ),
        # Session 11 (first_messages7_dev): the sex letter and the age as one token among
        # results, "M62 Hb 104", "... MCV 112 M62" (as loose as the "F 34," form).
        # Where it may stand: see _joined_sex_age_allowed.
        re.compile(r"(?<![a-z0-9/.])(?P<sex>[fm])(?P<neg>)(?P<num>[1-9]\d)(?![\d/a-z])(?![.,]\d)"),
        # Session 11: the age then the sex word after a comma, "epilepsy, 28, female": only
        # at the start or after punctuation, never after a test's name ("B12 180, female").
        re.compile(
            r"(?:^|(?<=[,.;:(\n])|(?<=[,.;:(]\s))\s*(?P<neg>)(?P<num>\d{2,3}),\s*"
            r"(?P<sex>female|male|woman|man|lady|gent|bloke|f|m)(?![a-z0-9])"
        ),
    )


_SEX_WORDS = {
    "f": "female",
    "m": "male",
    "female": "female",
    "male": "male",
    "woman": "female",
    "man": "male",
    "lady": "female",
    "gentleman": "male",
    "gent": "male",
    "bloke": "male",
}
_SEX_AFTER_AGE = re.compile(
    rf"^\s*(?:{_AGE_UNIT})?\s*-?\s*(?P<sex>{'|'.join(sorted(_SEX_WORDS, key=len, reverse=True))})"
    r"(?![a-z0-9])"
)
_COMPACT_AGE = 1  # index of the "62F" pattern: too loose to refuse a value on ("250m")
_WRITERS_CHILD = 10  # index of the "my 6 month old's b12" pattern
_SEX_FIRST = 12  # index of the "F 34," pattern: as loose as the compact one
_SEX_FIRST_JOINED = 13  # index of the "M62" pattern: as loose again
_LOOSE = (_COMPACT_AGE, _SEX_FIRST, _SEX_FIRST_JOINED)


_PATIENT_WORD_BEFORE = re.compile(r"(?:^|\s)(?:pt|patient|pt\s+is|patient\s+is)\s*$")


def _joined_sex_age_allowed(norm: str, m: re.Match[str]) -> bool:
    """Whether "M62" stands as the patient's sex and age, not a code, a road or a bed.

    At the message's start or after a clause mark, or after "pt" / "patient"; after a result's
    value only as "M" (after a number, "F20" may be a folate of 20). Never after other words:
    "known F32 depression", "PMH M54", "on the M25", "bed M22", "my sister F34" (review 11,
    finding 4).
    """
    before = norm[: m.start()].rstrip()
    if not before or before[-1] in ",.;:(\n":
        return True
    if _PATIENT_WORD_BEFORE.search(before):
        return True
    return m.group("sex") == "m" and before[-1].isdigit()


def read_age(norm: str) -> tuple[Reading, str | None]:
    """Age in years (the first one written) and, from "62F" / "62 yo M", the sex.

    An explicitly stated age that is negative or impossible ("age 250", "aged -3") gives no
    age and a problem naming it.

    Args:
        norm: Normalised text.

    Returns:
        ``(reading, "female"/"male"/None)``.
    """
    best: NumberHit | None = None
    sex: str | None = None
    problems: list[ValueProblem] = []
    writer_is_patient = bool(_WRITER_IS_PATIENT.search(norm))
    for index, pattern in enumerate(_age_patterns()):
        if index == _WRITERS_CHILD and writer_is_patient:
            continue
        for m in pattern.finditer(norm):
            months = m.groupdict().get("months")
            age = int(m.group("num")) // 12 if months else int(m.group("num"))
            if m.groupdict().get("weeks"):
                age = int(m.group("num")) // 52
            refusal = _refusal("age", age, bool(m.group("neg")))
            if refusal:
                if index not in _LOOSE:
                    problems.append(
                        _problem(
                            "age",
                            norm,
                            m.start("num") - bool(m.group("neg")),
                            m.end("num"),
                            refusal,
                        )
                    )
                continue
            if index in _LOOSE and age < (16 if index == _SEX_FIRST_JOINED else 12):
                continue
            if index == _SEX_FIRST_JOINED and not _joined_sex_age_allowed(norm, m):
                continue
            if index in (_SEX_FIRST, _SEX_FIRST_JOINED) and _folate_shorthand(norm, m, age):
                continue
            hit = NumberHit(float(age), "years", m.start(), m.end())
            found_sex = m.groupdict().get("sex")
            if found_sex is None and index == 0:
                after = _SEX_AFTER_AGE.match(norm[m.end() : m.end() + 12])
                if after:
                    found_sex = after.group("sex")
            if best is None or hit.start < best.start:
                best = hit
                sex = _SEX_WORDS.get(found_sex or "", sex)
            break
    if problems:
        return Reading(None, tuple(problems)), sex
    return Reading(best or _child_word_age(norm)), sex


_FOLATE_LIKE_UP_TO = 45
"""A number up to this after "F" may be a folate result (ug/L up to about 20, nmol/L up to
about 45), so "F 14" beside other results is not read as an age: this is not a clinical cut-off,
only where an age and a folate value can no longer be told apart."""
_FOLATE_NAMED = re.compile(r"(?<![a-z])(?:folate|folic|rcf)(?![a-z])")


@cache
def _lab_value_before() -> re.Pattern[str]:
    return re.compile(rf"{_OTHER_TEST.pattern}[\s:=~-]*(?:(?:is|was|of|at)\s+)?\d")


def _folate_shorthand(norm: str, m: re.Match[str], age: int) -> bool:
    """Whether "F <n>" is a folate result in a list of labs, not a woman's age (review 10, M4).

    Clinicians write F for folate: "B12 89. F 14. Hb 101", "B12 150, F 12, MCV 108". When a lab
    value comes before it on the same line and the number could be a folate result, it is not
    read as an age, unless folate is named elsewhere in the message ("B12 150, F 34, folate
    2.1"). "F 34, 28/40, folate 2.1" and "b12 150 ng/L, F 73" are still ages.
    """
    if m.group("sex") != "f" or age > _FOLATE_LIKE_UP_TO:
        return False
    line_start = norm.rfind("\n", 0, m.start()) + 1
    if not _lab_value_before().search(norm, line_start, m.start("sex")):
        return False
    return not _FOLATE_NAMED.search(norm)


_CHILD_WORD = re.compile(
    r"(?<![a-z])(?P<word>baby|infant|newborn|new-born|neonate|toddler)(?:\s+(?:boy|girl|son|"
    rf"daughter))?{_CHILD_IS_PATIENT}"
    r"|(?<![a-z])(?P<clinical>infant|neonate|newborn|toddler)(?=\s*(?:,|with|w/|presenting)(?![a-z]))"
)
_WRITER_IS_PATIENT = re.compile(
    r"(?<![a-z])(?:my\s+(?:own\s+)?(?:b\s*-?12|folate|levels?|results?|bloods?|blood\s+tests?|hb|"
    r"haemoglobin|hemoglobin)|i'?m\s+(?:breast|pregnant)|i\s+am\s+(?:breast|pregnant)|"
    r"i\s+(?:breast\s*feed|breastfeed|have\s+low|have\s+a\s+low|was\s+told))(?![a-z])"
)
_YEARS_OF_WORD = {"toddler": 1.0}
"""Whole years a child word implies at least (a toddler walks: one year or older), else 0."""


def _child_word_age(norm: str) -> NumberHit | None:
    """A patient called an infant, baby or toddler is under 16 (review 9, finding 3; HAZ-130).

    "my toddler's b12 came back at 90", "my baby boy has low b12", "infant with B12 70": the
    age in whole years the word implies at least, so that the under-16 gate fires. Not when
    the writer speaks of their own results or feeding ("I'm breastfeeding my baby, my b12 is
    low": the mother is the patient).
    """
    if _WRITER_IS_PATIENT.search(norm):
        return None
    m = _CHILD_WORD.search(norm)
    if m is None:
        return None
    word = m.group("word") or m.group("clinical")
    return NumberHit(_YEARS_OF_WORD.get(word, 0.0), "years", m.start(), m.end())


def read_demographic(norm: str) -> tuple[int, str] | None:
    """Age and sex stated together ("45M", "45 yo F", "45-year-old woman"), if both are.

    A complete demographic of this kind describes one patient; a pronoun or a relative
    ("she", "my mum") does not count, since it may be about someone else.

    Args:
        norm: Normalised text.

    Returns:
        ``(age in years, "female"/"male")``, or None.
    """
    reading, sex = read_age(norm)
    if reading.hit is None or sex is None:
        return None
    return int(reading.hit.value), sex


def find_age(norm: str) -> tuple[NumberHit | None, str | None]:
    """Age in years and the sex of compact forms (see :func:`read_age`)."""
    reading, sex = read_age(norm)
    return reading.hit, sex


# --------------------------------------------------------------------------- labs

ACTIVE_B12_UNIT = "pmol/L holoTC"
"""The unit an active B12 (holotranscobalamin) result is given, so that it is never classed by
the total B12 cut-offs: both are reported in pmol/L, with different bands (NICE NG239)."""

_UNITS: dict[str, str] = {
    "ng/l": "ng/L",
    "pg/ml": "pg/mL",
    "pmol/l": "pmol/L",
    "nmol/l": "nmol/L",
    "ug/l": "µg/L",
    "mcg/l": "µg/L",
    "umol/l": "µmol/L",
    "ng/ml": "ng/mL",
    "pmol/lholotc": ACTIVE_B12_UNIT,
}

_LAB_UNIT = r"(?P<unit>\s*(?:ng|pg|pmol|nmol|ug|mcg|umol)\s*/\s*(?:l|ml|dl)(?![a-z]))?"
_NOT_A_LEVEL = re.compile(
    r"^[\"')\]]?\s*(?:mg|mcg|ug|micrograms?|milligrams?|iu|units?|x|times|weeks?|days?|months?|"
    r"years?|doses?|injections?|jabs?|tablets?|monthly|weekly|daily|/7|/52|%)(?![a-z/])"
)

_LAB_KEYWORDS: dict[str, str] = {
    "b12": r"(?:vitamin\s*b\s*-?\s*12|vit\s*b\s*-?\s*12|serum\s+b12|total\s+b12|"
    r"active[\s-]*b\s*-?\s*12|b\s*-?\s*12|cobalamin|cyanocobalamin\s+level|holotc|holo-?transcobalamin|cbl)",
    # "fol", "folates", "folic level" (session 11, first_messages7_dev): shorthand and lay words
    "folate": r"(?:serum\s+folate|red\s+cell\s+folate|red\s+blood\s+cell\s+folate|folates?|rcf|"
    r"folic\s+acid\s+levels?|folic\s+levels?|fol(?![a-z])|vitamin\s+b9|b9)",
    "mma": r"(?:methylmalonic\s+acid|methylmalonate|methylmalonic|mma)",
}


_LAB_FIELDS = {"b12": "b12_level", "folate": "folate_level", "mma": "mma_level"}
_B12_UNITS = frozenset({"ng/L", "pg/mL", "pmol/L", ACTIVE_B12_UNIT})
_ACTIVE_B12 = re.compile(r"(?:active[\s-]*b\s*-?\s*12|holotc|holo-?transcobalamin)$")


@cache
def _lab_pattern(kind: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?<![a-z0-9]){_LAB_KEYWORDS[kind]}(?![a-z0-9]){_FILLER}(?<![\d.])(?P<neg>){NUM}(?![\d])"
        rf"{_LAB_UNIT}"
    )


@cache
def _lab_after_comma(kind: str) -> re.Pattern[str]:
    """A value after a comma ("B12 is low, 150 ng/L", "on B12, level 205 ng/L").

    It counts with its unit written, or without one when it ends the sentence ("b12 was low,
    100."): a number followed by more words ("B12 low, 65 years") is not taken.
    """
    unit = _LAB_UNIT.removesuffix("?")
    return re.compile(
        rf"(?<![a-z0-9]){_LAB_KEYWORDS[kind]}(?![a-z0-9]){_FILLER},{_FILLER}(?<![\d.])(?P<neg>)"
        rf"{NUM}(?![\d])(?:{unit}|(?P<end>(?=\s*(?:[!?\n]|\.(?!\d)|$))))"
    )


_B12_ONLY_UNIT = r"(?P<unit>\s*(?:ng\s*/\s*l|pg\s*/\s*ml)(?![a-z]))"
_LEVEL_WITH_B12_UNIT = re.compile(
    rf"(?<![a-z])(?:level|levels|result|reading)(?![a-z]){_FILLER}(?<![\d.])(?P<neg>){NUM}"
    rf"(?![\d]){_B12_ONLY_UNIT}"
)
"""'level was 170 pg/mL': a level in a unit only B12 is reported in (folate is in µg/L,
ng/mL or nmol/L), read as B12 when B12 was the last test named before it."""


_BARE_LEVEL_BEFORE = re.compile(
    r"(?:^|[.,;:!?\n(]\s*|(?<![a-z])(?:my|her|his|the|your|their|and)\s+)$"
)


_BARE_LEVEL_AT_END = re.compile(
    rf"(?<![a-z])(?:level|result)\s+(?:is|was|came\s+back(?:\s+at)?|of)\s+(?<![\d.])(?P<neg>){NUM}"
    r"(?![\d])(?P<unit>)(?=\s*(?:[!?\n]|\.(?!\d)|$))"
)
"""'... and the level is 120.': a unitless level that ends its sentence, read as B12 only when
B12 was the last test named before it (see :func:`_b12_by_unit`)."""


def _b12_by_unit(norm: str) -> list[re.Match[str]]:
    """B12 levels named by "level" and a B12 unit (or none at a sentence's end).

    B12 must be the last test named before the level.
    """
    own = re.compile(rf"(?<![a-z0-9]){_LAB_KEYWORDS['b12']}(?![a-z0-9])")
    out = []
    found = [*_LEVEL_WITH_B12_UNIT.finditer(norm), *_BARE_LEVEL_AT_END.finditer(norm)]
    for m in sorted(found, key=lambda x: x.start()):
        if not _BARE_LEVEL_BEFORE.search(norm, 0, m.start()):
            continue  # "troponin level 40 ng/L": "level" names another test
        tests = list(_OTHER_TEST.finditer(norm, 0, m.start()))
        if tests and own.fullmatch(tests[-1].group()):
            out.append(m)
    return out


@cache
def _lab_continuation(kind: str) -> re.Pattern[str]:
    return re.compile(rf"{_CONTINUATION.pattern}{NUM}(?![\d]){_LAB_UNIT}")


def _lab_unit(raw: str | None) -> str | None:
    if not raw:
        return None
    compact = re.sub(r"\s+", "", raw)
    return _UNITS.get(compact, compact)


def lab_unit(raw: str | None) -> str | None:
    """A laboratory unit as the extractor spells it (``"ug / l"`` -> ``µg/L``), or None."""
    folded = (raw or "").replace("µ", "u").replace("μ", "u").lower()
    return _lab_unit(folded)


def read_lab(norm: str, kind: str) -> Reading:
    """Every value of a laboratory test, resolved to the one to use, with its unit normalised.

    As :func:`_read_lab`, plus one problem when a word status is contradicted by the
    laboratory range written beside the value (:func:`range_contradiction`): the value is
    kept, the contradiction is named back.
    """
    reading = _read_lab(norm, kind)
    clash = range_contradiction(norm, kind) if reading.hit is not None else None
    return Reading(reading.hit, (*reading.problems, clash)) if clash else reading


def _read_lab(norm: str, kind: str) -> Reading:
    """Every value of a laboratory test, resolved to the one to use, with its unit normalised.

    Doses ("B12 1000 mcg daily") and counts ("B12 3 times a week") are not levels. A B12
    value must be in ng/L, pg/mL or pmol/L (or have no unit) and within a possible range;
    a negative value is refused for every test. Several values resolve as for platelets.

    Args:
        norm: Normalised text.
        kind: ``"b12"``, ``"folate"`` or ``"mma"``.

    Returns:
        The reading; the hit's unit is None when no unit was written.
    """
    field = _LAB_FIELDS[kind]
    norm = _decimal_commas(norm, kind)
    censored = _censored(norm, kind)
    if censored is not None:
        return Reading(None, (censored,))

    def convert(m: re.Match[str]) -> tuple[float | None, str, str | None]:
        unit = _lab_unit(m.group("unit"))
        value = _to_float(m.group("num"))
        other = _OTHER_UNIT.match(norm, m.end()) if unit is None else None
        if other is not None:  # "folate 2.5 mmol/L": a unit no reader of this test accepts
            return None, field, other.group().strip()
        if kind != "b12":
            return value, field, unit
        if _active_b12(norm, m.start("num")):
            # Active B12 is reported in pmol/L: tagged so that no total B12 cut-off classes it.
            unit = ACTIVE_B12_UNIT if unit in (None, "pmol/L") else unit
            if unit != ACTIVE_B12_UNIT:
                return None, field, unit
        if unit is not None and unit not in _B12_UNITS:
            return None, field, unit
        return value, f"{field} {unit}" if unit else field, unit

    matches = [
        m
        for m in _lab_pattern(kind).finditer(norm)
        if m.group("unit") is not None or not _NOT_A_LEVEL.match(norm[m.end("num") :])
    ]
    if not matches:
        matches = list(_lab_after_comma(kind).finditer(norm))
    if not matches and kind == "b12":
        matches = _b12_by_unit(norm)
    return _read_values(field, "", norm, matches, _lab_continuation(kind), convert)


_OTHER_UNIT = re.compile(
    r"\s*(?:mmol|mol|mg|g|iu|u|miu|umol|µmol|mcmol)\s*/\s*(?:l|dl|ml)(?![a-z])"
)
"""A concentration unit after a B12, folate or MMA number that is not one of theirs."""


def _active_b12(norm: str, num_start: int) -> bool:
    """Whether the last B12 name before the number is active B12 (holotranscobalamin)."""
    names = list(re.finditer(rf"(?<![a-z0-9]){_LAB_KEYWORDS['b12']}(?![a-z0-9])", norm[:num_start]))
    return bool(names) and bool(_ACTIVE_B12.search(names[-1].group()))


def _decimal_commas(norm: str, kind: str) -> str:
    """"folate 1,9 ug/L": a decimal comma right after a test's name is a decimal point.

    Only one or two digits after the comma (so "b12 1,200" stays a thousands separator) and
    the same length, so every offset still points into the written text.
    """
    return re.sub(
        rf"(?<![a-z0-9])({_LAB_KEYWORDS[kind]}[\s:=]*\d+),(?=\d{{1,2}}(?![\d,]))",
        lambda m: m.group(1) + ".",
        norm,
    )


_BELOW_WORDS = r"under|below|less\s+than|lower\s+than"
_ABOVE_WORDS = r"over|above|more\s+than|greater\s+than|higher\s+than"


def _censored_match(norm: str, kind: str) -> re.Match[str] | None:
    """"folate <1.5 ug/L", "B12 under 100": a result reported beyond a limit."""
    return re.search(
        rf"(?<![a-z0-9]){_LAB_KEYWORDS[kind]}\s*(?:level|result|is|was|of|:|=)?\s*"
        rf"(?P<sign>[<>≤≥]|(?:{_BELOW_WORDS}|{_ABOVE_WORDS})(?![a-z]))\s*(?P<num>\d+(?:\.\d+)?)"
        r"(?P<unit>\s*(?:ng|pg|pmol|nmol|ug|µg|mcg|umol)\s*/\s*(?:l|ml|dl))?",
        norm,
    )


def _censored_low(norm: str, kind: str) -> tuple[str, int, int] | None:
    """``low`` for a result below a limit that is itself low by the topic's cut-off.

    "B12 <50 ng/L", "B12 under 100": whatever the exact value, it is below the lower limit,
    so the result is low (session 7: these were named back and held up the plan of the most
    deficient patients). A limit that is not itself low ("folate <5") classes nothing.
    """
    m = _censored_match(norm, kind)
    return ("low", m.start(), m.end()) if m is not None and _below_a_low_limit(m, kind) else None


def _below_a_low_limit(m: re.Match[str], kind: str) -> bool:
    """Whether a censored result is below a limit the topic's cut-off itself classes low."""
    from guideline_engine.labs import cutoff_for  # labs reads the topics, which read facts

    if not _below(m["sign"]):
        return False
    unit = _lab_unit(m["unit"])
    cutoff = cutoff_for(_LAB_FIELDS[kind], unit)
    return cutoff is not None and cutoff.band(float(m["num"]), unit) == "low"


def _below(sign: str) -> bool:
    return sign in "<≤" or bool(re.match(_BELOW_WORDS, sign))


def _censored(norm: str, kind: str) -> ValueProblem | None:
    """"folate <1.5 ug/L": a result reported beyond a limit is named back, not used (HAZ-060).

    Not when the limit is itself low: that result is classed low (:func:`_censored_low`).
    """
    m = _censored_match(norm, kind)
    if m is None or _below_a_low_limit(m, kind):
        return None
    side = "below" if _below(m["sign"]) else "above"
    why = (
        f"reported as {side} a limit rather than as a value, so I have not used it; "
        "say whether the laboratory called it low, borderline or normal"
    )
    return _problem(_LAB_FIELDS[kind], norm, m.start("sign"), m.end(), why)


def find_lab(norm: str, kind: str) -> NumberHit | None:
    """The value of a laboratory test to use (see :func:`read_lab`), or None."""
    return _read_lab(norm, kind).hit


@dataclass(frozen=True)
class StatedRange:
    """A laboratory's reference range written beside a value ("folate 2.1 (3.9-20)")."""

    low: float
    high: float
    start: int
    end: int

    def status(self, value: float) -> str | None:
        """``low`` below its lower limit, else None: a range never classes a value normal.

        A value just inside a laboratory's range can still be deficient or indeterminate
        (NICE NG239 and BSH: a grey zone; the clinical picture decides), and "normal" would
        let a folic acid plan through with B12 unknown (HAZ-059): only words say normal.
        """
        return "low" if value < self.low else None


_RANGE_NUM = r"\d+(?:\.\d+)?"
_RANGE_PAIR = rf"(?P<low>{_RANGE_NUM})\s*(?:-|–|—|to)\s*(?P<high>{_RANGE_NUM})"
_RANGE_WORDS = (
    r"(?:ref(?:erence)?\.?(?:\s+(?:range|interval|values?))?|normal(?:\s+range)?|"
    r"lab(?:oratory)?\s+range|range|rr|nr)"
)
_RANGE_UNIT = r"(?P<runit>\s*(?:ng|pg|pmol|nmol|ug|mcg|umol)\s*/\s*(?:l|ml|dl)(?![a-z]))?"
_RANGE_IN_BRACKETS = re.compile(
    rf"\s*[(\[]\s*(?:{_RANGE_WORDS}\s*(?:is|of)?\s*[:=]?\s*)?{_RANGE_PAIR}{_RANGE_UNIT}\s*[)\]]"
)
_RANGE_CLAUSE = re.compile(
    rf"[^.;\n]{{0,40}}?(?<![a-z]){_RANGE_WORDS}\s*(?:is|of|was)?\s*[:=]?\s*{_RANGE_PAIR}"
    rf"{_RANGE_UNIT}"
)
_OTHER_TEST = re.compile(
    rf"(?<![a-z0-9])(?:{'|'.join(_LAB_KEYWORDS.values())}|hb|haemoglobin|hemoglobin|platelets?|"
    r"plts?|mcv|wcc|wbc|ferritin|iron|tsh|vit(?:amin)?\s*d|inr|crp|hba1c|glucose|sugars?|"
    r"creatinine|egfr|cholesterol|psa|t4)(?![a-z0-9])"
)


_LOWER_LIMIT_IN_BRACKETS = re.compile(
    rf"\s*[(\[]\s*(?:{_RANGE_WORDS}\s*[:=]?\s*)?(?:>|≥|>=|above|over)\s*(?P<low>{_RANGE_NUM})"
    rf"(?P<high>){_RANGE_UNIT}\s*[)\]]"
)
"""A one-sided range, "folate 180 nmol/L (ref >340)": only its lower limit is known."""


def stated_range(norm: str, hit: NumberHit) -> StatedRange | None:
    """The reference range written right after a value, in brackets or in the same clause.

    The range must be in the value's unit (a range in another written unit is ignored), its
    lower limit must be below its upper one, and no other test may be named between the two.
    A one-sided range ("(ref >340)") has no upper limit.
    """
    m = (
        _RANGE_IN_BRACKETS.match(norm, hit.end)
        or _LOWER_LIMIT_IN_BRACKETS.match(norm, hit.end)
        or _RANGE_CLAUSE.match(norm, hit.end)
    )
    if m is None or _OTHER_TEST.search(norm, hit.end, m.start("low")):
        return None
    low, high = float(m["low"]), float(m["high"] or "inf")
    unit = _lab_unit(m["runit"])
    written = hit.unit.split()[0] if hit.unit else None  # "pmol/L holoTC" was written pmol/L
    if not 0 < low < high or (unit is not None and written is not None and unit != written):
        return None
    return StatedRange(low, high, m.start("low"), m.end())


def _range_status(norm: str, kind: str) -> tuple[str, int, int] | None:
    """How the laboratory's own stated range classes the value (see :func:`stated_range`)."""
    hit = _read_lab(norm, kind).hit
    found = stated_range(norm, hit) if hit is not None else None
    status = found.status(hit.value) if found is not None and hit is not None else None
    if status is None or found is None or hit is None:
        return None
    return status, hit.start, found.end


_OPPOSED = {("low", "normal"), ("normal", "low")}
_RANGE_AFTER_WORD = re.compile(
    r"[\s\-]+(?:range|reference|limits?\s+(?:is|are|of)|values?\s+(?:is|are))"
)


def range_contradiction(norm: str, kind: str) -> ValueProblem | None:
    """A word status that the stated range contradicts ("folate normal, 2.1 (3.9-20)").

    The word still wins (it is what the writer said); the contradiction is named back so the
    writer says which is right before any plan. Its field is the status (``folate_status``),
    so a new status word replaces it.
    """
    words, ranged = _word_status(norm, kind), _range_status(norm, kind)
    if words is None or ranged is None or (words[0], ranged[0]) not in _OPPOSED:
        return None
    written = norm[ranged[1] : ranged[2]].strip()
    why = f"said to be {words[0]}, but the range given beside it makes it {ranged[0]}"
    problem = f'{_LABELS[_LAB_FIELDS[kind]]} "{written}": {why}; please say which is right'
    return ValueProblem(f"{kind}_status", problem, ranged[1], ranged[2])


_STATUS_WORDS: dict[str, str] = {
    "borderline": "indeterminate",
    "indeterminate": "indeterminate",
    "equivocal": "indeterminate",
    "grey zone": "indeterminate",
    "gray zone": "indeterminate",
    "grey area": "indeterminate",
    "gray area": "indeterminate",
    "low normal": "indeterminate",
    "low-normal": "indeterminate",
    "low": "low",
    "very low": "low",
    "deficient": "low",
    "reduced": "low",
    "undetectable": "low",
    "normal": "normal",
    "fine": "normal",
    "ok": "normal",
    "okay": "normal",
    "within normal limits": "normal",
    "wnl": "normal",
    "in range": "normal",
    "below range": "low",
    "under range": "low",
    "under the range": "low",
    "good": "normal",
    "below the range": "low",
    "below the normal range": "low",
    "below normal": "low",
    "flagged low": "low",
    "v low": "low",
    "nl": "normal",
    "below assay range": "low",
    "below the assay range": "low",
    "below the detection limit": "low",
    "below detection limit": "low",
    # session 11 (first_messages7_dev): lay and lab words
    "rock bottom": "low",
    "unrecordable": "low",
    "a bit under": "low",
}
_AFTER_ONLY = frozenset({"fine", "ok", "okay", "good", "nl"})
_ASKS_ABOUT_USE = re.compile(r"\s+(?:to|for|with|if|together|in\s+pregnancy)(?![a-z])")


@lru_cache(maxsize=4)
def _status_patterns(
    kind: str = "b12",
) -> tuple[re.Pattern[str], re.Pattern[str], re.Pattern[str]]:
    words = "|".join(
        re.escape(w).replace(r"\ ", r"[\s\-]+")
        for w in sorted(_STATUS_WORDS, key=len, reverse=True)
    )
    # "fine"/"ok" class a result only after it ("B12 fine"), never before ("ok B12 tablets?")
    words_before = "|".join(
        re.escape(w).replace(r"\ ", r"[\s\-]+")
        for w in sorted(_STATUS_WORDS, key=len, reverse=True)
        if w not in _AFTER_ONLY
    )
    kw = _LAB_KEYWORDS[kind]
    gap = r"(?:[\s:=,()\-'\"]+(?:[a-z0-9./]+))*?"
    before = re.compile(
        rf"(?<![a-z0-9])(?P<word>{words_before})(?:[\s\-]+(?:serum|vitamin|vit|total))?[\s\-]+{kw}"
        r"(?![a-z0-9])"
    )
    after = re.compile(
        rf"(?<![a-z0-9]){kw}(?![a-z0-9])(?P<gap>{gap})[\s:=,()\-'\"]+(?P<word>{words})(?![a-z0-9])"
    )
    # "B12 and folate are both low", "both my B12 and my folate are low", "B12 & folate both
    # under range", "B12 and folate normal": one status word for both tests
    b12 = _LAB_KEYWORDS["b12"]
    own = r"(?:(?:my|her|his|their|the|your)\s+)?"
    both = re.compile(
        rf"(?<![a-z0-9])(?:both\s+)?{own}{b12}\s+(?:and|&|\+)\s+{own}"
        rf"(?:(?:serum|red\s+cell)\s+)?folate(?:\s+levels?)?"
        rf"\s+(?:(?:are|were|came\s+back|both|have|has|been|come\s+back)\s+)*"
        rf"(?:(?:very|severely|really|quite)\s+)?(?P<word>{words})(?![a-z0-9])"
    )
    return before, after, both


_GAP_LIMIT = 6
_GAP_TOKEN_OK = re.compile(
    r"^(?:[\d.,]+|ng/l|pg/ml|pmol/l|nmol/l|ug/l|mcg/l|ng|pg|pmol|nmol|ug|mcg|/l|/ml|l|ml|"
    r"level|levels|is|was|were|are|came|back|result|results|of|the|her|his|my|serum|total|"
    r"reported|as|at|today|recently|now|quite|slightly|mildly|also|again|looks|looked|seems|"
    r"appears|be|being|been|its|it's|value|reading|test|very|severely|really|extremely|so|"
    r"a|bit|little|too|apparently|currently|still|has|have|come|comes|flagged|says|said|"
    r"checked|rechecked|done|tested|retested|and|last|week|turned|out|to|proved)$"
)


def find_b12_status(norm: str) -> tuple[str, int, int] | None:
    """How the writer classed the B12 result in words (see :func:`find_lab_status`)."""
    return find_lab_status(norm, "b12")


_DEFICIENCY_DOUBTED = re.compile(
    r"(?<![a-z])(?:not|no|without|rule\s+out|exclude|could|might|maybe|possible|possibly|"
    r"suspect|suspected|query|test\s+for|check\s+for|screen\s+for|is\s+it|if|whether|"
    r"history\s+of|fh|family|mum|mom|dad|mother|father|sister|brother|treated\s+for|had|"
    r"think|thought|wonder|wondering|worried|concerned|afraid|scared|self[\s-]*diagnosed)(?![a-z])"
    r"[^.;,!?\n]*$"
)
"""Words before "B12 deficiency" in the same clause that make it a question or a denial."""
_DEFICIENCY_OTHERS = re.compile(
    r"(?<![a-z])(?:friend'?s?|baby'?s?|son'?s?|daughter'?s?|husband'?s?|wife'?s?|partner'?s?|aunt|"
    r"auntie|aunty|uncle|cousin|neighbou?r'?s?|colleague'?s?|gran|nan|grandma|grandad|"
    r"grandfather|grandmother|niece|nephew|mum'?s|mom'?s|dad'?s|sister'?s|brother'?s)(?![a-z])"
    r"[^.;,!?\n]*$"
)
"""Someone else named earlier in the clause: "my friend's baby ended up in hospital because of
B12 deficiency" is not the writer's result (session 12, triage22_dev)."""
_OTHERS_RESULT = re.compile(
    r"(?<![a-z])(?:his|her|their|(?:husband|wife|partner|friend|mum|mom|dad|sister|brother|son|"
    r"daughter)'?s)\s+$"
)
"""A possessive right before the test's name: "his B12 is fine"."""
_OWN_RESULT_SAID = re.compile(
    r"(?<![a-z])(?:my\s+(?:own\s+)?(?:b\s*-?12|folate|levels?|results?|bloods?|blood\s+tests?)|"
    r"mine)(?![a-z0-9])"
)


def _someone_elses(norm: str, start: int, before: re.Pattern[str]) -> bool:
    """A result said of someone else while the writer speaks of their own result too.

    In a carer's message the relative is the patient ("my dad's 84, his B12 is 100"); only
    beside the writer's own result ("my B12 at 180 ... my husband's B12 is fine", "my friend's
    baby ... B12 deficiency. I'm 20 weeks") is it someone else's (session 12).
    """
    if not before.search(norm[max(0, start - 150) : start]):
        return False
    return any(not (m.start() <= start < m.end()) for m in _OWN_RESULT_SAID.finditer(norm))


# "folate deficiency", "folate-deficient", "deficient in folate", "B12 def": a stated low result
_DEFICIENT = {
    kind: re.compile(
        rf"(?<![a-z0-9])(?:{_LAB_KEYWORDS[kind]}[\s\-]+(?:deficiency|deficient|def(?=[\s,.;:'(]|$))"
        rf"|deficien(?:t|cy)\s+(?:in|of)\s+{_LAB_KEYWORDS[kind]})(?![a-z0-9])"
    )
    for kind in ("b12", "folate")
}


# "both low: b12 140, folate 2.5", "low b12 and folate": one statement classes both tests
_BOTH_WORDS = re.compile(
    r"(?<![a-z])(?<!not\s)both\s+(?:are\s+|were\s+|came\s+back\s+)?(?:very\s+)?"
    r"(?:low|deficient)(?![a-z])(?!\s+(?:dose|doses|strength)(?![a-z]))"
)


def _both_low(norm: str, kind: str) -> list[tuple[int, int, str]]:
    """``low`` for B12 or folate when the message says both are low and names both tests."""
    if kind not in {"b12", "folate"}:
        return []
    b12, folate = _LAB_KEYWORDS["b12"], _LAB_KEYWORDS["folate"]
    # "B12 or folic acid? both low": asked which to take, "folic acid" names the folate result
    folate_named = rf"(?:{folate}|folic\s+acid)"
    names_both = all(
        re.search(rf"(?<![a-z0-9]){kw}(?![a-z0-9])", norm) for kw in (b12, folate_named)
    )
    if not names_both:
        return []
    joined = re.compile(
        rf"(?<![a-z])(?:low|deficient)\s+(?:(?:serum|vitamin)\s+)?{b12}\s+(?:and|&|\+)\s+"
        rf"(?:(?:serum|red\s+cell)\s+)?folate(?![a-z])"
    )
    found = [*_BOTH_WORDS.finditer(norm), *(joined.finditer(norm) if kind == "folate" else ())]
    return [(m.start(), m.end(), "low") for m in found]


def find_lab_status(norm: str, kind: str) -> tuple[str, int, int] | None:
    """How the writer classed a laboratory result: in words, else by the range they gave.

    Words always win ("B12 normal"); without them, a value written with its laboratory's
    reference range is classed against that range (:meth:`StatedRange.status`: low only), and
    failing that by its topic's sourced cut-offs (:func:`_cutoff_status`).
    """
    return (
        _word_status(norm, kind)
        or _flag_status(norm, kind)
        or _now_status(norm, kind)
        or _range_status(norm, kind)
        or _cutoff_status(norm, kind)
        or _censored_low(norm, kind)
    )


# "last week" is no date of an old result: "bloods last week: folate 6.4" is the latest
# (session 12).
_DATED = re.compile(
    r"(?<![a-z0-9])(?:(?:in|from|back\s+in|since)\s+(?:19|20)\d\d|\d+\s+(?:days?|weeks?|months?|"
    r"years?)\s+ago|last\s+(?:month|year)|(?:a|one|two|few)\s+(?:years?|months?)\s+ago)"
    r"(?![a-z0-9])"
)
_TREATMENT = (
    r"(?:injections?|jabs?|shots?|hydroxo-?cobalamin|hydroxy-?cobalamin|cyanocobalamin|"
    r"methylcobalamin|loading\s+doses?|(?:vitamin\s+)?b\s*-?12\s+(?:tablets?|supplements?|"
    r"injections?|jabs?|shots?|replacement|treatment|therapy))"
)
# Any word of B12 treatment in the message ("I take b12 tablets", "I get my jabs every 12 weeks",
# "after a course of b12", "now 400 on injections", "on b12"), or nitrous oxide use, where a total
# B12 level may not show the deficiency (NG239 prefers homocysteine or MMA then), keeps a B12
# number from being called normal or borderline: the bot asks instead (independent review,
# session 6, findings 3-4).
_NOT_NORMAL_BY_NUMBER = re.compile(
    rf"(?<![a-z]){_TREATMENT}(?![a-z])|(?<![a-z])course\s+of\s+(?:vitamin\s+)?b\s*-?12"
    r"|(?<![a-z])treated\s+for\s+(?:vitamin\s+)?b\s*-?12"
    r"|(?<![a-z])(?:on|taking|takes)\s+(?:(?:oral|im|daily)\s+)?(?:vitamin\s+)?b\s*-?12(?!\s*(?:level|result|of|is|was|"
    r"test|came|\d))(?![a-z0-9])"
    r"|(?<![a-z])(?:nitrous(?:\s+oxide)?|laughing\s+gas|nos(?:\s+balloons?)?|whippets?|"
    r"n2o|balloons)(?![a-z])"
)


_FOLATE_NOT_NORMAL_BY_NUMBER = re.compile(
    r"(?<![a-z])(?:folic|folinic|\w*folate\s+(?:tablets?|supplements?|pills?)|methyl\s*folate|"
    r"fa|supplements?|multivit\w*|pregnancy\s+vitamins?|b\s*-?9|b\s+complex|pregnacare|"
    r"seven\s+seas|(?:red\s+(?:blood\s+)?cell|rbc|erythrocyte|whole\s+blood)\s+folate|rcf)"
    r"(?![a-z])"
)
"""Session 12 (review 12, finding 4): a folate number taken on folic acid, a supplement or any
treatment reflects the treatment, and a red cell or whole blood folate has other ranges:
neither is classed normal by the serum cut-off."""
_NOT_NORMAL_BY_NUMBER_OF = {"b12": _NOT_NORMAL_BY_NUMBER, "folate": _FOLATE_NOT_NORMAL_BY_NUMBER}
_SAID_NOT_NORMAL = re.compile(
    r"(?<![a-z])(?:low|lo|borderline|flag\w*|deficien\w*|below|under|insufficien\w*|marked|"
    r"abnormal|not\s+(?:normal|great|good|right)|reduced|decreased|treatment|treated|tablets?|"
    r"replacement|since\s+starting|after\s+starting)(?![a-z])"
)
"""Words said of the result that leave its number unclassed by the normal band: "folate 6.1
ug/L, flagged as low", "they said borderline", "after 4 months of treatment" (review 12,
findings 3 and 4; laboratories' lower limits vary from 3 to 7 µg/L)."""
_FLAG_AFTER = re.compile(r"\s*[\[(]?\s*(?:l|lo|low|\*)(?![a-z])")
_OTHER_TEST = re.compile(
    r"(?<![a-z0-9])(?:b\s*-?12|cobalamin|folate|folic|hb|hgb|ha?emoglobin|plt|platelets?|mcv|"
    r"ferritin|wcc|wbc|tsh|iron|mma|crp)(?![a-z0-9])"
)
_SENTENCE_STOP = re.compile(r"[.;!?\n]")


def _said_of_result(norm: str, start: int, end: int) -> str:
    """The words said of the result at ``[start, end)``.

    Up to the next test named or the end of the sentence.
    """
    sentence = _SENTENCE_STOP.search(norm, end)
    stop = sentence.start() if sentence else len(norm)
    other = _OTHER_TEST.search(norm, end, stop)
    return norm[start : other.start() if other else stop]


_TENSE_ONLY = re.compile(r"(?<![a-z])(?:was|were)(?![a-z])")


def _past_value(norm: str, hit: NumberHit) -> bool:
    """The value is dated in the past ("was 500 last year", "b12 500 in 2019").

    The past tense alone is not: "my folate was 2.0" reports the latest result as people
    usually do, so it is classed like "my folate is 2.0" (a dated or replaced value is not).
    """
    num = re.search(r"\d", norm[hit.start : hit.end])
    num_start = hit.start + (num.start() if num else 0)
    timing = _timing(norm, hit.start, num_start, hit.end)
    tail = _TAIL.match(norm, hit.end)
    if timing == "now":
        return False
    if timing == "past":
        around = norm[hit.start : num_start] + " " + (tail.group() if tail else "")
        if _PAST_MARKER.search(_TENSE_ONLY.sub(" ", around)):
            return True
    clause_start = max(norm.rfind(c, 0, hit.start) for c in ",;.\n") + 1
    around = norm[clause_start : hit.end] + " " + (tail.group() if tail else "")
    return bool(_DATED.search(around))


def _cutoff_status(norm: str, kind: str) -> tuple[str, int, int] | None:
    """How the topic's sourced cut-offs class the value (:func:`guideline_engine.labs.cutoff_for`).

    Only a current value: one dated in the past is not the current status. A B12 level said to
    be taken on B12 treatment ("now 400 on injections") is classed low and nothing else: a
    normal or borderline level then reflects the treatment, not whether there is a deficiency.
    A number without a unit is classed only when it falls in the same band in every unit
    accepted (:meth:`LabCutoff.band`).
    """
    from guideline_engine.labs import cutoff_for  # labs reads the topics, which read facts

    hit = _read_lab(norm, kind).hit
    cutoff = cutoff_for(_LAB_FIELDS[kind], hit.unit) if hit is not None else None
    band = cutoff.band(hit.value, hit.unit) if cutoff is not None and hit is not None else None
    if band is None or hit is None or _past_value(norm, hit):
        return None
    not_normal = _NOT_NORMAL_BY_NUMBER_OF.get(kind)
    if band != "low" and not_normal is not None and not_normal.search(norm):
        return None
    said = _said_of_result(norm, hit.start, hit.end)
    if band == "normal" and (_SAID_NOT_NORMAL.search(said) or _FLAG_AFTER.match(norm, hit.end)):
        return None
    return band, hit.start, hit.end


def _now_status(norm: str, kind: str) -> tuple[str, int, int] | None:
    """"folate was 2.1 last year, now normal": a later word that classes the test now."""
    if kind not in _LAB_KEYWORDS:
        return None
    m = re.search(
        rf"(?<![a-z0-9]){_LAB_KEYWORDS[kind]}(?![a-z0-9])(?:[^.;\n]|\.(?=\d)){{0,60}}?(?<![a-z])"
        r"(?:now|currently|since)\s+(?:(?:is|it'?s|its)\s+)?(?:back\s+(?:to\s+)?)?"
        r"(?P<word>normal|fine|ok|okay)(?![a-z])",
        norm,
    )
    return ("normal", m.start(), m.end()) if m else None


_REFERRING = re.compile(
    r"(?<![a-z])(?:it'?s|its|it\s+is|it\s+was|it\s+came\s+back|which\s+is|which\s+was|"
    r"that'?s|that\s+is)\s+(?:(?:very|really|quite|too|a\s+bit|slightly|definitely)\s+)?"
    r"(?P<word>low|very\s+low|deficient|borderline|normal)(?![a-z0-9])"
)
_CONDITIONAL_BEFORE = re.compile(r"(?<![a-z])(?:if|whether|in\s+case|unless)\s*$")
_COMMENT_STATUS = re.compile(
    r"(?:[^.;\n]|\.(?=\d)){0,40}?(?<![a-z])with\s+an?\s+['\"]?(?P<word>low|borderline|normal)['\"]?\s+"
    r"(?:(?:lab|laboratory)\s+)?(?:comment|flag|note|remark)(?![a-z])"
)
_REFERENCE_REACH = 120
"""How far back (characters) "it's low" looks for the test it is about."""


def _referred_status(norm: str, kind: str) -> list[tuple[int, int, str]]:
    """A status said of the test named last ("my folate says -2?? doctor says it's low").

    "it's low", "which is low": the pronoun refers to the last test named before it (any
    test, so "ferritin 10, which is low" classes no B12 or folate), within a short reach and
    not in a condition ("if it's low"). "folate 3.1 mmol/L with a 'low' lab comment": the
    laboratory's comment on the result is its status, even when the value is not usable.
    """
    own = re.compile(rf"(?<![a-z0-9]){_LAB_KEYWORDS[kind]}(?![a-z0-9])")
    hits: list[tuple[int, int, str]] = []
    for m in _REFERRING.finditer(norm):
        if _CONDITIONAL_BEFORE.search(norm[max(0, m.start() - 10) : m.start()]):
            continue
        tests = list(_OTHER_TEST.finditer(norm, max(0, m.start() - _REFERENCE_REACH), m.start()))
        if tests and own.fullmatch(tests[-1].group()):
            word = re.sub(r"\s+", " ", m.group("word"))
            hits.append((tests[-1].start(), m.end(), _STATUS_WORDS.get(word, "low")))
    for kw in own.finditer(norm):
        c = _COMMENT_STATUS.match(norm, kw.end())
        if c is not None and not _OTHER_TEST.search(norm, kw.end(), c.start("word")):
            hits.append((kw.start(), c.end(), _STATUS_WORDS[c.group("word")]))
    return hits


def _after_last_correction(
    norm: str, hits: list[tuple[int, int, str]]
) -> list[tuple[int, int, str]]:
    """"folate normal - correction: folate is low": the statements after the last correction.

    Only a correction with a statement on each side of it counts; without one, all of them.
    """
    fixes = [
        c.end()
        for c in _CORRECTION.finditer(norm)
        if any(h[1] <= c.start() for h in hits) and any(h[0] >= c.end() for h in hits)
    ]
    return [h for h in hits if h[0] >= fixes[-1]] if fixes else hits


@lru_cache(maxsize=4)
def _flag_pattern(kind: str) -> re.Pattern[str]:
    """A result followed by its laboratory's low flag in brackets: "B12 150 ng/L (L)"."""
    return re.compile(
        rf"(?<![a-z0-9]){_LAB_KEYWORDS[kind]}(?![a-z0-9])\s*[:=]?\s*<?\s*\d+(?:[.,]\d+)?"
        rf"{_LAB_UNIT}\s*[(\[]\s*(?:l|low)\s*[)\]]"
    )


def _flag_status(norm: str, kind: str) -> tuple[str, int, int] | None:
    """A laboratory's low flag in brackets right after a result: "B12 150 ng/L (L)" (session 11).

    Low only, as a stated range classes low only: "(N)" or "(H)" never makes a borderline
    B12 normal, so the borderline checks (MMA, B12 first) stay (review 11b, findings 4-5).
    """
    m = _flag_pattern(kind).search(norm)
    return None if m is None else ("low", m.start(), m.end())


def _overlapping(pattern: re.Pattern[str], norm: str) -> Iterator[re.Match[str]]:
    """Every match, each tried from every start.

    A long match that fails its checks must not hide a later one inside it ("b12 deficiency.
    ... my b12 is normal", session 12).
    """
    pos = 0
    while (m := pattern.search(norm, pos)) is not None:
        yield m
        pos = m.start() + 1


def _word_status(norm: str, kind: str) -> tuple[str, int, int] | None:
    """How the writer classed a laboratory result in words, if they did.

    "borderline", "indeterminate", "equivocal" -> ``indeterminate``; "low B12" /
    "B12 came back low" -> ``low``; "normal B12" -> ``normal``. The status word must sit
    next to the test's keyword (at most a few words apart, no other test or negation between).
    "B12 and folate are both low" classes both; "folate deficiency" classes folate low, unless
    doubted, denied, someone else's or past (``_DEFICIENCY_DOUBTED``).

    Args:
        norm: Normalised text.
        kind: ``"b12"``, ``"folate"`` or ``"mma"``.

    Returns:
        ``(status, start, end)`` or None.
    """
    before, after, both = _status_patterns(kind)
    hits: list[tuple[int, int, str]] = []
    deficient = _DEFICIENT.get(kind)
    for m in deficient.finditer(norm) if deficient else ():
        if _someone_elses(norm, m.start(), _DEFICIENCY_OTHERS):
            continue
        if not _DEFICIENCY_DOUBTED.search(norm[: m.start()][-25:]) and not re.match(
            r"(?:[^.;!\n,]*\?|[^.;!\n]*(?:ruled\s+out|excluded|years\s+ago|in\s+the\s+past|resolved))",
            norm[m.end() :],
        ):
            hits.append((m.start(), m.end(), "low"))
    for m in both.finditer(norm):
        word = re.sub(r"[\s\-]+", " ", m.group("word"))
        if word in _AFTER_ONLY and _ASKS_ABOUT_USE.match(norm, m.end("word")):
            continue  # "are b12 and folate ok to take together" asks about medicines
        hits.append((m.start(), m.end(), _STATUS_WORDS.get(word, "low")))
    hits += _both_low(norm, kind)
    hits += _referred_status(norm, kind)
    for m in before.finditer(norm):
        prefix = norm[max(0, m.start() - 5) : m.start()]
        if re.search(r"(?<![a-z])(?:not|no)\s*$", prefix):
            continue
        hits.append((m.start(), m.end(), _STATUS_WORDS[re.sub(r"[\s\-]+", " ", m.group("word"))]))
    for m in _overlapping(after, norm):
        if _someone_elses(norm, m.start(), _OTHERS_RESULT):
            continue
        gap_tokens = re.findall(r"[a-z0-9./',]+", m.group("gap"))
        if len(gap_tokens) > _GAP_LIMIT or not all(_GAP_TOKEN_OK.match(t) for t in gap_tokens):
            continue
        if re.search(r"(?<![a-z])(?:not|no|isn't|wasn't)\s*$", norm[: m.start("word")][-12:]):
            continue
        if _RANGE_AFTER_WORD.match(norm, m.end("word")):
            continue  # "normal range 3-20" names the laboratory's range, not a result
        word = re.sub(r"[\s\-]+", " ", m.group("word"))
        if word in _AFTER_ONLY and _ASKS_ABOUT_USE.match(norm, m.end("word")):
            continue  # "is folate ok to take with b12" asks about a medicine, not a result
        hits.append(
            (
                m.start(),
                m.end(),
                _STATUS_WORDS.get(word, _STATUS_WORDS.get(word.replace(" ", "-"), "low")),
            )
        )
    if not hits:
        return None
    hits = _after_last_correction(norm, hits)
    # indeterminate words are the most specific; otherwise the first statement wins
    hits.sort(key=lambda h: (h[2] != "indeterminate", h[0]))
    start, end, status = hits[0]
    return status, start, end


# --------------------------------------------------------------------------- haemoglobin

_HB_KW = r"(?:haemoglobin|hemoglobin|haemaglobin|hemaglobin|hgb|hb)"
_HB_UNIT = r"(?P<unit>\s*(?:g\s*/\s*dl|g\s*/\s*100\s*ml|g\s*/\s*l|mmol\s*/\s*l)(?![a-z]))?"
_HB_MMOL_TO_G_PER_L = 16.11  # haemoglobin (monomer) 1 mmol/L = 16.11 g/L
_HB_G_PER_DL_BELOW = 25.0  # a unitless Hb under this is in g/dL ("Hb 8.5"), else g/L ("Hb 85")


@lru_cache(maxsize=1)
def _hb_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    base = re.compile(
        rf"(?<![a-z0-9]){_HB_KW}(?![a-z0-9]){_FILLER}(?<![\d.])(?P<neg>){NUM}(?![\d]){_HB_UNIT}"
    )
    return base, re.compile(rf"{_CONTINUATION.pattern}{NUM}(?![\d]){_HB_UNIT}")


_HB_DECIMAL_COMMA = re.compile(rf"(?<![a-z0-9])({_HB_KW}[\s:=]*\d{{1,2}}),(?=\d(?!\d)(?!,\d))")
""""Hb 7,5": a decimal comma after a haemoglobin name (one digit after it; same length)."""


def _hb_g_per_l(raw: str, unit: str | None) -> float:
    value = _to_float(raw)
    u = re.sub(r"\s+", "", unit or "")
    if u in ("g/dl", "g/100ml") or (not u and value < _HB_G_PER_DL_BELOW):
        return value * 10.0
    if u == "mmol/l":
        return round(value * _HB_MMOL_TO_G_PER_L, 1)
    return value


def read_haemoglobin(norm: str) -> Reading:
    """Haemoglobin in g/L ("Hb 85", "Hb 8.5 g/dL" and "haemoglobin 85 g/L" all read as 85).

    Args:
        norm: Normalised text.

    Returns:
        The reading; negative or impossible values are refused and named.
    """
    base, continuation = _hb_patterns()
    norm = _HB_DECIMAL_COMMA.sub(lambda m: m.group(1) + ".", norm)

    def convert(m: re.Match[str]) -> tuple[float | None, str, str | None]:
        return _hb_g_per_l(m.group("num"), m.group("unit")), "haemoglobin", "g/L"

    matches = list(base.finditer(norm)) or _said_later(norm, _HB_KW, rf"{NUM}(?![\d]){_HB_UNIT}")
    return _read_values("haemoglobin", "g/L", norm, matches, continuation, convert)


# --------------------------------------------------------------------------- white cells

_WCC_KW = (
    r"(?:white\s+(?:blood\s+)?cell\s+counts?|white\s+(?:blood\s+)?cells?|white\s+counts?|"
    r"wbcs?|wcc|leu[ck]ocytes?|leu[ck]ocyte\s+counts?)"
)
_NEUT_KW = r"(?:absolute\s+neutrophil\s+counts?|neutrophil\s+counts?|neutrophils?|neuts?|anc)"
_CELLS_PER_UL_FROM = 200.0  # a unitless count this high is per µL ("WBC 2100", "ANC 900")


@lru_cache(maxsize=2)
def _cell_patterns(keyword: str) -> tuple[re.Pattern[str], re.Pattern[str]]:
    base = re.compile(
        rf"(?<![a-z0-9]){keyword}(?![a-z]){_FILLER}(?<![\d.])(?P<neg>){_PLT_NUM}{_PLT_UNIT}"
    )
    return base, re.compile(rf"{_CONTINUATION.pattern}{_PLT_NUM}{_PLT_UNIT}")


def _cells_per_nl(raw: str, exp: str | None, unit: str | None) -> float | None:
    """A white cell or neutrophil count in ×10⁹/L (= ×10³/µL = k/µL = G/L), or None."""
    u = re.sub(r"\s+", "", unit or "")
    value = _to_float(raw)
    if exp is not None:
        # "2.1e9/L" = 2.1 ×10⁹/L; any other power of ten is not read.
        return value if int(exp) == 9 and u in ("", "/l") else None
    if u == "/l":
        return None
    per_microlitre = u.startswith(("/u", "/mcl", "/mm", "per"))
    if per_microlitre or (not u and value >= _CELLS_PER_UL_FROM):
        return value / 1000.0
    return value


def _read_cells(field: str, keyword: str, norm: str) -> Reading:
    base, continuation = _cell_patterns(keyword)

    def convert(m: re.Match[str]) -> tuple[float | None, str, str | None]:
        return _cells_per_nl(m.group("num"), m.group("exp"), m.group("unit")), field, "x10^9/L"

    return _read_values(field, "x10^9/L", norm, base.finditer(norm), continuation, convert)


def read_white_cells(norm: str) -> Reading:
    """White cell count in ×10⁹/L ("WCC 2.1", "WBC 2100/µL", "white cells 2.1 x10^9/L").

    Args:
        norm: Normalised text.

    Returns:
        The reading; negative, impossible or unreadable values are refused and named.
    """
    return _read_cells("white_cell_count", _WCC_KW, norm)


def read_neutrophils(norm: str) -> Reading:
    """Neutrophil count in ×10⁹/L ("neutrophils 0.9", "ANC 900", "neuts 0.9 x10^9/L").

    Args:
        norm: Normalised text.

    Returns:
        The reading; negative, impossible or unreadable values are refused and named.
    """
    return _read_cells("neutrophil_count", _NEUT_KW, norm)


# Standard adult reference limits (lower limit of normal), project policy pending clinical
# review: no source in the knowledge base gives count cut-offs for pancytopenia (HAZ-014).
# Haemoglobin: 130 g/L for men, 120 g/L for women; with the sex unknown the higher limit is
# used, since it counts more results as low and so escalates more, never less.
HB_LOWER_LIMIT_G_L: dict[str | None, float] = {"male": 130.0, "female": 120.0, None: 130.0}
PLATELET_LOWER_LIMIT = 150.0  # ×10⁹/L
WHITE_CELL_LOWER_LIMIT = 4.0  # ×10⁹/L
NEUTROPHIL_LOWER_LIMIT = 1.5  # ×10⁹/L


def all_three_lines_low(
    *,
    haemoglobin: float | None,
    platelets: float | None,
    white_cells: float | None,
    neutrophils: float | None,
    sex: str | None,
) -> bool:
    """Whether stated counts show all three cell lines below the adult lower limits.

    Haemoglobin (g/L), platelets and white cells (white cell count or neutrophils, ×10⁹/L)
    must all be given and all be low. A missing count never counts as low; the result only
    ever adds an escalation (pancytopenia), it never rules one out.
    """
    if haemoglobin is None or platelets is None:
        return False
    white_low = (white_cells is not None and white_cells < WHITE_CELL_LOWER_LIMIT) or (
        neutrophils is not None and neutrophils < NEUTROPHIL_LOWER_LIMIT
    )
    hb_limit = HB_LOWER_LIMIT_G_L.get(sex, HB_LOWER_LIMIT_G_L[None])
    return haemoglobin < hb_limit and platelets < PLATELET_LOWER_LIMIT and white_low


# --------------------------------------------------------------------------- ileal resection

_CM = r"(?P<num>\d+(?:\.\d+)?)\s*(?:cm|centimet(?:re|er)s?)(?![a-z])"
_ILEUM = (
    r"(?:(?:the|his|her|my|their|your)\s+)?(?:(?:terminal|distal)\s+)?"
    r"(?:ileum|ileal|ti(?=\s+resect))"
)


@lru_cache(maxsize=1)
def _ileal_patterns() -> tuple[re.Pattern[str], ...]:
    return (
        re.compile(rf"(?<![\d.]){_CM}\s+(?:of\s+)?{_ILEUM}"),
        re.compile(
            r"(?:ileal|ileum|ileocaecal|ileocecal|ti)\s+(?:resection|resected|removed)\s*"
            r"(?:of\s*)?[(,:\-\s]*(?:approx\.?\s*|approximately\s*|about\s*|around\s*|~\s*)?"
            + rf"{_CM}"
        ),
        re.compile(
            r"(?:resected|removed|resection\s+of|lost)\s+(?:approx\.?\s*|approximately\s*|about\s*|~\s*)?"
            + rf"{_CM}\s+(?:of\s+)?(?:the\s+)?(?:(?:terminal|distal)\s+)?(?:ileum|small\s+bowel)"
        ),
    )


_FURTHER = r"(?:a\s+|an\s+)?(?:further|another|additional|second|subsequent|more|extra)\s+"
_ABOUT = r"(?:approx\.?\s*|approximately\s*|about\s*|around\s*|~\s*)?"
_ILEAL_CONTEXT = re.compile(r"(?<![a-z])(?:ileum|ileal|ileocaecal|ileocecal|resect\w*|removed)")


@lru_cache(maxsize=1)
def _further_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    """Lengths of later resections: "a further 14 cm", and both in "12 cm, then a further 14"."""
    further = re.compile(rf"(?<![a-z]){_FURTHER}(?:resection\s+of\s+)?{_ABOUT}{_CM}")
    chained = re.compile(
        rf"(?<![\d.]){_CM}(?=[\s,;]*(?:and\s+|but\s+)?(?:then\s+|later\s+|followed\s+by\s+|"
        rf"plus\s+|\+\s*)?{_FURTHER}(?:resection\s+of\s+)?{_ABOUT}\d)"
    )
    return further, chained


_LIST_GAP = re.compile(rf"\s*(?:,\s*and|,|and|&|\+)\s*{_ABOUT}")
_ILEUM_NAMED = re.compile(r"(?<![a-z])(?:ileum|ileal|ileocaecal|ileocecal|small\s+bowel)(?![a-z])")
_SENTENCE = re.compile(r"[^.!?\n]+")


def _listed_lengths(norm: str) -> dict[int, tuple[float, int, int]]:
    """Lengths listed together ("2 bits of ileum removed, 20cm and 35cm").

    Counted only in a sentence that names the ileum (or small bowel) and a removal, and only
    when two or more lengths are joined by a comma, "and" or "+".
    """
    out: dict[int, tuple[float, int, int]] = {}
    for sentence in _SENTENCE.finditer(norm):
        said = sentence.group()
        if not (_ILEUM_NAMED.search(said) and _ILEAL_CONTEXT.search(said)):
            continue
        found = list(re.finditer(rf"(?<![\d.]){_CM}", said))
        at = sentence.start()
        for left, right in pairwise(found):
            if _LIST_GAP.fullmatch(said, left.end(), right.start()):
                for m in (left, right):
                    length = (_to_float(m["num"]), at + m.start(), at + m.end())
                    out.setdefault(at + m.start("num"), length)
    return out


_SMALL_BOWEL_END = re.compile(
    r"(?<![a-z])(?:terminal\s+ileum|ileum|ileal|small\s+(?:bowel|intestine))(?![a-z])"
)
_TAKEN_OUT = re.compile(
    r"(?<![a-z])(?:took\s+out|taken\s+out|take\s+out|cut\s+out|removed|resect\w*)(?![a-z])"
)
_NOT_BOWEL = re.compile(
    r"\s*(?:long|wide|big|tall|lesion|polyp|tumou?r|mass|cyst|stone|ulcer|scar|wound|incision|cut|"
    r"growth|lump|nodule|from)(?![a-z])"
)
_OTHER_ORGAN = re.compile(
    r"(?<![a-z])(?:large\s+bowel|colon|colectomy|hemicolectomy|caecum|cecum|rectum)(?![a-z])"
)
_NOT_A_RESECTION_BEFORE = re.compile(
    r"(?<![a-z])(?:i'?m|i\s+am|height|tall|scar|incision|wound|weigh\w*|up\s+to)(?![a-z])"
)
_LENGTH_AFTER_PART = 60
"""Characters from the named part to the length ("small bowel (terminal ileum), about 30cm");
review 12, finding 9: a height, a scar or another organ's length is no resected ileum."""


def _one_length_said(norm: str) -> dict[int, tuple[float, int, int]]:
    """The one length in a sentence that names the end of the small bowel taken out.

    "they took out the end part of my small bowel (terminal ileum) about 30cm" (session 12,
    first_messages9_dev): lay words put the length after the part, not next to it.
    """
    for sentence in _SENTENCE.finditer(norm):
        said = sentence.group()
        part = _SMALL_BOWEL_END.search(said)
        if part is None or not _TAKEN_OUT.search(said) or _OTHER_ORGAN.search(said):
            continue
        found = list(re.finditer(rf"(?<![\d.]){_CM}", said))
        if len(found) != 1:
            continue
        m, at = found[0], sentence.start()
        if not 0 <= m.start() - part.end() <= _LENGTH_AFTER_PART or _NOT_BOWEL.match(said, m.end()):
            continue
        if _NOT_A_RESECTION_BEFORE.search(said[max(0, m.start() - 20) : m.start()]):
            continue
        return {at + m.start("num"): (_to_float(m["num"]), at + m.start(), at + m.end())}
    return {}


def read_ileal_resection_cm(norm: str) -> Reading:
    """Length of ileum resected in cm, added up over several resections.

    "40 cm of terminal ileum resected" gives 40; "12 cm of ileum resected, then a further 14
    cm" gives 26. A threshold ("> 20 cm of ileum") is ignored; an impossible length is refused.

    Args:
        norm: Normalised text.

    Returns:
        The reading (the hit spans from the first to the last length added).
    """
    lengths: dict[int, tuple[float, int, int]] = {}  # number start -> (cm, match start, end)
    for pattern in _ileal_patterns():
        for m in pattern.finditer(norm):
            if not _after_threshold(norm, m.start("num")):
                lengths.setdefault(m.start("num"), (_to_float(m["num"]), m.start(), m.end()))
    if lengths or _ILEAL_CONTEXT.search(norm):
        for pattern in _further_patterns():
            for m in pattern.finditer(norm):
                lengths.setdefault(m.start("num"), (_to_float(m["num"]), m.start(), m.end()))
        for num_start, length in _listed_lengths(norm).items():
            lengths.setdefault(num_start, length)
    lengths = lengths or _one_length_said(norm)
    if not lengths:
        return Reading(None)
    problems = [
        _problem("ileal_resection_cm", norm, num_start, end, refusal)
        for num_start, (value, _, end) in lengths.items()
        if (refusal := _refusal("ileal_resection_cm", value, False))
    ]
    total = sum(value for value, _, _ in lengths.values())
    if not problems and (refusal := _refusal("ileal_resection_cm", total, False)):
        problems.append(_problem("ileal_resection_cm", norm, 0, len(norm), refusal))
    if problems:
        return Reading(None, tuple(problems))
    start = min(s for _, s, _ in lengths.values())
    end = max(e for _, _, e in lengths.values())
    return Reading(NumberHit(total, "cm", start, end))


def find_ileal_resection_cm(norm: str) -> NumberHit | None:
    """Length of ileum resected in cm (see :func:`read_ileal_resection_cm`), or None."""
    return read_ileal_resection_cm(norm).hit


# --------------------------------------------------------------------------- unread numbers

_UNREAD_NAMES: dict[str, tuple[str, str]] = {
    "b12_level": (_LAB_KEYWORDS["b12"], "B12"),
    "folate_level": (_LAB_KEYWORDS["folate"], "folate"),
    "haemoglobin": (_HB_KW, "haemoglobin"),
    "platelet_count": (_PLT_KW, "platelet"),
}
_UNREAD_GAP_STOPS = re.compile(
    r"(?<![a-z])(?:inject\w*|jabs?|shots?|tablets?|pills?|doses?|every|for|since|in|on|from|im|iv|"
    r"ref|range|rr|nr|supplements?|spray|sublingual|take|takes|taking|checked|tested|drawn|"
    r"sc|given|started|temp\w*|aged?|bp|pulse|hr|weight|"
    r"until|after|before|per|x|times?|days?|weeks?|months?|years?|yrs?|mg|mcg|µg|ug|iu|"
    r"micrograms?|milligrams?|and|or|but|then|no|not)(?![a-z])"
)
_UNREAD_AFTER_STOPS = re.compile(
    r"[\"')\]]?\s*(?:tablets?|capsules?|caps|spray|sprays|drops|daily|a\s+day|per\s+day|/day|"
    r"od\b|bd\b|tds\b|qds\b|nocte|(?:st|nd|rd|th)(?![a-z])|-\s*\d|–\s*\d|to\s+\d|mg|mcg|µg|ug|iu|"
    r"micrograms?|milligrams?|x\b|times?|days?|weeks?|months?|years?|yrs?|hours?|mins?|am\b|"
    r"pm\b|[:/]\d|%|[fm]\b|yo\b|y/o|y\b|-?year)"
)


def unread_numbers(norm: str, settled: Collection[str]) -> tuple[ValueProblem, ...]:
    """A number written right after a test's name that no reader used, named back.

    The safety net behind every reader: "b12 (ng/L) 150" or a wording no reader knows must
    not be dropped in silence. Not for doses, counts or dates ("B12 1000 mcg", "b12
    injections every 3 months", "b12 on 12/3").

    Args:
        norm: Normalised text.
        settled: Fields with a value read or refused, or a status ("B12 low (range
            197-771)", "B12 <50" classed low); the net leaves them alone.

    Returns:
        One problem per field at most, naming the number as written.
    """
    out: list[ValueProblem] = []
    for field, (keyword, label) in _UNREAD_NAMES.items():
        if field in settled:
            continue
        pattern = (
            rf"(?<![a-z0-9]){keyword}(?![a-z0-9])(?P<gap>[^\d.,;\n?]{{0,25}}?)"
            r"(?<![a-z0-9])(?P<num>\d+(?:[.,]\d+)?)"
        )
        for m in re.finditer(pattern, norm):
            gap = m.group("gap")
            if _UNREAD_GAP_STOPS.search(gap) or _OTHER_TEST.search(gap):
                continue
            if _UNREAD_AFTER_STOPS.match(norm, m.end()):
                continue
            written = norm[m.start() : m.end()]
            out.append(
                ValueProblem(
                    field,
                    f'I could not read the {label} value in "{written}", so I have not used it. '
                    "Please write it as the report gives it, with its unit.",
                    m.start("num"),
                    m.end(),
                )
            )
            break
        else:
            out.extend(_said_later_unread(norm, field, keyword, label))
    return tuple(out)


def _said_later_unread(norm: str, field: str, keyword: str, label: str) -> list[ValueProblem]:
    """A test's name and a number said later in its sentence that no reader paired (HAZ-132).

    "my b12 is really low, the doctor said 90": named back rather than dropped in silence.
    """
    for m in _said_later(norm, keyword, r"(?P<num>\d+(?:\.\d+)?)"):
        written = norm[m.start() : m.end()]
        return [
            ValueProblem(
                field,
                f'I could not tell whether "{written}" gives the {label} value, so I have not '
                "used it. Please write it as the report gives it, with its unit.",
                m.start("num"),
                m.end(),
            )
        ]
    return []


# --------------------------------------------------------------------------- gestation

_WEEKS = r"(?P<num>\d{1,2})\s*(?:\+\s*\d\s*)?(?:weeks?|wks?)"
_NOT_GESTATION_AFTER = (
    r"(?!\s*-?\s*(?:post|pp\b|ago|old|since|after|into|in\b|out\b|off\b|on\b|of\b|later|"
    r"sober|clean|free|from|behind|late|overdue|until|till|before|now|already|waiting|wait|"
    r"review|reviewed|follow|following|vegan|vegetarian|with|without|away|breast|feeding|"
    r"bottle|treatment|injections?|jabs?|tablets?|course|back|recovery|recovering|"
    r"postop|post-op|op\b|surgery))"
)
_OBSTETRIC = re.compile(
    r"(?<![a-z])(?:pregnan\w*|preg|gestation\w*|antenatal|obstetric\w*|midwi\w*|booking|"
    r"trimester|bump|expecting|g\d+\s*p\d+|primip\w*|multip\w*|hyperemesis|\d{1,2}\s*/\s*40)"
)
"""Words that make "<age> at N weeks" a pregnancy ("21-year-old at 34 weeks, G1")."""
_GESTATION = re.compile(
    r"(?<![\d.])(?P<num>\d{1,2})\s*(?:\+\s*\d\s*)?(?:(?:weeks?|wks?|/52)\s*-?\s*"
    r"(?:pregnant|gestation|gestational|of\s+pregnancy|pg|along)"
    r"|/\s*40(?![\d]))"
)
_GESTATION_PHRASED = tuple(
    re.compile(pattern)
    for pattern in (
        # "I'm 20 weeks", "she's about 30 wks" (not "6 weeks postpartum", "3 weeks into")
        r"(?<![a-z])(?:i'?m|i\s+am|she'?s|she\s+is|currently)\s+(?:about\s+|around\s+|nearly\s+"
        r"|almost\s+|only\s+|just\s+)?" + _WEEKS + r"\b" + _NOT_GESTATION_AFTER,
        # "preg 6wks", "pregnant, 12 weeks"
        r"(?<![a-z])preg(?:nant|nancy)?\s*[,:]?\s*(?:at\s+|@\s*)?" + _WEEKS + r"\b"
        + _NOT_GESTATION_AFTER,
        # "I'm expecting, around 30 weeks"
        r"(?<![a-z])expecting\W+(?:about\s+|around\s+|nearly\s+|almost\s+)?" + _WEEKS + r"\b"
        + _NOT_GESTATION_AFTER,
    )
)
_AGE_AT_WEEKS = re.compile(
    # "21-year-old at 34 weeks", "32F at 28 weeks", "G2P1 at 30 wks": only with _OBSTETRIC
    r"(?:year[- ]?old|y/?o|\d\s*f|g\d+\s*p\d+)\s*,?\s*(?:[a-z]+\s+){0,2}?at\s+"
    + _WEEKS
    + r"\b(?!\s*-?\s*(?:post|pp\b|ago|old|after|of\b|following|review|postop|post-op|op\b|"
    r"surgery|treatment|injections?|jabs?|tablets?|course))"
)
_SNELLEN = re.compile(r"(?<![a-z])(?:vision|acuity|va|eyes?|snellen|sight)(?![a-z])[^.;\n]{0,30}$")


def gestation_hits(norm: str) -> list[NumberHit]:
    """Every statement of weeks of pregnancy, in text order.

    "28 weeks pregnant", "28/40" (not a visual acuity: "vision 20/40"), "28+3 weeks
    gestation", "I'm 20 weeks", "preg 6wks", "21-year-old at 34 weeks". Who is pregnant and
    when is the caller's to judge (:mod:`guideline_engine.extraction.extract`).

    Args:
        norm: Normalised text.

    Returns:
        Hits with the number of completed weeks (1 to 44).
    """
    found: dict[int, NumberHit] = {}
    matches = [*_GESTATION.finditer(norm)]
    for pattern in _GESTATION_PHRASED:
        matches.extend(pattern.finditer(norm))
    if _OBSTETRIC.search(norm):
        matches.extend(_AGE_AT_WEEKS.finditer(norm))
    for m in matches:
        weeks = int(m.group("num"))
        if not 1 <= weeks <= 44 or m.start() in found:
            continue
        if m.group().replace(" ", "").endswith("/40") and _SNELLEN.search(norm[: m.start()]):
            continue
        found[m.start()] = NumberHit(float(weeks), "weeks", m.start(), m.end())
    return [found[k] for k in sorted(found)]

