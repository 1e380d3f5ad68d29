"""Vitamin B12 deficiency anaemia: regimen rules (the topic's ``rules_module``).

Seed: "How is vitamin B12 deficiency anemia treated?" (Dr.Oracle, last updated 21 Oct 2025),
an AI-platform summary; bracketed numbers are its reference numbers. Primary guideline: NICE
NG239 (2024), of which only the parts named beside each id were read. Where the two differ, the
plan shows both (``source_differences``) and says which it follows and why. Every snippet id
below sits beside the source line it stands for, and every rule names the snippet ids it cites,
so a reviewer can read rule and source side by side.

The engine never classes a number the source gives no cut-off for, never guesses an unknown
fact, and says in ``notes`` what the source does not cover and what would change the plan.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field

from guideline_engine.knowledge.model import Gate
from guideline_engine.regimen.gates import evaluate_gates, packaged_gates
from guideline_engine.regimen.model import (
    Cause,
    ContentUnavailable,
    Drug,
    Duration,
    DurationKind,
    Facts,
    Formulary,
    Frequency,
    Gated,
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

# --- NICE NG239 (2024), the primary guideline; only the parts named were read -------------
# Recommendation 1.1.3 and its rationale: "Some causes ... are irreversible and therefore
#  treatment is needed for life"; visual summary (via SPS): lifelong if the cause is, or is
#  suspected to be, irreversible.
NG239_LIFELONG_IF_IRREVERSIBLE = "b12.ng239.lifelong_if_irreversible"
# Visual summary (via SPS): stop oral once the cause is addressed and symptoms improved;
#  think about stopping or reducing injections if the cause has resolved.
NG239_STOP_OR_REDUCE = "b12.ng239.stop_or_reduce_when_cause_resolved"
# Visual summary (via SPS): not improved → other diagnoses, higher oral dose or switch to IM.
NG239_NOT_IMPROVED = "b12.ng239.not_improved_escalate"
# Context and 1.1.3: "Treatment ... depends on the cause"; oral or IM are the most common.
NG239_TREATMENT_BY_CAUSE = "b12.ng239.treatment_by_cause"
# BMJ summary: oral replacement for malabsorption "a dosage of at least 1 mg a day".
NG239_ORAL_MALABSORPTION = "b12.ng239.oral_malabsorption_at_least_1mg"

# --- Other sources and this project's safety decisions ---------------------------------------
# SPS (citing NICE CKS): "seek urgent advice from a haematologist" in pregnancy.
PREGNANCY_HAEMATOLOGY = "b12.sps.pregnancy_urgent_haematology"
# iatroX summary of CKS: "Urgent referral if severe symptomatic anaemia, pancytopenia".
URGENT_REFERRAL_SEVERE_ANAEMIA = "b12.cks.urgent_referral_severe_anaemia_pancytopenia"
# Clinical review (project policy): platelets ≤ 50 → haematology input, no route switch.
LOW_PLATELETS_HAEMATOLOGY = "b12.policy.low_platelets_haematology"

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
        NG239_LIFELONG_IF_IRREVERSIBLE,
        NG239_STOP_OR_REDUCE,
        NG239_NOT_IMPROVED,
        NG239_TREATMENT_BY_CAUSE,
        NG239_ORAL_MALABSORPTION,
        PREGNANCY_HAEMATOLOGY,
        URGENT_REFERRAL_SEVERE_ANAEMIA,
        LOW_PLATELETS_HAEMATOLOGY,
    }
)
"""Every snippet id a B12 plan can cite."""

# --- Thresholds the sources state ----------------------------------------------------------

PLATELETS_IM_SUPPORTED_ABOVE = 50.0  # ×10⁹/L: "safely performed with platelet count >50" [2]
ILEAL_RESECTION_LIFELONG_ABOVE_CM = 20.0  # "(>20 cm of distal ileum)" [2]
ELDERLY_ABOVE_YEARS = 75  # "Elderly patients (>75 years)" [2, 4]

# --- Input sanity bounds (not clinical thresholds: they reject typing errors) --------------

_MAX_PLATELETS = 2000.0  # ×10⁹/L
_MAX_AGE_YEARS = 130
_MAX_ILEAL_RESECTION_CM = 700.0  # longer than a whole small bowel
_MAX_HAEMOGLOBIN_G_L = 250.0
_MIN_AGE_PREGNANT = 8

# Irreversible causes: NG239 makes replacement lifelong only for these (rationale 1.1.1-1.1.3);
# the seed makes malabsorption, pernicious anaemia included, lifelong [2, 3, 5].
_IRREVERSIBLE = frozenset({Cause.PERNICIOUS_ANAEMIA, Cause.MALABSORPTION})
# Reversible causes: diet, and a medication that can stop. No lifelong statement for them.
_REVERSIBLE = frozenset({Cause.DIETARY, Cause.MEDICATION})

TOPIC = "b12_deficiency_anaemia"
"""The knowledge-base topic of this module's content (``content/b12/``)."""


