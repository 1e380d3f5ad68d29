"""Table tests for guideline_engine.extraction.extract.

The sentences here are unit-test fixtures; tests/eval/negation_eval.yml holds a separate
evaluation set that must not repeat them.
"""

from __future__ import annotations

import json
from dataclasses import asdict

import pytest

from guideline_engine.extraction import extract


@pytest.mark.parametrize(
    ("text", "neuro", "affirmed", "negated"),
    [
        pytest.param(
            "no numbness or tingling", "no", (), ("numbness", "paraesthesia"), id="no-x-or-y"
        ),
        pytest.param("denies paraesthesia", "no", (), ("paraesthesia",), id="denies"),
        pytest.param("neuro exam normal", "no", (), (), id="whole-phrase-negative-finding"),
        pytest.param("neurologically intact", "no", (), (), id="neurologically-intact"),
        pytest.param(
            "no neuro symptoms", "no", (), ("neurological_unspecified",), id="no-neuro-symptoms"
        ),
        pytest.param(
            "tingling but no numbness", "yes", ("paraesthesia",), ("numbness",), id="but-terminates"
        ),
        pytest.param(
            "no tingling, however has unsteady gait",
            "yes",
            ("gait_ataxia",),
            ("paraesthesia",),
            id="however-terminates",
        ),
        pytest.param("her mother had numbness", None, (), (), id="other-experiencer"),
        # resolved: kept as an affirmed, historical mention; involvement stays unknown (asked)
        pytest.param("numbness resolved", None, ("numbness",), (), id="resolved-is-history"),
        pytest.param(
            "PINS AND NEEDLES IN BOTH FEET", "yes", ("paraesthesia",), (), id="upper-case"
        ),
        pytest.param("paresthesias in hands", "yes", ("paraesthesia",), (), id="us-spelling"),
        pytest.param("parasthesia in toes", "yes", ("paraesthesia",), (), id="typo"),
        pytest.param("pins-and-needles", "yes", ("paraesthesia",), (), id="hyphenated"),
        pytest.param("numbness absent", "no", (), ("numbness",), id="post-trigger-absent"),
        pytest.param("ataxia ruled out", "no", (), ("gait_ataxia",), id="post-trigger-ruled-out"),
        pytest.param("no change in the numbness", "yes", ("numbness",), (), id="pseudo-no-change"),
        pytest.param(
            "not only tingling but also numbness",
            "yes",
            ("paraesthesia", "numbness"),
            (),
            id="pseudo-not-only",
        ),
        pytest.param(
            "tired all the time, no neuro sx",
            "no",
            ("fatigue",),
            ("neurological_unspecified",),
            id="mixed",
        ),
        pytest.param("fatigue and pale", None, ("fatigue", "pallor"), (), id="non-neuro-only"),
        pytest.param("low mood for months", None, ("low_mood",), (), id="low-mood-not-neuro"),
        pytest.param("if she develops numbness", None, (), (), id="hypothetical"),
        pytest.param("can b12 deficiency cause tingling?", None, (), (), id="question-not-a-fact"),
        pytest.param(
            "what is causing her tingling", "yes", ("paraesthesia",), (), id="possessive-real"
        ),
        pytest.param("no energy at all", None, ("fatigue",), (), id="trigger-inside-phrase"),
        pytest.param(
            "denies numbness, has ataxia",
            "yes",
            ("gait_ataxia",),
            ("numbness",),
            id="has-ends-negation",
        ),
        pytest.param(
            "no numbness, plt 35, wobbly",
            "yes",
            ("gait_ataxia",),
            ("numbness",),
            id="number-ends-negation",
        ),
        pytest.param("", None, (), (), id="empty"),
    ],
)
def test_symptom_polarity(
    text: str, neuro: str | None, affirmed: tuple[str, ...], negated: tuple[str, ...]
) -> None:
    facts = extract(text)
    assert facts.neurological_involvement == neuro
    assert set(facts.affirmed_symptom_ids) == set(affirmed)
    assert set(facts.negated_symptom_ids) == set(negated)


def test_negated_neuro_symptom_never_sets_yes_even_with_other_affirmed_symptoms() -> None:
    facts = extract("very tired, pale, denies pins and needles or numbness")
    assert facts.neurological_involvement == "no"
    assert facts.affirmed_symptom_ids == ("fatigue", "pallor")


