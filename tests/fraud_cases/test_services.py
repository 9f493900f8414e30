"""Police register fraud cases: one case per case number, the victim linked to the registry by ID number,
and a victim warned before the fraud makes the case "defrauded after warning" (预后被骗)."""

import datetime
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone
from django.utils.translation import gettext

from audit.models import AuditEvent
from core.validators import make_id_number
from fraud_cases.models import FraudCase
from fraud_cases.services import fraud_case_register
from notifications.models import Notification
from residents.models import Resident, ResidentSource
from tests import factories
from warnings_followup.models import WarningStatus, local_date

pytestmark = pytest.mark.django_db

VICTIM_ID = make_id_number("440605", datetime.date(1952, 6, 1), 321)


def register(actor, village, **overrides):
    arguments = {
        "case_number": "A20260001",
        "reported_at": timezone.now() - datetime.timedelta(hours=2),
        "victim_name": "梁阿婆",
        "id_number": VICTIM_ID,
        "phone": "13812345678",
        "village": village,
        "fraud_type": "investment",
        "loss_amount": Decimal("38600"),
        "source": "110",
    }
    arguments.update(overrides)
    return fraud_case_register(actor=actor, **arguments)


def test_a_new_victim_is_registered_as_a_resident_and_the_case_is_not_warned(police, village_a):
    case, created = register(police, village_a)
    assert created
    assert case.victim.name == "梁阿婆" and case.victim.id_number == VICTIM_ID
    assert case.victim.village == village_a and case.victim.source == ResidentSource.FRAUD_CASE
    assert case.loss_amount == Decimal("38600.00") and case.recovered_amount == 0
    assert case.registered_by == police
    assert not case.defrauded_after_warning and case.warning is None
    assert AuditEvent.objects.filter(event="register", object_id=str(case.pk)).count() == 1


def test_a_known_resident_is_linked_not_duplicated(police, village_a):
    existing = factories.ResidentFactory(village=village_a, id_number=VICTIM_ID, name="梁阿婆")
    case, _created = register(police, village_a)
    assert case.victim == existing
    assert Resident.objects.count() == 1


def test_a_victim_registered_at_the_same_moment_by_another_case_is_linked(police, village_a, monkeypatch):
    """Two cases of one new victim at once (the API and an import): the second finds the first's resident."""
    from fraud_cases import services
    from residents.services import resident_create

    def created_by_the_other_case_first(**arguments):
        factories.ResidentFactory(village=village_a, id_number=VICTIM_ID, name="梁阿婆")
        return resident_create(**arguments)  # refuses: the ID number is now registered

    monkeypatch.setattr(services, "resident_create", created_by_the_other_case_first)
    case, created = register(police, village_a)
    assert created and case.victim == Resident.objects.get()


def test_registering_the_same_case_number_again_creates_nothing(police, village_a):
    first, created = register(police, village_a)
    again, created_again = register(police, village_a, loss_amount=Decimal("1"))
    assert created and not created_again
    assert again == first and FraudCase.objects.count() == 1
    assert FraudCase.objects.get().loss_amount == Decimal("38600.00")


