"""Who is asking, in one query: the user with their unit, the unit's parent (a grid's village) and their role
codes, read together by the session backend and by the API's token authentication (issue 13: a field worker's
visit POST in at most eight queries, the request's own identity included).

``User.role_codes`` takes the codes read here instead of asking again; ``user.unit.village`` finds a grid's
village without another query.
"""

from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.db.models import Aggregate, CharField, OuterRef, QuerySet, Subquery

from .models import UserRole


class _RoleList(Aggregate):
    """The role codes joined by commas (PostgreSQL ``STRING_AGG``, SQLite ``GROUP_CONCAT``)."""

    function = "STRING_AGG"
    template = "%(function)s(%(expressions)s, ',')"
    output_field = CharField()

    def as_sqlite(self, compiler, connection, **extra_context):
        return super().as_sql(compiler, connection, function="GROUP_CONCAT", **extra_context)


def _role_list(user_ref: str):
    codes = (
        UserRole.objects.filter(user_id=OuterRef(user_ref))
        .order_by()
        .values("user_id")
        .annotate(codes=_RoleList("role"))
        .values("codes")
    )
    return Subquery(codes, output_field=CharField())


def with_principal(queryset: QuerySet, prefix: str = "") -> QuerySet:
    """``queryset`` (of users, or of rows with a ``user`` when ``prefix`` is ``"user__"``) reading the unit, its
    parent and the role codes in the same query; call :func:`principal_loaded` on each user it gives."""
    return queryset.select_related(f"{prefix}unit__parent__parent").annotate(
        _principal_roles=_role_list(f"{prefix.removesuffix('__')}_id" if prefix else "pk")
    )


def principal_loaded(user, roles: str | None):
    """Keep the role codes read by :func:`with_principal` on ``user`` (``User.role_codes`` reads them)."""
    user._role_codes = frozenset(code for code in (roles or "").split(",") if code)
    return user


class UserBackend(ModelBackend):
    """Django's model backend, loading the session's user with their unit and roles in one query."""

    def get_user(self, user_id):
        row = with_principal(get_user_model()._default_manager.filter(pk=user_id)).first()
        if row is None or not self.user_can_authenticate(row):
            return None
        return principal_loaded(row, row._principal_roles)
