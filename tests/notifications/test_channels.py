"""Outside channels: the village work group's robot and SMS, each delivery logged, retried, never duplicated.

Celery runs eagerly here (retries included, without waiting for the back-off); the robot is a local HTTP
server on 127.0.0.1 (tests/notifications/robot.py).
"""

import datetime
import importlib
import socket
from unittest import mock

import pytest
from django.core.exceptions import ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django_celery_beat.models import CrontabSchedule

from core.validators import make_id_number
from notifications import channels
from notifications.channels import LocmemSMSBackend
from notifications.models import Delivery, DeliveryChannel, DeliveryStatus, VillageChannel
from notifications.tasks import deliver
from tests.notifications.robot import RobotServer

pytestmark = pytest.mark.django_db

ID = make_id_number("440605", datetime.date(1948, 6, 1), 77)
ACCOUNT = "6228480402564890018"
MOBILE = "13800138000"


@pytest.fixture(autouse=True)
def eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SMS_BACKEND = "notifications.channels.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    yield
    LocmemSMSBackend.outbox.clear()


@pytest.fixture
def few_retries(monkeypatch):
    monkeypatch.setattr(deliver, "max_retries", 2)
    return 2


@pytest.fixture
def robot():
    with RobotServer() as server:
        yield server


def configure(village, url, kind="wecom", sms=False):
    return VillageChannel.objects.create(village=village, webhook_url=url, webhook_kind=kind, sms_enabled=sms)


def post_to_group(village, text="联和村：今日待回访 2 人", key="event:1", capture=None):
    with capture(execute=True):
        return channels.village_webhook_enqueue(village=village, text=text, dedupe_key=key)


# --- The group robot ---------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", ["wecom", "dingtalk"])
def test_a_message_reaches_the_village_work_group(kind, village_a, robot, django_capture_on_commit_callbacks):
    configure(village_a, robot.url, kind=kind)

    delivery = post_to_group(village_a, capture=django_capture_on_commit_callbacks)

    assert robot.received == [{"msgtype": "text", "text": {"content": "联和村：今日待回访 2 人"}}]
    assert robot.paths == ["/cgi-bin/webhook/send?key=test-robot"]
    delivery.refresh_from_db()
    assert delivery.channel == DeliveryChannel.WEBHOOK
    assert delivery.recipient_key == f"village:{village_a.pk}"
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 1, "")
    assert delivery.sent_at is not None


def test_the_same_message_goes_out_once(village_a, robot, django_capture_on_commit_callbacks):
    configure(village_a, robot.url)

    first = post_to_group(village_a, capture=django_capture_on_commit_callbacks)
    second = post_to_group(village_a, capture=django_capture_on_commit_callbacks)

    assert first is not None and second is None
    assert len(robot.received) == 1
    assert Delivery.objects.count() == 1


def test_a_village_without_a_robot_gets_nothing_and_nothing_is_logged(
    village_a, village_b, robot, django_capture_on_commit_callbacks
):
    configure(village_b, robot.url)
    configure_empty = VillageChannel.objects.create(village=village_a, webhook_url="")

    assert post_to_group(village_a, capture=django_capture_on_commit_callbacks) is None
    assert configure_empty.pk and robot.received == []
    assert not Delivery.objects.exists()


def test_each_village_has_its_own_robot(village_a, village_b, django_capture_on_commit_callbacks):
    with RobotServer() as robot_a, RobotServer() as robot_b:
        configure(village_a, robot_a.url)
        configure(village_b, robot_b.url, kind="dingtalk")
        post_to_group(village_a, text="A", capture=django_capture_on_commit_callbacks)
        post_to_group(village_b, text="B", capture=django_capture_on_commit_callbacks)
    assert robot_a.contents() == ["A"]
    assert robot_b.contents() == ["B"]


