"""One answer model, every channel, every topic and both audiences (issue 11).

For each topic package's vignette marked ``screenshot: plan`` (``content/<topic>/vignettes.yml``),
for a clinician and for a patient, the web chat in
headless Chromium must show the engine's answer: the patient's card holds no dose, unit or
schedule anywhere in the page; the clinician's card shows doses, each line with its citation
numbers. A PNG of each conversation goes to ``docs/screenshots/`` (committed, so a reader can
see them). The same message sent over REST gives the same answer (its text is the answer's
text), and its Slack Block Kit message and Teams activity are written beside the PNGs as JSON.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from channels.rendering import Reply, slack_message, teams_activity
from guideline_engine.render.answer import Answer
from tests.channels.test_rendering import DOSE, SCHEDULE
from tests.e2e.conftest import Bot
from tests.topics.vignettes import single_message

ROOT = Path(__file__).resolve().parents[3]
DOCS = ROOT / "docs" / "screenshots"
AUDIENCE_BUTTONS = {"clinician": "Clinician", "patient": "Patient or carer"}


@dataclass(frozen=True)
class Case:
    """One answer to show: the message, who asks, and the topic and payload type expected."""

    name: str
    audience: str
    message: str
    topic: str
    payload_type: str


CASES = [
    Case(
        f"{topic.id}-{audience}",
        audience,
        case["messages"][0],
        topic.id,
        next(k for k in case["expect"]["types"] if k.startswith(f"{topic.id}.")),
    )
    for topic, case in single_message()
    if case.get("screenshot") == "plan"
    for audience in ("clinician", "patient")
]
ASKS = [(t, c) for t, c in single_message() if c.get("screenshot") == "ask"]


@pytest.fixture(scope="module")
def docs_screenshots() -> Path:
    DOCS.mkdir(parents=True, exist_ok=True)
    return DOCS


def _doses(text: str) -> list[str]:
    return DOSE.findall(text) + SCHEDULE.findall(text)


def _plan_card(page: Any, bot: Bot, case: Case) -> Any:
    page.goto(f"{bot.rasa_url}/webchat/")
    page.wait_for_selector(".b12c[data-connected='true']")
    page.get_by_role("button", name=AUDIENCE_BUTTONS[case.audience], exact=True).click()
    page.get_by_label("Your message").fill(case.message)
    page.get_by_label("Your message").press("Enter")
    selector = f".b12c-plan[data-topic='{case.topic}'][data-audience='{case.audience}']"
    try:
        page.wait_for_selector(selector)
    except Exception as error:
        raise AssertionError(page.locator(".b12c-log").inner_text()[-1500:]) from error
    page.wait_for_selector(".b12c-typing", state="hidden")
    return page.locator(selector)


# Lines of the card (steps, list items) as text, and whether each carries citation marks.
_CARD_LINES = """card => Array.from(card.querySelectorAll('.b12c-body p.b12c-line, .b12c-body li'))
  .map(n => ({text: n.textContent, marks: n.querySelectorAll('.b12c-mark').length}))"""


def _fit_and_shoot(page: Any, path: Path) -> None:
    """Grow the viewport until the whole conversation shows, then save a PNG of the page."""
    page.locator("details.b12c-citation").first.locator("summary").click()
    extra = page.evaluate(
        "() => { const log = document.querySelector('.b12c-log');"
        " return log.scrollHeight - log.clientHeight; }"
    )
    size = page.viewport_size
    page.set_viewport_size({"width": size["width"], "height": min(size["height"] + extra, 8000)})
    page.wait_for_timeout(200)
    page.screenshot(path=str(path), full_page=True)
    assert path.stat().st_size > 10_000, path


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_web_chat_lays_out_the_plan_for_each_topic_and_audience(
    bot: Bot, new_page, docs_screenshots: Path, case: Case
) -> None:
    page = new_page(900, 900)
    card = _plan_card(page, bot, case)
    assert card.count() == 1
    lines = card.evaluate(_CARD_LINES)
    assert lines, card.inner_html()[:500]
    citations = card.locator("details.b12c-citation")
    assert citations.count() >= 1
    assert card.locator(".b12c-body .b12c-mark").count() >= 1
    if case.audience == "patient":
        everything = page.evaluate("document.body.textContent + document.body.innerHTML")
        assert not _doses(everything), _doses(everything)
        assert card.locator(".b12c-steps").count() == 0
    else:
        dosed = [x for x in lines if DOSE.search(x["text"])]
        assert dosed, [x["text"] for x in lines]
        assert all(x["marks"] >= 1 for x in dosed), dosed
    _fit_and_shoot(page, docs_screenshots / f"webchat-{case.name}.png")


def _answer_of(messages: list[dict[str, Any]], payload_type: str) -> tuple[str, dict[str, Any]]:
    """The payload of ``payload_type`` and the text sent before it, joined as it was written.

    Rasa's REST channel sends each blank-line-separated part of a text as its own message.
    """
    texts: list[str] = []
    for message in messages:
        custom = message.get("custom")
        if isinstance(custom, dict) and custom.get("type") == payload_type:
            parts = Answer.from_dict(custom["answer"]).to_text().split("\n\n")
            return "\n\n".join(texts[-len(parts) :]), custom
        if isinstance(custom, dict) and custom:
            texts = []
        elif message.get("text"):
            texts.append(str(message["text"]))
    raise AssertionError([(m.get("custom") or {}).get("type") for m in messages])


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_rest_slack_and_teams_get_the_same_answer(
    bot: Bot, sender, docs_screenshots: Path, case: Case
) -> None:
    reply = bot.say(sender(), case.message, audience=case.audience)
    assert reply.status == 200
    text, payload = _answer_of(reply.messages, case.payload_type)
    answer = Answer.from_dict(payload["answer"])
    assert (answer.topic, answer.audience) == (case.topic, case.audience)
    assert payload["topic"] == case.topic and payload["contract_version"] == "2.0"
    # The REST text is the answer's own text.
    assert text == answer.to_text()
    # What the Slack and Teams channels send for this reply (they keep the text whole).
    grouped = Reply(text=text, payload=payload)
    slack, teams = slack_message(grouped), teams_activity(grouped)
    assert slack["text"] == text
    if case.audience == "patient":
        for laid_out in (text, json.dumps(slack), json.dumps(teams)):
            assert not _doses(laid_out), _doses(laid_out)
    else:
        assert DOSE.search(json.dumps(slack)) and DOSE.search(json.dumps(teams))
    out = docs_screenshots / f"{case.name}.json"
    out.write_text(
        json.dumps(
            {
                "message": case.message,
                "audience": case.audience,
                "answer": payload["answer"],
                "rest_text": text,
                "slack_chat_postMessage": slack,
                "teams_activity": teams,
            },
            indent=2,
            ensure_ascii=False,
        )
        + "\n",
        encoding="utf-8",
    )


@pytest.mark.parametrize(("topic", "case"), ASKS, ids=[c["id"] for _, c in ASKS])
def test_a_topic_question_shows_once_with_its_buttons_and_the_answer_gives_the_plan(
    bot: Bot, new_page, docs_screenshots: Path, topic: Any, case: dict[str, Any]
) -> None:
    page = new_page(900, 900)
    page.goto(f"{bot.rasa_url}/webchat/")
    page.wait_for_selector(".b12c[data-connected='true']")
    page.get_by_role("button", name="Patient or carer").click()
    page.get_by_label("Your message").fill(case["messages"][0])
    page.get_by_label("Your message").press("Enter")
    ask = page.locator(f".b12c-ask[data-topic='{topic.id}']")
    ask.wait_for()
    page.wait_for_selector(".b12c-typing", state="hidden")
    question = ask.locator(".b12c-body").inner_text().strip()
    asked = topic.question(case["expect"]["pending"])
    assert question == asked.text("patient")
    # Shown once (the card), not again as a bubble; its buttons come right after the card.
    bubbles = page.locator(".b12c-log > li .b12c-bubble").all_inner_texts()
    assert not [b for b in bubbles if question in b], bubbles
    buttons = page.locator(".b12c-log > li:last-child .b12c-reply:not([disabled])")
    assert buttons.all_inner_texts() == [title for title, _ in asked.buttons]
    page.screenshot(path=str(docs_screenshots / f"webchat-{topic.id}-ask-patient.png"))
    buttons.filter(has_text=case["press"]).click()
    plan_type = case["then"].split(".", 1)[1]
    plan = page.locator(f".b12c-{plan_type}[data-topic='{topic.id}'][data-audience='patient']")
    plan.wait_for()
    page.wait_for_selector(".b12c-typing", state="hidden")
    everything = page.evaluate("document.body.textContent + document.body.innerHTML")
    assert not _doses(everything), _doses(everything)
