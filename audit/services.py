from django.contrib.contenttypes.models import ContentType
from django.utils.translation import gettext as _

from core.http import client_ip

from .labels import field_labels
from .models import AccessAction, AccessLog


def access_log_record(*, request, action: AccessAction, obj=None, fields=(), object_repr: str = "") -> AccessLog:
    """Write one access-log entry. Never pass the sensitive value itself, only which fields were shown."""
    return AccessLog.objects.create(
        user=request.user if request.user.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr or str(obj or ""))[:200],
        fields=",".join(fields)[:200],
        ip_address=client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        path=request.path[:300],
    )


def export_access_log_record(request, *, label: str, fmt: str, count: int, filters=(), fields=()) -> AccessLog:
    """One exported file that left (``core.exports`` calls it): which export, its format, rows and filters, and
    which fields it held ("id_number:masked")."""
    return access_log_record(
        request=request,
        action=AccessAction.EXPORT,
        object_repr=_("%(what)s export (%(format)s): %(count)d rows; filters: %(filters)s")
        % {"what": label, "format": fmt, "count": count, "filters": "、".join(field_labels(",".join(filters))) or "—"},
        fields=fields,
    )


def audit_event_record(*, actor, subject, event: str, old: str = "", new: str = "", reason: str = "", **extra):
    """Write one audit event for a transition of ``subject``. Call inside the transition's transaction."""
    from .models import AuditEvent

    return AuditEvent.objects.create(
        actor=actor if getattr(actor, "is_authenticated", False) else None,
        content_type=ContentType.objects.get_for_model(subject),
        object_id=str(subject.pk),
        event=event,
        old=old,
        new=new,
        reason=reason,
        extra=extra,
    )
