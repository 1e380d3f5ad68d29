"""Property tests of the B12 regimen rules over all facts, valid or not."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from guideline_engine.content.b12.rules import ALL_SNIPPET_IDS, build_plan
from guideline_engine.knowledge import load_knowledge_base
from guideline_engine.regimen import (
    Cause,
    ContentUnavailable,
    DurationKind,
    Facts,
    Formulary,
    Gated,
    InvalidFacts,
    LabStatus,
    LabValue,
    MissingFacts,
    Plan,
    Route,
    Tri,
)

tri = st.sampled_from(Tri)
lab_value = st.builds(
    LabValue,
    value=st.none() | st.floats(allow_nan=True, allow_infinity=True),
    unit=st.sampled_from(["ng/L", "pmol/L", "µg/L", "nmol/L"]),
    status=st.none() | st.sampled_from(LabStatus),
)


def facts_strategy(
    platelets: st.SearchStrategy[float],
    ages: st.SearchStrategy[int],
    ileal: st.SearchStrategy[float],
    neuro: st.SearchStrategy[Tri] = tri,
    haemoglobin: st.SearchStrategy[float] | None = None,
) -> st.SearchStrategy[Facts]:
    haemoglobin = st.floats(1, 250) if haemoglobin is None else haemoglobin
    return st.builds(
        Facts,
        neurological_involvement=neuro,
        causes=st.frozensets(st.sampled_from(Cause)),
        ileal_resection_cm=st.none() | ileal,
        platelet_count=st.none() | platelets,
        age=st.none() | ages,
        pregnant=tri,
        route_preference=st.none() | st.sampled_from(Route),
        injection_contraindication=tri,
        formulary=st.sampled_from(Formulary),
        folic_acid_started=tri,
        b12=st.none() | lab_value,
        folate=st.none() | lab_value,
        mma=st.none() | lab_value,
        breastfeeding=tri,
        haemoglobin=st.none() | haemoglobin,
        pancytopenia=tri,
        severe_anaemia=tri,
    )


# Anything at all, including absurd and contradictory values.
any_facts = facts_strategy(
    platelets=st.floats(allow_nan=True, allow_infinity=True),
    ages=st.integers(),
    ileal=st.floats(allow_nan=True, allow_infinity=True),
)
# Values inside the plausible ranges, so most draws give a plan.
plausible_facts = facts_strategy(
    platelets=st.floats(0, 2000) | st.sampled_from([0.0, 49.9, 50.0, 50.1, 2000.0]),
    ages=st.integers(0, 130),
    ileal=st.floats(0.1, 700) | st.sampled_from([19.9, 20.0, 20.1, 700.0]),
    neuro=st.sampled_from([Tri.YES, Tri.NO]),
)
facts = any_facts | plausible_facts
# Adults with no gate condition, so most draws reach the regimen.
eligible_facts = facts_strategy(
    platelets=st.floats(50.1, 2000),
    ages=st.integers(16, 130),
    ileal=st.floats(0.1, 700),
    neuro=st.sampled_from([Tri.YES, Tri.NO]),
).map(
    lambda f: replace(
        f, pregnant=Tri.NO, breastfeeding=Tri.NO, pancytopenia=Tri.NO, severe_anaemia=Tri.NO
    )
)
KB_IDS = load_knowledge_base(approved_only=False).ids
REVERSIBLE = frozenset({Cause.DIETARY, Cause.MEDICATION})


@given(facts | eligible_facts)
def test_every_line_cites_snippets_that_exist(f: Facts) -> None:
    result = build_plan(f)
    if isinstance(result, Gated):
        assert result.snippet_ids() and set(result.snippet_ids()) <= KB_IDS
        return
    if not isinstance(result, Plan):
        return
    for step in (*result.loading, *result.maintenance):
        assert step.snippet_ids
        assert set(step.snippet_ids) <= ALL_SNIPPET_IDS
    for line in result.lines():
        assert line.snippet_ids
        assert set(line.snippet_ids) <= ALL_SNIPPET_IDS
    assert result.drug_route_snippet_ids and result.summary_snippet_ids
    assert result.duration_snippet_ids
    assert set(result.snippet_ids()) <= ALL_SNIPPET_IDS <= KB_IDS
    assert result.rule_path
    assert bool(result.specialist_snippet_ids) == result.urgent_specialist_advice


@given(eligible_facts)
def test_exactly_one_maintenance_duration(f: Facts) -> None:
    result = build_plan(f)
    if isinstance(result, Plan):
        assert len(result.maintenance) <= 1
        assert {s.duration.kind for s in result.maintenance} <= {result.duration}
        assert result.duration in {
            DurationKind.LIFELONG,
            DurationKind.INDEFINITE,
            DurationKind.UNTIL_CAUSE_RESOLVED,
            DurationKind.DEPENDS_ON_CAUSE,
        }


@given(eligible_facts)
def test_no_lifelong_for_dietary_or_medication_causes_only(f: Facts) -> None:
    result = build_plan(f)
    if isinstance(result, Plan) and result.causes and result.causes <= REVERSIBLE:
        assert result.duration is DurationKind.UNTIL_CAUSE_RESOLVED
        assert result.lifelong is False
        # A seed "for life" schedule, if used, is shown as a difference, not as the duration.
        for step in result.maintenance:
            assert step.duration.kind is DurationKind.UNTIL_CAUSE_RESOLVED


@given(facts | eligible_facts, st.integers(0, 15))
def test_no_plan_under_16(f: Facts, age: int) -> None:
    result = build_plan(replace(f, age=age))
    assert not isinstance(result, Plan | MissingFacts)
    if isinstance(result, Gated):
        assert "gate.b12.under_16" in [h.gate_id for h in result.hits]


@given(eligible_facts)
def test_oral_evidence_never_becomes_a_plan_step(f: Facts) -> None:
    result = build_plan(f)
    if isinstance(result, Plan):
        evidence = {"b12.oral.high_dose_pa", "b12.oral.study_2024"}
        for step in (*result.loading, *result.maintenance):
            assert not evidence & set(step.snippet_ids)
            assert step.route is Route.INTRAMUSCULAR
        cited_as_option = {sid for o in result.options for sid in o.snippet_ids}
        assert evidence & set(result.snippet_ids()) <= cited_as_option
        if "b12.oral.high_dose_pa" in cited_as_option and (
            Cause.PERNICIOUS_ANAEMIA in result.causes
        ):
            assert "parenteral_traditional_in_malabsorption" in result.warning_codes()


@given(facts)
def test_neuro_yes_means_urgent_advice_and_im(f: Facts) -> None:
    result = build_plan(replace(f, neurological_involvement=Tri.YES))
    assert not isinstance(result, MissingFacts)
    if isinstance(result, Plan):
        assert result.urgent_specialist_advice
        assert result.specialists == ("neurology", "haematology")
        assert result.route is Route.INTRAMUSCULAR
        assert all(s.route is Route.INTRAMUSCULAR for s in (*result.loading, *result.maintenance))


@given(facts)
def test_neuro_unknown_means_missing_fact_unless_invalid(f: Facts) -> None:
    unknown = build_plan(replace(f, neurological_involvement=Tri.UNKNOWN))
    known = build_plan(replace(f, neurological_involvement=Tri.NO))
    if isinstance(known, InvalidFacts | Gated):
        assert unknown == known
    else:
        assert isinstance(unknown, MissingFacts)
        assert unknown.missing == ("neurological_involvement",)


@given(facts)
def test_folic_acid_advice_never_missing(f: Facts) -> None:
    result = build_plan(f)
    if isinstance(result, Plan):
        codes = result.warning_codes()
        assert "folic_acid_before_b12" in codes
        assert "check_folate_and_b12" in codes
        if f.folic_acid_started is Tri.YES:
            assert codes[0] == "folic_acid_already_started"
        else:
            assert "folic_acid_already_started" not in codes


@given(facts)
def test_plan_is_deterministic(f: Facts) -> None:
    first = build_plan(f)
    assert build_plan(f) == first
    # A set built in another order gives the same plan.
    reordered = replace(f, causes=frozenset(sorted(f.causes, key=lambda c: c.value, reverse=True)))
    again = build_plan(reordered)
    if isinstance(first, Plan):
        assert again == replace(first, facts=reordered)
    else:
        assert again == first


@given(facts)
def test_low_platelets_never_give_a_plan(f: Facts) -> None:
    result = build_plan(f)
    if f.platelet_count is not None and f.platelet_count <= 50:
        assert not isinstance(result, Plan | MissingFacts)
        if isinstance(result, Gated):
            assert "gate.b12.low_platelets" in [h.gate_id for h in result.hits]


@given(facts)
def test_oral_only_without_neuro(f: Facts) -> None:
    result = build_plan(f)
    if isinstance(result, Plan) and result.route is Route.ORAL:
        assert f.neurological_involvement is Tri.NO
        requested = f.route_preference is Route.ORAL or f.injection_contraindication is Tri.YES
        if requested:
            assert "oral_needs_close_monitoring" in result.warning_codes()
        else:
            assert result.causes == {Cause.DIETARY}


@given(facts)
def test_maintenance_interval_is_ordered(f: Facts) -> None:
    result = build_plan(f)
    if isinstance(result, Plan):
        interval = result.maintenance_interval_months
        assert (interval is None) == (not result.maintenance)
        if interval is not None:
            assert 0 < interval[0] <= interval[1]


@given(facts | eligible_facts, st.data())
def test_removing_a_cited_snippet_gives_content_unavailable(f: Facts, data: st.DataObject) -> None:
    result = build_plan(f)
    if not isinstance(result, Plan | Gated):
        return
    cited = result.snippet_ids()
    removed = data.draw(st.sampled_from(cited))
    available = KB_IDS - {removed}
    unavailable = build_plan(f, available)
    assert isinstance(unavailable, ContentUnavailable)
    assert unavailable.snippet_ids == (removed,)
    assert build_plan(f, KB_IDS) == result


@given(facts)
def test_invalid_facts_name_problems_and_fields(f: Facts) -> None:
    result = build_plan(f)
    if isinstance(result, InvalidFacts):
        assert result.problems
        assert result.fields
        assert set(result.fields) <= {
            "platelet_count",
            "age",
            "ileal_resection_cm",
            "route_preference",
            "injection_contraindication",
            "pregnant",
            "haemoglobin",
        }
