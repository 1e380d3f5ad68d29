"""Rasa 3.6 NLU component: clinical facts, negation and red flags as entities.

Wraps the pure-Python engine (:func:`guideline_engine.extraction.extract` and
:func:`guideline_engine.triage.assess`) so every user message gets entities such as
``neurological_involvement``, ``symptom``, ``negated_symptom``, ``platelet_count`` and
``red_flag``. Use it in ``config.yml`` after the tokenizer::

    pipeline:
      - name: WhitespaceTokenizer
      - name: components.clinical_extractor.ClinicalFactExtractor

Entity values are JSON-serialisable strings or numbers; lab levels are strings with their
unit ("150 ng/L") and also carry ``numeric_value`` and ``unit`` keys.

The message is cleaned first (Unicode NFKC, invisible characters removed) so extraction and
triage read the same text. Three entities steer the dialogue: ``reset`` (the message opens
with "new patient: ..."), ``invalid_value`` (a value given but refused; ``problem`` says why, to
be named back) and ``language`` (not English: then only red-flag entities are emitted, since
facts read from a language the vocabularies do not cover cannot be trusted).
"""

from __future__ import annotations

from typing import Any

from rasa.engine.graph import ExecutionContext, GraphComponent
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.engine.storage.resource import Resource
from rasa.engine.storage.storage import ModelStorage
from rasa.nlu.extractors.extractor import EntityExtractorMixin
from rasa.shared.nlu.constants import (
    ENTITIES,
    ENTITY_ATTRIBUTE_END,
    ENTITY_ATTRIBUTE_START,
    ENTITY_ATTRIBUTE_TYPE,
    ENTITY_ATTRIBUTE_VALUE,
    TEXT,
)
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from guideline_engine.extraction import Extraction, LabMeasurement, extract, vocab_fingerprint
from guideline_engine.extraction import warm_up as warm_up_extraction
from guideline_engine.extraction.text import clean_text
from guideline_engine.scope import detect_language
from guideline_engine.triage import TriageResult, assess, load_red_flags

# Every entity type this component emits is listed once, in guideline_engine.facts.ENTITY_NAMES.

TRIAGE_ENTITIES = frozenset({"red_flag", "triage_urgency", "triage_describes_symptoms"})
"""Kept for a message in another language: a red flag still recognised still gets triage."""


def _entity(
    name: str, value: Any, start: int | None = None, end: int | None = None, **extra: Any
) -> dict[str, Any]:
    entity: dict[str, Any] = {ENTITY_ATTRIBUTE_TYPE: name, ENTITY_ATTRIBUTE_VALUE: value}
    if start is not None and end is not None:
        entity[ENTITY_ATTRIBUTE_START] = start
        entity[ENTITY_ATTRIBUTE_END] = end
    entity.update(extra)
    return entity


def _scalar(facts: Extraction, field: str, name: str, value: Any) -> dict[str, Any]:
    span = facts.span_of(field)
    if span is None:
        return _entity(name, value)
    return _entity(name, value, span.start, span.end)


def _lab(name: str, lab: LabMeasurement) -> dict[str, Any]:
    return _entity(name, lab.display(), lab.start, lab.end, numeric_value=lab.value, unit=lab.unit)


def _neuro_span(facts: Extraction) -> tuple[int | None, int | None]:
    if facts.neurological_involvement == "yes":
        for s in facts.symptoms:
            if s.affirmed and s.neurological:
                return s.start, s.end
    elif facts.neurological_involvement == "no":
        if facts.negative_findings:
            return facts.negative_findings[0].start, facts.negative_findings[0].end
        for s in facts.symptoms:
            if s.denied and s.neurological:
                return s.start, s.end
    return None, None