def test_mention_spans_point_at_the_original_text() -> None:
    text = "Pt c/o Pins and Needles; no numbness"
    facts = extract(text)
    for mention in facts.symptoms:
        assert text[mention.start : mention.end] == mention.text
    tingling = next(m for m in facts.symptoms if m.id == "paraesthesia")
    assert tingling.text == "Pins and Needles"
    assert tingling.neurological and not tingling.negated


def test_resolved_symptom_is_marked_historical() -> None:
    mention = extract("the tingling has resolved").symptoms[0]
    assert mention.historical and not mention.negated


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("plt 35", id="plt"),
        pytest.param("platelets 35", id="platelets"),
        pytest.param("platelets 35k", id="k"),
        pytest.param("35k platelets", id="k-before"),
        pytest.param("platelet count 35,000/µL", id="comma-per-microlitre"),
        pytest.param("platelets 35000/uL", id="per-ul"),
        pytest.param("plts 35 x10^9/L", id="x10^9"),
        pytest.param("platelets 35 ×10⁹/L", id="unicode"),
        pytest.param("Platelets: 35 x 10*9/l", id="asterisk"),
        pytest.param("platelets were 35", id="filler-words"),
    ],
)
def test_platelet_count(text: str) -> None:
    assert extract(text).platelet_count == 35.0


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("is IM ok if platelets > 50?", id="threshold-symbol"),
        pytest.param("platelets above 50 are fine", id="threshold-word"),
        pytest.param("no platelet result yet", id="no-number"),
    ],
)
def test_platelet_threshold_is_not_a_result(text: str) -> None:
    assert extract(text).platelet_count is None


@pytest.mark.parametrize(
    ("text", "age", "sex"),
    [
        pytest.param("62F", 62, "female", id="compact-f"),
        pytest.param("71M with ataxia", 71, "male", id="compact-m"),
        pytest.param("62 yo", 62, None, id="yo"),
        pytest.param("62 y/o F", 62, "female", id="y/o-f"),
        pytest.param("a 62-year-old woman", 62, "female", id="year-old"),
        pytest.param("aged 62", 62, None, id="aged"),
        pytest.param("62 years old man", 62, "male", id="years-old"),
        pytest.param("I'm 45 and vegan", 45, None, id="im-n"),
        pytest.param("she is 28 weeks pregnant", None, "female", id="weeks-not-age"),
        pytest.param("B12 for 3 years", None, None, id="duration-not-age"),
        pytest.param("hydroxocobalamin 6m", None, None, id="months-not-age"),
    ],
)
def test_age_and_sex(text: str, age: int | None, sex: str | None) -> None:
    facts = extract(text)
    assert facts.age == age
    assert facts.sex == sex


@pytest.mark.parametrize(
    ("text", "field", "value", "unit"),
    [
        pytest.param("B12 150", "b12", 150.0, None, id="b12-bare"),
        pytest.param("b12 of 120 ng/l", "b12", 120.0, "ng/L", id="b12-ng/l"),
        pytest.param("cobalamin 95 pmol/L", "b12", 95.0, "pmol/L", id="cobalamin-pmol"),
        pytest.param("serum B12 = 180 pg/mL", "b12", 180.0, "pg/mL", id="pg/ml"),
        pytest.param("vit b12 was 160ng/L", "b12", 160.0, "ng/L", id="no-space-unit"),
        pytest.param("active B12 25 pmol/l", "b12", 25.0, "pmol/L holoTC", id="active-b12"),
        pytest.param("folate 2.1 ug/L", "folate", 2.1, "µg/L", id="folate-ug/l"),
        pytest.param("folate 2.1 µg/L", "folate", 2.1, "µg/L", id="folate-micro-sign"),
        pytest.param("serum folate 5 nmol/L", "folate", 5.0, "nmol/L", id="folate-nmol"),
        pytest.param("MMA 0.6 umol/L", "mma", 0.6, "µmol/L", id="mma-umol"),
        pytest.param("methylmalonic acid 450 nmol/L", "mma", 450.0, "nmol/L", id="mma-nmol"),
    ],
)
def test_lab_values(text: str, field: str, value: float, unit: str | None) -> None:
    lab = getattr(extract(text), field)
    assert lab is not None
    assert lab.as_tuple() == (value, unit)
    assert text[lab.start : lab.end].lower().startswith(text.split()[0].lower()[:3])


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("B12 1000 mcg daily", id="oral-dose"),
        pytest.param("vitamin B12 1 mg IM", id="im-dose"),
        pytest.param("B12 3 times a week", id="frequency"),
        pytest.param("B12 injections every 3 months", id="no-number-after-keyword"),
    ],
)
def test_doses_are_not_lab_values(text: str) -> None:
    assert extract(text).b12 is None


