"""Departments, schools and the police station are assessed like villages (四(一), 四(三)): the leadership group
inspects any unit against the checklist of its kind, and summons or criticises its head with the kinds that fit it."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from assessment.models import (
    AccountabilityItem,
    AccountabilityKind,
    AccountabilityStatus,
    ChecklistItem,
    Inspection,
    RectificationStatus,
)
from assessment.notifications import unit_heads
from assessment.services import (
    accountability_open,
    checklist_for,
    inspection_record,
    rectification_decide,
    rectification_submit,
)
from organization.models import UnitKind
from tests.factories import PoliceStationFactory

from .factories import ChecklistItemFactory

pytestmark = pytest.mark.django_db


def test_every_kind_of_unit_has_a_checklist():
    kinds = {value for value, _label in ChecklistItem._meta.get_field("unit_kind").choices}
    assert kinds == {UnitKind.VILLAGE, UnitKind.DEPARTMENT, UnitKind.SCHOOL, UnitKind.POLICE_STATION}
    # A new installation has a default checklist for each (migrations 0003 and 0011), to change in the admin.
    seeded = {item.unit_kind: 0 for item in ChecklistItem.objects.filter(is_active=True)}
    for item in ChecklistItem.objects.filter(is_active=True):
        seeded[item.unit_kind] += item.points
    assert seeded == {kind: 100 for kind in kinds}


def test_a_school_is_inspected_against_the_schools_checklist(leader, middle_school):
    ChecklistItem.objects.update(is_active=False)  # the installation's default checklists: this test's own instead
    kept = ChecklistItemFactory(unit_kind=UnitKind.SCHOOL, label="每学期两次教职员工防骗宣传", points=60)
    missed = ChecklistItemFactory(unit_kind=UnitKind.SCHOOL, label="每天播放防骗MP3", points=40)
    ChecklistItemFactory(unit_kind=UnitKind.VILLAGE, label="敲门行动", points=100)
    inspection = inspection_record(
        unit=middle_school,
        actor=leader,
        inspected_on=timezone.localdate(),
        inspectors="陈副书记",
        results={kept.pk: 60, missed.pk: 0},
    )
    assert inspection.score == 60
    assert set(inspection.results) == {str(kept.pk), str(missed.pk)}


def test_the_police_station_is_inspected_too(leader, police_station):
    items = list(checklist_for(police_station))
    assert items and all(item.unit_kind == UnitKind.POLICE_STATION for item in items)
    results = {item.pk: item.points for item in items}
    results[items[0].pk] = 0  # the first item missed entirely
    inspection = inspection_record(
        unit=police_station, actor=leader, inspected_on=timezone.localdate(), inspectors="陈副书记", results=results
    )
    assert inspection.score == 100 - items[0].points
    # Without a checklist for its kind, the inspectors give the score themselves.
    ChecklistItem.objects.filter(unit_kind=UnitKind.POLICE_STATION).update(is_active=False)
    inspection = inspection_record(
        unit=police_station, actor=leader, inspected_on=timezone.localdate(), inspectors="陈副书记", score=90
    )
    assert inspection.score == 90


@pytest.mark.parametrize(
    ("unit_fixture", "fits", "does_not_fit"),
    [
        ("middle_school", AccountabilityKind.SCHOOL_SUMMONS, AccountabilityKind.SUMMONS),
        ("police_station", AccountabilityKind.STATION_SUMMONS, AccountabilityKind.DEPARTMENT_SUMMONS),
    ],
)
def test_a_summons_of_a_schools_or_stations_head_fits_only_that_unit(request, leader, unit_fixture, fits, does_not_fit):
    unit = request.getfixturevalue(unit_fixture)
    item = accountability_open(unit=unit, kind=fits, actor=leader, reason="防骗宣传落实不力")
    assert item.unit == unit
    criticism = accountability_open(unit=unit, kind=AccountabilityKind.CRITICISM, actor=leader, reason="通报批评")
    assert criticism.kind == AccountabilityKind.CRITICISM
    with pytest.raises(ValidationError):
        accountability_open(unit=unit, kind=does_not_fit, actor=leader, reason="x")


def test_the_heads_who_answer_are_the_schools_staff_and_the_stations_police(
    school, middle_school, police, police_station
):
    assert list(unit_heads(middle_school)) == [school]
    assert list(unit_heads(police_station)) == [police]


# --- The summoned school or station answers with its rectification report -------------------------------------


def _summon(leader, unit, kind, deadline=datetime.date(2026, 4, 30)):
    return accountability_open(
        unit=unit, kind=kind, actor=leader, reason="防骗宣传落实不力", rectification_deadline=deadline
    )


def test_a_school_staff_member_submits_the_schools_rectification_and_leadership_accepts_it(
    client, leader, school, middle_school
):
    item = _summon(leader, middle_school, AccountabilityKind.SCHOOL_SUMMONS)
    client.force_login(school)
    listing = client.get("/assessment/accountability/")
    assert listing.status_code == 200 and f"/assessment/accountability/{item.pk}/" in listing.text
    page = client.get(f"/assessment/accountability/{item.pk}/")
    assert 'data-testid="rectification-form"' in page.text
    response = client.post(
        f"/assessment/accountability/{item.pk}/rectification/", {"text": "已补开教职员工防骗专题会，全员签到"}
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.rectification_status == RectificationStatus.SUBMITTED
    assert item.reports.get().submitted_by == school
    client.force_login(leader)
    client.post(f"/assessment/accountability/{item.pk}/rectification/accept/", {"note": "整改到位"})
    item.refresh_from_db()
    assert item.status == AccountabilityStatus.CLOSED and item.rectification_status == RectificationStatus.ACCEPTED


def test_a_police_officer_submits_the_stations_rectification_and_leadership_returns_it(
    client, leader, police, police_station
):
    item = _summon(leader, police_station, AccountabilityKind.STATION_SUMMONS)
    client.force_login(police)
    assert 'data-testid="rectification-form"' in client.get(f"/assessment/accountability/{item.pk}/").text
    client.post(f"/assessment/accountability/{item.pk}/rectification/", {"text": "首次劝阻全部在时限内完成"})
    item.refresh_from_db()
    assert item.rectification_status == RectificationStatus.SUBMITTED
    client.force_login(leader)
    client.post(f"/assessment/accountability/{item.pk}/rectification/return/", {"note": "缺少劝阻记录截图"})
    item.refresh_from_db()
    assert item.rectification_status == RectificationStatus.RETURNED and item.status == AccountabilityStatus.OPEN
    rectification_submit(item=item, actor=police, text="补充劝阻记录截图 12 张")
    rectification_decide(item=item, actor=leader, action="accept")
    item.refresh_from_db()
    assert item.status == AccountabilityStatus.CLOSED and item.reports.count() == 2


def test_a_school_or_a_station_cannot_answer_for_another_unit(
    client, leader, town, school, police, middle_school, centre_school, police_station, village_a
):
    other_school = _summon(leader, centre_school, AccountabilityKind.SCHOOL_SUMMONS)
    other_station = _summon(leader, PoliceStationFactory(code="PS9", parent=town), AccountabilityKind.STATION_SUMMONS)
    village = _summon(leader, village_a, AccountabilityKind.SUMMONS)
    own_school = _summon(leader, middle_school, AccountabilityKind.SCHOOL_SUMMONS)
    for user, items in ((school, (other_school, other_station, village)), (police, (other_school, other_station))):
        client.force_login(user)
        for item in items:
            assert client.get(f"/assessment/accountability/{item.pk}/").status_code == 404
            url = f"/assessment/accountability/{item.pk}/rectification/"
            assert client.post(url, {"text": "代为提交"}).status_code == 404
            with pytest.raises(PermissionDenied):
                rectification_submit(item=item, actor=user, text="代为提交")
    # The police read their station's items only, never the villages' of their jurisdiction, nor the school's.
    client.force_login(police)
    assert client.get(f"/assessment/accountability/{village.pk}/").status_code == 404
    assert client.get(f"/assessment/accountability/{own_school.pk}/").status_code == 404
    assert "防骗宣传落实不力" not in client.get("/assessment/accountability/").text
    # Neither may decide on their own report.
    rectification_submit(item=own_school, actor=school, text="已整改")
    client.force_login(school)
    assert client.post(f"/assessment/accountability/{own_school.pk}/rectification/accept/").status_code == 404
    own_school.refresh_from_db()
    assert own_school.rectification_status == RectificationStatus.SUBMITTED


@pytest.mark.parametrize(
    ("user_fixture", "unit_fixture", "kind"),
    [
        ("school", "middle_school", AccountabilityKind.SCHOOL_SUMMONS),
        ("police", "police_station", AccountabilityKind.STATION_SUMMONS),
    ],
)
def test_the_schools_and_the_stations_home_page_shows_their_overdue_rectification(
    request, client, leader, travel_to, user_fixture, unit_fixture, kind
):
    user, unit = request.getfixturevalue(user_fixture), request.getfixturevalue(unit_fixture)
    item = _summon(leader, unit, kind, deadline=datetime.date(2026, 4, 30))
    travel_to(datetime.date(2026, 5, 3))
    client.force_login(user)
    home = client.get("/").text
    assert 'data-testid="home-accountability"' in home
    assert 'data-testid="home-rectification-overdue"' in home
    assert f"/assessment/accountability/{item.pk}/" in home


# --- Through the pages: every kind of unit is inspected against its own checklist and summoned with its own kind ---


@pytest.mark.parametrize(
    ("unit_fixture", "kind", "label"),
    [
        ("village_a", UnitKind.VILLAGE, "敲门行动逐户走访"),
        ("publicity_office", UnitKind.DEPARTMENT, "按方案开展防骗宣传"),
        ("middle_school", UnitKind.SCHOOL, "校园广播每天播放防骗MP3"),
        ("police_station", UnitKind.POLICE_STATION, "预警首次劝阻在时限内"),
    ],
)
def test_leadership_inspects_each_kind_of_unit_against_its_checklist(
    client, request, leader, unit_fixture, kind, label
):
    unit = request.getfixturevalue(unit_fixture)
    ChecklistItem.objects.update(is_active=False)  # the installation's default checklists: this test's own instead
    for other in {UnitKind.VILLAGE, UnitKind.DEPARTMENT, UnitKind.SCHOOL, UnitKind.POLICE_STATION} - {kind}:
        ChecklistItemFactory(unit_kind=other, label=f"别的检查项{other}", points=100)
    own = ChecklistItemFactory(unit_kind=kind, label=label, points=50)
    client.force_login(leader)
    chooser = client.get("/assessment/inspections/new/").text
    assert f'<option value="{unit.pk}">{unit.name}（{UnitKind(kind).label}）</option>' in chooser
    form = client.get(f"/assessment/inspections/new/?unit={unit.pk}").text
    assert label in form and "别的检查项" not in form
    response = client.post(
        f"/assessment/inspections/new/?unit={unit.pk}",
        {"unit": unit.pk, "inspected_on": "2026-10-12", "inspectors": "陈副书记", f"item_{own.pk}": 40},
    )
    assert response.status_code == 302
    inspection = Inspection.objects.get(unit=unit)
    assert inspection.score == 80 and list(inspection.results) == [str(own.pk)]


def test_the_summons_form_records_a_kind_that_fits_the_unit_and_refuses_one_that_does_not(
    client, leader, middle_school, police_station
):
    client.force_login(leader)
    page = client.get("/assessment/accountability/new/").text
    assert f"{middle_school.name}（{UnitKind.SCHOOL.label}）" in page
    assert f"{police_station.name}（{UnitKind.POLICE_STATION.label}）" in page

    def post(unit, kind):
        return client.post(
            "/assessment/accountability/new/",
            {"unit": unit.pk, "kind": kind, "reason": "防骗宣传落实不力", "held_on": "2026-10-12"},
        )

    refused = post(middle_school, AccountabilityKind.SUMMONS)
    assert refused.status_code == 400 and not AccountabilityItem.objects.exists()
    assert str(UnitKind.SCHOOL.label) in refused.text  # "A summons of the village head does not fit a school."
    assert post(middle_school, AccountabilityKind.SCHOOL_SUMMONS).status_code == 302
    assert post(police_station, AccountabilityKind.STATION_SUMMONS).status_code == 302
    assert post(police_station, AccountabilityKind.CRITICISM).status_code == 302
    assert sorted(AccountabilityItem.objects.values_list("unit__code", "kind")) == [
        ("PS", "criticism"),
        ("PS", "station_summons"),
        ("SCH", "school_summons"),
    ]
