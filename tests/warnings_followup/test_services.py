"""The warning workflow as the people in it live it: push, acknowledge, visit every 3 days, outcome."""

import datetime
import threading
import uuid
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.utils import timezone

from audit.models import AuditEvent
from core.validators import make_id_number
from notifications.models import Notification
from residents.models import Resident
from tests import factories
from warnings_followup import services
from warnings_followup.models import StopPaymentAccount, WarningOrder, WarningStatus

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ID = make_id_number("440605", datetime.date(1948, 6, 1), 77)


def push(police, village, **overrides):
    data = {
        "actor": police,
        "external_id": "YJ-001",
        "person_name": "陈阿婆",
        "id_number": ID,
        "village": village,
        "fraud_type": "investment",
        "risk_level": "high",
        "summary": "接触虚假投资平台",
        "phone": "13800138000",
        "stop_payment_accounts": [{"bank": "中国农业银行", "account_number": "6228480402564890018"}],
    }
    data.update(overrides)
    return services.warning_push(**data)


def statuses(warning):
    warning.refresh_from_db()
    return warning.status


@pytest.fixture
def warning(police, village_a, grid_a, head_a):
    return push(police, village_a).warning


def visit(warning, actor, *, method="in_person", at_risk=False, when=None, client_id=None):
    return services.warning_record_visit(
        warning=warning,
        actor=actor,
        client_id=client_id or uuid.uuid4(),
        visited_at=when or timezone.now(),
        method=method,
        at_risk=at_risk,
    )


# --- Push ----------------------------------------------------------------------------------------


def test_police_push_links_the_person_to_the_registry(police, village_a):
    existing = factories.ResidentFactory(village=village_a, id_number=ID)
    result = push(police, village_a)
    assert result.created
    assert result.warning.person == existing
    assert Resident.objects.count() == 1


def test_push_creates_the_person_when_absent(police, village_a):
    warning = push(police, village_a).warning
    assert warning.person.name == "陈阿婆"
    assert warning.person.source == "warning"
    assert warning.status == WarningStatus.PUSHED


def test_pushing_the_same_instruction_again_creates_nothing(police, village_a):
    first = push(police, village_a)
    again = push(police, village_a, summary="changed")
    assert not again.created
    assert again.warning.pk == first.warning.pk
    assert WarningOrder.objects.count() == 1
    assert StopPaymentAccount.objects.count() == 1


def test_only_police_may_push(grid_a, village_a):
    with pytest.raises(PermissionDenied):
        push(grid_a, village_a)


def test_push_rejects_a_bad_id_number_and_writes_nothing(police, village_a):
    with pytest.raises(ValidationError):
        push(police, village_a, id_number=ID[:-1] + ("1" if ID[-1] != "1" else "2"))
    assert not WarningOrder.objects.exists() and not Resident.objects.exists()


