"""Web chat in headless Chromium: no dose for patients, privacy, accessibility, transport.

Hazards covered (see the hazard log): doses shown to patients in the web chat, health data
left in the browser, accessibility barriers, messages lost by the polling transport.
"""

from __future__ import annotations

import json
import re
import time
from pathlib import Path
from typing import Any

from tests.channels.test_rendering import DOSE, SCHEDULE
from tests.e2e.conftest import Bot

ROOT = Path(__file__).resolve().parents[3]
AXE = ROOT / "webchat" / "node_modules" / "axe-core" / "axe.min.js"
PATIENT = "I have pernicious anaemia and no numbness or tingling"
CLINICIAN = "58M pernicious anaemia, no numbness or tingling, plt 250"
STORAGE_KEYS = "() => ({local: {...localStorage}, session: {...sessionStorage}})"


def _open(page: Any, bot: Bot) -> Any:
    page.goto(f"{bot.rasa_url}/webchat/")
    page.wait_for_selector(".b12c[data-connected='true']")
    return page


def _say(page: Any, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_label("Your message").press("Enter")


def _plan(page: Any, text: str, count: int = 1) -> Any:
    """Send `text`, answer the nerve-symptom question with "No" if asked; wait for a plan."""
    _say(page, text)
    try:
        page.wait_for_function(
            "n => document.querySelectorAll('.b12c-plan').length >= n || "
            "Array.from(document.querySelectorAll('.b12c-reply:not([disabled])'))"
            ".some(b => b.textContent === 'No')",
            arg=count,
        )
    except Exception as error:
        raise AssertionError(page.locator(".b12c-log").inner_text()[-1500:]) from error
    if page.locator(".b12c-plan").count() < count:
        page.locator(".b12c-reply:not([disabled])", has_text=re.compile("^No$")).last.click()
    page.wait_for_function("n => document.querySelectorAll('.b12c-plan').length >= n", arg=count)
    page.wait_for_selector(".b12c-typing", state="hidden")
    return page.locator(".b12c-plan").nth(count - 1)


def _doses(text: str) -> list[str]:
    return DOSE.findall(text) + SCHEDULE.findall(text)


def _with_page_attributes(page: Any, bot: Bot, attributes: str) -> None:
    """Serve /webchat/ with extra data- attributes on the widget's script tag."""

    def handle(route: Any) -> None:
        original = route.fetch()
        body = original.text().replace(
            'data-container="#chat"', f'data-container="#chat" {attributes}'
        )
        route.fulfill(response=original, body=body)

    page.route(f"{bot.rasa_url}/webchat/", handle)


# --- Doses shown to patients ---------------------------------------------------------------


def test_patient_plan_card_shows_no_dose_anywhere_in_the_page(
    bot: Bot, new_page, screenshots: Path
) -> None:
    for width, height, name in ((1280, 800, "desktop"), (375, 812, "phone")):
        page = _open(new_page(width, height), bot)
        page.get_by_role("button", name="Patient or carer").click()
        card = _plan(page, PATIENT)
        assert card.get_by_role("heading", name="What the guidance says").is_visible()
        # The engine's plain-language text is the card, not folded away.
        plain = card.locator(".b12c-body")
        assert plain.is_visible()
        assert "Your clinician will decide" in plain.inner_text()
        assert card.locator(".b12c-steps, .b12c-facts").count() == 0
        # Nowhere in the page, folded parts (Show as text, closed citations) included.
        everything = page.evaluate("document.body.textContent + document.body.innerHTML")
        assert not _doses(everything), _doses(everything)
        card.locator(".b12c-astext summary").click()
        page.screenshot(path=str(screenshots / f"webchat-{name}-patient-plan.png"), full_page=True)


def test_clinician_plan_card_shows_doses_with_citations(bot: Bot, new_page) -> None:
    page = _open(new_page(), bot)
    page.get_by_role("button", name="Clinician", exact=True).click()
    card = _plan(page, CLINICIAN)
    steps = card.locator(".b12c-steps").inner_text()
    assert DOSE.search(steps) and SCHEDULE.search(steps), steps
    assert card.locator(".b12c-steps .b12c-mark").count() >= 2


# --- Health data left in the browser -------------------------------------------------------


def test_browser_storage_holds_no_health_data(bot: Bot, new_page) -> None:
    page = _open(new_page(), bot)
    # What widget 0.1 left behind (the whole transcript) is removed on the next load.
    page.evaluate("localStorage.setItem('b12chat:old:transcript', JSON.stringify(['62F PA']))")
    page.reload()
    page.wait_for_selector(".b12c[data-connected='true']")
    page.get_by_role("button", name="Clinician", exact=True).click()
    _plan(page, CLINICIAN)
    stored = page.evaluate(STORAGE_KEYS)
    assert stored["local"] == {}, stored
    (value,) = stored["session"].values()
    saved = json.loads(value)
    assert set(saved) == {"client", "audience", "seen"}
    assert re.fullmatch(r"[0-9a-f]{32}", saved["client"]) and saved["audience"] == "clinician"
    assert "58M" not in value and "hydroxocobalamin" not in value


def test_conversation_expires_after_inactivity(bot: Bot, new_page) -> None:
    page = new_page()
    _with_page_attributes(page, bot, 'data-storage-minutes="0.05"')  # 3 seconds
    _open(page, bot)
    page.get_by_role("button", name="Clinician", exact=True).click()
    _plan(page, CLINICIAN)
    assert page.evaluate(STORAGE_KEYS)["session"]
    note = page.locator(".b12c-note", has_text="cleared after 3 seconds without activity")
    note.wait_for(timeout=10_000)
    assert page.locator(".b12c-plan").count() == 0
    assert "58M" not in page.locator(".b12c-log").inner_text()
    assert page.evaluate(STORAGE_KEYS) == {"local": {}, "session": {}}
    assert page.get_by_text("Which best describes you?").is_visible()
    # A new conversation: the server does not know the earlier facts.
    page.get_by_role("button", name="Clinician", exact=True).click()
    page.get_by_role("button", name="Why?").click()
    page.wait_for_function(
        "() => document.querySelectorAll('.b12c-bot-text, .b12c-why').length > 0"
    )
    page.wait_for_selector(".b12c-typing", state="hidden")
    assert "pernicious anaemia" not in page.locator(".b12c-log").inner_text().lower()


def test_stored_conversation_older_than_the_limit_is_not_resumed(bot: Bot, new_page) -> None:
    page = _open(new_page(), bot)
    page.get_by_role("button", name="Clinician", exact=True).click()
    _plan(page, CLINICIAN)
    (key,) = page.evaluate("Object.keys(sessionStorage)")
    old = page.evaluate(f"JSON.parse(sessionStorage.getItem({json.dumps(key)}))")
    old["seen"] -= 31 * 60_000  # default limit: 30 minutes
    page.evaluate(f"sessionStorage.setItem({json.dumps(key)}, {json.dumps(json.dumps(old))})")
    page.reload()
    page.wait_for_selector(".b12c[data-connected='true']")
    assert page.locator(".b12c-note").count() == 0
    assert page.get_by_text("Which best describes you?").is_visible()
    assert page.evaluate(STORAGE_KEYS)["session"] == {}


def test_new_patient_clears_the_screen_and_the_browser(bot: Bot, new_page) -> None:
    page = _open(new_page(), bot)
    page.get_by_role("button", name="Clinician", exact=True).click()
    _plan(page, CLINICIAN)
    page.get_by_role("button", name="New patient").click()
    page.locator(".b12c-divider").wait_for()
    log = page.locator(".b12c-log").inner_text()
    assert "58M" not in log and page.locator(".b12c-plan").count() == 0
    stored = json.dumps(page.evaluate(STORAGE_KEYS))
    assert "58M" not in stored and "pernicious" not in stored.lower()
    # The bot forgot the facts too.
    page.get_by_role("button", name="Why?").click()
    page.wait_for_selector(".b12c-typing", state="hidden")
    page.wait_for_timeout(1000)
    assert "pernicious anaemia" not in page.locator(".b12c-log").inner_text().lower()


def test_clear_conversation_forgets_everything_and_starts_a_new_one(bot: Bot, new_page) -> None:
    page = _open(new_page(), bot)
    page.get_by_role("button", name="Clinician", exact=True).click()
    _plan(page, CLINICIAN)
    before = page.evaluate("Object.values(sessionStorage)[0]")
    page.get_by_role("button", name="Clear conversation").click()
    assert page.locator(".b12c-plan").count() == 0
    assert "Conversation cleared" in page.locator(".b12c-log").inner_text()
    assert page.evaluate(STORAGE_KEYS) == {"local": {}, "session": {}}
    assert page.get_by_text("Which best describes you?").is_visible()
    page.get_by_role("button", name="Clinician", exact=True).click()
    page.get_by_role("button", name="Why?").click()
    page.wait_for_function(
        "() => document.querySelectorAll('.b12c-bot-text, .b12c-why').length > 0"
    )
    page.wait_for_selector(".b12c-typing", state="hidden")
    assert "pernicious anaemia" not in page.locator(".b12c-log").inner_text().lower()
    after = page.evaluate("Object.values(sessionStorage)[0]")
    assert json.loads(after)["client"] != json.loads(before)["client"]


# --- Accessibility -------------------------------------------------------------------------


def _axe_violations(page: Any) -> list[dict[str, Any]]:
    page.add_script_tag(content=AXE.read_text(encoding="utf-8"))
    result = page.evaluate("async () => (await axe.run(document)).violations")
    return [
        {"id": v["id"], "impact": v["impact"], "nodes": [n["target"] for n in v["nodes"][:3]]}
        for v in result
    ]


def test_axe_finds_no_violation_after_plans(bot: Bot, new_page) -> None:
    assert AXE.is_file(), "run: cd webchat && npm ci"
    for audience, text in (("Patient or carer", PATIENT), ("Clinician", CLINICIAN)):
        page = _open(new_page(1280, 800, bypass_csp=True), bot)
        page.get_by_role("button", name=audience, exact=True).click()
        _plan(page, text)
        _plan(page, text, count=2)
        page.locator(".b12c-citation summary").first.click()
        page.locator(".b12c-astext summary").first.click()
        assert page.locator("h1").count() == 1
        assert _axe_violations(page) == [], audience


def _presses_to_message_box(page: Any, limit: int = 10) -> int:
    """Tab (Enter on the skip link) until the message box has focus; the number of presses."""
    presses = 0
    while not page.evaluate("() => document.activeElement.classList.contains('b12c-input')"):
        presses += 1
        assert presses <= limit, page.evaluate("() => document.activeElement.outerHTML")
        on_skip = page.evaluate("() => document.activeElement.classList.contains('b12c-skip')")
        page.keyboard.press("Enter" if on_skip else "Tab")
    return presses


def test_keyboard_reaches_the_message_box_after_six_plans(bot: Bot, new_page) -> None:
    page = _open(new_page(), bot)
    page.get_by_role("button", name="Clinician", exact=True).click()
    for n in range(1, 7):
        _plan(page, CLINICIAN if n % 2 else "62F, IF antibodies +, pins and needles, plt 120", n)
    assert page.locator(".b12c-log").get_attribute("aria-live") == "polite"
    names = page.evaluate(
        "Array.from(document.querySelectorAll('.b12c-citations')).map(s => s.ariaLabel)"
    )
    assert len(names) == 6 and len(set(names)) == 6, names
    # From the top of the page: Tab to "Skip to message box", Enter: in the message box.
    page.mouse.click(2, 2)
    assert _presses_to_message_box(page) <= 2
    # From the last plan (its last control), Tab reaches the message box at once.
    page.locator(".b12c-plan").last.locator("summary").last.focus()
    assert _presses_to_message_box(page) <= 2
    page.keyboard.type("why?")
    page.keyboard.press("Enter")
    page.locator(".b12c-why").wait_for()


def test_skip_link_is_first_and_visible_on_focus(bot: Bot, new_page) -> None:
    page = _open(new_page(), bot)
    # Hidden above the widget's clipped top edge until it has focus, then shown inside it.
    offset = (
        "() => document.querySelector('.b12c-skip').getBoundingClientRect().bottom"
        " - document.querySelector('.b12c').getBoundingClientRect().top"
    )
    assert page.evaluate(offset) <= 0
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.textContent") == "Skip to message box"
    assert page.evaluate(offset) > 0
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.classList.contains('b12c-input')")


# --- Transport -----------------------------------------------------------------------------


def test_queued_messages_are_sent_in_posts_engineio_accepts(bot: Bot, new_page) -> None:
    page = _open(new_page(), bot)
    page.get_by_role("button", name="Clinician", exact=True).click()
    posts: list[str] = []
    statuses: list[int] = []

    def on_request(request: Any) -> None:
        if request.method == "POST" and "/socket.io/" in request.url:
            posts.append(request.post_data or "")

    def on_response(response: Any) -> None:
        if response.request.method == "POST" and "/socket.io/" in response.url:
            statuses.append(response.status)

    page.on("request", on_request)
    page.on("response", on_response)
    page.context.set_offline(True)
    page.wait_for_selector(".b12c[data-connected='false']", timeout=60_000)
    for n in range(20):
        _say(page, f"message {n}")
    page.context.set_offline(False)
    page.wait_for_selector(".b12c[data-connected='true']", timeout=60_000)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        sent = sum(p.count('"user_uttered"') for p in posts)
        if sent >= 20:
            break
        page.wait_for_timeout(200)  # lets Playwright deliver the request events
    packets = [len(p.split("\x1e")) for p in posts]
    assert max(packets) <= 16, packets
    assert sum(p.count('"user_uttered"') for p in posts) == 20, packets
    assert statuses and all(s == 200 for s in statuses), statuses
