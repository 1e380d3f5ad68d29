"""``make bench``: training time, cold start, turn latency, throughput and memory, in one run.

    python -m bench.run_bench            # or: python bench/run_bench.py  (in .venv)

Compares the B12 bot with the default bot of ``rasa init --no-prompt``, both trained here from a
clean cache. Servers listen on 127.0.0.1 only, on free ports, each started in its own process
group and always stopped (try/finally). Prints a table and writes the same figures as JSON to
``results/bench/latest.json``; server logs and Locust CSVs go to ``results/bench/``.
Targets are reported as PASS/MISS and never fail the run; the exit code is non-zero only when
a measurement could not be taken.

Load: Locust (headless) from ``.venv-bench``, created here from the pinned
``bench/requirements.txt`` (Locust's Flask/gevent/requests pins conflict with Rasa 3.6's, so
it cannot live in ``.venv``). If it cannot be installed, ``bench/loadgen.py`` (aiohttp,
same closed-loop model) is used instead and the output says so.
"""

from __future__ import annotations

import argparse
import csv
import datetime as dt
import hashlib
import json
import math
import os
import secrets
import shutil
import signal
import sys
import tempfile
import time
import traceback
import uuid
from collections import Counter
from collections.abc import Callable
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # `python bench/run_bench.py`
    sys.path.insert(0, str(ROOT))

from bench.conversations import CONVERSATIONS  # noqa: E402
from bench.procs import (  # noqa: E402
    Proc,
    RestClient,
    cpu_busy_seconds,
    first_reply_seconds,
    free_port,
    loadavg,
    machine,
    rss_mb,
    run_timed,
)

RESULTS = ROOT / "results" / "bench"
BENCH_VENV = ROOT / ".venv-bench"
REQUIREMENTS = ROOT / "bench" / "requirements.txt"

TARGETS = {
    "p95_ratio_max": 0.75,
    "throughput_two_servers_min_turns_per_s": 50.0,
    "cold_start_max_s": 30.0,
    "training_max_s": 120.0,
    "rss_max_mb_per_server": 1000.0,  # 1.0 GB = 10^9 bytes
}
RASA_MARKERS = ("Starting Rasa server", "Loading model", "Rasa server is up and running")
ACTION_MARKERS = ("Action server on",)
TRAIN_EVENTS = ("Started validating", "Starting to train component", "Finished training component")
B12_FIRST_TURN = (
    "62F, IF antibodies +, pins and needles in both feet, platelets 120",
    "clinician",
    "b12.regimen",
)
DEFAULT_FIRST_TURN = ("hello", None, None)


def rasa_bin() -> Path:
    """bin/ of the Rasa venv (the running interpreter's, else .venv)."""
    here = Path(sys.executable).parent
    return here if (here / "rasa").exists() else ROOT / ".venv" / "bin"


BIN = rasa_bin()


def log(message: str) -> None:
    """Progress line."""
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", flush=True)


# --- environment -----------------------------------------------------------------------------


def base_env(tmp: Path, pythonpath: str) -> dict[str, str]:
    """Environment for the servers and tools of this run."""
    env = dict(os.environ)
    for key in ("CORS_ORIGINS", "RASA_API_TOKEN", "PYTHONDONTWRITEBYTECODE"):
        env.pop(key, None)
    env.update(
        {
            "RASA_TELEMETRY_ENABLED": "false",
            "PYTHONPATH": pythonpath,
            "TF_CPP_MIN_LOG_LEVEL": "2",
            "PYTHONUNBUFFERED": "1",
            "RATE_LIMIT_PER_MINUTE": "0",
            "ACTION_SERVER_TOKEN": secrets.token_urlsafe(32),
            "WEBCHAT_SECRET": secrets.token_hex(32),
            "FEEDBACK_PATH": str(tmp / "feedback.jsonl"),
        }
    )
    return env


def ensure_bench_venv(logs: Path) -> Path | None:
    """``.venv-bench`` with the pinned Locust; None if it cannot be installed."""
    locust = BENCH_VENV / "bin" / "locust"
    stamp = BENCH_VENV / ".bench-requirements.sha256"
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if locust.exists() and stamp.exists() and stamp.read_text().strip() == digest:
        return locust
    log(f"creating {BENCH_VENV.name} from {REQUIREMENTS.relative_to(ROOT)} (once)")
    env = dict(os.environ)
    env.pop("PYTHONPATH", None)
    python = BENCH_VENV / "bin" / "python"
    if not python.exists():
        _, code, _ = run_timed(
            [sys.executable, "-m", "venv", str(BENCH_VENV)],
            cwd=ROOT,
            env=env,
            log=logs / "bench-venv.log",
            timeout=120,
        )
        if code != 0:
            return None
    _, code, _ = run_timed(
        [
            str(python),
            "-m",
            "pip",
            "install",
            "--quiet",
            "--disable-pip-version-check",
            "-r",
            str(REQUIREMENTS),
        ],
        cwd=ROOT,
        env=env,
        log=logs / "bench-pip.log",
        timeout=600,
    )
    if code != 0 or not locust.exists():
        return None
    stamp.write_text(digest + "\n")
    return locust