def test_a_warned_victim_is_defrauded_after_warning_and_the_open_warning_moves_to_defrauded(
    police, village_a, head_a, django_capture_on_commit_callbacks
):
    person = factories.ResidentFactory(village=village_a, id_number=VICTIM_ID)
    older = factories.WarningFactory(
        village=village_a, person=person, pushed_at=timezone.now() - datetime.timedelta(days=60)
    )
    older.status = WarningStatus.CLOSED
    older.save()
    warning = factories.WarningFactory(
        village=village_a,
        person=person,
        status=WarningStatus.FOLLOWING_UP,
        pushed_at=timezone.now() - datetime.timedelta(days=5),
    )
    reported_at = timezone.now() - datetime.timedelta(hours=3)
    with django_capture_on_commit_callbacks(execute=True):
        case, _created = register(police, village_a, reported_at=reported_at)

    assert case.warning == warning and case.defrauded_after_warning
    warning.refresh_from_db()
    assert warning.status == WarningStatus.DEFRAUDED
    assert warning.loss_amount == Decimal("38600.00")
    assert warning.defrauded_on == local_date(reported_at)
    assert warning.next_visit_due is None
    event = AuditEvent.objects.get(object_id=str(warning.pk), event="report_defrauded")
    assert event.actor == police
    assert (event.old, event.new) == (WarningStatus.FOLLOWING_UP, WarningStatus.DEFRAUDED)
    assert event.reason == gettext("Registered as fraud case %(number)s.") % {"number": "A20260001"}
    # The village head hears of it like any other report of a defrauded warning.
    assert Notification.objects.filter(recipient=head_a, kind="warning.defrauded").exists()


def test_a_warning_pushed_after_the_report_is_not_linked(police, village_a):
    person = factories.ResidentFactory(village=village_a, id_number=VICTIM_ID)
    later = factories.WarningFactory(village=village_a, person=person, pushed_at=timezone.now())
    case, _created = register(police, village_a, reported_at=timezone.now() - datetime.timedelta(days=1))
    assert case.warning is None
    later.refresh_from_db()
    assert later.status == WarningStatus.PUSHED


def test_a_warning_no_longer_open_is_linked_but_keeps_its_state(police, village_a):
    person = factories.ResidentFactory(village=village_a, id_number=VICTIM_ID)
    warning = factories.WarningFactory(
        village=village_a,
        person=person,
        status=WarningStatus.DISSUADED,
        pushed_at=timezone.now() - datetime.timedelta(days=40),
    )
    case, _created = register(police, village_a)
    assert case.warning == warning
    warning.refresh_from_db()
    assert warning.status == WarningStatus.DISSUADED
    assert not AuditEvent.objects.filter(object_id=str(warning.pk), event="report_defrauded").exists()


def test_only_police_may_register(head_a, grid_a, village_a):
    for user in (head_a, grid_a):
        with pytest.raises(PermissionDenied):
            register(user, village_a)
    assert not FraudCase.objects.exists()


def test_bad_input_is_refused_field_by_field_and_writes_nothing(police, village_a, town):
    with pytest.raises(ValidationError) as error:
        register(
            police,
            town,  # not a village
            id_number="44060519520601321",  # 17 characters
            victim_name=" ",
            fraud_type="nope",
            source="radio",
            loss_amount="-1",
            reported_at=timezone.now() + datetime.timedelta(days=1),
        )
    assert set(error.value.message_dict) == {
        "village",
        "id_number",
        "victim_name",
        "fraud_type",
        "source",
        "loss_amount",
        "reported_at",
    }
    with pytest.raises(ValidationError) as error:
        register(police, village_a, loss_amount=Decimal("100"), recovered_amount=Decimal("200"))
    assert set(error.value.message_dict) == {"recovered_amount"}
    assert not FraudCase.objects.exists() and not Resident.objects.exists()


def test_the_warning_page_names_the_case_and_links_it_for_those_who_may_open_cases(client, police, grid_a, village_a):
    person = factories.ResidentFactory(village=village_a, id_number=VICTIM_ID)
    warning = factories.WarningFactory(
        village=village_a,
        person=person,
        status=WarningStatus.FOLLOWING_UP,
        pushed_at=timezone.now() - datetime.timedelta(days=5),
    )
    case, _created = register(police, village_a)
    url = f"/warnings/{warning.pk}/"

    client.force_login(police)
    assert f'href="/fraud-cases/{case.pk}/">A20260001</a>' in client.get(url).text
    client.force_login(grid_a)  # the village team sees the number, not a link it could not open
    page = client.get(url).text
    assert "A20260001" in page and f'href="/fraud-cases/{case.pk}/"' not in page
