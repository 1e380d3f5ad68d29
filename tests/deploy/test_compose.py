"""Static checks of the container deployment (no Docker engine on these machines to run it).

docker-compose.yml, deploy/Dockerfile, deploy/endpoints.production.yml and deploy/haproxy.cfg
must agree with each other and with the code: what one file names, another must provide.
"""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[2]
COMPOSE: dict[str, Any] = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
SERVICES: dict[str, Any] = COMPOSE["services"]
ENDPOINTS_TEXT = (ROOT / "deploy" / "endpoints.production.yml").read_text()
HAPROXY = (ROOT / "deploy" / "haproxy.cfg").read_text()
DOCKERFILE = (ROOT / "deploy" / "Dockerfile").read_text()


def env(service: str) -> dict[str, str]:
    return {k: str(v) for k, v in SERVICES[service]["environment"].items()}


def option(command: list[str], flag: str) -> str:
    return command[command.index(flag) + 1]


def test_every_endpoint_variable_is_set_for_the_rasa_service() -> None:
    needed = set(re.findall(r"\$\{([A-Z_]+)\}", ENDPOINTS_TEXT))
    assert needed >= {"ACTION_SERVER_URL", "ACTION_SERVER_TOKEN", "DB_PASSWORD", "REDIS_HOST"}
    assert needed <= set(env("rasa"))
    # Rasa expands only unquoted ${...}: a quoted one would be used literally.
    values = [line for line in ENDPOINTS_TEXT.splitlines() if not line.lstrip().startswith("#")]
    assert not any(re.search(r"[\"']\$\{", line) for line in values)


def test_endpoint_store_classes_exist() -> None:
    endpoints = yaml.safe_load(ENDPOINTS_TEXT)
    for section in ("tracker_store", "lock_store"):
        module, _, name = endpoints[section]["type"].rpartition(".")
        assert (ROOT / Path(*module.split("."))).with_suffix(".py").is_file()
        source = (ROOT / Path(*module.split("."))).with_suffix(".py").read_text()
        assert f"class {name}(" in source


def test_commands_name_files_and_ports_that_exist() -> None:
    rasa, actions = SERVICES["rasa"]["command"], SERVICES["actions"]["command"]
    for flag in ("--credentials", "--endpoints"):
        assert (ROOT / option(rasa, flag)).is_file()
    assert option(rasa, "--model") == "models/b12.tar.gz"
    assert "models/b12.tar.gz" in DOCKERFILE  # the image refuses to build without it
    assert actions[:3] == ["python", "-m", "action_server"]
    assert (ROOT / "action_server" / "__main__.py").is_file()
    assert (ROOT / option(actions, "--actions")).is_dir()
    action_port, rasa_port = option(actions, "--port"), option(rasa, "--port")
    assert env("rasa")["ACTION_SERVER_URL"] == f"http://actions:{action_port}/webhook"
    assert f":{action_port}/health" in " ".join(SERVICES["actions"]["healthcheck"]["test"])
    assert f":{rasa_port}/webhooks/rest/" in " ".join(SERVICES["rasa"]["healthcheck"]["test"])
    assert f"rasa:{rasa_port} check" in HAPROXY


def test_build_context_and_dockerfile() -> None:
    build = SERVICES["rasa"]["build"]
    assert build == SERVICES["actions"]["build"]
    assert (ROOT / build["context"] / build["dockerfile"]).is_file()
    # The image installs the runtime lock, hash-checked, without resolving anything.
    install = "pip install --no-cache-dir --require-hashes --no-deps --ignore-requires-python "
    install += "\\\n    -r requirements/runtime.lock"
    assert install in DOCKERFILE
    assert "dev.lock" not in DOCKERFILE


def test_secrets_come_from_the_environment_and_are_required() -> None:
    for service, name in [
        ("rasa", "ACTION_SERVER_TOKEN"),
        ("actions", "ACTION_SERVER_TOKEN"),
        ("rasa", "DB_PASSWORD"),
        ("postgres", "POSTGRES_PASSWORD"),
        ("rasa", "REDIS_PASSWORD"),
        ("redis", "REDIS_PASSWORD"),
        ("rasa", "WEBCHAT_SECRET"),
    ]:
        assert re.fullmatch(r"\$\{[A-Z_]+:\?[^}]+\}", env(service)[name]), (service, name)


def test_turn_limits_keep_one_turn_per_conversation_at_a_time() -> None:
    rasa = env("rasa")
    turn, lock = float(rasa["TURN_TIMEOUT"]), float(rasa["LOCK_LIFETIME"])
    assert lock > turn
    server_timeout = re.search(r"timeout server (\d+)s", HAPROXY)
    assert server_timeout and float(server_timeout.group(1)) > turn


def test_proxy_retries_only_requests_that_reached_no_server() -> None:
    """A retried POST that a server already handled would run the user's turn twice."""
    retry_on = re.findall(r"^\s*retry-on (.+)$", HAPROXY, flags=re.MULTILINE)
    assert retry_on == ["conn-failure"]


@pytest.mark.parametrize("service", ["rasa", "actions"])
def test_app_services_share_the_backend_network(service: str) -> None:
    assert SERVICES[service]["networks"] == ["backend"]
    assert "ports" not in SERVICES[service]  # only the proxy is published
