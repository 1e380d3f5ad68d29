"""Action server launcher: rasa-sdk's own app plus a shared token and a CORS allow-list.

rasa-sdk 3.6 has no authentication and allows every CORS origin. ``python -m action_server``
builds the same Sanic app as ``rasa run actions`` (``rasa_sdk.endpoint.create_app``) and adds:

- a request middleware that requires the shared token (``ACTION_SERVER_TOKEN``) on every route
  except ``GET /health``, as Rasa sends it (``?token=`` from ``action_endpoint.token`` in
  endpoints.yml) or as ``Authorization: Bearer <token>``; anything else gets 401 JSON;
- CORS only for the origins in ``CORS_ORIGINS`` (comma-separated; default: none);
- an error handler that never echoes the request (the tracker, i.e. what the patient typed)
  into the reply or the log, unlike rasa-sdk's default handler.
"""

from action_server.app import (
    TOKEN_ENV,
    build_app,
    cors_origins_from_env,
    install_safe_error_handler,
    install_token_auth,
    token_matches,
)

__all__ = [
    "TOKEN_ENV",
    "build_app",
    "cors_origins_from_env",
    "install_safe_error_handler",
    "install_token_auth",
    "token_matches",
]
