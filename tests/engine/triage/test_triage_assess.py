"""Table tests for guideline_engine.triage.assess and the red-flag file."""

from __future__ import annotations

import copy
from typing import Any

import pytest

from guideline_engine.extraction import VocabularyError, extract, load_symptoms
from guideline_engine.triage import assess, load_red_flags, parse_red_flags

# Known over-triage by the trained signal since session 6 (13 blind dev sets): it sends these to
# a more urgent level than the curated rule ("possibly urgent, I cannot assess it reliably").
# Kept as the curated expectation; strict, so a fix shows up. README "Triage" states the cost.
OVER_TRIAGE = "trained signal over-triages this (session 6): see README, triage figures"


@pytest.mark.parametrize(
    ("text", "urgency", "flags"),
    [
        pytest.param(
            "crushing chest pain since lunch", "emergency", ("chest_pain",), id="chest-pain"
        ),
        pytest.param("no chest pain", None, (), id="negated-chest-pain"),
        pytest.param("denies chest pain or palpitations", None, (), id="negated-list"),
        pytest.param(
            "breathless at rest now", "emergency", ("breathless_at_rest",), id="breathless-at-rest"
        ),
        pytest.param(
            "out of breath on the stairs",
            "routine",
            ("breathless_on_exertion",),
            id="exertional",
            marks=pytest.mark.xfail(strict=True, reason=OVER_TRIAGE),
        ),
        pytest.param(
            "collapsed at home this morning", "emergency", ("fainting_collapse",), id="collapse"
        ),
        pytest.param("fainted years ago", None, (), id="historical-faint"),
        pytest.param("if he passes out what do I do", None, (), id="hypothetical-faint"),
        pytest.param(
            "legs gave way and she can't walk",
            "emergency",
            ("acute_neurological_deficit",),
            id="cannot-walk",
        ),
        pytest.param(
            "new loss of bladder control",
            "emergency",
            ("loss_of_bladder_bowel_control",),
            id="bladder",
        ),
        pytest.param(
            "sudden loss of vision in one eye", "emergency", ("sudden_vision_loss",), id="vision"
        ),
        pytest.param("I want to kill myself", "emergency", ("suicidal_thoughts",), id="suicidal"),
        pytest.param("no thoughts of self-harm", None, (), id="negated-self-harm"),
        pytest.param(
            "suddenly confused since yesterday",
            "emergency",
            ("acute_confusion", "new_confusion_or_memory_loss", "other_neurological_symptoms"),
            id="acute-confusion",
        ),
        pytest.param(
            "28 weeks pregnant with pins and needles",
            "urgent",
            ("pregnancy_with_neurological_symptoms",),
            id="pregnancy-plus-neuro",
        ),
        pytest.param("pregnant, no neuro symptoms", None, (), id="pregnancy-without-neuro"),
        pytest.param("palpitations on and off", "urgent", ("palpitations",), id="palpitations"),
        # Narrowed 2026-12-01: only new, worsening or spreading numbness is urgent.
        pytest.param("numbness in both hands", None, (), id="numbness-not-said-to-be-new"),
        pytest.param(
            "new numbness in both hands since yesterday",
            "urgent",
            ("new_tingling_or_numbness",),
            id="numbness",
            marks=pytest.mark.xfail(strict=True, reason=OVER_TRIAGE),
        ),
        pytest.param("numbness has resolved", None, (), id="resolved-numbness"),
        pytest.param("unsteady gait", "urgent", ("falls_or_loss_of_balance",), id="ataxia"),
        pytest.param(
            "still getting worse despite the injections",
            "urgent",
            ("worsening_despite_treatment",),
            id="worsening",
        ),
        pytest.param(
            "fatigue is worse even after starting hydroxocobalamin",
            "urgent",
            ("worsening_despite_treatment", "fatigue"),
            id="worsening-pattern",
        ),
        pytest.param("tired and pale", "routine", ("fatigue",), id="fatigue"),
        pytest.param("sore tongue and mouth ulcers", "routine", ("sore_tongue",), id="sore-tongue"),
        pytest.param("what dose of hydroxocobalamin?", None, (), id="no-symptoms"),
        pytest.param("her mother collapsed last week", None, (), id="other-person"),
    ],
)
def test_assess(text: str, urgency: str | None, flags: tuple[str, ...]) -> None:
    result = assess(text)
    assert result.urgency == urgency
    assert result.red_flag_ids == flags


def test_emergency_outranks_urgent_outranks_routine() -> None:
    result = assess("tired, heart racing and chest pain")
    assert result.urgency == "emergency"
    assert [h.urgency for h in result.red_flags] == ["emergency", "urgent", "routine"]
    assert len(result.advice_patient) == len(result.advice_clinician) == 3
    assert "emergency number" in result.advice_patient[0]


