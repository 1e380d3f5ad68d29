"""Soak: 10,000 turns over both Rasa servers on loopback; no lost or duplicated turn, flat RSS.

``SOAK_CONVERSATIONS`` conversations (default 400) of ``SOAK_TURNS_PER_CONVERSATION`` turns
(default 25) run ``SOAK_CONCURRENCY`` at a time (default 12), each turn on the other server than
the last. Every reply must be HTTP 200, addressed to its sender and, for plans and "why?",
carry that sender's own facts. Afterwards every conversation's user messages in PostgreSQL must
equal what was sent, in order (nothing lost, nothing duplicated), each turn ending in
``action_listen``. The whole run must finish within ``SOAK_DEADLINE_S`` (default 600 s).

Memory: the RSS of both Rasa servers is sampled every second. The first ``SOAK_WARMUP_TURNS``
(default 2,000) turns are warm-up; after that, the median RSS of the last quarter of the
samples may exceed the median of the first quarter by at most ``SOAK_MAX_RSS_GROWTH_MIB``
(default 64 MiB) per server. Figures are written to results/production/soak.json.
"""

from __future__ import annotations

import asyncio
import json
import os
import statistics
import threading
import time
import uuid
from typing import Any

import aiohttp

from tests.production.conftest import Cluster, pg_connect
from tests.production.test_cluster import facts_message
from tests.servers import ROOT

CONVERSATIONS = int(os.environ.get("SOAK_CONVERSATIONS", "400"))
TURNS_PER_CONVERSATION = int(os.environ.get("SOAK_TURNS_PER_CONVERSATION", "25"))
CONCURRENCY = int(os.environ.get("SOAK_CONCURRENCY", "12"))
DEADLINE_S = float(os.environ.get("SOAK_DEADLINE_S", "600"))
WARMUP_TURNS = int(os.environ.get("SOAK_WARMUP_TURNS", "2000"))
MAX_RSS_GROWTH_MIB = float(os.environ.get("SOAK_MAX_RSS_GROWTH_MIB", "64"))
MIB = 1024 * 1024


def script(age: int, platelets: int) -> list[tuple[str, str | None, str | None]]:
    """(message, audience, payload type expected) for one conversation."""
    cycle: list[tuple[str, str | None, str | None]] = [
        (facts_message(age, platelets), "clinician", "b12.missing_facts"),
        ("no", None, "b12.regimen"),
        ("why?", None, "b12.why"),
        ("sources", None, "b12.sources"),
        ("new patient", None, "b12.new_patient"),
    ]
    return [cycle[i % len(cycle)] for i in range(TURNS_PER_CONVERSATION)]


class RssSampler(threading.Thread):
    """Samples (turns done, RSS per server) every second."""

    def __init__(self, cluster: Cluster, progress: list[int]) -> None:
        super().__init__(daemon=True)
        self.cluster, self.progress = cluster, progress
        self.samples: list[tuple[int, list[int]]] = []
        self.done = threading.Event()

    def run(self) -> None:
        while not self.done.wait(1.0):
            rss = [server.rss_bytes() for server in self.cluster.rasa]
            self.samples.append((self.progress[0], rss))


