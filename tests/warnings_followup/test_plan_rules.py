"""The plan's warning rules (罗办发〔2023〕12号, 三(一)2), one by one, as the people in them live them:

"首次预警劝阻主要由派出所负责，必要时由派出所与村居专业反诈宣传劝阻队共同实施。在预警指令下达1个月时间内，后续劝阻
服务由村居专业反诈宣传劝阻队跟进回访服务，每三天见面回访一次预警对象，时间持续一个月…如经反诈宣传劝阻队确认劝阻成功，
预警对象不存在继续被骗可能的，及时通报派出所解除对预警对象银行账号的止付…能快一秒是一秒"
"""

import datetime
import uuid
import zoneinfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from audit.models import AuditEvent
from core.validators import make_id_number
from notifications.models import Notification, ReminderLevel, ReminderSent
from organization.models import Role
from tests import factories
from warnings_followup import reminders, services
from warnings_followup.models import CloseReason, WarningOrder, WarningStatus

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ID = make_id_number("440605", datetime.date(1950, 3, 1), 12)


def at(day: datetime.date, hour=10) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour), tzinfo=SHANGHAI)


def push(police, village, *, pushed_at=None, accounts=True, external_id="YJ-100"):
    return services.warning_push(
        actor=police,
        external_id=external_id,
        person_name="李阿伯",
        id_number=ID,
        village=village,
        fraud_type="investment",
        risk_level="high",
        stop_payment_accounts=[{"bank": "中国农业银行", "account_number": "6228480402564890018"}] if accounts else [],
        pushed_at=pushed_at,
    ).warning


def visit(warning, actor, *, when=None, method="in_person", at_risk=False, visitors=()):
    return services.warning_record_visit(
        warning=warning,
        actor=actor,
        client_id=uuid.uuid4(),
        visited_at=when or timezone.now(),
        method=method,
        at_risk=at_risk,
        visitors=visitors,
    ).visit


def fresh(warning) -> WarningOrder:
    return WarningOrder.objects.get(pk=warning.pk)


@pytest.fixture
def warning(police, village_a, grid_a, head_a):
    return push(police, village_a)


# --- 1. "首次预警劝阻主要由派出所负责": the police's first dissuasion and the team's first contact are two facts ---


def test_police_record_their_first_dissuasion_after_the_team_has_visited(warning, grid_a, police):
    visit(warning, grid_a)
    services.warning_record_first_dissuasion(warning=warning, actor=police, method="phone", result="已电话劝阻")
    warning = fresh(warning)
    assert warning.first_dissuasion_at is not None and warning.first_dissuasion_by == police
    assert warning.first_team_contact_at is not None


def test_police_record_their_first_dissuasion_before_any_visit(warning, police):
    services.warning_record_first_dissuasion(warning=warning, actor=police, method="in_person", result="上门劝阻")
    warning = fresh(warning)
    assert warning.first_dissuasion_at is not None
    assert warning.first_team_contact_at is None


def test_a_second_police_first_dissuasion_is_refused(warning, police):
    services.warning_record_first_dissuasion(warning=warning, actor=police, method="phone", result="已劝阻")
    with pytest.raises(services.TransitionNotAllowed):
        services.warning_record_first_dissuasion(warning=warning, actor=police, method="phone", result="再次")


def test_the_team_does_not_record_the_polices_first_dissuasion(warning, grid_a):
    with pytest.raises(PermissionDenied):
        services.warning_record_first_dissuasion(warning=warning, actor=grid_a, method="phone", result="x")


def test_the_teams_first_in_person_visit_is_its_own_fact(warning, grid_a):
    visit(warning, grid_a, method="phone")
    assert fresh(warning).first_team_contact_at is None
    when = timezone.now() - datetime.timedelta(minutes=5)
    visit(warning, grid_a, when=when)
    warning = fresh(warning)
    assert warning.first_team_contact_at == when
    assert warning.first_dissuasion_at is None


def test_a_police_visit_alone_is_not_the_teams_contact(warning, police):
    visit(warning, police)
    assert fresh(warning).first_team_contact_at is None


def test_a_police_visit_with_a_team_member_is_the_teams_contact(warning, police, grid_a):
    visit(warning, police, visitors=[police, grid_a])
    assert fresh(warning).first_team_contact_at is not None


# --- 2. "能快一秒是一秒": reminders hours after the push --------------------------------------------------------


def _levels(warning):
    return set(ReminderSent.objects.filter(warning=warning).values_list("level", flat=True))


