"""Exporting the registry: the user's scope, masked numbers, formula-safe cells, an access-log entry."""

import csv
import io
import zipfile

import openpyxl
import pytest
from django.urls import reverse

from audit.models import AccessAction, AccessLog
from residents.models import ResidentTag
from tests import factories

pytestmark = pytest.mark.django_db

RESIDENTS = reverse("residents:export_residents")
HOUSEHOLDS = reverse("residents:export_households")


@pytest.fixture
def people(village_a, village_b, grid_a1):
    home_a = factories.HouseholdFactory(
        village=village_a, grid=grid_a1, address="联和路1号", contact_phone="13912345678"
    )
    home_b = factories.HouseholdFactory(village=village_b, address="下柏路2号")
    return {
        "a": factories.ResidentFactory(household=home_a, name="甲", is_elderly=True),
        "a2": factories.ResidentFactory(household=home_a, name='=HYPERLINK("http://evil","click")'),
        "b": factories.ResidentFactory(household=home_b, name="乙"),
    }


def _csv_rows(response) -> list[list[str]]:
    text = response.content.decode("utf-8-sig")
    return list(csv.reader(io.StringIO(text)))


def _xlsx_rows(response) -> list[list]:
    workbook = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def _unpacked(content: bytes) -> bytes:
    with zipfile.ZipFile(io.BytesIO(content)) as archive:
        return b"".join(archive.read(name) for name in archive.namelist())


def test_a_village_head_exports_their_village_only(client, head_a, people):
    client.force_login(head_a)
    response = client.get(RESIDENTS, {"format": "csv"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/csv")
    assert response["Content-Disposition"].startswith('attachment; filename="residents-')
    names = [row[0] for row in _csv_rows(response)[1:]]
    assert sorted(names) == sorted(["甲", '\'=HYPERLINK("http://evil","click")'])
    assert "乙" not in response.content.decode("utf-8-sig")


def test_grid_workers_may_not_export(client, grid_a, people):
    client.force_login(grid_a)
    assert client.get(RESIDENTS).status_code == 404
    assert client.get(HOUSEHOLDS).status_code == 404


def test_an_anonymous_visitor_is_sent_to_log_in(client, people):
    response = client.get(RESIDENTS)
    assert response.status_code == 302 and reverse("login") in response["Location"]


@pytest.mark.parametrize("file_format", ["csv", "xlsx"])
def test_exports_are_masked(client, leader, people, file_format):
    client.force_login(leader)
    response = client.get(RESIDENTS, {"format": file_format})
    content = response.content if file_format == "csv" else _unpacked(response.content)
    for resident in people.values():
        assert resident.id_number.encode() not in content
        assert resident.id_number[6:14].encode() not in content  # not even the birth date
        assert resident.phone.encode() not in content
        assert resident.masked_id_number.encode() in content
    assert b"13912345678" not in content
    assert b"139****5678" in content


def test_the_xlsx_export_has_the_chinese_headers_and_escapes_formulas(client, leader, people):
    client.force_login(leader)
    response = client.get(RESIDENTS)
    assert response["Content-Type"] == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    rows = _xlsx_rows(response)
    from residents.resources import ResidentResource

    assert rows[0] == ResidentResource().get_export_headers()
    by_name = {row[0]: row for row in rows[1:]}
    formula = '\'=HYPERLINK("http://evil","click")'
    assert formula in by_name
    sheet_xml = _unpacked(response.content)
    assert b"<f>" not in sheet_xml  # no cell is a formula
    assert by_name["甲"][3:6] == ["VA", "VA-01", "联和路1号"]
    assert by_name["甲"][8] == str(ResidentTag.ELDERLY.label)


def test_exports_use_the_list_filters(client, leader, people):
    client.force_login(leader)
    only_b = _csv_rows(client.get(RESIDENTS, {"format": "csv", "village": "VB"}))
    assert [row[0] for row in only_b[1:]] == ["乙"]
    elderly = _csv_rows(client.get(RESIDENTS, {"format": "csv", "tag": "elderly"}))
    assert [row[0] for row in elderly[1:]] == ["甲"]
    by_name = _csv_rows(client.get(RESIDENTS, {"format": "csv", "q": "乙"}))
    assert [row[0] for row in by_name[1:]] == ["乙"]
    # A full number never goes into a URL, an export's included (tests/security/test_numbers_in_urls.py).
    assert client.get(RESIDENTS, {"format": "csv", "q": people["b"].id_number}).status_code == 400


def test_a_filter_outside_the_users_scope_finds_nothing(client, head_a, people):
    client.force_login(head_a)
    rows = _csv_rows(client.get(RESIDENTS, {"format": "csv", "village": "VB"}))
    assert rows[1:] == []


def test_invalid_filters_and_formats_are_refused(client, leader, people):
    client.force_login(leader)
    assert client.get(RESIDENTS, {"tag": "no-such-tag"}).status_code == 400
    assert client.get(RESIDENTS, {"format": "pdf"}).status_code == 404


def test_every_export_is_access_logged_without_the_values(client, leader, people):
    client.force_login(leader)
    client.get(RESIDENTS, {"format": "csv", "q": "甲"})
    entry = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert entry.user == leader
    assert entry.path == RESIDENTS
    assert "csv" in entry.object_repr
    assert people["a"].id_number not in entry.object_repr + entry.fields + entry.path
    assert "id_number:masked" in entry.fields


def test_households_export_honours_scope_and_masks_the_contact_phone(client, head_a, people):
    client.force_login(head_a)
    response = client.get(HOUSEHOLDS, {"format": "csv"})
    rows = _csv_rows(response)
    assert rows[1:] == [["VA", "VA-01", "联和路1号", "139****5678", "2"]]
    assert AccessLog.objects.filter(action=AccessAction.EXPORT, user=head_a).count() == 1
    xlsx = client.get(HOUSEHOLDS)
    assert b"13912345678" not in _unpacked(xlsx.content)


@pytest.mark.parametrize("model", ["household", "resident"])
def test_the_admins_export_is_masked_and_logged(client, admin_user, people, model):
    client.force_login(admin_user)
    url = reverse(f"admin:residents_{model}_export")
    form = client.get(url).context["form"]
    data = {"format": "1", "resource": "0"}  # CSV
    data.update({name: "on" for name in form.fields if name.startswith(f"{model}resource")})
    response = client.post(url, data)
    assert response.status_code == 200
    content = response.content.decode("utf-8-sig")
    assert "13912345678" not in content and "139****5678" in content
    for resident in people.values():
        assert resident.id_number not in content and resident.phone not in content
    assert AccessLog.objects.filter(action=AccessAction.EXPORT, user=admin_user).count() == 1