# --- statistics ------------------------------------------------------------------------------


def percentile(samples: list[float], p: float) -> float:
    """Nearest-rank percentile."""
    ordered = sorted(samples)
    rank = max(1, math.ceil(p / 100 * len(ordered)))
    return ordered[rank - 1]


def summarize(samples_s: list[float]) -> dict[str, Any]:
    """p50/p95/p99, mean and max in ms."""
    ms = [s * 1000 for s in samples_s]
    return {
        "turns": len(ms),
        "p50_ms": round(percentile(ms, 50), 1),
        "p95_ms": round(percentile(ms, 95), 1),
        "p99_ms": round(percentile(ms, 99), 1),
        "mean_ms": round(sum(ms) / len(ms), 1),
        "max_ms": round(max(ms), 1),
    }


# --- phases ----------------------------------------------------------------------------------


class Bench:
    """One benchmark run: phases, servers, results."""

    def __init__(self, args: argparse.Namespace) -> None:
        self.args = args
        self.tmp = Path(tempfile.mkdtemp(prefix="b12-bench-"))
        self.logs = RESULTS / "logs"
        self.deadline = time.monotonic() + args.budget
        self.servers: dict[str, Proc] = {}
        self.ports: dict[str, int] = {}
        self.errors: list[str] = []
        self.r: dict[str, Any] = {}
        self.env = base_env(self.tmp, f"{ROOT}:{ROOT / 'src'}")
        self.b12_model: Path | None = None
        self.default_dir = self.tmp / "default-bot"
        self.default_model: Path | None = None
        self.default_env = base_env(self.tmp, str(self.default_dir))

    def left(self) -> float:
        """Seconds left in the run's time budget."""
        return float(self.deadline - time.monotonic())

    def phase(self, name: str, fn: Callable[[], None]) -> None:
        """Run one phase; record an error instead of raising."""
        if self.left() < 20:
            self.errors.append(f"{name}: skipped, time budget ({self.args.budget} s) used up")
            log(self.errors[-1])
            return
        log(f"{name} ...")
        start = time.monotonic()
        try:
            fn()
        except Exception as error:
            self.errors.append(f"{name}: {type(error).__name__}: {error}")
            log(f"{name} FAILED: {error}")
            traceback.print_exc(file=sys.stdout)
        log(f"{name} done in {time.monotonic() - start:.1f} s")

    # 1. training
    def train(self) -> None:
        """Train both bots from a clean cache into the temp dir, timed."""
        training: dict[str, Any] = {}
        self.r["training"] = training
        cache = self.tmp / "cache-b12"
        out = self.tmp / "models-b12"
        env = self.env | {"RASA_CACHE_DIRECTORY": str(cache)}
        secs, code, events = run_timed(
            [
                str(BIN / "rasa"),
                "train",
                "--config",
                "config.yml",
                "--domain",
                "domain.yml",
                "--data",
                "data",
                "--out",
                str(out),
                "--fixed-model-name",
                "b12",
            ],
            cwd=ROOT,
            env=env,
            log=self.logs / "train-b12.log",
            timeout=min(600, self.left()),
            events=TRAIN_EVENTS,
        )
        training["b12_s"] = round(secs, 1)
        training["b12_breakdown"] = training_breakdown(events, secs)
        model = out / "b12.tar.gz"
        if code == 0 and model.exists():
            self.b12_model = model
        else:
            training["b12_error"] = f"exit {code}, see results/bench/logs/train-b12.log"
            self.errors.append(f"training B12: {training['b12_error']}")
            fallback = ROOT / "models" / "b12.tar.gz"
            if fallback.exists():
                self.b12_model = fallback
                training["b12_model_used"] = "models/b12.tar.gz (training failed)"

        self.default_dir.mkdir()
        env = self.default_env | {"RASA_CACHE_DIRECTORY": str(self.tmp / "cache-default")}
        secs, code, events = run_timed(
            [str(BIN / "rasa"), "init", "--no-prompt", "--init-dir", str(self.default_dir)],
            cwd=self.tmp,
            env=env,
            log=self.logs / "train-default.log",
            timeout=min(600, self.left()),
            events=TRAIN_EVENTS,
        )
        training["default_s"] = round(secs, 1)
        training["default_breakdown"] = training_breakdown(events, secs)
        training["default_note"] = "`rasa init --no-prompt`: scaffold copy + training"
        models = sorted((self.default_dir / "models").glob("*.tar.gz"))
        if code == 0 and models:
            self.default_model = models[-1]
        else:
            training["default_error"] = f"exit {code}, see results/bench/logs/train-default.log"
            self.errors.append(f"training default bot: {training['default_error']}")

    # 2. cold start
    def _start_rasa(
        self,
        name: str,
        model: Path,
        cwd: Path,
        env: dict[str, str],
        credentials: Path,
        endpoints: Path,
        *,
        patched: bool = False,
    ) -> Proc:
        port = free_port()
        self.ports[name] = port
        # Our bot runs as in production, with the project's Rasa patches installed
        # (`python -m rasa_patches run`); the default bot runs stock `rasa run`.
        command = [str(BIN / "python"), "-m", "rasa_patches"] if patched else [str(BIN / "rasa")]
        proc = Proc(
            name,
            [
                *command,
                "run",
                "--model",
                str(model),
                "--port",
                str(port),
                "--interface",
                "127.0.0.1",
                "--credentials",
                str(credentials),
                "--endpoints",
                str(endpoints),
            ],
            cwd=cwd,
            env=env,
            log=self.logs / f"{name}.log",
            markers=RASA_MARKERS,
        )
        self.servers[name] = proc
        return proc

    def _start_b12_pair(self, suffix: str) -> tuple[Proc, Proc, float]:
        assert self.b12_model is not None
        action_port = free_port()
        self.ports[f"b12-actions-{suffix}"] = action_port
        endpoints = self.tmp / f"endpoints-{suffix}.yml"
        endpoints.write_text(
            "action_endpoint:\n"
            f'  url: "http://127.0.0.1:{action_port}/webhook"\n'
            "  token: ${ACTION_SERVER_TOKEN}\n"
        )
        started = time.monotonic()
        actions = Proc(
            f"b12-actions-{suffix}",
            [
                str(BIN / "python"),
                "-m",
                "action_server",
                "--actions",
                "actions",
                "--port",
                str(action_port),
            ],
            cwd=ROOT,
            env=self.env,
            log=self.logs / f"b12-actions-{suffix}.log",
            markers=ACTION_MARKERS,
        )
        self.servers[actions.name] = actions
        rasa = self._start_rasa(
            f"b12-rasa-{suffix}",
            self.b12_model,
            ROOT,
            self.env,
            ROOT / "credentials.yml",
            endpoints,
            patched=True,
        )
        return rasa, actions, started

    def _cold(
        self,
        rasa: Proc,
        others: list[Proc],
        started: float,
        turn: tuple[str, str | None, str | None],
    ) -> dict[str, Any]:
        port = self.ports[rasa.name]
        secs, _ = first_reply_seconds(
            port, turn, started, time.monotonic() + min(240, self.left()), [rasa, *others]
        )
        second, problem = RestClient(port).turn(f"second-{uuid.uuid4().hex}", *turn)
        result: dict[str, Any] = {
            "first_answer_s": round(secs, 2),
            "second_turn_ms": round(second * 1000, 1),
            "rasa_log_markers_s": {k: round(v, 2) for k, v in rasa.marker_times.items()},
        }
        for proc in others:
            result[f"{proc.name}_ready_s"] = {
                k: round(v + proc.started - started, 2) for k, v in proc.marker_times.items()
            }
        if problem:
            result["second_turn_problem"] = problem
        return result

    def cold_start(self) -> None:
        """Start each bot from nothing and time it to the first answer; servers stay up."""
        cold: dict[str, Any] = {}
        self.r["cold_start"] = cold
        if self.default_model:
            rasa = self._start_rasa(
                "default-rasa",
                self.default_model,
                self.default_dir,
                self.default_env,
                self.default_dir / "credentials.yml",
                self.default_dir / "endpoints.yml",
            )
            cold["default"] = self._cold(rasa, [], rasa.started, DEFAULT_FIRST_TURN)
            cold["default"]["note"] = "no action server: the moodbot has no custom actions"
        if self.b12_model:
            rasa, actions, started = self._start_b12_pair("1")
            cold["b12"] = self._cold(rasa, [actions], started, B12_FIRST_TURN)

    def second_b12_server(self) -> None:
        """A second B12 Rasa + action server pair for the two-server run."""
        rasa, actions, started = self._start_b12_pair("2")
        first_reply_seconds(
            self.ports[rasa.name],
            B12_FIRST_TURN,
            started,
            time.monotonic() + min(240, self.left()),
            [rasa, actions],
        )
        self._replay(self.ports[rasa.name], "b12", 1)  # same warm-up as server 1

    # 3. latency
    def _replay(
        self,
        port: int,
        bot: str,
        passes: int,
        samples: list[float] | None = None,
        problems: Counter[str] | None = None,
    ) -> None:
        client = RestClient(port)
        try:
            for _ in range(passes):
                for script in CONVERSATIONS[bot]:
                    sender = f"lat-{uuid.uuid4().hex}"
                    for message, audience, expected in script:
                        secs, problem = client.turn(sender, message, audience, expected)
                        if samples is not None:
                            samples.append(secs)
                        if problem and problems is not None:
                            problems[f"{message[:40]!r}: {problem}"] += 1
        finally:
            client.close()

    def latency(self) -> None:
        """Sequential turns on idle servers, alternating the bots pass by pass."""
        bots = [
            b
            for b, name in (("b12", "b12-rasa-1"), ("default", "default-rasa"))
            if name in self.servers
        ]
        port = {
            "b12": self.ports.get("b12-rasa-1", 0),
            "default": self.ports.get("default-rasa", 0),
        }
        for bot in bots:  # warm-up pass, not measured
            self._replay(port[bot], bot, 1)
        samples: dict[str, list[float]] = {b: [] for b in bots}
        problems: dict[str, Counter[str]] = {b: Counter() for b in bots}
        # Alternate the bots pass by pass, so background load on a shared machine hits both.
        while any(len(samples[b]) < self.args.latency_turns for b in bots):
            for bot in bots:
                if len(samples[bot]) < self.args.latency_turns:
                    self._replay(port[bot], bot, 1, samples[bot], problems[bot])
            if self.left() < 60:
                self.errors.append("latency: stopped early, time budget")
                break
        lat: dict[str, Any] = {}
        for bot in bots:
            lat[bot] = summarize(samples[bot]) | {
                "unexpected_replies": sum(problems[bot].values()),
                "unexpected_examples": [k for k, _ in problems[bot].most_common(3)],
            }
        lat["client"] = "one sequential keep-alive client, servers otherwise idle"
        self.r["latency"] = lat

    # 5. memory
    def memory(self, label: str) -> None:
        """VmRSS of every running server."""
        mem = self.r.setdefault("memory", {})
        mem[label] = {name: rss_mb(proc.pid) for name, proc in self.servers.items() if proc.alive()}

    # 4. throughput
    def throughput(self) -> None:
        """Locust runs: B12 on 1 and 2 servers, default on 1."""
        tp: dict[str, Any] = {}
        self.r["throughput"] = tp
        locust = ensure_bench_venv(self.logs) if self.args.load_tool == "locust" else None
        tp["tool"] = (
            "locust (bench/locustfile.py, FastHttpUser) from .venv-bench"
            if locust
            else "bench/loadgen.py (aiohttp, same closed-loop model): "
            + (
                "chosen with --load-tool aiohttp"
                if self.args.load_tool == "aiohttp"
                else "Locust could not be installed, see results/bench/logs/bench-pip.log"
            )
        )
        tp["users"] = self.args.users
        tp["duration_s"] = self.args.duration
        runs = []
        if "b12-rasa-1" in self.servers:
            runs.append(("b12_1_server", "b12", ["b12-rasa-1"]))
        if "b12-rasa-2" in self.servers:
            runs.append(("b12_2_servers", "b12", ["b12-rasa-1", "b12-rasa-2"]))
        if "default-rasa" in self.servers and not self.args.skip_default_load:
            runs.append(("default_1_server", "default", ["default-rasa"]))
        for label, bot, names in runs:
            if self.left() < self.args.duration + 45:
                self.errors.append(f"throughput {label}: skipped, time budget")
                continue
            hosts = [f"http://127.0.0.1:{self.ports[n]}" for n in names]
            log(
                f"  {label}: {self.args.users} users for {self.args.duration} s on {len(hosts)} "
                "server(s)"
            )
            if locust:
                tp[label] = self._locust(locust, label, bot, hosts)
            else:
                from bench import loadgen

                tp[label] = loadgen.run(hosts, bot, self.args.users, self.args.duration)
            tp[label]["servers"] = names

    def _locust(self, locust: Path, label: str, bot: str, hosts: list[str]) -> dict[str, Any]:
        prefix = RESULTS / "locust" / label
        prefix.parent.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k != "PYTHONPATH"}
        env |= {"BENCH_HOSTS": ",".join(hosts), "BENCH_BOT": bot, "PYTHONUNBUFFERED": "1"}
        users = str(self.args.users)
        _, code, _ = run_timed(
            [
                str(locust),
                "-f",
                str(ROOT / "bench" / "locustfile.py"),
                "--headless",
                "-u",
                users,
                "-r",
                users,
                "-t",
                f"{self.args.duration}s",
                "--csv",
                str(prefix),
                "--only-summary",
                "--stop-timeout",
                "10",
                "--loglevel",
                "WARNING",
                "--exit-code-on-error",
                "0",
            ],
            cwd=ROOT,
            env=env,
            log=self.logs / f"locust-{label}.log",
            timeout=self.args.duration + 90,
        )
        rows = list(csv.DictReader(Path(f"{prefix}_stats.csv").open()))
        agg = next(r for r in rows if r["Name"] == "Aggregated")
        count, fails = int(agg["Request Count"]), int(agg["Failure Count"])
        result: dict[str, Any] = {
            "requests": count,
            "failures": fails,
            "turns_per_s": round(float(agg["Requests/s"]), 2),
            "p50_ms": float(agg["50%"]),
            "p95_ms": float(agg["95%"]),
            "p99_ms": float(agg["99%"]),
            "locust_exit_code": code,
        }
        failures_csv = Path(f"{prefix}_failures.csv")
        if fails and failures_csv.exists():
            result["failure_examples"] = [
                f"{r['Occurrences']}x {r['Error'][:120]}"
                for r in list(csv.DictReader(failures_csv.open()))[:3]
            ]
        return result

    def stop_servers(self) -> None:
        """Stop every server (process groups)."""
        for proc in reversed(list(self.servers.values())):
            proc.stop()

    # 2b. where cold start time goes
    def cold_start_breakdown(self) -> None:
        """Probe where cold start time goes (plain and under -X importtime)."""
        if self.b12_model is None:
            return
        out: dict[str, Any] = {}
        self.r["cold_start_breakdown"] = out
        probe = str(ROOT / "bench" / "coldstart_probe.py")
        models = [("b12", self.b12_model)]
        if self.default_model:
            models.append(("default", self.default_model))
        for bot, model in models:
            logf = self.logs / f"coldstart-probe-{bot}.log"
            run_timed(
                [str(BIN / "python"), probe, str(model), repr(time.time())],
                cwd=ROOT,
                env=self.env,
                log=logf,
                timeout=min(180, self.left()),
            )
            out[bot] = _probe_json(logf)
        logf = self.logs / "coldstart-importtime-b12.log"
        run_timed(
            [
                str(BIN / "python"),
                "-X",
                "importtime",
                probe,
                str(self.b12_model),
                repr(time.time()),
            ],
            cwd=ROOT,
            env=self.env,
            log=logf,
            timeout=min(180, self.left()),
        )
        out["b12_importtime"] = parse_importtime(logf.read_text(errors="replace"))

    def run(self) -> int:
        """All phases; servers always stopped; table printed, JSON written. Exit code."""
        RESULTS.mkdir(parents=True, exist_ok=True)
        self.logs.mkdir(parents=True, exist_ok=True)
        cpu0, wall0 = cpu_busy_seconds(), time.monotonic()
        times0 = os.times()
        self.r.update(
            {
                "date": dt.datetime.now(dt.timezone.utc).isoformat(timespec="seconds"),
                "machine": machine(),
                "load_average_1m_at_start": loadavg(),
                "targets": TARGETS,
            }
        )
        try:
            try:
                self.phase("load tool (.venv-bench)", self._note_venv)
                self.phase("training (clean cache)", self.train)
                self.phase("cold start", self.cold_start)
                if self.b12_model and "b12-rasa-1" in self.servers:
                    self.phase("second B12 server", self.second_b12_server)
                self.phase("turn latency", self.latency)
                self.memory("after_warmup")
                self.phase("throughput", self.throughput)
                self.memory("after_load")
            finally:
                self.stop_servers()
            # Alone on the machine (as far as this run goes): servers are stopped.
            self.phase("cold start breakdown", self.cold_start_breakdown)
        finally:
            shutil.rmtree(self.tmp, ignore_errors=True)
        wall = time.monotonic() - wall0
        times1 = os.times()
        ours = sum(times1[:4]) - sum(times0[:4])
        busy = cpu_busy_seconds() - cpu0
        others = max(0.0, busy - ours)
        capacity = wall * (os.cpu_count() or 1)
        self.r["run"] = {
            "wall_s": round(wall, 1),
            "cpu_busy_core_s": round(busy, 1),
            "cpu_ours_core_s": round(ours, 1),
            "cpu_others_core_s": round(others, 1),
            "others_share_of_capacity": round(others / capacity, 3) if capacity else 0.0,
            "load_average_1m_at_end": loadavg(),
        }
        self.r["machine_shared"] = others / capacity > 0.02 if capacity else False
        self.r["verdicts"] = verdicts(self.r)
        self.r["errors"] = self.errors
        out = Path(self.args.out)
        out.parent.mkdir(parents=True, exist_ok=True)
        out.write_text(json.dumps(self.r, indent=2) + "\n")
        print()
        print(render(self.r))
        print(
            f"\nJSON: {out.relative_to(ROOT) if out.is_relative_to(ROOT) else out}; logs and "
            f"Locust CSVs: results/bench/"
        )
        return 1 if self.errors else 0

    def _note_venv(self) -> None:
        locust = ensure_bench_venv(self.logs)
        self.r["load_tool_ready"] = bool(locust)


