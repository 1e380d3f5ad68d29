"""Process, port, HTTP and /proc helpers for the benchmark (standard library only)."""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import IO

from bench.conversations import check_reply, request_body


def free_port() -> int:
    """A free TCP port on 127.0.0.1."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


class Proc:
    """A child started in its own process group, its output timestamped line by line."""

    def __init__(
        self,
        name: str,
        argv: Sequence[str],
        *,
        cwd: Path,
        env: dict[str, str],
        log: Path,
        markers: Sequence[str] = (),
        events: Sequence[str] = (),
    ) -> None:
        self.name = name
        self.event_patterns = list(events)
        self.events: list[tuple[float, str]] = []  # (seconds since start, line)
        self.log = log
        self.markers = list(markers)
        self.marker_times: dict[str, float] = {}
        self.started = time.monotonic()
        self._log_file: IO[str] = log.open("w", encoding="utf-8", errors="replace")
        self.popen = subprocess.Popen(
            list(argv),
            cwd=cwd,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # own process group: stop() reaches every descendant
            text=True,
            errors="replace",
            bufsize=1,
        )
        self._reader = threading.Thread(target=self._read, daemon=True)
        self._reader.start()

    @property
    def pid(self) -> int:
        """Process id (= process group id)."""
        return self.popen.pid

    def _read(self) -> None:
        assert self.popen.stdout is not None
        for line in self.popen.stdout:
            now = time.monotonic()
            self._log_file.write(line)
            for marker in self.markers:
                if marker not in self.marker_times and marker in line:
                    self.marker_times[marker] = now - self.started
            if any(pattern in line for pattern in self.event_patterns):
                self.events.append((now - self.started, line.strip()))
        self._log_file.flush()

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.popen.poll() is None

    def tail(self, chars: int = 2000) -> str:
        """The last ``chars`` characters of the log."""
        self._log_file.flush()
        try:
            return self.log.read_text(errors="replace")[-chars:]
        except OSError:
            return ""

    def wait(self, timeout: float) -> int:
        """Wait for exit; the exit code."""
        code = self.popen.wait(timeout=timeout)
        self._reader.join(timeout=5)
        self._log_file.close()
        return code

    def stop(self, grace: float = 15.0) -> None:
        """SIGTERM the process group, then SIGKILL it after ``grace`` seconds."""
        if self.popen.poll() is None:
            _signal_group(self.pid, signal.SIGTERM)
            try:
                self.popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                pass
        # Descendants may outlive the leader: always sweep the group.
        _signal_group(self.pid, signal.SIGKILL)
        try:
            self.popen.wait(timeout=5)
        except subprocess.TimeoutExpired:
            pass
        self._reader.join(timeout=5)
        if not self._log_file.closed:
            self._log_file.close()


def _signal_group(pgid: int, sig: int) -> None:
    try:
        os.killpg(pgid, sig)
    except (ProcessLookupError, PermissionError):
        pass


def run_timed(
    argv: Sequence[str],
    *,
    cwd: Path,
    env: dict[str, str],
    log: Path,
    timeout: float,
    events: Sequence[str] = (),
) -> tuple[float, int, list[tuple[float, str]]]:
    """Run a command to completion in its own process group.

    Returns (wall seconds, exit code or -1 on timeout, timestamped lines matching ``events``).
    """
    proc = Proc(Path(argv[0]).name, argv, cwd=cwd, env=env, log=log, events=events)
    code = -1
    try:
        code = proc.wait(timeout=timeout)
    except subprocess.TimeoutExpired:
        pass
    finally:
        proc.stop(grace=5)
    return time.monotonic() - proc.started, code, proc.events


# --- /proc ---------------------------------------------------------------------------------


def _children(pid: int) -> list[int]:
    kids: list[int] = []
    try:
        for task in os.listdir(f"/proc/{pid}/task"):
            text = Path(f"/proc/{pid}/task/{task}/children").read_text()
            kids += [int(p) for p in text.split()]
    except OSError:
        pass
    return kids


def _status_kb(pid: int, key: str) -> int:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1])
    except (OSError, ValueError, IndexError):
        pass
    return 0


def rss_mb(pid: int) -> dict[str, float]:
    """VmRSS and VmHWM (peak) of ``pid`` plus its descendants, in MB (10^6 bytes)."""
    pids, stack = [], [pid]
    while stack:
        current = stack.pop()
        pids.append(current)
        stack += _children(current)
    rss = sum(_status_kb(p, "VmRSS") for p in pids) * 1024 / 1e6
    hwm = _status_kb(pid, "VmHWM") * 1024 / 1e6
    return {"rss_mb": round(rss, 1), "peak_rss_mb": round(hwm, 1), "processes": len(pids)}


def cpu_busy_seconds() -> float:
    """Busy CPU time of the whole machine since boot (all cores), from /proc/stat."""
    fields = Path("/proc/stat").read_text().splitlines()[0].split()[1:]
    ticks = [int(x) for x in fields]
    idle = ticks[3] + (ticks[4] if len(ticks) > 4 else 0)
    return (sum(ticks[:8]) - idle) / os.sysconf("SC_CLK_TCK")


def machine() -> dict[str, object]:
    """nproc, CPU model, RAM and kernel of this machine."""
    model = "unknown"
    for line in Path("/proc/cpuinfo").read_text().splitlines():
        if line.startswith("model name"):
            model = line.split(":", 1)[1].strip()
            break
    mem_kb = 0
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            mem_kb = int(line.split()[1])
    return {
        "nproc": os.cpu_count(),
        "cpu_model": re.sub(r"\s+", " ", model),
        "ram_gb": round(mem_kb * 1024 / 1e9, 1),
        "kernel": os.uname().release,
    }


def loadavg() -> float:
    """1-minute load average."""
    return float(Path("/proc/loadavg").read_text().split()[0])


# --- HTTP ----------------------------------------------------------------------------------


def http_status(port: int, path: str, timeout: float = 2.0) -> int:
    """Status of a GET on 127.0.0.1, 0 if unreachable."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
    try:
        conn.request("GET", path)
        return conn.getresponse().status
    except OSError:
        return 0
    finally:
        conn.close()


