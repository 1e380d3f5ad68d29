"""Token middleware, CORS allow-list and safe errors of the action server launcher."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest

from action_server import build_app, cors_origins_from_env, token_matches
from action_server.__main__ import resolve_token
from tests.security.conftest import client, serving

TOKEN = "s3cret-token_for-tests"
ROOT = Path(__file__).resolve().parents[2]


def _action_call(next_action: str = "action_greet", text: str = "hello") -> dict[str, Any]:
    return {
        "next_action": next_action,
        "sender_id": "sec-1",
        "version": "3.6.2",
        "domain": {},
        "tracker": {
            "sender_id": "sec-1",
            "slots": {},
            "latest_message": {"text": text, "intent": {"name": "greet"}, "entities": []},
            "events": [],
            "paused": False,
            "followup_action": None,
            "active_loop": {},
            "latest_action_name": "action_listen",
        },
    }


def test_token_matches_is_exact() -> None:
    assert token_matches(TOKEN, TOKEN)
    assert not token_matches(TOKEN, TOKEN + "x")
    assert not token_matches(TOKEN, TOKEN[:-1])
    assert not token_matches(TOKEN, "")
    assert not token_matches(TOKEN, None)
    assert not token_matches("", "")
    assert token_matches("tökén", "tökén")  # non-ASCII does not raise


def test_cors_origins_from_env() -> None:
    assert cors_origins_from_env({}) == []
    assert cors_origins_from_env({"CORS_ORIGINS": ""}) == []
    assert cors_origins_from_env({"CORS_ORIGINS": " https://a.example , https://b.example,"}) == [
        "https://a.example",
        "https://b.example",
    ]
    assert cors_origins_from_env({"CORS_ORIGINS": "http://localhost:8080/"}) == [
        "http://localhost:8080"
    ]


@pytest.mark.parametrize(
    "origins",
    [
        "*",
        "https://.*\\.clinic\\.example",  # a regex: sanic-cors would match it unanchored
        "https://clinic.example/path",
        "clinic.example",
        "https://a.example, https://b?.example",
        "ftp://clinic.example",
    ],
)
def test_cors_origins_must_be_exact(origins: str) -> None:
    with pytest.raises(ValueError, match="not an exact origin"):
        cors_origins_from_env({"CORS_ORIGINS": origins})


def test_sanic_cors_regex_entries_match_unanchored() -> None:
    """Why patterns are refused: sanic-cors treats them as unanchored regexes."""
    from sanic_cors.core import try_match

    assert try_match("https://x.clinic.example.evil.test", r"https://.*\.clinic\.example")
    assert not try_match("https://clinic.example.evil.test", "https://clinic.example")


def test_launcher_refuses_to_start_without_a_token(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as exit_info:
        resolve_token({}, insecure=False)
    assert exit_info.value.code == 2
    assert "ACTION_SERVER_TOKEN" in capsys.readouterr().err
    with pytest.raises(SystemExit):
        resolve_token({"ACTION_SERVER_TOKEN": "   "}, insecure=False)
    assert resolve_token({}, insecure=True) is None
    assert resolve_token({"ACTION_SERVER_TOKEN": TOKEN}, insecure=True) == TOKEN


def test_empty_token_is_rejected_at_build_time() -> None:
    with pytest.raises(ValueError):
        build_app("actions", token="")


async def test_health_is_public_everything_else_needs_the_token() -> None:
    app = build_app("actions", token=TOKEN)
    async with serving(app) as url, client() as http:
        async with http.get(f"{url}/health") as reply:
            assert reply.status == 200
            assert await reply.json() == {"status": "ok"}
        for method, path, body in [
            ("POST", "/webhook", _action_call()),
            ("GET", "/actions", None),
            ("GET", "/no-such-route", None),
            ("POST", "/health", None),
        ]:
            async with http.request(method, f"{url}{path}", json=body) as reply:
                assert reply.status == 401, (method, path)
                assert reply.headers["WWW-Authenticate"].startswith("Bearer")
                assert "token" in (await reply.json())["error"]


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({"token": "wrong"}, {}),
        ({"token": ""}, {}),
        ({}, {"Authorization": "Bearer wrong"}),
        ({}, {"Authorization": f"Basic {TOKEN}"}),
        ({}, {"Authorization": TOKEN}),
        ({"token": TOKEN + "x"}, {}),
        ({"tok": TOKEN}, {}),
    ],
)
async def test_wrong_or_misplaced_token_is_401(
    params: dict[str, str], headers: dict[str, str]
) -> None:
    app = build_app("actions", token=TOKEN)
    async with serving(app) as url, client() as http:
        async with http.post(
            f"{url}/webhook", json=_action_call(), params=params, headers=headers
        ) as reply:
            assert reply.status == 401


@pytest.mark.parametrize(
    ("params", "headers"),
    [
        ({"token": TOKEN}, {}),  # how Rasa sends `token:` from endpoints.yml
        ({}, {"Authorization": f"Bearer {TOKEN}"}),
        ({}, {"Authorization": f"bearer  {TOKEN} "}),
    ],
)
async def test_right_token_runs_the_action(params: dict[str, str], headers: dict[str, str]) -> None:
    app = build_app("actions", token=TOKEN)
    async with serving(app) as url, client() as http:
        async with http.post(
            f"{url}/webhook", json=_action_call(), params=params, headers=headers
        ) as reply:
            assert reply.status == 200
            body = await reply.json()
            assert "events" in body and "responses" in body
        async with http.get(f"{url}/actions", params=params, headers=headers) as reply:
            assert reply.status == 200
            assert {"name": "action_plan"} in await reply.json()


async def test_rasa_endpoint_config_sends_an_accepted_token() -> None:
    from rasa.utils.endpoints import EndpointConfig

    app = build_app("actions", token=TOKEN)
    async with serving(app) as url:
        endpoint = EndpointConfig(url=f"{url}/webhook", token=TOKEN)
        result = await endpoint.request(json=_action_call(), method="post")
        assert "events" in result


async def test_insecure_mode_has_no_auth() -> None:
    app = build_app("actions", token=None)
    async with serving(app) as url, client() as http:
        async with http.post(f"{url}/webhook", json=_action_call()) as reply:
            assert reply.status == 200


async def test_errors_do_not_echo_or_log_the_tracker(caplog: pytest.LogCaptureFixture) -> None:
    app = build_app("actions", token=TOKEN)
    call = _action_call(text="SECRET-PATIENT-TEXT")
    del call["tracker"]["sender_id"]  # makes rasa-sdk fail while reading the tracker
    caplog.set_level(logging.DEBUG)
    async with serving(app) as url, client() as http:
        async with http.post(f"{url}/webhook", json=call, params={"token": TOKEN}) as reply:
            assert reply.status == 500
            text = await reply.text()
    assert "SECRET-PATIENT-TEXT" not in text
    assert "Internal error" in text
    assert "SECRET-PATIENT-TEXT" not in caplog.text
    assert "KeyError" in caplog.text


async def test_refusals_do_not_log_the_token(caplog: pytest.LogCaptureFixture) -> None:
    app = build_app("actions", token=TOKEN)
    caplog.set_level(logging.DEBUG)
    async with serving(app) as url, client() as http:
        async with http.get(f"{url}/actions", params={"token": "WRONG-GUESS"}) as reply:
            assert reply.status == 401
    assert "refused GET /actions" in caplog.text
    assert "WRONG-GUESS" not in caplog.text


async def test_cors_allows_only_configured_origins() -> None:
    allowed = "https://widget.example"
    app = build_app("actions", token=TOKEN, cors_origins=[allowed])
    async with serving(app) as url, client() as http:
        async with http.get(f"{url}/health", headers={"Origin": allowed}) as reply:
            assert reply.headers.get("Access-Control-Allow-Origin") == allowed
        async with http.get(f"{url}/health", headers={"Origin": "https://evil.example"}) as reply:
            assert "Access-Control-Allow-Origin" not in reply.headers
        preflight = {"Origin": allowed, "Access-Control-Request-Method": "POST"}
        async with http.options(f"{url}/webhook", headers=preflight) as reply:
            assert reply.headers.get("Access-Control-Allow-Origin") == allowed
        preflight["Origin"] = "https://evil.example"
        async with http.options(f"{url}/webhook", headers=preflight) as reply:
            assert "Access-Control-Allow-Origin" not in reply.headers


async def test_no_cors_origin_by_default() -> None:
    app = build_app("actions", token=TOKEN, cors_origins=cors_origins_from_env({}))
    async with serving(app) as url, client() as http:
        for origin in ("https://widget.example", "null"):
            async with http.get(f"{url}/health", headers={"Origin": origin}) as reply:
                assert "Access-Control-Allow-Origin" not in reply.headers


def test_launcher_and_run_script_refuse_a_pattern_origin(tmp_path: Path) -> None:
    """Both start paths stop with a clear message before any server starts."""
    env = {
        **os.environ,
        "CORS_ORIGINS": "https://.*\\.clinic\\.example",
        "ACTION_SERVER_TOKEN": TOKEN,
        "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}",
        "RASA_PORT": "1",  # nothing may start: the check runs before any server
        "ACTION_PORT": "1",
    }
    launcher = subprocess.run(
        [sys.executable, "-m", "action_server", "--actions", "actions", "--port", "1"],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert launcher.returncode != 0
    assert "not an exact origin" in launcher.stderr
    script = subprocess.run(
        ["bash", str(ROOT / "scripts" / "run.sh")],
        cwd=tmp_path, env=env, capture_output=True, text=True, timeout=120,
    )  # fmt: skip
    assert script.returncode != 0
    assert "not an exact origin" in script.stderr
    assert "Starting" not in script.stdout
