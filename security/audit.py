"""Offline known-advisory check of the lock (``make audit``, part of ``make test``).

pip-audit needs PyPI's JSON API or OSV, which these machines cannot reach. This check reads
instead a reviewed record, ``security/advisories.yml``: which pins were reviewed against which
advisory data, the advisories that matter for them, and what we did about each. It fails when

- a pin in the lock was not reviewed at that version (a new package or a version bump needs a
  new review: the record says what was looked at);
- a pin falls in the affected range of a recorded advisory, unless the record says how it is
  mitigated or why it is accepted, with a review date that has not passed;
- a pin is below the highest fix known for its package (a downgrade into known-bad versions).

Where the network is available, ``pip-audit -r requirements/dev.lock`` adds the live databases
(README, "Security and privacy").
"""

from __future__ import annotations

import argparse
import datetime as dt
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from packaging.version import InvalidVersion, Version

ROOT = Path(__file__).resolve().parents[1]
RECORD = ROOT / "security" / "advisories.yml"
LOCK = ROOT / "requirements" / "dev.lock"

STATUSES = ("fixed", "mitigated", "accepted")
TOP_KEYS = {"schema", "snapshot", "reviewed", "floors", "advisories"}
SNAPSHOT_KEYS = {"checked", "sources", "limits"}
ADVISORY_KEYS = {
    "id", "aliases", "package", "affected", "summary", "source", "status", "reason", "review_by",
}  # fmt: skip
RANGE_KEYS = {"introduced", "fixed", "last_affected"}
PIN = re.compile(r"^([A-Za-z0-9][A-Za-z0-9._-]*)==([^\s;#]+)")


class RecordError(ValueError):
    """The advisory record is malformed: ``<file>: <where>: <message>``."""


@dataclass(frozen=True)
class Range:
    """Affected versions: ``introduced <= v`` and ``v < fixed`` (or ``v <= last_affected``)."""

    introduced: Version
    fixed: Version | None = None
    last_affected: Version | None = None

    def contains(self, version: Version) -> bool:
        """Whether ``version`` is affected."""
        if version < self.introduced:
            return False
        if self.fixed is not None:
            return version < self.fixed
        if self.last_affected is not None:
            return version <= self.last_affected
        return True


@dataclass(frozen=True)
class Advisory:
    """One recorded advisory and our decision about it."""

    id: str
    aliases: tuple[str, ...]
    package: str
    affected: tuple[Range, ...]
    summary: str
    source: str
    status: str | None
    reason: str | None
    review_by: dt.date | None

    def affects(self, version: Version) -> bool:
        """Whether ``version`` of the package is in an affected range."""
        return any(r.contains(version) for r in self.affected)


@dataclass(frozen=True)
class Record:
    """The reviewed pins, known fix floors and advisories."""

    checked: dt.date
    reviewed: Mapping[str, Version]
    floors: Mapping[str, Version]
    advisories: tuple[Advisory, ...]


@dataclass(frozen=True)
class Problem:
    """One reason the audit fails."""

    package: str
    message: str


def normalize(name: str) -> str:
    """PEP 503 name: lowercase, runs of ``-_.`` as one ``-``."""
    return re.sub(r"[-_.]+", "-", name).lower()


def read_lock(path: Path) -> dict[str, Version]:
    """``name==version`` pins of a pip requirements/lock file, by normalized name."""
    pins: dict[str, Version] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        match = PIN.match(line.strip())
        if match:
            pins[normalize(match.group(1))] = Version(match.group(2))
    return pins


def _fail(where: str, message: str) -> RecordError:
    return RecordError(f"{RECORD.name}: {where}: {message}")


def _keys(data: Any, allowed: set[str], required: set[str], where: str) -> dict[str, Any]:
    if not isinstance(data, dict):
        raise _fail(where, f"expected a mapping, got {type(data).__name__}")
    unknown = set(data) - allowed
    if unknown:
        raise _fail(where, f"unknown key(s) {sorted(unknown)}; allowed: {sorted(allowed)}")
    missing = required - set(data)
    if missing:
        raise _fail(where, f"missing key(s) {sorted(missing)}")
    return data


def _version(value: Any, where: str) -> Version:
    if not isinstance(value, str):
        raise _fail(where, f"version must be a quoted string, got {value!r}")
    try:
        return Version(value)
    except InvalidVersion as error:
        raise _fail(where, f"not a PEP 440 version: {value!r}") from error


def _date(value: Any, where: str) -> dt.date:
    if isinstance(value, dt.date):
        return value
    raise _fail(where, f"expected a date (YYYY-MM-DD), got {value!r}")


def _text(value: Any, where: str) -> str:
    if not isinstance(value, str) or not value.strip():
        raise _fail(where, "expected non-empty text")
    return value.strip()


def _range(data: Any, where: str) -> Range:
    data = _keys(data, RANGE_KEYS, {"introduced"}, where)
    if "fixed" in data and "last_affected" in data:
        raise _fail(where, "give either fixed or last_affected, not both")
    introduced = "0" if data["introduced"] in (0, "0") else data["introduced"]
    return Range(
        _version(introduced, f"{where}.introduced"),
        _version(data["fixed"], f"{where}.fixed") if "fixed" in data else None,
        _version(data["last_affected"], f"{where}.last_affected")
        if "last_affected" in data
        else None,
    )