def training_breakdown(events: list[tuple[float, str]], total: float) -> dict[str, Any]:
    """Where training time goes, from the timestamps of Rasa's training log lines."""
    if not events:
        return {}
    components: dict[str, float] = {}
    open_: dict[str, float] = {}
    last_finish = events[0][0]
    for at, line in events:
        name = line.rsplit("'", 2)[-2] if line.count("'") >= 2 else "?"
        if "Starting to train component" in line:
            open_[name] = at
        elif "Finished training component" in line and name in open_:
            key, n = name, 2
            while key in components:
                key, n = f"{name}#{n}", n + 1
            components[key] = round(at - open_.pop(name), 1)
            last_finish = at
    return {
        "until_first_log_line_s": round(events[0][0], 1),
        "validation_and_graph_until_first_component_s": round(
            next((at for at, line in events if "Starting to train" in line), 0) - events[0][0], 1
        ),
        "components_s": dict(sorted(components.items(), key=lambda kv: -kv[1])),
        "after_last_component_s": round(total - last_finish, 1),
    }


def _probe_json(logf: Path) -> dict[str, Any]:
    for line in logf.read_text(errors="replace").splitlines():
        if line.startswith("BENCH_JSON "):
            return dict(json.loads(line[len("BENCH_JSON ") :]))
    raise RuntimeError(f"cold start probe printed no result, see {logf}")