def test_a_failing_robot_is_retried_then_the_delivery_is_marked_failed(
    village_a, few_retries, django_capture_on_commit_callbacks
):
    with RobotServer(always=(500, {"error": "down"})) as robot:
        configure(village_a, robot.url)
        delivery = post_to_group(village_a, capture=django_capture_on_commit_callbacks)

    assert len(robot.received) == few_retries + 1
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == few_retries + 1
    assert "HTTP 500" in delivery.last_error
    assert delivery.sent_at is None


def test_a_robot_refusing_with_an_errcode_is_retried_until_it_accepts(
    village_a, few_retries, django_capture_on_commit_callbacks
):
    answers = [(200, {"errcode": 45009, "errmsg": "api freq out of limit"}), (502, {})]
    with RobotServer(answers=answers) as robot:
        configure(village_a, robot.url)
        delivery = post_to_group(village_a, capture=django_capture_on_commit_callbacks)

    assert len(robot.received) == 3
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts, delivery.last_error) == (DeliveryStatus.SENT, 3, "")


def test_an_unreachable_robot_is_recorded_on_every_attempt(village_a, few_retries, django_capture_on_commit_callbacks):
    with socket.socket() as probe:  # a port on which nobody listens
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    configure(village_a, f"http://127.0.0.1:{port}/robot")

    delivery = post_to_group(village_a, capture=django_capture_on_commit_callbacks)

    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED
    assert delivery.attempts == few_retries + 1
    assert "could not be reached" in delivery.last_error


def test_every_attempt_updates_the_delivery_row(village_a, few_retries):
    with RobotServer(always=(503, {})) as robot:
        configure(village_a, robot.url)
        with transaction.atomic():
            delivery = channels.village_webhook_enqueue(village=village_a, text="hello", dedupe_key="k")

        with pytest.raises(channels.DeliveryError):
            channels.delivery_attempt(delivery_id=delivery.pk)
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.PENDING, 1)
        assert "HTTP 503" in delivery.last_error

        assert channels.delivery_attempt(delivery_id=delivery.pk, final=True) == DeliveryStatus.FAILED
        delivery.refresh_from_db()
        assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 2)

        # A redelivered task finds the delivery settled and sends nothing.
        assert channels.delivery_attempt(delivery_id=delivery.pk) == DeliveryStatus.FAILED
    assert len(robot.received) == 2


def test_a_sent_delivery_is_never_sent_again(village_a, robot, django_capture_on_commit_callbacks):
    configure(village_a, robot.url)
    delivery = post_to_group(village_a, capture=django_capture_on_commit_callbacks)

    deliver.apply(args=[delivery.pk])  # the broker redelivers the task

    assert len(robot.received) == 1


def test_a_webhook_url_that_is_not_http_fails_at_once(village_a, django_capture_on_commit_callbacks):
    configure(village_a, "https://example.invalid/robot")
    VillageChannel.objects.filter(village=village_a).update(webhook_url="file:///etc/passwd")

    delivery = post_to_group(village_a, capture=django_capture_on_commit_callbacks)

    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert "http" in delivery.last_error


def test_the_channel_settings_accept_only_web_addresses_and_villages(village_a, grid_a1):
    with pytest.raises(ValidationError) as error:
        VillageChannel(village=village_a, webhook_url="ftp://example.com/robot").full_clean()
    assert "webhook_url" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        VillageChannel(village=grid_a1, webhook_url="https://qyapi.weixin.qq.com/x").full_clean()
    assert "village" in error.value.message_dict
    VillageChannel(village=village_a, webhook_url="https://oapi.dingtalk.com/robot/send?access_token=t").full_clean()


def test_long_messages_are_cut_to_what_a_robot_accepts():
    payload = channels.webhook_payload("wecom", "预警" * 2000)
    assert len(payload["text"]["content"].encode("utf-8")) <= channels.MAX_CONTENT_BYTES
    assert payload["text"]["content"].endswith("…")


# --- Queued on commit, caught up by the scan ----------------------------------------------------------


