from .navigation import entries_for


def navigation(request):
    user = getattr(request, "user", None)
    if user is None:
        return {"nav_entries": []}
    return {"nav_entries": entries_for(user)}
