"""Nothing falls through: an overdue visit reminds the team, then the village head, then police and leadership,
each once; every morning each team member gets the list of visits due today and overdue.

"Today" is named (``today=``), never the clock. Celery runs eagerly; the village work group's robot is a local
HTTP server.
"""

import datetime
import threading
import zoneinfo

import pytest
from django.db import connection

from notifications.channels import LocmemSMSBackend
from notifications.models import Delivery, DeliveryStatus, Notification, ReminderSent, VillageChannel
from organization.models import Role
from tests import factories
from tests.notifications.robot import RobotServer
from warnings_followup import reminders
from warnings_followup.models import WarningStatus
from warnings_followup.tasks import scan_overdue, send_morning_digest

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
PUSHED = datetime.datetime(2026, 5, 1, 10, 0, tzinfo=SHANGHAI)
DUE = datetime.date(2026, 5, 4)  # 3 days after the push
DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SMS_BACKEND = "notifications.channels.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    yield
    LocmemSMSBackend.outbox.clear()


@pytest.fixture
def robot(village_a):
    with RobotServer() as server:
        VillageChannel.objects.create(village=village_a, webhook_url=server.url)
        yield server


@pytest.fixture
def people(grid_a, head_a, police, leader, grid_b):
    return {"grid_a": grid_a, "head_a": head_a, "police": police, "leader": leader, "grid_b": grid_b}


@pytest.fixture
def warning(village_a, people):
    warning = factories.WarningFactory(village=village_a, pushed_at=PUSHED, status=WarningStatus.FOLLOWING_UP)
    factories.StopPaymentAccountFactory(warning=warning, account_number="6228480402564890018")
    assert warning.next_visit_due == DUE
    return warning


def scan(today, capture):
    with capture(execute=True):
        return reminders.reminders_scan_overdue(today=today)


def reminded(user, warning=None):
    """The overdue levels ``user`` was reminded of, in order."""
    rows = Notification.objects.filter(recipient=user, kind__startswith="warning.overdue.").order_by("pk")
    if warning is not None:
        rows = rows.filter(url__endswith=f"/{warning.pk}/")
    return [kind.removeprefix("warning.overdue.") for kind in rows.values_list("kind", flat=True)]


# --- The escalation, day by day -------------------------------------------------------------------------


def test_nothing_is_sent_before_the_visit_is_overdue(warning, robot, django_capture_on_commit_callbacks):
    assert scan(DUE - DAY, django_capture_on_commit_callbacks) == 0
    assert scan(DUE, django_capture_on_commit_callbacks) == 0  # due today is not overdue
    assert not Notification.objects.exists()
    assert robot.received == []


def test_the_day_after_due_the_team_is_reminded(warning, people, robot, django_capture_on_commit_callbacks):
    assert scan(DUE + DAY, django_capture_on_commit_callbacks) == 1

    assert reminded(people["grid_a"]) == ["team"]
    assert reminded(people["head_a"]) == ["team"]  # the head is a member of the team
    assert reminded(people["police"]) == reminded(people["leader"]) == reminded(people["grid_b"]) == []
    assert len(robot.received) == 1
    assert list(ReminderSent.objects.values_list("due_date", "level")) == [(DUE, "team")]


def test_one_more_day_later_the_village_head(warning, people, robot, django_capture_on_commit_callbacks):
    scan(DUE + DAY, django_capture_on_commit_callbacks)
    assert scan(DUE + 2 * DAY, django_capture_on_commit_callbacks) == 1

    assert reminded(people["head_a"]) == ["team", "head"]
    assert reminded(people["grid_a"]) == ["team"]
    assert reminded(people["police"]) == []
    assert len(robot.received) == 2


def test_after_three_days_police_and_leadership(warning, people, robot, django_capture_on_commit_callbacks):
    for day in range(1, 6):
        scan(DUE + day * DAY, django_capture_on_commit_callbacks)

    assert reminded(people["police"]) == ["police_leadership"]
    assert reminded(people["leader"]) == ["police_leadership"]
    assert reminded(people["head_a"]) == ["team", "head"]
    assert reminded(people["grid_b"]) == []
    assert sorted(ReminderSent.objects.values_list("level", flat=True)) == ["head", "police_leadership", "team"]
    assert len(robot.received) == 3  # one message to the village work group per level


