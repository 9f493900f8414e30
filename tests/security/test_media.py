"""Someone guesses a stored file's address under /media/ on a development server (`make run`, DEBUG on).

Nothing is served there, in any mode: attachments, signatures, seals and import files leave only through
their scoped views (``core:attachment``, ``campaigns:pledge_image``), which check the user's scope first.
"""

import importlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import FileSystemStorage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import clear_url_caches, get_resolver, reverse
from django.views import static

from core import uploads
from tests import factories, files


@pytest.fixture
def debug_urls(settings, tmp_path):
    """The URLconf as `make run` builds it (DEBUG on), files on disk."""
    import luocun_antifraud.urls

    settings.DEBUG = True
    settings.MEDIA_ROOT = str(tmp_path)
    settings.SENDFILE_ROOT = str(tmp_path)
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    importlib.reload(luocun_antifraud.urls)
    clear_url_caches()
    yield FileSystemStorage(location=tmp_path)
    settings.DEBUG = False
    importlib.reload(luocun_antifraud.urls)
    clear_url_caches()


def _views(patterns):
    for pattern in patterns:
        if hasattr(pattern, "url_patterns"):
            yield from _views(pattern.url_patterns)
        else:
            yield pattern.callback


def test_no_route_serves_the_media_folder_even_under_debug(debug_urls):
    assert static.serve not in set(_views(get_resolver().url_patterns))


@pytest.mark.django_db
@pytest.mark.parametrize(
    "name", ["attachments/2024/05/evidence.pdf", "pledges/signature.png", "imports/2024/05/upload.xlsx"]
)
def test_a_stored_file_is_not_found_at_its_media_address(client, grid_a, debug_urls, name):
    debug_urls.save(name, ContentFile(b"plain ID numbers"))
    assert client.get(f"/media/{name}").status_code == 404  # anonymous
    client.force_login(grid_a)
    assert client.get(f"/media/{name}").status_code == 404  # signed in: only the scoped views serve files


@pytest.mark.django_db
def test_the_scoped_view_still_serves_it_to_the_records_users_only(client, village_a, grid_a, grid_b, debug_urls):
    household = factories.HouseholdFactory(village=village_a)
    checked = uploads.check_upload(SimpleUploadedFile("minutes.pdf", files.pdf()))
    [attachment] = uploads.attach(household, [checked], user=grid_a)
    url = reverse("attachment", args=[attachment.pk])
    assert client.get(url).status_code == 302  # to the login page
    client.force_login(grid_b)
    assert client.get(url).status_code == 404
    client.force_login(grid_a)
    assert client.get(url).status_code == 200
    assert client.get(f"/media/{attachment.file.name}").status_code == 404


def test_the_admin_links_a_pledge_signature_through_the_scoped_view_not_its_media_address(
    client, admin_user, village_a, grid_a1
):
    from tests.campaigns.factories import PledgeFactory

    pledge = PledgeFactory(resident=factories.ResidentFactory(household=factories.HouseholdFactory(village=village_a)))
    client.force_login(admin_user)
    page = client.get(reverse("admin:campaigns_pledge_change", args=[pledge.pk])).text
    assert reverse("campaigns:pledge_image", args=[pledge.pk]) in page
    assert pledge.image.name not in page
