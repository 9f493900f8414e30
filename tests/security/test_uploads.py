"""A hostile user uploads fakes: the right first bytes in front of anything else. Each is refused.

Whatever is accepted is served as a download (``Content-Disposition: attachment``, ``nosniff``, a sandbox
CSP), except the images that were re-encoded; on disk, the web server streams it (django-sendfile2).
"""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django_sendfile.utils import _get_sendfile

from core import uploads
from tests import factories, files


def _zip(parts: dict) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, content in parts.items():
            archive.writestr(name, content)
    return out.getvalue()


FAKES = {
    "pdf": b"%PDF-1.7\n<script>alert(1)</script>",
    "pdf with an end but no cross-reference": b"%PDF-1.4\n1 0 obj\n<<>>\nendobj\n%%EOF\n",
    "mp4": b"\x00\x00\x00\x18ftypmp42" + b"<html><script>alert(1)</script></html>" * 4,
    "mp4 with a box running past the end": files.mp4()[:-40],
    "mov": b"\x00\x00\x00\x14ftypqt  \x00\x00\x00\x00" + b"\x00" * 64,
    "mp3 tag": b"ID3\x04\x00\x00\x00\x00\x00\x00" + b"<html>" * 50,
    "mp3 one frame": b"\xff\xfb\x90\x00" + b"\x00" * 413 + b"<html>" * 50,
    "doc": b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 1024,
    "docx without its main part": _zip({"[Content_Types].xml": "<Types/>", "word/document.xml": "<document/>"}),
    "wav": b"RIFF\x00\x01\x00\x00WAVE" + b"<html>" * 20,
}


def upload(name, content):
    return SimpleUploadedFile(name, content, content_type="application/octet-stream")


class TestFakesAreRefused:
    @pytest.mark.parametrize("fake", FAKES)
    def test_a_file_with_only_the_right_first_bytes_is_refused(self, fake):
        with pytest.raises(ValidationError) as refused:
            uploads.check_upload(upload(f"evidence.{fake.split()[0]}", FAKES[fake]))
        assert refused.value.code in ("damaged", "bad_type")

    @pytest.mark.parametrize(
        "real, extension",
        [
            (files.pdf(), "pdf"),
            (files.mp4(), "mp4"),
            (files.mp4(b"qt  "), "mov"),
            (files.mp4(b"M4A "), "m4a"),
            (files.mp3(), "mp3"),
            (files.wav(), "wav"),
            (files.docx(), "docx"),
            (files.xlsx(), "xlsx"),
            (files.doc(), "doc"),
            (files.doc("Workbook"), "xls"),
            (files.doc("PowerPoint Document"), "ppt"),
        ],
    )
    def test_a_real_file_of_each_kind_is_accepted(self, real, extension):
        assert uploads.check_upload(upload(f"evidence.{extension}", real)).extension == extension

    def test_the_office_kind_comes_from_the_main_part_not_the_name(self):
        assert uploads.check_upload(upload("report.doc", files.docx())).extension == "docx"
        assert uploads.check_upload(upload("report.docx", files.doc("Workbook"))).extension == "xls"

    def test_a_doctype_hidden_behind_a_comment_is_refused(self):
        bomb = '<!-- <a --><!DOCTYPE d [<!ENTITY e "boom">]><w:document xmlns:w="urn:w">&e;</w:document>'
        with pytest.raises(ValidationError) as refused:
            uploads.check_upload(upload("a.docx", files.docx(document=bomb)))
        assert refused.value.code == "damaged"

    def test_a_part_that_is_not_well_formed_xml_is_refused(self):
        with pytest.raises(ValidationError):
            uploads.check_upload(upload("a.docx", files.docx(document="<w:document><unclosed>")))

    def test_declared_sizes_are_bounded(self):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("[Content_Types].xml", files.CONTENT_TYPES.format(main=files.DOCX_MAIN))
            archive.writestr("_rels/.rels", files.PACKAGE_RELS)
            archive.writestr("word/document.xml", "<a>" + " " * (20 * 1024 * 1024) + "</a>")
        with pytest.raises(ValidationError) as refused:
            uploads.check_upload(upload("a.docx", out.getvalue()))
        assert refused.value.code == "damaged"

    @pytest.mark.parametrize(
        "document",
        [
            files.docx(extra={"word/vbaProject.bin": b"\x00"}),
            files.docx(main="application/vnd.ms-word.document.macroEnabled.main+xml"),
            files.doc("Macros"),
        ],
    )
    def test_documents_with_macros_are_refused(self, document):
        with pytest.raises(ValidationError) as refused:
            uploads.check_upload(upload("a.docx", document))
        assert refused.value.code == "macros"

    def test_a_signature_is_re_encoded_so_nothing_rides_behind_the_image(self):
        import base64

        from PIL import Image

        image = Image.new("RGBA", (60, 20), (0, 0, 0, 0))
        image.putpixel((5, 5), (0, 0, 0, 255))
        out = io.BytesIO()
        image.save(out, "PNG")
        tampered = out.getvalue() + b"<html><script>alert(1)</script></html>"
        checked = uploads.signature_png("data:image/png;base64," + base64.b64encode(tampered).decode())
        assert b"<script>" not in checked.content.read()


