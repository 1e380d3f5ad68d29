"""Topic packages: one folder per topic, read through ``guideline_engine.topics``.

A folder holds the topic's data (``topic.yml``, sources, snippets, gates, a decision table) and,
where data cannot say it, the modules its manifest names (``rules_module``, ``renderer``). Only
the topic's own tests import them; the engine reaches them through the ``Topic`` interface.
"""
