"""Masking that holds (issue 12, 1): no page completes a masked number.

The hostile user's story: a grid worker, a volunteer, a school's staff member opens every page, print, export and
API answer their role reaches, and tries to rebuild the full numbers from what sits beside the masks. A masked ID
(``440605********2702``) hides exactly the eight digits of the birth date, so any date on the same page is a
candidate: put it in the gap and keep it when the check digit matches (and, to tell a rebuild from the 1-in-11
chance match, when it is a real person's number). A masked mobile (``138****5678``), a masked account
(``6222 **** **** 1234``) are rebuilt the same way from any other rendering of the number on the page (another
mask that shows other digits, or the full number).

The world is the scope matrix's (``tests/scope_matrix/world.py``: one of every record, a village and a school on
each side) with one user per role, including the roles without the reveal right (volunteer, governance) and the
police; every URL name of ``tests/test_scope_matrix.ROUTES`` that answers a GET is walked as every role.
"""

from __future__ import annotations

import datetime
import io
import json
import re
import shutil
import tempfile
import zipfile

import openpyxl
import pytest
from django.db import transaction
from django.test import Client, override_settings
from django.urls import NoReverseMatch, reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from core.validators import id_check_char, make_id_number, mask_id_number
from organization.models import Role
from residents.models import Resident
from schools.models import Student
from tests import factories
from tests.scope_matrix.world import build_side_a, build_side_b
from tests.test_scope_matrix import OBJECT, PAGE, ROUTES, all_patterns, url_for

pytestmark = pytest.mark.django_db

# --- rebuilding ---------------------------------------------------------------------------------------------------

MASKED_ID = re.compile(r"(?<![0-9A-Za-z*])(\d{6})\*{8}(\d{3}[0-9X])(?![0-9A-Za-z*])")
# Every 18-character run of digits and stars (a mask of any shape, or the full number).
ID_RUN = re.compile(r"(?<![0-9A-Za-z*])([0-9*]{17}[0-9X*])(?![0-9A-Za-z*])")
MOBILE_RUN = re.compile(r"(?<![0-9*])(1[0-9*]{10})(?![0-9*])")
MASKED_ACCOUNT = re.compile(r"(?<!\d)(\d{4}) \*{4} \*{4} (\d{4})(?!\d)")
FULL_ACCOUNT = re.compile(r"(?<!\d)(\d{12,19})(?!\d)")

FULL_DATES = [
    re.compile(r"(?<!\d)(\d{4})-(\d{1,2})-(\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})/(\d{1,2})/(\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})\.(\d{1,2})\.(\d{1,2})(?!\d)"),
    re.compile(r"(?<!\d)(\d{4})\s*年\s*(\d{1,2})\s*月\s*(\d{1,2})\s*日"),
    re.compile(r"(?<![0-9*])(\d{4})(\d{2})(\d{2})(?![0-9*])"),  # YYYYMMDD
]
MONTH_DAYS = [
    re.compile(r"(?<![\d/.-])(\d{1,2})/(\d{1,2})(?![\d/])"),  # M/D
    re.compile(r"(?<![\d年])(\d{1,2})\s*月\s*(\d{1,2})\s*日"),  # M月D日
]
YEAR = re.compile(r"(?<!\d)((?:19|20)\d\d)\s*年")
AGE = re.compile(r"(?<!\d)(\d{1,3})\s*(?:周岁|岁|years old)")


def _date(year, month, day) -> str | None:
    try:
        return f"{datetime.date(int(year), int(month), int(day)):%Y%m%d}"
    except ValueError:
        return None


def dates_on(text: str) -> set[str]:
    """Every date the page shows, as YYYYMMDD: full dates in any format, and day-months with any year the page
    gives (a year of its own, or one an age implies)."""
    found = {_date(*m.groups()) for pattern in FULL_DATES for m in pattern.finditer(text)}
    years = {m.group(1) for m in YEAR.finditer(text)} | {d[:4] for d in found if d}
    this_year = timezone.localdate().year
    for m in AGE.finditer(text):
        years |= {str(this_year - int(m.group(1))), str(this_year - int(m.group(1)) - 1)}
    today = timezone.localdate()
    for pattern in MONTH_DAYS:
        for m in pattern.finditer(text):
            if (int(m.group(1)), int(m.group(2))) == (today.month, today.day):
                continue  # today's date (a page's calendar), not a birthday: kept out so the test is not flaky
            found |= {_date(year, *m.groups()) for year in years}
    return {d for d in found if d}