def entities_for(facts: Extraction, triage: TriageResult) -> list[dict[str, Any]]:
    """Turn an extraction and a triage result into Rasa entity dicts (no extractor name).

    Args:
        facts: Output of :func:`guideline_engine.extraction.extract`.
        triage: Output of :func:`guideline_engine.triage.assess` for the same text.

    Returns:
        Entity dicts with ``entity``, ``value`` and, where a span exists, ``start``/``end``.
    """
    out: list[dict[str, Any]] = []
    if facts.neurological_involvement is not None:
        start, end = _neuro_span(facts)
        out.append(_entity("neurological_involvement", facts.neurological_involvement, start, end))
    for mention in facts.symptoms:
        if mention.affirmed:
            out.append(_entity("symptom", mention.id, mention.start, mention.end))
        elif mention.denied:
            out.append(_entity("negated_symptom", mention.id, mention.start, mention.end))
    emitted_causes: set[str] = set()
    for cause in facts.cause_mentions:
        if cause.affirmed and cause.id not in emitted_causes:
            emitted_causes.add(cause.id)
            out.append(_entity("cause", cause.id, cause.start, cause.end))
    for cause_id in facts.causes:
        if cause_id not in emitted_causes:
            emitted_causes.add(cause_id)
            span = facts.span_of("ileal_resection_cm") if cause_id == "ileal_resection" else None
            out.append(
                _entity("cause", cause_id, span.start if span else None, span.end if span else None)
            )
    if facts.platelet_count is not None:
        out.append(_scalar(facts, "platelet_count", "platelet_count", facts.platelet_count))
    if facts.age is not None:
        out.append(_scalar(facts, "age", "age", facts.age))
    if facts.pregnant is not None:
        out.append(_scalar(facts, "pregnant", "pregnant", facts.pregnant))
    if facts.route_preference is not None:
        out.append(_scalar(facts, "route_preference", "route_preference", facts.route_preference))
    if facts.injection_contraindication is not None:
        out.append(
            _scalar(
                facts,
                "injection_contraindication",
                "injection_contraindication",
                facts.injection_contraindication,
            )
        )
    if facts.folic_acid_started is not None:
        out.append(
            _scalar(facts, "folic_acid_started", "folic_acid_started", facts.folic_acid_started)
        )
    if facts.ileal_resection_cm is not None:
        out.append(
            _scalar(facts, "ileal_resection_cm", "ileal_resection_cm", facts.ileal_resection_cm)
        )
    if facts.b12 is not None:
        out.append(_lab("b12_level", facts.b12))
    if facts.b12_status is not None:
        out.append(_scalar(facts, "b12_status", "b12_status", facts.b12_status))
    if facts.folate is not None:
        out.append(_lab("folate_level", facts.folate))
    if facts.folate_status is not None:
        out.append(_scalar(facts, "folate_status", "folate_status", facts.folate_status))
    if facts.mma is not None:
        out.append(_lab("mma_level", facts.mma))
    if facts.formulary is not None:
        out.append(_scalar(facts, "formulary", "formulary", facts.formulary))
    if facts.audience is not None:
        out.append(_scalar(facts, "audience", "audience", facts.audience))
    out += _values_and_reset(facts)
    out += _findings(facts)
    for hit in triage.red_flags:
        out.append(
            _entity(
                "red_flag",
                hit.id,
                hit.start,
                hit.end,
                urgency=hit.urgency.value,
                other_person=hit.other_person,
            )
        )
    if triage.urgency is not None:
        out.append(
            _entity(
                "triage_urgency",
                triage.urgency.value,
                about_other_person=triage.about_other_person,
            )
        )
    if triage.describes_symptoms:
        # Symptoms no red flag matched still get the "cannot assess" reply, never silence.
        out.append(_entity("triage_describes_symptoms", True))
    return out


def _values_and_reset(facts: Extraction) -> list[dict[str, Any]]:
    """Entities for the newer facts, refused values (named back) and a reset."""
    out: list[dict[str, Any]] = []
    for name in ("breastfeeding", "pancytopenia", "severe_anaemia", "haemoglobin"):
        value = getattr(facts, name)
        if value is not None:
            out.append(_scalar(facts, name, name, value))
    for problem in facts.value_problems:
        out.append(
            _entity(
                "invalid_value", problem.field, problem.start, problem.end, problem=problem.problem
            )
        )
    if facts.reset:
        out.append(_entity("reset", "new_patient"))
    return out