def test_reuses_a_given_extraction() -> None:
    text = "chest pain and tingling"
    assert assess(text, extract(text)) == assess(text)


def test_hit_spans_point_at_evidence() -> None:
    text = "Since Monday: CHEST PAIN."
    hit = assess(text).red_flags[0]
    assert hit.start is not None and hit.end is not None
    assert text[hit.start : hit.end] == "CHEST PAIN"


@pytest.mark.parametrize(
    ("text", "describes"),
    [
        # A message that only denies describes nothing to assess: it must not get the
        # "cannot assess these symptoms" reply (HAZ-039). Both were True before.
        pytest.param("no chest pain", False, id="denied-red-flag"),
        pytest.param("neuro exam normal", False, id="negative-finding"),
        pytest.param("tingling in my feet", True, id="symptom"),
        pytest.param("no chest pain but tingling in my feet", True, id="denial-and-symptom"),
        pytest.param("what is the maintenance dose?", False, id="question"),
        pytest.param("can b12 deficiency cause numbness?", False, id="hypothetical"),
    ],
)
def test_describes_symptoms(text: str, describes: bool) -> None:
    assert assess(text).describes_symptoms is describes


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("no nerve symptoms", id="no-nerve-symptoms"),
        pytest.param("no tingling or numbness", id="or-list"),
        pytest.param("I don't have any chest pain", id="dont-have-any"),
        pytest.param("denies numbness, no neuro symptoms", id="clinician-denial"),
        pytest.param("I have no symptoms at all", id="no-symptoms"),
        pytest.param("45M vegan, no neuro symptoms", id="denial-beside-demographics"),
    ],
)
def test_a_message_that_only_denies_describes_no_symptoms(text: str) -> None:
    result = assess(text)
    assert result.urgency is None
    assert result.describes_symptoms is False


@pytest.mark.parametrize(
    "text",
    [
        pytest.param("no chest pain, but I feel unwell", id="unwell"),
        pytest.param("no fever, just constipated since the tablets", id="constipated"),
        pytest.param("no tingling, I feel weird", id="feel-weird"),
        pytest.param("not breathless, my ankle is swollen", id="swollen"),
        pytest.param("no numbness, maybe some tingling", id="uncertain"),
    ],
)
def test_a_complaint_beside_a_denial_still_describes_symptoms(text: str) -> None:
    assert assess(text).describes_symptoms is True


# --------------------------------------------------------------------------- the data file


def test_red_flag_file_is_complete_and_unreviewed() -> None:
    rules = {r.id: r for r in load_red_flags()}
    required = {
        "reduced_consciousness": "emergency",
        "anaphylaxis": "emergency",
        "chest_pain": "emergency",
        "breathless_at_rest": "emergency",
        "fainting_collapse": "emergency",
        "acute_neurological_deficit": "emergency",
        "loss_of_bladder_bowel_control": "emergency",
        "sudden_vision_loss": "emergency",
        "suicidal_thoughts": "emergency",
        "acute_confusion": "emergency",
        "pregnancy_or_breastfeeding_with_deficiency": "urgent",
        "pregnancy_with_neurological_symptoms": "urgent",
        "unwell_infant": "urgent",
        "visual_change": "urgent",
        "new_confusion_or_memory_loss": "urgent",
        "falls_or_loss_of_balance": "urgent",
        "recent_faint_or_fall": "urgent",
        "spreading_numbness": "urgent",
        "bleeding_or_black_stools": "urgent",
        "fever_with_sore_throat_or_ulcers": "urgent",
        "feeling_faint": "urgent",
        "palpitations": "urgent",
        "worsening_despite_treatment": "urgent",
        "new_tingling_or_numbness": "urgent",
        "fatigue": "routine",
        "sore_tongue": "routine",
    }
    for rid, urgency in required.items():
        assert rules[rid].urgency == urgency, rid
    for rule in rules.values():
        assert rule.review.status == "submitted"
        assert rule.review.reviewer is None and rule.review.reviewed_on is None
        assert rule.source.resolution == "unresolved" or (rule.source.title and rule.source.says)
        assert rule.advice_clinician and rule.advice_patient


def _good() -> dict[str, Any]:
    return {
        "version": 1,
        "red_flags": [
            {
                "id": "chest_pain",
                "label": "Chest pain",
                "urgency": "emergency",
                "match": {"phrases": ["chest pain"]},
                "advice": {"clinician": "Assess now.", "patient": "Call now."},
                "source": {
                    "title": "T",
                    "publisher": "P",
                    "year": None,
                    "kind": "web page",
                    "says": "S",
                },
                "review": {
                    "status": "submitted",
                    "curated_by": "me",
                    "curated_on": "2026-01-01",
                    "reviewer": None,
                    "reviewed_on": None,
                },
            }
        ],
    }


