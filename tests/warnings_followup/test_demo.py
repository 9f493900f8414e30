"""seed_demo's warnings: cases in every state across the demo villages, so every page shows believable work."""

import datetime
import random

import pytest
from django.db import transaction
from django.utils import timezone
from stdnum import luhn

from audit.models import AuditEvent
from core.rules import add_months
from demo import warnings_followup as demo
from demo.management.commands.seed_demo import SEEDERS
from demo.organization import DEMO_PASSWORD, TOWN, VILLAGES, seed_organization
from demo.residents import seed_registry
from organization.models import Role, Unit, User
from residents.models import Resident, ResidentSource
from warnings_followup.models import (
    CloseReason,
    FollowUpVisit,
    FraudType,
    RiskLevel,
    StopPaymentAccount,
    VisitMethod,
    WarningOrder,
    WarningStatus,
    local_date,
)

pytestmark = pytest.mark.django_db

LUOCUN = TOWN[0] + "001"  # 罗村社区, grid_a's village


@pytest.fixture(scope="module")
def seeded(django_db_setup, django_db_blocker):
    """The demo town, seeded once for the module (a few seconds) and rolled back at its end."""
    with django_db_blocker.unblock(), transaction.atomic():
        seed_organization()
        seed_registry()
        yield demo.seed_warnings()
        transaction.set_rollback(True)


def demo_warnings():
    return WarningOrder.objects.filter(external_id__startswith=demo.EXTERNAL_ID_PREFIX)


def test_the_seeder_runs_after_the_registry():
    assert SEEDERS.index("demo.warnings_followup.seed_warnings") > SEEDERS.index("demo.residents.seed_registry")


def test_seeding_twice_gives_the_same_counts_and_creates_nothing(seeded):
    assert seeded["created_warnings"] == seeded["warnings"] == len(demo.CASES)
    counts = (
        WarningOrder.objects.count(),
        FollowUpVisit.objects.count(),
        AuditEvent.objects.count(),
        User.objects.count(),
    )

    again = demo.seed_warnings()

    assert again == {**seeded, "created_warnings": 0}
    assert (
        WarningOrder.objects.count(),
        FollowUpVisit.objects.count(),
        AuditEvent.objects.count(),
        User.objects.count(),
    ) == counts


def test_every_state_fraud_type_and_risk_level_occurs(seeded):
    warnings = demo_warnings()
    assert set(warnings.values_list("status", flat=True)) == set(WarningStatus.values)
    assert set(warnings.values_list("fraud_type", flat=True)) == set(FraudType.values)
    assert set(warnings.values_list("risk_level", flat=True)) == set(RiskLevel.values)
    villages = {TOWN[0] + row[0] for row in VILLAGES}
    assert set(warnings.values_list("village__code", flat=True)) == villages
    assert all(summary.strip() for summary in warnings.values_list("summary", flat=True))


def test_grid_a_has_visits_due_today_and_overdue(seeded):
    today = timezone.localdate()
    grid_a = User.objects.get(username="grid_a")
    mine = WarningOrder.objects.for_user(grid_a)
    assert set(mine.values_list("village__code", flat=True)) == {LUOCUN}
    assert mine.overdue(today).exists()
    assert mine.due_on_or_before(today).filter(next_visit_due=today).exists()
    # Some pushed today and not yet acknowledged; some at risk, with relatives mobilised.
    pushed_today = [w for w in mine.filter(status=WarningStatus.PUSHED) if local_date(w.pushed_at) == today]
    assert pushed_today and all(w.acknowledged_at is None for w in pushed_today)
    at_risk = mine.overdue(today).filter(visits__at_risk=True, escalation_contacts__isnull=False).distinct()
    assert at_risk.exists()


def test_outcomes_carry_their_details(seeded):
    warnings = demo_warnings()
    for warning in warnings.filter(status=WarningStatus.RELEASE_REQUESTED):
        assert warning.stop_payment_accounts.filter(released_at__isnull=True).exists()
        assert warning.dissuaded_at is not None
    for warning in warnings.filter(status=WarningStatus.RELEASED):
        assert warning.stop_payment_accounts.exists()
        assert not warning.stop_payment_accounts.filter(released_at__isnull=True).exists()
    defrauded = warnings.filter(defrauded_on__isnull=False)
    assert defrauded.filter(status=WarningStatus.DEFRAUDED).exists()
    assert all(w.loss_amount > 0 and w.defrauded_on <= timezone.localdate() for w in defrauded)
    # A window that ended with no outcome stays open, for the village head.
    today = timezone.localdate()
    assert any(w.window_has_ended(today) for w in warnings.filter(status=WarningStatus.FOLLOWING_UP))


def test_stop_payment_accounts_are_unionpay_cards_passing_luhn(seeded):
    accounts = list(StopPaymentAccount.objects.filter(warning__in=demo_warnings()))
    assert len(accounts) >= 10
    for account in accounts:
        assert account.bank in demo.BANKS
        assert account.account_number.startswith("62")
        assert 16 <= len(account.account_number) <= 19
        assert luhn.is_valid(account.account_number), account.account_number
    assert {"中国工商银行", "中国农业银行", "佛山农商银行"} <= {account.bank for account in accounts}