@pytest.mark.parametrize(
    ("text", "status"),
    [
        pytest.param("B12 borderline", "indeterminate", id="borderline"),
        pytest.param("indeterminate B12 result", "indeterminate", id="indeterminate-before"),
        pytest.param("b12 equivocal", "indeterminate", id="equivocal"),
        pytest.param("her b12 came back low", "low", id="came-back-low"),
        pytest.param("low B12", "low", id="low-before"),
        pytest.param("B12 150 ng/L (low)", "low", id="low-after-value"),
        pytest.param("b12 is normal", "normal", id="normal"),
        pytest.param("b12 not low", None, id="negated"),
        pytest.param("b12 150, folate low", None, id="other-test"),
        pytest.param("b12 150, neuro exam normal", None, id="other-finding"),
    ],
)
def test_b12_status(text: str, status: str | None) -> None:
    assert extract(text).b12_status == status


@pytest.mark.parametrize(
    ("text", "causes"),
    [
        pytest.param("pernicious anemia", ("pernicious_anaemia",), id="pa-us"),
        pytest.param("known PA", ("pernicious_anaemia",), id="pa-abbrev"),
        pytest.param("IF antibodies +", ("pernicious_anaemia",), id="if-ab-plus"),
        pytest.param(
            "intrinsic factor antibodies positive", ("pernicious_anaemia",), id="if-ab-words"
        ),
        pytest.param("anti-IF positive", ("pernicious_anaemia",), id="anti-if"),
        pytest.param("IF antibodies negative", (), id="if-ab-negative"),
        pytest.param("check IF antibodies", (), id="test-ordered-is-not-a-cause"),
        pytest.param("celiac disease", ("malabsorption",), id="celiac"),
        pytest.param("Crohn's", ("malabsorption",), id="crohns-apostrophe"),
        pytest.param(
            "right hemicolectomy with ileal resection", ("ileal_resection",), id="hemicolectomy"
        ),
        pytest.param("40 cm of terminal ileum resected", ("ileal_resection",), id="ileal-cm"),
        pytest.param("s/p RYGB", ("bariatric_surgery",), id="rygb"),
        pytest.param("sleeve gastrectomy 2019", ("bariatric_surgery",), id="sleeve"),
        pytest.param("strict vegetarian", ("dietary",), id="vegetarian"),
        pytest.param("plant-based diet", ("dietary",), id="plant-based"),
        pytest.param("not vegan", (), id="negated-diet"),
        pytest.param("on metformin and omeprazole", ("medication",), id="medication"),
        pytest.param("family history of pernicious anaemia", (), id="family-history"),
        pytest.param("pa", (), id="lower-case-pa-ambiguous"),
    ],
)
def test_causes(text: str, causes: tuple[str, ...]) -> None:
    assert extract(text).causes == causes


@pytest.mark.parametrize(
    ("text", "cm"),
    [
        pytest.param("40 cm of terminal ileum resected", 40.0, id="cm-of-ileum"),
        pytest.param("ileal resection 30cm", 30.0, id="resection-cm"),
        pytest.param("resected 25 cm of ileum in 2010", 25.0, id="resected-cm"),
        pytest.param("more than 20 cm of distal ileum", None, id="threshold"),
    ],
)
def test_ileal_resection_cm(text: str, cm: float | None) -> None:
    assert extract(text).ileal_resection_cm == cm


