"""Typed output of the rule-based clinical fact extractor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

YesNo = Literal["yes", "no"]
Sex = Literal["female", "male"]
RoutePreference = Literal["oral", "intramuscular"]
LabStatusWord = Literal["low", "indeterminate", "normal"]
FormularyCode = Literal["uk", "us"]
Audience = Literal["clinician", "caregiver", "patient"]


@dataclass(frozen=True)
class SymptomMention:
    """One mention of a controlled-vocabulary symptom.

    Attributes:
        id: Symptom id from ``symptoms.yml``.
        text: The text as written by the user.
        start: Start offset in the original text.
        end: End offset (exclusive).
        negated: The mention is denied ("no numbness", "tingling absent").
        neurological: The symptom counts towards neurological involvement.
        hypothetical: Asked about or conditional ("if she develops numbness").
        historical: Past or resolved ("numbness resolved"); still counts as involvement.
        experiencer: ``"patient"`` or ``"other"`` ("her mother had numbness").
    """

    id: str
    text: str
    start: int
    end: int
    negated: bool
    neurological: bool
    hypothetical: bool = False
    historical: bool = False
    experiencer: Literal["patient", "other"] = "patient"

    @property
    def about_patient(self) -> bool:
        """A statement about the patient (not hypothetical, not someone else)."""
        return not self.hypothetical and self.experiencer == "patient"

    @property
    def affirmed(self) -> bool:
        """The patient has or had this symptom."""
        return self.about_patient and not self.negated

    @property
    def denied(self) -> bool:
        """The patient is said not to have this symptom."""
        return self.about_patient and self.negated


@dataclass(frozen=True)
class ConceptMention:
    """A mention of a cause or cue, with its context."""

    id: str
    text: str
    start: int
    end: int
    negated: bool
    hypothetical: bool = False
    historical: bool = False
    experiencer: Literal["patient", "other"] = "patient"

    @property
    def affirmed(self) -> bool:
        """A positive statement about the patient."""
        return not self.negated and not self.hypothetical and self.experiencer == "patient"


@dataclass(frozen=True)
class LabMeasurement:
    """A laboratory value as written, with its unit normalised.

    Attributes:
        value: The number.
        unit: One of ``ng/L``, ``pg/mL``, ``pmol/L``, ``nmol/L``, ``µg/L``, ``µmol/L``,
            ``ng/mL``, or None when no unit was written.
        start: Start offset of the whole expression ("B12 of 120 ng/l").
        end: End offset (exclusive).
    """

    value: float
    unit: str | None
    start: int
    end: int

    def as_tuple(self) -> tuple[float, str | None]:
        """``(value, unit)``."""
        return (self.value, self.unit)

    def display(self) -> str:
        """``"150 ng/L"`` (or ``"150"`` without a unit)."""
        number = f"{self.value:g}"
        return f"{number} {self.unit}" if self.unit else number


@dataclass(frozen=True)
class FactSpan:
    """Where in the text a scalar fact was read."""

    field: str
    start: int
    end: int
    text: str


@dataclass(frozen=True)
class Extraction:
    """Everything the rule engine read from one message.

    ``None`` always means "not said"; nothing is defaulted.
    """

    text: str
    symptoms: tuple[SymptomMention, ...] = ()
    neurological_involvement: YesNo | None = None
    negative_findings: tuple[FactSpan, ...] = ()
    causes: tuple[str, ...] = ()
    cause_mentions: tuple[ConceptMention, ...] = ()
    platelet_count: float | None = None
    age: int | None = None
    sex: Sex | None = None
    pregnant: YesNo | None = None
    gestation_weeks: int | None = None
    route_preference: RoutePreference | None = None
    injection_contraindication: YesNo | None = None
    injection_contraindication_reason: str | None = None
    folic_acid_started: YesNo | None = None
    ileal_resection_cm: float | None = None
    b12: LabMeasurement | None = None
    folate: LabMeasurement | None = None
    mma: LabMeasurement | None = None
    b12_status: LabStatusWord | None = None
    formulary: FormularyCode | None = None
    audience: Audience | None = None
    spans: tuple[FactSpan, ...] = ()

    @property
    def affirmed_symptom_ids(self) -> tuple[str, ...]:
        """Ids of symptoms the patient has or had, first-seen order, no repeats."""
        return tuple(dict.fromkeys(s.id for s in self.symptoms if s.affirmed))

    @property
    def negated_symptom_ids(self) -> tuple[str, ...]:
        """Ids of symptoms denied for the patient, first-seen order, no repeats."""
        return tuple(dict.fromkeys(s.id for s in self.symptoms if s.denied))

    @property
    def current_symptom_ids(self) -> tuple[str, ...]:
        """Affirmed symptoms that are not described as past or resolved."""
        return tuple(dict.fromkeys(s.id for s in self.symptoms if s.affirmed and not s.historical))

    @property
    def describes_symptoms(self) -> bool:
        """Whether the message states anything about the patient's symptoms."""
        return any(s.about_patient for s in self.symptoms)

    def span_of(self, field: str) -> FactSpan | None:
        """The first recorded span of a scalar fact, if any."""
        for span in self.spans:
            if span.field == field:
                return span
        return None
