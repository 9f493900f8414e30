"""Scope: a department sees its own records, a school its school, the police their station, leadership and
the governance centre everything; anything else answers 404, exactly like a record that does not exist."""

import pytest
from django.urls import reverse

from core import uploads
from publicity.models import Activity, Venue, WorkTask

from .conftest import image_bytes
from .factories import ActivityFactory, InspectionItemFactory, WorkTaskFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def records(publicity_office, finance_centre, economic_office, middle_school, police_station, department_staff):
    from django.core.files.uploadedfile import SimpleUploadedFile

    records = {
        "publicity": ActivityFactory(unit=publicity_office, title="宣传办活动"),
        "finance": ActivityFactory(unit=finance_centre, title="财审中心活动"),
        "school": ActivityFactory(unit=middle_school, title="学校活动"),
        "police": ActivityFactory(unit=police_station, title="派出所活动"),
    }
    photo = uploads.check_upload(SimpleUploadedFile("a.jpg", image_bytes()))
    [records["finance_file"]] = uploads.attach(records["finance"], [photo], user=department_staff)
    return records


def visible_titles(client):
    response = client.get(reverse("publicity:activity_list"))
    return sorted(activity.title for activity in response.context["page"])


class TestActivityScope:
    def test_a_department_sees_only_its_own_activities(self, client, department_staff, records):
        client.force_login(department_staff)
        assert visible_titles(client) == ["宣传办活动"]
        assert client.get(reverse("publicity:activity_detail", args=[records["finance"].pk])).status_code == 404
        assert client.get(reverse("attachment", args=[records["finance_file"].pk])).status_code == 404
        post = client.post(reverse("publicity:activity_add_evidence", args=[records["finance"].pk]))
        assert post.status_code == 404

    def test_another_department_sees_its_own_and_its_files(self, client, caishen, records):
        client.force_login(caishen)
        assert visible_titles(client) == ["财审中心活动"]
        assert client.get(reverse("attachment", args=[records["finance_file"].pk])).status_code == 200
        assert client.get(reverse("publicity:activity_detail", args=[records["publicity"].pk])).status_code == 404

    def test_a_school_sees_its_school(self, client, school, records):
        client.force_login(school)
        assert visible_titles(client) == ["学校活动"]

    def test_the_police_see_their_station_not_the_whole_town(self, client, police, records):
        client.force_login(police)
        assert visible_titles(client) == ["派出所活动"]
        assert client.get(reverse("publicity:activity_detail", args=[records["finance"].pk])).status_code == 404
        assert client.get(reverse("attachment", args=[records["finance_file"].pk])).status_code == 404

    @pytest.mark.parametrize("who", ["leader", "zongzhi"])
    def test_leadership_and_governance_see_everything(self, client, request, who, records):
        client.force_login(request.getfixturevalue(who))
        assert visible_titles(client) == ["学校活动", "宣传办活动", "派出所活动", "财审中心活动"]
        assert client.get(reverse("publicity:activity_detail", args=[records["finance"].pk])).status_code == 200

    def test_people_without_a_role_have_no_publicity_pages(self, client, outsider, records):
        client.force_login(outsider)
        for url in (
            reverse("publicity:activity_list"),
            reverse("publicity:activity_export"),
            reverse("publicity:activity_detail", args=[records["publicity"].pk]),
            reverse("publicity:venue_list"),
            reverse("publicity:to_fix"),
            reverse("publicity:volunteer_list"),
        ):
            assert client.get(url).status_code == 404, url

    @pytest.mark.parametrize("who", ["grid_a", "head_a"])
    def test_village_teams_reach_their_villages_publicity_never_a_departments(self, client, request, who, records):
        """Villages log their own publicity (五(三)): the pages open, in the village's scope only."""
        client.force_login(request.getfixturevalue(who))
        assert client.get(reverse("publicity:activity_list")).status_code == 200
        page = client.get(reverse("publicity:activity_list")).content.decode()
        assert records["publicity"].title not in page
        assert client.get(reverse("publicity:activity_detail", args=[records["publicity"].pk])).status_code == 404

    def test_anonymous_visitors_are_sent_to_the_login_page(self, client, records):
        response = client.get(reverse("publicity:activity_list"))
        assert response.status_code == 302 and "/accounts/login/" in response.url

    def test_for_user_is_the_same_everywhere(self, department_staff, police, leader, records):
        assert set(Activity.objects.for_user(department_staff)) == {records["publicity"]}
        assert set(Activity.objects.for_user(police)) == {records["police"]}
        assert Activity.objects.for_user(leader).count() == 4


class TestVenueAndPlanScope:
    def test_venues_and_their_items_stay_with_the_economic_office(
        self, client, department_staff, jingfa, economic_office
    ):
        item = InspectionItemFactory(inspection__venue__unit=economic_office)
        venue = item.inspection.venue
        client.force_login(department_staff)
        assert client.get(reverse("publicity:venue_detail", args=[venue.pk])).status_code == 404
        assert client.get(reverse("publicity:item_fix", args=[item.pk])).status_code == 404
        assert client.get(reverse("publicity:to_fix")).context["page"].paginator.count == 0
        assert list(Venue.objects.for_user(jingfa)) == [venue]

    def test_a_unit_sees_its_own_work_plan(self, client, department_staff, caishen, publicity_office, finance_centre):
        ours = WorkTaskFactory(plan__unit=publicity_office)
        theirs = WorkTaskFactory(plan__unit=finance_centre)
        client.force_login(department_staff)
        assert client.get(reverse("publicity:plan_detail", args=[theirs.plan_id])).status_code == 404
        assert client.post(reverse("publicity:task_transition", args=[theirs.pk, "complete"])).status_code == 404
        assert client.get(reverse("publicity:task_edit", args=[theirs.pk])).status_code == 404
        assert client.get(reverse("publicity:plan_detail", args=[ours.plan_id])).status_code == 200
        assert set(WorkTask.objects.for_user(caishen)) == {theirs}

    def test_a_village_head_manages_the_village_plan(self, client, head_a, village_a, village_b):
        ours = WorkTaskFactory(plan__unit=village_a)
        theirs = WorkTaskFactory(plan__unit=village_b)
        client.force_login(head_a)
        assert client.get(reverse("publicity:plan_detail", args=[ours.plan_id])).status_code == 200
        assert client.get(reverse("publicity:plan_detail", args=[theirs.plan_id])).status_code == 404
