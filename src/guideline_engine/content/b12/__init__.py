"""Vitamin B12 deficiency anaemia: its rules module and renderer, named by its ``topic.yml``."""