def _union(first: str, second: str) -> str | None:
    """The number two renderings of the same length give together, if they agree where both show a digit."""
    merged = []
    for a, b in zip(first, second, strict=True):
        if a != "*" and b != "*" and a != b:
            return None
        merged.append(a if a != "*" else b)
    return "".join(merged)


def _pairs_completing(runs: list[str]) -> set[tuple[str, str]]:
    out = set()
    masks = [run for run in runs if "*" in run and run.strip("*")]
    for mask in masks:
        for other in runs:
            if other == mask:
                continue
            merged = _union(mask, other)
            if merged is not None and "*" not in merged:
                out.add((mask, other))
    return out


def rebuilds(text: str, real_ids: set[str]) -> list[str]:
    """What a hostile reader rebuilds from one page: a description per completed number."""
    found = []
    dates = dates_on(text)
    for head, tail in set(MASKED_ID.findall(text)):
        for date in dates:
            candidate = head + date + tail
            if id_check_char(candidate[:17]) == candidate[17] and candidate in real_ids:
                found.append(f"ID {head}********{tail} + date {date} = {candidate}")
    for mask, other in _pairs_completing(ID_RUN.findall(text)):
        found.append(f"ID {mask} completed by {other}")
    for mask, other in _pairs_completing(MOBILE_RUN.findall(text)):
        found.append(f"phone {mask} completed by {other}")
    accounts = set(FULL_ACCOUNT.findall(text))
    for head, tail in set(MASKED_ACCOUNT.findall(text)):
        for number in accounts:
            if number.startswith(head) and number.endswith(tail):
                found.append(f"account {head} **** **** {tail} completed by {number}")
    return found


def page_text(response) -> str:
    """The answer as text: HTML and JSON as they are, a workbook's cells (dates as the reader would see them)."""
    content = b"".join(response.streaming_content) if response.streaming else response.content
    if content[:2] == b"PK":
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(content), read_only=True, data_only=True)
        except (zipfile.BadZipFile, KeyError, OSError):
            return ""  # a zip that is not a workbook (a photo archive): no text to read
        cells = []
        for sheet in workbook.worksheets:
            for row in sheet.iter_rows(values_only=True):
                for value in row:
                    if isinstance(value, datetime.datetime | datetime.date):
                        cells.append(value.strftime("%Y-%m-%d"))
                    elif value is not None:
                        cells.append(str(value))
        workbook.close()
        return "\n".join(cells)
    text = content.decode("utf-8", "replace")
    if response.get("Content-Type", "").startswith("application/json"):
        try:  # JSON escapes the Chinese: read it back as the reader would
            return json.dumps(json.loads(text), ensure_ascii=False)
        except ValueError:
            pass
    return text


# --- the rebuilding itself, on made-up pages (it must catch what it claims to catch) --------------------------------


def test_the_rebuilder_finds_a_birth_date_in_any_format_beside_a_masked_id():
    today = timezone.localdate()
    birth = datetime.date(1990, 3, 14) if (today.month, today.day) != (3, 14) else datetime.date(1990, 3, 15)
    number = make_id_number("440605", birth, 270)
    masked = mask_id_number(number)
    real = {number}
    day, month = birth.day, birth.month
    for beside in (
        f"{birth:%Y-%m-%d}",
        f"1990-{month}-{day}",
        f"1990年{month}月{day}日",
        f"{birth:%Y%m%d}",
        f"{birth:%Y/%m/%d}",
        f"生日 {month}/{day}，1990年生",
    ):
        assert rebuilds(f"<dd>{masked}</dd><dd>{beside}</dd>", real), beside
    age = today.year - 1990 - ((today.month, today.day) < (month, day))
    assert rebuilds(f"{masked} {month}月{day}日 · {age}岁", real)
    # Age and sex leave some sixty candidates: nothing to rebuild.
    assert not rebuilds(f"<dd>{masked}</dd><dd>男 · {age}岁</dd>", real)
    assert not rebuilds(f"{masked} pushed 2026-03-01 10:00", real)


