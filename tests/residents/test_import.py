"""Importing residents from a spreadsheet: every bad row reported, all or nothing, re-imports update.

The helpers at the top build sheets the way users do (an .xlsx from Excel or a CSV); the other
test modules of the registry import them from here.
"""

import csv
import datetime
import io
import zipfile

import openpyxl
import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.utils.translation import gettext

from core.sheets import Table, read_table
from core.validators import (
    EXCEL_NUMBER_MESSAGE,
    ID_BIRTH_DATE_MESSAGE,
    ID_CHECKSUM_MESSAGE,
    ID_LENGTH_MESSAGE,
    PHONE_INVALID_MESSAGE,
    make_id_number,
)
from residents import services
from residents.importing import ResidentSheet, residents_import, set_normalized_id_number
from residents.models import Household, Resident, ResidentSource, id_number_hash
from residents.resources import ResidentResource
from tests import factories

pytestmark = pytest.mark.django_db

FIELDS = ["name", "id_number", "phone", "village", "grid", "address", "household_contact_phone", "relation", "tags"]


def headers() -> list[str]:
    return ResidentResource().get_export_headers()


def header(name: str) -> str:
    return str(ResidentResource().fields[name].column_name)


def sheet_id(n: int) -> str:
    """A valid ID number, unique per ``n`` (area 440606 keeps clear of the factories' 440605)."""
    return make_id_number("440606", datetime.date(1940, 1, 1) + datetime.timedelta(days=n), n % 1000)


def person(n: int, **cells) -> dict:
    row = {
        "name": f"居民{n}",
        "id_number": sheet_id(n),
        "phone": f"139{n:08d}",
        "village": "VA",
        "grid": "VA-01",
        "address": f"幸福路{n // 3}号",
        "household_contact_phone": "",
        "relation": "户主" if n % 3 == 0 else "",
        "tags": "",
    }
    row.update(cells)
    return row


def as_lists(rows: list[dict], fields=FIELDS) -> list[list]:
    return [[row.get(name, "") for name in fields] for row in rows]


def xlsx_sheet(rows: list[dict], *, fields=FIELDS, header_row=None) -> bytes:
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    resource = ResidentResource()
    sheet.append(header_row or [str(resource.fields[name].column_name) for name in fields])
    for values in as_lists(rows, fields):
        sheet.append(values)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def csv_sheet(rows: list[dict], *, fields=FIELDS, header_row=None, encoding="utf-8-sig") -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    resource = ResidentResource()
    writer.writerow(header_row or [str(resource.fields[name].column_name) for name in fields])
    writer.writerows(as_lists(rows, fields))
    return buffer.getvalue().encode(encoding)


def problems(outcome) -> set[tuple]:
    return {(error["row"], error["column"], error["message"]) for error in outcome.errors}


@pytest.fixture(scope="module")
def ten_thousand():
    return [person(n) for n in range(10_000)]


@pytest.fixture
def registry(village_a, village_b, grid_a1, grid_b1):
    """Two villages with a grid each, and a village in another town (outside a town leader's scope)."""
    other_town = factories.TownFactory(code="T2")
    factories.VillageFactory(code="VZ", parent=other_town)


# --- the 10,000-row acceptance story ---------------------------------------------------------------