def test_a_push_not_acknowledged_within_two_hours_reminds_the_team_and_head(warning, police):
    pushed = warning.pushed_at
    assert reminders.reminders_scan_speed(now=pushed + datetime.timedelta(hours=1, minutes=59)) == 0
    assert reminders.reminders_scan_speed(now=pushed + datetime.timedelta(hours=2)) == 1
    assert _levels(warning) == {ReminderLevel.ACK_TEAM}
    assert set(
        Notification.objects.filter(kind="warning.speed.ack_team").values_list("recipient__username", flat=True)
    ) == {"grid_a", "head_a"}


def test_at_four_hours_the_police_are_reminded_and_each_reminder_goes_once(warning):
    pushed = warning.pushed_at
    assert reminders.reminders_scan_speed(now=pushed + datetime.timedelta(hours=4)) == 2
    assert reminders.reminders_scan_speed(now=pushed + datetime.timedelta(hours=5)) == 0
    assert _levels(warning) == {ReminderLevel.ACK_TEAM, ReminderLevel.ACK_POLICE}
    assert set(
        Notification.objects.filter(kind="warning.speed.ack_police").values_list("recipient__username", flat=True)
    ) == {"police"}


def test_an_acknowledged_push_reminds_nobody_of_acknowledgement(warning, grid_a):
    services.warning_acknowledge(warning=warning, actor=grid_a)
    assert reminders.reminders_scan_speed(now=warning.pushed_at + datetime.timedelta(hours=5)) == 0


def test_no_police_first_dissuasion_within_24_hours_reminds_the_police_station(warning, grid_a, police):
    services.warning_acknowledge(warning=warning, actor=grid_a)
    pushed = warning.pushed_at
    assert reminders.reminders_scan_speed(now=pushed + datetime.timedelta(hours=23)) == 0
    assert reminders.reminders_scan_speed(now=pushed + datetime.timedelta(hours=24)) == 1
    assert _levels(warning) == {ReminderLevel.FIRST_DISSUASION}
    assert reminders.reminders_scan_speed(now=pushed + datetime.timedelta(hours=30)) == 0


def test_a_recorded_police_first_dissuasion_silences_that_reminder(warning, grid_a, police):
    services.warning_acknowledge(warning=warning, actor=grid_a)
    services.warning_record_first_dissuasion(warning=warning, actor=police, method="phone", result="已劝阻")
    assert reminders.reminders_scan_speed(now=warning.pushed_at + datetime.timedelta(hours=25)) == 0


def test_the_reminder_hours_are_settings(warning, settings):
    settings.PLAN_RULES = {**settings.PLAN_RULES, "ACK_REMINDER_HOURS": 1}
    assert reminders.reminders_scan_speed(now=warning.pushed_at + datetime.timedelta(hours=1)) == 1


def test_the_speed_task_runs_the_scan(warning):
    from warnings_followup.tasks import scan_speed

    assert scan_speed((warning.pushed_at + datetime.timedelta(hours=2)).isoformat()) == 1


# --- 3. "每三天见面回访一次预警对象，时间持续一个月" ----------------------------------------------------------------


def test_the_window_is_one_calendar_month_from_the_push_s_local_date(police, village_a):
    assert push(police, village_a, pushed_at=at(datetime.date(2026, 2, 10))).window_ends == datetime.date(2026, 3, 10)


def test_a_push_on_the_31st_ends_on_the_last_day_of_a_shorter_month(police, village_a):
    warning = push(police, village_a, pushed_at=at(datetime.date(2026, 1, 31)))
    assert warning.window_ends == datetime.date(2026, 2, 28)


def test_the_month_and_interval_are_settings(police, village_a, settings):
    settings.PLAN_RULES = {**settings.PLAN_RULES, "FOLLOW_UP_MONTHS": 2, "VISIT_INTERVAL_DAYS": 5}
    warning = push(police, village_a, pushed_at=at(datetime.date(2026, 1, 15)))
    assert warning.window_ends == datetime.date(2026, 3, 15)
    assert warning.next_visit_due == datetime.date(2026, 1, 20)


def test_confirming_dissuasion_requests_the_release_at_once_but_the_visits_go_on(
    warning, grid_a, django_capture_on_commit_callbacks
):
    visit(warning, grid_a)
    due = fresh(warning).next_visit_due
    with django_capture_on_commit_callbacks(execute=True):
        services.warning_confirm_dissuaded(warning=warning, actor=grid_a, reason="已认识到风险")
    warning = fresh(warning)
    assert warning.status == WarningStatus.RELEASE_REQUESTED
    assert Notification.objects.filter(kind="warning.release_requested", recipient__username="police").exists()
    assert warning.next_visit_due == due
    assert warning in WarningOrder.objects.due_on_or_before(due)


