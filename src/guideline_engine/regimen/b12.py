"""Vitamin B12 deficiency anaemia: regimen rules.

Source: "How is vitamin B12 deficiency anemia treated?" (Dr.Oracle, last updated 21 Oct 2025).
Bracketed numbers are the source's reference numbers. Every snippet id below sits beside the
source line it stands for, and every rule names the snippet ids it cites, so a reviewer can read
rule and source side by side.

The engine never classes a number the source gives no cut-off for, never guesses an unknown
fact, and says in ``notes`` what the source does not cover and what would change the plan.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from guideline_engine.regimen.model import (
    Cause,
    ContentUnavailable,
    Drug,
    Duration,
    DurationKind,
    Facts,
    Formulary,
    Frequency,
    InvalidFacts,
    LabStatus,
    MissingFacts,
    Plan,
    PlanLine,
    PlanResult,
    Route,
    Step,
    Tri,
)

# --- Snippet ids, each beside the source line it stands for --------------------------------

# "should be treated with intramuscular hydroxocobalamin, with the regimen determined by the
#  presence or absence of neurological symptoms" [1, 2]
OVERVIEW = "b12.overview.im_hydroxocobalamin"

# WITH neurological involvement:
# "hydroxocobalamin 1 mg intramuscularly on alternate days until there is no further
#  improvement" [1, 2]
NEURO_LOADING = "b12.neuro.loading"
# "maintenance therapy with hydroxocobalamin 1 mg intramuscularly every 2 months" [1, 2]
NEURO_MAINTENANCE = "b12.neuro.maintenance"
# "Seek urgent specialist advice from a neurologist and hematologist" [1]
NEURO_SPECIALIST = "b12.neuro.specialist"

# WITHOUT neurological involvement:
# "hydroxocobalamin 1 mg intramuscularly three times a week for 2 weeks" [1, 2]
NONNEURO_LOADING = "b12.nonneuro.loading"
# "maintenance treatment of 1 mg intramuscularly every 2-3 months lifelong" [1, 2]
NONNEURO_MAINTENANCE = "b12.nonneuro.maintenance"
# "Alternative FDA-approved regimen: cyanocobalamin 100 mcg daily for 6-7 days intramuscularly,
#  then alternate days for 7 doses, then every 3-4 days for 2-3 weeks, followed by 100 mcg
#  monthly for life" [3]
US_REGIMEN = "b12.us.cyanocobalamin_regimen"

# Before starting treatment:
# "Do NOT give folic acid before treating vitamin B12 deficiency as it may mask underlying
#  deficiency and precipitate subacute combined degeneration of the spinal cord" [1, 2]
FOLIC_ACID_NOT_BEFORE_B12 = "b12.folic_acid.not_before_b12"
# "Check both vitamin B12 and folate levels, as deficiencies may coexist" [2]
CHECK_B12_AND_FOLATE = "b12.tests.check_b12_and_folate"
# "Consider measuring methylmalonic acid as a confirmatory test when initial B12 results are
#  indeterminate" [2, 4]
MMA_IF_INDETERMINATE = "b12.tests.mma_if_indeterminate"

# Treatment based on cause:
# "malabsorption (including pernicious anemia), parenteral vitamin B12 is traditionally
#  recommended and will be required lifelong" [2, 3, 5]
MALABSORPTION_LIFELONG = "b12.cause.malabsorption_lifelong"
# "ileal resection (>20 cm of distal ileum), provide prophylactic vitamin B12 injections
#  (1000 μg) monthly for life" [2]
ILEAL_RESECTION = "b12.cause.ileal_resection"
# "bariatric surgery should receive vitamin B12 supplementation indefinitely" [1, 4]
BARIATRIC = "b12.cause.bariatric"

# Emerging evidence for oral therapy:
# "high-dose oral vitamin B12 (1000-2000 mcg daily) may be effective even in pernicious anemia
#  through passive diffusion" [4, 6]
ORAL_HIGH_DOSE_PA = "b12.oral.high_dose_pa"
# "oral cyanocobalamin at 1000 μg/day ... 88.5% of patients no longer deficient after
#  1 month" [6]
ORAL_STUDY_2024 = "b12.oral.study_2024"
# "Oral therapy may be considered for patients who prefer it or have contraindications to
#  injections, but close monitoring is essential" [5, 4]
ORAL_PREFERENCE_OR_CONTRAINDICATION = "b12.oral.preference_or_contraindication"
# "For patients with normal intestinal absorption, oral B12 preparations are appropriate for
#  chronic treatment" [3, 4]
ORAL_NORMAL_ABSORPTION = "b12.oral.normal_absorption_chronic"

# Monitoring:
# "Expect normalization of hemoglobin level and serum B12 concentration within two months" [7]
MONITOR_HB_B12_TWO_MONTHS = "b12.monitor.hb_b12_two_months"
# "Neurological symptoms typically begin to improve within one month" [7]
MONITOR_NEURO_ONE_MONTH = "b12.monitor.neuro_one_month"
# "individualized injection frequencies based on symptom control rather than serum levels" [5]
MONITOR_INDIVIDUALISED = "b12.monitor.individualised_frequency"
# "maintenance with oral therapy, intermittent administration may be needed every 1-3
#  months" [7, 8]
MONITOR_ORAL_INTERMITTENT = "b12.monitor.oral_intermittent"

# Special populations:
# "Elderly patients (>75 years) have higher risk of B12 deficiency and should be monitored
#  closely" [2, 4]
ELDERLY = "b12.population.elderly"
# "Vegans or strict vegetarians should consume foods fortified with vitamin B12 or take
#  supplements" [4]
VEGAN = "b12.population.vegan"
# "intramuscular administration can be safely performed with platelet count >50 × 10⁹/L" [2]
THROMBOCYTOPENIA = "b12.population.thrombocytopenia"

ALL_SNIPPET_IDS: frozenset[str] = frozenset(
    {
        OVERVIEW,
        NEURO_LOADING,
        NEURO_MAINTENANCE,
        NEURO_SPECIALIST,
        NONNEURO_LOADING,
        NONNEURO_MAINTENANCE,
        US_REGIMEN,
        FOLIC_ACID_NOT_BEFORE_B12,
        CHECK_B12_AND_FOLATE,
        MMA_IF_INDETERMINATE,
        MALABSORPTION_LIFELONG,
        ILEAL_RESECTION,
        BARIATRIC,
        ORAL_HIGH_DOSE_PA,
        ORAL_STUDY_2024,
        ORAL_PREFERENCE_OR_CONTRAINDICATION,
        ORAL_NORMAL_ABSORPTION,
        MONITOR_HB_B12_TWO_MONTHS,
        MONITOR_NEURO_ONE_MONTH,
        MONITOR_INDIVIDUALISED,
        MONITOR_ORAL_INTERMITTENT,
        ELDERLY,
        VEGAN,
        THROMBOCYTOPENIA,
    }
)
"""Every snippet id a B12 plan can cite."""

# --- Thresholds the source states ----------------------------------------------------------

PLATELETS_IM_SUPPORTED_ABOVE = 50.0  # ×10⁹/L: "safely performed with platelet count >50" [2]
ILEAL_RESECTION_LIFELONG_ABOVE_CM = 20.0  # "(>20 cm of distal ileum)" [2]
ELDERLY_ABOVE_YEARS = 75  # "Elderly patients (>75 years)" [2, 4]

# --- Input sanity bounds (not clinical thresholds: they reject typing errors) --------------

_MAX_PLATELETS = 2000.0  # ×10⁹/L
_MAX_AGE_YEARS = 130
_MAX_ILEAL_RESECTION_CM = 700.0  # longer than a whole small bowel
_MIN_AGE_PREGNANT = 8

# Cause ids that make a maintenance step lifelong ("lifelong" / "for life") rather than
# "indefinitely" (bariatric).
_FOR_LIFE_IDS = frozenset(
    {NONNEURO_MAINTENANCE, US_REGIMEN, MALABSORPTION_LIFELONG, ILEAL_RESECTION}
)


# --- Working state ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Maintenance:
    """A maintenance schedule before its duration is settled."""

    dose: float
    unit: str
    frequency: Frequency
    interval_months: tuple[float, float]
    snippet_ids: tuple[str, ...]


@dataclass
class _Regimen:
    """The drug, route and schedule chosen so far."""

    drug: Drug
    route: Route
    loading: tuple[Step, ...]
    maintenance: _Maintenance | None
    drug_route_ids: list[str]
    lifelong_ids: list[str] = field(default_factory=list)
    urgent_specialist_advice: bool = False
    specialists: tuple[str, ...] = ()
    specialist_ids: tuple[str, ...] = ()


@dataclass
class _Lines:
    """Warnings, monitoring items, notes and the rule path, in the order rules add them."""

    warnings: list[PlanLine] = field(default_factory=list)
    monitoring: list[PlanLine] = field(default_factory=list)
    notes: list[PlanLine] = field(default_factory=list)
    rule_path: list[str] = field(default_factory=list)

    def warn(self, code: str, *snippet_ids: str) -> None:
        self.warnings.append(PlanLine(code, snippet_ids))

    def monitor(self, code: str, *snippet_ids: str) -> None:
        self.monitoring.append(PlanLine(code, snippet_ids))

    def note(self, code: str, *snippet_ids: str) -> None:
        self.notes.append(PlanLine(code, snippet_ids))

    def path(self, step: str) -> None:
        self.rule_path.append(step)


def _add(ids: list[str], *new: str) -> None:
    """Append snippet ids not yet present, keeping order."""
    for sid in new:
        if sid not in ids:
            ids.append(sid)


# --- Public API ------------------------------------------------------------------------------


def build_plan(facts: Facts, available_snippets: frozenset[str] | None = None) -> PlanResult:
    """Build the B12 treatment plan for the given facts.

    Checks run in this order: facts out of range or contradictory (:class:`InvalidFacts`),
    neurological involvement unknown (:class:`MissingFacts`), then the plan is built and, if
    ``available_snippets`` is given, every snippet id it cites must be in it
    (:class:`ContentUnavailable` otherwise).

    Args:
        facts: What is known about the patient.
        available_snippets: Ids of the snippets that may be cited (e.g. approved-only mode);
            ``None`` means all are available.

    Returns:
        A :class:`Plan`, or a typed reason why there is none. The same facts always give the
        same result.
    """
    invalid = _invalid_facts(facts)
    if invalid is not None:
        return invalid
    # The whole regimen turns on neurological involvement (OVERVIEW): never guess it.
    if facts.neurological_involvement is Tri.UNKNOWN:
        return MissingFacts(
            ("neurological_involvement",),
            ("neurological_involvement unknown → no plan: the regimen depends on it",),
        )

    lines = _Lines()
    causes = _causes_in_use(facts, lines)
    _folic_acid_and_tests(facts, lines)

    neuro = facts.neurological_involvement is Tri.YES
    if neuro:
        regimen = _neuro_regimen(facts, lines)
    elif _oral_indicated(facts, lines):
        regimen = _oral_regimen(causes, lines)
    elif facts.formulary is Formulary.US:
        regimen = _us_non_neuro_regimen(lines)
    else:
        regimen = _uk_non_neuro_regimen(lines)

    _platelets(facts, neuro, regimen, lines)
    _causes(facts, causes, regimen, lines)
    _populations(facts, lines)
    _monitoring(neuro, regimen, lines)

    plan = _assemble(facts, regimen, lines)
    return _require_available(plan, available_snippets)


# --- Validation ------------------------------------------------------------------------------


def _invalid_facts(facts: Facts) -> InvalidFacts | None:
    """Out-of-range or contradictory facts, or ``None`` when the facts are usable.

    ``problems`` are short sentences fit to show a user; ``fields`` name the facts involved.
    """
    problems: list[str] = []
    fields: list[str] = []

    def flag(problem: str, *names: str) -> None:
        problems.append(problem)
        for name in names:
            if name not in fields:
                fields.append(name)

    platelets = facts.platelet_count
    if platelets is not None and not (
        math.isfinite(platelets) and 0 <= platelets <= _MAX_PLATELETS
    ):
        flag(
            f"platelet count {platelets:g} ×10⁹/L is outside 0–{_MAX_PLATELETS:g}",
            "platelet_count",
        )
    if facts.age is not None and not 0 <= facts.age <= _MAX_AGE_YEARS:
        flag(f"age {facts.age} years is outside 0–{_MAX_AGE_YEARS}", "age")
    length = facts.ileal_resection_cm
    if length is not None and not (math.isfinite(length) and 0 < length <= _MAX_ILEAL_RESECTION_CM):
        flag(
            f"ileal resection length {length:g} cm must be above 0 and at most "
            f"{_MAX_ILEAL_RESECTION_CM:g}",
            "ileal_resection_cm",
        )
    if (
        facts.route_preference is Route.INTRAMUSCULAR
        and facts.injection_contraindication is Tri.YES
    ):
        flag(
            "intramuscular route preferred but injections are contraindicated",
            "route_preference",
            "injection_contraindication",
        )
    if facts.pregnant is Tri.YES and facts.age is not None and facts.age < _MIN_AGE_PREGNANT:
        flag(f"pregnant at age {facts.age} years", "pregnant", "age")

    if problems:
        return InvalidFacts(tuple(problems), tuple(fields))
    return None


def _causes_in_use(facts: Facts, lines: _Lines) -> frozenset[Cause]:
    """The causes the rules act on, with implied and redundant entries resolved."""
    causes = set(facts.causes)
    # A resected length can only mean an ileal resection: take it as that cause, not an error.
    if facts.ileal_resection_cm is not None and Cause.ILEAL_RESECTION not in causes:
        causes.add(Cause.ILEAL_RESECTION)
        lines.path("ileal_resection_cm given → cause ileal_resection added")
    if Cause.UNKNOWN in causes and len(causes) > 1:
        causes.discard(Cause.UNKNOWN)
        lines.path("cause unknown listed with a known cause → unknown ignored")
    return frozenset(causes)


# --- Rules -----------------------------------------------------------------------------------


def _folic_acid_and_tests(facts: Facts, lines: _Lines) -> None:
    """Before starting treatment: folic acid and laboratory checks (always)."""
    # "Do NOT give folic acid before treating vitamin B12 deficiency" [1, 2]
    if facts.folic_acid_started is Tri.YES:
        lines.warn("folic_acid_already_started", FOLIC_ACID_NOT_BEFORE_B12)
        lines.path("folic_acid_started=yes → warn first")
    lines.warn("folic_acid_before_b12", FOLIC_ACID_NOT_BEFORE_B12)
    # "Check both vitamin B12 and folate levels, as deficiencies may coexist" [2]
    lines.warn("check_folate_and_b12", CHECK_B12_AND_FOLATE)
    # "methylmalonic acid as a confirmatory test when initial B12 results are indeterminate"
    # [2, 4]: unless the clinician has classed the B12 result as clearly low or normal.
    b12_status = facts.b12.status if facts.b12 is not None else None
    if b12_status not in (LabStatus.LOW, LabStatus.NORMAL):
        lines.warn("mma_if_indeterminate", MMA_IF_INDETERMINATE)


def _neuro_regimen(facts: Facts, lines: _Lines) -> _Regimen:
    """WITH neurological involvement: IM hydroxocobalamin, urgent specialist advice."""
    lines.path("neuro=yes → neuro regimen (hydroxocobalamin 1 mg IM alternate days)")
    regimen = _Regimen(
        drug=Drug.HYDROXOCOBALAMIN,
        route=Route.INTRAMUSCULAR,
        # "1 mg intramuscularly on alternate days until there is no further improvement"
        loading=(
            Step(
                dose=1,
                dose_max=None,
                unit="mg",
                route=Route.INTRAMUSCULAR,
                frequency=Frequency.ALTERNATE_DAYS,
                duration=Duration(DurationKind.UNTIL_NO_FURTHER_IMPROVEMENT),
                snippet_ids=(NEURO_LOADING,),
            ),
        ),
        # "hydroxocobalamin 1 mg intramuscularly every 2 months" (duration not stated)
        maintenance=_Maintenance(1, "mg", Frequency.EVERY_2_MONTHS, (2, 2), (NEURO_MAINTENANCE,)),
        drug_route_ids=[OVERVIEW, NEURO_LOADING, NEURO_MAINTENANCE],
        # "Seek urgent specialist advice from a neurologist and hematologist" [1]
        urgent_specialist_advice=True,
        specialists=("neurology", "haematology"),
        specialist_ids=(NEURO_SPECIALIST,),
    )
    lines.path("neuro=yes → urgent specialist advice (neurology, haematology)")
    # The oral evidence is not given for neurological involvement: the route stays IM and the
    # wish goes to the specialist.
    if facts.route_preference is Route.ORAL or facts.injection_contraindication is Tri.YES:
        lines.note(
            "oral_preference_noted_for_specialist",
            NEURO_SPECIALIST,
            ORAL_PREFERENCE_OR_CONTRAINDICATION,
        )
        lines.path("neuro=yes and oral preference/injection contraindication → stays IM")
    # The FDA cyanocobalamin schedule is listed only under WITHOUT neurological involvement.
    if facts.formulary is Formulary.US:
        lines.note("us_regimen_not_stated_for_neuro", US_REGIMEN, NEURO_LOADING)
        lines.path("formulary=us and neuro=yes → UK neuro regimen kept")
    return regimen


def _oral_indicated(facts: Facts, lines: _Lines) -> bool:
    """WITHOUT neurological involvement: whether the oral route applies.

    "Oral therapy may be considered for patients who prefer it or have contraindications to
    injections" [5, 4]; platelets at or below 50 count as a contraindication because the
    source supports IM only above 50 [2].
    """
    reasons: list[str] = []
    if facts.route_preference is Route.ORAL:
        reasons.append("route_preference=oral")
    if facts.injection_contraindication is Tri.YES:
        reasons.append("injection_contraindication=yes")
    if facts.platelet_count is not None and facts.platelet_count <= PLATELETS_IM_SUPPORTED_ABOVE:
        reasons.append("platelets ≤ 50")
    if not reasons:
        return False
    lines.path(f"neuro=no and {' and '.join(reasons)} → oral regimen")
    return True


def _oral_regimen(causes: frozenset[Cause], lines: _Lines) -> _Regimen:
    """Oral high-dose cyanocobalamin 1000–2000 µg daily, with close monitoring."""
    # "high-dose oral vitamin B12 (1000-2000 mcg daily) may be effective even in pernicious
    # anemia" [4, 6]; "may be considered for patients who prefer it or have contraindications
    # to injections" [5, 4]; the 2024 study adds evidence in pernicious anaemia [6].
    ids = [ORAL_HIGH_DOSE_PA, ORAL_PREFERENCE_OR_CONTRAINDICATION]
    if Cause.PERNICIOUS_ANAEMIA in causes:
        ids.append(ORAL_STUDY_2024)
        lines.path("oral and pernicious anaemia → cite 2024 oral study")
    step = Step(
        dose=1000,
        dose_max=2000,
        unit="µg",
        route=Route.ORAL,
        frequency=Frequency.DAILY,
        duration=Duration(DurationKind.NOT_STATED),
        snippet_ids=tuple(ids),
    )
    # "but close monitoring is essential" [5, 4]
    lines.warn("oral_needs_close_monitoring", ORAL_PREFERENCE_OR_CONTRAINDICATION)
    return _Regimen(
        drug=Drug.CYANOCOBALAMIN,
        route=Route.ORAL,
        loading=(step,),
        maintenance=None,
        drug_route_ids=[OVERVIEW, *ids],
    )


def _uk_non_neuro_regimen(lines: _Lines) -> _Regimen:
    """WITHOUT neurological involvement: IM hydroxocobalamin, lifelong maintenance."""
    lines.path("neuro=no → non-neuro regimen (hydroxocobalamin 1 mg IM three times weekly)")
    return _Regimen(
        drug=Drug.HYDROXOCOBALAMIN,
        route=Route.INTRAMUSCULAR,
        # "1 mg intramuscularly three times a week for 2 weeks" [1, 2]
        loading=(
            Step(
                dose=1,
                dose_max=None,
                unit="mg",
                route=Route.INTRAMUSCULAR,
                frequency=Frequency.THREE_TIMES_WEEKLY,
                duration=Duration(DurationKind.FIXED, 2, 2, "weeks"),
                snippet_ids=(NONNEURO_LOADING,),
            ),
        ),
        # "1 mg intramuscularly every 2-3 months lifelong" [1, 2]
        maintenance=_Maintenance(
            1, "mg", Frequency.EVERY_2_TO_3_MONTHS, (2, 3), (NONNEURO_MAINTENANCE,)
        ),
        drug_route_ids=[OVERVIEW, NONNEURO_LOADING, NONNEURO_MAINTENANCE],
        lifelong_ids=[NONNEURO_MAINTENANCE],
    )


def _us_non_neuro_regimen(lines: _Lines) -> _Regimen:
    """WITHOUT neurological involvement, US formulary: the FDA cyanocobalamin schedule [3]."""
    lines.path("neuro=no and formulary=us → FDA cyanocobalamin 100 µg IM schedule")

    def step(frequency: Frequency, duration: Duration) -> Step:
        return Step(100, None, "µg", Route.INTRAMUSCULAR, frequency, duration, (US_REGIMEN,))

    return _Regimen(
        drug=Drug.CYANOCOBALAMIN,
        route=Route.INTRAMUSCULAR,
        # "100 mcg daily for 6-7 days intramuscularly, then alternate days for 7 doses, then
        # every 3-4 days for 2-3 weeks"
        loading=(
            step(Frequency.DAILY, Duration(DurationKind.FIXED, 6, 7, "days")),
            step(Frequency.ALTERNATE_DAYS, Duration(DurationKind.DOSES, 7, 7, "doses")),
            step(Frequency.EVERY_3_TO_4_DAYS, Duration(DurationKind.FIXED, 2, 3, "weeks")),
        ),
        # "followed by 100 mcg monthly for life"
        maintenance=_Maintenance(100, "µg", Frequency.MONTHLY, (1, 1), (US_REGIMEN,)),
        drug_route_ids=[OVERVIEW, US_REGIMEN],
        lifelong_ids=[US_REGIMEN],
    )


def _platelets(facts: Facts, neuro: bool, regimen: _Regimen, lines: _Lines) -> None:
    """Thrombocytopenia: "IM ... can be safely performed with platelet count >50" [2]."""
    platelets = facts.platelet_count
    if platelets is None:
        return
    if platelets > PLATELETS_IM_SUPPORTED_ABOVE:
        lines.path("platelets > 50: IM supported")
        if regimen.route is Route.INTRAMUSCULAR:
            _add(regimen.drug_route_ids, THROMBOCYTOPENIA)
        return
    # At or below 50 the source does not say IM is safe, nor that it is not.
    lines.warn("platelets_at_or_below_50", THROMBOCYTOPENIA)
    if neuro:
        lines.note("route_needs_specialist_decision", THROMBOCYTOPENIA, NEURO_SPECIALIST)
        lines.path("neuro=yes and platelets ≤ 50 → neuro regimen kept, route for specialist")
    else:
        lines.note("specialist_advice_low_platelets", THROMBOCYTOPENIA)
        lines.path("neuro=no and platelets ≤ 50 → IM not covered by source, specialist advice")


def _causes(facts: Facts, causes: frozenset[Cause], regimen: _Regimen, lines: _Lines) -> None:
    """Treatment based on the cause of the deficiency."""
    # "malabsorption (including pernicious anemia) ... will be required lifelong" [2, 3, 5]
    if Cause.PERNICIOUS_ANAEMIA in causes or Cause.MALABSORPTION in causes:
        _add(regimen.lifelong_ids, MALABSORPTION_LIFELONG)
        lines.path("cause pernicious_anaemia/malabsorption → lifelong")

    # "ileal resection (>20 cm of distal ileum), provide prophylactic vitamin B12 injections
    # (1000 μg) monthly for life" [2]
    if Cause.ILEAL_RESECTION in causes:
        _ileal_resection(facts.ileal_resection_cm, regimen, lines)

    # "bariatric surgery should receive vitamin B12 supplementation indefinitely" [1, 4]
    if Cause.BARIATRIC_SURGERY in causes:
        _add(regimen.lifelong_ids, BARIATRIC)
        lines.path("cause bariatric_surgery → supplementation indefinitely (lifelong)")

    # "Vegans or strict vegetarians should consume foods fortified with vitamin B12 or take
    # supplements" [4]; "normal intestinal absorption, oral B12 preparations are appropriate
    # for chronic treatment" [3, 4]
    if Cause.DIETARY in causes:
        lines.warn("dietary_fortified_foods", VEGAN)
        lines.note("oral_suits_normal_absorption", ORAL_NORMAL_ABSORPTION)
        lines.path("cause dietary → fortified foods; oral suits normal absorption")

    # The source names no medication cause: only the general IM recommendation applies.
    if Cause.MEDICATION in causes:
        lines.note("cause_medication_not_covered", OVERVIEW)
        lines.path("cause medication → not covered by source")

    # What would change the plan: a malabsorptive cause (lifelong) or an ileal resection.
    if not causes - {Cause.UNKNOWN}:
        lines.note("cause_unknown", MALABSORPTION_LIFELONG, ILEAL_RESECTION)
        lines.path("cause unknown → note what would change the plan")


def _ileal_resection(length_cm: float | None, regimen: _Regimen, lines: _Lines) -> None:
    """Ileal resection: monthly 1000 µg injections for life when more than 20 cm [2]."""
    if length_cm is None:
        lines.note("ileal_resection_length_unknown", ILEAL_RESECTION)
        lines.path("ileal resection, length unknown → note: >20 cm would mean monthly for life")
        return
    if length_cm <= ILEAL_RESECTION_LIFELONG_ABOVE_CM:
        lines.note("ileal_resection_20cm_or_less_not_covered", ILEAL_RESECTION)
        lines.path("ileal resection ≤ 20 cm → not covered by source")
        return
    if regimen.route is Route.ORAL:
        lines.note("ileal_resection_source_gives_injections", ILEAL_RESECTION)
        lines.path("ileal resection > 20 cm on oral plan → note: source gives injections")
        return
    ileal = _Maintenance(1000, "µg", Frequency.MONTHLY, (1, 1), (ILEAL_RESECTION,))
    _add(regimen.lifelong_ids, ILEAL_RESECTION)
    current = regimen.maintenance
    if current is None:
        regimen.maintenance = ileal
        lines.path("ileal resection > 20 cm → 1000 µg IM monthly for life")
        return
    # Two schedules apply: the more frequent one is the plan; on a tie the ileal 1000 µg step.
    # Both sources are cited on the step.
    if ileal.interval_months[1] <= current.interval_months[1]:
        regimen.maintenance = _Maintenance(
            ileal.dose,
            ileal.unit,
            ileal.frequency,
            ileal.interval_months,
            (*ileal.snippet_ids, *current.snippet_ids),
        )
        lines.path("ileal resection > 20 cm → 1000 µg IM monthly for life (more frequent)")
    else:
        regimen.maintenance = _Maintenance(
            current.dose,
            current.unit,
            current.frequency,
            current.interval_months,
            (*current.snippet_ids, *ileal.snippet_ids),
        )
        lines.path("ileal resection > 20 cm → regimen maintenance kept (more frequent)")


def _populations(facts: Facts, lines: _Lines) -> None:
    """Special populations: age and pregnancy."""
    # "Elderly patients (>75 years) ... should be monitored closely" [2, 4]
    if facts.age is not None and facts.age > ELDERLY_ABOVE_YEARS:
        lines.warn("elderly_monitor_closely", ELDERLY)
        lines.path("age > 75 → monitor closely")
    # The source does not address pregnancy.
    if facts.pregnant is Tri.YES:
        lines.note("pregnancy_not_covered", OVERVIEW)
        lines.path("pregnant=yes → not covered by source")


def _monitoring(neuro: bool, regimen: _Regimen, lines: _Lines) -> None:
    """Monitoring response to treatment."""
    # "normalization of hemoglobin level and serum B12 concentration within two months" [7]
    lines.monitor("hb_and_b12_normalise_within_2_months", MONITOR_HB_B12_TWO_MONTHS)
    # "Neurological symptoms typically begin to improve within one month" [7]
    if neuro:
        lines.monitor("neuro_improvement_within_1_month", MONITOR_NEURO_ONE_MONTH)
    if regimen.route is Route.INTRAMUSCULAR:
        # "individualized injection frequencies based on symptom control" [5]
        lines.monitor("individualised_injection_frequency", MONITOR_INDIVIDUALISED)
    else:
        # "oral therapy, intermittent administration may be needed every 1-3 months" [7, 8]
        lines.monitor("oral_intermittent_maintenance", MONITOR_ORAL_INTERMITTENT)


# --- Assembly --------------------------------------------------------------------------------


def _maintenance_duration(lifelong_ids: Iterable[str]) -> Duration:
    """Lifelong if a source says "lifelong"/"for life", indefinite if only "indefinitely"."""
    ids = set(lifelong_ids)
    if ids & _FOR_LIFE_IDS:
        return Duration(DurationKind.LIFELONG)
    if BARIATRIC in ids:
        return Duration(DurationKind.INDEFINITE)
    return Duration(DurationKind.NOT_STATED)


def _assemble(facts: Facts, regimen: _Regimen, lines: _Lines) -> Plan:
    """Freeze the working state into a :class:`Plan`."""
    maintenance: tuple[Step, ...] = ()
    interval: tuple[float, float] | None = None
    if regimen.maintenance is not None:
        m = regimen.maintenance
        # The step cites its schedule and whatever sets its duration.
        step_ids = list(m.snippet_ids)
        _add(step_ids, *regimen.lifelong_ids)
        maintenance = (
            Step(
                dose=m.dose,
                dose_max=None,
                unit=m.unit,
                route=regimen.route,
                frequency=m.frequency,
                duration=_maintenance_duration(regimen.lifelong_ids),
                snippet_ids=tuple(step_ids),
            ),
        )
        interval = m.interval_months
    return Plan(
        facts=facts,
        drug=regimen.drug,
        route=regimen.route,
        loading=regimen.loading,
        maintenance=maintenance,
        maintenance_interval_months=interval,
        lifelong=True if regimen.lifelong_ids else None,
        lifelong_snippet_ids=tuple(regimen.lifelong_ids),
        urgent_specialist_advice=regimen.urgent_specialist_advice,
        specialists=regimen.specialists,
        specialist_snippet_ids=regimen.specialist_ids,
        warnings=tuple(lines.warnings),
        monitoring=tuple(lines.monitoring),
        notes=tuple(lines.notes),
        rule_path=tuple(lines.rule_path),
        drug_route_snippet_ids=tuple(regimen.drug_route_ids),
    )


def _require_available(plan: Plan, available: frozenset[str] | None) -> PlanResult:
    """The plan, or :class:`ContentUnavailable` naming the cited ids that are not available."""
    if available is None:
        return plan
    missing = tuple(sid for sid in plan.snippet_ids() if sid not in available)
    if missing:
        return ContentUnavailable(
            missing, (*plan.rule_path, f"cited snippets unavailable: {', '.join(missing)}")
        )
    return plan