def test_the_dry_run_of_a_10000_row_sheet_reports_every_planted_error_by_row_and_column(leader, registry, ten_thousand):
    rows = [dict(row) for row in ten_thousand]
    bad_check_digit = sheet_id(100)[:17] + ("0" if sheet_id(100)[17] != "0" else "1")
    planted = {
        101: ("id_number", bad_check_digit, str(ID_CHECKSUM_MESSAGE)),
        1002: ("id_number", "440606199002300012", str(ID_BIRTH_DATE_MESSAGE) % {"value": "19900230"}),
        2003: ("id_number", sheet_id(2003)[:17], str(ID_LENGTH_MESSAGE) % {"length": 17}),
        3004: ("id_number", "4.40682E+17", str(EXCEL_NUMBER_MESSAGE)),
        4005: ("phone", "1381234567", str(PHONE_INVALID_MESSAGE)),
        5006: ("village", "NOPE", gettext("Unknown village code “%(code)s”.") % {"code": "NOPE"}),
        6007: ("village", "VZ", gettext("Unknown village code “%(code)s”.") % {"code": "VZ"}),
        7008: ("grid", "VB-01", gettext("This grid does not belong to the chosen village.")),
    }
    for index, (name, value, _message) in planted.items():
        rows[index][name] = value
    data = xlsx_sheet(rows)

    outcome = residents_import(data=data, user=leader, dry_run=True)

    assert not outcome.ok
    assert outcome.total_rows == 10_000
    # Row numbers as the spreadsheet shows them: the headers are row 1.
    expected = {(index + 2, header(name), message) for index, (name, _value, message) in planted.items()}
    assert problems(outcome) == expected
    assert Resident.objects.count() == 0 and Household.objects.count() == 0


def test_a_10000_row_sheet_with_one_bad_row_writes_nothing(leader, registry, ten_thousand):
    rows = [dict(row) for row in ten_thousand]
    rows[9_999]["phone"] = "12345"
    outcome = residents_import(data=csv_sheet(rows), user=leader, dry_run=False)

    assert not outcome.ok
    assert problems(outcome) == {(10_001, header("phone"), str(PHONE_INVALID_MESSAGE))}
    assert Resident.objects.count() == 0
    assert Household.objects.count() == 0
    assert Resident.history.count() == 0


def test_a_clean_10000_row_sheet_imports_every_row_and_importing_it_again_only_updates(leader, registry, ten_thousand):
    data = xlsx_sheet(ten_thousand)

    first = residents_import(data=data, user=leader, dry_run=False)
    assert first.ok, first.errors[:5]
    assert first.summary == {"created": 10_000, "updated": 0, "households_created": 3_334, "households_updated": 0}
    assert Resident.objects.count() == 10_000
    assert Household.objects.count() == 3_334
    someone = Resident.objects.by_id_number(sheet_id(4242)).select_related("household__grid").get()
    assert (someone.name, someone.phone, someone.household.address, someone.household.grid.code) == (
        "居民4242",
        "13900004242",
        "幸福路1414号",
        "VA-01",
    )
    assert someone.source == ResidentSource.IMPORT

    again = residents_import(data=data, user=leader, dry_run=False)
    assert again.ok
    assert again.summary == {"created": 0, "updated": 10_000, "households_created": 0, "households_updated": 0}
    assert Resident.objects.count() == 10_000
    assert Household.objects.count() == 3_334
    assert Resident.history.filter(history_type="~").count() == 10_000


# --- headers and files ---------------------------------------------------------------------------------


def test_wrong_headers_are_listed_together(leader, registry):
    data = csv_sheet([person(1)], header_row=["姓名字", header("id_number"), "Favourite colour", *headers()[3:]])
    outcome = residents_import(data=data, user=leader, dry_run=True)
    assert not outcome.checked
    [missing, unknown] = [error["message"] for error in outcome.errors]
    assert header("name") in missing
    assert "姓名字" in unknown and "Favourite colour" in unknown and header("phone") in unknown
    assert all(error["row"] is None for error in outcome.errors)


def test_an_empty_sheet_gets_a_clear_error(leader, registry):
    empty = io.BytesIO()
    openpyxl.Workbook().save(empty)
    outcome = residents_import(data=empty.getvalue(), user=leader, dry_run=True)
    assert not outcome.checked
    assert outcome.errors[0]["message"] == gettext(
        "The sheet is empty. Its first row must hold the column headers, as in the template."
    )

    headers_only = residents_import(data=csv_sheet([]), user=leader, dry_run=True)
    assert headers_only.errors[0]["message"] == gettext("The sheet has column headers but no rows to import.")


def test_headers_are_recognised_in_every_language(leader, registry):
    resource = ResidentResource()
    from django.utils import translation

    with translation.override("en"):
        english = [str(resource.fields[name].column_name) for name in FIELDS]
    table = read_table(csv_sheet([person(1)], header_row=english))
    with translation.override("zh-hans"):
        assert ResidentSheet.match_headers(table) == dict(enumerate(FIELDS))


