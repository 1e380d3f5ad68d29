"""Entry point for ``python -m guideline_engine.knowledge``."""

from guideline_engine.knowledge.cli import main

raise SystemExit(main())
