"""Reads of the schools app, always through the user's scope (students: their school's staff and the police)."""

from __future__ import annotations

from collections import defaultdict

from django.db.models import Count, Prefetch, Q

from organization.access import units_visible_to
from organization.models import Unit, UnitKind

from .models import ApplicationStatus, CardApplication, Student, StudentCard

S = ApplicationStatus

#: The school's queue: tab -> (label source, statuses). Labels are the statuses' own.
SCHOOL_TABS = {
    "review": (S.SUBMITTED,),
    "escort": (S.SCHOOL_APPROVED,),
    "police": (S.ESCORT_ASSIGNED,),
    "open": (S.POLICE_CLEARED,),
    "done": (S.OPENED, S.SCHOOL_REJECTED, S.POLICE_REFUSED),
}
#: The police's queue: students to check, then what they decided.
POLICE_TABS = {
    "police": (S.ESCORT_ASSIGNED,),
    "cleared": (S.POLICE_CLEARED, S.OPENED),
    "refused": (S.POLICE_REFUSED,),
}


def schools_for_user(*, user):
    return units_visible_to(user).filter(kind=UnitKind.SCHOOL, is_active=True).order_by("code")


def students_for_user(*, user):
    return Student.objects.for_user(user).select_related("school")


def student_for_page(*, user, pk: int):
    """The student with cards and applications (for the student's page); scoped."""
    return (
        students_for_user(user=user)
        .prefetch_related(
            Prefetch("cards", queryset=StudentCard.objects.select_related("application").order_by("card_type", "pk")),
            Prefetch(
                "card_applications",
                queryset=CardApplication.objects.select_related("escort").order_by("-created_at", "-pk"),
            ),
        )
        .filter(pk=pk)
    )


def with_card_counts(queryset):
    """Students annotated with ``bank_cards`` and ``sim_cards`` in use, and ``open_applications``."""
    return queryset.annotate(
        bank_cards=Count("cards", filter=Q(cards__is_active=True, cards__card_type="bank"), distinct=True),
        sim_cards=Count("cards", filter=Q(cards__is_active=True, cards__card_type="sim"), distinct=True),
        open_applications=Count(
            "card_applications",
            filter=Q(
                card_applications__status__in=[S.SUBMITTED, S.SCHOOL_APPROVED, S.ESCORT_ASSIGNED, S.POLICE_CLEARED]
            ),
            distinct=True,
        ),
    )


def applications_for_user(*, user):
    return CardApplication.objects.for_user(user).select_related("student__school", "escort")


def application_for_page(*, user, pk: int):
    return (
        applications_for_user(user=user)
        .select_related(
            "filed_by", "reviewed_by", "seal", "escort_assigned_by", "police_checked_by", "opened_by", "opened_card"
        )
        .filter(pk=pk)
    )


def queue_for_user(*, user, tabs: dict, tab: str, school: Unit | None = None):
    queryset = applications_for_user(user=user).filter(status__in=tabs[tab])
    if school is not None:
        queryset = queryset.filter(student__school=school)
    order = ["appointment_at", "created_at", "pk"] if tab in ("police", "open") else ["-created_at", "-pk"]
    return queryset.order_by(*order)


def queue_counts(*, user, tabs: dict, school: Unit | None = None) -> dict[str, int]:
    """Each tab's count, in one query."""
    queryset = CardApplication.objects.for_user(user)
    if school is not None:
        queryset = queryset.filter(student__school=school)
    aggregates = {tab: Count("pk", filter=Q(status__in=statuses)) for tab, statuses in tabs.items()}
    return queryset.aggregate(**aggregates)


def applications_by_state(schools) -> dict[int, dict[str, int]]:
    """``{school_id: {status: count}}`` for ``schools`` (units or ids), every status present; one query.

    Not scoped: the caller passes the schools the user may see (compliance pages, leadership dashboard).
    """
    school_ids = [getattr(school, "pk", school) for school in schools]
    result: dict[int, dict[str, int]] = {pk: dict.fromkeys(S.values, 0) for pk in school_ids}
    rows = (
        CardApplication.objects.filter(student__school_id__in=school_ids)
        .values("student__school_id", "status")
        .annotate(count=Count("pk"))
        .order_by()
    )
    for row in rows:
        result[row["student__school_id"]][row["status"]] = row["count"]
    return result


def class_options(*, user, school: Unit | None = None) -> list[tuple[str, str]]:
    """The (grade, class) pairs of the students in scope in natural order (初一 before 初二), for the list's
    filter (one query)."""
    queryset = Student.objects.for_user(user)
    if school is not None:
        queryset = queryset.filter(school=school)
    pairs = (
        queryset.values_list("grade", "class_name").distinct().order_by("grade_key", "class_key", "grade", "class_name")
    )
    grouped: dict[str, list[str]] = defaultdict(list)
    for grade, class_name in pairs:
        grouped[grade].append(class_name)
    return [(grade, class_name) for grade, names in grouped.items() for class_name in names]


def police_check_facts(*, user, student: Student) -> dict:
    """What the town's other records say about the student, for the police check (police only).

    The student's ID number is matched by its keyed hash against the resident registry; the warnings
    pushed for that person are counted. Nothing is decrypted.
    """
    from residents.models import Resident
    from warnings_followup.models import WarningOrder

    resident = Resident.objects.for_user(user).filter(id_number_hash=student.id_number_hash).first()
    warnings = WarningOrder.objects.for_user(user).filter(person=resident).count() if resident else 0
    return {"resident": resident, "warnings": warnings}
