"""Bot Framework token validation, key caching, service URL allow-list, inactive channel."""

from __future__ import annotations

import hashlib
import hmac
import json
import time
from typing import Any

import jwt
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from jwt.algorithms import RSAAlgorithm
from sanic import Sanic

from channels.teams_channel import (
    AuthError,
    KeySet,
    TeamsConfig,
    TeamsInput,
    TokenVerifier,
    activity_text,
    require_secure_url,
    sender_id_for,
    service_url_allowed,
)
from tests.security.conftest import client, serving

APP_ID = "app-123"
ISSUER = "https://api.botframework.com"
METADATA = "https://login.example.test/openid"
SERVICE = "https://smba.trafficmanager.net/emea/"
KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)
OTHER_KEY = rsa.generate_private_key(public_exponent=65537, key_size=2048)


def _jwk(key: rsa.RSAPrivateKey, kid: str, **extra: Any) -> dict[str, Any]:
    jwk = json.loads(RSAAlgorithm.to_jwk(key.public_key()))
    return {**jwk, "kid": kid, **extra}


class FakeMicrosoft:
    """Serves OpenID metadata and a JWKS to KeySet; counts fetches."""

    def __init__(self, keys: list[dict[str, Any]]) -> None:
        self.keys = keys
        self.calls: list[str] = []

    async def __call__(self, url: str) -> Any:
        self.calls.append(url)
        if url == METADATA:
            return {"issuer": ISSUER, "jwks_uri": "https://login.example.test/keys"}
        if url == "https://login.example.test/keys":
            return {"keys": self.keys}
        raise AssertionError(url)


def _token(
    claims: dict[str, Any] | None = None,
    drop: tuple[str, ...] = (),
    key: Any = KEY,
    algorithm: str = "RS256",
    kid: str | None = "k1",
) -> str:
    now = int(time.time())
    payload = {"iss": ISSUER, "aud": APP_ID, "exp": now + 600, "nbf": now - 5, "iat": now - 5}
    payload.update(claims or {})
    for name in drop:
        payload.pop(name)
    headers = {"kid": kid} if kid else {}
    return jwt.encode(payload, key, algorithm=algorithm, headers=headers)


def _verifier(keys: list[dict[str, Any]] | None = None) -> tuple[TokenVerifier, FakeMicrosoft]:
    fake = FakeMicrosoft(keys if keys is not None else [_jwk(KEY, "k1", endorsements=["msteams"])])
    return TokenVerifier(APP_ID, KeySet(METADATA, fake)), fake


async def test_valid_token_passes() -> None:
    verifier, fake = _verifier()
    claims = await verifier.verify(
        f"Bearer {_token({'serviceurl': SERVICE})}", service_url=SERVICE, channel_id="msteams"
    )
    assert claims["aud"] == APP_ID
    # Keys are fetched once and cached.
    await verifier.verify(f"Bearer {_token()}")
    assert fake.calls == [METADATA, "https://login.example.test/keys"]


BAD = {
    "wrong issuer": lambda: _token({"iss": "https://sts.windows.net/evil/"}),
    "wrong audience": lambda: _token({"aud": "someone-else"}),
    "expired": lambda: _token({"exp": int(time.time()) - 3600}),
    "no exp": lambda: _token(drop=("exp",)),
    "no iss": lambda: _token(drop=("iss",)),
    "no aud": lambda: _token(drop=("aud",)),
    "not yet valid": lambda: _token({"nbf": int(time.time()) + 3600}),
    "unknown kid": lambda: _token(kid="k2"),
    "no kid": lambda: _token(kid=None),
    "signed by another key": lambda: _token(key=OTHER_KEY),
    "hs256": lambda: _token(key="a-shared-secret-of-at-least-32-bytes!!", algorithm="HS256"),
    "none": lambda: _token(key=None, algorithm="none"),
    "rs512": lambda: _token(algorithm="RS512"),
    "garbage": lambda: "abc.def.ghi",
}


@pytest.mark.parametrize("name", list(BAD))
async def test_bad_tokens_are_refused(name: str) -> None:
    verifier, _ = _verifier()
    with pytest.raises(AuthError):
        await verifier.verify(f"Bearer {BAD[name]()}")


async def test_hs256_signed_with_the_public_key_is_refused_without_using_a_key() -> None:
    verifier, fake = _verifier()
    pem = KEY.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    header = jwt.utils.base64url_encode(b'{"alg":"HS256","typ":"JWT","kid":"k1"}')
    now = int(time.time())
    body = jwt.utils.base64url_encode(
        json.dumps({"iss": ISSUER, "aud": APP_ID, "exp": now + 600}).encode()
    )
    signature = jwt.utils.base64url_encode(
        hmac.new(pem, header + b"." + body, hashlib.sha256).digest()
    )
    forged = (header + b"." + body + b"." + signature).decode()
    with pytest.raises(AuthError, match="wrong algorithm"):
        await verifier.verify(f"Bearer {forged}")
    assert fake.calls == []


@pytest.mark.parametrize("header", [None, "", "Basic abc", "Bearer", "bearer"])
async def test_missing_bearer_is_refused(header: str | None) -> None:
    verifier, _ = _verifier()
    with pytest.raises(AuthError):
        await verifier.verify(header)


