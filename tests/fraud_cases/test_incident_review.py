"""三(一)2 "要牢固树立'预警见面劝阻又被骗的就是事故'的理念": a fraud case whose victim was warned within the
lookback window before the report opens an incident review (事故复盘) against the village, with the warning's
visit record, for the leadership group; the village head sees it."""

import datetime
from decimal import Decimal

import pytest
from django.utils import timezone

from assessment.models import AccountabilityItem, AccountabilityKind, AccountabilitySource
from fraud_cases.services import fraud_case_register
from notifications.models import Notification
from tests import factories
from tests.campaigns.factories import DoorVisitFactory

pytestmark = pytest.mark.django_db

NOW = timezone.now()


@pytest.fixture
def warned(village_a, grid_a1, grid_a):
    """梁阿婆 of 联和村 (grid VA-01), visited by grid_a at her door and after her warning."""
    household = factories.HouseholdFactory(village=village_a, grid=grid_a1)
    person = factories.ResidentFactory(household=household, name="梁阿婆")
    DoorVisitFactory(household=household, visited_at=NOW - datetime.timedelta(days=60), visitors=[grid_a])
    return person


def warn(person, days_before_report):
    return factories.WarningFactory(
        village=person.village, person=person, pushed_at=NOW - datetime.timedelta(days=days_before_report, hours=1)
    )


def register(police, person, number="A20260001"):
    case, _created = fraud_case_register(
        actor=police,
        case_number=number,
        reported_at=NOW - datetime.timedelta(hours=1),
        victim_name=person.name,
        id_number=person.id_number,
        village=person.village,
        fraud_type="investment",
        loss_amount=Decimal("38600"),
        source="110",
    )
    return case


def test_a_victim_warned_within_the_window_opens_an_incident_review(police, warned, grid_a, grid_a1, village_a):
    warning = warn(warned, 20)
    factories.FollowUpVisitFactory(warning=warning, visited_at=NOW - datetime.timedelta(days=18)).visitors.set([grid_a])
    case = register(police, warned)
    item = AccountabilityItem.objects.get()
    assert item.kind == AccountabilityKind.INCIDENT_REVIEW and item.source == AccountabilitySource.INCIDENT
    assert item.unit == village_a and item.case == case and item.warning == warning
    assert warning.external_id in item.reason and case.case_number in item.reason
    # 倒查责任: the household's grid and the workers who covered it.
    assert item.traced_grid == grid_a1 and list(item.traced_workers.all()) == [grid_a]


def test_warned_before_the_window_is_linked_but_opens_no_incident_review(police, warned, settings):
    settings.PLAN_RULES = {**settings.PLAN_RULES, "INCIDENT_LOOKBACK_DAYS": 30}
    warning = warn(warned, 45)
    case = register(police, warned)
    assert case.warning == warning  # still 预后被骗 (linked), as before
    assert not AccountabilityItem.objects.exists()


def test_the_window_is_the_setting(police, warned, settings):
    warn(warned, 45)
    settings.PLAN_RULES = {**settings.PLAN_RULES, "INCIDENT_LOOKBACK_DAYS": 60}
    register(police, warned)
    assert AccountabilityItem.objects.filter(kind="incident_review").count() == 1


def test_a_victim_never_warned_opens_nothing(police, warned):
    register(police, warned)
    assert not AccountabilityItem.objects.exists()


def test_registering_or_importing_the_same_case_again_opens_no_second_review(police, warned):
    warn(warned, 10)
    register(police, warned)
    register(police, warned)
    assert AccountabilityItem.objects.count() == 1


def test_a_second_case_of_the_same_warning_gets_its_own_review(police, warned):
    warn(warned, 10)
    register(police, warned, "A1")
    register(police, warned, "A2")
    assert AccountabilityItem.objects.filter(kind="incident_review").count() == 2


def test_leadership_and_the_village_head_are_told(police, leader, head_a, warned, django_capture_on_commit_callbacks):
    warn(warned, 10)
    with django_capture_on_commit_callbacks(execute=True):
        register(police, warned)
    item = AccountabilityItem.objects.get()
    for user in (leader, head_a):
        note = Notification.objects.get(recipient=user, dedupe_key=f"accountability:{item.pk}:open")
        assert note.url == f"/assessment/accountability/{item.pk}/"
    assert not Notification.objects.filter(recipient=police, dedupe_key__startswith="accountability:").exists()


def test_the_village_head_reads_the_review_with_the_visit_record(client, police, head_a, grid_b, warned, grid_a):
    warning = warn(warned, 10)
    visit = factories.FollowUpVisitFactory(
        warning=warning, visited_at=NOW - datetime.timedelta(days=7), notes="见面劝阻，称已知晓风险"
    )
    visit.visitors.set([grid_a])
    case = register(police, warned)
    item = AccountabilityItem.objects.get()
    client.force_login(head_a)
    page = client.get(f"/assessment/accountability/{item.pk}/")
    assert page.status_code == 200
    assert "见面劝阻，称已知晓风险" in page.text and 'data-testid="traced-workers"' in page.text
    assert str(grid_a) in page.text
    # The case page links to it, for the village head; the police (no accountability) see no link.
    assert f"/assessment/accountability/{item.pk}/" in client.get(f"/fraud-cases/{case.pk}/").text
    client.force_login(police)
    assert 'data-testid="incident-link"' not in client.get(f"/fraud-cases/{case.pk}/").text
    client.force_login(grid_b)
    assert client.get(f"/assessment/accountability/{item.pk}/").status_code == 404


def test_the_incident_review_cannot_be_recorded_by_hand(leader, village_a):
    from django.core.exceptions import ValidationError

    from assessment import services

    with pytest.raises(ValidationError):
        services.accountability_open(unit=village_a, kind="incident_review", actor=leader, reason="手工")