# --- Working state ---------------------------------------------------------------------------


@dataclass(frozen=True)
class _Maintenance:
    """A maintenance schedule before its duration is settled."""

    dose: float
    unit: str
    frequency: Frequency
    interval_months: tuple[float, float]
    snippet_ids: tuple[str, ...]
    for_life: bool  # the schedule's own source says "for life"/"lifelong"


@dataclass
class _Regimen:
    """The drug, route and schedule chosen so far."""

    drug: Drug
    route: Route
    loading: tuple[Step, ...]
    maintenance: _Maintenance | None
    drug_route_ids: list[str]
    summary_ids: tuple[str, ...] = (OVERVIEW,)
    urgent_specialist_advice: bool = False
    specialists: tuple[str, ...] = ()
    specialist_ids: tuple[str, ...] = ()


@dataclass
class _Lines:
    """Plan lines and the rule path, in the order rules add them."""

    warnings: list[PlanLine] = field(default_factory=list)
    monitoring: list[PlanLine] = field(default_factory=list)
    notes: list[PlanLine] = field(default_factory=list)
    options: list[PlanLine] = field(default_factory=list)
    differences: list[PlanLine] = field(default_factory=list)
    rule_path: list[str] = field(default_factory=list)

    def warn(self, code: str, *snippet_ids: str) -> None:
        self.warnings.append(PlanLine(code, snippet_ids))

    def monitor(self, code: str, *snippet_ids: str) -> None:
        self.monitoring.append(PlanLine(code, snippet_ids))

    def note(self, code: str, *snippet_ids: str) -> None:
        self.notes.append(PlanLine(code, snippet_ids))

    def option(self, code: str, *snippet_ids: str) -> None:
        self.options.append(PlanLine(code, snippet_ids))

    def differ(self, code: str, *snippet_ids: str) -> None:
        self.differences.append(PlanLine(code, snippet_ids))

    def path(self, step: str) -> None:
        self.rule_path.append(step)


def _add(ids: list[str], *new: str) -> None:
    """Append snippet ids not yet present, keeping order."""
    for sid in new:
        if sid not in ids:
            ids.append(sid)


# --- Public API ------------------------------------------------------------------------------


def build_plan(
    facts: Facts,
    available_snippets: frozenset[str] | None = None,
    gates: tuple[Gate, ...] | None = None,
) -> PlanResult:
    """Build the B12 treatment plan for the given facts.

    Checks run in this order: facts out of range or contradictory (:class:`InvalidFacts`),
    eligibility and escalation gates (:class:`Gated`: no standard plan), neurological
    involvement unknown (:class:`MissingFacts`), then the plan. If ``available_snippets`` is
    given, every snippet id a gate or the plan cites must be in it (:class:`ContentUnavailable`
    otherwise).

    Args:
        facts: What is known about the patient.
        available_snippets: Ids of the snippets that may be cited (e.g. approved-only mode);
            ``None`` means all are available.
        gates: The gates to check; ``None`` means the packaged ``gates.yml``.

    Returns:
        A :class:`Plan`, or a typed reason why there is none. The same facts always give the
        same result.
    """
    invalid = _invalid_facts(facts)
    if invalid is not None:
        return invalid
    own = [g for g in packaged_gates() if g.topic == TOPIC] if gates is None else gates
    gated = evaluate_gates(facts, own)
    if gated is not None:
        return _require_available(gated, gated.snippet_ids(), gated.rule_path, available_snippets)
    # The whole regimen turns on neurological involvement (OVERVIEW): never guess it.
    if facts.neurological_involvement is Tri.UNKNOWN:
        return MissingFacts(
            ("neurological_involvement",),
            ("neurological_involvement unknown → no plan: the regimen depends on it",),
        )
    plan = _plan(facts)
    return _require_available(plan, plan.snippet_ids(), plan.rule_path, available_snippets)


