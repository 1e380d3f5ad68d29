"""Network partition: the production profile as separate hosts; a Rasa host, then Redis, cut off.

Every process runs in a network namespace this test creates (``ip netns``), joined by veth pairs
to a bridge in a "switch" namespace, with addresses only inside those namespaces (nothing is
added to the host's network): PostgreSQL, Redis, two action servers, two Rasa servers (started
as ``python -m rasa_patches run`` with ``deploy/endpoints.production.yml``) and a client
(``partition_client.py``). Mid-soak the test takes the first Rasa host's link down, then
Redis's, each for a few seconds, and brings them back. Afterwards:

- every turn the client sent got HTTP 200 in the end (retried on the other server on failure);
- PostgreSQL holds each conversation's user messages exactly as sent: none lost, none twice;
- the conversation resumes with its facts: the last plan and "why?" still carry the age and
  platelet count of the first message.

Bounded: the soak has a deadline (``PARTITION_DEADLINE_S``, default 240 s). Needs root and
``ip`` (iproute2); skipped otherwise (a failure under ``CI``).
"""

from __future__ import annotations

import json
import os
import secrets
import shutil
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

from tests.production.conftest import LOCK_LIFETIME_S, TURN_TIMEOUT_S
from tests.production.test_cluster import facts_message
from tests.servers import MODEL, ROOT

DEADLINE_S = float(os.environ.get("PARTITION_DEADLINE_S", "240"))
START_TIMEOUT_S = 400
CUT_S = 8.0
HOSTS = ("pg", "redis", "a1", "a2", "r1", "r2", "cl")
CLIENT = Path(__file__).with_name("partition_client.py")


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI: network namespaces not available: {reason}")
    pytest.skip(f"network namespaces not available: {reason}")


def run(*argv: str, check: bool = True) -> subprocess.CompletedProcess[str]:
    return subprocess.run(argv, capture_output=True, text=True, check=check, timeout=60)


@dataclass
class Net:
    """Namespaces ``{prefix}-{host}`` on one /24 behind a bridge in ``{prefix}-sw``."""

    prefix: str
    subnet: str  # e.g. "10.231.17"
    work: Path
    procs: list[subprocess.Popen[bytes]] = field(default_factory=list)

    def ns(self, host: str) -> str:
        return f"{self.prefix}-{host}"

    def ip(self, host: str) -> str:
        return f"{self.subnet}.{HOSTS.index(host) + 2}"

    def build(self) -> None:
        sw = self.ns("sw")
        run("ip", "netns", "add", sw)
        run("ip", "-n", sw, "link", "add", "br0", "type", "bridge")
        run("ip", "-n", sw, "link", "set", "br0", "up")
        for host in HOSTS:
            name = self.ns(host)
            run("ip", "netns", "add", name)
            run("ip", "-n", name, "link", "set", "lo", "up")
            run("ip", "link", "add", f"{self.prefix[-6:]}{host}", "type", "veth", "peer", "name",
                f"s{self.prefix[-5:]}{host}")  # fmt: skip
            run("ip", "link", "set", f"{self.prefix[-6:]}{host}", "netns", name, "name", "eth0")
            run("ip", "link", "set", f"s{self.prefix[-5:]}{host}", "netns", sw, "name", f"p-{host}")
            run("ip", "-n", sw, "link", "set", f"p-{host}", "master", "br0", "up")
            run("ip", "-n", name, "addr", "add", f"{self.ip(host)}/24", "dev", "eth0")
            run("ip", "-n", name, "link", "set", "eth0", "up")

    def cut(self, host: str) -> None:
        run("ip", "-n", self.ns("sw"), "link", "set", f"p-{host}", "down")

    def mend(self, host: str) -> None:
        run("ip", "-n", self.ns("sw"), "link", "set", f"p-{host}", "up")

    def spawn(self, host: str, argv: list[str], env: dict[str, str], log: str) -> None:
        out = (self.work / log).open("w")
        self.procs.append(
            subprocess.Popen(
                ["ip", "netns", "exec", self.ns(host), *argv],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        )

    def in_ns(self, host: str, *argv: str, timeout: float = 60) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            ["ip", "netns", "exec", self.ns(host), *argv],
            capture_output=True,
            text=True,
            check=False,
            timeout=timeout,
        )

    def teardown(self) -> None:
        for proc in reversed(self.procs):
            if proc.poll() is None:
                proc.terminate()
        for proc in self.procs:
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()
        for host in (*HOSTS, "sw"):
            run("ip", "netns", "del", self.ns(host), check=False)


def _pg_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        _unavailable("PostgreSQL binaries missing (run scripts/services.sh start once)")
    return found[-1].parent


