"""The person file (一人一档) shows the person's fraud cases beside their warnings."""

import datetime

import pytest
from django.urls import reverse
from django.utils import timezone

from fraud_cases.timeline import fraud_cases
from tests import factories
from tests.fraud_cases.factories import FraudCaseFactory
from warnings_followup.timeline import TimelineContext

pytestmark = pytest.mark.django_db


def test_the_person_file_lists_the_fraud_case_after_the_warning(client, police, village_a):
    warning = factories.WarningFactory(village=village_a, pushed_at=timezone.now() - datetime.timedelta(days=8))
    case = FraudCaseFactory(village=village_a, victim=warning.person, warning=warning)
    client.force_login(police)
    response = client.get(reverse("warnings_followup:person_file", args=[warning.person.pk]))
    kinds = [entry.kind for entry in response.context["entries"]]
    page = response.content.decode()
    assert case.case_number in page
    assert 'data-kind="fraud_case"' in page
    assert kinds.index("push") < kinds.index("fraud_case")


def test_the_source_respects_the_capability_and_the_scope(grid_a, head_a, leader, village_a, village_b):
    person = factories.ResidentFactory(village=village_a)
    FraudCaseFactory(village=village_a, victim=person)
    FraudCaseFactory(village=village_b, victim=person)  # the same person, in the other village's records
    entries = list(fraud_cases(TimelineContext(user=leader, person=person, warnings=[])))
    assert len(entries) == 2 and all(entry.at_risk for entry in entries)
    assert len(list(fraud_cases(TimelineContext(user=head_a, person=person, warnings=[])))) == 1
    assert list(fraud_cases(TimelineContext(user=grid_a, person=person, warnings=[]))) == []
