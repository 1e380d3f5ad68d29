"""The production profile under test: PostgreSQL + Redis + two Rasa and two action servers.

Every test here is marked ``production``. PostgreSQL and Redis are started (installed if
missing) by ``scripts/services.sh`` into ``var/services/`` with a separate database
``b12_test``; if they cannot be reached the tests are skipped, except under ``CI`` where that is a
failure. Rasa server *i* calls action server *i*; both Rasa servers share the database and the
lock store, as behind a load balancer (deploy/README.md).
"""

from __future__ import annotations

import os
import secrets
import shlex
import subprocess
import time
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

import rasa_patches
from tests.e2e.conftest import Bot, _free_port, _get
from tests.servers import MODEL, ROOT, action_server_argv, rasa_server_argv

SERVICES = ROOT / "scripts" / "services.sh"
ENDPOINTS = ROOT / "deploy" / "endpoints.production.yml"
TEST_DB = "b12_test"
START_TIMEOUT_S = 300
# Short limits so that fault tests finish quickly; LOCK_LIFETIME must exceed TURN_TIMEOUT.
TURN_TIMEOUT_S = 20
LOCK_LIFETIME_S = 30


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "production: needs PostgreSQL and Redis (scripts/services.sh); slow"
    )


@pytest.hookimpl(tryfirst=True)
def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark everything under tests/production/ so `-m "not production"` leaves it out."""
    here = str(Path(__file__).parent)
    for item in items:
        if str(item.fspath).startswith(here):
            item.add_marker(pytest.mark.production)


@pytest.fixture(autouse=True)
def patches_installed() -> None:
    """In-process channels are built as the entry points build them: patches installed."""
    rasa_patches.install()


def services(*args: str, timeout: float = 600) -> subprocess.CompletedProcess[str]:
    """Run scripts/services.sh with the test database."""
    return subprocess.run(
        [str(SERVICES), *args],
        cwd=ROOT,
        env=os.environ | {"DB_NAME": TEST_DB},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def _unavailable(reason: str) -> None:
    if os.environ.get("CI"):
        pytest.fail(f"CI: PostgreSQL/Redis not available: {reason}")
    pytest.skip(f"PostgreSQL/Redis not available: {reason}")


@pytest.fixture(scope="session")
def service_env() -> dict[str, str]:
    """Start PostgreSQL and Redis; the DB_* / REDIS_* variables to reach them."""
    try:
        started = services("start")
    except (OSError, subprocess.TimeoutExpired) as error:
        _unavailable(repr(error))
    if started.returncode != 0:
        _unavailable(started.stderr[-2000:])
    if services("status").returncode != 0:
        _unavailable("scripts/services.sh status reports a service down")
    env: dict[str, str] = {}
    for line in services("env").stdout.splitlines():
        for assignment in shlex.split(line.removeprefix("export ")):
            key, _, value = assignment.partition("=")
            env[key] = value
    return env


def pg_connect(env: dict[str, str]) -> Any:
    import psycopg2

    return psycopg2.connect(
        host=env["DB_HOST"],
        port=int(env["DB_PORT"]),
        dbname=env["DB_NAME"],
        user=env["DB_USER"],
        password=env["DB_PASSWORD"],
        connect_timeout=5,
    )


@dataclass
class Server:
    """One server process that can be stopped and started again."""

    name: str
    argv: list[str]
    env: dict[str, str]
    log: Path
    health_url: str
    proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        assert self.proc is None or self.proc.poll() is not None
        self.proc = subprocess.Popen(
            self.argv,
            cwd=ROOT,
            env=self.env,
            stdout=self.log.open("a"),
            stderr=subprocess.STDOUT,
        )

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(timeout=10)

    def healthy(self) -> bool:
        return self.proc is not None and self.proc.poll() is None and _get(self.health_url) == 200

    def wait_healthy(self, timeout: float = START_TIMEOUT_S) -> None:
        deadline = time.monotonic() + timeout
        while not self.healthy():
            if self.proc is None or self.proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail(f"{self.name} did not start:\n{self.log.read_text()[-4000:]}")
            time.sleep(0.5)

    @property
    def pid(self) -> int:
        assert self.proc is not None
        return self.proc.pid

    def rss_bytes(self) -> int:
        """Resident set size from /proc (no psutil needed)."""
        for line in Path(f"/proc/{self.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        return 0


@dataclass
class Cluster:
    """Two Rasa servers (``bots[0]``, ``bots[1]``) and their action servers."""

    env: dict[str, str]
    bots: list[Bot]
    rasa: list[Server]
    actions: list[Server]
    work: Path
    _senders: list[str] = field(default_factory=list)

    def sender(self, prefix: str = "prod") -> str:
        return f"{prefix}-{uuid.uuid4().hex}"

    def events(self, sender: str) -> list[tuple[str, dict[str, Any]]]:
        """(type_name, event) of every stored event of ``sender``, in insertion order."""
        import json

        with pg_connect(self.env) as conn, conn.cursor() as cursor:
            cursor.execute(
                "SELECT type_name, data FROM events WHERE sender_id = %s ORDER BY id", (sender,)
            )
            rows = cursor.fetchall()
        conn.close()
        return [(type_name, json.loads(data)) for type_name, data in rows]

    def user_texts(self, sender: str) -> list[str]:
        return [e["text"] for kind, e in self.events(sender) if kind == "user"]

    def logs(self) -> str:
        return "\n".join(
            f"--- {s.name} ---\n{s.log.read_text()[-3000:]}" for s in self.rasa + self.actions
        )

    def ensure_up(self) -> None:
        """Restart whatever a fault test left stopped."""
        for server in self.actions + self.rasa:
            if not server.healthy():
                server.stop()
                server.start()
        for server in self.actions + self.rasa:
            server.wait_healthy()


def _rasa_env(base: dict[str, str], action_port: int) -> dict[str, str]:
    return base | {"ACTION_SERVER_URL": f"http://127.0.0.1:{action_port}/webhook"}


@pytest.fixture(scope="session")
def cluster(
    service_env: dict[str, str], tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Cluster]:
    if not MODEL.exists():
        pytest.fail(f"no trained model at {MODEL}: run `make train` first")
    work = tmp_path_factory.mktemp("production")
    base = (
        dict(os.environ)
        | service_env
        | {
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONPATH": f"{ROOT}:{ROOT / 'src'}",
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "SQLALCHEMY_SILENCE_UBER_WARNING": "1",
            "ACTION_SERVER_TOKEN": secrets.token_urlsafe(32),
            "WEBCHAT_SECRET": secrets.token_hex(32),
            "FEEDBACK_PATH": str(work / "feedback.jsonl"),
            "RATE_LIMIT_PER_MINUTE": "0",
            "TURN_TIMEOUT": str(TURN_TIMEOUT_S),
            "LOCK_LIFETIME": str(LOCK_LIFETIME_S),
            # The stores run their (blocking) queries one at a time per process.
            "SQL_POOL_SIZE": "5",
            "SQL_MAX_OVERFLOW": "5",
        }
    )
    base.pop("CORS_ORIGINS", None)
    bots: list[Bot] = []
    rasa: list[Server] = []
    actions: list[Server] = []
    for index in range(2):
        action_port, rasa_port = _free_port(), _free_port()
        action = Server(
            name=f"actions-{index}",
            argv=action_server_argv(action_port),
            env=base,
            log=work / f"actions-{index}.log",
            health_url=f"http://127.0.0.1:{action_port}/health",
        )
        server = Server(
            name=f"rasa-{index}",
            argv=rasa_server_argv(rasa_port, ENDPOINTS),
            env=_rasa_env(base, action_port),
            log=work / f"rasa-{index}.log",
            health_url=f"http://127.0.0.1:{rasa_port}/webhooks/rest/",
        )
        actions.append(action)
        rasa.append(server)
        bots.append(
            Bot(
                rasa_url=f"http://127.0.0.1:{rasa_port}",
                action_url=f"http://127.0.0.1:{action_port}",
                feedback_path=work / "feedback.jsonl",
                action_log=action.log,
                rasa_log=server.log,
                action_token=base["ACTION_SERVER_TOKEN"],
                rate_limit_per_minute=0,
            )
        )
    running = Cluster(env=service_env, bots=bots, rasa=rasa, actions=actions, work=work)
    try:
        for server in actions + rasa:
            server.start()
        for server in actions + rasa:
            server.wait_healthy()
        yield running
    finally:
        for server in rasa + actions:
            server.stop()


@pytest.fixture
def up(cluster: Cluster, service_env: dict[str, str]) -> Iterator[Cluster]:
    """The cluster with every service running, before and after the test."""
    assert services("start").returncode == 0
    cluster.ensure_up()
    yield cluster
    assert services("start").returncode == 0
    cluster.ensure_up()


def retry_until(check: Callable[[], Any], timeout: float, interval: float = 0.5) -> Any:
    """Call ``check`` until it returns a truthy value or ``timeout`` passes."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(interval)
