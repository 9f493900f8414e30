"""Departments, schools and the police station are assessed like villages (四(一), 四(三)): the leadership group
inspects any unit against the checklist of its kind, and summons or criticises its head with the kinds that fit it."""

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from assessment.models import AccountabilityKind, ChecklistItem
from assessment.notifications import unit_heads
from assessment.services import accountability_open, inspection_record
from organization.models import UnitKind

from .factories import ChecklistItemFactory

pytestmark = pytest.mark.django_db


def test_every_kind_of_unit_has_a_checklist():
    kinds = {value for value, _label in ChecklistItem._meta.get_field("unit_kind").choices}
    assert kinds == {UnitKind.VILLAGE, UnitKind.DEPARTMENT, UnitKind.SCHOOL, UnitKind.POLICE_STATION}


def test_a_school_is_inspected_against_the_schools_checklist(leader, middle_school):
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
