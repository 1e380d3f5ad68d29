"""Edge input gets a 4xx that says why, never a 5xx, a traceback or an "outage" reply.

Covers the red-team findings m1-m3 and m9 (2026-12-01): deeply nested JSON, trailing newline in a
sender id, no body cap below Sanic's 100 MB, a stalled body answered 503 after 60 s. The REST
route and the web chat handler are also fuzzed with Hypothesis (bounded: ``make test`` runs it).
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from rasa.core.channels.channel import UserMessage
from sanic import Sanic

import rasa_patches
from channels.rest_channel import StrictRestInput, parse_request
from channels.turn_policy import EdgeLimits, RequestError, json_depth_exceeds, load_json
from channels.webchat import WebchatInput
from tests.security.conftest import free_port

FUZZ = settings(
    max_examples=300,
    deadline=2000,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)


async def echo(message: UserMessage) -> None:
    await message.output_channel.send_text_message(message.sender_id, "ok")


class ThreadServer:
    """The REST channel on a Sanic server in a thread, so sync tests (Hypothesis) can call it."""

    def __init__(self, channel: StrictRestInput) -> None:
        rasa_patches.install()
        Sanic.test_mode = True
        self.app = Sanic(f"edge_rest_{free_port()}")
        self.app.blueprint(channel.blueprint(echo), url_prefix="/webhooks/rest")
        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}/webhooks/rest/webhook"
        self.loop = asyncio.new_event_loop()
        self.server: Any = None
        self.thread = threading.Thread(target=self.loop.run_forever, daemon=True)

    async def _start(self) -> None:
        self.server = await self.app.create_server(
            host="127.0.0.1", port=self.port, return_asyncio_server=True, access_log=False
        )
        await self.server.startup()
        await self.server.before_start()
        await self.server.after_start()
        await self.server.start_serving()

    async def _stop(self) -> None:
        await self.server.before_stop()
        closing = self.server.close()
        if closing is not None:
            await closing
        await self.server.after_stop()

    def __enter__(self) -> ThreadServer:
        self.thread.start()
        asyncio.run_coroutine_threadsafe(self._start(), self.loop).result(30)
        return self

    def __exit__(self, *_: object) -> None:
        asyncio.run_coroutine_threadsafe(self._stop(), self.loop).result(30)
        self.loop.call_soon_threadsafe(self.loop.stop)
        self.thread.join(10)

    def post(self, body: bytes, content_type: str = "application/json") -> tuple[int, Any]:
        request = urllib.request.Request(
            self.url, data=body, headers={"Content-Type": content_type}, method="POST"
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as reply:
                return reply.status, json.loads(reply.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read())


@pytest.fixture(scope="module")
def rest() -> Iterator[ThreadServer]:
    limits = EdgeLimits(max_body_bytes=64 * 1024, max_json_depth=32, body_timeout_s=0.5)
    channel = StrictRestInput(rate_limit_per_minute=0, edge_limits=limits)
    with ThreadServer(channel) as server:
        yield server


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


# --- Nesting, ids, sizes, stalls ------------------------------------------------------------


def test_100000_nested_brackets_get_400_not_500(rest: ThreadServer) -> None:
    body = '{"sender":"x","message":"hi","metadata":' + nested(100_000) + "}"
    # 200 KB: over the body cap too; with a larger cap the depth check answers.
    status, reply = rest.post(body.encode())
    assert status == 413 and "too large" in reply["error"]
    with pytest.raises(RequestError) as error:
        load_json(body.encode(), EdgeLimits(max_body_bytes=1 << 20))
    assert error.value.status == 400 and "nested too deeply" in str(error.value)


def test_metadata_nested_980_deep_gets_400_not_503(rest: ThreadServer) -> None:
    body = '{"sender":"x","message":"hi","metadata":{"a":' + nested(980) + "}}"
    status, reply = rest.post(body.encode())
    assert status == 400
    assert reply == {"error": "The JSON is nested too deeply (limit 32 levels)."}


def test_nesting_within_the_limit_is_accepted(rest: ThreadServer) -> None:
    body = '{"sender":"x","message":"hi","metadata":{"a":' + nested(30) + "}}"
    assert rest.post(body.encode())[0] == 200


@pytest.mark.parametrize(
    ("text", "deep"),
    [
        ('"[[[[[[["', False),  # brackets inside a string do not count
        ('"\\"[[[[[["', False),  # nor after an escaped quote
        ("[[[[[[]]]]]]", True),
        ('{"a":{"b":{"c":[[[1]]]}}}', True),
        ('[1,[2],[3],{"x":[4]}]', False),
    ],
)
def test_depth_scan(text: str, deep: bool) -> None:
    assert json_depth_exceeds(text, 5) is deep


@pytest.mark.parametrize("sender", ["abctrail\n", "abc\r", "\nabc", "a b", "a/b", "", "x" * 129])
def test_sender_must_match_in_full(rest: ThreadServer, sender: str) -> None:
    status, reply = rest.post(json.dumps({"sender": sender, "message": "hi"}).encode())
    assert status == 400 and "'sender' id is required" in reply["error"]


def test_body_over_the_cap_gets_413_before_parsing(rest: ThreadServer) -> None:
    body = json.dumps({"sender": "x", "message": "hi", "metadata": {"pad": "p" * 70_000}})
    status, reply = rest.post(body.encode())
    assert status == 413
    assert reply == {"error": "The request body is too large (limit 65536 bytes)."}


def test_ten_megabytes_are_refused_from_the_header(rest: ThreadServer) -> None:
    status, reply = rest.post(b"{" + b" " * 10_000_000 + b"}")
    assert status == 413 and "too large" in reply["error"]


def raw_exchange(port: int, head: bytes, body: bytes, wait_s: float) -> bytes:
    with socket.create_connection(("127.0.0.1", port), timeout=wait_s) as sock:
        sock.sendall(head + body)
        data = b""
        try:
            while chunk := sock.recv(65536):
                data += chunk
        except TimeoutError:
            pass
        return data


def test_chunked_body_over_the_cap_gets_413(rest: ThreadServer) -> None:
    head = (
        b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\nConnection: close\r\n\r\n"
    )
    chunk = b"a" * 40_000
    body = b"".join(b"%x\r\n%s\r\n" % (len(chunk), chunk) for _ in range(2)) + b"0\r\n\r\n"
    reply = raw_exchange(rest.port, head, body, 5)
    assert reply.startswith(b"HTTP/1.1 413")


def test_stalled_body_gets_408_quickly_not_503(rest: ThreadServer) -> None:
    head = (
        b"POST /webhooks/rest/webhook HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        b"Content-Length: 100\r\nConnection: close\r\n\r\n"
    )
    reply = raw_exchange(rest.port, head, b'{"sender":', 5)  # 10 of 100 bytes, then nothing
    assert reply.startswith(b"HTTP/1.1 408")
    assert b"did not arrive within 0.5 seconds" in reply


def test_limits_come_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAX_BODY_BYTES", "1000")
    monkeypatch.setenv("MAX_JSON_DEPTH", "4")
    monkeypatch.setenv("BODY_TIMEOUT", "2.5")
    assert EdgeLimits.from_env() == EdgeLimits(1000, 4, 2.5)
    assert (
        StrictRestInput.from_credentials({"max_body_bytes": 5000}).edge_limits.max_body_bytes
        == 5000
    )
    monkeypatch.setenv("BODY_TIMEOUT", "0")
    with pytest.raises(ValueError, match="BODY_TIMEOUT"):
        EdgeLimits.from_env()


# --- Fuzzing ---------------------------------------------------------------------------------

json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: (
        st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=8), inner, max_size=4)
    ),
    max_leaves=30,
)
requests = st.fixed_dictionaries(
    {},
    optional={
        "sender": st.text(max_size=140) | json_values,
        "message": st.text(max_size=50) | json_values,
        "metadata": json_values,
    },
).map(lambda d: json.dumps(d).encode())
bodies = (
    requests
    | st.binary(max_size=300)
    | json_values.map(lambda v: json.dumps(v).encode())
    | st.integers(0, 5000).map(lambda n: ("[" * n + "]" * (n // 2)).encode())
)


@FUZZ
@given(body=bodies)
def test_fuzz_rest_parsing_only_refuses_with_4xx(body: bytes) -> None:
    try:
        sender, text, metadata = parse_request(body, EdgeLimits())
    except RequestError as error:
        assert 400 <= error.status < 500
        assert str(error)
        return
    assert isinstance(sender, str) and isinstance(text, str) and text.strip()
    assert metadata is None or isinstance(metadata, dict)


@settings(FUZZ, max_examples=150)
@given(body=bodies)
def test_fuzz_rest_route_answers_2xx_or_4xx_json(rest: ThreadServer, body: bytes) -> None:
    status, reply = rest.post(body)
    assert status in (200, 400, 413), (status, reply)
    if status == 200:
        assert reply == [{"recipient_id": json.loads(body)["sender"], "text": "ok"}]
    else:
        assert isinstance(reply, dict) and isinstance(reply["error"], str)


socket_data = json_values | st.fixed_dictionaries(
    {}, optional={"message": st.text(max_size=50) | json_values, "metadata": json_values}
)


@FUZZ
@given(data=socket_data)
def test_fuzz_webchat_handler_never_raises(data: Any) -> None:
    rasa_patches.install()
    seen: list[UserMessage] = []
    emitted: list[Any] = []

    async def on_new_message(message: UserMessage) -> None:
        seen.append(message)
        await message.output_channel.send_text_message(message.sender_id, "ok")

    channel = WebchatInput(secret=b"k" * 32, rate_limit_per_minute=0)
    channel.blueprint(on_new_message)
    sio = channel.sio
    assert sio is not None

    async def get_session(sid: str, namespace: str | None = None) -> dict[str, Any]:
        return {"sender_id": "web-1"}

    async def emit(event: str, payload: Any = None, **kwargs: Any) -> None:
        emitted.append(payload)

    sio.get_session = get_session  # type: ignore[method-assign]
    sio.emit = emit  # type: ignore[method-assign]
    asyncio.run(sio.handlers["/"]["user_uttered"]("sid", data))
    for message in seen:
        assert isinstance(message.text, str) and message.text.strip()
        assert set(message.metadata or {}) <= {"audience"}
    assert all(isinstance(e, dict) for e in emitted)