def test_visits_continue_every_three_days_after_dissuasion_and_release(warning, grid_a, police):
    visit(warning, grid_a)
    services.warning_confirm_dissuaded(warning=warning, actor=grid_a)
    services.warning_confirm_release(warning=warning, actor=police, reason="已解除")
    later = timezone.now()
    visit(warning, grid_a, when=later)
    warning = fresh(warning)
    assert warning.status == WarningStatus.RELEASED
    assert warning.next_visit_due == timezone.localtime(later).date() + datetime.timedelta(days=3)
    assert warning.current_next_visit_due() == warning.next_visit_due


def test_a_dissuaded_case_overdue_is_reminded_like_any_other(warning, grid_a):
    visit(warning, grid_a)
    services.warning_confirm_dissuaded(warning=warning, actor=grid_a)
    due = fresh(warning).next_visit_due
    assert reminders.reminders_scan_overdue(today=due + datetime.timedelta(days=1)) == 1


def test_the_window_end_closes_the_cases_whose_outcome_is_known(warning, grid_a, police):
    visit(warning, grid_a)
    services.warning_confirm_dissuaded(warning=warning, actor=grid_a)
    services.warning_confirm_release(warning=warning, actor=police, reason="已解除")
    assert services.warnings_close_ended_windows(today=warning.window_ends) == 0  # the last day still counts
    after = warning.window_ends + datetime.timedelta(days=1)
    assert services.warnings_close_ended_windows(today=after) == 1
    assert services.warnings_close_ended_windows(today=after) == 0  # idempotent
    warning = fresh(warning)
    assert warning.status == WarningStatus.CLOSED and warning.close_reason == CloseReason.WINDOW_ENDED
    event = AuditEvent.objects.get(object_id=str(warning.pk), event="window_ended")
    assert event.actor is None and event.new == WarningStatus.CLOSED


def test_the_beat_task_closes_ended_windows(police, village_a, grid_a):
    from warnings_followup.tasks import close_ended_windows

    warning = push(police, village_a, accounts=False)
    visit(warning, grid_a)
    services.warning_confirm_dissuaded(warning=warning, actor=grid_a)
    assert close_ended_windows((warning.window_ends + datetime.timedelta(days=1)).isoformat()) == 1


def test_a_pending_release_is_not_closed_by_the_window_end(warning, grid_a):
    visit(warning, grid_a)
    services.warning_confirm_dissuaded(warning=warning, actor=grid_a)
    assert services.warnings_close_ended_windows(today=warning.window_ends + datetime.timedelta(days=1)) == 0
    assert fresh(warning).status == WarningStatus.RELEASE_REQUESTED


def test_a_case_still_at_risk_at_the_window_end_stays_open_and_is_flagged(warning, grid_a, head_a, police):
    visit(warning, grid_a, at_risk=True)
    after = warning.window_ends + datetime.timedelta(days=1)
    assert services.warnings_close_ended_windows(today=after) == 0
    assert fresh(warning).status == WarningStatus.FOLLOWING_UP
    reminders.reminders_scan_overdue(today=after)
    assert set(
        Notification.objects.filter(kind="warning.window_ended").values_list("recipient__username", flat=True)
    ) == {"head_a", "police"}


def test_a_dissuaded_case_found_at_risk_again_is_not_closed_but_flagged(police, village_a, grid_a, head_a):
    warning = push(police, village_a, accounts=False)
    visit(warning, grid_a, when=timezone.now())
    services.warning_confirm_dissuaded(warning=warning, actor=grid_a)
    visit(warning, grid_a, at_risk=True, when=timezone.now() + datetime.timedelta(minutes=1))  # the latest visit
    after = warning.window_ends + datetime.timedelta(days=1)
    assert services.warnings_close_ended_windows(today=after) == 0
    assert fresh(warning).status == WarningStatus.DISSUADED
    reminders.reminders_scan_overdue(today=after)
    assert ReminderSent.objects.filter(warning=warning, level=ReminderLevel.WINDOW_ENDED).exists()


def test_police_close_early_only_with_a_reason_from_the_list(warning, police):
    with pytest.raises(ValidationError) as error:
        services.warning_close(warning=warning, actor=police, reason="没原因")
    assert "close_reason" in error.value.message_dict
    services.warning_close(warning=warning, actor=police, close_reason=CloseReason.MOVED_AWAY)
    warning = fresh(warning)
    assert warning.status == WarningStatus.CLOSED and warning.close_reason == CloseReason.MOVED_AWAY


