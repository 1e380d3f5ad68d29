"""Laboratory cut-offs declared by the topic packages, looked up by the value they apply to.

Topic-neutral: a topic states in its ``topic.yml`` (``lab_cutoffs``) which value a sourced
cut-off applies to, the units it accepts and the snippet that states it; the engine only reads
them here. A cut-off classes a number as low, and a banded one (B12) also as indeterminate or
normal (see :class:`guideline_engine.topics.model.LabCutoff`). One value may have several
cut-offs, told apart by unit (total B12 in ng/L, pg/mL or pmol/L; active B12 in
``pmol/L holoTC``, the unit the extractor gives a holotranscobalamin result).
"""

from __future__ import annotations

from functools import cache
from typing import TYPE_CHECKING

if TYPE_CHECKING:  # the topic package imports facts, which imports this module
    from guideline_engine.topics.model import LabCutoff


@cache
def lab_cutoffs() -> tuple[LabCutoff, ...]:
    """Every topic's cut-offs, in topic folder order."""
    # Imported here: the topic package reads facts (guideline_engine.topics.decide), and facts
    # read these cut-offs, so a module-level import would be circular.
    from guideline_engine.topics.loader import packaged_topics

    return tuple(c for topic in packaged_topics() for c in topic.lab_cutoffs)


def cutoff_for(fact: str, unit: str | None = None) -> LabCutoff | None:
    """The first cut-off for ``fact`` (``folate_level``) that accepts ``unit``, or None.

    Without a unit: the first cut-off declared for the fact (it then classes the number only
    when it falls in the same band in every unit it accepts).
    """
    return next((c for c in lab_cutoffs() if c.fact == fact and c.accepts(unit)), None)