def parse_importtime(text: str) -> dict[str, Any]:
    """Digest ``python -X importtime`` output: totals, top packages, what pulls in TensorFlow."""
    rows: list[tuple[int, int, int, str]] = []  # self_us, cumulative_us, depth, module
    for line in text.splitlines():
        if not line.startswith("import time:") or "self [us]" in line:
            continue
        parts = line[len("import time:") :].split("|", 2)
        if len(parts) != 3:
            continue
        self_us, cum_us, name = parts
        module = name.strip()
        depth = (len(name) - len(name.lstrip(" ")) - 1) // 2
        rows.append((int(self_us), int(cum_us), depth, module))
    by_package: Counter[str] = Counter()
    for own_us, _, _, module in rows:
        by_package[module.split(".")[0]] += own_us
    total = sum(r[0] for r in rows)
    cumulative = {m: c for _, c, _, m in rows}

    def chain(target: str) -> list[str]:
        idx = next((i for i, r in enumerate(rows) if r[3] == target), None)
        if idx is None:
            return []
        found, depth = [target], rows[idx][2]
        for _, _, d, module in rows[idx + 1 :]:
            if d < depth:
                found.append(module)
                depth = d
            if depth == 0:
                break
        return found

    return {
        "note": "under -X importtime (inflated); self time summed per top-level package",
        "modules": len(rows),
        "total_import_s": round(total / 1e6, 2),
        "top_packages_s": {k: round(v / 1e6, 2) for k, v in by_package.most_common(10)},
        "cumulative_s": {
            m: round(cumulative[m] / 1e6, 2)
            for m in (
                "rasa.__main__",
                "rasa.core.run",
                "tensorflow",
                "keras",
                "sanic",
                "sqlalchemy",
                "matplotlib",
                "spacy",
                "transformers",
                "channels.webchat",
            )
            if m in cumulative
        },
        "tensorflow_import_chain": chain("tensorflow"),
    }