def _plan(facts: Facts) -> Plan:
    """Every rule, in order, for facts that passed validation and the gates."""
    lines = _Lines()
    causes = _causes_in_use(facts, lines)
    _folic_acid_and_tests(facts, lines)

    neuro = facts.neurological_involvement is Tri.YES
    if neuro:
        regimen = _neuro_regimen(facts, lines)
    elif _oral_requested(facts, lines) or _dietary_only(facts, causes, lines):
        regimen = _oral_regimen(facts, causes, lines)
    elif facts.formulary is Formulary.US:
        regimen = _us_non_neuro_regimen(lines)
    else:
        regimen = _uk_non_neuro_regimen(lines)

    _platelets(facts, regimen, lines)
    _causes(facts, causes, regimen, lines)
    _populations(facts, lines)
    _monitoring(neuro, regimen, lines)
    duration, duration_ids = _duration(facts, causes, regimen, lines)
    return _assemble(facts, causes, regimen, lines, duration, duration_ids)


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
    hb = facts.haemoglobin
    if hb is not None and not (math.isfinite(hb) and 0 < hb <= _MAX_HAEMOGLOBIN_G_L):
        flag(
            f"haemoglobin {hb:g} g/L must be above 0 and at most {_MAX_HAEMOGLOBIN_G_L:g}",
            "haemoglobin",
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


def _ileal_over_20(facts: Facts, causes: frozenset[Cause]) -> bool:
    length = facts.ileal_resection_cm
    return (
        Cause.ILEAL_RESECTION in causes
        and length is not None
        and length > ILEAL_RESECTION_LIFELONG_ABOVE_CM
    )


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
        maintenance=_Maintenance(
            1, "mg", Frequency.EVERY_2_MONTHS, (2, 2), (NEURO_MAINTENANCE,), for_life=False
        ),
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


def _oral_requested(facts: Facts, lines: _Lines) -> bool:
    """WITHOUT neurological involvement: the person prefers tablets or cannot have injections.

    "Oral therapy may be considered for patients who prefer it or have contraindications to
    injections" [5, 4]. Low platelets are NOT a reason: that is a gate (haematology input).
    """
    reasons: list[str] = []
    if facts.route_preference is Route.ORAL:
        reasons.append("route_preference=oral")
    if facts.injection_contraindication is Tri.YES:
        reasons.append("injection_contraindication=yes")
    if not reasons:
        return False
    lines.path(f"neuro=no and {' and '.join(reasons)} → oral route")
    return True


def _dietary_only(facts: Facts, causes: frozenset[Cause], lines: _Lines) -> bool:
    """A dietary cause alone, no IM preference: oral, as NG239 treats by cause (context).

    The seed: "normal intestinal absorption, oral B12 preparations are appropriate for chronic
    treatment" [3, 4]; NG239 context: treatment depends on the cause, oral or IM.
    """
    if causes != {Cause.DIETARY} or facts.route_preference is Route.INTRAMUSCULAR:
        return False
    lines.path("neuro=no and cause dietary only → oral route (NG239: treat by cause)")
    return True


def _oral_regimen(facts: Facts, causes: frozenset[Cause], lines: _Lines) -> _Regimen:
    """Oral B12, no plan step: the sources give no oral dose except as evidence or a minimum."""
    requested = facts.route_preference is Route.ORAL or facts.injection_contraindication is Tri.YES
    ids: list[str] = []
    if requested:
        # "may be considered for patients who prefer it or have contraindications ... but close
        # monitoring is essential" [5, 4]
        _add(ids, ORAL_PREFERENCE_OR_CONTRAINDICATION)
        lines.warn("oral_needs_close_monitoring", ORAL_PREFERENCE_OR_CONTRAINDICATION)
    if Cause.DIETARY in causes:
        _add(ids, ORAL_NORMAL_ABSORPTION, NG239_TREATMENT_BY_CAUSE)
        if not requested:
            # The seed's general regimen is IM for everyone; for a dietary cause NG239 treats
            # by cause, and the seed itself says oral suits normal absorption.
            lines.differ(
                "dietary_cause_oral_per_ng239",
                OVERVIEW,
                ORAL_NORMAL_ABSORPTION,
                NG239_TREATMENT_BY_CAUSE,
            )
    if causes & _IRREVERSIBLE:
        # "parenteral vitamin B12 is traditionally recommended" [2, 3, 5] stays visible;
        # NG239 (BMJ summary): oral in malabsorption at least 1 mg a day.
        lines.warn("parenteral_traditional_in_malabsorption", MALABSORPTION_LIFELONG)
        lines.warn("oral_malabsorption_at_least_1mg", NG239_ORAL_MALABSORPTION)
        lines.differ(
            "oral_vs_parenteral_in_malabsorption", MALABSORPTION_LIFELONG, NG239_ORAL_MALABSORPTION
        )
        lines.path("oral and pernicious anaemia/malabsorption → parenteral kept visible")
    else:
        lines.note("oral_dose_not_stated", *(ids[:1] or [NG239_TREATMENT_BY_CAUSE]))
    if requested:
        # "Emerging evidence ... may be effective even in pernicious anemia" [4, 6]: an option
        # with its evidence strength, never a plan step.
        evidence = [ORAL_HIGH_DOSE_PA]
        if Cause.PERNICIOUS_ANAEMIA in causes:
            evidence.append(ORAL_STUDY_2024)
        lines.option("oral_high_dose_emerging_evidence", *evidence)
        lines.path("oral requested → high-dose oral shown as an option (emerging evidence)")
    return _Regimen(
        drug=Drug.VITAMIN_B12,
        route=Route.ORAL,
        loading=(),
        maintenance=None,
        drug_route_ids=ids,
        summary_ids=(ids[0],),
    )


def _uk_non_neuro_regimen(lines: _Lines) -> _Regimen:
    """WITHOUT neurological involvement: IM hydroxocobalamin."""
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
            1, "mg", Frequency.EVERY_2_TO_3_MONTHS, (2, 3), (NONNEURO_MAINTENANCE,), for_life=True
        ),
        drug_route_ids=[OVERVIEW, NONNEURO_LOADING, NONNEURO_MAINTENANCE],
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
        maintenance=_Maintenance(100, "µg", Frequency.MONTHLY, (1, 1), (US_REGIMEN,), True),
        drug_route_ids=[OVERVIEW, US_REGIMEN],
    )


