"""Pledges (承诺书): signed on the pad or photographed, one per resident, kept on file and found again."""

import io
import uuid

import pytest
from django.core.files.storage import default_storage
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation
from PIL import Image

from audit.models import AccessLog
from campaigns.models import Pledge, PledgeMethod
from tests.factories import ResidentFactory

from .factories import DoorVisitFactory, PledgeFactory, signature_data_url


@pytest.fixture(autouse=True)
def english(settings):
    """These stories check the English source wording (the default language, zh-hans, is tested elsewhere)."""
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def as_grid_a(client, grid_a):
    client.force_login(grid_a)
    return client


@pytest.fixture
def visit_a(household_a, grid_a):
    return DoorVisitFactory(household=household_a, recorded_by=grid_a)


def pledge_url(household, visit=None):
    url = reverse("campaigns:pledge_create", args=[household.pk])
    return f"{url}?visit={visit.pk}" if visit else url


def test_a_pledge_signed_on_the_pad_is_stored_as_png_linked_and_retrievable(as_grid_a, grid_a, household_a, visit_a):
    resident = household_a.members.order_by("pk").first()

    response = as_grid_a.post(
        pledge_url(household_a, visit_a),
        {"resident": resident.pk, "signature": signature_data_url(), "client_id": str(uuid.uuid4())},
    )

    assert response.status_code == 302
    pledge = Pledge.objects.get()
    assert pledge.resident == resident and pledge.visit == visit_a
    assert pledge.method == PledgeMethod.SIGNED_ON_PHONE and pledge.collected_by == grid_a
    assert pledge.image.name.startswith("pledges/") and pledge.image.name.endswith(".png")
    assert default_storage.exists(pledge.image.name)
    image = as_grid_a.get(reverse("campaigns:pledge_image", args=[pledge.pk]))
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    assert b"".join(image.streaming_content).startswith(b"\x89PNG")


def test_a_photo_of_the_signed_paper_form_is_a_pledge_too(as_grid_a, household_a):
    resident = household_a.members.first()
    buffer = io.BytesIO()
    Image.new("RGB", (60, 80), (255, 255, 255)).save(buffer, format="JPEG")
    photo = SimpleUploadedFile("form.jpg", buffer.getvalue(), content_type="image/jpeg")

    as_grid_a.post(pledge_url(household_a), {"resident": resident.pk, "photo": photo, "client_id": str(uuid.uuid4())})

    pledge = Pledge.objects.get()
    assert pledge.method == PledgeMethod.PAPER_PHOTO and pledge.visit is None


def test_without_signature_or_photo_nothing_is_saved(as_grid_a, household_a):
    resident = household_a.members.first()
    response = as_grid_a.post(pledge_url(household_a), {"resident": resident.pk, "client_id": str(uuid.uuid4())})
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not Pledge.objects.exists()


def test_an_empty_or_forged_signature_is_refused(as_grid_a, household_a):
    resident = household_a.members.first()
    blank = io.BytesIO()
    Image.new("RGBA", (50, 20), (0, 0, 0, 0)).save(blank, format="PNG")
    import base64

    for signature in [
        "data:image/png;base64,bm90IGFuIGltYWdl",
        "data:image/png;base64," + base64.b64encode(blank.getvalue()).decode(),
    ]:
        response = as_grid_a.post(
            pledge_url(household_a), {"resident": resident.pk, "signature": signature, "client_id": str(uuid.uuid4())}
        )
        assert response.status_code == 200 and response.context["form"].non_field_errors()
    assert not Pledge.objects.exists()


def test_a_paper_photo_of_the_wrong_type_is_refused(as_grid_a, household_a):
    resident = household_a.members.first()
    fake = SimpleUploadedFile("form.jpg", b"MZ\x90\x00 not a photo", content_type="image/jpeg")
    response = as_grid_a.post(
        pledge_url(household_a), {"resident": resident.pk, "photo": fake, "client_id": str(uuid.uuid4())}
    )
    assert response.status_code == 200 and "photo" in response.context["form"].errors
    assert not Pledge.objects.exists()