# --- verdicts and output ---------------------------------------------------------------------


def verdicts(r: dict[str, Any]) -> dict[str, Any]:
    """PASS/MISS per target (never raises)."""
    v: dict[str, Any] = {}

    def put(key: str, value: float | None, ok: Callable[[float], bool], target: str) -> None:
        v[key] = {
            "value": value,
            "target": target,
            "verdict": "n/a" if value is None else ("PASS" if ok(value) else "MISS"),
        }

    lat = r.get("latency", {})
    ratio = None
    if "b12" in lat and "default" in lat and lat["default"]["p95_ms"]:
        ratio = round(lat["b12"]["p95_ms"] / lat["default"]["p95_ms"], 2)
    put("p95_ratio", ratio, lambda x: x <= TARGETS["p95_ratio_max"], "B12 p95 <= 0.75 x default")
    tp2 = r.get("throughput", {}).get("b12_2_servers", {}).get("turns_per_s")
    put(
        "throughput_two_servers",
        tp2,
        lambda x: x >= TARGETS["throughput_two_servers_min_turns_per_s"],
        ">= 50 turns/s",
    )
    cold = r.get("cold_start", {}).get("b12", {}).get("first_answer_s")
    put("cold_start", cold, lambda x: x <= TARGETS["cold_start_max_s"], "<= 30 s")
    train = r.get("training", {}).get("b12_s") if "b12_error" not in r.get("training", {}) else None
    put("training", train, lambda x: x <= TARGETS["training_max_s"], "<= 120 s")
    mem = r.get("memory", {})
    peaks = [
        m["rss_mb"] for snap in mem.values() for name, m in snap.items() if name.startswith("b12-")
    ]
    put(
        "rss_per_server",
        max(peaks) if peaks else None,
        lambda x: x <= TARGETS["rss_max_mb_per_server"],
        "<= 1000 MB for each B12 Rasa and action server (largest shown)",
    )
    return v


