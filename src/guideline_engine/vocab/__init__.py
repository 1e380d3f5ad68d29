"""Curated vocabulary data (YAML) for the rule-based extractor and triage.

This package holds data files only; they are read lazily through ``importlib.resources``
by :mod:`guideline_engine.extraction.vocab` and :mod:`guideline_engine.triage.rules`.
"""
