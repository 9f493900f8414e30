"""POST /api/v1/door-visits/{visit_client_id}/photos/: the photos taken at a door visit offline, synced once each."""

import io
import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from PIL import Image

from campaigns.models import DoorVisit
from campaigns.visit_photo_api import PHOTO_MAX_BYTES
from core.models import Attachment
from core.uploads import MAX_FILES
from tests.campaigns.factories import DoorVisitFactory


def jpeg(size=(1600, 1200), name="blob"):
    buffer = io.BytesIO()
    Image.new("RGB", size, (200, 120, 40)).save(buffer, "JPEG", quality=80)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/jpeg")


def url(visit):
    return f"/api/v1/door-visits/{visit.client_id}/photos/"


@pytest.fixture
def visit_a(household_a, grid_a):
    return DoorVisitFactory(household=household_a, recorded_by=grid_a, someone_home=True)


def test_a_photo_is_kept_with_its_visit_once_however_often_it_is_posted(api_as, grid_a, visit_a):
    client = api_as(grid_a)
    photo_id = str(uuid.uuid4())
    first = client.post(url(visit_a), {"client_id": photo_id, "photo": jpeg()}, format="multipart")
    assert first.status_code == 201, first.json()
    assert first.json()["client_id"] == photo_id and first.json()["visit"] == visit_a.pk
    again = client.post(url(visit_a), {"client_id": photo_id, "photo": jpeg()}, format="multipart")
    assert again.status_code == 200 and again.json()["id"] == first.json()["id"]
    (photo,) = visit_a.attachments.all()
    assert photo.kind == "image" and photo.uploaded_by == grid_a
    # Re-encoded like every evidence image (metadata dropped), long side at most 1600 px.
    with photo.file.open("rb") as handle:
        assert max(Image.open(handle).size) <= 1600


def test_the_door_visit_api_is_unchanged_json_still_records_a_visit(api_as, grid_a, household_a):
    response = api_as(grid_a).post(
        "/api/v1/door-visits/",
        {
            "client_id": str(uuid.uuid4()),
            "household": household_a.pk,
            "someone_home": True,
            "visited_at": timezone.now().isoformat(),
            "notes": "无照片",
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert DoorVisit.objects.get().attachments.count() == 0


def test_a_photo_larger_than_the_limit_is_refused_with_400(api_as, grid_a, visit_a):
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8\xff" + b"0" * PHOTO_MAX_BYTES, content_type="image/jpeg")
    response = api_as(grid_a).post(url(visit_a), {"client_id": str(uuid.uuid4()), "photo": big}, format="multipart")
    assert response.status_code == 400 and "photo" in response.json()
    assert Attachment.objects.count() == 0


def test_a_file_that_is_not_an_image_is_refused_with_400(api_as, grid_a, visit_a):
    fake = SimpleUploadedFile("photo.jpg", b"%PDF-1.4 not a photo", content_type="image/jpeg")
    response = api_as(grid_a).post(url(visit_a), {"client_id": str(uuid.uuid4()), "photo": fake}, format="multipart")
    assert response.status_code == 400 and "photo" in response.json()
    assert Attachment.objects.count() == 0


def test_a_visit_keeps_at_most_the_evidence_limit_of_photos(api_as, grid_a, visit_a):
    client = api_as(grid_a)
    for _ in range(MAX_FILES):
        body = {"client_id": str(uuid.uuid4()), "photo": jpeg((64, 48))}
        assert client.post(url(visit_a), body, format="multipart").status_code == 201
    body = {"client_id": str(uuid.uuid4()), "photo": jpeg((64, 48))}
    response = client.post(url(visit_a), body, format="multipart")
    assert response.status_code == 400 and visit_a.attachments.count() == MAX_FILES


def test_a_visit_not_synced_yet_or_outside_the_scope_answers_404(api_as, grid_a, grid_b, visit_a):
    body = {"client_id": str(uuid.uuid4()), "photo": jpeg((64, 48))}
    missing = f"/api/v1/door-visits/{uuid.uuid4()}/photos/"
    assert api_as(grid_a).post(missing, body, format="multipart").status_code == 404
    body = {"client_id": str(uuid.uuid4()), "photo": jpeg((64, 48))}
    assert api_as(grid_b).post(url(visit_a), body, format="multipart").status_code == 404
    assert Attachment.objects.count() == 0


def test_roles_without_door_visits_get_403(api_as, school, visit_a):
    body = {"client_id": str(uuid.uuid4()), "photo": jpeg((64, 48))}
    assert api_as(school).post(url(visit_a), body, format="multipart").status_code == 403


def test_the_field_app_posts_with_its_session_and_csrf_token(grid_a, visit_a):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(grid_a)
    body = {"client_id": str(uuid.uuid4()), "photo": jpeg((64, 48))}
    assert strict.post(url(visit_a), body).status_code == 403
    token = strict.get("/field/data/").json()["csrf_token"]
    body = {"client_id": str(uuid.uuid4()), "photo": jpeg((64, 48))}
    assert strict.post(url(visit_a), body, HTTP_X_CSRFTOKEN=token).status_code == 201