def test_optional_columns_may_be_left_out(leader, registry):
    data = csv_sheet([person(1)], fields=["name", "id_number", "village"])
    outcome = residents_import(data=data, user=leader, dry_run=False)
    assert outcome.ok
    resident = Resident.objects.get()
    assert resident.household is None and resident.phone == ""


def test_an_old_xls_file_and_a_binary_file_are_refused():
    with pytest.raises(ValidationError) as old:
        read_table(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100)
    assert old.value.code == "xls"
    with pytest.raises(ValidationError) as binary:
        read_table(b"\x89PNG\r\n\x1a\n\x00\x00\x00")
    assert binary.value.code == "unreadable"


def test_a_file_over_20_mb_is_refused():
    with pytest.raises(ValidationError) as excinfo:
        read_table(b"a,b\n" + b"x" * (20 * 1024 * 1024))
    assert excinfo.value.code == "too_large"


def _zip(entries: dict[str, bytes], declared_sizes=None) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, content in entries.items():
            archive.writestr(name, content)
    return buffer.getvalue()


def test_a_zip_bomb_is_refused_before_anything_is_unpacked():
    many = _zip({f"xl/junk{n}.xml": b"<a/>" for n in range(300)})
    with pytest.raises(ValidationError) as excinfo:
        read_table(many)
    assert excinfo.value.code == "bomb"
    huge = _zip({"xl/worksheets/sheet1.xml": b"<a>" + b" " * (210 * 1024 * 1024) + b"</a>"})
    assert len(huge) < 1024 * 1024  # compresses to almost nothing
    with pytest.raises(ValidationError) as excinfo:
        read_table(huge)
    assert excinfo.value.code == "bomb"


WORKBOOK = b"""<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
WORKBOOK_RELS = b"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
 Target="worksheets/sheet1.xml"/></Relationships>"""


PACKAGE_RELS = b"""<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
 Target="xl/workbook.xml"/></Relationships>"""


def _excel_like(sheet_xml: bytes, shared: bytes | None = None) -> bytes:
    """A workbook as Excel writes it: text in shared strings, rows numbered, empty rows skipped."""
    parts = {
        "_rels/.rels": PACKAGE_RELS,
        "xl/workbook.xml": WORKBOOK,
        "xl/_rels/workbook.xml.rels": WORKBOOK_RELS,
        "xl/worksheets/sheet1.xml": sheet_xml,
    }
    if shared is not None:
        parts["xl/sharedStrings.xml"] = shared
    return _zip(parts)


def test_an_excel_workbook_with_shared_strings_and_gaps_is_read_with_its_own_row_numbers():
    names = [header(name) for name in ("name", "id_number", "village")]
    shared = (
        '<sst xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">'
        + "".join(f"<si><t>{text}</t></si>" for text in [*names, "张三", sheet_id(1)])
        + "<si><r><t>李</t></r><r><t>四</t></r><rPh><t>li si</t></rPh></si></sst>"
    ).encode()
    sheet = (
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="s"><v>0</v></c><c r="B1" t="s"><v>1</v></c><c r="C1" t="s"><v>2</v></c></row>'
        b'<row r="2"><c r="A2" t="s"><v>3</v></c><c r="B2" t="s"><v>4</v></c>'
        b'<c r="C2" t="inlineStr"><is><t>VA</t></is></c></row>'
        b'<row r="7"><c r="A7" t="s"><v>5</v></c><c r="B7"><v>4.40682199001011E+17</v></c></row>'
        b"</sheetData></worksheet>"
    )
    table = read_table(_excel_like(sheet, shared))
    assert table.format == "xlsx"
    assert table.headers == names
    assert table.row_numbers == [2, 7]
    assert table.rows[0] == ["张三", sheet_id(1), "VA"]
    assert table.rows[1][0] == "李四"
    assert isinstance(table.rows[1][1], float)


