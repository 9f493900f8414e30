"""Two people at once on the same application (PostgreSQL only: row locks under real concurrency)."""

import datetime

import pytest
from django.db import connection
from django.utils import timezone

from schools import services
from schools.models import ApplicationStatus, CardApplication, StudentCard
from tests.races import run_together
from tests.schools.factories import CardApplicationFactory

_at_once = run_together

pytestmark = pytest.mark.django_db(transaction=True)
S = ApplicationStatus


@pytest.fixture(autouse=True)
def _postgresql_only():
    if connection.vendor != "postgresql":
        pytest.skip("concurrency needs PostgreSQL (CI runs this on PostgreSQL)")


def test_two_officers_deciding_at_once_decide_once(student, police):
    application = CardApplicationFactory(student=student, status=S.ESCORT_ASSIGNED)
    results, errors = _at_once(
        lambda: services.card_application_police_clear(application=application, actor=police, reason="无风险"),
        lambda: services.card_application_police_refuse(application=application, actor=police, reason="有风险"),
    )
    assert len(results) == 1 and len(errors) == 1
    assert isinstance(errors[0], services.TransitionNotAllowed)
    application.refresh_from_db()
    assert application.status == results[0].status


def test_recording_the_card_twice_at_once_adds_one_card(student, school, police):
    application = CardApplicationFactory(
        student=student, status=S.POLICE_CLEARED, police_checked_at=timezone.now() - datetime.timedelta(days=1)
    )
    today = timezone.localdate()
    results, errors = _at_once(
        *(
            lambda: services.card_application_record_opened(
                application=application, actor=school, last4="1234", opened_on=today
            )
            for _ in range(2)
        )
    )
    assert len(results) == 1 and isinstance(errors[0], services.TransitionNotAllowed)
    assert StudentCard.objects.filter(application=application).count() == 1


def test_two_filings_at_once_without_a_client_id_file_one(student, school):
    def file():
        return services.card_application_file(
            actor=school, student=student, card_type="sim", issuer="中国移动", reason="住校联系", guardian_consent=True
        )

    results, errors = _at_once(file, file)
    assert CardApplication.objects.filter(student=student, card_type="sim").count() == 1
    assert len(results) == 1 and len(errors) == 1
