"""Table tests of the B12 regimen rules: each row encodes one line of a source.

Seed: "How is vitamin B12 deficiency anemia treated?" (Dr.Oracle, 2025); primary guideline:
NICE NG239 (2024). Each row's ``source`` field quotes a few words of the line it encodes (NG239
lines are our paraphrase of the part named, since only parts were read).
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from typing import Any

import pytest

from guideline_engine.content.b12.rules import ALL_SNIPPET_IDS, build_plan
from guideline_engine.regimen import (
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
    LabValue,
    MissingFacts,
    Plan,
    PlanResult,
    Route,
    Step,
    Tri,
)

YES, NO = Tri.YES, Tri.NO
IM, ORAL = Route.INTRAMUSCULAR, Route.ORAL
HYDROXO, CYANO = Drug.HYDROXOCOBALAMIN, Drug.CYANOCOBALAMIN
F = Frequency
NEURO_LOADING = (F.ALTERNATE_DAYS,)
UK_LOADING = (F.THREE_TIMES_WEEKLY,)
US_LOADING = (F.DAILY, F.ALTERNATE_DAYS, F.EVERY_3_TO_4_DAYS)
D = DurationKind
ALWAYS_WARNINGS = frozenset({"folic_acid_before_b12", "check_folate_and_b12"})


def causes(*items: Cause) -> frozenset[Cause]:
    return frozenset(items)


def b12(status: LabStatus | None) -> LabValue:
    return LabValue(value=150.0, unit="ng/L", status=status)


def plan_of(facts: Facts) -> Plan:
    result = build_plan(facts)
    assert isinstance(result, Plan), result
    return result


@dataclass(frozen=True)
class Expect:
    """Expected plan fields; ``notes`` and ``differences`` are exact sets of codes."""

    source: str
    drug: Drug
    route: Route
    loading: tuple[Frequency, ...]
    maintenance: tuple[Frequency, ...]
    interval: tuple[float, float] | None
    duration: DurationKind
    urgent: bool
    notes: frozenset[str] = frozenset()
    differences: frozenset[str] = frozenset()
    warnings_present: frozenset[str] = frozenset()
    warnings_absent: frozenset[str] = frozenset()
    monitoring_present: frozenset[str] = frozenset()
    options: frozenset[str] = frozenset()
    rule_path_contains: tuple[str, ...] = field(default_factory=tuple)


NEURO = Expect(
    source="",
    drug=HYDROXO,
    route=IM,
    loading=NEURO_LOADING,
    maintenance=(F.EVERY_2_MONTHS,),
    interval=(2, 2),
    duration=D.DEPENDS_ON_CAUSE,
    urgent=True,
    notes=frozenset({"cause_unknown"}),
)
UK = Expect(
    source="",
    drug=HYDROXO,
    route=IM,
    loading=UK_LOADING,
    maintenance=(F.EVERY_2_TO_3_MONTHS,),
    interval=(2, 3),
    duration=D.DEPENDS_ON_CAUSE,
    urgent=False,
    notes=frozenset({"cause_unknown"}),
    differences=frozenset({"seed_lifelong_vs_ng239"}),
)
US = replace(
    UK,
    drug=CYANO,
    loading=US_LOADING,
    maintenance=(F.MONTHLY,),
    interval=(1, 1),
)
ORAL_PLAN = Expect(
    source="",
    drug=Drug.VITAMIN_B12,
    route=ORAL,
    loading=(),
    maintenance=(),
    interval=None,
    duration=D.DEPENDS_ON_CAUSE,
    urgent=False,
    notes=frozenset({"cause_unknown", "oral_dose_not_stated"}),
    warnings_present=frozenset({"oral_needs_close_monitoring"}),
    monitoring_present=frozenset({"oral_intermittent_maintenance"}),
    options=frozenset({"oral_high_dose_emerging_evidence"}),
)


def neuro(source: str, **changes: Any) -> Expect:
    return replace(NEURO, source=source, **changes)


def uk(source: str, **changes: Any) -> Expect:
    return replace(UK, source=source, **changes)


def us(source: str, **changes: Any) -> Expect:
    return replace(US, source=source, **changes)


def oral(source: str, **changes: Any) -> Expect:
    return replace(ORAL_PLAN, source=source, **changes)


LIFELONG_IRREVERSIBLE = dict(duration=D.LIFELONG, notes=frozenset(), differences=frozenset())

ROWS = [
    # --- WITH neurological involvement ---------------------------------------------------
    pytest.param(
        Facts(neurological_involvement=YES),
        neuro(
            "1 mg intramuscularly on alternate days until there is no further improvement",
            monitoring_present=frozenset(
                {"neuro_improvement_within_1_month", "individualised_injection_frequency"}
            ),
            rule_path_contains=("neuro=yes → neuro regimen",),
        ),
        id="neuro-yes-basic",
    ),
    pytest.param(
        Facts(neurological_involvement=YES, causes=causes(Cause.PERNICIOUS_ANAEMIA)),
        neuro(
            "malabsorption (including pernicious anemia) ... required lifelong",
            duration=D.LIFELONG,
            notes=frozenset(),
        ),
        id="neuro-yes-pernicious-anaemia-lifelong",
    ),
    pytest.param(
        Facts(neurological_involvement=YES, route_preference=ORAL),
        neuro(
            "Seek urgent specialist advice from a neurologist and hematologist",
            notes=frozenset({"cause_unknown", "oral_preference_noted_for_specialist"}),
        ),
        id="neuro-yes-oral-preference-stays-im",
    ),
    pytest.param(
        Facts(neurological_involvement=YES, injection_contraindication=YES),
        neuro(
            "Oral therapy may be considered for patients who ... have contraindications",
            notes=frozenset({"cause_unknown", "oral_preference_noted_for_specialist"}),
        ),
        id="neuro-yes-injection-contraindication-stays-im",
    ),
    pytest.param(
        Facts(neurological_involvement=YES, formulary=Formulary.US),
        neuro(
            "Alternative FDA-approved regimen (listed WITHOUT neurological involvement)",
            notes=frozenset({"cause_unknown", "us_regimen_not_stated_for_neuro"}),
        ),
        id="neuro-yes-us-formulary-keeps-neuro-regimen",
    ),
    pytest.param(
        Facts(
            neurological_involvement=YES,
            causes=causes(Cause.ILEAL_RESECTION),
            ileal_resection_cm=50,
        ),
        neuro(
            "ileal resection (>20 cm ...) ... injections (1000 μg) monthly for life",
            maintenance=(F.MONTHLY,),
            interval=(1, 1),
            **LIFELONG_IRREVERSIBLE
            | {"differences": frozenset({"ileal_schedule_replaces_regimen"})},
        ),
        id="neuro-yes-ileal-50cm-monthly-beats-2-monthly",
    ),
    pytest.param(
        Facts(neurological_involvement=YES, causes=causes(Cause.BARIATRIC_SURGERY)),
        neuro(
            "bariatric surgery should receive vitamin B12 supplementation indefinitely",
            duration=D.INDEFINITE,
            notes=frozenset(),
        ),
        id="neuro-yes-bariatric-indefinite",
    ),
    pytest.param(
        Facts(neurological_involvement=YES, causes=causes(Cause.DIETARY)),
        neuro(
            "NG239 visual summary: stop or reduce once the cause is addressed",
            duration=D.UNTIL_CAUSE_RESOLVED,
            notes=frozenset({"oral_suits_normal_absorption"}),
            warnings_present=frozenset({"dietary_fortified_foods"}),
        ),
        id="neuro-yes-dietary-im-not-lifelong",
    ),
    # --- WITHOUT neurological involvement, UK ---------------------------------------------
    pytest.param(
        Facts(neurological_involvement=NO),
        uk(
            "1 mg intramuscularly three times a week for 2 weeks ... every 2-3 months lifelong",
            monitoring_present=frozenset({"individualised_injection_frequency"}),
        ),
        id="neuro-no-uk-basic",
    ),
    pytest.param(
        Facts(neurological_involvement=NO, platelet_count=51),
        uk(
            "safely performed with platelet count >50 × 10⁹/L",
            warnings_absent=frozenset({"platelets_at_or_below_50"}),
            rule_path_contains=("platelets > 50: IM supported",),
        ),
        id="neuro-no-platelets-51-im",
    ),
    pytest.param(
        Facts(neurological_involvement=NO, causes=causes(Cause.PERNICIOUS_ANAEMIA)),
        uk(
            "malabsorption (including pernicious anemia) ... will be required lifelong",
            **LIFELONG_IRREVERSIBLE,
        ),
        id="neuro-no-pernicious-anaemia-lifelong",
    ),
    pytest.param(
        Facts(
            neurological_involvement=NO, causes=causes(Cause.ILEAL_RESECTION), ileal_resection_cm=30
        ),
        uk(
            "provide prophylactic vitamin B12 injections (1000 μg) monthly for life",
            maintenance=(F.MONTHLY,),
            interval=(1, 1),
            **LIFELONG_IRREVERSIBLE
            | {"differences": frozenset({"ileal_schedule_replaces_regimen"})},
        ),
        id="neuro-no-ileal-30cm-monthly",
    ),
    pytest.param(
        Facts(
            neurological_involvement=NO, causes=causes(Cause.ILEAL_RESECTION), ileal_resection_cm=20
        ),
        uk(
            "ileal resection (>20 cm of distal ileum)",
            notes=frozenset({"ileal_resection_20cm_or_less_not_covered"}),
        ),
        id="neuro-no-ileal-20cm-not-covered",
    ),
    pytest.param(
        Facts(neurological_involvement=NO, causes=causes(Cause.ILEAL_RESECTION)),
        uk(
            "ileal resection (>20 cm of distal ileum)",
            notes=frozenset({"ileal_resection_length_unknown"}),
        ),
        id="neuro-no-ileal-length-unknown",
    ),
    pytest.param(
        Facts(neurological_involvement=NO, ileal_resection_cm=25),
        uk(
            "ileal resection (>20 cm of distal ileum) ... monthly for life",
            maintenance=(F.MONTHLY,),
            interval=(1, 1),
            rule_path_contains=("ileal_resection_cm given → cause ileal_resection added",),
            **LIFELONG_IRREVERSIBLE
            | {"differences": frozenset({"ileal_schedule_replaces_regimen"})},
        ),
        id="ileal-length-implies-ileal-resection",
    ),
    pytest.param(
        Facts(neurological_involvement=NO, causes=causes(Cause.DIETARY)),
        oral(
            "normal intestinal absorption, oral B12 preparations are appropriate (seed); "
            "NG239 treats by cause",
            duration=D.UNTIL_CAUSE_RESOLVED,
            notes=frozenset({"oral_dose_not_stated"}),
            differences=frozenset({"dietary_cause_oral_per_ng239"}),
            warnings_present=frozenset({"dietary_fortified_foods"}),
            options=frozenset(),
        ),
        id="neuro-no-dietary-oral-not-lifelong",
    ),
    pytest.param(
        Facts(neurological_involvement=NO, causes=causes(Cause.DIETARY), route_preference=IM),
        uk(
            "Vegans or strict vegetarians should consume foods fortified with vitamin B12",
            duration=D.UNTIL_CAUSE_RESOLVED,
            notes=frozenset({"oral_suits_normal_absorption"}),
            warnings_present=frozenset({"dietary_fortified_foods"}),
        ),
        id="neuro-no-dietary-im-preferred-not-lifelong",
    ),
    pytest.param(
        Facts(neurological_involvement=NO, causes=causes(Cause.MEDICATION)),
        uk(
            "NG239 1.1.3: medicines among causes; lifelong only if irreversible",
            duration=D.UNTIL_CAUSE_RESOLVED,
            notes=frozenset({"cause_medication_not_covered"}),
        ),
        id="neuro-no-medication-not-lifelong",
    ),
    pytest.param(
        Facts(neurological_involvement=NO, causes=causes(Cause.UNKNOWN, Cause.MALABSORPTION)),
        uk(
            "patients with malabsorption ... will be required lifelong",
            rule_path_contains=("cause unknown listed with a known cause → unknown ignored",),
            **LIFELONG_IRREVERSIBLE,
        ),
        id="unknown-cause-ignored-beside-known",
    ),
    pytest.param(
        Facts(neurological_involvement=NO, causes=causes(Cause.UNKNOWN)),
        uk("Treatment Based on Cause of Deficiency", notes=frozenset({"cause_unknown"})),
        id="cause-unknown-note",
    ),
    pytest.param(
        Facts(neurological_involvement=NO, causes=causes(Cause.BARIATRIC_SURGERY)),
        uk(
            "bariatric surgery ... supplementation indefinitely",
            duration=D.INDEFINITE,
            notes=frozenset(),
            # "indefinitely" is the plan's duration: no "sources differ ... no lifelong" line.
            differences=frozenset(),
        ),
        id="neuro-no-bariatric-indefinite",
    ),
    # --- WITHOUT neurological involvement, US formulary ------------------------------------
    pytest.param(
        Facts(neurological_involvement=NO, formulary=Formulary.US),
        us("cyanocobalamin 100 mcg daily for 6-7 days ... 100 mcg monthly for life"),
        id="neuro-no-us-fda-schedule",
    ),
    pytest.param(
        Facts(
            neurological_involvement=NO,
            formulary=Formulary.US,
            ileal_resection_cm=40,
            causes=causes(Cause.ILEAL_RESECTION),
        ),
        us(
            "injections (1000 μg) monthly for life",
            **LIFELONG_IRREVERSIBLE
            | {"differences": frozenset({"ileal_schedule_replaces_regimen"})},
        ),
        id="neuro-no-us-ileal-tie-monthly",
    ),
    # --- Oral ---------------------------------------------------------------------------------
    pytest.param(
        Facts(neurological_involvement=NO, route_preference=ORAL),
        oral("Oral therapy may be considered for patients who prefer it"),
        id="neuro-no-oral-preference",
    ),
    pytest.param(
        Facts(neurological_involvement=NO, injection_contraindication=YES),
        oral("... or have contraindications to injections, but close monitoring is essential"),
        id="neuro-no-injection-contraindication-oral",
    ),
    pytest.param(
        Facts(
            neurological_involvement=NO,
            route_preference=ORAL,
            causes=causes(Cause.PERNICIOUS_ANAEMIA),
        ),
        oral(
            "high-dose oral ... may be effective even in pernicious anemia; parenteral vitamin B12 "
            "is traditionally recommended",
            duration=D.LIFELONG,
            notes=frozenset(),
            differences=frozenset({"oral_vs_parenteral_in_malabsorption"}),
            warnings_present=frozenset(
                {"parenteral_traditional_in_malabsorption", "oral_malabsorption_at_least_1mg"}
            ),
        ),
        id="neuro-no-oral-pernicious-anaemia-keeps-parenteral-qualifier",
    ),
    pytest.param(
        Facts(
            neurological_involvement=NO,
            route_preference=ORAL,
            causes=causes(Cause.BARIATRIC_SURGERY),
        ),
        oral(
            "supplementation indefinitely",
            duration=D.INDEFINITE,
            notes=frozenset({"oral_dose_not_stated"}),
        ),
        id="neuro-no-oral-bariatric-indefinite",
    ),
    pytest.param(
        Facts(neurological_involvement=NO, route_preference=ORAL, ileal_resection_cm=60),
        oral(
            "provide prophylactic vitamin B12 injections (1000 μg)",
            duration=D.LIFELONG,
            notes=frozenset({"ileal_resection_source_gives_injections", "oral_dose_not_stated"}),
        ),
        id="neuro-no-oral-ileal-source-gives-injections",
    ),
    # --- Always / tests / populations ----------------------------------------------------
    pytest.param(
        Facts(neurological_involvement=NO, folic_acid_started=YES),
        uk(
            "Do NOT give folic acid before treating vitamin B12 deficiency",
            warnings_present=frozenset({"folic_acid_already_started"}),
        ),
        id="folic-acid-already-started",
    ),
    pytest.param(
        Facts(neurological_involvement=NO, b12=b12(LabStatus.LOW)),
        uk(
            "methylmalonic acid ... when initial B12 results are indeterminate",
            warnings_absent=frozenset({"mma_if_indeterminate"}),
        ),
        id="b12-low-no-mma",
    ),
    pytest.param(
        Facts(neurological_involvement=NO, b12=b12(LabStatus.INDETERMINATE)),
        uk(
            "Consider measuring methylmalonic acid as a confirmatory test",
            warnings_present=frozenset({"mma_if_indeterminate"}),
        ),
        id="b12-indeterminate-mma",
    ),
    pytest.param(
        Facts(neurological_involvement=NO, b12=b12(None)),
        uk(
            "Consider measuring methylmalonic acid as a confirmatory test",
            warnings_present=frozenset({"mma_if_indeterminate"}),
        ),
        id="b12-unclassed-mma",
    ),
    pytest.param(
        Facts(neurological_involvement=NO, age=76),
        uk(
            "Elderly patients (>75 years) ... should be monitored closely",
            warnings_present=frozenset({"elderly_monitor_closely"}),
        ),
        id="age-76-elderly",
    ),
    pytest.param(
        Facts(neurological_involvement=NO, age=75),
        uk("Elderly patients (>75 years)", warnings_absent=frozenset({"elderly_monitor_closely"})),
        id="age-75-not-elderly",
    ),
    pytest.param(
        Facts(neurological_involvement=NO, age=16),
        uk("NG239 covers people aged 16 and over (overview)"),
        id="age-16-gets-a-plan",
    ),
    pytest.param(
        Facts(neurological_involvement=NO, haemoglobin=95),
        uk(
            "(not below the WHO severe cut-off of 80 g/L: named back, not graded)",
            notes=frozenset({"cause_unknown", "haemoglobin_not_classed"}),
        ),
        id="haemoglobin-named-back-not-classed",
    ),
]


@pytest.mark.parametrize(("facts", "expect"), ROWS)
def test_plan_table(facts: Facts, expect: Expect) -> None:
    plan = plan_of(facts)
    assert expect.source
    assert plan.drug is expect.drug
    assert plan.route is expect.route
    assert tuple(s.frequency for s in plan.loading) == expect.loading
    assert tuple(s.frequency for s in plan.maintenance) == expect.maintenance
    assert all(s.route is expect.route for s in (*plan.loading, *plan.maintenance))
    assert plan.maintenance_interval_months == expect.interval
    assert plan.duration is expect.duration
    assert all(s.duration.kind is expect.duration for s in plan.maintenance)
    assert plan.urgent_specialist_advice is expect.urgent
    if expect.urgent:
        assert plan.specialists == ("neurology", "haematology")
    else:
        assert plan.specialists == ()
    assert {n.code for n in plan.notes} == expect.notes
    assert {d.code for d in plan.source_differences} == expect.differences
    assert {o.code for o in plan.options} == expect.options
    codes = set(plan.warning_codes())
    assert ALWAYS_WARNINGS | expect.warnings_present <= codes
    assert not codes & expect.warnings_absent
    monitoring = {m.code for m in plan.monitoring}
    assert {"hb_and_b12_normalise_within_2_months"} | expect.monitoring_present <= monitoring
    for fragment in expect.rule_path_contains:
        assert any(fragment in step for step in plan.rule_path), plan.rule_path


# --- Step details ------------------------------------------------------------------------


def test_neuro_steps_and_citations() -> None:
    plan = plan_of(Facts(neurological_involvement=YES))
    assert plan.loading == (
        Step(
            1,
            None,
            "mg",
            IM,
            F.ALTERNATE_DAYS,
            Duration(DurationKind.UNTIL_NO_FURTHER_IMPROVEMENT),
            ("b12.neuro.loading",),
        ),
    )
    assert plan.maintenance == (
        Step(
            1,
            None,
            "mg",
            IM,
            F.EVERY_2_MONTHS,
            Duration(DurationKind.DEPENDS_ON_CAUSE),
            ("b12.neuro.maintenance",),
        ),
    )
    assert plan.specialist_snippet_ids == ("b12.neuro.specialist",)
    assert plan.duration_snippet_ids[0] == "b12.ng239.lifelong_if_irreversible"
    assert plan.drug_route_snippet_ids[0] == "b12.overview.im_hydroxocobalamin"


def test_uk_steps() -> None:
    plan = plan_of(Facts(neurological_involvement=NO))
    (loading,) = plan.loading
    assert (loading.dose, loading.unit) == (1, "mg")
    assert loading.duration == Duration(DurationKind.FIXED, 2, 2, "weeks")
    (maintenance,) = plan.maintenance
    # "every 2-3 months lifelong" [1, 2] vs NG239 (lifelong only if irreversible): cause unknown.
    assert maintenance.duration.kind is DurationKind.DEPENDS_ON_CAUSE
    assert plan.lifelong is None
    (difference,) = plan.source_differences
    assert difference.snippet_ids == (
        "b12.nonneuro.maintenance",
        "b12.ng239.lifelong_if_irreversible",
    )


def test_us_steps() -> None:
    plan = plan_of(Facts(neurological_involvement=NO, formulary=Formulary.US))
    assert [(s.dose, s.unit, s.duration) for s in plan.loading] == [
        (100, "µg", Duration(DurationKind.FIXED, 6, 7, "days")),
        (100, "µg", Duration(DurationKind.DOSES, 7, 7, "doses")),
        (100, "µg", Duration(DurationKind.FIXED, 2, 3, "weeks")),
    ]
    (maintenance,) = plan.maintenance
    assert (maintenance.dose, maintenance.unit) == (100, "µg")
    assert maintenance.snippet_ids == ("b12.us.cyanocobalamin_regimen",)
    assert plan.drug_route_snippet_ids == (
        "b12.overview.im_hydroxocobalamin",
        "b12.us.cyanocobalamin_regimen",
    )


def test_oral_evidence_is_an_option_never_a_step() -> None:
    # "high-dose oral vitamin B12 (1000-2000 mcg daily) may be effective even in pernicious
    # anemia" [4, 6]: emerging evidence, shown with its strength, not as a plan step.
    plan = plan_of(
        Facts(
            neurological_involvement=NO,
            route_preference=ORAL,
            causes=causes(Cause.PERNICIOUS_ANAEMIA),
        )
    )
    assert plan.loading == () and plan.maintenance == ()
    (option,) = plan.options
    assert option.snippet_ids == ("b12.oral.high_dose_pa", "b12.oral.study_2024")
    # "parenteral vitamin B12 is traditionally recommended" stays on the plan.
    parenteral = [w for w in plan.warnings if w.code == "parenteral_traditional_in_malabsorption"]
    assert parenteral[0].snippet_ids == ("b12.cause.malabsorption_lifelong",)
    assert plan.duration_snippet_ids == (
        "b12.cause.malabsorption_lifelong",
        "b12.ng239.lifelong_if_irreversible",
    )
    no_pa = plan_of(Facts(neurological_involvement=NO, route_preference=ORAL))
    assert "b12.oral.study_2024" not in no_pa.snippet_ids()


@pytest.mark.parametrize(
    ("formulary", "neuro_status", "other_id"),
    [
        pytest.param(Formulary.UK, NO, "b12.nonneuro.maintenance", id="uk-every-2-3-months"),
        pytest.param(Formulary.US, NO, "b12.us.cyanocobalamin_regimen", id="us-monthly-tie"),
        pytest.param(Formulary.UK, YES, "b12.neuro.maintenance", id="neuro-every-2-months"),
    ],
)
def test_ileal_step_is_one_schedule_and_names_the_one_it_replaces(
    formulary: Formulary, neuro_status: Tri, other_id: str
) -> None:
    # "injections (1000 μg) monthly for life": one schedule, one unit (1 mg), one duration.
    plan = plan_of(
        Facts(
            neurological_involvement=neuro_status,
            formulary=formulary,
            causes=causes(Cause.ILEAL_RESECTION),
            ileal_resection_cm=100,
        )
    )
    (step,) = plan.maintenance
    assert (step.dose, step.unit, step.frequency) == (1, "mg", F.MONTHLY)
    assert step.duration.kind is DurationKind.LIFELONG
    assert step.snippet_ids == ("b12.cause.ileal_resection",)
    (difference,) = plan.source_differences
    assert difference.snippet_ids == ("b12.cause.ileal_resection", other_id)
    assert "b12.cause.ileal_resection" in plan.duration_snippet_ids
    assert plan.causes == causes(Cause.ILEAL_RESECTION)


def test_bariatric_only_is_indefinite_never_also_lifelong() -> None:
    plan = plan_of(Facts(neurological_involvement=YES, causes=causes(Cause.BARIATRIC_SURGERY)))
    (step,) = plan.maintenance
    assert step.duration.kind is DurationKind.INDEFINITE
    assert plan.duration is DurationKind.INDEFINITE
    assert plan.lifelong is None
    assert plan.duration_snippet_ids == ("b12.cause.bariatric",)


def test_folic_acid_already_started_comes_first() -> None:
    plan = plan_of(Facts(neurological_involvement=YES, folic_acid_started=YES))
    assert plan.warning_codes()[:2] == ("folic_acid_already_started", "folic_acid_before_b12")
    assert plan.warnings[0].snippet_ids == ("b12.folic_acid.not_before_b12",)


def test_low_platelets_without_the_gate_never_switch_route() -> None:
    # "safely performed with platelet count >50" [2] says nothing of oral: no silent switch.
    plan = plan_of_without_gates(Facts(neurological_involvement=NO, platelet_count=30))
    assert plan.route is IM
    assert "platelets_at_or_below_50" in plan.warning_codes()
    assert "specialist_advice_low_platelets" in {n.code for n in plan.notes}


def plan_of_without_gates(facts: Facts) -> Plan:
    result = build_plan(facts, gates=())
    assert isinstance(result, Plan), result
    return result


def test_platelets_above_50_cited_on_im_route() -> None:
    plan = plan_of(Facts(neurological_involvement=NO, platelet_count=150))
    assert "b12.population.thrombocytopenia" in plan.drug_route_snippet_ids
    unknown = plan_of(Facts(neurological_involvement=NO))
    assert "b12.population.thrombocytopenia" not in unknown.snippet_ids()
    assert not any("platelets" in step for step in unknown.rule_path)


# --- No plan -----------------------------------------------------------------------------


def test_neuro_unknown_is_missing_fact() -> None:
    result = build_plan(Facts(causes=causes(Cause.PERNICIOUS_ANAEMIA), platelet_count=200))
    assert isinstance(result, MissingFacts)
    assert result.missing == ("neurological_involvement",)


@pytest.mark.parametrize(
    ("facts", "problems", "fields"),
    [
        pytest.param(
            Facts(neurological_involvement=NO, platelet_count=-1),
            ("platelet count -1 ×10⁹/L is outside 0–2000",),
            ("platelet_count",),
            id="platelets-neg",
        ),
        pytest.param(
            Facts(neurological_involvement=NO, platelet_count=2001),
            ("platelet count 2001 ×10⁹/L is outside 0–2000",),
            ("platelet_count",),
            id="platelets-2001",
        ),
        pytest.param(
            Facts(neurological_involvement=NO, platelet_count=float("nan")),
            ("platelet count nan ×10⁹/L is outside 0–2000",),
            ("platelet_count",),
            id="platelets-nan",
        ),
        pytest.param(
            Facts(neurological_involvement=NO, age=-1),
            ("age -1 years is outside 0–130",),
            ("age",),
            id="age-neg",
        ),
        pytest.param(
            Facts(neurological_involvement=NO, age=131),
            ("age 131 years is outside 0–130",),
            ("age",),
            id="age-131",
        ),
        pytest.param(
            Facts(neurological_involvement=NO, ileal_resection_cm=0),
            ("ileal resection length 0 cm must be above 0 and at most 700",),
            ("ileal_resection_cm",),
            id="ileal-0",
        ),
        pytest.param(
            Facts(neurological_involvement=NO, ileal_resection_cm=701),
            ("ileal resection length 701 cm must be above 0 and at most 700",),
            ("ileal_resection_cm",),
            id="ileal-701",
        ),
        pytest.param(
            Facts(neurological_involvement=NO, route_preference=IM, injection_contraindication=YES),
            ("intramuscular route preferred but injections are contraindicated",),
            ("route_preference", "injection_contraindication"),
            id="im-preference-with-contraindication",
        ),
        pytest.param(
            Facts(neurological_involvement=NO, pregnant=YES, age=7),
            ("pregnant at age 7 years",),
            ("pregnant", "age"),
            id="pregnant-age-7",
        ),
        pytest.param(
            Facts(neurological_involvement=NO, haemoglobin=0),
            ("haemoglobin 0 g/L must be above 0 and at most 250",),
            ("haemoglobin",),
            id="hb-0",
        ),
        pytest.param(
            Facts(platelet_count=-5, age=200),
            ("platelet count -5 ×10⁹/L is outside 0–2000", "age 200 years is outside 0–130"),
            ("platelet_count", "age"),
            id="several-problems-before-missing-neuro",
        ),
    ],
)
def test_invalid_facts(facts: Facts, problems: tuple[str, ...], fields: tuple[str, ...]) -> None:
    assert build_plan(facts) == InvalidFacts(problems, fields)


@pytest.mark.parametrize(
    "facts",
    [
        pytest.param(Facts(neurological_involvement=NO, platelet_count=2000), id="platelets-2000"),
        pytest.param(Facts(neurological_involvement=NO, age=130), id="age-130"),
        pytest.param(Facts(neurological_involvement=NO, ileal_resection_cm=700), id="ileal-700"),
        pytest.param(Facts(neurological_involvement=NO, haemoglobin=250), id="hb-250"),
        pytest.param(
            Facts(neurological_involvement=NO, route_preference=IM, injection_contraindication=NO),
            id="im-preference-no-contra",
        ),
    ],
)
def test_boundary_facts_are_valid(facts: Facts) -> None:
    assert isinstance(build_plan(facts), Plan)


def test_content_unavailable_names_missing_ids() -> None:
    facts = Facts(neurological_involvement=YES)
    plan = plan_of(facts)
    available = frozenset(plan.snippet_ids()) - {"b12.neuro.specialist"}
    result = build_plan(facts, available)
    assert isinstance(result, ContentUnavailable)
    assert result.snippet_ids == ("b12.neuro.specialist",)
    assert result.rule_path[: len(plan.rule_path)] == plan.rule_path
    assert build_plan(facts, frozenset(plan.snippet_ids())) == plan
    assert build_plan(facts, ALL_SNIPPET_IDS) == plan


# --- Coverage: every id the rules can cite is reachable, and nothing else is cited --------


def test_every_snippet_id_is_reachable() -> None:
    cited: set[str] = set()
    grid = itertools.product(
        (YES, NO),
        (
            causes(),
            causes(Cause.PERNICIOUS_ANAEMIA),
            causes(Cause.DIETARY),
            causes(Cause.ILEAL_RESECTION),
            causes(Cause.BARIATRIC_SURGERY),
        ),
        (None, 20.0, 100.0),
        (None, 80.0),
        (None, 80),
        (None, ORAL),
        (Formulary.UK, Formulary.US),
        (Tri.UNKNOWN, YES),
    )
    for neuro_status, cause_set, ileal, platelets, age, route, formulary, pregnant in grid:
        result: PlanResult = build_plan(
            Facts(
                neurological_involvement=neuro_status,
                causes=cause_set,
                ileal_resection_cm=ileal,
                platelet_count=platelets,
                age=age,
                route_preference=route,
                formulary=formulary,
                pregnant=pregnant,
                haemoglobin=platelets,
            ),
            gates=(),
        )
        assert isinstance(result, Plan)
        cited.update(result.snippet_ids())
    low = build_plan(Facts(neurological_involvement=NO, platelet_count=10), gates=())
    assert isinstance(low, Plan)
    cited.update(low.snippet_ids())
    medication = plan_of(Facts(neurological_involvement=NO, causes=causes(Cause.MEDICATION)))
    cited.update(medication.snippet_ids())
    assert cited == ALL_SNIPPET_IDS
    assert len(ALL_SNIPPET_IDS) == 32
