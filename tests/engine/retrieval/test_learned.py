"""The learned follow-up signal (guideline_engine.retrieval.learned)."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

import pytest
import yaml

from guideline_engine.classifier import best
from guideline_engine.knowledge import load_knowledge_base
from guideline_engine.retrieval import learned
from guideline_engine.retrieval.retriever import Answer, Hit, NoAnswer, NoAnswerReason

ROOT = Path(__file__).resolve().parents[3]
BLIND = ROOT / "tests" / "eval" / "blind"


def _valid() -> dict[str, object]:
    return {
        "version": 1,
        "promote": 0.3,
        "decline": 1.0,
        "rescue": 0.5,
        "regularisation": 30.0,
        "provenance": "test",
        "items": [{"label": "none", "text": "is it cheaper privately", "from": "x:1"}],
    }


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"version": 2}, "expected version 1"),
        ({"promote": 0}, "promote"),
        ({"decline": 1.5}, "decline"),
        ({"items": []}, "non-empty"),
        ({"items": [{"label": "none", "text": " ", "from": "x"}]}, "empty text"),
        ({"items": [{"label": "none", "text": "a b"}]}, "label, text and from"),
    ],
)
def test_a_malformed_training_file_is_refused(change: dict[str, object], message: str) -> None:
    with pytest.raises(learned.LearnedError, match=message):
        learned.parse_training({**_valid(), **change})


def test_every_label_of_the_packaged_file_is_a_snippet() -> None:
    kb = load_knowledge_base(approved_only=False)
    assert learned.check([s.id for s in kb.snippets]) == []
    assert learned.check(["b12.neuro.loading"]) != []  # an unknown label is reported


def test_the_training_file_is_generated_from_dev_splits_only_and_up_to_date() -> None:
    sys.path.insert(0, str(ROOT / "scripts"))
    build = importlib.import_module("build_followup_training")
    path = ROOT / "src" / "guideline_engine" / "retrieval" / "followup_training.yml"
    assert path.read_text(encoding="utf-8") == build.render()
    assert all("test" not in split for split in build.DEV_SPLITS)


def test_no_test_split_question_is_in_the_training_file() -> None:
    def norm(text: str) -> str:
        return " ".join(text.lower().split())

    trained = {norm(text) for _, text in learned.load_training().items}
    for split in sorted(BLIND.glob("*_test.yml")):
        data = yaml.safe_load(split.read_text(encoding="utf-8"))
        key = next(k for k, v in data.items() if isinstance(v, list))
        texts = {norm(str(i.get("question") or i.get("text"))) for i in data[key]}
        assert not texts & trained, split.name


def _answer(*ids: str) -> Answer:
    return Answer(tuple(Hit(i, 5.0 - n, ("x",)) for n, i in enumerate(ids)))


def test_refine_promotes_the_snippet_questions_like_this_were_answered_by() -> None:
    question = "how often will i need the jab after the first six"
    found = best(learned._model(), question)
    assert found is not None and found[0] != learned.NONE
    result = learned.refine(
        _answer("b12.overview.im_hydroxocobalamin"),
        question,
        {found[0], "b12.overview.im_hydroxocobalamin"},
    )
    assert isinstance(result, Answer) and result.best.id == found[0]


def test_refine_never_promotes_outside_the_topics_index() -> None:
    question = "how often will i need the jab after the first six"
    start = _answer("b12.overview.im_hydroxocobalamin")
    assert learned.refine(start, question, {"b12.overview.im_hydroxocobalamin"}) == start


def test_refine_never_overrules_a_curated_decline() -> None:
    declined = NoAnswer(NoAnswerReason.NOT_COVERED, 0.0, "cost")
    assert learned.refine(declined, "how often are the b12 injections given?", {"x"}) is declined
