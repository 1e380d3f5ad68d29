"""Conversations replayed by the benchmark, for both bots. Standard library only.

Imported by ``bench/run_bench.py`` (Rasa venv) and ``bench/locustfile.py`` (``.venv-bench``).
Each conversation is a list of turns ``(message, audience, expected)``: ``audience`` goes into
``metadata.audience`` (B12 bot only; ``None`` sends no metadata) and ``expected`` is the
``custom.type`` a B12 reply must carry (``None``: any non-empty reply will do). Each conversation
uses a fresh sender id, so every plan starts from no facts.
"""

from __future__ import annotations

import json
from typing import Any

Turn = tuple[str, "str | None", "str | None"]

# Clinician and patient messages: plans (straight away or after the neuro question), follow-ups
# answered from snippets, "why?", sources, corrections, triage and out-of-guideline questions.
B12_CONVERSATIONS: list[list[Turn]] = [
    [
        (
            "62F, IF antibodies +, pins and needles in both feet, platelets 120",
            "clinician",
            "b12.regimen",
        ),
        ("why shouldn't I give folic acid first?", None, "b12.answer"),
        ("why?", None, "b12.why"),
        ("what are your sources?", None, "b12.sources"),
    ],
    [
        ("how do I treat b12 deficiency anaemia?", "clinician", "b12.missing_facts"),
        ("no", None, "b12.regimen"),
        ("new patient", None, "b12.new_patient"),
    ],
    [
        ("I have crushing chest pain and b12 deficiency", "patient", "b12.triage"),
    ],
    [
        ("58M pernicious anaemia, no numbness or tingling, plt 250", "clinician", "b12.regimen"),
        ("actually she does have numbness in her feet", None, "b12.regimen"),
    ],
    [
        ("im vegan and my b12 is low, no pins and needles", "patient", "b12.regimen"),
        ("I feel tired all the time and my tongue is sore", None, "b12.triage"),
    ],
    [
        (
            "70 year old man with 40 cm of terminal ileum resected, no neuro symptoms",
            "clinician",
            "b12.regimen",
        ),
        ("can b12 injections cause acne?", None, "b12.no_answer"),
    ],
    [
        ("I'm 20 weeks pregnant and my hands have gone numb", "patient", "b12.triage"),
    ],
    [
        ("pt with pernicious anemia no neuro signs prefers tablets", "clinician", "b12.regimen"),
        ("why?", None, "b12.why"),
    ],
    [
        ("80F unsteady gait and numb feet, b12 deficient", "clinician", "b12.regimen"),
        ("neuro exam normal, s/p RYGB 2019, B12 low, what regimen", "clinician", "b12.regimen"),
    ],
]

# The `rasa init` moodbot's own intents: greet, mood_great, mood_unhappy, affirm, deny,
# goodbye, bot_challenge.
DEFAULT_CONVERSATIONS: list[list[Turn]] = [
    [("hello", None, None), ("I am feeling great", None, None), ("bye", None, None)],
    [("hi there", None, None), ("I am sad", None, None), ("yes", None, None)],
    [
        ("hey", None, None),
        ("very unhappy", None, None),
        ("no", None, None),
        ("goodbye", None, None),
    ],
    [("are you a bot?", None, None)],
    [("good morning", None, None), ("amazing", None, None)],
]

CONVERSATIONS = {"b12": B12_CONVERSATIONS, "default": DEFAULT_CONVERSATIONS}


def request_body(sender: str, message: str, audience: str | None) -> bytes:
    """The JSON body of one REST turn."""
    body: dict[str, Any] = {"sender": sender, "message": message}
    if audience:
        body["metadata"] = {"audience": audience}
    return json.dumps(body).encode("utf-8")


def check_reply(raw: bytes | str, expected: str | None) -> str | None:
    """None if the reply is what the turn expects, else a short reason."""
    try:
        messages = json.loads(raw)
    except ValueError:
        return "reply is not JSON"
    if not isinstance(messages, list) or not messages:
        return "empty reply"
    if expected is None:
        return None
    kinds = [m["custom"].get("type") for m in messages if isinstance(m.get("custom"), dict)]
    return None if expected in kinds else f"expected {expected}, got {kinds}"
