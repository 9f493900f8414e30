"""Demo data for this app (run by seed_demo, idempotent)."""


def seed() -> dict:
    return {}