@pytest.mark.parametrize("close_reason", [CloseReason.DECEASED, CloseReason.DUPLICATE_PUSH])
def test_deceased_and_duplicate_push_close_a_case_early(warning, police, close_reason):
    services.warning_close(warning=warning, actor=police, close_reason=close_reason)
    assert fresh(warning).close_reason == close_reason


def test_other_needs_the_reason_in_words(warning, police):
    with pytest.raises(ValidationError) as error:
        services.warning_close(warning=warning, actor=police, close_reason=CloseReason.OTHER)
    assert "reason" in error.value.message_dict
    services.warning_close(warning=warning, actor=police, close_reason=CloseReason.OTHER, reason="重复登记的号码")
    assert fresh(warning).status == WarningStatus.CLOSED


def test_window_ended_is_not_a_reason_police_choose(warning, police):
    with pytest.raises(ValidationError):
        services.warning_close(warning=warning, actor=police, close_reason=CloseReason.WINDOW_ENDED)


def test_the_team_may_not_close(warning, grid_a):
    with pytest.raises(PermissionDenied):
        services.warning_close(warning=warning, actor=grid_a, close_reason=CloseReason.MOVED_AWAY)


# --- 4. "如经反诈宣传劝阻队确认劝阻成功": who may confirm ------------------------------------------------------


def test_the_dissuasion_team_confirms_after_an_in_person_visit(warning, grid_a):
    visit(warning, grid_a)
    services.warning_confirm_dissuaded(warning=warning, actor=grid_a)
    assert fresh(warning).status == WarningStatus.RELEASE_REQUESTED


def test_the_village_head_may_confirm(warning, grid_a, head_a):
    visit(warning, grid_a)
    services.warning_confirm_dissuaded(warning=warning, actor=head_a)
    assert fresh(warning).dissuaded_at is not None


def test_no_confirmation_before_an_in_person_visit_by_the_team(warning, grid_a, police):
    services.warning_acknowledge(warning=warning, actor=grid_a)
    visit(warning, grid_a, method="phone")
    visit(warning, police)  # police alone: not the team
    assert not services.can_transition(grid_a, fresh(warning), "confirm_dissuaded")
    with pytest.raises(services.TransitionNotAllowed):
        services.warning_confirm_dissuaded(warning=warning, actor=grid_a)


def test_a_grid_worker_not_on_the_team_records_visits_but_may_not_confirm(warning, grid_worker_a):
    visit(warning, grid_worker_a)
    warning = fresh(warning)
    assert warning.first_team_contact_at is not None
    assert not services.can_transition(grid_worker_a, warning, "confirm_dissuaded")
    with pytest.raises(PermissionDenied):
        services.warning_confirm_dissuaded(warning=warning, actor=grid_worker_a)


@pytest.mark.parametrize("role", [Role.VOLUNTEER, Role.POLICE_ASSISTANT])
def test_volunteers_and_police_assistants_may_not_confirm(warning, grid_a, village_a, role):
    member = factories.UserFactory(username=f"member_{role}", unit=village_a, roles=[role])
    visit(warning, member, visitors=[member, grid_a])
    with pytest.raises(PermissionDenied):
        services.warning_confirm_dissuaded(warning=warning, actor=member)


def test_police_may_not_confirm_for_the_team(warning, grid_a, police):
    visit(warning, grid_a)
    with pytest.raises(PermissionDenied):
        services.warning_confirm_dissuaded(warning=warning, actor=police)


# --- 5. The figures are settings, read by the code -------------------------------------------------------------


def test_no_module_keeps_its_own_plan_figure():
    import warnings_followup.models as models

    assert not hasattr(models, "FOLLOW_UP_DAYS") and not hasattr(models, "VISIT_INTERVAL_DAYS")
    assert [level.setting for level in reminders.LEVELS] == [
        "OVERDUE_TEAM_DAYS",
        "OVERDUE_HEAD_DAYS",
        "OVERDUE_POLICE_DAYS",
    ]


def test_the_overdue_days_are_settings(warning, grid_a, settings):
    settings.PLAN_RULES = {**settings.PLAN_RULES, "OVERDUE_TEAM_DAYS": 2}
    due = warning.next_visit_due
    assert reminders.reminders_scan_overdue(today=due + datetime.timedelta(days=1)) == 0
    assert reminders.reminders_scan_overdue(today=due + datetime.timedelta(days=2)) >= 1


def test_the_rules_page_names_the_warning_settings(client, police):
    client.force_login(police)
    body = client.get("/rules/").content.decode()
    for name in ("VISIT_INTERVAL_DAYS", "FOLLOW_UP_MONTHS", "ACK_REMINDER_HOURS", "FIRST_DISSUASION_HOURS"):
        assert name in body
