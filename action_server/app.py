"""Build rasa-sdk's Sanic app with token authentication, a CORS allow-list, safe errors."""

from __future__ import annotations

import hmac
import logging
import re
import traceback
import types
from collections.abc import Mapping

from rasa_sdk.endpoint import create_app
from sanic import Sanic, response
from sanic.request import Request
from sanic.response import HTTPResponse

logger = logging.getLogger(__name__)

TOKEN_ENV = "ACTION_SERVER_TOKEN"
CORS_ENV = "CORS_ORIGINS"
# Rasa's EndpointConfig sends ``token`` as this query parameter (``token_name`` default).
TOKEN_QUERY_PARAM = "token"
# Routes reachable without the token: (method, path).
PUBLIC_ROUTES = frozenset({("GET", "/health")})


# An exact browser origin: scheme, host, optional port; nothing else.
ORIGIN = re.compile(r"^https?://[A-Za-z0-9](?:[A-Za-z0-9.-]*[A-Za-z0-9])?(?::[0-9]{1,5})?$")


def cors_origins_from_env(environ: Mapping[str, str]) -> list[str]:
    """Origins from ``CORS_ORIGINS`` (comma-separated); none when unset or empty.

    Only exact origins (``https://clinic.example``, ``http://localhost:8080``) are accepted.
    sanic-cors, which both servers use, treats an entry containing ``*``, ``?``, ``]`` or a
    backslash as a regular expression and matches it without an end anchor
    (GHSA-94jw-hqvj-vw74), so a pattern for ``*.clinic.example`` would also let in
    ``https://x.clinic.example.evil.test``. Such entries raise ValueError: the allow-list is
    always compared as plain strings.
    """
    raw = environ.get(CORS_ENV, "")
    origins = [origin.strip().rstrip("/") for origin in raw.split(",") if origin.strip()]
    bad = [origin for origin in origins if not ORIGIN.match(origin)]
    if bad:
        raise ValueError(
            f"{CORS_ENV}: not an exact origin (scheme://host[:port], no wildcards or patterns): "
            + ", ".join(repr(origin) for origin in bad)
        )
    return origins


def token_matches(expected: str, presented: str | None) -> bool:
    """Constant-time comparison of the presented token with the expected one."""
    if not expected or not presented:
        return False
    return hmac.compare_digest(expected.encode("utf-8"), presented.encode("utf-8"))


def _presented_token(request: Request) -> str | None:
    """The token from ``Authorization: Bearer ...`` or, as Rasa sends it, ``?token=``."""
    header = str(request.headers.get("authorization", ""))
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    token = request.args.get(TOKEN_QUERY_PARAM)
    return token if isinstance(token, str) else None


def install_token_auth(app: Sanic, token: str) -> None:
    """Require ``token`` on every route except ``GET /health``; otherwise answer 401 JSON."""
    if not token:
        raise ValueError("an empty token would let every request through")

    @app.middleware("request")
    async def require_token(request: Request) -> HTTPResponse | None:
        if (request.method, request.path) in PUBLIC_ROUTES:
            return None
        if token_matches(token, _presented_token(request)):
            return None
        # Never log the query string: it carries the (wrong) token.
        logger.warning(
            "action server: refused %s %s from %s (missing or wrong token)",
            request.method,
            request.path,
            request.remote_addr or request.ip,
        )
        return response.json(
            {"error": "Unauthorized: a valid action server token is required."},
            status=401,
            headers={"WWW-Authenticate": 'Bearer realm="action-server"'},
        )


def install_safe_error_handler(app: Sanic) -> None:
    """Replace rasa-sdk's handler, which returns the request body and logs the request.

    The request body is the conversation tracker, i.e. what the patient typed. The log line
    names only the exception types and the stack frames, not the exception messages, which may
    quote user data.
    """

    async def handle(request: Request, exception: Exception) -> HTTPResponse:
        chain: list[str] = []
        current: BaseException | None = exception
        while current is not None and len(chain) < 10:
            chain.append(type(current).__name__)
            current = current.__cause__ or current.__context__
        frames = "".join(traceback.format_tb(exception.__traceback__))
        logger.error(
            "action server: %s while handling %s %s\n%s",
            " <- ".join(chain),
            request.method,
            request.path,
            frames,
        )
        return response.json({"error": "Internal error in the action server."}, status=500)

    # ErrorHandler.add overwrites the handler registered for the same exception class.
    app.error_handler.add(Exception, handle)


def build_app(
    actions: str | types.ModuleType = "actions",
    *,
    token: str | None,
    cors_origins: list[str] | None = None,
    auto_reload: bool = False,
) -> Sanic:
    """Rasa-sdk's app (as ``rasa run actions`` builds it) with auth, CORS list, safe errors.

    ``token=None`` builds an app without authentication (local development only).
    """
    app: Sanic = create_app(actions, cors_origins=list(cors_origins or []), auto_reload=auto_reload)
    if token is not None:
        install_token_auth(app, token)
    install_safe_error_handler(app)
    return app
