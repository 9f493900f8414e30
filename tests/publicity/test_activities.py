"""Departments log their publicity work with evidence; the list filters, searches, pages and exports it."""

import datetime
import io
import uuid

import openpyxl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import override_settings
from django.urls import reverse
from django.utils import timezone, translation

from core.models import Attachment
from publicity.models import PUSH_CHANNELS, Activity, Category, MeetingDecision, PushRecipient

from .factories import ActivityFactory


@pytest.fixture(autouse=True)
def english(settings):
    """These stories check the English source wording (the default language, zh-hans, is tested elsewhere)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


pytestmark = pytest.mark.django_db
NEW = reverse("publicity:activity_create")


def form_data(**overrides):
    data = {
        "client_id": str(uuid.uuid4()),
        "category": Category.TALK,
        "title": "老年人防骗讲座",
        "held_on": timezone.localdate().isoformat(),
        "place": "罗村社区党群服务中心",
        "audience_size": "85",
        "channel": "on_site",
    }
    data.update(overrides)
    return data


class TestRecordingAnActivity:
    def test_the_publicity_office_logs_a_talk_with_a_photo(self, client, department_staff, publicity_office, photo):
        client.force_login(department_staff)
        response = client.post(NEW, {**form_data(), "evidence": [photo()]})
        activity = Activity.objects.get()
        assert response.status_code == 302
        assert response.url == reverse("publicity:activity_detail", args=[activity.pk])
        assert activity.unit == publicity_office
        assert activity.recorded_by == department_staff
        assert activity.audience_size == 85
        [file] = activity.attachments.all()
        assert file.kind == Attachment.Kind.IMAGE
        page = client.get(response.url)
        assert "老年人防骗讲座" in page.content.decode()
        assert reverse("attachment", args=[file.pk]) in page.content.decode()

    def test_submitting_the_same_form_twice_records_once(self, client, department_staff, publicity_office):
        client.force_login(department_staff)
        data = form_data()
        client.post(NEW, data)
        response = client.post(NEW, data)
        assert response.status_code == 302
        assert Activity.objects.count() == 1

    def test_a_post_needs_its_link(self, client, department_staff, publicity_office):
        client.force_login(department_staff)
        response = client.post(NEW, form_data(category=Category.COLUMN_POST, channel="wechat_account"))
        assert response.status_code == 200
        assert not Activity.objects.exists()
        response = client.post(
            NEW,
            form_data(
                category=Category.COLUMN_POST,
                channel="wechat_account",
                links="反诈专栏 | https://mp.weixin.qq.com/s/abc\nhttps://www.luocun.gov.cn/fz/",
            ),
        )
        assert response.status_code == 302
        assert [link.url for link in Activity.objects.get().links.all()] == [
            "https://mp.weixin.qq.com/s/abc",
            "https://www.luocun.gov.cn/fz/",
        ]

    def test_a_department_offers_only_its_own_categories(self, client, department_staff, publicity_office):
        client.force_login(department_staff)
        response = client.post(NEW, form_data(category=Category.CASE_MEETING))
        assert response.status_code == 200
        assert "category" in response.context["form"].errors
        assert not Activity.objects.exists()

    def test_a_date_in_the_future_is_refused(self, client, department_staff, publicity_office):
        client.force_login(department_staff)
        tomorrow = timezone.localdate() + datetime.timedelta(days=1)
        response = client.post(NEW, form_data(held_on=tomorrow.isoformat()))
        assert response.status_code == 200
        assert not Activity.objects.exists()

    def test_leadership_reads_but_does_not_log(self, client, leader, publicity_office):
        client.force_login(leader)
        assert client.get(NEW).status_code == 404
        assert client.get(reverse("publicity:activity_list")).status_code == 200

    def test_a_unit_cannot_be_forged_in_the_post(self, client, department_staff, publicity_office, finance_centre):
        client.force_login(department_staff)
        client.post(NEW, form_data(unit=finance_centre.pk))
        assert Activity.objects.get().unit == publicity_office


class TestUploads:
    def test_a_file_of_the_wrong_type_is_refused_and_nothing_is_saved(self, client, department_staff, publicity_office):
        client.force_login(department_staff)
        script = SimpleUploadedFile("photo.jpg", b"#!/bin/sh\necho hi\n", content_type="image/jpeg")
        response = client.post(NEW, {**form_data(), "evidence": [script]})
        assert response.status_code == 200
        assert "photo.jpg" in str(response.context["form"].errors["evidence"])
        assert "not an accepted file" in str(response.context["form"].errors["evidence"])
        assert not Activity.objects.exists()
        assert not Attachment.objects.exists()

    @override_settings(UPLOAD_LIMITS_MB={"image": 0.001, "document": 20, "audio": 20, "video": 100})
    def test_a_file_too_large_is_refused_and_nothing_is_saved(self, client, department_staff, publicity_office, photo):
        client.force_login(department_staff)
        response = client.post(NEW, {**form_data(), "evidence": [photo("big.jpg", size=(400, 300))]})
        assert response.status_code == 200
        assert "too large" in str(response.context["form"].errors["evidence"])
        assert not Activity.objects.exists()
        assert not Attachment.objects.exists()

    def test_one_bad_file_among_good_ones_saves_nothing(self, client, department_staff, publicity_office, photo):
        client.force_login(department_staff)
        bad = SimpleUploadedFile("notes.txt", b"plain text", content_type="text/plain")
        response = client.post(NEW, {**form_data(), "evidence": [photo(), bad]})
        assert response.status_code == 200
        assert not Activity.objects.exists()
        assert not Attachment.objects.exists()


class TestCaseAnalysisMeeting:
    def test_attendees_cases_and_decisions_are_kept_as_rows(self, client, zongzhi, governance_centre):
        client.force_login(zongzhi)
        due = timezone.localdate() + datetime.timedelta(days=10)
        response = client.post(
            NEW,
            form_data(
                category=Category.CASE_MEETING,
                title="十一月研判会商",
                attendees="陈副书记 | 镇党委\n李警官 | 罗村派出所",
                cases="LC2026110301 | 刷单返利案\n冒充客服退款案",
                decisions=f"协调银行冻结账户 | 罗村派出所 | {due.isoformat()}\n集中宣传",
            ),
        )
        assert response.status_code == 302
        meeting = Activity.objects.get()
        assert [(a.name, a.organisation) for a in meeting.attendees.all()] == [
            ("陈副书记", "镇党委"),
            ("李警官", "罗村派出所"),
        ]
        assert [(c.reference, c.summary) for c in meeting.cases.all()] == [
            ("LC2026110301", "刷单返利案"),
            ("", "冒充客服退款案"),
        ]
        first, second = MeetingDecision.objects.order_by("pk")
        assert (first.responsible, first.due_on) == ("罗村派出所", due)
        assert (second.text, second.due_on) == ("集中宣传", None)
        page = client.get(reverse("publicity:activity_detail", args=[meeting.pk])).content.decode()
        assert "LC2026110301" in page and "协调银行冻结账户" in page

    def test_a_meeting_without_decisions_is_refused(self, client, zongzhi, governance_centre):
        client.force_login(zongzhi)
        response = client.post(
            NEW, form_data(category=Category.CASE_MEETING, attendees="李警官 | 派出所", cases="刷单返利案")
        )
        assert response.status_code == 200
        assert "decisions" in response.context["form"].errors
        assert not Activity.objects.exists()

    def test_legal_education_says_where(self, client, zongzhi, governance_centre):
        client.force_login(zongzhi)
        response = client.post(NEW, form_data(category=Category.LEGAL_EDUCATION))
        assert "legal_place" in response.context["form"].errors
        response = client.post(NEW, form_data(category=Category.LEGAL_EDUCATION, legal_place="enterprises"))
        assert response.status_code == 302
        assert Activity.objects.get().get_legal_place_display() == "Enterprises"


class TestFinancePush:
    def test_recipients_are_listed_and_confirm_reading(self, client, caishen, finance_centre, village_a):
        client.force_login(caishen)
        response = client.post(
            NEW,
            form_data(
                category=Category.FINANCE_PUSH,
                channel="wechat_group",
                title="警惕冒充领导要求转账",
                recipients=f"黄会计 | {village_a.name}\n林出纳 | 某公司",
            ),
        )
        assert response.status_code == 302
        push = Activity.objects.get()
        first, second = push.recipients.order_by("pk")
        assert first.recipient_unit == village_a
        assert second.recipient_unit is None
        confirm = reverse("publicity:recipients_confirm", args=[push.pk])
        client.post(confirm, {"recipient": [first.pk]})
        client.post(confirm, {"recipient": [first.pk]})  # twice: the first time is kept
        first.refresh_from_db()
        assert first.read_confirmed_at is not None and first.confirmed_by == caishen
        assert PushRecipient.objects.filter(read_confirmed_at__isnull=True).get() == second
        page = client.get(reverse("publicity:activity_detail", args=[push.pk])).content.decode()
        assert "1 of 2 confirmed reading" in page

    def test_the_finance_centres_form_starts_on_a_push_channel(self, client, caishen, finance_centre):
        """Its only category is the push: "on site" would be refused at the first submit, and the files lost."""
        client.force_login(caishen)
        form = client.get(NEW).context["form"]
        assert form.fields["category"].choices[0][0] == Category.FINANCE_PUSH
        assert form["channel"].value() in PUSH_CHANNELS

    def test_a_push_goes_out_by_sms_wechat_or_qq(self, client, caishen, finance_centre):
        client.force_login(caishen)
        response = client.post(NEW, form_data(category=Category.FINANCE_PUSH, recipients="黄会计"))
        assert "channel" in response.context["form"].errors

    def test_another_department_cannot_confirm_reading(self, client, caishen, zongzhi, finance_centre):
        push = ActivityFactory(unit=finance_centre, category=Category.FINANCE_PUSH, channel="sms")
        recipient = push.recipients.create(name="黄会计")
        client.force_login(zongzhi)  # governance: reads the whole town, writes for its own centre only
        response = client.post(reverse("publicity:recipients_confirm", args=[push.pk]), {"recipient": [recipient.pk]})
        assert response.status_code == 403
        recipient.refresh_from_db()
        assert recipient.read_confirmed_at is None


class TestEvidenceLater:
    def test_files_can_be_added_to_an_activity(self, client, department_staff, publicity_office, photo):
        activity = ActivityFactory(unit=publicity_office)
        client.force_login(department_staff)
        response = client.post(reverse("publicity:activity_add_evidence", args=[activity.pk]), {"evidence": [photo()]})
        assert response.status_code == 302
        assert activity.attachments.count() == 1

    def test_a_bad_file_added_later_is_refused(self, client, department_staff, publicity_office):
        activity = ActivityFactory(unit=publicity_office)
        client.force_login(department_staff)
        bad = SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg")
        response = client.post(reverse("publicity:activity_add_evidence", args=[activity.pk]), {"evidence": [bad]})
        assert response.status_code == 400
        assert activity.attachments.count() == 0

    def test_another_unit_adds_no_files_and_gets_no_edit_page(self, client, zongzhi, publicity_office):
        """Governance reads every unit's work but writes only its own: 403, even with an empty or bad form."""
        activity = ActivityFactory(unit=publicity_office)
        client.force_login(zongzhi)
        url = reverse("publicity:activity_add_evidence", args=[activity.pk])
        assert client.get(reverse("publicity:activity_detail", args=[activity.pk])).status_code == 200
        response = client.post(url, {})
        assert response.status_code == 403
        assert b"evidence-form" not in response.content
        assert activity.attachments.count() == 0


