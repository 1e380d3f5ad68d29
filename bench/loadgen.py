"""Fallback load generator, used only when Locust cannot be installed in ``.venv-bench``.

Same model as ``bench/locustfile.py``: N closed-loop users without think time, each pinned to one
server (round-robin over the hosts), replaying ``bench/conversations.py`` with a fresh sender id
per conversation. Runs in the Rasa venv with aiohttp (already a Rasa dependency).
"""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import Any

import aiohttp

from bench.conversations import CONVERSATIONS, check_reply, request_body


async def _user(
    number: int, host: str, bot: str, stop_at: float, samples: list[float], failures: list[str]
) -> None:
    scripts = CONVERSATIONS[bot]
    timeout = aiohttp.ClientTimeout(total=60)
    async with aiohttp.ClientSession(timeout=timeout) as session:
        index = number
        while time.monotonic() < stop_at:
            script = scripts[index % len(scripts)]
            index += 1
            sender = f"bench-{uuid.uuid4().hex}"
            for message, audience, expected in script:
                if time.monotonic() >= stop_at:
                    return
                start = time.perf_counter()
                try:
                    async with session.post(
                        f"{host}/webhooks/rest/webhook",
                        data=request_body(sender, message, audience),
                        headers={"Content-Type": "application/json"},
                    ) as reply:
                        raw = await reply.read()
                        problem = (
                            f"HTTP {reply.status}"
                            if reply.status != 200
                            else check_reply(raw, expected)
                        )
                except (aiohttp.ClientError, asyncio.TimeoutError) as error:
                    problem = type(error).__name__
                samples.append(time.perf_counter() - start)
                if problem:
                    failures.append(problem)


async def _run(hosts: list[str], bot: str, users: int, duration: float) -> dict[str, Any]:
    samples: list[float] = []
    failures: list[str] = []
    start = time.monotonic()
    stop_at = start + duration
    await asyncio.gather(
        *(_user(n, hosts[n % len(hosts)], bot, stop_at, samples, failures) for n in range(users))
    )
    elapsed = time.monotonic() - start
    ordered = sorted(samples)

    def pct(p: float) -> float:
        return ordered[max(0, min(len(ordered) - 1, int(p * len(ordered) + 0.5) - 1))] * 1000

    return {
        "requests": len(samples),
        "failures": len(failures),
        "turns_per_s": round(len(samples) / elapsed, 2) if elapsed else 0.0,
        "p50_ms": round(pct(0.50), 1) if ordered else None,
        "p95_ms": round(pct(0.95), 1) if ordered else None,
        "p99_ms": round(pct(0.99), 1) if ordered else None,
        "failure_examples": sorted(set(failures))[:5],
    }


def run(hosts: list[str], bot: str, users: int, duration: float) -> dict[str, Any]:
    """Closed-loop load for ``duration`` seconds; the same figures as a Locust run."""
    return asyncio.run(_run(hosts, bot, users, duration))
