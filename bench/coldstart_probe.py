"""Cold-start breakdown of ``rasa run`` in one fresh process, step by step.

``python bench/coldstart_probe.py MODEL SPAWN_WALLCLOCK`` (in the Rasa venv) goes through what
``rasa run`` does before the first answer, in the same order, and prints one JSON line
(``BENCH_JSON {...}``): seconds spent in each step, counted from the parent's spawn time.

1. interpreter start (until this file runs),
2. ``import rasa.__main__`` (the CLI that ``rasa run`` enters),
3. ``import rasa.core.run`` plus the project's channels (server, Sanic, channel classes),
4. loading the model (``rasa.core.agent.load_agent``), timed per graph node, and for the
   TensorFlow models inside it: ``fit`` on one example (Rasa builds the weights that way, which
   traces the whole training step), ``load_weights`` and the warm-up ``run_inference``,
5. first NLU parse, then a second one for comparison.

Timing wrappers only, no profiler. Run it under ``python -X importtime`` to see which imports
cost what (the parent does; those timings are then inflated by the tracing).
"""

from __future__ import annotations

import time

_T_START = time.time()

import asyncio  # noqa: E402
import functools  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
from collections import defaultdict  # noqa: E402
from collections.abc import Callable  # noqa: E402
from typing import Any  # noqa: E402


def _timed(table: dict[str, float], key: Callable[..., str], fn: Callable[..., Any]) -> Any:
    @functools.wraps(fn)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        start = time.time()
        try:
            return fn(*args, **kwargs)
        finally:
            table[key(*args)] += time.time() - start

    return wrapper


def main() -> None:
    """Run the steps and print the timings as one BENCH_JSON line."""
    model, spawn = sys.argv[1], float(sys.argv[2])
    steps: dict[str, float] = {"interpreter_start": _T_START - spawn}
    mark = time.time()

    def step(name: str) -> None:
        nonlocal mark
        now = time.time()
        steps[name] = now - mark
        mark = now

    import rasa.__main__

    step("import_rasa_cli")
    import rasa.core.run  # noqa: F401

    import channels.rest_channel
    import channels.webchat  # noqa: F401

    step("import_server_and_channels")
    tf_before_load = "tensorflow" in sys.modules

    from rasa.core.agent import load_agent
    from rasa.engine.graph import GraphNode
    from rasa.utils.tensorflow.models import RasaModel

    nodes: dict[str, float] = defaultdict(float)
    tf_model: dict[str, float] = defaultdict(float)
    GraphNode._load_component = _timed(
        nodes,
        lambda node, **_: f"{node._node_name} ({node._component_class.__name__})",
        GraphNode._load_component,
    )
    for name in ("compile", "fit", "load_weights", "run_inference"):
        setattr(RasaModel, name, _timed(tf_model, lambda *_, _n=name: _n, getattr(RasaModel, name)))

    agent = asyncio.run(load_agent(model_path=model))
    step("load_model")

    async def parse(text: str) -> None:
        await agent.parse_message(text)

    asyncio.run(parse("62F, IF antibodies +, pins and needles in both feet"))
    step("first_nlu_parse")
    asyncio.run(parse("no neuro symptoms, vegan"))
    step("second_nlu_parse")
    steps["total"] = time.time() - spawn

    out = {
        "steps": {k: round(v, 3) for k, v in steps.items()},
        "tensorflow_imported_before_model_load": tf_before_load,
        "load_by_node": {k: round(v, 3) for k, v in sorted(nodes.items(), key=lambda kv: -kv[1])},
        "tensorflow_model_load": {k: round(v, 3) for k, v in tf_model.items()},
    }
    print("BENCH_JSON " + json.dumps(out), flush=True)


if __name__ == "__main__":
    main()
