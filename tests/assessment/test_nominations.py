"""Year-end nominations (先进集体和个人, issue 19: 5): at the year's end the leadership group looks at what the records
put forward for every kind of unit and for the people who did the work, proposes with one tap (the figures kept
with the proposal) and decides; the decided list is exported and printed."""

import datetime
import io
from decimal import Decimal

import openpyxl
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from assessment import services
from assessment.models import Nomination, NominationStatus
from audit.models import AuditEvent
from core.workflow import TransitionNotAllowed
from education.models import SessionKind
from organization.models import Role
from tests import factories
from tests.education.factories import EducationSessionFactory, StaffAttendanceFactory, StaffMemberFactory
from tests.organization.county import *  # noqa: F403 (the county's fixtures)
from tests.publicity.factories import ActivityFactory, WorkPlanFactory, WorkTaskFactory

from .factories import FraudCaseFactory, NominationFactory

pytestmark = pytest.mark.django_db

YEAR = 2026
PAGE = f"/assessment/nominations/?year={YEAR}"


def at(text):
    return datetime.datetime.fromisoformat(text)


@pytest.fixture
def records(village_a, village_b, grid_a, police, police_station, school, middle_school, publicity_office, head_a):
    """A year of work in 罗村镇: cases in 下柏村, a grid worker's visits, the police's first dissuasions and a
    case solved, the 宣传办's activities and tasks, 罗村中学's staff sessions and micro-class."""
    FraudCaseFactory(village=village_b, reported_at=at("2026-03-10T10:00+08:00"), loss_amount=Decimal("5000"))
    FraudCaseFactory(village=village_a, reported_at=at("2026-04-10T10:00+08:00"), solved_on=datetime.date(2026, 6, 1))
    warning = factories.WarningFactory(
        village=village_a,
        pushed_at=at("2026-03-01T09:00+08:00"),
        first_dissuasion_at=at("2026-03-01T11:00+08:00"),
        first_dissuasion_by=police,
    )
    factories.FollowUpVisitFactory(warning=warning, visited_at=at("2026-03-04T10:00+08:00"), recorded_by=grid_a)
    ActivityFactory(unit=publicity_office, held_on=datetime.date(2026, 5, 10))
    ActivityFactory(unit=publicity_office, held_on=datetime.date(2026, 6, 10))
    WorkTaskFactory(
        plan=WorkPlanFactory(unit=publicity_office, year=YEAR), status="done", completed_on=datetime.date(2026, 7, 1)
    )
    teachers = [StaffMemberFactory(school=middle_school) for _ in range(2)]
    session = EducationSessionFactory(
        school=middle_school, kind=SessionKind.STAFF, held_on=datetime.date(2026, 9, 15), recorded_by=school
    )
    StaffAttendanceFactory(session=session, staff=teachers[0])
    EducationSessionFactory(
        school=middle_school,
        semester=session.semester,
        kind=SessionKind.MICRO_CLASS,
        held_on=datetime.date(2026, 10, 15),
        recorded_by=school,
    )


def _candidates(page: str, category: str) -> str:
    start = page.index(f'data-testid="candidates" data-category="{category}"')
    return page[start : page.index('data-testid="candidates"', start + 10) if category != "officer" else None]


def test_the_leadership_sees_every_kind_of_candidate_with_the_figures_that_justify_it(
    client, leader, records, grid_a, school, police
):
    client.force_login(leader)
    page = client.get(PAGE).content.decode()
    villages = _candidates(page, "village")
    assert 'data-name="联和村"' in villages and 'data-name="下柏村"' in villages
    assert villages.index("联和村") < villages.index("下柏村")  # no case in 联和村 this year: ranked first
    assert 'data-name="宣传办"' in _candidates(page, "department")
    schools = _candidates(page, "school")
    assert 'data-name="罗村中学"' in schools and "50.0" in schools  # one of two teachers at a staff session
    station = _candidates(page, "police_station")
    assert 'data-name="罗村派出所"' in station
    assert f'data-name="{grid_a}"' in _candidates(page, "grid_worker")
    assert f'data-name="{school}"' in _candidates(page, "teacher")
    assert f'data-name="{police}"' in _candidates(page, "officer")
    assert page.count('data-testid="propose"') >= 7


