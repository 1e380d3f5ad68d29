"""What a topic package declares: its manifest (``topic.yml``) and decision table (``rules.yml``).

A topic is one folder under ``guideline_engine/content/<folder>/``: sources, snippets and gates
(read by the knowledge loader) plus a manifest and, for a data topic, a decision table whose
rows name the snippets that word each line. The engine reads topics only through these types
and never names one.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import Enum
from typing import TYPE_CHECKING, Any, Protocol

from guideline_engine.render.answer import SectionStyle

if TYPE_CHECKING:  # a topic's modules import the engine, which imports this module
    from guideline_engine.facts import Finding
    from guideline_engine.knowledge import KnowledgeBase
    from guideline_engine.knowledge.model import Gate
    from guideline_engine.regimen.model import Facts, Plan, PlanResult
    from guideline_engine.render.messages import Audience
    from guideline_engine.render.reply import Rendered

FactValue = str | float | frozenset[str] | None
"""A fact as the decision table sees it: a word, a number, a set of ids, or unknown."""


class Op(str, Enum):
    """How a row condition tests a fact."""

    IS = "is"  # equal ("unknown" matches a fact nobody stated)
    IN = "in"  # one of a list
    HAS = "has"  # a set fact contains the value
    LACKS = "lacks"  # a set fact does not contain the value
    LT = "lt"
    LE = "le"
    GT = "gt"
    GE = "ge"


@dataclass(frozen=True)
class RowCondition:
    """One test of a row, e.g. ``b12_status in [low, indeterminate]``."""

    fact: str
    op: Op
    value: str | float | tuple[str, ...]

    def holds(self, actual: FactValue) -> bool:
        """Whether the fact's value passes; an unknown number never passes a comparison."""
        if self.op is Op.IS:
            return (actual if actual is not None else "unknown") == self.value
        if self.op is Op.IN:
            seen = actual if actual is not None else "unknown"
            return isinstance(self.value, tuple) and seen in self.value
        if self.op in {Op.HAS, Op.LACKS}:
            inside = isinstance(actual, frozenset) and self.value in actual
            return inside if self.op is Op.HAS else not inside
        if isinstance(actual, bool) or not isinstance(actual, int | float):
            return False
        if not isinstance(self.value, float):
            return False
        return {
            Op.LT: actual < self.value,
            Op.LE: actual <= self.value,
            Op.GT: actual > self.value,
        }.get(self.op, actual >= self.value)

    def describe(self) -> str:
        """E.g. ``b12_status in low/indeterminate``."""
        value = "/".join(self.value) if isinstance(self.value, tuple) else f"{self.value}"
        return f"{self.fact} {self.op.value} {value}"


@dataclass(frozen=True)
class RowLine:
    """A line a row adds: the section it goes in and the snippets that word and cite it."""

    section: str
    snippet_ids: tuple[str, ...]


@dataclass(frozen=True)
class Row:
    """One row of a decision table: when every condition holds, its outcome applies.

    Attributes:
        id: Stable id, shown in the rule path.
        when: Conditions that must all hold (none: always).
        ask: A fact to ask for: the table stops and asks (a need).
        defer_to: Another topic whose answer comes first (e.g. treat B12 before folate).
        lines: Lines the row adds.
        stop: No later row is read once this one applies.
    """

    id: str
    when: tuple[RowCondition, ...]
    ask: str | None
    defer_to: str | None
    lines: tuple[RowLine, ...]
    stop: bool

    def applies(self, view: dict[str, FactValue]) -> bool:
        """Whether every condition holds on ``view``."""
        return all(c.holds(view.get(c.fact)) for c in self.when)


@dataclass(frozen=True)
class Question:
    """How the topic asks for a fact it needs, per audience, and the quick replies."""

    fact: str
    clinician: str
    patient: str
    buttons: tuple[tuple[str, str], ...]  # (title, value sent for the fact)

    def text(self, audience: str) -> str:
        """The question for ``audience``."""
        return self.clinician if audience == "clinician" else self.patient


@dataclass(frozen=True)
class Worded:
    """A short text in clinician and patient wording (titles, headings)."""

    clinician: str
    patient: str

    def text(self, audience: str) -> str:
        """The wording for ``audience``."""
        return self.clinician if audience == "clinician" else self.patient


