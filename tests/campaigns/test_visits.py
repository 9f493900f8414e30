"""A grid worker knocks on doors: the to-visit list, recording a visit (someone home or not), double submits,
scope, photos."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from campaigns.models import DoorVisit
from core.models import Attachment
from tests.factories import HouseholdFactory

from .factories import DoorVisitFactory


def jpeg(name="door.jpg", size=(40, 30)):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 10, 10)).save(buffer, format="JPEG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def visit_data(**overrides):
    data = {
        "client_id": str(uuid.uuid4()),
        "someone_home": "yes",
        "materials": ["letter", "contact_card", "pledge_form"],
        "fraud_types": ["rebate_task", "loan"],
        "app_installed": "on",
        "notes": "讲解了刷单返利",
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
    }
    data.update(overrides)
    return data


@pytest.fixture
def as_grid_a(client, grid_a):
    client.force_login(grid_a)
    return client


def test_the_list_opens_on_the_workers_grid_with_households_still_to_visit(as_grid_a, grid_a, household_a):
    other_grid_household = HouseholdFactory(village=household_a.village, address="联和村另一网格1号")
    visited = HouseholdFactory(village=household_a.village, grid=household_a.grid, address="联和村已访1号")
    DoorVisitFactory(household=visited, someone_home=True)
    not_home = HouseholdFactory(village=household_a.village, grid=household_a.grid, address="联和村不在家1号")
    DoorVisitFactory(household=not_home, someone_home=False)

    response = as_grid_a.get(reverse("campaigns:households"))

    shown = [household.pk for household in response.context["page"]]
    assert household_a.pk in shown and not_home.pk in shown  # nobody home: still to visit
    assert visited.pk not in shown
    assert other_grid_household.pk not in shown  # another grid: not on this worker's list by default

    everything = as_grid_a.get(reverse("campaigns:households"), {"show": "all", "grid": "all"})
    rows = list(everything.context["page"])
    assert {household.pk for household in rows} == {household_a.pk, other_grid_household.pk, visited.pk, not_home.pk}
    assert rows[-1].pk == visited.pk  # not yet visited first


def test_search_by_address_and_by_printed_reference(as_grid_a, household_a):
    HouseholdFactory(village=household_a.village, grid=household_a.grid, address="联和村别处9号")
    by_address = as_grid_a.get(reverse("campaigns:households"), {"q": "幸福路"})
    by_reference = as_grid_a.get(reverse("campaigns:households"), {"q": household_a.reference})
    assert [h.pk for h in by_address.context["page"]] == [household_a.pk]
    assert [h.pk for h in by_reference.context["page"]] == [household_a.pk]


def test_a_visit_with_someone_at_home_takes_the_household_off_the_list(as_grid_a, grid_a, household_a):
    form_page = as_grid_a.get(reverse("campaigns:visit_create", args=[household_a.pk]))
    assert form_page.context["form"]["visitors"].initial == [grid_a.pk]  # the recorder is ticked

    response = as_grid_a.post(reverse("campaigns:visit_create", args=[household_a.pk]), visit_data())

    assert response.status_code == 302
    visit = DoorVisit.objects.get()
    assert visit.someone_home and visit.app_installed
    assert visit.materials == ["letter", "contact_card", "pledge_form"]
    assert visit.fraud_types_explained == ["rebate_task", "loan"]
    assert list(visit.visitors.all()) == [grid_a]
    assert visit.recorded_by == grid_a
    todo = as_grid_a.get(reverse("campaigns:households"))
    assert household_a.pk not in [h.pk for h in todo.context["page"]]


def test_nobody_at_home_is_a_visit_too_and_the_household_stays_to_visit(as_grid_a, household_a):
    as_grid_a.post(
        reverse("campaigns:visit_create", args=[household_a.pk]),
        visit_data(someone_home="no", materials=["letter"], fraud_types=[], app_installed=""),
    )

    visit = DoorVisit.objects.get()
    assert not visit.someone_home and visit.materials == ["letter"]
    todo = as_grid_a.get(reverse("campaigns:households"))
    assert household_a.pk in [h.pk for h in todo.context["page"]]


def test_submitting_the_same_form_twice_records_one_visit(as_grid_a, household_a):
    data = visit_data()
    url = reverse("campaigns:visit_create", args=[household_a.pk])
    as_grid_a.post(url, data)
    again = as_grid_a.post(url, data, follow=True)
    assert DoorVisit.objects.count() == 1
    assert "already" in again.content.decode() or "已" in again.content.decode()


def test_companions_of_the_village_can_be_ticked(as_grid_a, grid_a, head_a, household_a):
    as_grid_a.post(
        reverse("campaigns:visit_create", args=[household_a.pk]), visit_data(visitors=[grid_a.pk, head_a.pk])
    )
    assert set(DoorVisit.objects.get().visitors.all()) == {grid_a, head_a}


def test_a_worker_of_another_village_cannot_be_ticked(as_grid_a, grid_a, grid_b, household_a):
    response = as_grid_a.post(
        reverse("campaigns:visit_create", args=[household_a.pk]), visit_data(visitors=[grid_a.pk, grid_b.pk])
    )
    assert response.status_code == 200 and response.context["form"].errors
    assert not DoorVisit.objects.exists()


def test_photos_are_attached_to_the_visit(as_grid_a, household_a):
    as_grid_a.post(reverse("campaigns:visit_create", args=[household_a.pk]), visit_data(photos=[jpeg(), jpeg("b.jpg")]))
    visit = DoorVisit.objects.get()
    assert visit.attachments.count() == 2
    photo = visit.attachments.first()
    assert as_grid_a.get(reverse("attachment", args=[photo.pk])).status_code == 200


def test_a_photo_of_the_wrong_type_is_refused_and_nothing_is_saved(as_grid_a, household_a):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not an image", content_type="image/jpeg")
    response = as_grid_a.post(reverse("campaigns:visit_create", args=[household_a.pk]), visit_data(photos=[fake]))
    assert response.status_code == 200 and "photos" in response.context["form"].errors
    assert not DoorVisit.objects.exists() and not Attachment.objects.exists()


def test_a_photo_too_large_is_refused_and_nothing_is_saved(as_grid_a, household_a, settings):
    settings.UPLOAD_LIMITS_MB = {**settings.UPLOAD_LIMITS_MB, "image": 0.001}
    response = as_grid_a.post(
        reverse("campaigns:visit_create", args=[household_a.pk]), visit_data(photos=[jpeg(size=(400, 400))])
    )
    assert response.status_code == 200 and "photos" in response.context["form"].errors
    assert not DoorVisit.objects.exists() and not Attachment.objects.exists()


def test_a_household_of_another_village_answers_404(as_grid_a, household_b):
    assert as_grid_a.get(reverse("campaigns:household", args=[household_b.pk])).status_code == 404
    assert as_grid_a.get(reverse("campaigns:visit_create", args=[household_b.pk])).status_code == 404
    assert as_grid_a.post(reverse("campaigns:visit_create", args=[household_b.pk]), visit_data()).status_code == 404
    other_visit = DoorVisitFactory(household=household_b)
    assert as_grid_a.get(reverse("campaigns:visit_detail", args=[other_visit.pk])).status_code == 404
    assert DoorVisit.objects.count() == 1


def test_leadership_sees_visits_but_does_not_record_them(client, leader, household_a):
    visit = DoorVisitFactory(household=household_a)
    client.force_login(leader)
    assert client.get(reverse("campaigns:visit_detail", args=[visit.pk])).status_code == 200
    assert client.get(reverse("campaigns:household", args=[household_a.pk])).status_code == 200
    assert client.get(reverse("campaigns:visit_create", args=[household_a.pk])).status_code == 404


def test_people_without_outreach_access_get_404(client, school, household_a):
    client.force_login(school)
    assert client.get(reverse("campaigns:households")).status_code == 404
    assert client.get(reverse("campaigns:visit_list")).status_code == 404


def test_the_lists_run_a_fixed_number_of_queries(as_grid_a, grid_a, household_a, django_assert_max_num_queries):
    for n in range(15):
        household = HouseholdFactory(village=household_a.village, grid=household_a.grid, address=f"联和村批量{n}号")
        DoorVisitFactory(household=household, someone_home=n % 2 == 0, recorded_by=grid_a)
    with django_assert_max_num_queries(15):
        as_grid_a.get(reverse("campaigns:households"), {"show": "all"})
    with django_assert_max_num_queries(15):
        as_grid_a.get(reverse("campaigns:visit_list"))
    with django_assert_max_num_queries(16):
        as_grid_a.get(reverse("campaigns:household", args=[household_a.pk]))


def test_the_visit_page_shows_what_was_done_and_the_photos(as_grid_a, grid_a, household_a):
    as_grid_a.post(reverse("campaigns:visit_create", args=[household_a.pk]), visit_data(photos=[jpeg()]))
    visit = DoorVisit.objects.get()
    page = as_grid_a.get(reverse("campaigns:visit_detail", args=[visit.pk])).content.decode()
    photo = visit.attachments.get()
    assert reverse("attachment", args=[photo.pk]) in page
    assert "讲解了刷单返利" in page and str(grid_a) in page


def test_the_village_head_sees_every_grid_of_the_village(client, head_a, household_a):
    elsewhere = HouseholdFactory(village=household_a.village, address="联和村无网格1号")
    client.force_login(head_a)
    shown = [h.pk for h in client.get(reverse("campaigns:households")).context["page"]]
    assert household_a.pk in shown and elsewhere.pk in shown