async def run_soak(cluster: Cluster, run_id: str, progress: list[int]) -> dict[str, Any]:
    # Platelets above 50 and age 18 or over: no eligibility gate, so every cycle reaches a plan.
    people = {f"soak-{run_id}-{i}": (18 + i % 80, 60 + i) for i in range(CONVERSATIONS)}
    sent: dict[str, list[str]] = {sender: [] for sender in people}
    failures: list[str] = []
    queue: asyncio.Queue[str] = asyncio.Queue()
    for sender in people:
        queue.put_nowait(sender)
    deadline = time.monotonic() + DEADLINE_S
    latencies: list[float] = []

    async def converse(http: aiohttp.ClientSession, sender: str, first_server: int) -> None:
        age, platelets = people[sender]
        for i, (text, audience, expected) in enumerate(script(age, platelets)):
            if time.monotonic() > deadline:
                failures.append(f"{sender}: deadline reached")
                return
            body: dict[str, Any] = {"sender": sender, "message": text}
            if audience:
                body["metadata"] = {"audience": audience}
            url = f"{cluster.bots[(first_server + i) % 2].rasa_url}/webhooks/rest/webhook"
            started = time.monotonic()
            async with http.post(url, json=body) as reply:
                status, messages = reply.status, await reply.json()
            latencies.append(time.monotonic() - started)
            sent[sender].append(text)
            progress[0] += 1
            problem = check_reply(sender, age, platelets, status, messages, expected)
            if problem:
                failures.append(problem)
                return

    async def worker(index: int) -> None:
        timeout = aiohttp.ClientTimeout(total=60)
        async with aiohttp.ClientSession(timeout=timeout) as http:
            while not queue.empty():
                sender = queue.get_nowait()
                await converse(http, sender, index % 2)

    started = time.monotonic()
    await asyncio.gather(*(worker(i) for i in range(CONCURRENCY)))
    elapsed = time.monotonic() - started
    latencies.sort()
    return {
        "sent": sent,
        "failures": failures,
        "elapsed_s": round(elapsed, 1),
        "turns": progress[0],
        "turns_per_s": round(progress[0] / elapsed, 1),
        "latency_p50_ms": round(1000 * latencies[len(latencies) // 2]) if latencies else None,
        "latency_p99_ms": round(1000 * latencies[int(len(latencies) * 0.99)])
        if latencies
        else None,
    }


def check_reply(
    sender: str,
    age: int,
    platelets: int,
    status: int,
    messages: Any,
    expected: str | None,
) -> str | None:
    if status != 200 or not isinstance(messages, list) or not messages:
        return f"{sender}: HTTP {status} {str(messages)[:300]}"
    if any(m.get("recipient_id") != sender for m in messages):
        return f"{sender}: a reply addressed to someone else"
    payloads = [m["custom"] for m in messages if isinstance(m.get("custom"), dict)]
    kinds = [p.get("type") for p in payloads]
    if expected and expected not in kinds:
        return f"{sender}: expected {expected}, got {kinds}"
    for payload in payloads:
        facts = payload.get("facts_used")
        if facts is not None and (facts.get("age"), facts.get("platelet_count")) != (
            age,
            float(platelets),
        ):
            return f"{sender}: facts of another conversation: {facts}"
    return None


def stored_turns(cluster: Cluster, run_id: str) -> dict[str, list[tuple[str, Any]]]:
    """Per sender, (type, user text or action name) of every stored event, in order."""
    stored: dict[str, list[tuple[str, Any]]] = {}
    with pg_connect(cluster.env) as conn, conn.cursor() as cursor:
        cursor.execute(
            "SELECT sender_id, type_name, action_name, data FROM events "
            "WHERE sender_id LIKE %s AND type_name IN ('user', 'action') ORDER BY id",
            (f"soak-{run_id}-%",),
        )
        for sender, kind, action, data in cursor:
            value = json.loads(data).get("text") if kind == "user" else action
            stored.setdefault(sender, []).append((kind, value))
    conn.close()
    return stored


def test_soak_10000_turns_no_lost_or_duplicated_turn_and_flat_memory(up: Cluster) -> None:
    run_id = uuid.uuid4().hex[:12]
    progress = [0]
    sampler = RssSampler(up, progress)
    sampler.start()
    try:
        result = asyncio.run(run_soak(up, run_id, progress))
    finally:
        sampler.done.set()
        sampler.join()
    sent: dict[str, list[str]] = result.pop("sent")
    failures: list[str] = result.pop("failures")

    # Lost or duplicated turns: compare what each conversation stored with what was sent.
    stored = stored_turns(up, run_id)
    mismatched = []
    for sender, texts in sent.items():
        events = stored.get(sender, [])
        user_texts = [value for kind, value in events if kind == "user"]
        ends_in_listen = all(
            events[j - 1] == ("action", "action_listen")
            for j, (kind, _) in enumerate(events)
            if kind == "user" and j > 0
        ) and (not events or events[-1] == ("action", "action_listen"))
        if user_texts != texts or not ends_in_listen:
            mismatched.append(sender)

    # Memory after warm-up.
    after = [rss for done, rss in sampler.samples if done >= WARMUP_TURNS]
    growth_mib: list[float] = []
    if len(after) >= 8:
        quarter = len(after) // 4
        for server in range(len(up.rasa)):
            early = statistics.median(s[server] for s in after[:quarter])
            late = statistics.median(s[server] for s in after[-quarter:])
            growth_mib.append(round((late - early) / MIB, 1))
    rss_mib = (
        [
            [
                round(min(s[i] for _, s in sampler.samples) / MIB),
                round(max(s[i] for _, s in sampler.samples) / MIB),
            ]
            for i in range(len(up.rasa))
        ]
        if sampler.samples
        else []
    )
    report = result | {
        "conversations": CONVERSATIONS,
        "concurrency": CONCURRENCY,
        "failures": len(failures),
        "lost_or_duplicated_conversations": len(mismatched),
        "rss_growth_after_warmup_mib": growth_mib,
        "rss_min_max_mib": rss_mib,
        "rss_samples": len(sampler.samples),
        "max_rss_growth_mib": MAX_RSS_GROWTH_MIB,
    }
    out = ROOT / "results" / "production"
    out.mkdir(parents=True, exist_ok=True)
    (out / "soak.json").write_text(json.dumps(report, indent=2) + "\n")
    print("\nsoak:", json.dumps(report))

    assert not failures, failures[:10]
    assert result["turns"] == CONVERSATIONS * TURNS_PER_CONVERSATION >= 10_000 or os.environ.get(
        "SOAK_CONVERSATIONS"
    )
    assert not mismatched, [(s, sent[s][-3:], stored.get(s, [])[-6:]) for s in mismatched[:5]]
    assert len(growth_mib) == len(up.rasa), "too few memory samples after warm-up"
    assert max(growth_mib) <= MAX_RSS_GROWTH_MIB, report
