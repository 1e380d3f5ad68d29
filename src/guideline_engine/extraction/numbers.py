"""Numbers with units: platelet count, age, lab values, ileal resection length.

All patterns run on normalised text (lower case, "×" -> "x", "µ" -> "u", "⁹" -> "9") and are
compiled once, on first use.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache, lru_cache

NUM = r"(?P<num>\d{1,3}(?:,\d{3})+|\d+(?:\.\d+)?)"

_FILLER_WORDS = (
    r"count|counts|level|levels|value|result|results|of|is|are|was|were|now|at|about|around|"
    r"only|just|approx|approximately|roughly|came\s+back|came\s+back\s+at|down\s+to|"
    r"dropped\s+to|fell\s+to|measured|measured\s+at|reading|today|yesterday|recently|serum|"
    r"total|very|low|reduced|borderline|last|latest|recent|check|test|the|her|his|my"
)
_FILLER = rf"(?:[\s:=~\-(]*(?:{_FILLER_WORDS})\b)*[\s:=~\-(]*"

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


def _to_float(raw: str) -> float:
    return float(raw.replace(",", ""))


def _after_threshold(norm: str, pos: int) -> bool:
    return bool(_THRESHOLD_BEFORE.search(norm[max(0, pos - 14) : pos]))


# --------------------------------------------------------------------------- platelets

_PLT_KW = r"(?:platelets?|platelet\s+counts?|plts?|plat|thrombocytes)"
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
def _platelet_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    forward = re.compile(rf"(?<![a-z0-9]){_PLT_KW}(?![a-z]){_FILLER}{NUM}{_PLT_UNIT}")
    backward = re.compile(rf"(?<![\d.,]){NUM}{_PLT_UNIT}\s*(?:of\s+)?{_PLT_KW}(?![a-z])")
    return forward, backward


def _platelet_value(raw: str, unit: str | None) -> float:
    value = _to_float(raw)
    u = re.sub(r"\s+", "", unit or "")
    per_microlitre = u.startswith("/") or u.startswith("per")
    if per_microlitre or (not u and value >= 1000):
        value = value / 1000.0
    return value


def find_platelets(norm: str) -> NumberHit | None:
    """First platelet count in the text, in ×10⁹/L.

    "plt 35", "platelets 35", "35k", "35,000/µL", "35000/uL", "35 x10^9/L" and
    "35 ×10⁹/L" all read as 35.0. A number after a comparison ("platelets > 50") is a
    threshold, not a result, and is ignored.

    Args:
        norm: Normalised text.

    Returns:
        The count, or None.
    """
    best: NumberHit | None = None
    for pattern in _platelet_patterns():
        for m in pattern.finditer(norm):
            if _after_threshold(norm, m.start("num")):
                continue
            value = _platelet_value(m.group("num"), m.group("unit"))
            if not 0 < value < 2000:
                continue
            hit = NumberHit(value, "x10^9/L", m.start(), m.end())
            if best is None or hit.start < best.start:
                best = hit
            break
    return best


# --------------------------------------------------------------------------- age and sex

_AGE_UNIT = r"(?:yo|y/o|y\.o\.?|yrs?\s*-?\s*old|years?\s*-?\s*old|year\s*-?\s*old)"


@lru_cache(maxsize=1)
def _age_patterns() -> tuple[re.Pattern[str], ...]:
    return (
        re.compile(rf"(?<![\d.,])(?P<num>\d{{1,3}})\s*-?\s*{_AGE_UNIT}(?![a-z0-9])"),
        re.compile(r"(?<![a-z0-9.,])(?P<num>\d{2,3})\s?(?P<sex>[fm])(?![a-z0-9])"),
        re.compile(
            r"(?<![a-z0-9])(?:aged|age(?:\s*(?:is|of|:|=|-))?)\s*(?P<num>\d{1,3})(?![\d.,])"
        ),
        re.compile(
            r"(?<![a-z0-9])(?:i'?m|i\s+am|she'?s|she\s+is|he'?s|he\s+is|(?:mum|mom|dad|mother|father)"
            r"\s+is|patient\s+is|pt\s+is)\s+(?:a\s+)?(?P<num>\d{1,3})(?![\d.,])"
            r"(?!\s*(?:%|kg|g|mg|mcg|ug|cm|mm|lbs?|st|stone|weeks?|wks?|months?|days?|/40|x)(?![a-z]))"
        ),
    )


_SEX_AFTER_AGE = re.compile(rf"^\s*(?:{_AGE_UNIT})?\s*-?\s*(?P<sex>[fm])(?![a-z0-9])")


def find_age(norm: str) -> tuple[NumberHit | None, str | None]:
    """Age in years and, from compact forms like "62F" / "62 yo M", the sex.

    Args:
        norm: Normalised text.

    Returns:
        ``(age hit or None, "female"/"male"/None)``.
    """
    best: NumberHit | None = None
    sex: str | None = None
    for index, pattern in enumerate(_age_patterns()):
        for m in pattern.finditer(norm):
            age = int(m.group("num"))
            if not 0 < age <= 120:
                continue
            if index == 1 and age < 12:
                continue
            hit = NumberHit(float(age), "years", m.start(), m.end())
            found_sex = m.groupdict().get("sex")
            if found_sex is None and index == 0:
                after = _SEX_AFTER_AGE.match(norm[m.end() : m.end() + 12])
                if after:
                    found_sex = after.group("sex")
            if best is None or hit.start < best.start:
                best = hit
                sex = {"f": "female", "m": "male"}.get(found_sex or "", sex)
            break
    return best, sex


# --------------------------------------------------------------------------- labs

_UNITS: dict[str, str] = {
    "ng/l": "ng/L",
    "pg/ml": "pg/mL",
    "pmol/l": "pmol/L",
    "nmol/l": "nmol/L",
    "ug/l": "µg/L",
    "mcg/l": "µg/L",
    "umol/l": "µmol/L",
    "ng/ml": "ng/mL",
}

_LAB_UNIT = r"(?P<unit>\s*(?:ng|pg|pmol|nmol|ug|mcg|umol)\s*/\s*(?:l|ml|dl)(?![a-z]))?"
_NOT_A_LEVEL = re.compile(
    r"^\s*(?:mg|mcg|ug|micrograms?|milligrams?|iu|units?|x|times|weeks?|days?|months?|"
    r"years?|doses?|injections?|jabs?|tablets?|monthly|weekly|daily|/7|/52|%)(?![a-z/])"
)

_LAB_KEYWORDS: dict[str, str] = {
    "b12": r"(?:vitamin\s*b\s*-?\s*12|vit\s*b\s*-?\s*12|serum\s+b12|total\s+b12|active\s+b12|"
    r"b\s*-?\s*12|cobalamin|cyanocobalamin\s+level|holotc|holo-?transcobalamin|cbl)",
    "folate": r"(?:serum\s+folate|red\s+cell\s+folate|red\s+blood\s+cell\s+folate|folate|rcf|"
    r"folic\s+acid\s+level|vitamin\s+b9|b9)",
    "mma": r"(?:methylmalonic\s+acid|methylmalonate|methylmalonic|mma)",
}


@cache
def _lab_pattern(kind: str) -> re.Pattern[str]:
    return re.compile(
        rf"(?<![a-z0-9]){_LAB_KEYWORDS[kind]}(?![a-z0-9]){_FILLER}(?<![\d.]){NUM}(?![\d]){_LAB_UNIT}"
    )


def find_lab(norm: str, kind: str) -> NumberHit | None:
    """First value of a laboratory test, with its unit normalised.

    Doses ("B12 1000 mcg daily") and counts ("B12 3 times a week") are not levels.

    Args:
        norm: Normalised text.
        kind: ``"b12"``, ``"folate"`` or ``"mma"``.

    Returns:
        The value, or None.
    """
    for m in _lab_pattern(kind).finditer(norm):
        unit_raw = m.group("unit")
        if unit_raw is None and _NOT_A_LEVEL.match(norm[m.end("num") :]):
            continue
        if _after_threshold(norm, m.start("num")):
            continue
        unit = None
        if unit_raw:
            unit = _UNITS.get(re.sub(r"\s+", "", unit_raw), re.sub(r"\s+", "", unit_raw))
        return NumberHit(_to_float(m.group("num")), unit, m.start(), m.end())
    return None


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
    "within normal limits": "normal",
    "wnl": "normal",
    "in range": "normal",
}


@lru_cache(maxsize=1)
def _status_patterns() -> tuple[re.Pattern[str], re.Pattern[str]]:
    words = "|".join(
        re.escape(w).replace(r"\ ", r"[\s\-]+")
        for w in sorted(_STATUS_WORDS, key=len, reverse=True)
    )
    kw = _LAB_KEYWORDS["b12"]
    gap = r"(?:[\s:=,()\-]+(?:[a-z0-9./]+))*?"
    before = re.compile(
        rf"(?<![a-z0-9])(?P<word>{words})(?:[\s\-]+(?:serum|vitamin|vit|total))?[\s\-]+{kw}(?![a-z0-9])"
    )
    after = re.compile(
        rf"(?<![a-z0-9]){kw}(?![a-z0-9])(?P<gap>{gap})[\s:=,()\-]+(?P<word>{words})(?![a-z0-9])"
    )
    return before, after


_GAP_LIMIT = 6
_GAP_TOKEN_OK = re.compile(
    r"^(?:[\d.,]+|ng/l|pg/ml|pmol/l|nmol/l|ug/l|mcg/l|ng|pg|pmol|nmol|ug|mcg|/l|/ml|l|ml|"
    r"level|levels|is|was|were|are|came|back|result|results|of|the|her|his|my|serum|total|"
    r"reported|as|at|today|recently|now|quite|slightly|mildly|also|again|looks|looked|seems|"
    r"appears|be|being|been|its|it's|value|reading|test)$"
)


def find_b12_status(norm: str) -> tuple[str, int, int] | None:
    """How the writer classed the B12 result in words, if they did.

    "borderline", "indeterminate", "equivocal" -> ``indeterminate``; "low B12" /
    "B12 came back low" -> ``low``; "normal B12" -> ``normal``. The status word must sit
    next to the B12 keyword (at most a few words apart, no other test or negation between).

    Args:
        norm: Normalised text.

    Returns:
        ``(status, start, end)`` or None.
    """
    before, after = _status_patterns()
    hits: list[tuple[int, int, str]] = []
    for m in before.finditer(norm):
        prefix = norm[max(0, m.start() - 5) : m.start()]
        if re.search(r"(?<![a-z])(?:not|no)\s*$", prefix):
            continue
        hits.append((m.start(), m.end(), _STATUS_WORDS[re.sub(r"[\s\-]+", " ", m.group("word"))]))
    for m in after.finditer(norm):
        gap_tokens = re.findall(r"[a-z0-9./',]+", m.group("gap"))
        if len(gap_tokens) > _GAP_LIMIT or not all(_GAP_TOKEN_OK.match(t) for t in gap_tokens):
            continue
        if re.search(r"(?<![a-z])(?:not|no|isn't|wasn't)\s*$", norm[: m.start("word")][-12:]):
            continue
        word = re.sub(r"[\s\-]+", " ", m.group("word"))
        hits.append(
            (
                m.start(),
                m.end(),
                _STATUS_WORDS.get(word, _STATUS_WORDS.get(word.replace(" ", "-"), "low")),
            )
        )
    if not hits:
        return None
    # indeterminate words are the most specific; otherwise the first statement wins
    hits.sort(key=lambda h: (h[2] != "indeterminate", h[0]))
    start, end, status = hits[0]
    return status, start, end


# --------------------------------------------------------------------------- ileal resection

_CM = r"(?P<num>\d+(?:\.\d+)?)\s*(?:cm|centimet(?:re|er)s?)(?![a-z])"
_ILEUM = r"(?:(?:the\s+)?(?:terminal|distal)\s+)?(?:ileum|ileal)"


@lru_cache(maxsize=1)
def _ileal_patterns() -> tuple[re.Pattern[str], ...]:
    return (
        re.compile(rf"(?<![\d.]){_CM}\s+(?:of\s+)?(?:the\s+)?{_ILEUM}"),
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


def find_ileal_resection_cm(norm: str) -> NumberHit | None:
    """Length of ileum resected, in cm ("40 cm of terminal ileum resected").

    Args:
        norm: Normalised text.

    Returns:
        The length, or None. A threshold ("> 20 cm of ileum") is ignored.
    """
    best: NumberHit | None = None
    for pattern in _ileal_patterns():
        for m in pattern.finditer(norm):
            if _after_threshold(norm, m.start("num")):
                continue
            value = _to_float(m.group("num"))
            if not 0 < value < 1000:
                continue
            hit = NumberHit(value, "cm", m.start(), m.end())
            if best is None or hit.start < best.start:
                best = hit
            break
    return best


# --------------------------------------------------------------------------- gestation

_GESTATION = re.compile(
    r"(?<![\d.])(?P<num>\d{1,2})\s*(?:\+\s*\d\s*)?(?:(?:weeks?|wks?|/52)\s*-?\s*"
    r"(?:pregnant|gestation|gestational|of\s+pregnancy|pg|along)"
    r"|/\s*40(?![\d]))"
)


def find_gestation_weeks(norm: str) -> NumberHit | None:
    """Weeks of pregnancy ("28 weeks pregnant", "28/40", "28+3 weeks gestation").

    Args:
        norm: Normalised text.

    Returns:
        The number of completed weeks, or None.
    """
    for m in _GESTATION.finditer(norm):
        weeks = int(m.group("num"))
        if 1 <= weeks <= 44:
            return NumberHit(float(weeks), "weeks", m.start(), m.end())
    return None