def _platelets(facts: Facts, regimen: _Regimen, lines: _Lines) -> None:
    """Thrombocytopenia: "IM ... can be safely performed with platelet count >50" [2]."""
    platelets = facts.platelet_count
    if platelets is None:
        return
    if platelets > PLATELETS_IM_SUPPORTED_ABOVE:
        lines.path("platelets > 50: IM supported")
        if regimen.route is Route.INTRAMUSCULAR:
            _add(regimen.drug_route_ids, THROMBOCYTOPENIA)
        return
    # Normally the low-platelets gate withholds the plan first. If a deployment runs without
    # that gate, the route is still never switched silently: warn and ask for haematology.
    lines.warn("platelets_at_or_below_50", THROMBOCYTOPENIA)
    lines.note("specialist_advice_low_platelets", THROMBOCYTOPENIA, LOW_PLATELETS_HAEMATOLOGY)
    lines.path("platelets ≤ 50 without the gate → route unchanged, haematology input")


def _causes(facts: Facts, causes: frozenset[Cause], regimen: _Regimen, lines: _Lines) -> None:
    """Treatment based on the cause of the deficiency (duration is set in :func:`_duration`)."""
    if Cause.ILEAL_RESECTION in causes:
        _ileal_resection(facts.ileal_resection_cm, regimen, lines)
    # "Vegans or strict vegetarians should consume foods fortified with vitamin B12 or take
    # supplements" [4]
    if Cause.DIETARY in causes:
        lines.warn("dietary_fortified_foods", VEGAN)
        if regimen.route is Route.INTRAMUSCULAR:
            lines.note("oral_suits_normal_absorption", ORAL_NORMAL_ABSORPTION)
        lines.path("cause dietary → fortified foods or supplements")
    # The seed names no medication cause: only the general recommendation applies.
    if Cause.MEDICATION in causes:
        lines.note("cause_medication_not_covered", NG239_TREATMENT_BY_CAUSE)
        lines.path("cause medication → not covered by the seed; reversible (NG239)")
    # What would change the plan: an irreversible cause (lifelong) or an ileal resection.
    if not causes - {Cause.UNKNOWN}:
        lines.note(
            "cause_unknown", NG239_LIFELONG_IF_IRREVERSIBLE, MALABSORPTION_LIFELONG, ILEAL_RESECTION
        )
        lines.path("cause unknown → note what would change the plan")


