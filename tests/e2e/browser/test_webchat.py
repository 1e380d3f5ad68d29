"""The web chat widget in headless Chromium against the real servers (socket.io channel)."""

from __future__ import annotations

import re
import secrets
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any

from tests.e2e.conftest import Bot

VIGNETTE = "62F, IF antibodies +, pins and needles in both feet, platelets 120"


def _open(page: Any, bot: Bot) -> Any:
    page.goto(f"{bot.rasa_url}/webchat/")
    page.wait_for_selector(".b12c[data-connected='true']")
    return page


def _say(page: Any, text: str) -> None:
    page.get_by_label("Your message").fill(text)
    page.get_by_label("Your message").press("Enter")


def test_clinician_vignette_shows_a_plan_card_with_citations(
    bot: Bot, new_page, screenshots: Path
) -> None:
    page = _open(new_page(1280, 800), bot)
    assert page.get_by_text("Which best describes you?").is_visible()
    assert page.locator(".b12c-disclaimer").is_visible()
    page.get_by_role("button", name="Clinician", exact=True).click()
    _say(page, VIGNETTE)
    card = page.locator(".b12c-plan")
    card.wait_for()
    title = re.compile(r"^B12 plan: neurological involvement; cause: pernicious anaemia")
    assert card.get_by_role("heading", name=title).is_visible()
    assert card.locator(".b12c-badge").first.inner_text() == "pending clinical review"
    # The urgent specialist advice is the card's first element, an alert citing its source.
    banner = card.locator(":scope > .b12c-banner-urgent")
    assert banner.get_attribute("role") == "alert"
    assert "neurology and haematology" in banner.inner_text()
    assert banner.locator(".b12c-mark").count() >= 1
    assert card.evaluate("c => c.firstElementChild.classList.contains('b12c-banner')")
    steps = card.locator(".b12c-steps").inner_text()
    assert "Loading: 1 mg IM on alternate days" in steps, steps
    assert re.search(r"\b1 mg\b", steps), steps  # clinicians see doses, with citation marks
    assert card.locator(".b12c-steps .b12c-mark").count() >= 2
    assert "Maintenance: 1 mg IM" in steps and "Duration: lifelong" in steps
    assert card.locator(".b12c-warnings li").count() >= 1
    citations = card.locator("details.b12c-citation")
    assert citations.count() >= 3
    first = citations.first
    assert not first.locator(".b12c-cite-text").is_visible()
    first.locator("summary").click()
    assert first.locator(".b12c-cite-text").is_visible()
    meta = first.locator(".b12c-cite-meta").inner_text()
    assert re.search(r".+, 20\d\d \(", meta), meta  # source, year (where; review)
    # The plain-text answer is folded into the card, not lost.
    assert "B12 plan:" in (card.locator(".b12c-astext").text_content() or "")
    page.wait_for_selector(".b12c-typing", state="hidden")
    page.screenshot(path=str(screenshots / "webchat-desktop-plan.png"))

    page.get_by_role("button", name="Why?").click()
    why = page.locator(".b12c-why")
    why.wait_for()
    assert "Rules applied" in why.inner_text()

    page.get_by_role("button", name="New patient").click()
    page.locator(".b12c-divider").wait_for()


def test_patient_red_flag_shows_an_emergency_banner(bot: Bot, new_page, screenshots: Path) -> None:
    page = _open(new_page(375, 812), bot)
    page.get_by_role("button", name="Patient or carer").click()
    _say(page, "I have crushing chest pain")
    # The triage answer's banner, first in its card.
    banner = page.locator(".b12c-triage > .b12c-banner-emergency")
    banner.wait_for()
    assert banner.get_attribute("role") == "alert"
    text = banner.inner_text()
    # The engine words it: the heading ("EMERGENCY: call your local emergency number now.")
    # and then what to do.
    assert text.startswith("EMERGENCY") and "emergency number" in text
    assert len(text) > len("EMERGENCY: call your local emergency number now.") + 20, text
    color = banner.evaluate("e => getComputedStyle(e).backgroundColor")
    assert color == "rgb(176, 0, 32)", color
    # Usable at phone width: no horizontal scrolling, input and send button on screen.
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 375, width
    send = page.get_by_role("button", name="Send").bounding_box()
    assert send and send["x"] + send["width"] <= 375
    page.wait_for_selector(".b12c-typing", state="hidden")
    page.screenshot(path=str(screenshots / "webchat-phone-emergency.png"))