def test_a_second_pledge_for_the_same_resident_gets_a_clear_error(grid_a, household_a, visit_a):
    from django.core.exceptions import ValidationError

    from campaigns import services
    from core.uploads import signature_png

    resident = household_a.members.first()
    PledgeFactory(resident=resident, visit=visit_a)
    with pytest.raises(ValidationError) as refused:
        services.pledge_record(
            actor=grid_a,
            resident=resident,
            client_id=uuid.uuid4(),
            image=signature_png(signature_data_url()),
            method=PledgeMethod.SIGNED_ON_PHONE,
        )
    assert "already signed the pledge on" in refused.value.message_dict["resident"][0]
    assert Pledge.objects.count() == 1


def test_the_form_offers_only_members_who_have_not_signed(as_grid_a, household_a):
    signed, unsigned = household_a.members.order_by("pk")
    PledgeFactory(resident=signed)
    page = as_grid_a.get(pledge_url(household_a))
    assert [pk for pk, _label in page.context["form"].fields["resident"].widget.choices] == [unsigned.pk]
    assert f'value="{unsigned.pk}"' in page.content.decode() and f'value="{signed.pk}"' not in page.content.decode()


def test_a_resident_who_signed_meanwhile_gets_a_clear_error(as_grid_a, household_a):
    signed = household_a.members.order_by("pk").first()
    PledgeFactory(resident=signed)  # on a colleague's phone, while this form was open
    response = as_grid_a.post(
        pledge_url(household_a),
        {"resident": signed.pk, "signature": signature_data_url(), "client_id": str(uuid.uuid4())},
    )
    assert response.status_code == 200
    assert "already signed the pledge on" in response.context["form"].errors["resident"][0]
    assert Pledge.objects.count() == 1


def test_submitting_the_same_pledge_twice_keeps_one(as_grid_a, household_a):
    data = {
        "resident": household_a.members.first().pk,
        "signature": signature_data_url(),
        "client_id": str(uuid.uuid4()),
    }
    as_grid_a.post(pledge_url(household_a), data)
    again = as_grid_a.post(pledge_url(household_a), data)
    assert Pledge.objects.count() == 1
    assert again.status_code == 302 and again["Location"] == reverse("campaigns:household", args=[household_a.pk])


def test_a_resident_of_another_household_cannot_sign_on_this_visit(grid_a, household_a, visit_a):
    from django.core.exceptions import ValidationError

    from campaigns import services
    from core.uploads import signature_png

    stranger = ResidentFactory(village=household_a.village)
    with pytest.raises(ValidationError):
        services.pledge_record(
            actor=grid_a,
            resident=stranger,
            visit=visit_a,
            client_id=uuid.uuid4(),
            image=signature_png(signature_data_url()),
            method=PledgeMethod.SIGNED_ON_PHONE,
        )


def test_pledges_of_another_village_answer_404(as_grid_a, household_b):
    pledge = PledgeFactory(resident=household_b.members.first())
    for name in ("pledge_detail", "pledge_print", "pledge_image"):
        assert as_grid_a.get(reverse(f"campaigns:{name}", args=[pledge.pk])).status_code == 404
    assert as_grid_a.get(pledge_url(household_b)).status_code == 404
    assert pledge.pk not in [p.pk for p in as_grid_a.get(reverse("campaigns:pledge_list")).context["page"]]


def test_a_forged_or_foreign_visit_in_the_link_answers_404(as_grid_a, household_a, household_b):
    foreign = DoorVisitFactory(household=household_b)
    url = reverse("campaigns:pledge_create", args=[household_a.pk])
    assert as_grid_a.get(f"{url}?visit={foreign.pk}").status_code == 404
    assert as_grid_a.get(f"{url}?visit=abc").status_code == 404
    assert as_grid_a.post(f"{url}?visit=1%20OR%201").status_code == 404


def test_the_pledge_page_and_its_print_show_the_signature(as_grid_a, household_a, visit_a):
    pledge = PledgeFactory(resident=household_a.members.first(), visit=visit_a)
    page = as_grid_a.get(reverse("campaigns:pledge_detail", args=[pledge.pk]))
    printed = as_grid_a.get(reverse("campaigns:pledge_print", args=[pledge.pk]))
    image_url = reverse("campaigns:pledge_image", args=[pledge.pk])
    assert image_url in page.content.decode() and image_url in printed.content.decode()
    assert pledge.resident.masked_id_number in printed.content.decode()
    assert pledge.resident.id_number not in printed.content.decode()
    assert AccessLog.objects.filter(object_id=str(pledge.resident.pk)).count() == 2