@pytest.fixture
def on_disk(settings, tmp_path):
    """Files on the disk under SENDFILE_ROOT, as in production."""
    settings.STORAGES = {**settings.STORAGES, "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"}}
    settings.MEDIA_ROOT = str(tmp_path)
    settings.SENDFILE_ROOT = str(tmp_path)
    _get_sendfile.cache_clear()
    yield tmp_path
    _get_sendfile.cache_clear()


def attached(village, user, name, content):
    household = factories.HouseholdFactory(village=village)
    [attachment] = uploads.attach(household, [uploads.check_upload(upload(name, content))], user=user)
    return reverse("attachment", args=[attachment.pk])


@pytest.mark.django_db
class TestServedAsDownloads:
    @pytest.mark.parametrize(
        "name, content",
        [("a.pdf", files.pdf()), ("v.mp4", files.mp4()), ("b.mp3", files.mp3()), ("c.docx", files.docx())],
    )
    def test_every_accepted_file_but_an_image_is_a_download(self, client, village_a, grid_a, name, content):
        url = attached(village_a, grid_a, name, content)
        client.force_login(grid_a)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Disposition"].startswith("attachment;")
        assert response["X-Content-Type-Options"] == "nosniff"
        assert "sandbox" in response["Content-Security-Policy"]

    def test_a_re_encoded_photo_is_shown_inline(self, client, village_a, grid_a):
        url = attached(village_a, grid_a, "a.jpg", files.jpeg())
        client.force_login(grid_a)
        response = client.get(url)
        assert response["Content-Type"] == "image/jpeg"
        assert not response["Content-Disposition"].startswith("attachment")

    def test_on_disk_the_web_server_streams_the_file(self, client, village_a, grid_a, grid_b, settings, on_disk):
        settings.SENDFILE_BACKEND = "django_sendfile.backends.nginx"
        settings.SENDFILE_URL = "/protected-media"
        _get_sendfile.cache_clear()
        url = attached(village_a, grid_a, "现场录像.mp4", files.mp4())
        client.force_login(grid_a)
        response = client.get(url)
        assert response.status_code == 200
        assert response["X-Accel-Redirect"].startswith("/protected-media/attachments/")
        assert response.content == b""  # nginx sends the bytes, not a gunicorn worker
        assert response["Content-Disposition"].startswith("attachment;")
        client.force_login(grid_b)
        assert client.get(url).status_code == 404  # the scope is checked before the web server is asked

    def test_on_disk_in_development_django_sends_it(self, client, village_a, grid_a, on_disk):
        url = attached(village_a, grid_a, "a.pdf", files.pdf())
        client.force_login(grid_a)
        response = client.get(url)
        assert response.status_code == 200 and response.content == files.pdf()
        assert response["Content-Disposition"].startswith("attachment;")

    def test_a_pledge_signature_on_disk_is_streamed_inline_as_a_png(self, client, village_a, grid_a, settings, on_disk):
        from tests.campaigns.factories import PledgeFactory

        settings.SENDFILE_BACKEND = "django_sendfile.backends.nginx"
        _get_sendfile.cache_clear()
        pledge = PledgeFactory(
            resident=factories.ResidentFactory(household=factories.HouseholdFactory(village=village_a))
        )
        client.force_login(grid_a)
        response = client.get(reverse("campaigns:pledge_image", args=[pledge.pk]))
        assert response.status_code == 200 and response["Content-Type"] == "image/png"
        assert response["X-Accel-Redirect"].startswith(settings.SENDFILE_URL + "/pledges/")
