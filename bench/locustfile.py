"""Locust load for ``make bench``: many concurrent conversations over the REST channel.

Run by ``bench/run_bench.py`` in ``.venv-bench``::

    BENCH_HOSTS=http://127.0.0.1:P1,http://127.0.0.1:P2 BENCH_BOT=b12 \
      locust -f bench/locustfile.py --headless -u 24 -r 24 -t 30s --csv results/bench/locust/x

Each simulated user is pinned to one server (users are dealt round-robin over ``BENCH_HOSTS``):
with Rasa's in-memory tracker store a conversation must stay on the server that holds it. A user
replays the conversations of ``bench/conversations.py`` back to back without think time, each
with a new sender id, so all senders are distinct. Each turn is one request named
``<bot> turn``; a reply without the expected payload type counts as a failure.
"""

from __future__ import annotations

import itertools
import os
import sys
import uuid
from pathlib import Path

from locust import FastHttpUser, constant, task

sys.path.insert(0, str(Path(__file__).resolve().parent))
from conversations import CONVERSATIONS, check_reply, request_body

HOSTS = [h.strip() for h in os.environ.get("BENCH_HOSTS", "").split(",") if h.strip()]
BOT = os.environ.get("BENCH_BOT", "b12")
if not HOSTS:
    raise SystemExit("BENCH_HOSTS is not set")
if BOT not in CONVERSATIONS:
    raise SystemExit(f"BENCH_BOT must be one of {sorted(CONVERSATIONS)}")

_user_numbers = itertools.count()


class ChatUser(FastHttpUser):
    """One clinician or patient at a time, pinned to one server."""

    host = HOSTS[0]
    wait_time = constant(0)
    network_timeout = 60.0
    connection_timeout = 10.0

    def __init__(self, environment) -> None:  # type: ignore[no-untyped-def]
        number = next(_user_numbers)
        # Set before FastHttpUser builds its client for self.host.
        self.host = HOSTS[number % len(HOSTS)]
        self._start = number
        super().__init__(environment)

    @task
    def conversations(self) -> None:
        """Replay every conversation once, each with a new sender id."""
        scripts = CONVERSATIONS[BOT]
        # Start each user at a different conversation so the mix is spread over time.
        for index in range(len(scripts)):
            script = scripts[(self._start + index) % len(scripts)]
            sender = f"bench-{uuid.uuid4().hex}"
            for message, audience, expected in script:
                with self.client.post(
                    "/webhooks/rest/webhook",
                    data=request_body(sender, message, audience),
                    headers={"Content-Type": "application/json"},
                    name=f"{BOT} turn",
                    catch_response=True,
                ) as response:
                    if response.status_code != 200:
                        response.failure(f"HTTP {response.status_code}")
                        continue
                    problem = check_reply(response.content or b"", expected)
                    if problem:
                        response.failure(problem)
                    else:
                        response.success()
