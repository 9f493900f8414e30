from django.contrib.contenttypes.models import ContentType

from .models import AccessAction, AccessLog


def _client_ip(request) -> str | None:
    # Behind the reverse proxy the settings trust X-Forwarded-For only through SECURE_PROXY_SSL_HEADER's
    # proxy; REMOTE_ADDR is what Django itself saw.
    return request.META.get("REMOTE_ADDR") or None


def access_log_record(*, request, action: AccessAction, obj=None, fields=(), object_repr: str = "") -> AccessLog:
    """Write one access-log entry. Never pass the sensitive value itself, only which fields were shown."""
    return AccessLog.objects.create(
        user=request.user if request.user.is_authenticated else None,
        action=action,
        content_type=ContentType.objects.get_for_model(obj) if obj is not None else None,
        object_id=str(obj.pk) if obj is not None else "",
        object_repr=(object_repr or str(obj or ""))[:200],
        fields=",".join(fields)[:200],
        ip_address=_client_ip(request),
        user_agent=request.META.get("HTTP_USER_AGENT", "")[:300],
        path=request.path[:300],
    )
