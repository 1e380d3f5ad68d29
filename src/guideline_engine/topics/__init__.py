"""Topic packages: each topic is one folder of data under ``content/`` read through ``Topic``.

The engine, actions and channels ask this package which topic a message belongs to, what its
decision table decides and how to word it; none of them names a topic. Nothing is read at
import time: :func:`topics` loads and validates every package on first use (the action server
calls it at start-up and refuses to start on a malformed one).
"""

from guideline_engine.topics.decide import VIEW_FACTS, decide, fact_view
from guideline_engine.topics.loader import TopicError
from guideline_engine.topics.model import TablePlan, Topic
from guideline_engine.topics.registry import Topics, snippets_of, topics
from guideline_engine.topics.render import render_question, render_table

__all__ = [
    "VIEW_FACTS",
    "TablePlan",
    "Topic",
    "TopicError",
    "Topics",
    "decide",
    "fact_view",
    "render_question",
    "render_table",
    "snippets_of",
    "topics",
]
