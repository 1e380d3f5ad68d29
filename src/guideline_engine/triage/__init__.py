"""Red-flag triage on top of the rule-based extractor (pure Python, no Rasa).

Public API::

    from guideline_engine.triage import assess

    result = assess("sudden weakness in both legs, can't walk, no chest pain")
    result.urgency        # "emergency"
    result.red_flag_ids   # ("acute_neurological_deficit", "other_neurological_symptoms")
"""

from guideline_engine.triage.assess import RedFlagHit, TriageResult, assess
from guideline_engine.triage.rules import (
    URGENCY_RANK,
    RedFlag,
    RedFlagRule,
    Review,
    Source,
    Urgency,
    load_red_flags,
    parse_red_flags,
    red_flags_by_id,
)

__all__ = [
    "URGENCY_RANK",
    "RedFlag",
    "RedFlagHit",
    "RedFlagRule",
    "Review",
    "Source",
    "TriageResult",
    "Urgency",
    "assess",
    "load_red_flags",
    "parse_red_flags",
    "red_flags_by_id",
]