def test_push_notifies_the_village_team_and_head(
    police, village_a, grid_a, head_a, grid_b, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        push(police, village_a)
    recipients = set(Notification.objects.values_list("recipient__username", flat=True))
    assert recipients == {"grid_a", "head_a"}
    assert ID not in Notification.objects.get(recipient__username="grid_a").title


def test_stop_payment_accounts_are_encrypted(police, village_a):
    push(police, village_a)
    with connection.cursor() as cursor:
        cursor.execute("SELECT * FROM warnings_followup_stoppaymentaccount")
        assert "6228480402564890018" not in repr(cursor.fetchall())


# --- The 3-day clock -----------------------------------------------------------------------------


def test_window_and_first_visit_follow_the_local_push_date(police, village_a):
    late_evening = datetime.datetime(2026, 11, 10, 23, 30, tzinfo=SHANGHAI)
    warning = push(police, village_a, pushed_at=late_evening).warning
    assert warning.window_ends == datetime.date(2026, 12, 10)
    assert warning.next_visit_due == datetime.date(2026, 11, 13)


def test_a_push_given_in_utc_counts_on_the_next_local_day(police, village_a):
    utc_evening = datetime.datetime(2026, 11, 10, 16, 30, tzinfo=datetime.UTC)  # 00:30 on the 11th in Shanghai
    warning = push(police, village_a, pushed_at=utc_evening).warning
    assert warning.window_ends == datetime.date(2026, 12, 11)
    assert warning.next_visit_due == datetime.date(2026, 11, 14)


def test_an_in_person_visit_resets_the_clock(warning, grid_a):
    when = timezone.now()
    visit(warning, grid_a, when=when)
    warning.refresh_from_db()
    assert warning.next_visit_due == timezone.localtime(when).date() + datetime.timedelta(days=3)


def test_a_phone_call_does_not_reset_the_clock(warning, grid_a):
    due = warning.next_visit_due
    visit(warning, grid_a, method="phone", when=timezone.now() + datetime.timedelta(seconds=-60))
    warning.refresh_from_db()
    assert warning.next_visit_due == due
    assert warning.first_team_contact_at is None  # a call is not the team's first in-person contact


def test_overdue_and_window_end(warning):
    due = warning.next_visit_due
    assert not warning.is_overdue(due)
    assert warning.is_overdue(due + datetime.timedelta(days=1))
    assert warning in WarningOrder.objects.overdue(due + datetime.timedelta(days=1))
    after_window = warning.window_ends + datetime.timedelta(days=1)
    assert warning.current_next_visit_due(after_window) is None
    assert not warning.is_overdue(after_window)


# --- Transitions ---------------------------------------------------------------------------------


def test_the_team_acknowledges_and_police_record_first_dissuasion(warning, grid_a, police):
    services.warning_acknowledge(warning=warning, actor=grid_a, reason="收到")
    assert statuses(warning) == WarningStatus.FOLLOWING_UP
    services.warning_record_first_dissuasion(warning=warning, actor=police, method="phone", result="已电话劝阻")
    warning.refresh_from_db()
    assert warning.first_dissuasion_method == "phone" and warning.first_dissuasion_at
    assert warning.first_dissuasion_by == police
    events = list(AuditEvent.objects.filter(object_id=str(warning.pk)).values_list("event", flat=True))
    assert events == ["push", "acknowledge", "first_dissuasion"]


def test_another_villages_team_may_not_acknowledge(warning, grid_b):
    with pytest.raises(PermissionDenied):
        services.warning_acknowledge(warning=warning, actor=grid_b)
    assert statuses(warning) == WarningStatus.PUSHED


def test_police_may_not_acknowledge_for_the_team(warning, police):
    with pytest.raises(PermissionDenied):
        services.warning_acknowledge(warning=warning, actor=police)


def test_acknowledging_twice_is_refused(warning, grid_a):
    services.warning_acknowledge(warning=warning, actor=grid_a)
    with pytest.raises(services.TransitionNotAllowed):
        services.warning_acknowledge(warning=warning, actor=grid_a)


def test_dissuaded_with_stopped_accounts_asks_police_to_release(warning, grid_a, police):
    visit(warning, grid_a)
    services.warning_confirm_dissuaded(warning=warning, actor=grid_a, reason="本人已认识到风险")
    assert statuses(warning) == WarningStatus.RELEASE_REQUESTED
    services.warning_confirm_release(warning=warning, actor=police, reason="已解除止付")
    assert statuses(warning) == WarningStatus.RELEASED
    assert not warning.stop_payment_accounts.filter(released_at__isnull=True).exists()
    assert services.warnings_close_ended_windows(today=warning.window_ends + datetime.timedelta(days=1)) == 1
    assert statuses(warning) == WarningStatus.CLOSED


def test_dissuaded_without_accounts_is_dissuaded(police, village_a, grid_a):
    warning = push(police, village_a, stop_payment_accounts=[]).warning
    visit(warning, grid_a)
    services.warning_confirm_dissuaded(warning=warning, actor=grid_a)
    assert statuses(warning) == WarningStatus.DISSUADED


def test_the_team_may_not_release(warning, grid_a):
    visit(warning, grid_a)
    services.warning_confirm_dissuaded(warning=warning, actor=grid_a)
    with pytest.raises(PermissionDenied):
        services.warning_confirm_release(warning=warning, actor=grid_a)


def test_release_before_dissuasion_is_refused(warning, police):
    with pytest.raises(services.TransitionNotAllowed):
        services.warning_confirm_release(warning=warning, actor=police)


def test_defrauded_after_warning_is_an_incident(warning, grid_a, police, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.warning_report_defrauded(
            warning=warning, actor=police, loss_amount="52000.50", defrauded_on=timezone.localdate(), reason="报案"
        )
    warning.refresh_from_db()
    assert warning.status == WarningStatus.DEFRAUDED
    assert str(warning.loss_amount) == "52000.50"
    assert Notification.objects.filter(recipient__username="police", kind="warning.defrauded").exists()


def test_closing_an_open_warning_without_a_reason_is_refused(warning, police):
    with pytest.raises(ValidationError):
        services.warning_close(warning=warning, actor=police)
    assert statuses(warning) == WarningStatus.PUSHED


def test_available_actions_follow_state_and_role(warning, grid_a, police, grid_b):
    assert services.available_actions(grid_a, warning) == ["acknowledge", "report_defrauded"]
    assert services.available_actions(police, warning) == ["first_dissuasion", "report_defrauded", "close"]
    assert services.available_actions(grid_b, warning) == []


# --- Visits --------------------------------------------------------------------------------------


def test_reposting_a_visit_with_the_same_client_id_creates_nothing(warning, grid_a):
    client_id = uuid.uuid4()
    first = visit(warning, grid_a, client_id=client_id)
    again = visit(warning, grid_a, client_id=client_id)
    assert first.created and not again.created
    assert again.visit.pk == first.visit.pk
    assert warning.visits.count() == 1


def test_a_visit_on_a_pushed_warning_acknowledges_it(warning, grid_a):
    visit(warning, grid_a)
    assert statuses(warning) == WarningStatus.FOLLOWING_UP


def test_an_at_risk_visit_notifies_head_and_police(warning, grid_a, settings, django_capture_on_commit_callbacks):
    settings.CELERY_TASK_ALWAYS_EAGER = True  # a worker's task (warnings_followup.notify_event), run here
    with django_capture_on_commit_callbacks(execute=True):
        visit(warning, grid_a, at_risk=True)
    assert set(Notification.objects.filter(kind="warning.at_risk").values_list("recipient__username", flat=True)) == {
        "head_a",
        "police",
    }


def test_another_villages_team_may_not_visit(warning, grid_b):
    with pytest.raises(PermissionDenied):
        visit(warning, grid_b)


def test_no_visits_after_fraud(warning, grid_a, police):
    services.warning_report_defrauded(
        warning=warning, actor=police, loss_amount="100", defrauded_on=timezone.localdate()
    )
    with pytest.raises(services.TransitionNotAllowed):
        visit(warning, grid_a)


def test_escalation_contacts_are_recorded_with_an_audit_entry(warning, grid_a):
    contact = services.warning_record_escalation(
        warning=warning, actor=grid_a, name="陈大明", relation="儿子", phone="13912345678", contacted_at=timezone.now()
    )
    assert contact.masked_phone == "139****5678"
    assert AuditEvent.objects.filter(event="escalation", object_id=str(warning.pk)).exists()


# --- Two people at once --------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_police_confirming_the_release_at_once_release_once(police_station, village_a, grid_a1):
    if connection.vendor != "postgresql":
        pytest.skip("row locks need PostgreSQL (CI runs this on PostgreSQL)")
    from organization.models import Role

    police1 = factories.UserFactory(username="police1", unit=police_station, roles=[Role.POLICE])
    police2 = factories.UserFactory(username="police2", unit=police_station, roles=[Role.POLICE])
    team = factories.UserFactory(username="team", unit=grid_a1, roles=[Role.DISSUASION_TEAM])
    warning = push(police1, village_a).warning
    visit(warning, team)
    services.warning_confirm_dissuaded(warning=warning, actor=team)

    outcomes = []
    barrier = threading.Barrier(2)

    def confirm(user):
        from django.db import connections

        try:
            barrier.wait()
            services.warning_confirm_release(warning=WarningOrder.objects.get(pk=warning.pk), actor=user)
            outcomes.append("released")
        except services.TransitionNotAllowed:
            outcomes.append("refused")
        finally:
            connections.close_all()

    threads = [threading.Thread(target=confirm, args=(user,)) for user in (police1, police2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused", "released"]
    assert AuditEvent.objects.filter(event="confirm_release", object_id=str(warning.pk)).count() == 1


def test_a_push_reaches_the_villages_work_group_without_full_numbers(
    police, village_a, grid_a, django_capture_on_commit_callbacks
):
    from notifications.models import Delivery, VillageChannel

    VillageChannel.objects.create(village=village_a, webhook_url="http://127.0.0.1:9/robot", webhook_kind="wecom")
    with django_capture_on_commit_callbacks(execute=True):
        push(police, village_a)
    delivery = Delivery.objects.get(channel="webhook")
    assert ID not in delivery.summary and "陈阿婆" not in delivery.summary


def test_reposting_an_escalation_contact_with_the_same_client_id_creates_nothing(warning, grid_a):
    client_id = uuid.uuid4()
    arguments = {
        "warning": warning,
        "actor": grid_a,
        "name": "陈大明",
        "relation": "儿子",
        "contacted_at": timezone.now(),
    }
    first = services.warning_record_escalation(client_id=client_id, **arguments)
    again = services.warning_record_escalation(client_id=client_id, **arguments)
    assert again.pk == first.pk
    assert warning.escalation_contacts.count() == 1
