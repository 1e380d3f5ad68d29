"""A topic's own code (``rules_module``, ``renderer``) is reached only through its manifest.

The engine, actions, channels and components name no topic package: they ask
``guideline_engine.topics`` for a topic's rules module and renderer, which the loader imports
and checks at start-up, failing fast on one that does not import or lacks a function.
"""

from __future__ import annotations

import ast
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from guideline_engine.topics import TopicError, renderer_of, rules_of, topics
from guideline_engine.topics import registry as topic_registry
from guideline_engine.topics.loader import check_modules, parse_topic
from guideline_engine.topics.model import RENDERER_FUNCTIONS, RULES_FUNCTIONS, Topic

ROOT = Path(__file__).resolve().parents[2]
ENGINE = ROOT / "src" / "guideline_engine"
CONTENT = "guideline_engine.content"
TOPIC_NEUTRAL = [
    *(p for p in sorted(ENGINE.rglob("*.py")) if (ENGINE / "content") not in p.parents),
    *(p for folder in ("actions", "channels", "components") for p in (ROOT / folder).rglob("*.py")),
]


def _topic_modules_named(path: Path) -> list[str]:
    """Topic package modules ``path`` imports, or names as a dotted string (import_module)."""
    found: list[str] = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            found += [a.name for a in node.names if a.name.startswith(f"{CONTENT}.")]
        elif isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            if node.module.startswith(f"{CONTENT}."):
                found.append(node.module)
            elif node.module == CONTENT:  # from guideline_engine.content import b12
                found += [f"{CONTENT}.{a.name}" for a in node.names]
            elif node.module == "guideline_engine":
                found += [f"{CONTENT}.*" for a in node.names if a.name == "content"]
        elif isinstance(node, ast.Constant) and isinstance(node.value, str):
            if node.value.startswith(f"{CONTENT}."):
                found.append(node.value)
    return found


@pytest.mark.parametrize(
    "path", [pytest.param(p, id=str(p.relative_to(ROOT))) for p in TOPIC_NEUTRAL]
)
def test_engine_actions_channels_and_components_import_no_topic_package(path: Path) -> None:
    assert not _topic_modules_named(path), f"{path} names a topic package module"


def test_the_check_sees_a_topic_import(tmp_path: Path) -> None:
    bad = tmp_path / "bad.py"
    bad.write_text(
        "from guideline_engine.content.b12.render import render_result\n"
        "from guideline_engine.content import folate\n"
        "import guideline_engine.content.b12.rules\n"
        "NAME = 'guideline_engine.content.b12.rules'\n",
        encoding="utf-8",
    )
    assert len(_topic_modules_named(bad)) == 4


def _module_topic(**modules: str) -> Topic:
    manifest: dict[str, Any] = {
        "id": "x",
        "topic": "x_y",
        "title": {"clinician": "a", "patient": "b"},
        "scope_terms": ["x"],
        **modules,
    }
    return parse_topic(manifest, None, "x")


@pytest.mark.parametrize(
    ("modules", "message"),
    [
        pytest.param(
            {
                "rules_module": "guideline_engine.content.no_such_topic.rules",
                "renderer": "guideline_engine.content.b12.render",
            },
            r"rules_module: module 'guideline_engine.content.no_such_topic.rules' does not import",
            id="rules-module-does-not-import",
        ),
        pytest.param(
            {
                "rules_module": "guideline_engine.content.b12.rules",
                "renderer": "guideline_engine.content.b12.no_such_renderer",
            },
            r"renderer: module 'guideline_engine.content.b12.no_such_renderer' does not import",
            id="renderer-does-not-import",
        ),
        pytest.param(
            {
                "rules_module": "guideline_engine.content.b12.rules",
                "renderer": "guideline_engine.content.b12.rules",
            },
            r"lacks the functions \['render_result', 'render_why'\]",
            id="renderer-lacks-functions",
        ),
        pytest.param(
            {
                "rules_module": "guideline_engine.content.b12.render",
                "renderer": "guideline_engine.content.b12.render",
            },
            r"lacks the functions \['build_plan'\]",
            id="rules-module-lacks-functions",
        ),
        pytest.param(
            {"rules_module": "guideline_engine.content.b12.rules"},
            "needs a renderer",
            id="rules-module-without-renderer",
        ),
    ],
)
def test_loader_rejects_a_topic_whose_modules_do_not_import(
    modules: dict[str, str], message: str
) -> None:
    with pytest.raises(TopicError, match=message):
        check_modules([_module_topic(**modules)])


def test_loader_rejects_a_renderer_on_a_table_topic() -> None:
    table = dataclasses.replace(
        _module_topic(rules_module="m"), rules_module=None, renderer="guideline_engine.x"
    )
    with pytest.raises(TopicError, match="renderer: only with a rules_module"):
        check_modules([table])


def test_a_module_that_does_not_import_stops_start_up(monkeypatch: pytest.MonkeyPatch) -> None:
    """``topics()`` (called by the action server at start-up) runs the module check."""
    found = topic_registry.packaged_topics()
    broken = tuple(
        dataclasses.replace(t, renderer=f"{CONTENT}.gone.render") if t.rules_module else t
        for t in found
    )
    assert broken != found  # some packaged topic has a rules module
    monkeypatch.setattr(topic_registry, "packaged_topics", lambda: broken)
    with pytest.raises(TopicError, match="does not import"):
        topic_registry.topics.__wrapped__()


def test_every_packaged_rules_module_and_renderer_resolves_through_the_topic() -> None:
    with_modules = [t for t in topics().all if t.rules_module is not None]
    assert with_modules
    for topic in with_modules:
        rules, renderer = rules_of(topic), renderer_of(topic)
        assert all(callable(getattr(rules, f)) for f in RULES_FUNCTIONS)
        assert all(callable(getattr(renderer, f)) for f in RENDERER_FUNCTIONS)
        # the code lives in the topic's own package, where the approval register pins it
        assert getattr(rules, "__name__", "").startswith(f"{CONTENT}.{topic.folder}.")
        assert getattr(renderer, "__name__", "").startswith(f"{CONTENT}.{topic.folder}.")
