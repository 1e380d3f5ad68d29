"""Clinical-guideline engine: knowledge base, regimen rules, retrieval and triage.

Plain Python with no Rasa import, so it can be reviewed and tested on its own.
"""