class TestList:
    def test_filters_and_search(self, client, leader, publicity_office, finance_centre):
        ActivityFactory(unit=publicity_office, title="社区讲座", category=Category.TALK)
        ActivityFactory(unit=publicity_office, title="公众号专栏", category=Category.COLUMN_POST)
        ActivityFactory(unit=finance_centre, title="财务推送", category=Category.FINANCE_PUSH)
        client.force_login(leader)
        url = reverse("publicity:activity_list")
        titles = lambda response: [a.title for a in response.context["page"]]  # noqa: E731
        assert sorted(titles(client.get(url))) == ["公众号专栏", "社区讲座", "财务推送"]
        assert titles(client.get(url, {"unit": "FIN"})) == ["财务推送"]
        assert titles(client.get(url, {"category": "column_post"})) == ["公众号专栏"]
        assert titles(client.get(url, {"q": "讲座"})) == ["社区讲座"]

    def test_the_list_pages_with_a_bounded_number_of_queries(
        self, client, department_staff, publicity_office, django_assert_max_num_queries
    ):
        ActivityFactory.create_batch(30, unit=publicity_office)
        client.force_login(department_staff)
        with django_assert_max_num_queries(14):
            response = client.get(reverse("publicity:activity_list"))
        assert len(response.context["page"].object_list) == 25
        assert response.context["page"].paginator.num_pages == 2

    def test_the_excel_export_holds_the_filtered_activities_in_scope(
        self, client, department_staff, publicity_office, finance_centre
    ):
        ActivityFactory(unit=publicity_office, title="=HYPERLINK(evil)", category=Category.TALK)
        ActivityFactory(unit=publicity_office, title="公众号专栏", category=Category.COLUMN_POST)
        ActivityFactory(unit=finance_centre, title="财务推送", category=Category.FINANCE_PUSH)
        client.force_login(department_staff)
        response = client.get(reverse("publicity:activity_export"), {"category": "talk"})
        assert response.status_code == 200
        sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
        rows = list(sheet.iter_rows(values_only=True))
        assert len(rows) == 2
        assert rows[1][3] == "'=HYPERLINK(evil)"
        response = client.get(reverse("publicity:activity_export"))
        titles = [row[3] for row in list(openpyxl.load_workbook(io.BytesIO(response.content)).active.values)[1:]]
        assert "财务推送" not in titles


