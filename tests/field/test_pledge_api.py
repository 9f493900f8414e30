"""POST /api/v1/pledges/: the pledges signed in the field app, synced exactly once."""

import base64
import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from campaigns.models import Pledge, PledgeMethod
from tests.campaigns.factories import DoorVisitFactory, signature_data_url, signature_png_bytes

URL = "/api/v1/pledges/"


def body(resident, **overrides):
    data = {"client_id": str(uuid.uuid4()), "resident": resident.pk, "signature": signature_data_url()}
    data.update(overrides)
    return data


@pytest.fixture
def member_a(household_a):
    return household_a.members.order_by("pk").first()


def test_a_drawn_signature_is_kept_on_file_with_201(api_as, grid_a, member_a):
    signed_at = timezone.now().replace(microsecond=0) - timezone.timedelta(hours=2)
    response = api_as(grid_a).post(URL, body(member_a, signed_at=signed_at.isoformat()), format="json")

    assert response.status_code == 201, response.json()
    pledge = Pledge.objects.get()
    assert response.json()["id"] == pledge.pk and response.json()["resident"] == member_a.pk
    assert pledge.method == PledgeMethod.SIGNED_ON_PHONE and pledge.collected_by == grid_a
    assert pledge.signed_at == signed_at  # the moment of signing, not of the sync
    assert pledge.image.name.endswith(".png")


def test_posting_the_same_client_id_again_answers_200_and_creates_nothing(api_as, grid_a, member_a):
    client = api_as(grid_a)
    data = body(member_a)
    first = client.post(URL, data, format="json")
    again = client.post(URL, data, format="json")

    assert first.status_code == 201 and again.status_code == 200
    assert again.json()["id"] == first.json()["id"]
    assert Pledge.objects.count() == 1


def test_the_bare_base64_of_a_png_is_accepted_too(api_as, grid_a, member_a):
    bare = base64.b64encode(signature_png_bytes()).decode()
    response = api_as(grid_a).post(URL, body(member_a, signature=bare), format="json")
    assert response.status_code == 201


def test_a_photo_of_the_paper_form_comes_as_multipart(api_as, grid_a, member_a):
    buffer = io.BytesIO()
    Image.new("RGB", (60, 40), (200, 200, 200)).save(buffer, "JPEG")
    photo = SimpleUploadedFile("form.jpg", buffer.getvalue(), content_type="image/jpeg")
    response = api_as(grid_a).post(
        URL, {"client_id": str(uuid.uuid4()), "resident": member_a.pk, "photo": photo}, format="multipart"
    )
    assert response.status_code == 201, response.json()
    assert Pledge.objects.get().method == PledgeMethod.PAPER_PHOTO


def test_a_pledge_links_to_the_door_visit_by_its_client_id(api_as, grid_a, household_a, member_a):
    visit = DoorVisitFactory(household=household_a, recorded_by=grid_a)
    response = api_as(grid_a).post(URL, body(member_a, visit_client_id=str(visit.client_id)), format="json")
    assert response.status_code == 201
    assert Pledge.objects.get().visit == visit


def test_a_visit_not_yet_synced_is_a_400_that_names_it(api_as, grid_a, member_a):
    response = api_as(grid_a).post(URL, body(member_a, visit_client_id=str(uuid.uuid4())), format="json")
    assert response.status_code == 400
    assert "visit_client_id" in response.json()
    assert not Pledge.objects.exists()


def test_a_resident_of_another_village_answers_404_like_one_that_does_not_exist(api_as, grid_a, household_b):
    client = api_as(grid_a)
    other = household_b.members.get()
    assert client.post(URL, body(other), format="json").status_code == 404
    assert client.post(URL, {**body(other), "resident": 999999}, format="json").status_code == 404
    assert not Pledge.objects.exists()


def test_who_may_not_record_pledges_gets_403(api_as, school, member_a):
    assert api_as(school).post(URL, body(member_a), format="json").status_code in (403, 404)
    assert not Pledge.objects.exists()


def test_only_post_is_routed(api_as, grid_a):
    assert api_as(grid_a).get(URL).status_code == 405


def test_without_a_signature_or_photo_the_error_is_in_chinese(api_as, grid_a, member_a):
    response = api_as(grid_a).post(URL, body(member_a, signature=""), format="json", HTTP_ACCEPT_LANGUAGE="zh-hans")
    assert response.status_code == 400
    assert "签" in response.json()["signature"][0]


def test_an_empty_or_broken_signature_is_refused(api_as, grid_a, member_a):
    client = api_as(grid_a)
    empty = Image.new("RGBA", (50, 20), (0, 0, 0, 0))
    buffer = io.BytesIO()
    empty.save(buffer, "PNG")
    blank = "data:image/png;base64," + base64.b64encode(buffer.getvalue()).decode()
    assert client.post(URL, body(member_a, signature=blank), format="json").status_code == 400
    assert client.post(URL, body(member_a, signature="data:image/png;base64,AAAA"), format="json").status_code == 400
    assert not Pledge.objects.exists()


def test_a_signature_over_the_size_limit_is_refused(api_as, grid_a, member_a):
    huge = "data:image/png;base64," + "A" * (2 * 1024 * 1024)
    response = api_as(grid_a).post(URL, body(member_a, signature=huge), format="json")
    assert response.status_code == 400
    assert "signature" in response.json()


def test_a_signature_in_the_future_is_refused(api_as, grid_a, member_a):
    later = (timezone.now() + timezone.timedelta(days=1)).isoformat()
    response = api_as(grid_a).post(URL, body(member_a, signed_at=later), format="json")
    assert response.status_code == 400 and "signed_at" in response.json()


def test_a_resident_who_already_signed_gets_a_400_not_a_second_pledge(api_as, grid_a, member_a):
    client = api_as(grid_a)
    assert client.post(URL, body(member_a), format="json").status_code == 201
    response = client.post(URL, body(member_a), format="json")
    assert response.status_code == 400 and "resident" in response.json()
    assert Pledge.objects.count() == 1


def test_the_session_with_its_csrf_token_is_accepted_and_without_the_token_refused(client, grid_a, member_a):
    """The field app posts with the session cookie and the CSRF token it got from /field/data/."""
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(grid_a)
    refused = strict.post(URL, body(member_a), content_type="application/json")
    assert refused.status_code == 403
    token = strict.get("/field/data/").json()["csrf_token"]
    accepted = strict.post(URL, body(member_a), content_type="application/json", HTTP_X_CSRFTOKEN=token)
    assert accepted.status_code == 201


@pytest.mark.parametrize("payload", [[], [{"resident": 1}], 7, "text"])
def test_a_body_that_is_not_an_object_answers_400_not_500(api_as, grid_a, payload):
    response = api_as(grid_a).post(URL, payload, format="json")

    assert response.status_code == 400
    assert not Pledge.objects.exists()
