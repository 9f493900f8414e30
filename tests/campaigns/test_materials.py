"""Printed materials: the letter, the contact cards and the pledge forms, from editable wording and numbers."""

import re

import pytest
from django.urls import reverse

from audit.models import AccessLog
from campaigns.materials import DEFAULT_WORDING, material_for
from campaigns.models import Material, PrintMaterial
from tests.factories import HouseholdFactory, ResidentFactory

from .factories import PoliceContactFactory

pytestmark = pytest.mark.django_db


def test_the_default_wording_is_created_once_on_first_use():
    letter = material_for(Material.LETTER)
    assert letter.title == "反电信网络诈骗致广大人民群众的一封信"
    assert "国家反诈中心" in letter.body and len(letter.paragraphs) > 3
    assert material_for("letter") == letter
    assert PrintMaterial.objects.count() == 1
    assert set(DEFAULT_WORDING) == set(Material.values)


def test_the_letter_prints_the_edited_wording_and_the_police_numbers(client, grid_a):
    PrintMaterial.objects.create(
        kind=Material.LETTER, title="致全镇群众的一封信", body="第一段。\n\n第二段。", closing="罗村镇"
    )
    PoliceContactFactory(label="罗村派出所值班室", phone="0757-86400110")
    client.force_login(grid_a)
    response = client.get(reverse("campaigns:print_material", args=["letter"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "致全镇群众的一封信" in page and "第二段。" in page
    assert "罗村派出所值班室" in page and "0757-86400110" in page
    assert "css/print.css" in page and "style=" not in page
    assert all(" src=" in tag for tag in re.findall(r"<script[^>]*>", page))  # the toolbar's file, nothing inline


def test_contact_cards_fill_an_a4_sheet_with_the_national_numbers_by_default(client, grid_a):
    client.force_login(grid_a)
    response = client.get(reverse("campaigns:print_material", args=["contact_card"]))
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="contact-card"') == 6
    assert "96110" in page and "警民联系卡" in page


def test_unknown_materials_and_users_without_access_get_404(client, grid_a, school):
    client.force_login(grid_a)
    assert client.get(reverse("campaigns:print_material", args=["poster"])).status_code == 404
    client.force_login(school)
    assert client.get(reverse("campaigns:print_material", args=["letter"])).status_code == 404


def test_a_households_pledge_form_carries_its_reference_address_and_members(client, grid_a, grid_a1):
    household = HouseholdFactory(village=grid_a1.parent, grid=grid_a1, address="东街8号")
    ResidentFactory(household=household, name="陈大文", relation="户主")
    ResidentFactory(household=household, name="李秀兰", relation="配偶")
    client.force_login(grid_a)
    response = client.get(reverse("campaigns:print_pledge_form", args=[household.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert household.reference in page and household.reference.startswith("H")
    assert "东街8号" in page and "陈大文" in page and "李秀兰" in page
    assert "防范电信网络诈骗承诺书" in page
    assert page.count('data-testid="pledge-member"') == 2
    assert AccessLog.objects.filter(user=grid_a, object_id=str(household.pk)).exists()


def test_a_grids_pledge_forms_are_one_page_per_household(client, grid_a, grid_a1, django_assert_max_num_queries):
    households = [HouseholdFactory(village=grid_a1.parent, grid=grid_a1, address=f"西街{n}号") for n in range(6)]
    for household in households:
        ResidentFactory(household=household)
        ResidentFactory(household=household)
    HouseholdFactory(village=grid_a1.parent, grid=None, address="不在网格1号")
    client.force_login(grid_a)
    url = reverse("campaigns:print_pledge_forms")
    client.get(url, {"unit": grid_a1.code})
    with django_assert_max_num_queries(15):
        response = client.get(url, {"unit": grid_a1.code})
    page = response.content.decode()
    assert page.count('class="print-page pledge-form"') == 6
    assert all(household.reference in page for household in households)
    assert "不在网格1号" not in page


def test_pledge_forms_outside_the_scope_are_404(client, grid_a, grid_b1):
    household = HouseholdFactory(village=grid_b1.parent, grid=grid_b1)
    client.force_login(grid_a)
    assert client.get(reverse("campaigns:print_pledge_form", args=[household.pk])).status_code == 404
    assert client.get(reverse("campaigns:print_pledge_forms"), {"unit": grid_b1.code}).status_code == 404
    assert client.get(reverse("campaigns:print_pledge_forms"), {"unit": grid_b1.parent.code}).status_code == 404


def test_the_town_edits_the_wording_in_the_admin(client, admin_user):
    client.force_login(admin_user)
    material = material_for(Material.PLEDGE_FORM)
    url = reverse("admin:campaigns_printmaterial_change", args=[material.pk])
    assert client.get(url).status_code == 200
    response = client.post(url, {"title": "承诺书", "body": "本人承诺。", "closing": ""})
    assert response.status_code == 302
    material.refresh_from_db()
    assert (material.kind, material.title, material.body) == (Material.PLEDGE_FORM, "承诺书", "本人承诺。")
    assert material.history.count() == 2
    assert client.get(reverse("admin:campaigns_policecontact_add")).status_code == 200