@pytest.fixture
def net() -> Iterator[Net]:
    if os.geteuid() != 0 or shutil.which("ip") is None:
        _unavailable("needs root and iproute2")
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    suffix = uuid.uuid4().hex[:4]
    work = Path(tempfile.mkdtemp(prefix="b12-partition-"))
    work.chmod(0o755)
    net = Net(prefix=f"b12p{suffix}", subnet=f"10.231.{int(suffix, 16) % 250 + 1}", work=work)
    try:
        net.build()
    except subprocess.CalledProcessError as error:
        net.teardown()
        _unavailable(error.stderr.strip())
    try:
        yield net
    finally:
        net.teardown()
        shutil.rmtree(work, ignore_errors=True)


def start_postgres(net: Net) -> None:
    bin_dir, data = _pg_bin(), net.work / "pg"
    data.mkdir()
    shutil.chown(data, "postgres", "postgres")
    init = subprocess.run(
        ["runuser", "-u", "postgres", "--", str(bin_dir / "initdb"), "-D", str(data), "-U",
         "postgres", "-E", "UTF8", "--no-locale", "--auth-host=trust", "--auth-local=trust"],
        capture_output=True, text=True, check=False, timeout=120,
    )  # fmt: skip
    assert init.returncode == 0, init.stderr
    with (data / "pg_hba.conf").open("a") as hba:
        hba.write(f"host all all {net.subnet}.0/24 trust\n")  # test-only, namespaced network
    net.spawn(
        "pg",
        ["runuser", "-u", "postgres", "--", str(bin_dir / "postgres"), "-D", str(data),
         "-h", net.ip("pg"), "-p", "5432", "-k", str(data)],
        dict(os.environ), "postgres.log",
    )  # fmt: skip


def wait_for(check: Any, timeout: float, what: str, logs: Path) -> None:
    deadline = time.monotonic() + timeout
    while not check():
        if time.monotonic() > deadline:
            tails = "\n".join(f"--- {p.name}\n{p.read_text()[-2500:]}" for p in logs.glob("*.log"))
            pytest.fail(f"{what} not up after {timeout} s\n{tails}")
        time.sleep(1)


def start_profile(net: Net) -> list[str]:
    """PostgreSQL, Redis, two action servers, two Rasa servers; return the Rasa URLs."""
    start_postgres(net)
    base = dict(os.environ) | {
        "RASA_TELEMETRY_ENABLED": "false",
        "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}",
        "TF_CPP_MIN_LOG_LEVEL": "2",
        "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
        "ACTION_SERVER_TOKEN": secrets.token_urlsafe(32),
        "WEBCHAT_SECRET": secrets.token_hex(32),
        "FEEDBACK_PATH": str(net.work / "feedback.jsonl"),
        "RATE_LIMIT_PER_MINUTE": "0",
        "TURN_TIMEOUT": str(TURN_TIMEOUT_S),
        "LOCK_LIFETIME": str(LOCK_LIFETIME_S),
        "DB_HOST": net.ip("pg"), "DB_PORT": "5432", "DB_NAME": "postgres",
        "DB_USER": "postgres", "DB_PASSWORD": "unused-trust-auth",
        "REDIS_HOST": net.ip("redis"), "REDIS_PORT": "6379",
        "REDIS_PASSWORD": "p-" + secrets.token_hex(8),
        "DB_CONNECT_TIMEOUT": "3",
    }  # fmt: skip
    base.pop("CORS_ORIGINS", None)
    net.spawn(
        "redis",
        ["redis-server", "--bind", net.ip("redis"), "--port", "6379", "--requirepass",
         base["REDIS_PASSWORD"], "--save", "", "--appendonly", "no", "--dir", str(net.work)],
        base, "redis.log",
    )  # fmt: skip
    ready = net.in_ns
    wait_for(
        lambda: ready("pg", str(_pg_bin() / "pg_isready"), "-h", net.ip("pg"), "-p", "5432")
        .returncode == 0,
        60, "PostgreSQL", net.work,
    )  # fmt: skip
    python = sys.executable
    for action in ("a1", "a2"):
        net.spawn(
            action,
            [python, "-m", "action_server", "--actions", "actions", "--port", "5055",
             "--host", net.ip(action)],
            base, f"actions-{action}.log",
        )  # fmt: skip
    urls = []
    for rasa, action in (("r1", "a1"), ("r2", "a2")):
        env = base | {"ACTION_SERVER_URL": f"http://{net.ip(action)}:5055/webhook"}
        net.spawn(
            rasa,
            [python, "-m", "rasa_patches", "run", "--model", str(MODEL), "--port", "5005",
             "--interface", net.ip(rasa), "--credentials", str(ROOT / "credentials.yml"),
             "--endpoints", str(ROOT / "deploy" / "endpoints.production.yml")],
            env, f"rasa-{rasa}.log",
        )  # fmt: skip
        urls.append(f"http://{net.ip(rasa)}:5005")
    probe = (
        "import sys, urllib.request\n"
        "for url in sys.argv[1:]:\n"
        "    urllib.request.urlopen(url + '/webhooks/rest/', timeout=3)\n"
    )
    wait_for(
        lambda: net.in_ns("cl", python, "-c", probe, *urls, timeout=30).returncode == 0,
        START_TIMEOUT_S, "Rasa servers", net.work,
    )  # fmt: skip
    return urls


