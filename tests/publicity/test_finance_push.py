"""The finance push, for real (三(七) 镇财审中心…向村居、相关单位财务人员推送防范电信网络诈骗知识).

The finance and audit centre keeps a roster of the finance staff of every village and unit (mobiles encrypted,
masked in lists), sends a push to a chosen audience by SMS (each with a personal link) and to the villages'
work-group robots, and each recipient confirms reading through the link: no login, one tap, 14 days. The activity
shows the read rate per unit from those confirmations; who did not confirm is listed for the next push.
"""

import datetime
import re
import uuid

import pytest
import time_machine
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from notifications.channels import LocmemSMSBackend
from notifications.models import VillageChannel
from publicity import finance
from publicity.models import Activity, Category, Channel, FinanceStaff, PushRecipient, SmsStatus
from tests.notifications.robot import RobotServer

from .factories import FinanceStaffFactory

pytestmark = pytest.mark.django_db
ROSTER = reverse("publicity:finance_roster")
PUSH = reverse("publicity:finance_push_create")
LINK = re.compile(r"https?://[^\s]+/publicity/read/[^\s/]+/")


@pytest.fixture(autouse=True)
def sms(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True
    settings.SMS_BACKEND = "notifications.channels.LocmemSMSBackend"
    LocmemSMSBackend.outbox.clear()
    yield LocmemSMSBackend.outbox
    LocmemSMSBackend.outbox.clear()


@pytest.fixture
def robot(village_a):
    with RobotServer() as server:
        VillageChannel.objects.create(village=village_a, webhook_url=server.url)
        yield server


@pytest.fixture
def roster(finance_centre, village_a, village_b, economic_office):
    return {
        "huang": FinanceStaffFactory(keeper=finance_centre, unit=village_a, name="黄会计", mobile="13900001111"),
        "lin": FinanceStaffFactory(keeper=finance_centre, unit=village_a, name="林出纳", mobile="13900002222"),
        "chen": FinanceStaffFactory(keeper=finance_centre, unit=village_b, name="陈会计", mobile="13900003333"),
        "zhou": FinanceStaffFactory(keeper=finance_centre, unit=economic_office, name="周会计", mobile="13900004444"),
    }


def push(actor, keeper, units, **extra):
    return finance.finance_push_send(actor=actor, keeper=keeper, title="t", message="m", units=units, **extra)


def send(client, units, capture, **extra):
    data = {
        "client_id": str(uuid.uuid4()),
        "title": "警惕冒充领导诈骗",
        "message": "凡是自称领导要求转账的，一律电话核实！",
        "units": [u.pk for u in units],
        "include_not_confirmed": "on",
        **extra,
    }
    with capture(execute=True):
        return client.post(PUSH, data)


class TestTheRoster:
    def test_the_centre_adds_staff_and_sees_the_mobiles_masked(self, client, caishen, finance_centre, village_a):
        client.force_login(caishen)
        response = client.post(
            ROSTER, {"unit": village_a.pk, "name": "黄会计", "position": "会计", "mobile": "139 0000 1111"}
        )
        assert response.status_code == 302
        staff = FinanceStaff.objects.get()
        assert (staff.keeper, staff.unit, staff.mobile) == (finance_centre, village_a, "13900001111")
        assert staff.mobile_hash and "13900001111" not in staff.mobile_hash
        page = client.get(ROSTER).content.decode()
        assert "139****1111" in page and "13900001111" not in page

    def test_the_same_mobile_twice_is_refused(self, client, caishen, roster, village_b):
        client.force_login(caishen)
        response = client.post(ROSTER, {"unit": village_b.pk, "name": "重复", "mobile": "13900001111"})
        assert response.status_code == 200
        assert FinanceStaff.objects.count() == 4

    def test_a_landline_is_refused(self, client, caishen, finance_centre, village_a):
        client.force_login(caishen)
        client.post(ROSTER, {"unit": village_a.pk, "name": "黄会计", "mobile": "0757-86881234"})
        assert not FinanceStaff.objects.exists()

    def test_editing_keeps_the_mobile_unless_a_new_one_is_typed(self, client, caishen, roster, village_b):
        client.force_login(caishen)
        staff = roster["huang"]
        url = reverse("publicity:finance_staff_edit", args=[staff.pk])
        assert "139****1111" in client.get(url).content.decode()
        client.post(url, {"unit": village_b.pk, "name": "黄会计", "position": "出纳", "mobile": "", "is_active": "on"})
        staff.refresh_from_db()
        assert (staff.unit, staff.position, staff.mobile) == (village_b, "出纳", "13900001111")

    def test_other_people_do_not_reach_the_roster(self, client, department_staff, head_a, leader, roster):
        for user in (department_staff, head_a, leader):
            client.force_login(user)
            assert client.get(ROSTER).status_code == 404
            assert client.get(PUSH).status_code == 404
            edit = reverse("publicity:finance_staff_edit", args=[roster["huang"].pk])
            assert client.get(edit).status_code == 404


class TestThePush:
    def test_a_push_sends_an_sms_with_a_personal_link_to_each_and_posts_to_the_village_robot(
        self,
        client,
        caishen,
        finance_centre,
        roster,
        village_a,
        village_b,
        robot,
        sms,
        django_capture_on_commit_callbacks,
    ):
        client.force_login(caishen)
        response = send(client, [village_a, village_b], django_capture_on_commit_callbacks)
        activity = Activity.objects.get()
        assert response.url == reverse("publicity:activity_detail", args=[activity.pk])
        assert (activity.unit, activity.category, activity.channel) == (
            finance_centre,
            Category.FINANCE_PUSH,
            Channel.SMS,
        )
        assert sorted(phone for phone, _text in sms) == ["13900001111", "13900002222", "13900003333"]
        links = {LINK.search(text).group() for _phone, text in sms}
        assert len(links) == 3  # personal: one link each
        assert all("冒充领导" in text for _phone, text in sms)
        assert set(PushRecipient.objects.values_list("sms_status", flat=True)) == {SmsStatus.SENT}
        # The work group of the village with a robot: the knowledge, no one's number.
        [content] = robot.contents()
        assert "冒充领导" in content and "139" not in content

    def test_the_activity_shows_the_read_rate_per_unit_from_the_links(
        self, client, caishen, roster, village_a, village_b, sms, django_capture_on_commit_callbacks
    ):
        client.force_login(caishen)
        response = send(client, [village_a, village_b], django_capture_on_commit_callbacks)
        page = client.get(response.url).content.decode()
        assert "3人中0人已阅" in page  # (0 of 3 read)
        assert 'name="recipient"' not in page  # the sender does not tick anyone
        huang_link = next(LINK.search(text).group() for phone, text in sms if phone == "13900001111")
        anonymous = Client()
        assert anonymous.get(huang_link).status_code == 200
        assert anonymous.post(huang_link).status_code == 302
        page = client.get(response.url).content.decode()
        assert "3人中1人已阅" in page
        rates = {rate.unit_name: (rate.read, rate.total) for rate in client.get(response.url).context["read_rates"]}
        assert rates == {village_a.name: (1, 2), village_b.name: (0, 1)}
        huang = PushRecipient.objects.get(staff=roster["huang"])
        assert huang.confirmed_via_link and huang.confirmed_by is None

    def test_confirming_twice_keeps_the_first_time(self, caishen, roster, finance_centre, village_a):
        result = finance.finance_push_send(
            actor=caishen, keeper=finance_centre, title="t", message="m", units=[village_a], include_not_confirmed=False
        )
        recipient = result.push.activity.recipients.first()
        token = finance.read_token(recipient)
        first = finance.push_read_confirm(token=token).read_confirmed_at
        assert finance.push_read_confirm(token=token).read_confirmed_at == first

    def test_a_forged_or_altered_link_is_404(self, caishen, roster, finance_centre, village_a):
        result = finance.finance_push_send(
            actor=caishen, keeper=finance_centre, title="t", message="m", units=[village_a]
        )
        recipient = result.push.activity.recipients.first()
        token = finance.read_token(recipient)
        other_pk = f"{recipient.pk + 1}:{token.split(':', 1)[1]}"
        client = Client()
        assert client.get(reverse("publicity:finance_read", args=[other_pk])).status_code == 404
        assert client.post(reverse("publicity:finance_read", args=["1:forged"])).status_code == 404
        recipient.refresh_from_db()
        assert recipient.read_confirmed_at is None

    def test_the_link_expires_after_14_days(self, caishen, roster, finance_centre, village_a):
        result = finance.finance_push_send(
            actor=caishen, keeper=finance_centre, title="t", message="m", units=[village_a]
        )
        recipient = result.push.activity.recipients.first()
        url = reverse("publicity:finance_read", args=[finance.read_token(recipient)])
        with time_machine.travel(timezone.now() + datetime.timedelta(days=14, minutes=1)):
            assert Client().post(url).status_code == 410
        recipient.refresh_from_db()
        assert recipient.read_confirmed_at is None
        with time_machine.travel(timezone.now() + datetime.timedelta(days=13)):
            assert Client().post(url).status_code == 302

    def test_the_same_form_sent_twice_pushes_once(
        self, client, caishen, roster, village_a, sms, django_capture_on_commit_callbacks
    ):
        client.force_login(caishen)
        client_id = str(uuid.uuid4())
        send(client, [village_a], django_capture_on_commit_callbacks, client_id=client_id)
        send(client, [village_a], django_capture_on_commit_callbacks, client_id=client_id)
        assert Activity.objects.count() == 1 and len(sms) == 2

    def test_an_audience_without_staff_is_refused(self, client, caishen, roster, finance_centre, middle_school):
        with pytest.raises(Exception, match="没有在岗的财务人员"):
            finance.finance_push_send(
                actor=caishen, keeper=finance_centre, title="t", message="m", units=[middle_school]
            )

    def test_a_gateway_failure_is_retried_then_recorded(self, caishen, roster, finance_centre, village_b, monkeypatch):
        def refuse(self, phone, text):
            raise ConnectionError("gateway timeout")

        monkeypatch.setattr(LocmemSMSBackend, "send", refuse)
        result = finance.finance_push_send(
            actor=caishen, keeper=finance_centre, title="t", message="m", units=[village_b], include_not_confirmed=False
        )
        recipient = result.push.activity.recipients.get()
        with pytest.raises(Exception, match="gateway timeout"):
            finance.finance_sms_attempt(recipient_id=recipient.pk, base_url="http://testserver/")
        assert finance.finance_sms_attempt(recipient_id=recipient.pk, base_url="", final=True) == SmsStatus.FAILED
        recipient.refresh_from_db()
        assert recipient.sms_attempts == 2 and "timeout" in recipient.sms_error

    def test_only_the_finance_centre_sends(self, department_staff, publicity_office, roster, village_a):
        from django.core.exceptions import PermissionDenied

        with pytest.raises(PermissionDenied):
            finance.finance_push_send(
                actor=department_staff, keeper=publicity_office, title="t", message="m", units=[village_a]
            )


class TestWhoDidNotConfirm:
    def test_staff_who_did_not_confirm_are_listed_and_included_in_the_next_push(
        self, client, caishen, roster, finance_centre, village_a, village_b, sms, django_capture_on_commit_callbacks
    ):
        first = finance.finance_push_send(
            actor=caishen, keeper=finance_centre, title="一", message="m", units=[village_a, village_b]
        )
        huang = first.push.activity.recipients.get(staff=roster["huang"])
        finance.push_read_confirm(token=finance.read_token(huang))
        listed = set(finance.staff_not_confirmed(finance_centre).values_list("name", flat=True))
        assert listed == {"林出纳", "陈会计"}
        client.force_login(caishen)
        assert "林出纳" in client.get(PUSH).content.decode()
        send(client, [village_a], django_capture_on_commit_callbacks, title="二")
        second = Activity.objects.get(title="二")
        names = set(second.recipients.values_list("name", flat=True))
        assert names == {"黄会计", "林出纳", "陈会计"}  # 陈会计 of village B: did not confirm the last push