def _advisory(data: Any, where: str) -> Advisory:
    data = _keys(data, ADVISORY_KEYS, {"id", "package", "affected", "summary", "source"}, where)
    where = f"{where} ({data['id']})"
    status = data.get("status")
    if status is not None and status not in STATUSES:
        raise _fail(f"{where}.status", f"{status!r} is not one of {list(STATUSES)}")
    if status in ("mitigated", "accepted") and not ("reason" in data and "review_by" in data):
        raise _fail(where, f"status {status!r} needs a reason and a review_by date")
    ranges = data["affected"]
    if not isinstance(ranges, list) or not ranges:
        raise _fail(f"{where}.affected", "expected a non-empty list of ranges")
    aliases = data.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        raise _fail(f"{where}.aliases", "expected a list of ids")
    return Advisory(
        id=_text(data["id"], f"{where}.id"),
        aliases=tuple(aliases),
        package=normalize(_text(data["package"], f"{where}.package")),
        affected=tuple(_range(r, f"{where}.affected[{i}]") for i, r in enumerate(ranges)),
        summary=_text(data["summary"], f"{where}.summary"),
        source=_text(data["source"], f"{where}.source"),
        status=status,
        reason=_text(data["reason"], f"{where}.reason") if "reason" in data else None,
        review_by=_date(data["review_by"], f"{where}.review_by") if "review_by" in data else None,
    )


def parse_record(data: Any) -> Record:
    """Validate the parsed YAML of the record; raise :class:`RecordError` on any problem."""
    data = _keys(data, TOP_KEYS, TOP_KEYS, "top level")
    if data["schema"] != 1:
        raise _fail("schema", f"unsupported schema {data['schema']!r} (expected 1)")
    snapshot = _keys(data["snapshot"], SNAPSHOT_KEYS, SNAPSHOT_KEYS, "snapshot")

    def versions(section: str) -> dict[str, Version]:
        value = data[section]
        if not isinstance(value, dict) or not value:
            raise _fail(section, "expected a non-empty mapping of package: version")
        return {normalize(str(k)): _version(v, f"{section}.{k}") for k, v in value.items()}

    advisories = data["advisories"]
    if not isinstance(advisories, list):
        raise _fail("advisories", "expected a list")
    parsed = tuple(_advisory(a, f"advisories[{i}]") for i, a in enumerate(advisories))
    seen: set[tuple[str, str]] = set()
    for advisory in parsed:
        key = (advisory.package, advisory.id)
        if key in seen:
            raise _fail("advisories", f"{advisory.id} recorded twice for {advisory.package}")
        seen.add(key)
    return Record(
        checked=_date(snapshot["checked"], "snapshot.checked"),
        reviewed=versions("reviewed"),
        floors=versions("floors"),
        advisories=parsed,
    )


def load_record(path: Path = RECORD) -> Record:
    """Read and validate the advisory record."""
    return parse_record(yaml.safe_load(path.read_text(encoding="utf-8")))


def audit(pins: Mapping[str, Version], record: Record, today: dt.date) -> list[Problem]:
    """Every reason the pins fail the record; empty when they pass."""
    problems: list[Problem] = []
    for name, version in sorted(pins.items()):
        reviewed = record.reviewed.get(name)
        if reviewed != version:
            was = f"reviewed at {reviewed}" if reviewed else "never reviewed"
            problems.append(
                Problem(name, f"{name}=={version} is not in the advisory review ({was})")
            )
        floor = record.floors.get(name)
        if floor is not None and version < floor:
            problems.append(
                Problem(name, f"{name}=={version} is below {floor}, the highest known fix")
            )
        for advisory in record.advisories:
            if advisory.package != name or not advisory.affects(version):
                continue
            ids = ", ".join((advisory.id, *advisory.aliases))
            if advisory.status in ("mitigated", "accepted"):
                assert advisory.review_by is not None  # enforced by the parser
                if advisory.review_by >= today:
                    continue
                problems.append(
                    Problem(
                        name,
                        f"{name}=={version}: {ids} was {advisory.status} until "
                        f"{advisory.review_by}; review it again",
                    )
                )
                continue
            problems.append(
                Problem(name, f"{name}=={version} is affected by {ids}: {advisory.summary}")
            )
    return problems


def decisions(pins: Mapping[str, Version], record: Record) -> Iterable[str]:
    """Lines describing the mitigated or accepted advisories that affect the pins."""
    for advisory in record.advisories:
        version = pins.get(advisory.package)
        mitigated = advisory.status in ("mitigated", "accepted")
        if version is not None and mitigated and advisory.affects(version):
            yield (
                f"{advisory.package}=={version}: {advisory.id} {advisory.status} "
                f"(review by {advisory.review_by}): {advisory.reason}"
            )


def main(argv: list[str] | None = None) -> int:
    """Print the audit and return 1 on any problem."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--lock", type=Path, default=LOCK)
    parser.add_argument("--record", type=Path, default=RECORD)
    parser.add_argument("--today", type=dt.date.fromisoformat, default=dt.date.today())
    args = parser.parse_args(argv)
    try:
        record = load_record(args.record)
    except RecordError as error:
        print(f"audit: {error}", file=sys.stderr)
        return 1
    pins = read_lock(args.lock)
    problems = audit(pins, record, args.today)
    for line in decisions(pins, record):
        print(f"audit: note: {line}")
    for problem in problems:
        print(f"audit: FAIL: {problem.message}", file=sys.stderr)
    print(
        f"audit: {len(pins)} pins in {args.lock.name} against {len(record.advisories)} recorded "
        f"advisories (review of {record.checked}): "
        + ("OK" if not problems else f"{len(problems)} problem(s)")
    )
    return 1 if problems else 0


if __name__ == "__main__":
    sys.exit(main())
