"""The leadership pages: who can open them, what they show, bounded queries, exports, inspections."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest

from assessment import figures, services
from assessment.models import ChecklistItem, Inspection
from tests.factories import VillageFactory, WarningFactory

from .factories import AccountabilityItemFactory, CallbackFactory, FraudCaseFactory, InspectionFactory

PAGES = [
    "/assessment/",
    "/assessment/?period=2026-Q1",
    "/assessment/bulletin/?period=2026-03",
    "/assessment/indicators/?period=2026",
    "/assessment/nominations/?year=2026",
    "/assessment/callbacks/",
    "/assessment/accountability/",
    "/assessment/suggestions/",
    "/assessment/inspections/",
    "/assessment/inspections/?overdue=1",
]


def at(text):
    return datetime.datetime.fromisoformat(text)


@pytest.fixture
def data(village_a, village_b, leader):
    warning = WarningFactory(village=village_a, pushed_at=at("2026-03-01T09:00+08:00"))
    FraudCaseFactory(village=village_a, reported_at=at("2026-03-10T10:00+08:00"), warning=warning)
    FraudCaseFactory(village=village_b, reported_at=at("2026-03-11T10:00+08:00"))
    CallbackFactory(case=FraudCaseFactory(village=village_b, reported_at=at("2026-03-12T10:00+08:00")))
    AccountabilityItemFactory(
        unit=village_a, reason='=HYPERLINK("x")', rectification_deadline=datetime.date(2026, 1, 1)
    )
    InspectionFactory(
        unit=village_a, rectification_deadline=datetime.date(2026, 1, 1), inspected_on=datetime.date(2025, 12, 1)
    )


@pytest.mark.parametrize("url", PAGES)
def test_leadership_opens_every_page(client, leader, data, url):
    client.force_login(leader)
    assert client.get(url).status_code == 200


@pytest.mark.parametrize("url", PAGES)
def test_the_village_team_and_outsiders_get_404(client, grid_a, outsider, url):
    users = (outsider,) if url.startswith("/assessment/indicators/") else (grid_a, outsider)  # their own standing
    for user in users:
        client.force_login(user)
        assert client.get(url).status_code == 404


def test_anonymous_goes_to_login(client):
    assert client.get("/assessment/").status_code == 302


def test_the_dashboard_shows_the_numbers_and_links_to_villages(client, leader, data, village_a):
    client.force_login(leader)
    page = client.get("/assessment/?period=2026-03").content.decode()
    assert 'data-testid="total-cases">3<' in page
    assert 'data-testid="total-after-warning">1<' in page
    assert f"/assessment/villages/{village_a.pk}/?period=2026-03" in page
    assert 'id="assessment-data"' in page and "<script>" not in page
    assert 'data-testid="overdue-rectifications"' in page


def test_the_village_page(client, leader, data, village_a, grid_a):
    client.force_login(leader)
    page = client.get(f"/assessment/villages/{village_a.pk}/?period=2026-03")
    assert page.status_code == 200
    assert page.content.count(b'data-testid="village-case"') == 1
    assert b'data-testid="summons-form"' in page.content
    client.force_login(grid_a)
    assert client.get(f"/assessment/villages/{village_a.pk}/").status_code == 404


def test_the_dashboard_runs_a_bounded_number_of_queries(client, leader, town, django_assert_max_num_queries):
    def grow(n):
        for _index in range(n):
            village = VillageFactory(parent=town)
            FraudCaseFactory(village=village)
            FraudCaseFactory(village=village)
            WarningFactory(village=village)
            AccountabilityItemFactory(unit=village)
            InspectionFactory(unit=village, rectification_deadline=datetime.date(2020, 1, 1))

    client.force_login(leader)
    grow(2)
    client.get("/assessment/")  # warm caches (content types, sessions)
    grow(12)
    with django_assert_max_num_queries(40):
        response = client.get("/assessment/")
    assert response.status_code == 200
    assert response.content.count(b'data-testid="ranking-row"') == 14


@pytest.mark.parametrize(
    "table",
    [
        "trend",
        "pipeline",
        "schools",
        "indicators",
        "accountability",
        "inspections",
        "callbacks",
        "suggestions",
        "nominations",
        "departments",
    ],
)
def test_every_table_exports_to_excel(client, leader, data, table):
    client.force_login(leader)
    response = client.get(f"/assessment/export/{table}.xlsx?period=2026-03")
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.content)).active
    values = [cell for row in sheet.iter_rows(values_only=True) for cell in row if isinstance(cell, str)]
    assert not any(value.startswith("=") for value in values)  # formula-escaped


def test_exports_are_refused_to_the_village_team(client, grid_a):
    client.force_login(grid_a)
    assert client.get("/assessment/export/indicators.xlsx").status_code == 404


def test_an_inspection_with_the_checklist_scores_itself(client, leader, village_a):
    items = list(ChecklistItem.objects.filter(unit_kind="village"))
    assert items, "the data migration seeds a checklist"
    client.force_login(leader)
    form = client.get(f"/assessment/inspections/new/?unit={village_a.pk}")
    assert form.status_code == 200
    data = {
        "unit": village_a.pk,
        "inspected_on": "2026-04-10",
        "inspectors": "镇领导小组",
        "findings": "承诺书未备案",
        "rectification_deadline": "2026-04-20",
    }
    for item in items:
        data[f"item_{item.pk}"] = item.points // 2
    response = client.post(f"/assessment/inspections/new/?unit={village_a.pk}", data)
    assert response.status_code == 302
    inspection = Inspection.objects.get()
    expected = Decimal(sum(item.points // 2 for item in items) * 100) / sum(item.points for item in items)
    assert inspection.score == expected.quantize(Decimal("0.1"))


def test_overdue_rectifications_are_listed_until_rectified(client, leader, village_a):
    inspection = InspectionFactory(unit=village_a, rectification_deadline=datetime.date(2020, 1, 1))
    client.force_login(leader)
    assert client.get("/assessment/inspections/?overdue=1").content.count(b'data-testid="inspection-row"') == 1
    services.inspection_mark_rectified(inspection=inspection, actor=leader, notes="已整改")
    assert client.get("/assessment/inspections/?overdue=1").content.count(b'data-testid="inspection-row"') == 0


def cold(town):
    """The state after data grew: the indicators' figures dropped (a new epoch) and the unit tree changed (the
    scope's unit ids, shared through the cache under the tree's version, are worked out again)."""
    figures.invalidate_all()
    town.save()


def test_the_village_page_and_the_bulletin_run_a_bounded_number_of_queries(
    client, leader, town, village_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client.force_login(leader)
    urls = [f"/assessment/villages/{village_a.pk}/", "/assessment/bulletin/"]
    before = {}
    for url in urls:
        client.get(url)
        cold(town)  # both counts with the indicators' figures and the scope's unit ids worked out again
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        before[url] = len(queries)
    for _index in range(8):
        village = VillageFactory(parent=town)
        FraudCaseFactory(village=village)
        FraudCaseFactory(village=village_a)
        CallbackFactory(case=FraudCaseFactory(village=village_a))
        AccountabilityItemFactory(unit=village_a)
    for url in urls:
        cold(town)
        with django_assert_max_num_queries(before[url]):
            assert client.get(url).status_code == 200


def test_the_governance_centre_sees_and_calls_back_but_does_not_summon_or_inspect(client, zongzhi, village_a):
    client.force_login(zongzhi)
    assert client.get("/assessment/").status_code == 200
    assert client.get("/assessment/callbacks/").status_code == 200
    assert client.get("/assessment/accountability/new/").status_code == 404
    assert client.get("/assessment/inspections/new/").status_code == 404
    page = client.get(f"/assessment/villages/{village_a.pk}/")
    assert page.status_code == 200 and b'data-testid="summons-form"' not in page.content


def test_police_read_the_indicators_but_not_the_dashboard(client, police):
    client.force_login(police)
    assert client.get("/assessment/indicators/").status_code == 200
    assert client.get("/assessment/").status_code == 404
    assert client.get("/assessment/callbacks/").status_code == 404


def test_the_village_page_exports_its_own_rows(client, leader, data, village_a, village_b):
    client.force_login(leader)
    page = client.get(f"/assessment/villages/{village_a.pk}/?period=2026-03").content.decode()
    assert f"/fraud-cases/export/?village={village_a.code}&amp;period=2026-03" in page
    response = client.get(f"/assessment/export/callbacks.xlsx?unit={village_a.pk}")
    assert openpyxl.load_workbook(io.BytesIO(response.content)).active.max_row == 1  # headers only
    response = client.get(f"/assessment/export/callbacks.xlsx?unit={village_b.pk}")
    assert openpyxl.load_workbook(io.BytesIO(response.content)).active.max_row == 2


@pytest.mark.parametrize(
    "model",
    [
        "indicatorweights",
        "summonsrule",
        "callbacksettings",
        "checklistitem",
        "callbackdraw",
        "callback",
        "accountabilityitem",
        "inspection",
    ],
)
def test_the_admin_lists_and_adds(client, admin_user, data, model):
    client.force_login(admin_user)
    assert client.get(f"/admin/assessment/{model}/").status_code == 200
    assert client.get(f"/admin/assessment/{model}/add/").status_code == 200


def _ranking_row(page: str, code: str) -> str:
    start = page.index(f'data-testid="ranking-row" data-village="{code}"')
    return page[start : page.index("</tr>", start)]


def test_a_village_without_cases_reads_0_00_per_10000_and_a_zero_score_reads_0_0(client, leader, town, village_a):
    from .factories import IndicatorWeightsFactory

    village_a.population = 10_000
    village_a.save()
    VillageFactory(code="VC", name="无案村", parent=town, population=30_000)
    FraudCaseFactory(village=village_a, reported_at=at("2026-03-10T10:00+08:00"))
    only_cases = {name: Decimal("0") for name in ("loss", "defrauded_after_warning", "not_educated")}
    IndicatorWeightsFactory(cases_per_10k=Decimal("1"), inspection_score=Decimal("0"), **only_cases)
    client.force_login(leader)
    for url in ("/assessment/?period=2026-03", "/assessment/indicators/?period=2026-03"):
        page = client.get(url).content.decode()
        assert ">0.00<" in _ranking_row(page, "VC")  # no cases: a rate of 0.00, not "nothing to measure"
        assert 'data-testid="score">0.0<' in _ranking_row(page, "VA")  # the worst village scores 0.0
    bulletin = client.get("/assessment/bulletin/?period=2026-03").content.decode()
    assert "<td>0.00</td>" in bulletin and "<td>0.0</td>" in bulletin


def test_the_lists_and_their_exports_do_not_grow_in_queries_with_their_rows(
    client, leader, town, village_a, django_assert_max_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def grow():
        for _index in range(6):
            village = VillageFactory(parent=town)
            CallbackFactory(case=FraudCaseFactory(village=village), status="done", reached=True, educated=False)
            AccountabilityItemFactory(unit=village)
            InspectionFactory(unit=village, rectification_deadline=datetime.date(2020, 1, 1))

    client.force_login(leader)
    urls = [
        "/assessment/callbacks/?status=",
        "/assessment/accountability/?status=",
        "/assessment/inspections/",
        "/assessment/indicators/?period=2026",
        "/assessment/nominations/?year=2026",
        "/assessment/suggestions/",
        "/assessment/export/callbacks.xlsx",
        "/assessment/export/accountability.xlsx",
        "/assessment/export/inspections.xlsx",
    ]
    grow()
    before = {}
    for url in urls:
        client.get(url)
        cold(town)  # both counts with the indicators' figures and the scope's unit ids worked out again
        with CaptureQueriesContext(connection) as queries:
            client.get(url)
        before[url] = len(queries)
    grow()
    grow()
    for url in urls:
        cold(town)
        with django_assert_max_num_queries(before[url]):
            assert client.get(url).status_code == 200


# --- 四(三): the default period, missing indicators, bands, a village's own standing ---------------------------


@pytest.mark.parametrize("url", ["/assessment/", "/assessment/indicators/", "/assessment/bulletin/"])
def test_without_a_period_the_pages_show_the_last_complete_month(client, leader, village_a, url):
    from assessment.indicators import default_period

    last = default_period()
    FraudCaseFactory(village=village_a, reported_at=last.start + datetime.timedelta(hours=12))
    client.force_login(leader)
    response = client.get(url)
    assert response.context["period"] == last
    assert response.context["report"].total_cases == 1


def test_a_missing_indicator_reads_no_data_and_the_score_says_partial(client, leader, village_a, village_b):
    InspectionFactory(unit=village_a, inspected_on=datetime.date(2026, 3, 20), score=Decimal("90"))
    client.force_login(leader)
    for url in ("/assessment/?period=2026-03", "/assessment/indicators/?period=2026-03"):
        page = client.get(url).content.decode()
        row = _ranking_row(page, "VB")
        assert 'data-testid="partial"' in row and "督导检查得分" in row  # "partial, no data: inspection score"
        assert 'data-testid="partial"' not in _ranking_row(page, "VA")
        assert 'data-testid="score-rules"' in page
    bulletin = client.get("/assessment/bulletin/?period=2026-03").content.decode()
    assert 'data-testid="bulletin-row" data-village="VB"' in bulletin


def test_a_green_score_with_low_coverage_shows_amber(client, leader, village_a):
    client.force_login(leader)
    page = client.get("/assessment/indicators/?period=2026-03").content.decode()
    # no case, so the score is 100, but no household is known to be visited: amber, marked
    assert 'data-testid="score">100.0<' in _ranking_row(page, "VA")
    assert 'data-band="amber"' in _ranking_row(page, "VA") and 'data-band="green"' not in page


@pytest.fixture
def town_of_three(town, village_a, village_b):
    VillageFactory(code="VC", name="第三村", parent=town, population=10_000)
    village_a.population = village_b.population = 10_000
    village_a.save(), village_b.save()
    FraudCaseFactory(village=village_a, reported_at=at("2026-03-10T10:00+08:00"), loss_amount=Decimal("100"))
    FraudCaseFactory(village=village_b, reported_at=at("2026-03-10T10:00+08:00"), loss_amount=Decimal("900"))
    FraudCaseFactory(village=village_b, reported_at=at("2026-03-11T10:00+08:00"), loss_amount=Decimal("900"))


@pytest.mark.parametrize("role", ["head_a", "grid_a"])
def test_the_village_head_and_team_see_their_own_standing_in_the_town(request, client, role, town_of_three):
    client.force_login(request.getfixturevalue(role))
    response = client.get("/assessment/indicators/?period=2026-03")
    assert response.status_code == 200
    page = response.content.decode()
    assert page.count('data-testid="ranking-row"') == 1 and 'data-village="VA"' in page
    assert "下柏村" not in page and "第三村" not in page  # never another village's detail
    assert 'data-testid="standing-rank">第 2 名 / 共 3<' in page  # VA (1 case, ¥100) is second of three
    assert 'data-testid="department-table"' not in page and "/assessment/export/" not in page


def test_the_village_head_gets_404_for_every_village_page(client, head_a, village_a, village_b):
    client.force_login(head_a)
    assert client.get(f"/assessment/villages/{village_b.pk}/").status_code == 404
    assert client.get(f"/assessment/villages/{village_a.pk}/").status_code == 404  # the leadership's page
    assert client.get("/assessment/export/indicators.xlsx").status_code == 404


def test_the_home_page_shows_the_village_its_standing(client, head_a, leader, village_a, village_b):
    client.force_login(head_a)
    page = client.get("/").content.decode()
    assert 'data-testid="home-standing"' in page and village_a.name in page and village_b.name not in page
    assert 'data-testid="home-standing-rank"' in page
    client.force_login(leader)
    assert 'data-testid="home-standing"' not in client.get("/").content.decode()
