"""The offline known-advisory check: the record's schema, range logic and verdicts on locks."""

from __future__ import annotations

import copy
import datetime as dt
from pathlib import Path
from typing import Any

import pytest
import yaml
from packaging.version import Version

from security import audit

TODAY = dt.date(2026, 11, 25)


def raw_record() -> dict[str, Any]:
    data: dict[str, Any] = yaml.safe_load(audit.RECORD.read_text(encoding="utf-8"))
    return data


def lock(tmp_path: Path, pins: dict[str, str]) -> Path:
    path = tmp_path / "test.lock"
    path.write_text(
        "# a lock\n" + "".join(f"{k}=={v}\n    # via someone\n" for k, v in pins.items()),
        encoding="utf-8",
    )
    return path


def test_project_lock_passes_the_review() -> None:
    record = audit.load_record()
    pins = audit.read_lock(audit.LOCK)
    assert len(pins) > 100
    assert audit.audit(pins, record, TODAY) == []


def test_every_pin_of_the_lock_is_in_the_review() -> None:
    record = audit.load_record()
    pins = audit.read_lock(audit.LOCK)
    assert {k: v for k, v in record.reviewed.items() if k in pins} == pins


def test_main_exit_codes(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    assert audit.main(["--today", "2026-11-25"]) == 0
    assert "OK" in capsys.readouterr().out
    bad = lock(tmp_path, {"rasa": "3.6.20"})
    assert audit.main(["--lock", str(bad), "--today", "2026-11-25"]) == 1
    err = capsys.readouterr().err
    assert "CVE-2024-49375" in err
    assert "not in the advisory review" in err


@pytest.mark.parametrize(
    ("package", "version", "expected"),
    [
        ("rasa", "3.6.20", "CVE-2024-49375"),  # the fix this project depends on
        ("rasa", "2.8.9", "CVE-2021-41127"),
        ("sanic", "21.12.1", "CVE-2022-35920"),
        ("tensorflow", "2.12.0", "CVE-2023-33976"),
    ],
)
def test_known_vulnerable_pins_fail(package: str, version: str, expected: str) -> None:
    record = audit.load_record()
    pins = audit.read_lock(audit.LOCK)
    pins[package] = Version(version)
    messages = [p.message for p in audit.audit(pins, record, TODAY)]
    assert any(expected in m and f"{package}=={version}" in m for m in messages)


def test_downgrade_below_a_known_fix_fails() -> None:
    record = audit.load_record()
    pins = audit.read_lock(audit.LOCK)
    pins["aiohttp"] = Version("3.9.1")
    messages = [p.message for p in audit.audit(pins, record, TODAY)]
    assert any("aiohttp==3.9.1 is below 3.9.2" in m for m in messages)


def test_new_package_or_version_bump_needs_a_review(tmp_path: Path) -> None:
    record = audit.load_record()
    pins = audit.read_lock(lock(tmp_path, {"left-pad-py": "1.0.0", "requests": "2.35.0"}))
    messages = [p.message for p in audit.audit(pins, record, TODAY)]
    assert "left-pad-py==1.0.0 is not in the advisory review (never reviewed)" in messages
    assert any("requests==2.35.0" in m and "reviewed at 2.34.2" in m for m in messages)


def test_mitigation_expires_on_its_review_date() -> None:
    record = audit.load_record()
    pins = audit.read_lock(audit.LOCK)
    cors = next(a for a in record.advisories if a.package == "sanic-cors")
    assert cors.status == "mitigated" and cors.review_by is not None
    assert audit.audit(pins, record, cors.review_by) == []
    later = audit.audit(pins, record, cors.review_by + dt.timedelta(days=1))
    assert [p.package for p in later] == ["sanic-cors"]
    assert "review it again" in later[0].message


def test_lock_names_are_normalized(tmp_path: Path) -> None:
    pins = audit.read_lock(lock(tmp_path, {"Ruamel.Yaml": "0.17.21", "typing_extensions": "4"}))
    assert pins == {"ruamel-yaml": Version("0.17.21"), "typing-extensions": Version("4")}


@pytest.mark.parametrize(
    ("bounds", "inside", "outside"),
    [
        ({"introduced": "0", "fixed": "3.6.21"}, ["0.1", "3.6.20", "3.6.21rc1"], ["3.6.21", "4"]),
        ({"introduced": "21.0.0", "fixed": "21.12.2"}, ["21.0.0", "21.12.1"], ["20.12.9"]),
        ({"introduced": "1.0", "last_affected": "1.2"}, ["1.0", "1.2"], ["0.9", "1.2.1"]),
        ({"introduced": "0"}, ["0", "99.0"], []),
    ],
)
def test_range_semantics(bounds: dict[str, str], inside: list[str], outside: list[str]) -> None:
    data = raw_record()
    data["advisories"] = [
        {"id": "X-1", "package": "p", "affected": [bounds], "summary": "s", "source": "t"}
    ]
    advisory = audit.parse_record(data).advisories[0]
    assert all(advisory.affects(Version(v)) for v in inside)
    assert not any(advisory.affects(Version(v)) for v in outside)


def _broken(change: Any) -> dict[str, Any]:
    data = copy.deepcopy(raw_record())
    change(data)
    return data


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (lambda d: d.update(extra=1), "unknown key(s) ['extra']"),
        (lambda d: d["advisories"][0].update(severity="high"), "unknown key(s) ['severity']"),
        (lambda d: d["advisories"][0].pop("source"), "missing key(s) ['source']"),
        (lambda d: d["advisories"][0].update(status="ignored"), "'ignored' is not one of"),
        (lambda d: d["advisories"][-1].pop("reason"), "needs a reason and a review_by date"),
        (lambda d: d["advisories"][0]["affected"][0].update(fixed=3.7), "quoted string"),
        (lambda d: d["advisories"][0]["affected"][0].update(fixed="three"), "not a PEP 440"),
        (
            lambda d: d["advisories"][0]["affected"][0].update(last_affected="1"),
            "either fixed or last_affected",
        ),
        (lambda d: d["reviewed"].update(rasa="x.y"), "reviewed.rasa: not a PEP 440"),
        (lambda d: d["advisories"].append(dict(d["advisories"][0])), "recorded twice"),
        (lambda d: d.update(schema=2), "unsupported schema"),
    ],
)
def test_record_rejects_bad_content(change: Any, message: str) -> None:
    with pytest.raises(audit.RecordError) as error:
        audit.parse_record(_broken(change))
    assert message in str(error.value)
    assert str(error.value).startswith("advisories.yml: ")


def test_hashed_lock_lines_parse_to_the_same_pins(tmp_path: Path) -> None:
    """uv's ``--generate-hashes`` output: ``name==version \\`` then ``--hash=`` lines."""
    path = tmp_path / "hashed.lock"
    path.write_text(
        "# generated\n"
        "rasa==3.6.21 \\\n"
        "    --hash=sha256:" + "a" * 64 + " \\\n"
        "    --hash=sha256:" + "b" * 64 + "\n"
        "    # via -r requirements.in\n"
        "Jinja2==3.1.6 ; python_version >= '3.8' \\\n"
        "    --hash=sha256:" + "c" * 64 + "\n",
        encoding="utf-8",
    )
    assert audit.read_lock(path) == {"rasa": Version("3.6.21"), "jinja2": Version("3.1.6")}


def test_runtime_lock_is_covered_by_the_audited_dev_lock() -> None:
    runtime = audit.read_lock(audit.ROOT / "requirements" / "runtime.lock")
    dev = audit.read_lock(audit.LOCK)
    assert len(runtime) > 100
    assert {name: dev.get(name) for name in runtime} == runtime