class TestVolunteers:
    def test_the_publicity_office_keeps_the_roster(self, client, department_staff, publicity_office):
        client.force_login(department_staff)
        url = reverse("publicity:volunteer_list")
        data = {"name": "陈嘉怡", "group": "league_member", "phone": "138 0757 0001", "joined_on": "2026-03-01"}
        assert client.post(url, data).status_code == 302
        assert client.post(url, data).status_code == 200  # already on the roster
        volunteer = publicity_office.volunteers.get()
        assert volunteer.phone == "13807570001"
        page = client.get(url).content.decode()
        assert "138****0001" in page and "13807570001" not in page
        client.post(reverse("publicity:volunteer_toggle", args=[volunteer.pk]), {"active": "0"})
        volunteer.refresh_from_db()
        assert not volunteer.is_active

    def test_a_double_tap_on_deactivate_leaves_the_volunteer_inactive(self, client, department_staff, publicity_office):
        volunteer = publicity_office.volunteers.create(name="梁子健", group="league_member")
        client.force_login(department_staff)
        page = client.get(reverse("publicity:volunteer_list")).content.decode()
        assert 'name="active" value="0"' in page  # the button says what it does
        url = reverse("publicity:volunteer_toggle", args=[volunteer.pk])
        assert client.post(url, {"active": "0"}).status_code == 302
        assert client.post(url, {"active": "0"}).status_code == 302  # the same form sent again
        volunteer.refresh_from_db()
        assert not volunteer.is_active
        assert client.post(url).status_code == 400  # without saying which, nothing changes
        volunteer.refresh_from_db()
        assert not volunteer.is_active
        client.post(url, {"active": "1"})
        volunteer.refresh_from_db()
        assert volunteer.is_active

    def test_other_units_do_not_keep_a_roster(self, client, caishen, finance_centre):
        client.force_login(caishen)
        assert client.post(reverse("publicity:volunteer_list"), {"name": "x", "group": "resident"}).status_code == 403