def test_a_workbook_declaring_entities_is_refused():
    sheet = (
        b'<?xml version="1.0"?><!DOCTYPE lol [<!ENTITY lol "lol">]>'
        b'<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>'
        b'<row r="1"><c r="A1" t="inlineStr"><is><t>&lol;</t></is></c></row></sheetData></worksheet>'
    )
    with pytest.raises(ValidationError) as excinfo:
        read_table(_excel_like(sheet))
    assert excinfo.value.code == "unreadable"


def test_a_chinese_excel_csv_in_gb18030_is_read(leader, registry):
    outcome = residents_import(data=csv_sheet([person(1)], encoding="gb18030"), user=leader, dry_run=False)
    assert outcome.ok
    assert Resident.objects.get().name == "居民1"


# --- cells ---------------------------------------------------------------------------------------------


def test_numbers_that_excel_has_mangled_are_refused_with_the_validators_message(leader, registry):
    rows = [person(1), person(2), person(3)]
    data = io.BytesIO()
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers())
    for values in as_lists(rows):
        sheet.append(values)
    sheet["B2"] = 440606194001020011  # an ID number typed as a number: refused, Excel keeps 15 digits
    sheet["B3"] = 4.40606194001020e17
    sheet["C4"] = 13900000003  # a phone number typed as a number is exact: accepted
    workbook.save(data)
    outcome = residents_import(data=data.getvalue(), user=leader, dry_run=True)
    assert problems(outcome) == {
        (2, header("id_number"), str(EXCEL_NUMBER_MESSAGE)),
        (3, header("id_number"), str(EXCEL_NUMBER_MESSAGE)),
    }

    saved_as_csv = csv_sheet([person(1, phone="13900000001.0", id_number="4.40606E+17")])
    outcome = residents_import(data=saved_as_csv, user=leader, dry_run=True)
    assert problems(outcome) == {
        (2, header("id_number"), str(EXCEL_NUMBER_MESSAGE)),
        (2, header("phone"), str(EXCEL_NUMBER_MESSAGE)),
    }


def test_x_check_digits_full_width_digits_and_phone_formats_are_normalised(leader, registry):
    with_x = next(sheet_id(n) for n in range(5000) if sheet_id(n).endswith("X"))
    full_width = sheet_id(7).translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"})
    rows = [person(1, id_number=with_x.lower(), phone="+86 139-0000-0001"), person(7, id_number=full_width)]
    assert residents_import(data=csv_sheet(rows), user=leader, dry_run=False).ok
    assert Resident.objects.by_id_number(with_x).get().phone == "13900000001"
    assert Resident.objects.by_id_number(sheet_id(7)).exists()


def test_tags_accept_labels_and_codes(leader, registry):
    from residents.models import ResidentTag

    rows = [person(1, tags=f"{ResidentTag.ELDERLY.label}、student"), person(2, tags="painter")]
    outcome = residents_import(data=csv_sheet(rows), user=leader, dry_run=True)
    [(row, column, message)] = problems(outcome)
    assert (row, column) == (3, header("tags")) and "painter" in message
    rows[1]["tags"] = ""
    assert residents_import(data=csv_sheet(rows), user=leader, dry_run=False).ok
    assert Resident.objects.by_id_number(sheet_id(1)).get().tags == ["elderly", "student"]


def test_the_same_id_number_twice_in_one_file_is_reported(leader, registry):
    rows = [person(1), person(2), person(3, id_number=sheet_id(1))]
    outcome = residents_import(data=csv_sheet(rows), user=leader, dry_run=True)
    assert problems(outcome) == {
        (4, header("id_number"), gettext("This ID number is already in row %(row)d.") % {"row": 2})
    }


def test_members_at_one_address_share_one_household(leader, registry):
    rows = [person(n, address="幸福路8号", household_contact_phone="0757-81234567" if n == 1 else "") for n in range(3)]
    outcome = residents_import(data=csv_sheet(rows), user=leader, dry_run=False)
    assert outcome.summary["households_created"] == 1
    household = Household.objects.get()
    assert household.members.count() == 3
    assert household.contact_phone == "0757-81234567"
    assert household.grid.code == "VA-01"