@dataclass(frozen=True)
class LabCutoff:
    """Laboratory cut-offs a topic takes from a source: a result below the low one is low.

    With only ``low_below`` it is never a normal limit: a result at or above it is not classed
    at all. With ``normal_above`` as well (B12, NICE NG239) it declares three bands: low below
    ``low_below``, indeterminate from ``low_below`` up to and including ``normal_above``, normal
    above ``normal_above``, each stated by its own snippet. Without an indeterminate snippet
    (folate) the middle band is not classed: the bot asks.

    Attributes:
        fact: The value it applies to (``folate_level``).
        low_below: The low cut-off, in ``unit``.
        unit: Its unit, spelt as the extractor normalises units (``µg/L``).
        factors: Every unit accepted, with the factor that turns a value in it into ``unit``.
        snippet_id: The snippet that states the low cut-off and cites its source.
        normal_above: The level above which a result is normal, in ``unit``, or None.
        indeterminate_snippet_id: The snippet stating the indeterminate band (with bands).
        normal_snippet_id: The snippet stating the normal band (with bands).
    """

    fact: str
    low_below: float
    unit: str
    factors: tuple[tuple[str, float], ...]
    snippet_id: str
    normal_above: float | None = None
    indeterminate_snippet_id: str | None = None
    normal_snippet_id: str | None = None

    def __post_init__(self) -> None:
        """Bands in order, each with its snippet; the cut-off's own unit has factor 1."""
        if dict(self.factors).get(self.unit) != 1.0:
            raise ValueError(f"lab cut-off {self.fact}: the cut-off's unit needs factor 1")
        if (self.normal_above is None) != (self.normal_snippet_id is None):
            raise ValueError(f"lab cut-off {self.fact}: normal_above needs its normal snippet")
        if self.indeterminate_snippet_id is not None and self.normal_above is None:
            raise ValueError(f"lab cut-off {self.fact}: an indeterminate band needs normal_above")
        if self.normal_above is not None and not self.normal_above > self.low_below:
            raise ValueError(f"lab cut-off {self.fact}: normal_above must be above low_below")

    def accepts(self, unit: str | None) -> bool:
        """Whether a value in ``unit`` can be classed (no unit: tried in every unit)."""
        return not unit or unit in dict(self.factors)

    def snippet_for(self, band: str) -> str | None:
        """The snippet stating ``band`` (``low``, ``indeterminate``, ``normal``), or None."""
        return {
            "low": self.snippet_id,
            "indeterminate": self.indeterminate_snippet_id,
            "normal": self.normal_snippet_id,
        }.get(band)

    def in_unit(self, value: float, unit: str | None) -> float | None:
        """``value`` converted to the cut-off's unit, or None for a missing or unknown unit."""
        factor = dict(self.factors).get(unit or "")
        return value * factor if factor is not None else None

    def _band_of(self, converted: float) -> str | None:
        if converted < self.low_below:
            return "low"
        if self.normal_above is None:
            return None
        if converted > self.normal_above:
            return "normal"
        return "indeterminate" if self.indeterminate_snippet_id is not None else None

    def never_normal(self, value: float, unit: str | None) -> bool:
        """A banded cut-off's value without a unit that is below normal in every unit.

        "B12 140": low in ng/L, indeterminate in pmol/L; in neither is it normal.
        """
        if unit or self.normal_above is None or self.indeterminate_snippet_id is None:
            return False  # no indeterminate band (folate): such a number stays unclassed
        return all(self._band_of(value * factor) != "normal" for _, factor in self.factors)

    def band(self, value: float, unit: str | None) -> str | None:
        """``low``, ``indeterminate`` or ``normal`` for the value in its unit, or None.

        A value written without a unit is classed only when it falls in the same band in every
        unit the topic accepts ("folate 1.9": low whether it meant µg/L or nmol/L); an unknown
        unit never is. Without ``normal_above`` only ``low`` is ever returned.
        """
        if not unit:
            bands = {self._band_of(value * factor) for _, factor in self.factors}
            return bands.pop() if len(bands) == 1 else None
        converted = self.in_unit(value, unit)
        return self._band_of(converted) if converted is not None else None

    def is_low(self, value: float, unit: str | None) -> bool:
        """True only when the value is low in its unit (see :meth:`band`)."""
        return self.band(value, unit) == "low"