def test_the_rebuilder_finds_a_number_shown_elsewhere_on_the_page():
    assert rebuilds("440605********2702 … 440605199003142702", set())
    assert rebuilds("44060519900314**** … 440605********2702", set())  # two masks, together the whole
    assert rebuilds("138****5678 · 户联系电话 13812345678", set())
    assert rebuilds("1381234**** · 138****5678", set())
    assert not rebuilds("138****5678 · 139****5678", set())
    assert rebuilds("中国工商银行 6222 **** **** 1234 · 6222020000000001234", set())
    assert not rebuilds("中国工商银行 6222 **** **** 1234 · 张三", set())


# --- the world: the scope matrix's, and one user per role ----------------------------------------------------------


@pytest.fixture(scope="module")
def world(django_db_setup, django_db_blocker):
    media = tempfile.mkdtemp(prefix="masking_")
    with override_settings(MEDIA_ROOT=media), django_db_blocker.unblock(), transaction.atomic():
        a = build_side_a()
        w = build_side_b(town=a.town, village_b=a.village_b, grid_b1=a.grid_b1)
        w.a = a
        station = factories.PoliceStationFactory(code="PS", name="罗村派出所", parent=a.town)
        governance = factories.DepartmentFactory(code="ZZ", name="综治中心", parent=a.town)
        # Numbers beside numbers: the household's contact phone is a member's, the warning names a bank account
        # and a relative's phone.
        w.household.set_contact_phone(w.resident.phone)
        w.household.save()
        factories.ResidentFactory(household=w.household, village=w.village, raw_phone="13922223333")
        factories.StopPaymentAccountFactory(warning=w.warning)
        factories.EscalationContactFactory(warning=w.warning, phone="13644445555")
        w.users = {
            **a.users,
            "leader": w.leader,
            "head_b": w.head,
            "grid_b": w.grid_worker,
            "school_b": w.school_staff,
            "police": factories.UserFactory(username="police_mask", unit=station, roles=[Role.POLICE]),
            "governance": factories.UserFactory(username="zongzhi_mask", unit=governance, roles=[Role.GOVERNANCE]),
            "volunteer_b": factories.UserFactory(username="volunteer_mask", unit=w.village, roles=[Role.VOLUNTEER]),
            "assistant_b": factories.UserFactory(username="assistant_mask", unit=w.grid, roles=[Role.POLICE_ASSISTANT]),
        }
        w.tokens = {name: Token.objects.get_or_create(user=user)[0].key for name, user in w.users.items()}
        w.real_ids = set(Resident.objects.values_list("id_number", flat=True)) | set(
            Student.objects.values_list("id_number", flat=True)
        )
        yield w
        transaction.set_rollback(True)
    shutil.rmtree(media, ignore_errors=True)


ROLES = [
    "admin",
    "leader",
    "police",
    "governance",
    "head_b",
    "grid_b",
    "assistant_b",
    "volunteer_b",
    "school_b",
    "grid_a",
    "head_a",
    "school",
    "department_staff",
    "outsider",
]

# Pages that show a masked ID to the superuser in this world: the walk must reach each (a route renamed or a
# page that stopped rendering would otherwise pass unseen).
SHOWS_MASKED_IDS = {
    "residents:resident_list",
    "residents:resident_detail",
    "residents:resident_edit",
    "residents:household_detail",
    "residents:export_residents",
    "warnings_followup:warning_detail",
    "warnings_followup:person_file",
    "warnings_followup:person_file_print",
    "fraud_cases:case_detail",
    "fraud_cases:case_export",
    "campaigns:pledge_list",
    "campaigns:pledge_detail",
    "campaigns:pledge_print",
    "campaigns:pledge_export",
    "schools:student_list",
    "schools:student_detail",
    "schools:student_export",
    "schools:application_detail",
    "schools:application_print",
    "schools:application_export",
    "resident-list",
    "resident-detail",
    "warning-list",
    "warning-detail",
    "fraud-case-list",
    "fraud-case-detail",
    "student-list",
    "student-detail",
}


