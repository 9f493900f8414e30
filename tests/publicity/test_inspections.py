"""经发办's venues and joint inspections: a failed item stays on the "to fix" lists until recorded fixed."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from publicity import services
from publicity.models import Inspection, InspectionItem, Venue

from .factories import InspectionItemFactory, VenueFactory

pytestmark = pytest.mark.django_db


def inspection_data(**overrides):
    today = timezone.localdate()
    data = {
        "client_id": str(uuid.uuid4()),
        "inspected_on": today.isoformat(),
        "with_police": "on",
        "carriers": "中国移动",
        "inspectors": "吴经发、李警官",
        "broadcast_result": "pass",
        "led_result": "pass",
        "qr_code_result": "pass",
    }
    data.update(overrides)
    return data


def to_fix_items(client):
    return list(client.get(reverse("publicity:to_fix")).context["page"].object_list)


class TestVenues:
    def test_the_economic_office_adds_a_venue(self, client, jingfa, economic_office, village_a):
        client.force_login(jingfa)
        response = client.post(
            reverse("publicity:venue_create"), {"name": "百佳超市", "kind": "supermarket", "village": village_a.pk}
        )
        venue = Venue.objects.get()
        assert response.url == reverse("publicity:venue_detail", args=[venue.pk])
        assert (venue.unit, venue.village) == (economic_office, village_a)

    def test_other_departments_keep_no_venues(self, client, department_staff, publicity_office):
        client.force_login(department_staff)
        assert client.get(reverse("publicity:venue_create")).status_code == 403


class TestInspections:
    def test_a_failed_item_shows_until_it_is_recorded_fixed(self, client, jingfa, economic_office, photo):
        venue = VenueFactory(unit=economic_office, name="罗村广场购物中心")
        client.force_login(jingfa)
        deadline = timezone.localdate() + datetime.timedelta(days=7)
        response = client.post(
            reverse("publicity:inspection_create", args=[venue.pk]),
            {
                **inspection_data(led_result="fail", led_note="LED屏未播放标语", led_fix_deadline=deadline.isoformat()),
                "evidence": [photo()],
            },
        )
        assert response.status_code == 302
        inspection = Inspection.objects.get()
        assert inspection.attachments.count() == 1
        failed = InspectionItem.objects.get(passed=False)
        assert (failed.item, failed.fix_deadline) == ("led", deadline)
        assert InspectionItem.objects.filter(passed=True).count() == 2

        # It appears on the venue's page and on the "to fix" list ...
        page = client.get(reverse("publicity:venue_detail", args=[venue.pk]))
        assert [item.pk for item in page.context["open_items"]] == [failed.pk]
        assert [item.pk for item in to_fix_items(client)] == [failed.pk]
        # ... and stays there until recorded fixed.
        response = client.post(
            reverse("publicity:item_fix", args=[failed.pk]),
            {"fixed_on": timezone.localdate().isoformat(), "fix_note": "已恢复播放", "evidence": [photo()]},
        )
        assert response.status_code == 302
        failed.refresh_from_db()
        assert failed.fixed_on == timezone.localdate() and failed.fixed_by == jingfa
        assert failed.attachments.count() == 1
        assert to_fix_items(client) == []
        page = client.get(reverse("publicity:venue_detail", args=[venue.pk]))
        assert page.context["open_items"] == []
        assert "nothing-to-fix" in page.content.decode()

    def test_a_failed_item_needs_a_fix_by_date(self, client, jingfa, economic_office):
        venue = VenueFactory(unit=economic_office)
        client.force_login(jingfa)
        response = client.post(
            reverse("publicity:inspection_create", args=[venue.pk]),
            inspection_data(qr_code_result="fail", qr_code_fix_deadline=""),
        )
        assert response.status_code == 200
        assert "qr_code_fix_deadline" in response.context["form"].errors
        assert not Inspection.objects.exists()

    def test_passing_at_the_next_inspection_closes_the_earlier_failure(self, jingfa, economic_office):
        venue = VenueFactory(unit=economic_office)
        earlier = timezone.localdate() - datetime.timedelta(days=10)
        first = services.inspection_record(
            actor=jingfa,
            venue=venue,
            inspected_on=earlier,
            items=[{"item": "broadcast", "passed": False, "fix_deadline": earlier + datetime.timedelta(days=3)}],
        ).inspection
        services.inspection_record(
            actor=jingfa, venue=venue, inspected_on=timezone.localdate(), items=[{"item": "broadcast", "passed": True}]
        )
        item = first.items.get()
        assert item.fixed_on == timezone.localdate()
        assert not InspectionItem.objects.open_failures().exists()

    def test_submitting_an_inspection_twice_records_once(self, client, jingfa, economic_office):
        venue = VenueFactory(unit=economic_office)
        client.force_login(jingfa)
        data = inspection_data()
        client.post(reverse("publicity:inspection_create", args=[venue.pk]), data)
        client.post(reverse("publicity:inspection_create", args=[venue.pk]), data)
        assert Inspection.objects.count() == 1

    def test_fixing_twice_keeps_the_first_fix(self, jingfa, economic_office):
        item = InspectionItemFactory(inspection__venue__unit=economic_office)
        today = timezone.localdate()
        services.inspection_item_fix(actor=jingfa, item=item, fixed_on=today, fix_note="第一次")
        services.inspection_item_fix(actor=jingfa, item=item, fixed_on=today, fix_note="第二次")
        item.refresh_from_db()
        assert item.fix_note == "第一次"

    def test_a_photo_that_is_not_an_image_is_refused(self, client, jingfa, economic_office):
        from django.core.files.uploadedfile import SimpleUploadedFile

        venue = VenueFactory(unit=economic_office)
        client.force_login(jingfa)
        pdf = SimpleUploadedFile("report.pdf", b"%PDF-1.7\n...", content_type="application/pdf")
        response = client.post(
            reverse("publicity:inspection_create", args=[venue.pk]), {**inspection_data(), "evidence": [pdf]}
        )
        assert response.status_code == 200
        assert "evidence" in response.context["form"].errors
        assert not Inspection.objects.exists()

    def test_only_the_owning_office_records_inspections_and_fixes(
        self, client, jingfa, zongzhi, leader, economic_office
    ):
        item = InspectionItemFactory(inspection__venue__unit=economic_office)
        venue = item.inspection.venue
        client.force_login(zongzhi)  # governance sees the town's venues but does not inspect them
        assert client.get(reverse("publicity:venue_detail", args=[venue.pk])).status_code == 200
        assert (
            client.post(reverse("publicity:inspection_create", args=[venue.pk]), inspection_data()).status_code == 403
        )
        assert client.get(reverse("publicity:item_fix", args=[item.pk])).status_code == 403
        client.force_login(leader)
        assert [i.pk for i in to_fix_items(client)] == [item.pk]

    def test_the_to_fix_list_runs_a_bounded_number_of_queries(
        self, client, jingfa, economic_office, django_assert_max_num_queries
    ):
        for _ in range(12):
            InspectionItemFactory(inspection__venue__unit=economic_office)
        client.force_login(jingfa)
        with django_assert_max_num_queries(11):  # 10, and the ids of the units in scope (once per request)
            client.get(reverse("publicity:to_fix"))
        with django_assert_max_num_queries(14):
            client.get(reverse("publicity:venue_list"))


def test_the_venue_page_runs_a_bounded_number_of_queries(
    client, jingfa, economic_office, django_assert_max_num_queries
):
    venue = VenueFactory(unit=economic_office)
    for _ in range(8):
        InspectionItemFactory(inspection__venue=venue)
    client.force_login(jingfa)
    with django_assert_max_num_queries(16):
        response = client.get(reverse("publicity:venue_detail", args=[venue.pk]))
    assert len(response.context["open_items"]) == 8