def test_the_pledge_text_is_printed_on_a_fresh_installation(as_grid_a, household_a, visit_a):
    """No wording edited yet, no other material printed yet: the pledge and its form carry the default text."""
    from campaigns.materials import DEFAULT_WORDING
    from campaigns.models import Material, PrintMaterial

    assert not PrintMaterial.objects.exists()
    title = DEFAULT_WORDING[Material.PLEDGE_FORM]["title"]
    pledge = PledgeFactory(resident=household_a.members.first(), visit=visit_a)
    assert title in as_grid_a.get(reverse("campaigns:pledge_print", args=[pledge.pk])).content.decode()
    assert title in as_grid_a.get(pledge_url(household_a, visit_a)).content.decode()


def test_the_register_searches_by_name_reference_and_exact_id_number(as_grid_a, household_a, visit_a):
    first, second = household_a.members.order_by("pk")
    PledgeFactory(resident=first, visit=visit_a)
    PledgeFactory(resident=second, visit=visit_a)
    url = reverse("campaigns:pledge_list")

    by_name = as_grid_a.get(url, {"q": "陈小"})
    assert [p.resident for p in by_name.context["page"]] == [second]
    by_reference = as_grid_a.get(url, {"q": household_a.reference})
    assert {p.resident for p in by_reference.context["page"]} == {first, second}

    by_number = as_grid_a.post(url, {"q": first.id_number})
    assert [p.resident for p in by_number.context["page"]] == [first]
    assert first.id_number not in by_number.content.decode()
    log = AccessLog.objects.get(action="search")
    assert log.fields == "id_number" and log.object_id == str(first.pk)

    redirected = as_grid_a.post(url, {"q": "陈"})
    assert redirected.status_code == 302 and "q=" in redirected["Location"]


def test_an_id_number_in_the_address_is_never_searched(client, head_a, household_a, visit_a):
    """A typed or bookmarked ``?q=<ID number>`` would leave the number in logs and history: it is refused."""
    resident = household_a.members.order_by("pk").first()
    PledgeFactory(resident=resident, visit=visit_a)
    client.force_login(head_a)
    response = client.get(reverse("campaigns:pledge_list"), {"q": resident.id_number, "village": "VA"})
    assert response.status_code == 400  # core.privacy: numbers go by POST
    assert reverse("campaigns:pledge_list") in response.content.decode()
    assert not AccessLog.objects.filter(action="search").exists()
    export = client.get(reverse("campaigns:pledge_export"), {"q": resident.id_number})
    assert export.status_code == 400


def test_a_resident_found_by_id_number_shows_whether_they_signed_when_and_who_visited(
    as_grid_a, grid_a, household_a, visit_a
):
    signed, unsigned = household_a.members.order_by("pk")
    PledgeFactory(resident=signed, visit=visit_a, collected_by=grid_a)
    url = reverse("campaigns:pledge_lookup")

    found = as_grid_a.post(url, {"id_number": signed.id_number})
    assert found.context["result"].pledge.resident == signed
    assert found.context["result"].visits == [visit_a]
    html = found.content.decode()
    assert 'data-testid="lookup-signed"' in html and str(grid_a) in html
    assert signed.id_number not in html

    not_signed = as_grid_a.post(url, {"id_number": unsigned.id_number})
    assert 'data-testid="lookup-not-signed"' in not_signed.content.decode()
    assert AccessLog.objects.filter(action="search", fields="id_number").count() == 2


def test_the_lookup_never_finds_someone_outside_the_users_area(as_grid_a, household_b):
    outsider = household_b.members.first()
    PledgeFactory(resident=outsider)
    response = as_grid_a.post(reverse("campaigns:pledge_lookup"), {"id_number": outsider.id_number})
    assert response.context["result"] is None
    assert 'data-testid="lookup-none"' in response.content.decode()


def test_the_register_runs_a_fixed_number_of_queries(as_grid_a, household_a, django_assert_max_num_queries):
    for _n in range(12):
        PledgeFactory(resident=ResidentFactory(household=household_a))
    with django_assert_max_num_queries(14):
        as_grid_a.get(reverse("campaigns:pledge_list"))
