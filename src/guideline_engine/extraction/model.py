"""Typed output of the rule-based clinical fact extractor."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from guideline_engine.extraction.numbers import ValueProblem

YesNo = Literal["yes", "no"]
Sex = Literal["female", "male"]
RoutePreference = Literal["oral", "intramuscular"]
LabStatusWord = Literal["low", "indeterminate", "normal"]
FormularyCode = Literal["uk", "us"]
Audience = Literal["clinician", "caregiver", "patient"]
Certainty = Literal["affirmed", "negated", "possible", "hypothetical"]
Experiencer = Literal["patient", "other"]
Temporality = Literal["current", "historical"]
AntibodyResultWord = Literal["positive", "negative", "pending"]


def certainty_of(*, hypothetical: bool, negated: bool, possible: bool) -> Certainty:
    """ConText certainty: hypothetical, else negated, else possible, else affirmed."""
    if hypothetical:
        return "hypothetical"
    if negated:
        return "negated"
    return "possible" if possible else "affirmed"


FindingDict = dict[str, str | int | bool | None]
"""A finding as plain JSON-ready data (see :meth:`Extraction.findings_as_dicts`)."""


class _Asserted:
    """ConText assertions shared by every mention: certainty, experiencer and time.

    Subclasses are frozen dataclasses with the fields below.
    """

    id: str
    text: str
    start: int
    end: int
    negated: bool
    possible: bool
    hypothetical: bool
    historical: bool
    experiencer: Experiencer

    @property
    def certainty(self) -> Certainty:
        """``hypothetical``, else ``negated``, else ``possible``, else ``affirmed``."""
        return certainty_of(
            hypothetical=self.hypothetical, negated=self.negated, possible=self.possible
        )

    @property
    def time(self) -> Temporality:
        """``historical`` (past or resolved) or ``current``."""
        return "historical" if self.historical else "current"

    @property
    def about_patient(self) -> bool:
        """A statement about the patient (not hypothetical, not someone else)."""
        return not self.hypothetical and self.experiencer == "patient"

    @property
    def affirmed(self) -> bool:
        """Affirmed about the patient, now or in the past (not denied, not uncertain)."""
        return self.about_patient and self.certainty == "affirmed"

    @property
    def denied(self) -> bool:
        """The patient is said not to have this."""
        return self.about_patient and self.negated

    @property
    def affirmed_current_patient(self) -> bool:
        """Affirmed, current and about the patient: the kind that may drive a plan."""
        return self.affirmed and not self.historical

    def _assertion_dict(self, kind: str) -> FindingDict:
        return {
            "kind": kind,
            "id": self.id,
            "text": self.text,
            "start": self.start,
            "end": self.end,
            "certainty": self.certainty,
            "experiencer": self.experiencer,
            "time": self.time,
        }


@dataclass(frozen=True)
class SymptomMention(_Asserted):
    """One mention of a controlled-vocabulary symptom.

    Attributes:
        id: Symptom id from ``symptoms.yml``.
        text: The text as written by the user.
        start: Start offset in the original text.
        end: End offset (exclusive).
        negated: The mention is denied ("no numbness", "tingling absent").
        neurological: The symptom counts towards neurological involvement.
        hypothetical: Asked about or conditional ("if she develops numbness").
        historical: Past or resolved ("numbness resolved"); does not drive the plan.
        experiencer: ``"patient"`` or ``"other"`` ("her mother had numbness").
        possible: Uncertain ("?numbness", "might have tingling").
    """

    id: str
    text: str
    start: int
    end: int
    negated: bool
    neurological: bool
    hypothetical: bool = False
    historical: bool = False
    experiencer: Experiencer = "patient"
    possible: bool = False

    def as_dict(self) -> FindingDict:
        """The finding with its certainty, experiencer and time, as plain data."""
        out = self._assertion_dict("symptom")
        out["neurological"] = self.neurological
        return out


@dataclass(frozen=True)
class ConceptMention(_Asserted):
    """A mention of a cause or cue, with its ConText assertions."""

    id: str
    text: str
    start: int
    end: int
    negated: bool
    hypothetical: bool = False
    historical: bool = False
    experiencer: Experiencer = "patient"
    possible: bool = False

    def as_dict(self, kind: str = "cause") -> FindingDict:
        """The finding with its certainty, experiencer and time, as plain data.

        Args:
            kind: What the mention is ("cause", or a cue group such as "pregnancy").
        """
        return self._assertion_dict(kind)


@dataclass(frozen=True)
class AntibodyMention(_Asserted):
    """An antibody test with its result ("IF antibodies positive").

    Certainty comes from the result as well as from ConText: a positive result is affirmed,
    a negative one negated, a pending one or none at all possible.

    Attributes:
        id: Test id from ``antibodies.yml``.
        indicates: Cause id a positive result points to.
        result: ``"positive"``, ``"negative"``, ``"pending"`` or None (no result written).
    """

    id: str
    text: str
    start: int
    end: int
    indicates: str
    result: AntibodyResultWord | None
    negated: bool
    hypothetical: bool = False
    historical: bool = False
    experiencer: Experiencer = "patient"
    possible: bool = False

    def as_dict(self) -> FindingDict:
        """The result with its certainty, experiencer and time, as plain data."""
        out = self._assertion_dict("antibody")
        out["result"] = self.result
        out["indicates"] = self.indicates
        return out


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
    antibody_mentions: tuple[AntibodyMention, ...] = ()
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
    folate_status: LabStatusWord | None = None
    formulary: FormularyCode | None = None
    audience: Audience | None = None
    audience_style: Audience | None = None  # how it reads when no audience is stated
    spans: tuple[FactSpan, ...] = ()
    # values, reset and audience (owned with extraction/numbers.py)
    breastfeeding: YesNo | None = None
    haemoglobin: float | None = None  # g/L
    pancytopenia: YesNo | None = None
    severe_anaemia: YesNo | None = None
    reset: bool = False  # the message starts by resetting ("new patient: ...")
    value_problems: tuple[ValueProblem, ...] = ()  # values given but not usable, named back

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
        return tuple(dict.fromkeys(s.id for s in self.symptoms if s.affirmed_current_patient))

    def findings_as_dicts(self) -> tuple[FindingDict, ...]:
        """Every symptom, cause and antibody finding with its assertions, in text order.

        Each dict has ``kind``, ``id``, ``text``, ``start``, ``end``, ``certainty``
        (affirmed, negated, possible, hypothetical), ``experiencer`` (patient, other) and
        ``time`` (current, historical), so that findings which did not drive the plan can
        still be shown with the reason.
        """
        found = [
            *(s.as_dict() for s in self.symptoms),
            *(c.as_dict() for c in self.cause_mentions),
            *(a.as_dict() for a in self.antibody_mentions),
        ]
        return tuple(sorted(found, key=lambda d: (int(d["start"] or 0), str(d["kind"]))))

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
