"""Evidence uploads: a file is what its bytes say, within its limit, re-encoded if an image, served in scope."""

import base64
import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.test import override_settings
from django.urls import reverse
from django.utils import translation
from PIL import Image

from core import uploads
from core.models import Attachment
from tests import factories, files


def image_bytes(fmt="JPEG", size=(40, 30), color=(200, 30, 30)) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", size, color).save(out, fmt)
    return out.getvalue()


def upload(name, content, content_type="application/octet-stream"):
    return SimpleUploadedFile(name, content, content_type=content_type)


class TestCheckUpload:
    def test_a_photo_is_accepted_and_reencoded_as_jpeg(self):
        checked = uploads.check_upload(upload("现场.jpg", image_bytes()), kinds=(uploads.IMAGE,))
        assert (checked.kind, checked.extension, checked.mime) == ("image", "jpg", "image/jpeg")
        assert Image.open(io.BytesIO(checked.content.read())).format == "JPEG"

    def test_a_large_photo_is_downscaled_for_phones(self):
        checked = uploads.check_upload(upload("big.png", image_bytes("PNG", (4000, 1000))), kinds=(uploads.IMAGE,))
        width, height = Image.open(io.BytesIO(checked.content.read())).size
        assert max(width, height) == uploads.IMAGE_MAX_SIDE
        assert checked.extension == "png"

    def test_the_type_comes_from_the_content_not_the_name(self):
        with pytest.raises(ValidationError) as refused:
            uploads.check_upload(upload("photo.jpg", b"MZ\x90\x00 not really a photo", "image/jpeg"))
        assert refused.value.code == "bad_type"
        assert "photo.jpg" in refused.value.messages[0]

    def test_a_pdf_named_like_a_photo_is_a_document(self):
        checked = uploads.check_upload(upload("scan.jpg", files.pdf()))
        assert (checked.kind, checked.extension) == ("document", "pdf")

    def test_a_document_is_refused_where_only_images_are_accepted(self):
        with pytest.raises(ValidationError) as refused:
            uploads.check_upload(upload("plan.pdf", b"%PDF-1.7\n..."), kinds=(uploads.IMAGE,))
        assert refused.value.code == "bad_type"

    def test_office_documents_video_and_audio_are_recognised(self):
        assert uploads.check_upload(upload("a.docx", files.docx())).extension == "docx"
        assert uploads.check_upload(upload("v.mp4", files.mp4())).kind == "video"
        assert uploads.check_upload(upload("b.mp3", files.mp3())).kind == "audio"

    def test_a_plain_zip_is_not_a_document(self):
        out = io.BytesIO()
        with zipfile.ZipFile(out, "w") as archive:
            archive.writestr("run.exe", "x")
        with pytest.raises(ValidationError):
            uploads.check_upload(upload("a.docx", out.getvalue()))

    @override_settings(UPLOAD_LIMITS_MB={"image": 10, "document": 0.001, "audio": 20, "video": 100})
    def test_a_file_over_the_limit_of_its_kind_is_refused(self):
        with pytest.raises(ValidationError) as refused:
            uploads.check_upload(upload("big.pdf", files.pdf("0" * 5000)))
        assert refused.value.code == "too_large"

    def test_an_empty_file_is_refused(self):
        with pytest.raises(ValidationError) as refused:
            uploads.check_upload(upload("empty.jpg", b""))
        assert refused.value.code == "empty"


class TestSignature:
    def data_url(self, image):
        out = io.BytesIO()
        image.save(out, "PNG")
        return "data:image/png;base64," + base64.b64encode(out.getvalue()).decode()

    def test_a_drawn_signature_is_a_png(self):
        image = Image.new("RGBA", (300, 100), (0, 0, 0, 0))
        image.putpixel((10, 10), (0, 0, 0, 255))
        checked = uploads.signature_png(self.data_url(image))
        assert checked.extension == "png"

    def test_an_empty_pad_is_refused(self):
        with pytest.raises(ValidationError) as refused:
            uploads.signature_png(self.data_url(Image.new("RGBA", (300, 100), (0, 0, 0, 0))))
        assert refused.value.code == "empty_signature"

    @pytest.mark.parametrize("value", ["", "data:image/jpeg;base64,AAAA", "data:image/png;base64,!!!"])
    def test_anything_else_is_refused(self, value):
        with pytest.raises(ValidationError):
            uploads.signature_png(value)


class TestFormFields:
    def test_several_files_report_every_bad_one(self):
        field = uploads.MultipleEvidenceField(kinds=(uploads.IMAGE,))
        with pytest.raises(ValidationError) as refused:
            field.clean([upload("ok.jpg", image_bytes()), upload("a.exe", b"MZ"), upload("b.exe", b"MZ")])
        assert len(refused.value.messages) == 2

    def test_too_many_files(self):
        field = uploads.MultipleEvidenceField(max_files=1)
        with pytest.raises(ValidationError) as refused:
            field.clean([upload("a.jpg", image_bytes()), upload("b.jpg", image_bytes())])
        assert refused.value.code == "too_many"


@pytest.mark.django_db
class TestAttachments:
    def test_a_failure_after_storing_removes_the_file(self, village_a, grid_a):
        household = factories.HouseholdFactory(village=village_a)
        checked = uploads.check_upload(upload("a.jpg", image_bytes()))
        with pytest.raises(RuntimeError), uploads.files_removed_on_error(), transaction.atomic():
            [attachment] = uploads.attach(household, [checked], user=grid_a)
            name = attachment.file.name
            assert default_storage.exists(name)
            raise RuntimeError("the record could not be saved")
        assert not default_storage.exists(name)
        assert not Attachment.objects.exists()

    def test_served_only_within_the_records_scope(self, client, village_a, grid_a, grid_b):
        household = factories.HouseholdFactory(village=village_a)
        [attachment] = uploads.attach(household, [uploads.check_upload(upload("a.jpg", image_bytes()))], user=grid_a)
        url = reverse("attachment", args=[attachment.pk])

        client.force_login(grid_a)
        response = client.get(url)
        assert response.status_code == 200
        assert response["Content-Type"] == "image/jpeg"
        assert response["X-Content-Type-Options"] == "nosniff"

        client.force_login(grid_b)
        assert client.get(url).status_code == 404


def test_the_refusal_lists_the_accepted_kinds_in_chinese():
    with translation.override("zh-hans"):
        with pytest.raises(ValidationError) as refused:
            uploads.check_upload(upload("a.exe", b"MZ\x90\x00"), kinds=(uploads.IMAGE, uploads.DOCUMENT))
        assert "只接受图片、文档文件" in refused.value.messages[0]


@pytest.mark.django_db
def test_an_attachment_whose_file_is_gone_is_not_found(client, village_a, grid_a):
    household = factories.HouseholdFactory(village=village_a)
    [attachment] = uploads.attach(household, [uploads.check_upload(upload("a.jpg", image_bytes()))], user=grid_a)
    default_storage.delete(attachment.file.name)
    client.force_login(grid_a)
    assert client.get(reverse("attachment", args=[attachment.pk])).status_code == 404
