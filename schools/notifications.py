"""Who hears about the card-opening chain, in the app. Messages carry the application number and the
school, never the student's name or numbers (minors' data)."""

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from notifications.services import notifications_send
from organization.models import Role
from organization.selectors import people_in, police_of

from .models import CardApplication


def police_staff(school):
    return police_of(school)


def school_staff(school):
    return people_in(school, {Role.SCHOOL_STAFF})


def card_application_notify(*, kind: str, application_id: int) -> int:
    """``escort_assigned``: the police get a student to check; ``police_cleared``/``police_refused``: the school."""
    application = CardApplication.objects.select_related("student__school__parent", "escort").get(pk=application_id)
    school = application.student.school
    names = {"number": application.number, "school": school.name}
    if kind == "escort_assigned":
        names["at"] = timezone.localtime(application.appointment_at).strftime("%Y-%m-%d %H:%M")
        title = _("Student to check for a card: %(number)s of %(school)s, appointment %(at)s") % names
        recipients = police_staff(school)
        if application.escort_id and application.escort.is_active:
            # The escort accompanies the student: they hear of it too (once; no name of the student).
            notifications_send(
                recipients=[application.escort],
                kind="schools.escort",
                title=_("You escort %(number)s to the police check, %(at)s") % names,
                url=reverse("schools:application_detail", args=[application.pk]),
                dedupe_key=f"card_application:{application.pk}:escort:{application.escort_id}",
            )
    elif kind == "police_cleared":
        title = _("The police cleared %(number)s (%(school)s): the card may be opened, escorted") % names
        recipients = school_staff(school)
    elif kind == "police_refused":
        title = _("The police refused %(number)s (%(school)s)") % names
        recipients = school_staff(school)
    else:
        return 0
    return notifications_send(
        recipients=recipients,
        kind=f"schools.{kind}",
        title=title,
        url=reverse("schools:application_detail", args=[application.pk]),
        dedupe_key=f"card_application:{application.pk}:{kind}",
    )
