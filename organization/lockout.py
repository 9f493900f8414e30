"""Login lockout (django-axes) that holds behind a reverse proxy.

* Axes sees the client's own address (``AXES_CLIENT_IP_CALLABLE`` = ``core.http.client_ip``): behind
  ``TRUSTED_PROXY_COUNT`` proxies it is the entry the outermost trusted proxy appended to
  ``X-Forwarded-For`` (the one the access log uses), never the proxy's address (which would lock an
  account for everyone) nor an entry the client could forge.
* An account locks for one address after ``AXES_FAILURE_LIMIT`` failures (``AXES_LOCKOUT_PARAMETERS``:
  username and address together), so a stranger's guesses cannot lock a colleague out elsewhere.
* An address locks for every username after ``LOGIN_ADDRESS_FAILURE_LIMIT`` failures within the same
  cool-off time (password spraying: a few guesses at many accounts).
"""

from axes.attempts import get_cool_off_threshold
from axes.conf import settings
from axes.handlers.database import AxesDatabaseHandler
from axes.helpers import get_client_ip_address, get_failure_limit
from axes.models import AccessAttempt
from django.db.models import Sum


class AddressLimitHandler(AxesDatabaseHandler):
    """Axes' database handler plus a limit per address across usernames (``LOGIN_ADDRESS_FAILURE_LIMIT``)."""

    def get_failures(self, request, credentials=None) -> int:
        failures = super().get_failures(request, credentials)
        limit = get_failure_limit(request, credentials)
        if failures < limit and self.address_failures(request) >= settings.LOGIN_ADDRESS_FAILURE_LIMIT:
            return limit  # locked: axes compares get_failures() with its own limit
        return failures

    @staticmethod
    def address_failures(request) -> int:
        """Failed logins from the request's address, for any username, within the cool-off time."""
        address = getattr(request, "axes_ip_address", None) or get_client_ip_address(request)
        attempts = AccessAttempt.objects.filter(ip_address=address)
        if settings.AXES_COOLOFF_TIME is not None:
            attempts = attempts.filter(attempt_time__gte=get_cool_off_threshold(request))
        return attempts.aggregate(total=Sum("failures_since_start"))["total"] or 0