@pytest.mark.parametrize(
    ("text", "pregnant", "weeks"),
    [
        pytest.param("pregnant", "yes", None, id="pregnant"),
        pytest.param("28 weeks pregnant", "yes", 28, id="weeks"),
        pytest.param("she is 30/40", "yes", 30, id="obstetric-notation"),
        pytest.param("not pregnant", "no", None, id="not-pregnant"),
        pytest.param("pregnancy test negative", "no", None, id="test-negative"),
        pytest.param("planning a pregnancy", None, None, id="planning"),
        pytest.param("is it safe in pregnancy?", None, None, id="general-question"),
        pytest.param("her sister is pregnant", None, None, id="other-person"),
        # HAZ-066: weeks of pregnancy in the words people use, and only about this patient now
        pytest.param("i'm 22 weeks and my b12 is low", "yes", 22, id="im-n-weeks"),
        pytest.param("she's about 31 wks, folate low", "yes", 31, id="shes-about-n-wks"),
        pytest.param("preg 9wks, vegetarian", "yes", 9, id="preg-abbreviation"),
        pytest.param("27-year-old at 33 weeks, midwife referral", "yes", 33, id="age-at-n-weeks"),
        # independent review, session 7 (F4): not a pregnancy
        pytest.param("64 year old man seen at 6 weeks after surgery", None, None, id="review-age"),
        pytest.param("70F at 6 weeks post gastrectomy", None, None, id="post-op-weeks"),
        pytest.param("i'm 10 weeks vegan now", None, None, id="weeks-vegan"),
        pytest.param("i'm 5 weeks with this tingling", None, None, id="weeks-with"),
        pytest.param("visual acuity 6/9 and 20/40", None, None, id="acuity-pair"),
        pytest.param("i'm expecting, roughly 25 weeks", None, None, id="expecting-roughly"),
        pytest.param("i'm expecting, around 25 weeks", "yes", 25, id="expecting-around"),
        pytest.param("my cousin is 26 weeks pregnant, my b12 is low", None, None, id="cousin"),
        pytest.param("if i were 18/40 would it change things", None, None, id="hypothetical"),
        pytest.param("vision 20/40 in the right eye", None, None, id="visual-acuity"),
        pytest.param("i'm 7 weeks postpartum", None, None, id="postpartum"),
        pytest.param("he's 9 weeks old", None, None, id="baby-age"),
        pytest.param("i'm 5 weeks into the injections", None, None, id="weeks-into-treatment"),
        pytest.param("repeat bloods at 12 weeks", None, None, id="review-interval"),
    ],
)
def test_pregnancy(text: str, pregnant: str | None, weeks: int | None) -> None:
    facts = extract(text)
    assert facts.pregnant == pregnant
    assert facts.gestation_weeks == weeks


@pytest.mark.parametrize(
    ("text", "route"),
    [
        pytest.param("prefers tablets", "oral", id="prefers-tablets"),
        pytest.param("would rather take tablets", "oral", id="rather"),
        pytest.param("needle phobia", "oral", id="needle-phobia"),
        pytest.param("she hates injections", "oral", id="hates-injections"),
        pytest.param("doesn't want injections", "oral", id="negation-inside-cue"),
        pytest.param("not needle phobic", None, id="negated-cue"),
        pytest.param("prefers injections", "intramuscular", id="prefers-injections"),
        pytest.param("prefers tablets but also wants injections", None, id="conflict"),
    ],
)
def test_route_preference(text: str, route: str | None) -> None:
    assert extract(text).route_preference == route


@pytest.mark.parametrize(
    ("text", "value", "reason"),
    [
        pytest.param("on warfarin", "yes", "anticoagulant", id="warfarin"),
        pytest.param("anticoagulated for AF", "yes", "anticoagulant", id="anticoagulated"),
        pytest.param("takes apixaban", "yes", "anticoagulant", id="doac"),
        pytest.param("haemophilia A", "yes", "bleeding_disorder", id="bleeding-disorder"),
        pytest.param("not on any anticoagulants", "no", None, id="negated"),
        pytest.param("stopped warfarin last year", None, None, id="historical"),
    ],
)
def test_injection_contraindication(text: str, value: str | None, reason: str | None) -> None:
    facts = extract(text)
    assert facts.injection_contraindication == value
    assert facts.injection_contraindication_reason == reason


@pytest.mark.parametrize(
    ("text", "audience", "formulary"),
    [
        pytest.param("I'm a GP, what dose?", "clinician", None, id="gp"),
        pytest.param("nurse here, patient in the US", "clinician", "us", id="nurse-us"),
        pytest.param("my mum has pernicious anaemia", "caregiver", None, id="carer"),
        pytest.param("I have tingling in my feet", "patient", None, id="patient"),
        pytest.param("what is the FDA regimen", None, "us", id="fda"),
        pytest.param("what do they do in the States?", None, "us", id="states"),
        pytest.param("US dosing please", None, "us", id="upper-us"),
        pytest.param("tell us the dose", None, None, id="pronoun-us"),
        pytest.param("NICE says what?", None, "uk", id="nice"),
        pytest.param("UK or FDA?", None, None, id="conflict"),
    ],
)
def test_audience_and_formulary(text: str, audience: str | None, formulary: str | None) -> None:
    facts = extract(text)
    assert facts.audience == audience
    assert facts.formulary == formulary