def test_a_delivery_queued_in_a_rolled_back_transaction_is_never_sent(
    village_a, robot, django_capture_on_commit_callbacks
):
    configure(village_a, robot.url)
    with mock.patch.object(deliver, "delay") as delay, django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            channels.village_webhook_enqueue(village=village_a, text="x", dedupe_key="k")
            raise RuntimeError("roll back")
    assert callbacks == []
    delay.assert_not_called()
    assert not Delivery.objects.exists()


def test_a_broker_that_is_down_does_not_fail_the_caller_and_the_scan_catches_up(
    village_a, robot, django_capture_on_commit_callbacks
):
    configure(village_a, robot.url)
    with (
        mock.patch.object(deliver, "delay", side_effect=OSError("broker down")),
        django_capture_on_commit_callbacks(execute=True),
    ):
        delivery = channels.village_webhook_enqueue(village=village_a, text="x", dedupe_key="k")
    assert robot.received == []
    assert Delivery.objects.get().status == DeliveryStatus.PENDING

    # Soon after, the scan leaves it alone (its task may still be on its way) ...
    with django_capture_on_commit_callbacks(execute=True):
        assert channels.deliveries_requeue_stale() == 0
    # ... later it publishes it again.
    later = timezone.now() + channels.STALE_AFTER + datetime.timedelta(minutes=1)
    with django_capture_on_commit_callbacks(execute=True):
        assert channels.deliveries_requeue_stale(now=later) == 1
    assert robot.contents() == ["x"]
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT


# --- SMS --------------------------------------------------------------------------------------------------


def test_an_sms_goes_to_the_users_mobile_number(head_a, village_a, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        delivery = channels.sms_enqueue(user=head_a, village=village_a, text="请尽快回访", dedupe_key="k")
        again = channels.sms_enqueue(user=head_a, village=village_a, text="请尽快回访", dedupe_key="k")

    assert again is None
    assert LocmemSMSBackend.outbox == [(head_a.mobile, "请尽快回访")]
    delivery.refresh_from_db()
    assert (delivery.channel, delivery.status, delivery.recipient_key) == ("sms", "sent", f"user:{head_a.pk}")


def test_a_user_without_a_mobile_number_gets_no_sms_and_the_log_says_why(
    head_a, village_a, django_capture_on_commit_callbacks
):
    head_a.mobile = ""
    head_a.save(update_fields=["mobile"])
    with django_capture_on_commit_callbacks(execute=True):
        delivery = channels.sms_enqueue(user=head_a, village=village_a, text="请尽快回访", dedupe_key="k")
    delivery.refresh_from_db()
    assert LocmemSMSBackend.outbox == []
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, 1)
    assert "no mobile number" in delivery.last_error


def test_a_failing_sms_gateway_is_retried_then_marked_failed(
    head_a, village_a, few_retries, django_capture_on_commit_callbacks
):
    with (
        mock.patch.object(LocmemSMSBackend, "send", side_effect=ConnectionError("gateway timeout")) as send,
        django_capture_on_commit_callbacks(execute=True),
    ):
        delivery = channels.sms_enqueue(user=head_a, village=village_a, text="x", dedupe_key="k")

    assert send.call_count == few_retries + 1
    delivery.refresh_from_db()
    assert (delivery.status, delivery.attempts) == (DeliveryStatus.FAILED, few_retries + 1)
    assert "ConnectionError" in delivery.last_error


def test_the_console_backend_logs_the_message(caplog):
    with caplog.at_level("INFO", logger="notifications.channels"):
        channels.ConsoleSMSBackend().send("head_a", "请尽快回访")
    assert "head_a" in caplog.text and "请尽快回访" in caplog.text


# --- Nothing sensitive leaves ---------------------------------------------------------------------------


