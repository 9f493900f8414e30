"""The demo seeds publicity work for every department, venues with open and fixed items, plans with overdue tasks."""

import pytest
from django.utils import timezone

from demo.organization import seed_organization
from demo.publicity import seed
from publicity.models import Activity, InspectionItem, WorkPlan, WorkTask


@pytest.mark.django_db
def test_the_demo_is_believable_and_idempotent():
    seed_organization()
    counts = seed()
    assert counts["activities"] > 20 and counts["inspections"] > 3
    units = set(Activity.objects.values_list("unit__code", flat=True))
    assert {f"440605124{suffix}" for suffix in ("D02", "D03", "D04", "D05", "P01", "S01", "S02")} <= units
    assert InspectionItem.objects.open_failures().exists()
    assert InspectionItem.objects.filter(passed=False, fixed_on__isnull=False).exists()
    assert WorkPlan.objects.count() >= 17
    assert WorkTask.objects.filter(status__in=["todo", "in_progress"], due_on__lt=timezone.localdate()).exists()
    assert set(seed().values()) == {0}