def test_proposing_twice_records_one_nomination_with_the_figures_of_the_day(client, leader, records, police_station):
    client.force_login(leader)
    url = f"/assessment/nominations/units/{police_station.pk}/propose/"
    for _ in range(2):
        assert client.post(url, {"year": YEAR}).status_code == 302
    nomination = Nomination.objects.get()
    assert (nomination.kind, nomination.category, nomination.unit, nomination.status) == (
        "collective",
        "police_station",
        police_station,
        NominationStatus.PROPOSED,
    )
    assert nomination.figures == {
        "warnings_pushed": 1,
        "first_dissuasions_on_time": 1,
        "first_dissuasions_judged": 1,
        "cases_solved": 1,
    }
    assert nomination.reason  # written from the figures when none is given
    assert AuditEvent.objects.filter(event="nomination_propose", object_id=str(nomination.pk)).count() == 1
    # The snapshot stays as proposed when the records change later.
    factories.WarningFactory(village=police_station.parent.children.first(), pushed_at=at("2026-11-01T09:00+08:00"))
    nomination.refresh_from_db()
    assert nomination.figures["warnings_pushed"] == 1
    detail = client.get(f"/assessment/nominations/{nomination.pk}/").content.decode()
    assert 'data-testid="nomination-figures"' in detail and 'data-testid="nomination-approve"' in detail


def test_a_person_is_proposed_under_their_category(client, leader, records, grid_a, police, school):
    client.force_login(leader)
    client.post(f"/assessment/nominations/people/{grid_a.pk}/propose/", {"year": YEAR, "category": "grid_worker"})
    client.post(f"/assessment/nominations/people/{grid_a.pk}/propose/", {"year": YEAR, "category": "grid_worker"})
    client.post(f"/assessment/nominations/people/{school.pk}/propose/", {"year": YEAR, "category": "teacher"})
    client.post(f"/assessment/nominations/people/{police.pk}/propose/", {"year": YEAR, "category": "officer"})
    found = {n.person: n for n in Nomination.objects.all()}
    assert len(found) == 3
    assert found[grid_a].figures == {"visits_on_time": 1, "visits_due": 1, "dissuasions": 0}
    assert found[grid_a].unit == grid_a.unit and found[grid_a].kind == "individual"
    assert found[school].figures == {"sessions_held": 2, "micro_classes": 1}
    assert found[police].figures == {"first_dissuasions": 1, "first_dissuasions_on_time": 1}


def test_nothing_in_the_records_nothing_to_propose(client, leader, records, head_a, economic_office):
    client.force_login(leader)
    response = client.post(f"/assessment/nominations/units/{economic_office.pk}/propose/", {"year": YEAR}, follow=True)
    with translation.override("zh-hans"):  # the page's language
        refusal = translation.gettext(
            "The records of %(year)d do not put %(name)s forward: nothing to justify a nomination."
        ) % {"year": YEAR, "name": economic_office.name}
    assert refusal in response.content.decode()
    response = client.post(f"/assessment/nominations/people/{head_a.pk}/propose/", {"year": YEAR, "category": "x"})
    assert response.status_code == 302
    assert not Nomination.objects.exists()
    with pytest.raises(ValidationError):
        services.nomination_propose(actor=leader, year=YEAR, category="school", unit=economic_office)