def _ileal_resection(length_cm: float | None, regimen: _Regimen, lines: _Lines) -> None:
    """Ileal resection: monthly 1 mg (1000 µg) injections for life when more than 20 cm [2]."""
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
    replaced = regimen.maintenance
    # "(1000 μg) monthly": at least as frequent as every regimen's schedule, so it is the plan.
    regimen.maintenance = _Maintenance(
        1, "mg", Frequency.MONTHLY, (1, 1), (ILEAL_RESECTION,), for_life=True
    )
    _add(regimen.drug_route_ids, ILEAL_RESECTION)
    if replaced is not None:
        lines.differ("ileal_schedule_replaces_regimen", ILEAL_RESECTION, *replaced.snippet_ids)
    lines.path("ileal resection > 20 cm → 1 mg (1000 µg) IM monthly, one schedule")


def _populations(facts: Facts, lines: _Lines) -> None:
    """Special populations and values the sources give no cut-off for."""
    # "Elderly patients (>75 years) ... should be monitored closely" [2, 4]
    if facts.age is not None and facts.age > ELDERLY_ABOVE_YEARS:
        lines.warn("elderly_monitor_closely", ELDERLY)
        lines.path("age > 75 → monitor closely")
    # Normally the pregnancy gate withholds the plan first; without it, still escalate.
    if facts.pregnant is Tri.YES:
        lines.warn("pregnancy_urgent_haematology", PREGNANCY_HAEMATOLOGY)
        lines.path("pregnant=yes without the gate → urgent haematology advice")
    # Below the WHO severe cut-off the severe-anaemia gate fires first (gates.yml, HAZ-065); at
    # or above it the value is named back, never graded (symptoms are not assessed here).
    if facts.haemoglobin is not None:
        lines.note("haemoglobin_not_classed", URGENT_REFERRAL_SEVERE_ANAEMIA)
        lines.path("haemoglobin given, not below the WHO severe cut-off → named back, not graded")


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
    # NG239 visual summary: not improved → other diagnoses, dose or route change.
    lines.monitor("not_improved_escalate", NG239_NOT_IMPROVED)


