"""Sessions read from the cache, written to the database too (Django's ``cached_db``), that keep working while
the cache is down: a request then reads its session from the database, as before.

Each request of a logged-in user read its session with a query; from the cache it costs none (issue 13: a field
worker's visit POST in at most eight queries).
"""

import logging

from django.contrib.sessions.backends.cached_db import SessionStore as CachedDBStore
from django.contrib.sessions.backends.db import SessionStore as DBStore

logger = logging.getLogger(__name__)


class SessionStore(CachedDBStore):
    def load(self):
        try:
            return super().load()
        except Exception:  # the cache is down (Django's load copies a database session into it unguarded)
            logger.warning("session cache unavailable", exc_info=True)
            return DBStore.load(self)

    def exists(self, session_key):
        try:
            return super().exists(session_key)
        except Exception:  # the cache is down: ask the database alone
            logger.warning("session cache unavailable", exc_info=True)
            return bool(session_key) and self.model.objects.filter(session_key=session_key).exists()

    def delete(self, session_key=None):
        try:
            super().delete(session_key)
        except Exception:  # the cache is down: the database row is gone already, the cached copy expires
            logger.warning("session cache unavailable", exc_info=True)