def test_one_household_cannot_get_two_grids(leader, registry, village_a):
    factories.GridFactory(code="VA-02", parent=village_a)
    rows = [person(1, address="幸福路8号"), person(2, address="幸福路8号", grid="VA-02")]
    outcome = residents_import(data=csv_sheet(rows), user=leader, dry_run=True)
    assert problems(outcome) == {
        (3, header("grid"), gettext("Row %(row)d gives this household another grid.") % {"row": 2})
    }


def test_a_grid_or_contact_phone_needs_an_address(leader, registry):
    outcome = residents_import(data=csv_sheet([person(1, address="")]), user=leader, dry_run=True)
    [(row, column, _message)] = problems(outcome)
    assert (row, column) == (2, header("address"))


def test_the_importer_sets_the_same_fields_as_the_model():
    for n in (1, 2, 3, 4):
        expected, planned = Resident(), Resident()
        expected.set_id_number(sheet_id(n))
        set_normalized_id_number(planned, sheet_id(n), id_number_hash(sheet_id(n)))
        fields = ("id_number", "id_number_hash", "birth_date", "gender")
        assert [getattr(planned, f) for f in fields] == [getattr(expected, f) for f in fields]


# --- matching ------------------------------------------------------------------------------------------


def test_a_person_first_registered_from_a_police_warning_is_linked_not_duplicated(leader, registry, village_a):
    warned = services.resident_get_or_create_for_warning(
        name="王五", id_number=sheet_id(5), village=village_a, phone="13700000000"
    )
    outcome = residents_import(data=csv_sheet([person(5, phone="")]), user=leader, dry_run=False)

    assert outcome.summary["created"] == 0 and outcome.summary["updated"] == 1
    assert Resident.objects.count() == 1
    warned.refresh_from_db()
    assert warned.household.address == "幸福路1号"
    assert warned.name == "居民5"
    assert warned.phone == "13700000000"  # an empty cell keeps what is registered
    assert warned.source == ResidentSource.WARNING


def test_a_re_import_updates_what_changed(leader, registry):
    residents_import(data=csv_sheet([person(1), person(2)]), user=leader, dry_run=False)
    changed = [person(1, name="新名字", phone="13611112222", relation="之子"), person(2, address="新村路9号")]
    outcome = residents_import(data=csv_sheet(changed), user=leader, dry_run=False)
    assert outcome.summary == {"created": 0, "updated": 2, "households_created": 1, "households_updated": 0}
    first = Resident.objects.by_id_number(sheet_id(1)).get()
    assert (first.name, first.phone, first.relation) == ("新名字", "13611112222", "之子")
    assert Resident.objects.by_phone("13611112222").get() == first
    assert Resident.objects.by_id_number(sheet_id(2)).get().household.address == "新村路9号"


def test_imports_write_history_rows_with_the_importer(leader, registry):
    residents_import(data=csv_sheet([person(1)]), user=leader, dry_run=False)
    resident = Resident.objects.get()
    [created] = resident.history.all()
    assert (created.history_type, created.history_user, created.name) == ("+", leader, "居民1")
    assert created.household_id == resident.household_id and created.id_number_hash == resident.id_number_hash
    assert Household.history.filter(history_type="+", history_user=leader).count() == 1

    residents_import(data=csv_sheet([person(1, name="改名")]), user=leader, dry_run=False)
    assert resident.history.latest().history_type == "~"
    assert resident.history.latest().name == "改名"


def test_raw_sql_shows_no_plain_id_or_phone_numbers_after_an_import(leader, registry):
    residents_import(data=csv_sheet([person(1, household_contact_phone="13812345678")]), user=leader, dry_run=False)
    with connection.cursor() as cursor:
        dumps = []
        for table in ("residents_resident", "residents_household", "residents_historicalresident"):
            cursor.execute(f"SELECT * FROM {table}")
            dumps.append(repr(cursor.fetchall()))
    for dump in dumps:
        assert sheet_id(1) not in dump and "13900000001" not in dump and "13812345678" not in dump