def test_full_id_account_and_phone_numbers_are_masked_before_anything_is_stored_or_sent(
    village_a, head_a, robot, django_capture_on_commit_callbacks
):
    configure(village_a, robot.url, sms=True)
    text = f"陈阿婆 身份证 {ID}，账户 {ACCOUNT}，电话 {MOBILE}，指令 YJ202605030001"
    with django_capture_on_commit_callbacks(execute=True):
        channels.village_webhook_enqueue(village=village_a, text=text, dedupe_key="k", conceal=["陈阿婆"])
        channels.sms_enqueue(user=head_a, village=village_a, text=text, dedupe_key="k", conceal=["陈阿婆"])

    sent = [*robot.contents(), *(text for _phone, text in LocmemSMSBackend.outbox)]
    stored = list(Delivery.objects.values_list("summary", flat=True))
    assert len(sent) == 2 and len(stored) == 2
    for message in [*sent, *stored]:
        assert ID not in message and ACCOUNT not in message and MOBILE not in message
        assert "陈阿婆" not in message and "陈**" in message
        assert "440605********" in message and "6228 **** **** 0018" in message and "138****8000" in message
        assert "YJ202605030001" in message  # the instruction number is not a secret


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        (f"x{ID.lower()}x", f"x{ID.lower()}x"),  # glued to letters: not a number on its own
        (f"ID:{ID[:-1]}x", "ID:440605********" + ID[-4:-1] + "X"),
        ("6222 0202 0000 0000 123", "6222 **** **** 0123"),
        ("+86 138-0013-8000", "138****8000"),
        ("2026-05-03 共 3 人", "2026-05-03 共 3 人"),
    ],
)
def test_scrub(raw, masked):
    assert channels.scrub(raw) == masked


# --- Admin -------------------------------------------------------------------------------------------------


def test_the_admin_edits_a_villages_channels_and_reads_the_delivery_log(
    client, admin_user, village_a, robot, django_capture_on_commit_callbacks
):
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:notifications_villagechannel_add"),
        {"village": village_a.pk, "webhook_kind": "dingtalk", "webhook_url": robot.url, "sms_enabled": "on"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    channel = VillageChannel.objects.get(village=village_a)
    assert (channel.webhook_kind, channel.sms_enabled) == ("dingtalk", True)

    post_to_group(village_a, capture=django_capture_on_commit_callbacks)
    assert client.get(reverse("admin:notifications_delivery_changelist")).status_code == 200
    delivery = Delivery.objects.get()
    assert client.get(reverse("admin:notifications_delivery_change", args=[delivery.pk])).status_code == 200
    assert client.get(reverse("admin:notifications_delivery_add")).status_code == 403
    assert client.get(reverse("admin:notifications_remindersent_changelist")).status_code == 200


def test_the_reminder_schedules_are_editable_rows_in_the_admin(client, admin_user):
    from django.apps import apps
    from django_celery_beat.models import PeriodicTask

    schedules = importlib.import_module("notifications.migrations.0003_reminder_schedules")
    schedules.create_schedules(apps, None)  # what `migrate` ran (a flushed, reused test database lost the rows)

    tasks = {task.task: task for task in PeriodicTask.objects.select_related("crontab")}
    digest = tasks["warnings_followup.send_morning_digest"]
    scan = tasks["warnings_followup.scan_overdue"]
    assert (digest.crontab.minute, digest.crontab.hour, str(digest.crontab.timezone)) == ("0", "8", "Asia/Shanghai")
    assert (scan.crontab.minute, scan.crontab.hour) == ("*/15", "7-21")
    assert digest.enabled and scan.enabled

    client.force_login(admin_user)
    assert client.get(reverse("admin:django_celery_beat_periodictask_change", args=[digest.pk])).status_code == 200

    # A time changed in the admin survives the migration running again.
    digest.crontab = CrontabSchedule.objects.create(minute="30", hour="7", timezone="Asia/Shanghai")
    digest.save()
    schedules.create_schedules(apps, None)
    digest.refresh_from_db()
    assert (digest.crontab.minute, digest.crontab.hour) == ("30", "7")
    assert PeriodicTask.objects.filter(task="warnings_followup.send_morning_digest").count() == 1


def test_the_scheduled_task_names_are_registered():
    from luocun_antifraud.celery import app

    app.loader.import_default_modules()
    assert {"warnings_followup.scan_overdue", "warnings_followup.send_morning_digest", "notifications.deliver"} <= set(
        app.tasks
    )
