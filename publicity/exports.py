"""Excel export of the activity list: the list's filters, the user's scope, formula-escaped cells,
an access-log entry. Activities hold no personal numbers, so nothing needs masking here."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpResponse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.translation import gettext as _

from audit.models import AccessAction
from audit.services import access_log_record
from residents.export_views import CONTENT_TYPES, xlsx_bytes
from residents.resources import escape_formula

from .models import ActivityLink, PushRecipient

MAX_ROWS = 20_000


def _headers() -> list[str]:
    return [
        _("Date"),
        _("Unit"),
        _("Category"),
        _("Title"),
        _("Place"),
        _("Audience size"),
        _("Channel"),
        _("Description"),
        _("Links"),
        _("Recipients (read / total)"),
        _("Evidence files"),
        _("Recorded by"),
    ]


def activity_rows(queryset):
    activities = queryset.prefetch_related(
        Prefetch("links", queryset=ActivityLink.objects.order_by("pk")),
        Prefetch("recipients", queryset=PushRecipient.objects.order_by("pk")),
    )[:MAX_ROWS]
    for activity in activities:
        recipients = list(activity.recipients.all())
        read = sum(1 for r in recipients if r.read_confirmed_at)
        yield [
            activity.held_on.isoformat(),
            activity.unit.name,
            str(activity.get_category_display()),
            escape_formula(activity.title),
            escape_formula(activity.place),
            activity.audience_size,
            str(activity.get_channel_display()),
            escape_formula(activity.description),
            escape_formula("\n".join(link.url for link in activity.links.all())),
            f"{read}/{len(recipients)}" if recipients else "",
            activity.evidence_count,
            str(activity.recorded_by or ""),
        ]


def activities_xlsx_response(request, filterset) -> HttpResponse:
    rows = list(activity_rows(filterset.qs))
    content = xlsx_bytes(_headers(), rows)
    used = [key for key, value in filterset.form.cleaned_data.items() if value not in (None, "")]
    access_log_record(
        request=request,
        action=AccessAction.EXPORT,
        object_repr=_("Publicity activities export: %(count)d rows; filters: %(filters)s")
        % {"count": len(rows), "filters": ", ".join(used) or "—"},
    )
    response = HttpResponse(content, content_type=CONTENT_TYPES["xlsx"])
    response["Content-Disposition"] = f'attachment; filename="publicity-activities-{timezone.localdate():%Y%m%d}.xlsx"'
    patch_cache_control(response, private=True, no_store=True)
    return response
