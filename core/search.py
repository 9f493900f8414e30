"""Searches by a person's number: posted, answered in place, never put into a URL.

A list page's search form posts. A posted search that holds no full ID or mobile number is redirected to
the list's ordinary GET address (bookmarkable, paginated); one that holds a number — exact, or inside
other text — is answered on the spot, so the number never reaches a URL, a server log or the browser's
history (the query-string guard in :mod:`core.privacy` refuses it there anyway).
"""

from __future__ import annotations

from collections.abc import Iterable

from django.http import HttpResponseRedirect, QueryDict
from django.shortcuts import redirect

from .privacy import query_holds_full_number


def posted_search(
    request, *, names: Iterable[str], list_url: str
) -> tuple[QueryDict | None, HttpResponseRedirect | None]:
    """``(params, None)`` to answer here, or ``(None, redirect)`` to the GET list.

    A GET request's own query string is the search (the guard has already refused any number in it).
    """
    if request.method != "POST":
        return request.GET, None
    params = QueryDict(mutable=True)
    for name in names:
        value = request.POST.get(name, "").strip()
        if value:
            params[name] = value
    if query_holds_full_number(params):
        return params, None
    return None, redirect(f"{list_url}?{params.urlencode()}" if params else list_url)
