"""A visit happens after the push it follows up (and not in the future): a date before it is refused with a
message, never stored (the API's fuzzer found a visit in the year 1000, whose local time had no valid offset)."""

import datetime
import uuid

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from tests import factories
from warnings_followup import services
from warnings_followup.models import FollowUpVisit

pytestmark = pytest.mark.django_db


def test_a_visit_before_the_push_is_refused(grid_a, village_a):
    warning = factories.WarningFactory(village=village_a, pushed_at=timezone.now() - datetime.timedelta(days=2))
    with pytest.raises(ValidationError) as error:
        services.warning_record_visit(
            warning=warning,
            actor=grid_a,
            client_id=uuid.uuid4(),
            visited_at=warning.pushed_at - datetime.timedelta(days=1),
            method="in_person",
            at_risk=False,
        )
    assert "visited_at" in error.value.message_dict
    assert not FollowUpVisit.objects.exists()