async def test_serviceurl_claim_must_match_and_key_must_be_endorsed() -> None:
    verifier, _ = _verifier()
    token = _token({"serviceurl": SERVICE})
    with pytest.raises(AuthError, match="serviceurl"):
        await verifier.verify(f"Bearer {token}", service_url="https://evil.example/")
    with pytest.raises(AuthError, match="endorsed"):
        await verifier.verify(f"Bearer {token}", service_url=SERVICE, channel_id="skype")


async def test_unknown_kid_refreshes_keys_at_most_every_few_minutes() -> None:
    fake = FakeMicrosoft([_jwk(KEY, "k1")])
    now = [1000.0]
    keys = KeySet(METADATA, fake, clock=lambda: now[0])
    verifier = TokenVerifier(APP_ID, keys)
    await verifier.verify(f"Bearer {_token()}")
    assert len(fake.calls) == 2
    # A rotated key appears: a token with the new kid is accepted after a refresh...
    fake.keys = [_jwk(KEY, "k1"), _jwk(OTHER_KEY, "k2")]
    with pytest.raises(AuthError):  # ...but not within the minimum refresh interval
        await verifier.verify(f"Bearer {_token(key=OTHER_KEY, kid='k2')}")
    assert len(fake.calls) == 2
    now[0] += 301
    await verifier.verify(f"Bearer {_token(key=OTHER_KEY, kid='k2')}")
    assert len(fake.calls) == 4


async def test_key_fetch_failure_refuses_the_token() -> None:
    async def down(url: str) -> Any:
        raise ValueError("unreachable")

    verifier = TokenVerifier(APP_ID, KeySet(METADATA, down))
    with pytest.raises(AuthError, match="unknown key"):
        await verifier.verify(f"Bearer {_token()}")


def test_config_from_env_and_url_rules() -> None:
    assert TeamsConfig.from_env({}) is None
    assert TeamsConfig.from_env({"TEAMS_APP_ID": "a"}) is None
    config = TeamsConfig.from_env({"TEAMS_APP_ID": "a", "TEAMS_APP_PASSWORD": "p"})
    assert config is not None
    assert config.openid_metadata_url.startswith("https://login.botframework.com/")
    assert config.service_url_allowlist == ("https://smba.trafficmanager.net/",)
    with pytest.raises(ValueError):
        TeamsConfig.from_env(
            {
                "TEAMS_APP_ID": "a",
                "TEAMS_APP_PASSWORD": "p",
                "TEAMS_OPENID_METADATA_URL": "http://login.example.com/openid",
            }
        )
    assert require_secure_url("http://127.0.0.1:8/x", "u") == "http://127.0.0.1:8/x"
    with pytest.raises(ValueError):
        require_secure_url("ftp://example.com", "u")


def test_service_url_allowlist() -> None:
    allow = ["https://smba.trafficmanager.net/"]
    assert service_url_allowed("https://smba.trafficmanager.net/emea/", allow)
    assert service_url_allowed("https://smba.trafficmanager.net", allow)
    assert not service_url_allowed("https://smba.trafficmanager.net.evil.com/", allow)
    assert not service_url_allowed("https://evil.com/smba.trafficmanager.net/", allow)
    assert not service_url_allowed("https://user@smba.trafficmanager.net/", allow)
    assert not service_url_allowed(None, allow)


def test_activity_text_and_sender_id() -> None:
    assert activity_text({"text": "<at>B12 bot</at> hello &amp; bye"}) == "hello & bye"
    assert activity_text({"text": "x", "value": {"b12_payload": "/inform{}"}}) == "/inform{}"
    assert sender_id_for("19:abc@thread", "29:u1") == "teams:19:abc@thread:29:u1"


async def test_constructor_makes_no_network_call_and_inactive_channel_is_404() -> None:
    fake = FakeMicrosoft([])
    config = TeamsConfig.from_env({"TEAMS_APP_ID": "a", "TEAMS_APP_PASSWORD": "p"})
    TeamsInput(config, fetch=fake)
    assert fake.calls == []

    inactive = TeamsInput.from_credentials({})
    assert not inactive.enabled

    async def never(_: object) -> None:
        raise AssertionError("no message expected")

    app = Sanic("teams_inactive_test")
    app.blueprint(inactive.blueprint(never), url_prefix="/webhooks/botframework")
    async with serving(app) as base, client() as http:
        async with http.get(f"{base}/webhooks/botframework/") as reply:
            assert reply.status == 404
        async with http.post(f"{base}/webhooks/botframework/webhook", data=b"{}") as reply:
            assert reply.status == 404


async def test_active_channel_refuses_without_token() -> None:
    fake = FakeMicrosoft([_jwk(KEY, "k1")])
    config = TeamsConfig.from_env(
        {"TEAMS_APP_ID": APP_ID, "TEAMS_APP_PASSWORD": "p", "TEAMS_OPENID_METADATA_URL": METADATA}
    )
    channel = TeamsInput(config, fetch=fake)

    async def never(_: object) -> None:
        raise AssertionError("no message expected")

    app = Sanic("teams_active_test")
    app.blueprint(channel.blueprint(never), url_prefix="/webhooks/botframework")
    activity = {"type": "message", "text": "hi", "serviceUrl": SERVICE}
    async with serving(app) as base, client() as http:
        url = f"{base}/webhooks/botframework/webhook"
        async with http.post(url, json=activity) as reply:
            assert reply.status == 401
        expired = _token({"exp": int(time.time()) - 3600})
        headers = {"Authorization": f"Bearer {expired}"}
        async with http.post(url, json=activity, headers=headers) as reply:
            assert reply.status == 401
