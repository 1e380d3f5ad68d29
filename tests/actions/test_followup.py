from __future__ import annotations

from actions.engine import knowledge_base
from actions.followup import ActionAnswerFollowup, ActionSources
from tests.actions.conftest import custom_payloads, texts


async def test_covered_question_quotes_the_snippet_with_its_citation(
    dispatcher, make_tracker, domain
):
    tracker = make_tracker(
        text="why must folic acid not be given before B12?",
        intent="ask_followup",
        slots={"audience": "clinician"},
    )
    assert await ActionAnswerFollowup().answer(dispatcher, tracker, domain) == []
    (payload,) = custom_payloads(dispatcher)
    assert payload["type"] == "b12.answer"
    assert payload["snippets"][0]["snippet_id"] == "b12.folic_acid.not_before_b12"
    assert payload["snippets"][0]["label"] == "pending clinical review"
    text = texts(dispatcher)[0]
    assert "subacute combined degeneration" in text and "[1]" in text


async def test_uncovered_question_says_so(dispatcher, make_tracker, domain):
    tracker = make_tracker(text="what is the capital of France?", intent="ask_followup")
    await ActionAnswerFollowup().answer(dispatcher, tracker, domain)
    (payload,) = custom_payloads(dispatcher)
    assert payload["type"] == "b12.no_answer"
    assert "does not cover" in texts(dispatcher)[0]


async def test_sources_list_documents_and_unresolved_citations(dispatcher, make_tracker, domain):
    await ActionSources().answer(dispatcher, make_tracker(intent="ask_sources"), domain)
    (payload,) = custom_payloads(dispatcher)
    text = texts(dispatcher)[0]
    assert payload["type"] == "b12.sources"
    kb = knowledge_base()
    listed = {d["id"]: d for d in payload["documents"]}
    assert set(listed) == {d.id for d in kb.documents}, "every source document is listed"
    assert len(listed) > 1
    for document in kb.documents:
        assert document.title in text, f"{document.id} is not named in the text"
    seed = listed["droracle_b12_treatment"]
    assert len(seed["references"]) == 5
    resolutions = {c["number"]: c["resolution"] for c in seed["citations"]}
    assert resolutions[6] == "resolved"
    assert resolutions[1] == resolutions[2] == "ambiguous"
    unresolved = (3, 4, 5, 7, 8)
    assert {resolutions[n] for n in unresolved} == {"unresolved"}
    for number in unresolved:
        assert f"citation [{number}]: unresolved" in text, f"citation {number} is not named"
    assert "Praxis Medical Insights" in text