def test_full_clinical_note() -> None:
    text = (
        "62F, known PA, s/p RYGB. Pins & needles in feet but no weakness. "
        "Plt 35k, B12 120 ng/L (low), folate 4 ug/L. On warfarin, prefers tablets. In the US."
    )
    facts = extract(text)
    assert facts.age == 62 and facts.sex == "female"
    assert facts.causes == ("pernicious_anaemia", "bariatric_surgery")
    assert facts.neurological_involvement == "yes"
    assert facts.negated_symptom_ids == ("muscle_weakness",)
    assert facts.platelet_count == 35.0
    assert facts.b12 is not None and facts.b12.as_tuple() == (120.0, "ng/L")
    assert facts.b12_status == "low"
    assert facts.folate is not None and facts.folate.as_tuple() == (4.0, "µg/L")
    assert facts.injection_contraindication == "yes"
    assert facts.route_preference == "oral"
    assert facts.formulary == "us"
    for span in facts.spans:
        assert text[span.start : span.end] == span.text


def test_extraction_is_json_serialisable() -> None:
    facts = extract("62F, tingling, plt 35, b12 120 ng/l")
    json.dumps(asdict(facts))


def test_very_long_text_is_cut() -> None:
    facts = extract("tingling " * 2000)
    assert len(facts.text) == 5000


@pytest.mark.parametrize(
    ("text", "severe"),
    [
        pytest.param("severe anaemia, b12 95", "yes", id="clinician-words"),
        pytest.param("my mum is very anaemic what do i do?", "yes", id="carer-then-question"),
        pytest.param("not severely anaemic", "no", id="negated"),
        pytest.param("mild anaemia only", "no", id="mild"),
        pytest.param("what counts as severe anaemia?", None, id="question"),
        pytest.param("if she became severely anaemic what then", None, id="hypothetical"),
        pytest.param("was very anaemic years ago, fine now", None, id="past"),
        # independent review, session 7 (F3): a statement inside a question still counts
        pytest.param("should i be worried i'm severely anaemic", "yes", id="worried-question"),
        pytest.param("is it bad that i'm very anaemic", "yes", id="is-it-bad"),
    ],
)
def test_severe_anaemia_in_words(text: str, severe: str | None) -> None:
    """HAZ-066: severe anaemia said in words sets the fact that fires the urgent gate."""
    assert extract(text).severe_anaemia == severe


@pytest.mark.parametrize(
    "text",
    [
        "is it ok that I'm breastfeeding, my b12 is 90",
        "should I stop breastfeeding? my b12 is 100",
        "can I take b12 tablets while breastfeeding",
    ],
)
def test_breastfeeding_inside_a_question_still_counts(text: str) -> None:
    """Independent review, session 7 (F3): the breastfeeding gate must not be lost."""
    assert extract(text).breastfeeding == "yes"


@pytest.mark.parametrize(
    ("text", "pregnant", "breastfeeding"),
    [
        ("bump is 26wks and the b12 came back low", "yes", None),
        ("low folate at my booking bloods", "yes", None),
        ("baby is due in june, b12 low", "yes", None),
        ("feeding the baby myself, my b12 is low", None, "yes"),
        ("she has only my milk, b12 low", None, "yes"),
        ("pregnant? no. breastfeeding? no. b12 low", "no", "no"),
        ("is the baby due a jab", None, None),
    ],
)
def test_pregnancy_and_breastfeeding_in_lay_words(
    text: str, pregnant: str | None, breastfeeding: str | None
) -> None:
    """Session 7 (blind dev sets, HAZ-067): lay and antenatal wordings, and a checklist's "no"."""
    found = extract(text)
    assert (found.pregnant, found.breastfeeding) == (pregnant, breastfeeding)


def test_a_checklist_answered_no_negates_nerve_symptoms() -> None:
    assert extract("b12 98. numbness? no. tingling? no.").neurological_involvement == "no"
