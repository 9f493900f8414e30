"""Exports of door visits and pledges: the register pages' filters, the user's scope, masked numbers,
formula-escaped cells, an access-log entry. ``?format=xlsx`` (default) or ``?format=csv``. Above
``EXPORT_ASYNC_ROWS`` rows the export becomes a background job (``core.exports``); the columns are in
``campaigns.exports``."""

from django.contrib.auth.decorators import login_required
from django.views.decorators.http import require_GET

from core.exports import export_response

from .exports import PLEDGES, VISITS


@login_required
@require_GET
def export_visits(request):
    return export_response(request, VISITS)


@login_required
@require_GET
def export_pledges(request):
    return export_response(request, PLEDGES)
