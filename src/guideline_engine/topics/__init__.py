"""Topic packages: each topic is one folder of data under ``content/`` read through ``Topic``.

The engine, actions and channels ask this package which topic a message belongs to, what its
decision table (or its rules module, :func:`rules_of`) decides and how to word it
(:func:`render_table`, or its renderer, :func:`renderer_of`); none of them names a topic.
Nothing is read at import time: :func:`topics` loads and validates every package on first use
(the action server calls it at start-up and refuses to start on a malformed one).
"""

from guideline_engine.topics.decide import VIEW_FACTS, decide, fact_view
from guideline_engine.topics.loader import TopicError, renderer_of, rules_of
from guideline_engine.topics.model import Renderer, RulesModule, TablePlan, Topic
from guideline_engine.topics.registry import Topics, nothing_on_topic, snippets_of, topics
from guideline_engine.topics.render import render_question, render_table

__all__ = [
    "VIEW_FACTS",
    "Renderer",
    "RulesModule",
    "TablePlan",
    "Topic",
    "TopicError",
    "Topics",
    "decide",
    "fact_view",
    "nothing_on_topic",
    "render_question",
    "render_table",
    "renderer_of",
    "rules_of",
    "snippets_of",
    "topics",
]