def script(age: int, platelets: int) -> list[list[Any]]:
    return [
        [facts_message(age, platelets), "clinician"],
        ["no", None],
        *[[text, None] for text in ("why?", "sources", "no", "why?") * 3],
    ]


def test_partition_of_a_rasa_host_and_of_redis_loses_and_repeats_no_turn(net: Net) -> None:
    urls = start_profile(net)
    people = {f"part-{uuid.uuid4().hex[:8]}-{i}": (30 + i, 60 + i) for i in range(6)}
    progress = net.work / "progress"
    progress.write_text("0")
    config = {
        "servers": urls,
        "conversations": {s: script(*facts) for s, facts in people.items()},
        "deadline_s": DEADLINE_S,
        "request_timeout_s": TURN_TIMEOUT_S + 10,
        "retry_pause_s": 1.0,
        "pause_s": 0.2,
        "progress": str(progress),
    }
    config_path = net.work / "client.json"
    config_path.write_text(json.dumps(config))
    total = sum(len(s) for s in config["conversations"].values())  # type: ignore[attr-defined]
    python = sys.executable
    client = subprocess.Popen(
        ["ip", "netns", "exec", net.ns("cl"), python, str(CLIENT), str(config_path)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )

    def reached(turns: int) -> bool:
        return int(progress.read_text() or 0) >= turns or client.poll() is not None

    wait_for(lambda: reached(total // 4), DEADLINE_S, "first quarter of the soak", net.work)
    net.cut("r1")  # one Rasa host gone: turns in flight there time out, the client fails over
    time.sleep(CUT_S)
    net.mend("r1")
    wait_for(lambda: reached(total // 2), DEADLINE_S, "half of the soak", net.work)
    net.cut("redis")  # the lock store gone for both servers: 503, the client retries
    time.sleep(CUT_S)
    net.mend("redis")
    out, err = client.communicate(timeout=DEADLINE_S + 60)
    assert client.returncode == 0, err[-3000:]
    result = json.loads(out.strip().splitlines()[-1])
    assert result["failures"] == []
    assert result["retries"] > 0  # the cuts were felt

    stored = stored_user_texts(net, list(people))
    for sender, (age, platelets) in people.items():
        assert stored[sender] == result["sent"][sender], sender  # none lost, none twice
        assert len(result["sent"][sender]) == len(config["conversations"][sender])  # type: ignore[index]
        facts = last_facts(net, sender)
        assert facts.get("age") == age and facts.get("platelet_count") == float(platelets), facts


def psql(net: Net, query: str) -> list[str]:
    out = net.in_ns(
        "cl", str(_pg_bin() / "psql"), "-h", net.ip("pg"), "-U", "postgres", "-At", "-F", "\t",
        "-c", query,
    )  # fmt: skip
    assert out.returncode == 0, out.stderr
    return out.stdout.splitlines()


def stored_user_texts(net: Net, senders: list[str]) -> dict[str, list[str]]:
    texts: dict[str, list[str]] = {sender: [] for sender in senders}
    for line in psql(
        net, "SELECT sender_id, data FROM events WHERE type_name = 'user' ORDER BY id"
    ):
        sender, _, data = line.partition("\t")
        if sender in texts:
            texts[sender].append(json.loads(data)["text"])
    return texts


def last_facts(net: Net, sender: str) -> dict[str, Any]:
    """``facts_used`` of the last plan or "why?" the bot stored for ``sender``."""
    query = (
        f"SELECT data FROM events WHERE sender_id = '{sender}' AND type_name = 'bot' ORDER BY id"
    )
    lines = psql(net, query)
    facts: dict[str, Any] = {}
    for line in lines:
        custom = (json.loads(line).get("data") or {}).get("custom") or {}
        if isinstance(custom.get("facts_used"), dict):
            facts = custom["facts_used"]
    return facts
