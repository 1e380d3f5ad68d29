"""``python -m action_server --port N``: start the action server with a required token.

Refuses to start without ``ACTION_SERVER_TOKEN`` unless ``--insecure-no-token`` is given.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
from collections.abc import Sequence

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME, DEFAULT_SERVER_PORT
from rasa_sdk.endpoint import create_ssl_context
from rasa_sdk.plugin import plugin_manager

from action_server.app import TOKEN_ENV, build_app, cors_origins_from_env
from actions.engine import topic_retrievers
from guideline_engine.knowledge import load_knowledge_base
from guideline_engine.knowledge.approval import startup_check
from guideline_engine.retrieval import check_retrieval
from guideline_engine.topics import topics

logger = logging.getLogger("action_server")

INSECURE_BANNER = f"""
************************************************************************
*  INSECURE: the action server is starting WITHOUT a token            *
*  (--insecure-no-token). Anyone who can reach this port can run the   *
*  actions and read the conversation state sent to them.               *
*  Local development only. Set {TOKEN_ENV} for anything else.  *
************************************************************************
"""


def parse_args(argv: Sequence[str] | None = None) -> argparse.Namespace:
    """Command-line options (a subset of ``rasa run actions`` plus the token switch)."""
    parser = argparse.ArgumentParser(
        prog="python -m action_server",
        description=(
            "Start the rasa-sdk action server with a shared token "
            f"(env {TOKEN_ENV}) and a CORS allow-list (env CORS_ORIGINS)."
        ),
    )
    parser.add_argument("-p", "--port", type=int, default=DEFAULT_SERVER_PORT)
    parser.add_argument(
        "--host",
        default=os.environ.get("SANIC_HOST", "127.0.0.1"),
        help="Interface to bind (default: SANIC_HOST or 127.0.0.1).",
    )
    parser.add_argument("--actions", default="actions", help="Python package of the actions.")
    parser.add_argument(
        "--insecure-no-token",
        action="store_true",
        help=f"Start without authentication when {TOKEN_ENV} is unset (local development only).",
    )
    parser.add_argument("--ssl-certificate", default=None)
    parser.add_argument("--ssl-keyfile", default=None)
    parser.add_argument("--ssl-password", default=None)
    parser.add_argument("--auto-reload", action="store_true")
    utils.add_logging_level_option_arguments(parser)
    utils.add_logging_file_arguments(parser)
    return parser.parse_args(argv)


def resolve_token(environ: dict[str, str] | os._Environ[str], insecure: bool) -> str | None:
    """The token to require, or None when explicitly running insecure; exits otherwise."""
    token = environ.get(TOKEN_ENV, "").strip()
    if token:
        return token
    if insecure:
        return None
    sys.stderr.write(
        f"action_server: {TOKEN_ENV} is not set. Refusing to start an action server that "
        "anyone could call.\nSet it (scripts/run.sh generates one per run) or pass "
        "--insecure-no-token for local development.\n"
    )
    raise SystemExit(2)


def check_clinical_content() -> None:
    """Validate every clinical artefact and log the approval state; exit if any is invalid.

    Invalid content, a malformed approval register, a stale approval or a bad
    ``KB_APPROVED_ONLY`` value stops start-up rather than failing turn by turn; so does a
    malformed topic package (manifest, decision table, routing facts). The
    follow-up retriever is checked here too, and each topic's own index is built here once,
    for the actions to reuse, so content that breaks one stops start-up instead of the first
    follow-up question.
    """
    try:
        state = startup_check()
    except ValueError as error:  # KnowledgeError, ApprovalError and VocabularyError included
        sys.exit(f"action server: clinical content failed validation, not starting:\n{error}")
    try:
        every = topics()
    except ValueError as error:  # TopicError: a topic package is malformed
        sys.exit(f"action server: a topic package failed validation, not starting:\n{error}")
    logger.info("topics: %s", ", ".join(t.id for t in every.all))
    try:
        retrieval = check_retrieval(load_knowledge_base(approved_only=False))
    except ValueError as error:
        sys.exit(f"action server: the follow-up retriever cannot be built, not starting:\n{error}")
    try:  # each topic's own follow-up index, built once: the actions reuse these
        topic_retrievers()
    except ValueError as error:
        sys.exit(
            f"action server: a topic's follow-up index cannot be built, not starting:\n{error}"
        )
    logger.info("%s", state.summary())
    logger.info("%s", retrieval.summary())
    for problem in retrieval.problems:  # answers stay safe; 'make kb-validate' fails on these
        logger.warning("follow-up retrieval: %s", problem)
    if state.warnings:
        logger.warning(
            "approval register: %d warning(s); run 'python -m guideline_engine.knowledge validate'",
            len(state.warnings),
        )


def main(argv: Sequence[str] | None = None) -> None:
    """Parse options, build the app and serve it."""
    args = parse_args(argv)
    token = resolve_token(os.environ, args.insecure_no_token)

    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()
    if token is None:
        sys.stderr.write(INSECURE_BANNER)
        sys.stderr.flush()

    try:
        origins = cors_origins_from_env(os.environ)
    except ValueError as error:
        sys.exit(f"action server: {error}")
    check_clinical_content()
    app = build_app(args.actions, token=token, cors_origins=origins, auto_reload=args.auto_reload)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl_context = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    logger.info(
        "Action server on %s://%s:%s (token %s, CORS origins: %s)",
        "https" if ssl_context else "http",
        args.host,
        args.port,
        "required" if token else "NOT REQUIRED",
        ", ".join(origins) or "none",
    )
    # No access log: Rasa sends the token in the query string, which Sanic would log.
    app.run(
        args.host,
        args.port,
        ssl=ssl_context,
        workers=utils.number_of_sanic_workers(),
        access_log=False,
    )


if __name__ == "__main__":
    main()
