"""Benchmarks: ``python -m bench`` runs them all (they need PostgreSQL: set DATABASE_URL). See README.md."""
