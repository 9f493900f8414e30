"""In-app notifications of the assessment (queued on commit by the services):

* the callers, when a monthly draw gives them callbacks to make;
* the village head (or the department's staff), when a summons, a public criticism or an incident review of
  their unit is opened; an incident review goes to the leadership group too (they run it). The notification
  carries the facts and links to the item, which they may read (capability ``assessment.accountability``,
  within their own unit);
* the leadership group, when a callback's answer and the records disagree (they decide) and when a unit
  submits its rectification (they accept or return it); the unit, when it is accepted or returned;
* the unit, once per item and deadline, when its rectification is overdue (the daily scan).
"""

from django.urls import reverse
from django.utils.translation import gettext as _

from notifications.services import notifications_send
from organization.access import LEADERSHIP_ROLES
from organization.models import User
from organization.selectors import people_in, town_of


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


def unit_heads(unit):
    """Who answers for ``unit``: its village head, or its department's, school's or station's staff."""
    from .services import head_role

    role = head_role(unit)
    return User.objects.filter(is_active=True, unit=unit, roles__role=role).distinct()


def leadership_of(unit):
    return people_in(town_of(unit), LEADERSHIP_ROLES)


def _item_url(item) -> str:
    return reverse("assessment:accountability_detail", args=[item.pk])


def accountability_notify(*, item_id: int) -> int:
    from .models import AccountabilityItem, AccountabilityKind

    item = AccountabilityItem.objects.select_related("unit", "traced_grid").get(pk=item_id)
    recipients = list(unit_heads(item.unit))
    if item.kind == AccountabilityKind.INCIDENT_REVIEW:
        recipients += list(leadership_of(item.unit))
    body = item.reason
    names = item.traced_names()
    if item.traced_grid_id or names:
        grid = item.traced_grid.name if item.traced_grid_id else "—"
        body += "\n" + _("Traced to: %(grid)s; %(names)s") % {"grid": grid, "names": names or "—"}
    if item.rectification_deadline:
        body += "\n" + _("Rectification deadline: %(date)s") % {"date": f"{item.rectification_deadline:%Y-%m-%d}"}
    return notifications_send(
        recipients=recipients,
        kind=f"assessment.{item.kind}",
        title=_("%(kind)s: %(unit)s") % {"kind": item.get_kind_display(), "unit": item.unit.name},
        body=body,
        url=_item_url(item),
        dedupe_key=f"accountability:{item.pk}:open",
    )


def records_disagree_notify(*, callback_id: int) -> int:
    from .models import Callback

    callback = Callback.objects.select_related("village", "case").get(pk=callback_id)
    return notifications_send(
        recipients=leadership_of(callback.village),
        kind="assessment.records_disagree",
        title=_("Records disagree: case %(case)s, %(village)s")
        % {"case": callback.case.case_number, "village": callback.village.name},
        body=_("The victim says they were not educated, but the records show education before the report: decide."),
        url=reverse("assessment:callback_detail", args=[callback.pk]),
        dedupe_key=f"callback:{callback.pk}:disagree",
    )


def rectification_notify(*, report_id: int) -> int:
    """A submitted report goes to the leadership group; a decided one back to the unit."""
    from .models import RectificationReport

    report = RectificationReport.objects.select_related("item__unit").get(pk=report_id)
    item = report.item
    if not report.decision:
        return notifications_send(
            recipients=leadership_of(item.unit),
            kind="assessment.rectification",
            title=_("Rectification submitted: %(unit)s · %(kind)s")
            % {"unit": item.unit.name, "kind": item.get_kind_display()},
            body=report.text[:500],
            url=_item_url(item),
            dedupe_key=f"rectification:{report.pk}:submitted",
        )
    title = (
        _("Rectification accepted: %(kind)s")
        if report.decision == report.Decision.ACCEPTED
        else _("Rectification returned: %(kind)s")
    ) % {"kind": item.get_kind_display()}
    return notifications_send(
        recipients=unit_heads(item.unit),
        kind="assessment.rectification",
        title=title,
        body=report.decision_note,
        url=_item_url(item),
        dedupe_key=f"rectification:{report.pk}:{report.decision}",
    )


def rectification_overdue_notify(*, item) -> int:
    return notifications_send(
        recipients=unit_heads(item.unit),
        kind="assessment.rectification_overdue",
        title=_("Rectification overdue: %(kind)s") % {"kind": item.get_kind_display()},
        body=_("The rectification deadline was %(date)s: submit the rectification report.")
        % {"date": f"{item.rectification_deadline:%Y-%m-%d}"},
        url=_item_url(item),
        dedupe_key=f"rectification-overdue:{item.pk}:{item.rectification_deadline:%Y%m%d}",
    )
