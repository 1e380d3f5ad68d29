"""The client side of the partition test, run inside its own network namespace.

``python partition_client.py CONFIG.json`` holds several conversations at once against two Rasa
servers (REST channel), as a client behind a failing proxy would: each turn goes to the
conversation's current server; on a refused connection, a timeout or a 503 it is sent again, to
the other server, until it gets HTTP 200 or the deadline passes. It writes the number of
completed turns to ``progress`` after each one and prints one JSON object at the end:
``{"sent": {sender: [texts]}, "replies": {sender: [payload types]}, "failures": [...],
"retries": n, "ambiguous": n}`` (a retry after a timeout is "ambiguous": the first attempt may
have been processed).
"""

from __future__ import annotations

import json
import sys
import threading
import time
import urllib.error
import urllib.request
from pathlib import Path
from typing import Any


def post(url: str, body: dict[str, Any], timeout: float) -> tuple[int, Any]:
    request = urllib.request.Request(
        f"{url}/webhooks/rest/webhook",
        data=json.dumps(body).encode(),
        headers={"Content-Type": "application/json"},
        method="POST",
    )
    try:
        with urllib.request.urlopen(request, timeout=timeout) as reply:
            return int(reply.status), json.loads(reply.read())
    except urllib.error.HTTPError as error:
        return error.code, None


def main() -> int:
    config = json.loads(Path(sys.argv[1]).read_text())
    servers: list[str] = config["servers"]
    deadline = time.monotonic() + float(config["deadline_s"])
    progress = Path(config["progress"])
    lock = threading.Lock()
    result: dict[str, Any] = {
        "sent": {},
        "replies": {},
        "failures": [],
        "retries": 0,
        "ambiguous": 0,
    }
    done = [0]

    def converse(index: int, sender: str, script: list[list[Any]]) -> None:
        current = index % len(servers)
        sent: list[str] = []
        kinds: list[list[str]] = []
        for text, audience in script:
            body: dict[str, Any] = {"sender": sender, "message": text}
            if audience:
                body["metadata"] = {"audience": audience}
            while True:
                if time.monotonic() > deadline:
                    with lock:
                        result["failures"].append(f"{sender}: deadline at turn {len(sent)}")
                    return
                try:
                    status, reply = post(servers[current], body, config["request_timeout_s"])
                except (OSError, TimeoutError) as error:
                    status, reply = 0, None
                    if "timed out" in str(error):
                        with lock:
                            result["ambiguous"] += 1
                if status == 200:
                    break
                with lock:
                    result["retries"] += 1
                current = (current + 1) % len(servers)
                time.sleep(config["retry_pause_s"])
            sent.append(text)
            kinds.append([m["custom"]["type"] for m in reply if isinstance(m.get("custom"), dict)])
            with lock:
                done[0] += 1
                progress.write_text(str(done[0]))
            current = (current + 1) % len(servers)  # spread turns over both servers
            time.sleep(config["pause_s"])
        with lock:
            result["sent"][sender] = sent
            result["replies"][sender] = kinds

    threads = [
        threading.Thread(target=converse, args=(i, sender, script))
        for i, (sender, script) in enumerate(config["conversations"].items())
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main())
