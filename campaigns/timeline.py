"""This app's sources for the one-person-one-file timeline (see warnings_followup/timeline.py)."""

SOURCES: list = []