class TestCorrections:
    def test_the_unit_corrects_an_activity(self, client, department_staff, publicity_office):
        activity = ActivityFactory(unit=publicity_office, audience_size=50)
        client.force_login(department_staff)
        url = reverse("publicity:activity_edit", args=[activity.pk])
        data = {
            "title": "更正后的标题",
            "held_on": activity.held_on.isoformat(),
            "place": "文化站",
            "audience_size": "65",
            "channel": "on_site",
        }
        assert client.post(url, data).status_code == 302
        activity.refresh_from_db()
        assert (activity.title, activity.audience_size) == ("更正后的标题", 65)
        assert activity.history.count() == 2

    def test_another_unit_cannot_correct_it(self, client, zongzhi, publicity_office):
        activity = ActivityFactory(unit=publicity_office)
        client.force_login(zongzhi)
        assert client.get(reverse("publicity:activity_edit", args=[activity.pk])).status_code == 403


def test_the_activity_page_runs_a_bounded_number_of_queries(
    client, caishen, finance_centre, django_assert_max_num_queries
):
    push = ActivityFactory(unit=finance_centre, category=Category.FINANCE_PUSH, channel="sms")
    for n in range(15):
        push.recipients.create(name=f"会计{n}")
        push.links.create(url=f"https://example.org/{n}")
    client.force_login(caishen)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("publicity:activity_detail", args=[push.pk]))
    assert len(response.context["recipients"]) == 15


