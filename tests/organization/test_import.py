"""Units and users are importable from Excel with Chinese headers; a bad row writes nothing."""

import pytest
import tablib
from django.utils import translation

from organization.models import Unit, User
from organization.resources import UnitResource, UserResource

pytestmark = pytest.mark.django_db


def _sheet(headers, rows):
    data = tablib.Dataset(headers=headers)
    for row in rows:
        data.append(row)
    return tablib.Dataset().load(data.export("xlsx"), format="xlsx")


@pytest.fixture(autouse=True)
def chinese():
    with translation.override("zh-hans"):
        yield


def unit_headers():
    return [str(field.column_name) for field in UnitResource().get_import_fields()]


def test_unit_headers_are_chinese():
    assert unit_headers() == ["编码", "名称", "类型", "上级编码", "户籍人口"]


def test_units_import_from_excel(town):
    sheet = _sheet(unit_headers(), [["VX", "新村", "村居", "T1", 5000], ["VX-01", "新村第1网格", "grid", "VX", None]])
    result = UnitResource().import_data(sheet, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors()
    assert Unit.objects.get(code="VX-01").path == "/T1/VX/VX-01/"
    assert Unit.objects.get(code="VX").population == 5000


def test_reimporting_updates_instead_of_duplicating(town):
    sheet = _sheet(unit_headers(), [["VX", "新村", "village", "T1", 5000]])
    UnitResource().import_data(sheet, dry_run=False)
    sheet = _sheet(unit_headers(), [["VX", "新村村委会", "village", "T1", 5100]])
    UnitResource().import_data(sheet, dry_run=False)
    assert Unit.objects.filter(code="VX").count() == 1
    assert Unit.objects.get(code="VX").name == "新村村委会"


def test_one_bad_row_writes_nothing(town):
    sheet = _sheet(
        unit_headers(),
        [["VX", "新村", "village", "T1", 5000], ["GX", "错网格", "grid", "T1", None]],  # a grid under a town
    )
    result = UnitResource().import_data(sheet, dry_run=False)
    assert result.has_validation_errors()
    invalid = result.invalid_rows[0]
    assert invalid.number == 2
    assert "parent" in invalid.error_dict
    assert not Unit.objects.filter(code__in=["VX", "GX"]).exists()


def test_users_import_with_roles(village_a):
    headers = [str(field.column_name) for field in UserResource().get_import_fields()]
    sheet = _sheet(headers, [["wang", "王五", "VA", "网格员, dissuasion_team", ""]])
    result = UserResource().import_data(sheet, dry_run=False)
    assert not result.has_errors() and not result.has_validation_errors(), result.invalid_rows
    user = User.objects.get(username="wang")
    assert user.unit == village_a
    assert user.role_codes == {"grid_worker", "dissuasion_team"}
    assert not user.has_usable_password()


def test_users_import_rejects_an_unknown_role(village_a):
    headers = [str(field.column_name) for field in UserResource().get_import_fields()]
    sheet = _sheet(headers, [["wang", "王五", "VA", "宇航员", ""]])
    result = UserResource().import_data(sheet, dry_run=False)
    assert result.has_errors() or result.has_validation_errors()
    assert not User.objects.filter(username="wang").exists()