@dataclass(frozen=True)
class Topic:
    """A topic package as the engine sees it.

    Attributes:
        id: Short id used in payloads (``topic``) and the ``topic`` slot.
        kb_topic: The ``topic:`` of its content files (snippets, sources, gates).
        folder: Its folder under ``content/``.
        title: Its name, per audience.
        scope_terms: Whole words that place a message within the topic.
        question_terms: Further words that send a follow-up question (not a case) here
            ("folic acid": a B12 case mentions it, a question about it is folate's).
        route_facts: Facts whose stated value sends a message to this topic.
        evidence_facts: Facts whose stated value shows a message is about this topic even
            when it names none (a B12 result, pernicious anaemia); with its scope terms and
            route facts, what keeps a message from the "not this topic" decline.
        worded_evidence: Facts that show a message is about this topic only beside one of
            ``evidence_words`` ("on metformin" and "my vitamin is low"; metformin alone is no
            B12 case).
        evidence_words: Whole words for a result named vaguely ("vitamin is low").
        covers: Ids of conditions the scope would otherwise decline (``vocab/topic.yml``).
        default: The topic a message naming none goes to.
        rules_module: A module of the topic's own decision rules (when a table cannot say it),
            with the functions of :class:`RulesModule`.
        renderer: The module that words what its rules module decided (:class:`Renderer`).
        sections: Section titles of its answers, per audience, in display order.
        questions: How it asks for each fact it needs.
        rows: Its decision table (empty for a topic with a rules module).
    """

    id: str
    kb_topic: str
    folder: str
    title: Worded
    scope_terms: tuple[str, ...]
    route_facts: tuple[RowCondition, ...]
    covers: tuple[str, ...]
    default: bool
    rules_module: str | None
    sections: tuple[tuple[str, Worded], ...]
    questions: tuple[Question, ...]
    rows: tuple[Row, ...]
    warning_sections: tuple[str, ...] = ()
    question_terms: tuple[str, ...] = ()  # more words that send a follow-up question here
    lab_cutoffs: tuple[LabCutoff, ...] = ()  # sourced cut-offs a bare number is classed by
    renderer: str | None = None  # with rules_module: the module that words its plans
    evidence_facts: tuple[RowCondition, ...] = ()  # a stated value shows a message is about it
    worded_evidence: tuple[RowCondition, ...] = ()  # evidence only beside an evidence word
    evidence_words: tuple[str, ...] = ()  # a result named vaguely ("my vitamin is low")

    def question(self, fact: str) -> Question:
        """The question for ``fact``; KeyError names it."""
        for q in self.questions:
            if q.fact == fact:
                return q
        raise KeyError(f"topic {self.id}: no question for fact {fact!r}")

    def section_title(self, key: str, audience: str) -> str:
        """The title of section ``key`` for ``audience``; KeyError names it."""
        for name, worded in self.sections:
            if name == key:
                return worded.text(audience)
        raise KeyError(f"topic {self.id}: no section {key!r}")

    def section_style(self, key: str) -> SectionStyle:
        """``warning`` for a section the manifest marks so, else ``list``."""
        return "warning" if key in self.warning_sections else "list"

    def snippet_ids(self) -> tuple[str, ...]:
        """Every snippet its table names, in first-seen order."""
        ids = (sid for row in self.rows for line in row.lines for sid in line.snippet_ids)
        return tuple(dict.fromkeys(ids))


class RulesModule(Protocol):
    """What a topic's ``rules_module`` provides (checked at start-up by the loader)."""

    def build_plan(
        self,
        facts: Facts,
        available_snippets: frozenset[str] | None = None,
        gates: tuple[Gate, ...] | None = None,
    ) -> PlanResult:
        """The plan for ``facts``, or a typed reason why there is none."""
        ...


class Renderer(Protocol):
    """What a topic's ``renderer`` provides (checked at start-up by the loader)."""

    def render_result(self, result: PlanResult, kb: KnowledgeBase, audience: Audience) -> Rendered:
        """Word a result of the rules module: a plan, or why there is none."""
        ...

    def render_why(
        self, plan: Plan, audience: Audience = "patient", findings: tuple[Finding, ...] = ()
    ) -> Rendered:
        """Answer "why?" for a plan: the facts used, the findings read, the rule path."""
        ...


RULES_FUNCTIONS = ("build_plan",)
"""The functions a ``rules_module`` must expose (:class:`RulesModule`)."""
RENDERER_FUNCTIONS = ("render_result", "render_why")
"""The functions a ``renderer`` must expose (:class:`Renderer`)."""


@dataclass(frozen=True)
class TableLine:
    """A line of a table's answer and the row that added it."""

    section: str
    snippet_ids: tuple[str, ...]
    row: str


@dataclass(frozen=True)
class TablePlan:
    """What a decision table decided: lines to show, another topic to answer first, the path."""

    topic: Topic
    lines: tuple[TableLine, ...]
    defer_to: str | None
    rule_path: tuple[str, ...]
    facts: dict[str, Any]

    def snippet_ids(self) -> tuple[str, ...]:
        """Every snippet the plan cites, in first-seen order."""
        return tuple(dict.fromkeys(sid for line in self.lines for sid in line.snippet_ids))