class TestOtherUnits:
    def test_the_police_publicise_a_typical_case_with_the_post(self, client, police, police_station):
        client.force_login(police)
        response = client.post(
            NEW,
            form_data(
                category=Category.TYPICAL_CASE,
                channel="wechat_account",
                title="以案释法：刷单返利",
                links="https://mp.weixin.qq.com/s/case-31",
            ),
        )
        assert response.status_code == 302
        activity = Activity.objects.get()
        assert activity.unit == police_station
        assert activity.links.get().url == "https://mp.weixin.qq.com/s/case-31"

    def test_a_police_post_needs_its_link(self, client, police, police_station):
        client.force_login(police)
        response = client.post(NEW, form_data(category=Category.POLICE_POST, channel="weibo"))
        assert "links" in response.context["form"].errors

    def test_a_schools_staff_education_is_recorded_once_as_an_education_session(self, client, school, middle_school):
        """三(四) "抓好学校教职员工的防骗宣传教育": staff education is the education app's staff session, not a second
        publicity form; the school's form points there and offers its talks."""
        client.force_login(school)
        response = client.get(NEW)
        form = response.context["form"]
        assert [value for value, _label in form.fields["category"].choices] == ["talk", "other"]
        session_form = reverse("education:session_create", args=[middle_school.pk]) + "?kind=staff"
        assert session_form in response.text
        old_link = client.get(NEW, {"category": Category.STAFF_EDUCATION})
        assert old_link.status_code == 302 and old_link["Location"] == session_form
        response = client.post(NEW, form_data(category=Category.STAFF_EDUCATION))
        assert "category" in response.context["form"].errors
        assert not Activity.objects.exists()
        assert client.post(NEW, form_data(category=Category.TALK)).status_code == 302
        assert Activity.objects.get().unit == middle_school

    def test_a_staff_education_activity_logged_before_stays_readable(self, client, school, middle_school):
        old = ActivityFactory(unit=middle_school, category=Category.STAFF_EDUCATION, title="教职员工防骗培训")
        client.force_login(school)
        assert client.get(reverse("publicity:activity_detail", args=[old.pk])).status_code == 200
        assert "教职员工防骗培训" in client.get(reverse("publicity:activity_list")).text

    def test_an_administrator_chooses_the_unit(self, client, admin_user, publicity_office, finance_centre):
        client.force_login(admin_user)
        response = client.post(NEW, form_data(unit=finance_centre.pk, category=Category.TALK))
        assert "category" in response.context["form"].errors  # not a category of the finance centre
        response = client.post(NEW, form_data(unit=publicity_office.pk, category=Category.TALK))
        assert response.status_code == 302
        assert Activity.objects.get().unit == publicity_office