def test_markup_in_messages_stays_text(bot: Bot, new_page) -> None:
    page = _open(new_page(), bot)
    page.get_by_role("button", name="Patient or carer").click()
    attacks = [
        "<script>window.__xss = 1; alert(1)</script>",
        '<img src=x onerror="window.__xss = 1; alert(1)">',
    ]
    for n, attack in enumerate(attacks, start=1):
        _say(page, attack)
        page.wait_for_function(
            "n => document.querySelectorAll('.b12c-bot-text, .b12c-bot-buttons').length >= n",
            arg=n,
        )
    bubbles = page.locator(".b12c-user .b12c-bubble").all_inner_texts()
    assert bubbles == attacks
    assert page.locator(".b12c-log img, .b12c-log script").count() == 0
    assert page.evaluate("window.__xss") is None
    page.reload()
    page.wait_for_selector(".b12c[data-connected='true']")
    # Messages are not kept in the browser, so nothing of them comes back after a reload.
    assert page.locator(".b12c-user").count() == 0
    assert page.locator(".b12c-log img, .b12c-log script").count() == 0
    assert page.evaluate("window.__xss") is None


def test_reload_keeps_the_conversation_but_no_message_in_the_browser(bot: Bot, new_page) -> None:
    page = _open(new_page(), bot)
    page.get_by_role("button", name="Clinician", exact=True).click()
    _say(page, "58M pernicious anaemia, no numbness or tingling, plt 250")
    page.locator(".b12c-plan").wait_for()
    page.wait_for_selector(".b12c-typing", state="hidden")
    page.reload()
    page.wait_for_selector(".b12c[data-connected='true']")
    # Nothing of the conversation's content survives in the page: a note says why.
    assert page.locator(".b12c-plan").count() == 0
    assert "58M" not in page.locator(".b12c-log").inner_text()
    assert "not kept in the browser" in page.locator(".b12c-note").inner_text()
    assert "Clinician" in page.locator(".b12c-audience-now").inner_text()
    assert page.locator(".b12c-audience").is_hidden()
    # Same conversation on the server: "why?" explains the plan made before the reload.
    page.get_by_role("button", name="Why?").click()
    why = page.locator(".b12c-why")
    why.wait_for()
    assert "Causes: pernicious anaemia" in why.inner_text()


def test_keyboard_only(bot: Bot, new_page) -> None:
    page = _open(new_page(), bot)

    def tab_to(predicate: str, limit: int = 20) -> None:
        for _ in range(limit):
            page.keyboard.press("Tab")
            if page.evaluate(predicate):
                return
        raise AssertionError(f"Tab never reached {predicate}")

    tab_to("document.activeElement.dataset.audience === 'clinician'")
    page.keyboard.press("Enter")
    # Choosing moves focus to the message box; it is also reachable with Tab.
    page.keyboard.press("Shift+Tab")
    tab_to("document.activeElement.classList.contains('b12c-input')")
    outline = page.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none", "visible focus"
    page.keyboard.type("58M pernicious anaemia, no numbness or tingling, plt 250")
    page.keyboard.press("Enter")
    page.locator(".b12c-plan").wait_for()
    assert page.locator(".b12c-log").get_attribute("aria-live") == "polite"