def test_the_leadership_approves_and_rejects_with_a_note(client, leader, village_a, village_b):
    approved = NominationFactory(unit=village_a)
    rejected = NominationFactory(unit=village_b)
    client.force_login(leader)
    response = client.post(f"/assessment/nominations/{rejected.pk}/reject/", {"note": ""})
    assert response.status_code == 400 and "nomination-decision-form" in response.content.decode()
    rejected.refresh_from_db()
    assert rejected.status == NominationStatus.PROPOSED
    client.post(f"/assessment/nominations/{approved.pk}/approve/", {"note": "成绩突出"})
    client.post(f"/assessment/nominations/{rejected.pk}/reject/", {"note": "发案偏多"})
    approved.refresh_from_db()
    rejected.refresh_from_db()
    assert (approved.status, approved.decided_by, approved.decision_note) == ("approved", leader, "成绩突出")
    assert (rejected.status, rejected.decision_note) == ("rejected", "发案偏多")
    events = AuditEvent.objects.filter(object_id__in=[str(approved.pk), str(rejected.pk)])
    assert sorted(events.values_list("event", "old", "new")) == [
        ("nomination_approve", "proposed", "approved"),
        ("nomination_reject", "proposed", "rejected"),
    ]
    with pytest.raises(TransitionNotAllowed):  # decided once
        services.nomination_decide(nomination=approved, actor=leader, action="reject", note="改变主意")


def test_only_the_leadership_decides(client, zongzhi, grid_a, head_a, school, police, outsider, village_a):
    nomination = NominationFactory(unit=village_a)
    client.force_login(zongzhi)  # the governance centre prepares the list, never decides it
    assert client.get(PAGE).status_code == 200
    assert (
        'data-testid="nomination-approve"'
        not in client.get(f"/assessment/nominations/{nomination.pk}/").content.decode()
    )
    assert client.post(f"/assessment/nominations/{nomination.pk}/approve/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.nomination_decide(nomination=nomination, actor=zongzhi, action="approve")
    for user in (grid_a, head_a, school, police, outsider):
        client.force_login(user)
        assert client.get(PAGE).status_code == 404
        assert client.get(f"/assessment/nominations/{nomination.pk}/").status_code == 404
        assert client.post(f"/assessment/nominations/{nomination.pk}/approve/").status_code == 404
        assert client.post(f"/assessment/nominations/units/{village_a.pk}/propose/", {"year": YEAR}).status_code == 404
        assert client.get(f"/assessment/nominations/export.xlsx?year={YEAR}").status_code == 404
    nomination.refresh_from_db()
    assert nomination.status == NominationStatus.PROPOSED


def test_each_town_its_own_and_the_county_one_town_at_a_time(client, leader, leader2, county, two_towns, village_2a):
    assert len(two_towns) == 2
    mine = NominationFactory(unit=village_2a, reason="九江镇的提名")
    client.force_login(leader)
    assert client.get(f"/assessment/nominations/{mine.pk}/").status_code == 404
    assert client.post(f"/assessment/nominations/{mine.pk}/approve/").status_code == 404
    assert "九江镇的提名" not in client.get(f"/assessment/nominations/print/?year={YEAR}").content.decode()
    assert client.post(f"/assessment/nominations/units/{village_2a.pk}/propose/", {"year": YEAR}).status_code == 404
    client.force_login(county)
    page = client.get(PAGE).content.decode()
    assert 'data-testid="choose-town"' in page and 'data-testid="candidates"' not in page
    page = client.get(f"{PAGE}&town=T2").content.decode()
    villages = _candidates(page, "village")
    assert "璜矶村" in villages and "联和村" not in villages
    assert client.get(f"{PAGE}&town=T9").status_code == 404
    client.post(f"/assessment/nominations/{mine.pk}/approve/")  # the county's leadership decides for a town
    mine.refresh_from_db()
    assert mine.status == NominationStatus.APPROVED
    client.force_login(leader2)
    assert "九江镇的提名" in client.get(f"/assessment/nominations/print/?year={YEAR}").content.decode()


def test_the_decided_list_is_exported_and_printed(client, leader, village_a, village_b, grid_a):
    NominationFactory(unit=village_a, status="approved", reason='=HYPERLINK("x")')
    NominationFactory(unit=village_b, status="rejected", decision_note="发案偏多")
    NominationFactory(kind="individual", category="grid_worker", unit=grid_a.unit, person=grid_a, reason="待定")
    client.force_login(leader)
    response = client.get(f"/assessment/nominations/export.xlsx?year={YEAR}")
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    names = [row[3] for row in rows[1:]]
    assert sorted(names) == ["下柏村", "联和村"]  # the decided ones; grid_a's still waits
    assert not any(isinstance(cell, str) and cell.startswith("=") for row in rows for cell in row)
    page = client.get(f"/assessment/nominations/print/?year={YEAR}").content.decode()
    assert "联和村" in page and "下柏村" not in page and str(grid_a) not in page


def test_the_candidates_are_exported_with_their_figures(client, leader, records, police_station):
    client.force_login(leader)
    client.post(f"/assessment/nominations/units/{police_station.pk}/propose/", {"year": YEAR})
    response = client.get(f"/assessment/export/nominations.xlsx?year={YEAR}")
    assert response.status_code == 200
    rows = list(openpyxl.load_workbook(io.BytesIO(response.content)).active.iter_rows(values_only=True))
    by_name = {row[2]: row for row in rows[1:]}
    assert {"联和村", "下柏村", "宣传办", "罗村中学", "罗村派出所"} <= set(by_name)
    assert "50.0" in by_name["罗村中学"][4]
    assert by_name["罗村派出所"][5] and not by_name["罗村中学"][5]  # proposed; not (yet)


def test_the_page_reads_a_fixed_number_of_queries(client, leader, records, town):
    from assessment import figures

    def count():
        figures.epoch()
        client.get(PAGE)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE).status_code == 200
        return len(queries)

    client.force_login(leader)
    before = count()
    for n in range(4):
        village = factories.VillageFactory(parent=town, code=f"VN{n}")
        grid = factories.GridFactory(parent=village, code=f"VN{n}-01")
        worker = factories.UserFactory(username=f"worker{n}", unit=grid, roles=[Role.GRID_WORKER])
        warning = factories.WarningFactory(village=village, pushed_at=at("2026-03-01T09:00+08:00"))
        factories.FollowUpVisitFactory(warning=warning, visited_at=at("2026-03-04T10:00+08:00"), recorded_by=worker)
        factories.SchoolFactory(parent=town, code=f"SN{n}")
        ActivityFactory(unit=factories.DepartmentFactory(parent=town, code=f"DN{n}"), held_on=datetime.date(2026, 5, 1))
        NominationFactory(unit=village)
    assert count() <= before + 2  # at most the figures' cache refill: never a query per unit or person