def _chain(modules: list[str]) -> str:
    """``a <- b <- ... <- z``, eliding the middle of a long import chain."""
    if len(modules) > 6:
        modules = [*modules[:2], "...", *modules[-3:]]
    return " <- ".join(modules)


def _fmt(value: Any, unit: str = "") -> str:
    return "-" if value is None else f"{value}{unit}"


def render(r: dict[str, Any]) -> str:
    """The printed table and notes."""
    m = r["machine"]
    run = r.get("run", {})
    lines = [
        f"B12 bot benchmark, {r['date']}",
        f"Machine: {m['nproc']} CPU ({m['cpu_model']}), {m['ram_gb']} GB RAM, Linux {m['kernel']}",
    ]
    if run:
        shared = (
            "SHARED: other processes used "
            f"{run['cpu_others_core_s']} core-s ({run['others_share_of_capacity']:.0%} of "
            "capacity) during the run"
            if r.get("machine_shared")
            else "not shared (other processes used < 2% of CPU capacity)"
        )
        lines.append(
            f"Run: {run['wall_s']} s; machine {shared}; load avg 1 min at start "
            f"{r['load_average_1m_at_start']}"
        )
    v = r.get("verdicts", {})
    tr, cold, lat = r.get("training", {}), r.get("cold_start", {}), r.get("latency", {})
    tp = r.get("throughput", {})

    def pct(bot: str) -> str:
        x = lat.get(bot)
        return "-" if not x else f"{x['p50_ms']:.0f} / {x['p95_ms']:.0f} / {x['p99_ms']:.0f}"

    def tps(key: str) -> str:
        x = tp.get(key)
        return "-" if not x else f"{x['turns_per_s']:.1f} ({x['failures']} fail)"

    def verdict(key: str) -> str:
        return str(v.get(key, {}).get("verdict", "n/a"))

    rows = [
        ("Figure", "B12 bot", "default bot", "Target", ""),
        (
            "Training, clean cache (s)",
            _fmt(tr.get("b12_s")),
            _fmt(tr.get("default_s")),
            "B12 <= 120 s",
            verdict("training"),
        ),
        (
            "Cold start to 1st answer (s)",
            _fmt(cold.get("b12", {}).get("first_answer_s")),
            _fmt(cold.get("default", {}).get("first_answer_s")),
            "B12 <= 30 s",
            verdict("cold_start"),
        ),
        ("Turn latency p50/p95/p99 (ms)", pct("b12"), pct("default"), "", ""),
        (
            "p95 ratio B12 / default",
            _fmt(v.get("p95_ratio", {}).get("value")),
            "",
            "<= 0.75",
            verdict("p95_ratio"),
        ),
        ("Throughput, 1 server (turns/s)", tps("b12_1_server"), tps("default_1_server"), "", ""),
        (
            "Throughput, 2 servers (turns/s)",
            tps("b12_2_servers"),
            "",
            ">= 50",
            verdict("throughput_two_servers"),
        ),
    ]
    widths = [max(len(str(row[i])) for row in rows) for i in range(5)]
    sep = "  "
    for row in rows:
        lines.append(sep.join(str(c).ljust(w) for c, w in zip(row, widths, strict=True)).rstrip())
    for bot in ("b12", "default"):
        bd = tr.get(f"{bot}_breakdown")
        if bd:
            comps = ", ".join(f"{k} {v}" for k, v in list(bd["components_s"].items())[:3])
            lines.append(
                f"  training {bot}: start-up {bd['until_first_log_line_s']} s, "
                f"to first component {bd['validation_and_graph_until_first_component_s']}"
                f" s; {comps} s; after last component {bd['after_last_component_s']} s"
            )
    if tp:
        lines.append(
            f"  load: {tp.get('tool')}; {tp.get('users')} concurrent users, "
            f"{tp.get('duration_s')} s each, distinct sender ids, each user pinned to "
            "one server"
        )
        for key in ("b12_1_server", "b12_2_servers", "default_1_server"):
            x = tp.get(key)
            if x:
                lines.append(
                    f"  {key}: {x['requests']} turns, p50/p95/p99 under load "
                    f"{x['p50_ms']:.0f}/{x['p95_ms']:.0f}/{x['p99_ms']:.0f} ms"
                )
    mem = r.get("memory", {})
    if mem:
        lines.append(
            "Resident memory (VmRSS), MB, after warm-up -> after load; target <= 1000 "
            f"for each B12 server: {verdict('rss_per_server')}"
        )
        after = mem.get("after_load", {})
        for name, snap in mem.get("after_warmup", {}).items():
            later = after.get(name, {}).get("rss_mb")
            lines.append(f"  {name:<16} {snap['rss_mb']:>7.0f} -> {_fmt(later):>7}")
    bd = r.get("cold_start_breakdown", {})
    if bd.get("b12"):
        s = bd["b12"]["steps"]
        b12cold = cold.get("b12", {})
        marks = b12cold.get("rasa_log_markers_s", {})
        lines.append("Where B12 cold start goes (fresh-process probe, bench/coldstart_probe.py):")
        lines.append(
            f"  interpreter {s['interpreter_start']:.2f} s, import rasa CLI "
            f"{s['import_rasa_cli']:.2f} s, import server+channels (pulls in TensorFlow) "
            f"{s['import_server_and_channels']:.2f} s, load model {s['load_model']:.2f} s, "
            f"first parse {s['first_nlu_parse'] * 1000:.0f} ms (second "
            f"{s['second_nlu_parse'] * 1000:.0f} ms); total {s['total']:.2f} s"
        )
        tfl = bd["b12"].get("tensorflow_model_load", {})
        nodes = bd["b12"].get("load_by_node", {})
        top = ", ".join(f"{k.split(' ')[0]} {v:.2f} s" for k, v in list(nodes.items())[:3])
        lines.append(f"  model load by graph node: {top}")
        if tfl:
            lines.append(
                f"  inside the TF model load: fit on 1 example to build weights "
                f"{tfl.get('fit', 0):.2f} s (traces the training step), warm-up inference "
                f"{tfl.get('run_inference', 0):.2f} s, "
                f"load_weights {tfl.get('load_weights', 0):.2f} s"
            )
        if marks:
            lines.append(
                "  real `rasa run` (log lines, s after spawn): "
                + ", ".join(f"{k!r} {v}" for k, v in marks.items())
                + f"; first answer {b12cold.get('first_answer_s')} s, next turn "
                f"{b12cold.get('second_turn_ms')} ms"
            )
        it = bd.get("b12_importtime")
        if it:
            tops = ", ".join(f"{k} {v}" for k, v in list(it["top_packages_s"].items())[:6])
            cum = it["cumulative_s"]
            lines.append(
                f"  imports (-X importtime, inflated): {it['modules']} modules, "
                f"{it['total_import_s']} s; by package: {tops}"
            )
            lines.append(
                f"  tensorflow cumulative {cum.get('tensorflow', '-')} s, pulled in via "
                + _chain(it["tensorflow_import_chain"])
            )
    if bd.get("default"):
        s = bd["default"]["steps"]
        lines.append(
            f"  default bot, same probe: load model {s['load_model']:.2f} s, total "
            f"{s['total']:.2f} s"
        )
    if r.get("errors"):
        lines.append("Errors (figures missing):")
        lines += [f"  {e}" for e in r["errors"]]
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    """Command line entry point."""
    parser = argparse.ArgumentParser(
        prog="python -m bench.run_bench",
        description=__doc__,
        formatter_class=argparse.RawDescriptionHelpFormatter,
    )
    parser.add_argument("--users", type=int, default=24, help="concurrent Locust users")
    parser.add_argument("--duration", type=int, default=30, help="seconds per Locust run")
    parser.add_argument(
        "--latency-turns", type=int, default=1000, help="measured turns per bot for p50/p95/p99"
    )
    parser.add_argument("--budget", type=int, default=900, help="whole-run time budget, s")
    parser.add_argument(
        "--skip-default-load", action="store_true", help="no throughput run for the default bot"
    )
    parser.add_argument(
        "--load-tool",
        choices=["locust", "aiohttp"],
        default="locust",
        help="aiohttp: bench/loadgen.py instead of Locust (also the automatic fallback)",
    )
    parser.add_argument("--out", default=str(RESULTS / "latest.json"))
    args = parser.parse_args(argv)
    # SIGTERM (e.g. make interrupted) unwinds like Ctrl-C, so servers and temp files go.
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(143))
    return Bench(args).run()


if __name__ == "__main__":
    sys.exit(main())
