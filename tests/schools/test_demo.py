"""seed_demo's schools: students in several classes of both demo schools, cards, applications in every state."""

import pytest

from demo import schools as demo
from demo.organization import TOWN, seed_organization
from schools.models import ApplicationStatus, CardApplication, SchoolProfile, Student, StudentCard

pytestmark = pytest.mark.django_db


def test_the_demo_schools_have_students_cards_and_applications_in_every_state(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    seed_organization()
    counts = demo.seed()
    assert counts["students"] > 300
    for suffix in ("S01", "S02"):
        school_students = Student.objects.filter(school__code=f"{TOWN[0]}{suffix}")
        assert school_students.values("grade", "class_name").distinct().count() >= 6
        statuses = set(
            CardApplication.objects.filter(student__school__code=f"{TOWN[0]}{suffix}").values_list("status", flat=True)
        )
        assert statuses == set(ApplicationStatus.values)
        assert SchoolProfile.objects.get(school__code=f"{TOWN[0]}{suffix}").seal is not None
    opened = CardApplication.objects.filter(status=ApplicationStatus.OPENED)
    assert StudentCard.objects.filter(application__in=opened).count() == opened.count()

    again = demo.seed()
    assert again["students"] == 0 and again["applications"] == 0
    assert CardApplication.objects.count() == counts["applications_total"]