def test_the_demo_has_nominations_of_each_kind(travel_to):
    from demo import case_work
    from demo.education import seed as seed_education
    from demo.fraud_cases import seed as seed_cases
    from demo.organization import seed_organization
    from demo.publicity import seed as seed_publicity
    from demo.residents import seed_registry
    from demo.schools import seed as seed_schools
    from demo.warnings_followup import seed_warnings

    seed_organization()
    seed_registry()
    seed_warnings()
    seed_publicity()
    seed_schools()
    seed_education()
    seed_cases()
    case_work.seed()
    kinds = set(Nomination.objects.values_list("kind", flat=True))
    statuses = set(Nomination.objects.values_list("status", flat=True))
    assert kinds == {"collective", "individual"} and statuses == {"proposed", "approved", "rejected"}
    assert Nomination.objects.filter(category="village").count() == 2
    assert all(n.figures for n in Nomination.objects.all())
    rows = sorted(Nomination.objects.values_list("category", "status"))
    case_work.seed()  # a second run changes nothing
    assert sorted(Nomination.objects.values_list("category", "status")) == rows


def test_the_admin_reads_nominations_and_their_history(client, admin, village_a):
    nomination = NominationFactory(unit=village_a)
    client.force_login(admin)
    assert client.get("/admin/assessment/nomination/").status_code == 200
    assert client.get(f"/admin/assessment/nomination/{nomination.pk}/change/").status_code == 200
    assert client.get(f"/admin/assessment/nomination/{nomination.pk}/history/").status_code == 200
    assert client.get("/admin/assessment/nomination/add/").status_code == 403
