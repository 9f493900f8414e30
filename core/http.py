"""Facts about the HTTP request that several layers need (the access log, the login lockout)."""

from django.conf import settings


def client_ip(request) -> str | None:
    """The client's address. Behind TRUSTED_PROXY_COUNT reverse proxies, taken from X-Forwarded-For
    (the entry the outermost trusted proxy appended), never from a header the client could forge."""
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies:
        forwarded = [part.strip() for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if part.strip()]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR") or None