def _get_routes():
    """(URL name, url, query) for every GET route with real objects of the world."""
    for name, route in ROUTES.items():
        if route.kind not in (PAGE, OBJECT) or route.method != "get":
            continue
        yield name, route


def _urls(name, route, world):
    patterns = [p for p in all_patterns() if p.name == name]
    for pattern in patterns:
        for args in (route.args, *route.more):
            url = url_for(pattern, world, route=route, args=args, fmt="format" in pattern.params)
            yield url, None
            if route.query:
                yield url, route.query


@pytest.mark.parametrize("role", ROLES)
def test_no_page_lets_a_role_rebuild_a_masked_number(role, world):
    user = world.users[role]
    client = Client()
    client.force_login(user)
    api_client = APIClient()
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {world.tokens[role]}")
    failures, shown = [], set()
    for name, route in _get_routes():
        for url, query in _urls(name, route, world):
            response = (api_client if "/api/" in url else client).get(url, query)
            if response.status_code != 200:
                continue
            text = page_text(response)
            if MASKED_ID.search(text):
                shown.add(name)
            failures += [f"{url} {query or ''}: {found}" for found in rebuilds(text, world.real_ids)]
    assert not failures, f"{role} rebuilds masked numbers:\n  " + "\n  ".join(sorted(set(failures)))
    if role == "admin":
        missing = SHOWS_MASKED_IDS - shown
        assert not missing, f"the walk saw no masked ID on {sorted(missing)} (seen on {sorted(shown)})"


def test_the_admin_completes_no_masked_number(world):
    """The Django admin (superusers): every model's list, one record's page and its history."""
    from django.contrib import admin

    client = Client()
    client.force_login(world.users["admin"])
    failures, shown = [], set()
    for model in admin.site._registry:
        meta = model._meta
        urls = [reverse(f"admin:{meta.app_label}_{meta.model_name}_changelist")]
        first = model._default_manager.order_by("pk").first()
        if first is not None:
            for view in ("change", "history"):
                try:
                    urls.append(reverse(f"admin:{meta.app_label}_{meta.model_name}_{view}", args=[first.pk]))
                except NoReverseMatch:
                    pass
        for url in urls:
            response = client.get(url)
            if response.status_code != 200:
                continue
            text = page_text(response)
            if MASKED_ID.search(text):
                shown.add(meta.model_name)
            failures += [f"{url}: {found}" for found in rebuilds(text, world.real_ids)]
    assert not failures, "the admin rebuilds masked numbers:\n  " + "\n  ".join(sorted(set(failures)))
    assert {"resident", "student"} <= shown


def test_a_volunteer_sees_the_persons_age_and_sex_never_the_birth_date(world):
    """The volunteer may not reveal: the resident's page and person file give age (岁) and sex beside the mask."""
    resident = world.resident
    client = Client()
    client.force_login(world.users["volunteer_b"])
    for name in ("residents:resident_detail", "warnings_followup:person_file", "warnings_followup:person_file_print"):
        url = reverse(name, kwargs={"pk": resident.pk})
        text = page_text(client.get(url))
        assert resident.masked_id_number in text
        assert f"{resident.age}岁" in text
        assert resident.get_gender_display() in text
        assert f"{resident.birth_date:%Y%m%d}" not in dates_on(text)


def test_the_birth_date_comes_only_with_the_revealed_number(world):
    """A village head reveals (access-logged): the full number, and with it the birth date it contains."""
    resident = world.resident
    client = Client()
    client.force_login(world.users["head_b"])
    text = page_text(client.post(reverse("residents:resident_reveal", kwargs={"pk": resident.pk})))
    assert resident.id_number in text
    assert f"{resident.birth_date:%Y-%m-%d}" in text
