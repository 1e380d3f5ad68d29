"""A small corpus written for the retrieval tests (imported by conftest.py and tests).

The corpus uses the real snippet ids but its own wording, so the retriever's behaviour is
tested independently of the curated content (which has its own tests and the eval set).
"""

from __future__ import annotations

from dataclasses import dataclass

from guideline_engine.retrieval import AnswerPolicy, NotCoveredTopic


@dataclass(frozen=True)
class FakeSnippet:
    id: str
    section: str
    clinician: str
    patient: str
    keywords: tuple[str, ...] = ()


@dataclass(frozen=True)
class FakeKnowledgeBase:
    snippets: tuple[FakeSnippet, ...]
    version: str = "kb-fixture"


SNIPPETS = (
    FakeSnippet(
        "b12.overview.im_hydroxocobalamin",
        "overview",
        "Vitamin B12 deficiency anaemia is treated with intramuscular hydroxocobalamin.",
        "B12 is usually given as injections into a muscle.",
        ("first line", "injection"),
    ),
    FakeSnippet(
        "b12.neuro.loading",
        "initial_treatment.with_neurological_involvement",
        "With neurological involvement give hydroxocobalamin 1 mg IM on alternate days.",
        "If your nerves are affected, injections are given every other day at first.",
        ("tingling", "numbness"),
    ),
    FakeSnippet(
        "b12.nonneuro.loading",
        "initial_treatment.without_neurological_involvement",
        "Without neurological involvement give 1 mg IM three times a week for two weeks.",
        "With no nerve symptoms you start with three injections a week for 2 weeks.",
    ),
    FakeSnippet(
        "b12.folic_acid.not_before_b12",
        "before_treatment",
        "Do not give folic acid before B12: it can mask the deficiency.",
        "Folic acid should not be started before the B12 treatment.",
    ),
    FakeSnippet(
        "b12.oral.preference_or_contraindication",
        "oral_therapy",
        "Oral B12 may be used when patients prefer it, with close monitoring.",
        "If you would rather not have injections, tablets may be an option.",
        ("needle phobia",),
    ),
    FakeSnippet(
        "b12.population.thrombocytopenia",
        "special_populations",
        "In thrombocytopenia IM B12 is safe when platelets are above 50.",
        "Injections are safe if your platelet count is above 50.",
    ),
    FakeSnippet(
        "b12.population.vegan",
        "special_populations",
        "Vegans should eat fortified foods or take a supplement.",
        "If you are vegan, eat foods with added B12.",
    ),
    FakeSnippet(
        "b12.population.elderly",
        "special_populations",
        "People over 75 are at higher risk and need close monitoring.",
        "Older people should have their B12 checked closely.",
    ),
)

FIXTURE_POLICY = AnswerPolicy(
    min_score=1.0,
    min_coverage=0.35,
    generic_terms=("b12", "vitamin", "deficiency", "anaemia", "treatment"),
    generic_fallback="b12.overview.im_hydroxocobalamin",
    not_covered=(NotCoveredTopic("children", ("child", "children", "paediatric")),),
)