@dataclass
class RestClient:
    """Keep-alive client for the REST channel of one Rasa server on 127.0.0.1."""

    port: int
    timeout: float = 60.0
    _conn: http.client.HTTPConnection | None = field(default=None, repr=False)

    def post(self, sender: str, message: str, audience: str | None) -> tuple[int, bytes]:
        """POST one turn (reconnecting once if the kept-alive connection was closed)."""
        body = request_body(sender, message, audience)
        for attempt in (1, 2):
            if self._conn is None:
                self._conn = http.client.HTTPConnection(
                    "127.0.0.1", self.port, timeout=self.timeout
                )
            try:
                self._conn.request(
                    "POST", "/webhooks/rest/webhook", body, {"Content-Type": "application/json"}
                )
                reply = self._conn.getresponse()
                return reply.status, reply.read()
            except (OSError, http.client.HTTPException):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def turn(
        self, sender: str, message: str, audience: str | None, expected: str | None
    ) -> tuple[float, str | None]:
        """One timed turn: (seconds, problem or None)."""
        start = time.perf_counter()
        status, raw = self.post(sender, message, audience)
        elapsed = time.perf_counter() - start
        if status != 200:
            return elapsed, f"HTTP {status}"
        return elapsed, check_reply(raw, expected)

    def close(self) -> None:
        """Close the connection."""
        if self._conn is not None:
            self._conn.close()
            self._conn = None


def first_reply_seconds(
    port: int,
    turn: tuple[str, str | None, str | None],
    started: float,
    deadline: float,
    procs: Sequence[Proc],
) -> tuple[float, int]:
    """Poll the REST channel until ``turn`` gets its expected 200 reply.

    Returns (seconds since ``started``, attempts).
    """
    message, audience, expected = turn
    attempt = 0
    while time.monotonic() < deadline:
        for proc in procs:
            if not proc.alive():
                raise RuntimeError(f"{proc.name} exited during start:\n{proc.tail()}")
        attempt += 1
        conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
        try:
            conn.request(
                "POST",
                "/webhooks/rest/webhook",
                request_body(f"coldstart-{attempt}", message, audience),
                {"Content-Type": "application/json"},
            )
            reply = conn.getresponse()
            raw = reply.read()
            if reply.status == 200 and check_reply(raw, expected) is None:
                return time.monotonic() - started, attempt
        except (OSError, http.client.HTTPException):
            pass
        finally:
            conn.close()
        time.sleep(0.05)
    raise TimeoutError(f"no reply on port {port} before the deadline")