def test_card_numbers_are_deterministic_and_valid():
    one, two = random.Random("x"), random.Random("x")
    numbers = [demo.card_number(one, bank) for bank in demo.BANKS for _ in range(20)]
    assert numbers == [demo.card_number(two, bank) for bank in demo.BANKS for _ in range(20)]
    assert all(luhn.is_valid(number) for number in numbers)


def test_the_persons_are_registry_residents_of_the_village(seeded):
    for warning in demo_warnings().select_related("person", "village"):
        assert warning.person.source == ResidentSource.REGISTRY
        assert warning.person.village == warning.village
        assert warning.person.household_id is not None
        assert warning.address == warning.person.household.address
    assert Resident.objects.filter(source=ResidentSource.WARNING).count() == 0
    # One person warned twice: two cases in the same file.
    assert demo_warnings().values("person").distinct().count() == len(demo.CASES) - 1


def test_the_timeline_happened_in_the_past_in_order(seeded):
    now = timezone.now()
    for warning in demo_warnings().prefetch_related("visits", "escalation_contacts"):
        assert warning.pushed_at <= now
        assert warning.pushed_at > now - datetime.timedelta(days=36)
        events = AuditEvent.objects.filter(object_id=str(warning.pk), content_type__model="warningorder")
        push = events.get(event="push")
        assert push.at == warning.pushed_at
        assert push.actor.username == "police"
        assert all(warning.pushed_at <= event.at <= now for event in events)
        if warning.acknowledged_at:
            assert warning.pushed_at <= warning.acknowledged_at <= warning.pushed_at + datetime.timedelta(hours=3)
        for visit in warning.visits.all():
            assert warning.pushed_at <= visit.visited_at <= now
        for contact in warning.escalation_contacts.all():
            assert contact.phone and contact.relation and contact.outcome


def test_the_3_day_clock_follows_the_in_person_visits(seeded):
    today = timezone.localdate()
    following = [WarningStatus.FOLLOWING_UP, WarningStatus.DISSUADED, WarningStatus.RELEASED]
    for warning in demo_warnings().filter(status__in=following):
        last = warning.visits.filter(method=VisitMethod.IN_PERSON).order_by("-visited_at").first()
        start = local_date(last.visited_at) if last else local_date(warning.pushed_at)
        assert warning.next_visit_due == start + datetime.timedelta(days=3)
        assert warning.window_ends == add_months(local_date(warning.pushed_at), 1)
    assert demo_warnings().overdue(today).exclude(village__code=LUOCUN).exists()


def test_villages_without_a_team_get_a_demo_team_member(seeded):
    for suffix, *_rest in VILLAGES[2:]:
        user = User.objects.get(username=f"team_{suffix}")
        assert user.unit == Unit.objects.get(code=TOWN[0] + suffix)
        assert user.has_role(Role.DISSUASION_TEAM)
        assert user.check_password(DEMO_PASSWORD)
        assert FollowUpVisit.objects.filter(warning__village=user.unit, visitors=user).exists()
    assert not User.objects.filter(username__in=["team_001", "team_002"]).exists()
    assert FollowUpVisit.objects.filter(visitors__username="grid_a").exists()
    assert FollowUpVisit.objects.filter(visitors__username="head_a").exists()


def test_the_police_first_dissuasion_is_their_own_fact(seeded):
    """ "首次预警劝阻主要由派出所负责": recorded by police, sometimes after the team's first visit."""
    warnings = demo_warnings()
    recorded = warnings.filter(first_dissuasion_at__isnull=False)
    assert recorded.exists()
    assert all(w.first_dissuasion_by.username == "police" for w in recorded)
    after_visit = [w for w in recorded if w.first_team_contact_at and w.first_team_contact_at < w.first_dissuasion_at]
    assert after_visit
    assert warnings.filter(first_dissuasion_at__isnull=True, first_team_contact_at__isnull=False).exists() or any(
        w.first_dissuasion_at < w.first_team_contact_at for w in recorded if w.first_team_contact_at
    )


def test_dissuaded_cases_are_still_visited(seeded):
    """ "每三天见面回访一次…时间持续一个月": visits after the dissuasion was confirmed."""
    dissuaded = demo_warnings().filter(dissuaded_at__isnull=False, status__in=["dissuaded", "released"])
    assert any(w.visits.filter(visited_at__gt=w.dissuaded_at, method=VisitMethod.IN_PERSON).exists() for w in dissuaded)


def test_one_case_closed_by_the_window_end_and_one_early_with_a_reason(seeded):
    closed = demo_warnings().filter(status=WarningStatus.CLOSED)
    by_window = closed.get(close_reason=CloseReason.WINDOW_ENDED)
    assert AuditEvent.objects.filter(object_id=str(by_window.pk), event="window_ended", actor__isnull=True).exists()
    assert local_date(by_window.closed_at) == by_window.window_ends + datetime.timedelta(days=1)
    assert closed.filter(close_reason=CloseReason.MOVED_AWAY).exists()


def test_the_demo_volunteer_is_not_on_the_team(seeded):
    volunteer = User.objects.get(username="volunteer_a")
    assert volunteer.unit.code == LUOCUN
    assert set(volunteer.role_codes) == {Role.VOLUNTEER}
    assert volunteer.check_password(DEMO_PASSWORD)
