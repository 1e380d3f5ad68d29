"""Thin Rasa adapters: read slots, call the engine, send text plus a JSON payload."""