def test_a_case_first_seen_three_days_late_gets_every_level_at_once(
    warning, people, robot, django_capture_on_commit_callbacks
):
    assert scan(DUE + 3 * DAY, django_capture_on_commit_callbacks) == 3
    assert reminded(people["head_a"]) == ["team", "head"]
    assert reminded(people["police"]) == ["police_leadership"]
    assert len(robot.received) == 3


def test_each_reminder_is_sent_once_however_often_the_scan_runs(
    warning, people, robot, django_capture_on_commit_callbacks
):
    today = DUE + 3 * DAY
    assert scan(today, django_capture_on_commit_callbacks) == 3
    assert scan(today, django_capture_on_commit_callbacks) == 0
    scan_overdue.apply(kwargs={"today": today.isoformat()})  # the task, retried or redelivered

    assert ReminderSent.objects.count() == 3
    assert reminded(people["grid_a"]) == ["team"]
    assert reminded(people["head_a"]) == ["team", "head"]
    assert reminded(people["police"]) == ["police_leadership"]
    assert len(robot.received) == 3
    assert Delivery.objects.filter(channel="webhook").count() == 3


def test_a_reminder_whose_claim_exists_is_not_sent_again_even_by_a_direct_call(
    warning, robot, django_capture_on_commit_callbacks
):
    today = DUE + DAY
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.reminder_send(warning_id=warning.pk, due=DUE, level="team", today=today)
        assert not reminders.reminder_send(warning_id=warning.pk, due=DUE, level="team", today=today)
    assert len(robot.received) == 1


def test_a_new_due_date_starts_a_new_escalation(warning, people, robot, django_capture_on_commit_callbacks):
    scan(DUE + DAY, django_capture_on_commit_callbacks)
    # The team visited late, on the 6th: the next visit is due on the 9th.
    warning.next_visit_due = datetime.date(2026, 5, 9)
    warning.save(update_fields=["next_visit_due"])

    assert scan(datetime.date(2026, 5, 9), django_capture_on_commit_callbacks) == 0
    assert scan(datetime.date(2026, 5, 10), django_capture_on_commit_callbacks) == 1

    assert reminded(people["grid_a"]) == ["team", "team"]
    assert list(ReminderSent.objects.order_by("due_date").values_list("due_date", flat=True)) == [
        DUE,
        datetime.date(2026, 5, 9),
    ]


@pytest.mark.parametrize("status", [WarningStatus.DEFRAUDED, WarningStatus.CLOSED])
def test_a_case_that_left_follow_up_is_not_reminded(status, warning, robot, django_capture_on_commit_callbacks):
    warning.status = status
    warning.save(update_fields=["status"])
    assert scan(DUE + 3 * DAY, django_capture_on_commit_callbacks) == 0
    assert robot.received == []


@pytest.mark.parametrize("status", [WarningStatus.DISSUADED, WarningStatus.RELEASE_REQUESTED, WarningStatus.RELEASED])
def test_a_dissuaded_case_is_still_reminded_of_its_visits(status, warning, django_capture_on_commit_callbacks):
    """ "每三天见面回访一次…时间持续一个月": confirming dissuasion does not end the visits."""
    warning.status = status
    warning.save(update_fields=["status"])
    assert scan(DUE + 3 * DAY, django_capture_on_commit_callbacks) == 3


