"""Rule-based clinical fact extraction (pure Python, no Rasa, no spaCy).

Public API::

    from guideline_engine.extraction import extract

    facts = extract("62F, tingling in both feet but no numbness, plt 35, B12 120 ng/L")
    facts.neurological_involvement  # "yes"
    facts.platelet_count            # 35.0
"""

from guideline_engine.extraction.extract import MAX_TEXT_LENGTH, extract, warm_up
from guideline_engine.extraction.model import (
    AntibodyMention,
    ConceptMention,
    Extraction,
    FactSpan,
    LabMeasurement,
    SymptomMention,
)
from guideline_engine.extraction.vocab import (
    VocabularyError,
    load_antibodies,
    load_causes,
    load_context_rules,
    load_cues,
    load_symptoms,
    vocab_fingerprint,
)

__all__ = [
    "MAX_TEXT_LENGTH",
    "AntibodyMention",
    "ConceptMention",
    "Extraction",
    "FactSpan",
    "LabMeasurement",
    "SymptomMention",
    "VocabularyError",
    "extract",
    "load_antibodies",
    "load_causes",
    "load_context_rules",
    "load_cues",
    "load_symptoms",
    "vocab_fingerprint",
    "warm_up",
]