def _polling_handshake(bot: Bot, origin: str) -> int:
    request = urllib.request.Request(
        f"{bot.rasa_url}/socket.io/?EIO=4&transport=polling", headers={"Origin": origin}
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as reply:
            return int(reply.status)
    except urllib.error.HTTPError as error:
        return error.code


def test_only_allowed_origins_may_connect(bot: Bot) -> None:
    assert _polling_handshake(bot, bot.rasa_url) == 200
    assert _polling_handshake(bot, "http://127.0.0.1:5005") == 200
    assert _polling_handshake(bot, "https://evil.example") == 400


def test_static_files_are_served_safely(bot: Bot) -> None:
    with urllib.request.urlopen(f"{bot.rasa_url}/webchat/", timeout=10) as reply:
        assert "default-src 'self'" in reply.headers["Content-Security-Policy"]
        assert reply.headers["X-Content-Type-Options"] == "nosniff"
    with urllib.request.urlopen(f"{bot.rasa_url}/webchat/widget.js", timeout=10) as reply:
        assert "javascript" in reply.headers["Content-Type"]
    for path in ("/webchat/..%2Fcredentials.yml", "/webchat/nothing.js"):
        try:
            urllib.request.urlopen(f"{bot.rasa_url}{path}", timeout=10)
            raise AssertionError(path)
        except urllib.error.HTTPError as error:
            assert error.code == 404


class _Client:
    """A bare socket.io client (no browser), to check how the server picks sender ids."""

    def __init__(self, bot: Bot) -> None:
        import socketio

        self.messages: list[dict[str, Any]] = []
        self.confirmed: list[str] = []
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("bot_uttered", self.messages.append)
        self.sio.on("session_confirm", self.confirmed.append)
        self.sio.connect(bot.rasa_url, transports=["polling"], headers={"Origin": bot.rasa_url})

    def session(self, session_id: Any) -> str:
        seen = len(self.confirmed)
        self.sio.emit("session_request", {"session_id": session_id})
        self._wait(lambda: len(self.confirmed) > seen)
        return self.confirmed[-1]

    def say(self, text: str, **extra: Any) -> list[dict[str, Any]]:
        self.messages.clear()
        self.sio.emit(
            "user_uttered", {"message": text, "metadata": {"audience": "clinician"}, **extra}
        )
        self._wait(lambda: any(isinstance(m.get("custom"), dict) for m in self.messages))
        time.sleep(0.5)
        return list(self.messages)

    def _wait(self, done: Any, timeout: float = 30) -> None:
        deadline = time.monotonic() + timeout
        while not done():
            if time.monotonic() > deadline:
                raise AssertionError("no reply")
            time.sleep(0.05)

    def close(self) -> None:
        # abort: a polite polling disconnect waits for the server's ping timeout (30 s).
        self.sio.eio.disconnect(abort=True)


def _customs(messages: list[dict[str, Any]], kind: str) -> list[dict[str, Any]]:
    return [m["custom"] for m in messages if (m.get("custom") or {}).get("type") == kind]


def test_clients_cannot_choose_another_conversation(bot: Bot) -> None:
    owner, other = _Client(bot), _Client(bot)
    try:
        owner_id = secrets.token_hex(16)
        assert owner.session(owner_id) == owner_id
        plan = _customs(owner.say("58M pernicious anaemia, no numbness or tingling"), "b12.regimen")
        assert plan and plan[0]["facts_used"]["causes"] == ["pernicious_anaemia"]
        # Rasa's default ids, guessable names and short ids are replaced by a fresh random id.
        for weak in ("default", "1", "abc", owner_id[:16], None, {"x": 1}):
            fresh = other.session(weak)
            assert re.fullmatch(r"[0-9a-f]{32}", fresh) and fresh != owner_id
        # session_id in a message is ignored: the socket's own session decides.
        reply = other.say("why?", session_id=owner_id)
        assert not any(
            w["facts_used"].get("causes") == ["pernicious_anaemia"]
            for w in _customs(reply, "b12.why")
        )
        # The owner's conversation is intact, and a reconnect with the same id resumes it.
        owner.close()
        again = _Client(bot)
        try:
            again.session(owner_id)
            why = _customs(again.say("why?"), "b12.why")
            assert why and why[0]["facts_used"]["causes"] == ["pernicious_anaemia"]
        finally:
            again.close()
    finally:
        other.close()
