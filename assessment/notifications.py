"""In-app notifications of the assessment (queued on commit by the services):

* the callers, when a monthly draw gives them callbacks to make;
* the village head (or the department's staff), when a summons or a public criticism of their unit is opened.
  The notification carries the facts and links to the item, which they may read (capability
  ``assessment.accountability``, within their own unit).
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.services import notifications_send
from organization.models import Role, UnitKind, User


def draw_notify(*, draw_id: int) -> int:
    from .models import CallbackDraw

    draw = CallbackDraw.objects.get(pk=draw_id)
    sent = 0
    counts: dict[int, int] = {}
    for caller_id in draw.callbacks.filter(assigned_to__isnull=False).values_list("assigned_to", flat=True):
        counts[caller_id] = counts.get(caller_id, 0) + 1
    for caller in User.objects.filter(pk__in=counts, is_active=True):
        sent += notifications_send(
            recipients=[caller],
            kind="assessment.callbacks",
            title=_("%(count)d case callbacks to make for %(month)s") % {"count": counts[caller.pk], "month": draw},
            url=reverse("assessment:callback_list") + "?mine=1",
            dedupe_key=f"callback-draw:{draw.pk}",
        )
    return sent


def accountability_notify(*, item_id: int) -> int:
    from .models import AccountabilityItem

    item = AccountabilityItem.objects.select_related("unit").get(pk=item_id)
    role = Role.VILLAGE_HEAD if item.unit.kind == UnitKind.VILLAGE else Role.DEPARTMENT_STAFF
    recipients = User.objects.filter(is_active=True, unit=item.unit, roles__role=role).distinct()
    body = item.reason
    if item.rectification_deadline:
        body += "\n" + _("Rectification deadline: %(date)s") % {"date": f"{item.rectification_deadline:%Y-%m-%d}"}
    return notifications_send(
        recipients=recipients,
        kind=f"assessment.{item.kind}",
        title=_("%(kind)s: %(unit)s") % {"kind": item.get_kind_display(), "unit": item.unit.name},
        body=body,
        url=reverse("assessment:accountability_detail", args=[item.pk]),
        dedupe_key=f"accountability:{item.pk}:open",
    )