def _duration(
    facts: Facts, causes: frozenset[Cause], regimen: _Regimen, lines: _Lines
) -> tuple[DurationKind, tuple[str, ...]]:
    """The plan's one treatment duration, by cause, and the snippets that state it."""
    seed_for_life = regimen.maintenance is not None and regimen.maintenance.for_life
    irreversible: list[str] = []
    if causes & _IRREVERSIBLE:
        # "malabsorption (including pernicious anemia) ... will be required lifelong" [2, 3, 5]
        irreversible.append(MALABSORPTION_LIFELONG)
    if _ileal_over_20(facts, causes):
        irreversible.append(ILEAL_RESECTION)
    if irreversible:
        lines.path("irreversible cause → lifelong (seed and NG239 agree)")
        return DurationKind.LIFELONG, (*irreversible, NG239_LIFELONG_IF_IRREVERSIBLE)
    if Cause.BARIATRIC_SURGERY in causes:
        # "bariatric surgery should receive vitamin B12 supplementation indefinitely" [1, 4]:
        # no end date, so no "sources differ ... no lifelong treatment" line beside it.
        lines.path("cause bariatric_surgery → indefinitely (no end date stated)")
        return DurationKind.INDEFINITE, (BARIATRIC,)
    if seed_for_life and regimen.maintenance is not None:
        # The seed's schedule says "for life" whatever the cause; NG239 does not.
        lines.differ(
            "seed_lifelong_vs_ng239",
            regimen.maintenance.snippet_ids[0],
            NG239_LIFELONG_IF_IRREVERSIBLE,
        )
    if causes and causes <= _REVERSIBLE:
        lines.path("reversible cause only → until the cause resolves (NG239), no lifelong")
        return DurationKind.UNTIL_CAUSE_RESOLVED, (
            NG239_STOP_OR_REDUCE,
            NG239_LIFELONG_IF_IRREVERSIBLE,
        )
    lines.path("cause unknown or not covered → duration depends on the cause (NG239)")
    return DurationKind.DEPENDS_ON_CAUSE, (NG239_LIFELONG_IF_IRREVERSIBLE, NG239_STOP_OR_REDUCE)


# --- Assembly --------------------------------------------------------------------------------


def _assemble(
    facts: Facts,
    causes: frozenset[Cause],
    regimen: _Regimen,
    lines: _Lines,
    duration: DurationKind,
    duration_ids: tuple[str, ...],
) -> Plan:
    """Freeze the working state into a :class:`Plan` with one duration."""
    maintenance: tuple[Step, ...] = ()
    interval: tuple[float, float] | None = None
    if regimen.maintenance is not None:
        m = regimen.maintenance
        maintenance = (
            Step(
                dose=m.dose,
                dose_max=None,
                unit=m.unit,
                route=regimen.route,
                frequency=m.frequency,
                duration=Duration(duration),
                snippet_ids=m.snippet_ids,
            ),
        )
        interval = m.interval_months
    return Plan(
        facts=facts,
        causes=causes,
        drug=regimen.drug,
        route=regimen.route,
        loading=regimen.loading,
        maintenance=maintenance,
        maintenance_interval_months=interval,
        duration=duration,
        duration_snippet_ids=duration_ids,
        urgent_specialist_advice=regimen.urgent_specialist_advice,
        specialists=regimen.specialists,
        specialist_snippet_ids=regimen.specialist_ids,
        warnings=tuple(lines.warnings),
        monitoring=tuple(lines.monitoring),
        notes=tuple(lines.notes),
        rule_path=tuple(lines.rule_path),
        drug_route_snippet_ids=tuple(regimen.drug_route_ids),
        summary_snippet_ids=regimen.summary_ids,
        options=tuple(lines.options),
        source_differences=tuple(lines.differences),
    )


def _require_available(
    result: Plan | Gated,
    cited: tuple[str, ...],
    rule_path: tuple[str, ...],
    available: frozenset[str] | None,
) -> PlanResult:
    """The result, or :class:`ContentUnavailable` naming the cited ids that are not available."""
    if available is None:
        return result
    missing = tuple(sid for sid in cited if sid not in available)
    if missing:
        return ContentUnavailable(
            missing, (*rule_path, f"cited snippets unavailable: {', '.join(missing)}")
        )
    return result
