"""The web chat's title comes from the product's name and the topics registry, not a literal."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from pathlib import Path

import pytest

from channels import webchat
from channels.webchat import (
    DIST,
    PRODUCT_TITLE,
    WebchatInput,
    chat_title,
    static_file,
    widget_config,
)
from guideline_engine.scope import whole_words
from guideline_engine.topics import Topics, topics

WEBCHAT = Path(__file__).resolve().parents[2] / "webchat"
# What the browser shows of the widget's own words: the page, the widget source and its build.
WIDGET_FILES = ("src/index.html", "src/widget.ts", "dist/index.html", "dist/widget.js")


@pytest.fixture(autouse=True)
def fresh_title() -> Iterator[None]:
    chat_title.cache_clear()
    yield
    chat_title.cache_clear()


def test_the_title_names_the_product_and_every_topic() -> None:
    title = chat_title()
    assert title.startswith(PRODUCT_TITLE)
    for topic in topics().all:
        assert topic.title.text("patient") in title


def test_a_new_topic_appears_in_the_title(monkeypatch: pytest.MonkeyPatch) -> None:
    every = topics()
    renamed = type(every.default.title)(clinician="X plan", patient="Condition X")
    extra = type(every.default)(**{**every.default.__dict__, "id": "x", "title": renamed})
    monkeypatch.setattr(webchat, "topics", lambda: Topics((*every.all, extra)))
    assert chat_title().endswith(", Condition X")


def test_the_served_page_carries_the_title_escaped() -> None:
    reply = static_file(DIST, "index.html", 'Clinic <b>"A"</b>')
    page = bytes(reply.body or b"").decode("utf-8")
    assert "<title>Clinic &lt;b&gt;&quot;A&quot;&lt;/b&gt;</title>" in page
    assert 'data-title="Clinic &lt;b&gt;&quot;A&quot;&lt;/b&gt;"' in page
    assert "{{" not in page
    assert "default-src 'self'" in reply.headers["Content-Security-Policy"]


def test_the_served_page_title_is_the_registrys() -> None:
    page = bytes(static_file(DIST, "index.html", chat_title()).body or b"").decode("utf-8")
    assert f"<title>{chat_title()}</title>" in page


def test_an_embedded_widget_reads_the_title_from_config() -> None:
    reply = widget_config(chat_title())
    assert json.loads(bytes(reply.body or b"")) == {"title": chat_title()}
    assert reply.headers["Access-Control-Allow-Origin"] == "*"


def test_the_product_name_is_configurable_in_credentials() -> None:
    channel = WebchatInput.from_credentials({"title": "Haematology helper"})
    assert channel.title == "Haematology helper"
    assert WebchatInput.from_credentials({}).title == PRODUCT_TITLE


@pytest.mark.parametrize("name", WIDGET_FILES)
def test_the_widget_names_no_topic_in_its_own_words(name: str) -> None:
    # Topic names reach the widget from the server only. (Payload types such as
    # "b12.new_patient" are a contract, not words shown: they are left out of the scan.)
    text = re.sub(r"\bb12\.[a-z_]+", "", (WEBCHAT / name).read_text(encoding="utf-8"))
    for topic in topics().all:
        words = (*topic.scope_terms, topic.title.text("patient"), topic.title.text("clinician"))
        found = whole_words(words).search(text.lower())
        assert found is None, f"{name} names topic {topic.id}: {found.group(0)!r}"