def _findings(facts: Extraction) -> list[dict[str, Any]]:
    """One ``finding`` entity per symptom, cause or antibody, with its assertions.

    Value is the vocabulary id; ``kind``, ``mention`` (the words as written), ``certainty``,
    ``experiencer`` and ``time`` say what was read, so "why?" can show findings that did not
    drive the plan (someone else's, denied, uncertain, asked about, past).
    """
    out: list[dict[str, Any]] = []
    for found in facts.findings_as_dicts():
        start, end = found["start"], found["end"]
        extra = {k: found[k] for k in ("kind", "certainty", "experiencer", "time")}
        out.append(
            _entity(
                "finding",
                found["id"],
                start if isinstance(start, int) else None,
                end if isinstance(end, int) else None,
                mention=found["text"],
                **extra,
            )
        )
    return out


def entities_for_text(text: str) -> list[dict[str, Any]]:
    """Every entity of one message: cleaned, language checked, facts read, triage assessed.

    Args:
        text: The message as received.

    Returns:
        Entity dicts (see :func:`entities_for`); for a message not in English, only the
        ``language`` entity and the red-flag entities.
    """
    cleaned = clean_text(text)
    facts = extract(cleaned)
    entities = entities_for(facts, assess(facts.text, facts))
    language = detect_language(cleaned)
    if language is None:
        return entities
    kept = [e for e in entities if e[ENTITY_ATTRIBUTE_TYPE] in TRIAGE_ENTITIES]
    return [_entity("language", language), *kept]


@DefaultV1Recipe.register([DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR], is_trainable=False)
class ClinicalFactExtractor(GraphComponent, EntityExtractorMixin):
    """Adds clinical fact, negation and red-flag entities from curated vocabularies."""

    @staticmethod
    def get_default_config() -> dict[str, Any]:
        """The component's default config (see parent class for full docstring)."""
        return {
            # compile the vocabulary when the component is created, not on the first message
            "warm_up": True,
        }

    @staticmethod
    def supported_languages() -> list[str] | None:
        """The vocabularies are English only."""
        return ["en"]

    @classmethod
    def fingerprint_addon(cls, config: dict[str, Any]) -> str | None:
        """Hash of every vocabulary YAML file, so a lexicon change means a new fingerprint."""
        return vocab_fingerprint()

    @classmethod
    def create(
        cls,
        config: dict[str, Any],
        model_storage: ModelStorage,
        resource: Resource,
        execution_context: ExecutionContext,
    ) -> ClinicalFactExtractor:
        """Creates the component (see parent class for full docstring)."""
        return cls({**cls.get_default_config(), **config})

    def __init__(self, config: dict[str, Any]) -> None:
        """Validate the vocabularies and, if configured, compile them now.

        Args:
            config: Component configuration.
        """
        self._config = config
        load_red_flags()  # fail at load time, not mid-conversation, on a broken file
        if config.get("warm_up", True):
            warm_up_extraction()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        """Leaves training data untouched.

        The facts are read by rules at inference time; nothing needs adding to training
        examples (and a non-trainable extractor is not part of Rasa's training graph).
        """
        return training_data

    def process(self, messages: list[Message]) -> list[Message]:
        """Adds entities to each message (see module docstring for the names).

        Args:
            messages: Incoming user messages.

        Returns:
            The same messages, with this component's entities appended.
        """
        for message in messages:
            text = message.get(TEXT)
            if not isinstance(text, str) or not text.strip():
                continue
            new_entities = self.add_extractor_name(entities_for_text(text))
            if not new_entities:
                continue
            message.set(ENTITIES, message.get(ENTITIES, []) + new_entities, add_to_output=True)
        return messages