def test_checking_takes_a_fixed_number_of_queries_and_writing_none_per_row(leader, registry):
    from django.test.utils import CaptureQueriesContext

    residents_import(data=csv_sheet([person(0)]), user=leader, dry_run=True)  # the user's scope is cached
    checked, written = [], []
    for size in (10, 600):
        data = csv_sheet([person(n) for n in range(1000, 1000 + size)])
        with CaptureQueriesContext(connection) as checking:
            residents_import(data=data, user=leader, dry_run=True)
        with CaptureQueriesContext(connection) as writing:
            residents_import(data=data, user=leader, dry_run=False)
        checked.append(len(checking))
        written.append(len(writing))
    assert checked[0] == checked[1] <= 4
    # Batches only (SQLite allows about 50 rows per INSERT; PostgreSQL 1,000).
    assert written[1] < 600 / 20


# --- scope ---------------------------------------------------------------------------------------------


def test_a_village_head_may_import_only_their_village(head_a, registry):
    rows = [person(1), person(2, village="VB", grid="")]
    outcome = residents_import(data=csv_sheet(rows), user=head_a, dry_run=False)
    assert problems(outcome) == {(3, header("village"), gettext("Unknown village code “%(code)s”.") % {"code": "VB"})}
    assert Resident.objects.count() == 0


def test_a_person_registered_in_another_village_is_not_taken_over(head_a, registry, village_b):
    factories.ResidentFactory(village=village_b, id_number=sheet_id(1))
    outcome = residents_import(data=csv_sheet([person(1)]), user=head_a, dry_run=False)
    assert problems(outcome) == {(2, header("id_number"), services._duplicate_message())}
    assert Resident.objects.get().village == village_b


def test_a_table_can_be_imported_directly(leader, registry):
    table = Table(headers(), as_lists([person(1)]), [2])
    assert residents_import(data=table, user=leader, dry_run=False).ok


# --- the admin's import goes through the same resource ----------------------------------------------------


def test_the_admins_import_is_all_or_nothing(admin_user, registry):
    from residents.resources import dataset_from_bytes

    bad = dataset_from_bytes(csv_sheet([person(1), person(2, phone="1")]))
    result = ResidentResource(user=admin_user).import_data(bad, dry_run=False, user=admin_user)
    assert result.has_validation_errors()
    assert [row.number for row in result.invalid_rows] == [3]
    assert Resident.objects.count() == 0

    good = dataset_from_bytes(csv_sheet([person(1), person(2)]))
    result = ResidentResource(user=admin_user).import_data(good, dry_run=False, user=admin_user)
    assert not result.has_validation_errors() and not result.has_errors()
    assert result.totals["new"] == 2
    assert Resident.objects.count() == 2


def test_the_admins_households_sheet_is_scoped_and_all_or_nothing(head_a, registry, grid_b1):
    from residents.resources import HouseholdResource, dataset_from_bytes

    resource = HouseholdResource()
    columns = [str(resource.fields[name].column_name) for name in ("village", "grid", "address", "contact_phone")]

    def sheet(*rows):
        buffer = io.StringIO()
        csv.writer(buffer).writerows([columns, *rows])
        return dataset_from_bytes(buffer.getvalue().encode())

    result = HouseholdResource(user=head_a).import_data(
        sheet(
            ["VA", "VA-01", "幸福路1号", "13912345678"], ["VB", "", "下柏路1号", ""], ["VA", "VB-01", "幸福路2号", ""]
        ),
        user=head_a,
    )
    assert [row.number for row in result.invalid_rows] == [2, 3]
    assert Household.objects.count() == 0

    for _attempt in range(2):  # importing again updates
        result = HouseholdResource(user=head_a).import_data(
            sheet(["VA", "VA-01", "幸福路1号", "13912345678"]), user=head_a
        )
        assert not result.has_errors() and not result.has_validation_errors()
    household = Household.objects.get()
    assert (household.grid.code, household.contact_phone) == ("VA-01", "13912345678")
    assert household.contact_phone_hash