SYMPTOM_IDS = frozenset(s.id for s in load_symptoms())


def test_good_red_flags_parse() -> None:
    assert parse_red_flags(_good(), SYMPTOM_IDS)[0].id == "chest_pain"


def test_unresolved_source_is_allowed() -> None:
    data = _good()
    data["red_flags"][0]["source"] = {
        "resolution": "unresolved",
        "note": "no public source found yet",
    }
    rule = parse_red_flags(data, SYMPTOM_IDS)[0]
    assert rule.source.resolution == "unresolved" and rule.source.title is None


@pytest.mark.parametrize(
    ("path", "value", "message"),
    [
        pytest.param(
            ("urgency",), "soon", "field 'urgency': 'soon' is not one of", id="bad-urgency"
        ),
        pytest.param(("match",), {}, "field 'match': needs at least one", id="empty-match"),
        pytest.param(
            ("match",), {"cues": ["{a|} b"]}, "field 'match.cues[0]'", id="empty-alternative"
        ),
        pytest.param(
            ("match",), {"cues": ["{a|b} c d ~2"]}, "window ~2 is shorter", id="short-window"
        ),
        pytest.param(
            ("match",),
            {"phrases": ["chest pain"], "when": "someday"},
            "field 'match.when'",
            id="bad-when",
        ),
        pytest.param(
            ("match",),
            {"symptoms": ["hiccups"]},
            "unknown symptom id 'hiccups'",
            id="unknown-symptom",
        ),
        pytest.param(
            ("match",), {"patterns": ["(unclosed"]}, "invalid regular expression", id="bad-regex"
        ),
        pytest.param(
            ("match",), {"phrases": ["Chest Pain"]}, "must be lower case", id="upper-case"
        ),
        pytest.param(
            ("match",),
            {"all_of": {"pregnant": "maybe"}},
            "field 'match.all_of.pregnant'",
            id="bad-condition",
        ),
        pytest.param(
            ("match",), {"all_of": {"age": "yes"}}, "unknown condition", id="unknown-condition"
        ),
        pytest.param(
            ("advice",),
            {"clinician": "x"},
            "field 'advice.patient': required key",
            id="missing-advice",
        ),
        pytest.param(("source", "year"), "recent", "field 'source.year'", id="bad-year"),
        pytest.param(
            ("source", "doi"), "10.1/x", "field 'source.doi': unknown key", id="unknown-source-key"
        ),
        pytest.param(
            ("review", "status"),
            "approved",
            "needs reviewer and reviewed_on",
            id="approved-without-reviewer",
        ),
        pytest.param(("review", "status"), "done", "'done' is not allowed", id="bad-status"),
        pytest.param(("review", "curated_on"), "yesterday", "expected a date", id="bad-date"),
        pytest.param(("severity",), "high", "field 'severity': unknown key", id="unknown-key"),
    ],
)
def test_bad_red_flags_are_rejected(path: tuple[str, ...], value: object, message: str) -> None:
    data = _good()
    target = data["red_flags"][0]
    for key in path[:-1]:
        target = target[key]
    target[path[-1]] = copy.deepcopy(value)
    with pytest.raises(VocabularyError, match=r"red_flags.yml: entry #0 \(chest_pain\)") as info:
        parse_red_flags(data, SYMPTOM_IDS)
    assert message in str(info.value)


def test_duplicate_red_flag_ids_are_rejected() -> None:
    data = _good()
    data["red_flags"].append(copy.deepcopy(data["red_flags"][0]))
    with pytest.raises(ValueError, match="duplicate id 'chest_pain'"):
        parse_red_flags(data, SYMPTOM_IDS)


@pytest.mark.parametrize(
    ("text", "urgent"),
    [
        pytest.param(
            "30F, folate low, B12 normal, not pregnant or breastfeeding.", False, id="not-or"
        ),
        pytest.param("B12 low, she is not pregnant", False, id="she-is-not"),
        pytest.param("low b12, not breastfeeding any more", False, id="not-breastfeeding"),
        pytest.param("I am pregnant and my b12 is low", True, id="pregnant"),
        pytest.param("midwife hasnt checked my b12 yet, im 20 weeks", True, id="midwife-hasnt"),
        pytest.param("my folate is low and I am breastfeeding", True, id="breastfeeding"),
    ],
)
def test_a_denied_pregnancy_is_not_the_pregnancy_red_flag(text: str, urgent: bool) -> None:
    """HAZ-046: the condition group of a ~whole cue decides negation ("not pregnant")."""
    result = assess(text)
    flags = {f.id for f in result.red_flags} if result is not None else set()
    assert ("pregnancy_or_breastfeeding_with_deficiency" in flags) is urgent