def test_a_case_whose_window_ended_gets_no_more_visit_reminders(warning, robot, django_capture_on_commit_callbacks):
    warning.next_visit_due = warning.window_ends - DAY
    warning.save(update_fields=["next_visit_due"])
    scan(warning.window_ends + DAY, django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(kind__startswith="warning.overdue.").exists()


def test_a_window_that_ended_without_an_outcome_is_reminded_once_to_the_head_and_police(
    warning, people, robot, django_capture_on_commit_callbacks
):
    scan(warning.window_ends, django_capture_on_commit_callbacks)  # the window's last day: not yet
    assert not Notification.objects.filter(kind="warning.window_ended").exists()
    before = len(robot.contents())

    scan(warning.window_ends + DAY, django_capture_on_commit_callbacks)
    scan(warning.window_ends + 2 * DAY, django_capture_on_commit_callbacks)
    told = Notification.objects.filter(kind="warning.window_ended")
    assert sorted(told.values_list("recipient__username", flat=True)) == ["head_a", "police"]
    assert warning.external_id in told.first().title
    assert ReminderSent.objects.filter(warning=warning, level="window_ended").count() == 1
    # The work group hears it once, without the person's name.
    ended = robot.contents()[before:]
    assert len(ended) == 1 and warning.external_id in ended[0] and warning.person.name not in ended[0]


def test_a_window_that_ended_after_an_outcome_is_not_reminded(warning, robot, django_capture_on_commit_callbacks):
    warning.status = WarningStatus.DISSUADED
    warning.save(update_fields=["status"])
    scan(warning.window_ends + DAY, django_capture_on_commit_callbacks)
    assert not Notification.objects.filter(kind="warning.window_ended").exists()


def test_a_pushed_case_not_yet_acknowledged_is_reminded_too(village_a, people, django_capture_on_commit_callbacks):
    factories.WarningFactory(village=village_a, pushed_at=PUSHED, status=WarningStatus.PUSHED)
    assert scan(DUE + DAY, django_capture_on_commit_callbacks) == 1
    assert reminded(people["grid_a"]) == ["team"]


def test_each_village_hears_only_about_its_own_cases(village_a, village_b, people, django_capture_on_commit_callbacks):
    with RobotServer() as robot_a, RobotServer() as robot_b:
        VillageChannel.objects.create(village=village_a, webhook_url=robot_a.url)
        VillageChannel.objects.create(village=village_b, webhook_url=robot_b.url)
        case_b = factories.WarningFactory(village=village_b, pushed_at=PUSHED)
        scan(DUE + DAY, django_capture_on_commit_callbacks)
    assert reminded(people["grid_b"], case_b) == ["team"]
    assert reminded(people["grid_a"]) == reminded(people["head_a"]) == []
    assert robot_a.received == []
    assert len(robot_b.received) == 1


# --- SMS ---------------------------------------------------------------------------------------------------


def test_escalations_go_by_sms_where_the_village_enabled_it(warning, people, django_capture_on_commit_callbacks):
    VillageChannel.objects.create(village=warning.village, sms_enabled=True)
    scan(DUE + 3 * DAY, django_capture_on_commit_callbacks)

    # The team's own reminder is in the app and the group; the head's and the police's also by SMS.
    expected = sorted(people[name].mobile for name in ("head_a", "leader", "police"))
    assert sorted(phone for phone, _text in LocmemSMSBackend.outbox) == expected
    assert Delivery.objects.filter(channel="sms", status=DeliveryStatus.SENT).count() == 3


def test_no_sms_where_the_village_did_not_enable_it(warning, robot, django_capture_on_commit_callbacks):
    scan(DUE + 3 * DAY, django_capture_on_commit_callbacks)
    assert LocmemSMSBackend.outbox == []


# --- Nothing sensitive leaves ------------------------------------------------------------------------------


def test_messages_never_carry_full_id_or_account_numbers(warning, people, robot, django_capture_on_commit_callbacks):
    VillageChannel.objects.filter(village=warning.village).update(sms_enabled=True)
    person = warning.person
    scan(DUE + 3 * DAY, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.morning_digest_send(today=DUE + 3 * DAY)

    outside = [*robot.contents(), *(text for _phone, text in LocmemSMSBackend.outbox)]
    logged = list(Delivery.objects.values_list("summary", flat=True))
    in_app = [f"{title}\n{body}" for title, body in Notification.objects.values_list("title", "body")]
    assert len(outside) == 4 + 3  # the group: 3 levels and the digest; SMS: the head, police and leadership
    for message in [*outside, *logged, *in_app]:
        assert person.id_number not in message
        assert person.phone not in message
        assert "6228480402564890018" not in message
        assert warning.external_id in message
    # Outside the application the person's name is masked too.
    for message in outside:
        assert person.name not in message
    assert any(person.name in message for message in in_app)


def test_every_delivery_is_logged(warning, people, robot, django_capture_on_commit_callbacks):
    scan(DUE + DAY, django_capture_on_commit_callbacks)
    rows = Delivery.objects.order_by("channel", "recipient_key")
    assert [(row.channel, row.recipient_key, row.status) for row in rows] == [
        ("inapp", f"user:{people['grid_a'].pk}", "sent"),
        ("inapp", f"user:{people['head_a'].pk}", "sent"),
        ("webhook", f"village:{warning.village_id}", "sent"),
    ]


# --- Morning digest ----------------------------------------------------------------------------------------------


def test_the_morning_digest_lists_visits_due_today_and_overdue_nearest_first(
    village_a, people, robot, django_capture_on_commit_callbacks
):
    today = datetime.date(2026, 5, 10)
    overdue = factories.WarningFactory(village=village_a, pushed_at=PUSHED)  # due on the 4th
    due_today = factories.WarningFactory(
        village=village_a, pushed_at=datetime.datetime(2026, 5, 7, 9, 0, tzinfo=SHANGHAI)
    )
    factories.WarningFactory(village=village_a, pushed_at=datetime.datetime(2026, 5, 8, 9, 0, tzinfo=SHANGHAI))
    factories.WarningFactory(village=village_a, pushed_at=PUSHED, status=WarningStatus.DISSUADED, next_visit_due=None)

    with django_capture_on_commit_callbacks(execute=True):
        assert send_morning_digest.apply(kwargs={"today": today.isoformat()}).get() == 2  # grid_a and head_a

    digest = Notification.objects.get(recipient=people["grid_a"], kind="warning.digest")
    lines = digest.body.splitlines()
    assert len(lines) == 2
    assert overdue.external_id in lines[0] and overdue.person.name in lines[0]
    assert due_today.external_id in lines[1]
    assert Notification.objects.filter(recipient=people["head_a"], kind="warning.digest").count() == 1
    assert not Notification.objects.filter(recipient__in=[people["police"], people["grid_b"]]).exists()
    assert len(robot.received) == 1
    assert overdue.external_id in robot.contents()[0] and due_today.external_id in robot.contents()[0]
    assert overdue.person.name not in robot.contents()[0]


def test_the_morning_digest_goes_out_once_a_day(village_a, people, robot, django_capture_on_commit_callbacks):
    factories.WarningFactory(village=village_a, pushed_at=PUSHED)
    today = DUE + DAY
    for _run in range(3):
        with django_capture_on_commit_callbacks(execute=True):
            reminders.morning_digest_send(today=today)
    with django_capture_on_commit_callbacks(execute=True):
        reminders.morning_digest_send(today=today + DAY)

    assert Notification.objects.filter(recipient=people["grid_a"], kind="warning.digest").count() == 2
    assert len(robot.received) == 2


def test_no_digest_when_nothing_is_due(village_a, people, robot, django_capture_on_commit_callbacks):
    factories.WarningFactory(village=village_a, pushed_at=PUSHED)
    with django_capture_on_commit_callbacks(execute=True):
        assert reminders.morning_digest_send(today=DUE - DAY) == 0
    assert not Notification.objects.exists()
    assert robot.received == []


def test_the_digest_runs_a_bounded_number_of_queries(
    village_a, village_b, people, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    for village in (village_a, village_b):
        factories.WarningFactory.create_batch(15, village=village, pushed_at=PUSHED)
    with django_assert_max_num_queries(30), django_capture_on_commit_callbacks(execute=True):
        reminders.morning_digest_send(today=DUE + DAY)
    assert Notification.objects.filter(kind="warning.digest").count() == 3  # grid_a, head_a, grid_b


def test_the_scan_of_cases_already_reminded_runs_a_bounded_number_of_queries(
    village_a, people, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    factories.WarningFactory.create_batch(10, village=village_a, pushed_at=PUSHED)
    scan(DUE + 3 * DAY, django_capture_on_commit_callbacks)
    with django_assert_max_num_queries(4):
        assert scan(DUE + 3 * DAY, django_capture_on_commit_callbacks) == 0


# --- Two workers at once (PostgreSQL) -------------------------------------------------------------------------


@pytest.mark.django_db(transaction=True)
def test_two_scans_at_once_send_each_reminder_once(warning, people):
    if connection.vendor != "postgresql":
        pytest.skip("row locks and concurrent inserts are tested on PostgreSQL (CI runs it)")
    barrier = threading.Barrier(2)
    results, errors = [], []

    def run():
        try:
            barrier.wait(timeout=10)
            results.append(reminders.reminders_scan_overdue(today=DUE + 3 * DAY))
        except Exception as exc:  # noqa: BLE001 (reported below)
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert errors == []
    assert sum(results) == 3
    assert ReminderSent.objects.count() == 3
    assert reminded(people["head_a"]) == ["team", "head"]
    assert reminded(people["police"]) == ["police_leadership"]


@pytest.mark.django_db(transaction=True)
def test_two_speed_scans_and_two_digests_at_once_send_each_once(warning, people):
    if connection.vendor != "postgresql":
        pytest.skip("concurrent inserts are tested on PostgreSQL (CI runs it)")
    from tests.races import run_together

    now = PUSHED + datetime.timedelta(hours=30)
    results, errors = run_together(
        lambda: reminders.reminders_scan_speed(now=now), lambda: reminders.reminders_scan_speed(now=now)
    )
    assert errors == []
    assert sum(results) == 3  # not acknowledged (team, police), no first dissuasion
    assert ReminderSent.objects.filter(level__in=["ack_team", "ack_police", "first_dissuasion"]).count() == 3

    results, errors = run_together(
        lambda: reminders.morning_digest_send(today=DUE), lambda: reminders.morning_digest_send(today=DUE)
    )
    assert errors == []
    assert sum(results) == 2  # grid_a and head_a, once each
    assert Notification.objects.filter(kind="warning.digest").count() == 2


def test_a_first_scan_of_many_reminders_runs_as_many_queries_as_one(
    village_a, people, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """Claims, recipients, notifications and deliveries in bulk: the query count does not grow with the cases."""
    factories.WarningFactory.create_batch(2, village=village_a, pushed_at=PUSHED)
    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(20) as few:
        assert reminders.reminders_scan_overdue(today=DUE + 3 * DAY) == 6
    ReminderSent.objects.all().delete()
    Notification.objects.all().delete()
    Delivery.objects.all().delete()
    factories.WarningFactory.create_batch(20, village=village_a, pushed_at=PUSHED)
    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(20) as many:
        assert reminders.reminders_scan_overdue(today=DUE + 3 * DAY) == 66
    assert len(many.captured_queries) == len(few.captured_queries)


def _villages_with_teams(town, count, start):
    """``count`` villages of ``town``, each with a grid worker (in a grid) and a head, and an overdue case."""
    villages = []
    for number in range(start, start + count):
        village = factories.VillageFactory(code=f"V{number:02d}", parent=town)
        grid = factories.GridFactory(code=f"V{number:02d}-01", parent=village)
        factories.UserFactory(username=f"worker{number:02d}", unit=grid, roles=[Role.GRID_WORKER])
        factories.UserFactory(username=f"head{number:02d}", unit=village, roles=[Role.VILLAGE_HEAD])
        factories.WarningFactory(village=village, pushed_at=PUSHED)
        villages.append(village)
    return villages


def test_a_scan_over_many_villages_loads_each_audience_once(
    town, police, leader, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    """Recipients are loaded for every village of a scan at once (one query per audience), not village by village;
    each village's team and head still hear only about their own cases, police and leadership about their town's."""
    _villages_with_teams(town, 2, 0)
    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(20) as few:
        assert reminders.reminders_scan_overdue(today=DUE + 3 * DAY) == 6
    other_town = factories.TownFactory(code="T2", name="丹灶镇")
    station = factories.PoliceStationFactory(code="T2-PS", parent=other_town)
    other_police = factories.UserFactory(username="police_t2", unit=station, roles=[Role.POLICE])
    villages = _villages_with_teams(town, 6, 2) + _villages_with_teams(other_town, 6, 8)
    with django_capture_on_commit_callbacks(execute=True), django_assert_max_num_queries(20) as many:
        assert reminders.reminders_scan_overdue(today=DUE + 3 * DAY) == 36
    assert len(many.captured_queries) == len(few.captured_queries)
    for number, village in enumerate(villages, start=2):
        case_url = f"/{village.warnings.get().pk}/"
        for username, kinds in ((f"worker{number:02d}", ["team"]), (f"head{number:02d}", ["team", "head"])):
            rows = Notification.objects.filter(recipient__username=username, kind__startswith="warning.overdue.")
            assert [
                kind.removeprefix("warning.overdue.") for kind in rows.order_by("pk").values_list("kind", flat=True)
            ] == kinds
            assert all(url.endswith(case_url) for url in rows.values_list("url", flat=True))
    assert Notification.objects.filter(recipient=police, kind="warning.overdue.police_leadership").count() == 8
    assert Notification.objects.filter(recipient=leader, kind="warning.overdue.police_leadership").count() == 8
    assert Notification.objects.filter(recipient=other_police, kind="warning.overdue.police_leadership").count() == 6


def test_the_villages_with_work_are_found_in_one_query(
    village_a, village_b, people, django_assert_num_queries, django_capture_on_commit_callbacks
):
    """The beat's scan first asks which villages have a reminder to send, overdue or window ended: one query, so the
    steady-state rescan (nothing to send) stays at a few round trips."""
    factories.WarningFactory(village=village_a, pushed_at=PUSHED)  # overdue on the day below
    ended = datetime.datetime(2026, 3, 2, 10, 0, tzinfo=SHANGHAI)
    factories.WarningFactory(village=village_b, pushed_at=ended, next_visit_due=DUE + 10 * DAY)  # window ended
    with django_assert_num_queries(1):
        assert reminders.villages_with_reminders(today=DUE + DAY) == sorted([village_a.pk, village_b.pk])
    with django_capture_on_commit_callbacks(execute=True):
        scan_overdue(today=(DUE + 3 * DAY).isoformat())
    with django_assert_num_queries(1):
        assert reminders.villages_with_reminders(today=DUE + 3 * DAY) == []
    with django_assert_num_queries(2):  # the villages, and the deliveries whose task was lost
        assert scan_overdue(today=(DUE + 3 * DAY).isoformat()) == 0


def test_the_audiences_of_many_villages_are_those_of_each_village(town, police, leader, head_a, grid_a, grid_b):
    """The bulk load is the per-village definition (``warnings_followup.notifications.AUDIENCES``) for every village."""
    from organization.models import Unit
    from warnings_followup.notifications import AUDIENCES, audiences_of_villages

    other_town = factories.TownFactory(code="T2", name="丹灶镇")
    station = factories.PoliceStationFactory(code="T2-PS", parent=other_town)
    factories.UserFactory(username="police_t2", unit=station, roles=[Role.POLICE])
    factories.UserFactory(username="retired", unit=station, roles=[Role.POLICE], is_active=False)
    _villages_with_teams(town, 2, 0)
    _villages_with_teams(other_town, 2, 2)
    villages = list(Unit.objects.filter(kind="village").select_related("parent"))
    assert len(villages) >= 6
    for audience, of_village in AUDIENCES.items():
        found = audiences_of_villages(villages, audience)
        for village in villages:
            expected = list(of_village(village))
            assert {user.pk for user in found[village.pk]} == {user.pk for user in expected}, (audience, village)
            assert len(found[village.pk]) == len(expected)
            if audience in ("team", "heads"):
                assert [user.username for user in found[village.pk]] == [user.username for user in expected]
