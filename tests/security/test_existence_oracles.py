"""Existence oracles (issue 12, 5): "already registered" must not tell an outsider that a number exists, or where.

The hostile user's story: a grid worker of 联和村 types numbers into the member form (or an import, or the
student form) to learn whether a person (a child, say) is registered somewhere in the town, and where. A unique
number cannot be registered twice, so a refusal cannot be avoided; what the refusal says can. The fair comparison:

* a number held in **another village** (or school) gets the same status and the same page, byte for byte once
  the user's own typing and the CSRF token are set aside, as a number held in **a third village**: nothing names
  the unit;
* and the same as a number held **in the user's own village**, by someone else (a refusal the user could explain
  by searching their own registry): the answer never says whether the holder is in scope or out of it.

Every refusal is one message, ``residents.services.CANNOT_ADD_HERE`` ("cannot be added here; ask the town's
registry administrator"), in the forms, the edit forms and the imports, and each attempt is audited on the
record that holds the number (who, from which unit, what was tried; never the number).
"""

from __future__ import annotations

import datetime
import json
import re

import pytest
from django.urls import reverse
from django.utils import translation

from audit.models import AuditEvent
from core.validators import make_id_number, mask_id_number
from residents.importing import residents_import
from residents.models import Resident
from residents.services import CANNOT_ADD_HERE, REGISTRATION_REFUSED
from schools.importing import students_import
from schools.models import Student
from tests import factories
from tests.residents.test_import import csv_sheet, person
from tests.schools.factories import StudentFactory
from tests.schools.test_import import _workbook

pytestmark = pytest.mark.django_db

CSRF = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")  # the form's and the htmx header's token


def answer(response, *typed: str) -> str:
    """The page as the user sees it, minus what they typed themselves (and its masked form) and the CSRF token."""
    text = CSRF.sub("«csrf»", response.content.decode())
    for value in typed:
        text = text.replace(value, "«typed»").replace(mask_id_number(value), "«typed»")
    return text


def refusals_of(holder) -> list[AuditEvent]:
    return list(AuditEvent.objects.filter(event=REGISTRATION_REFUSED, object_id=str(holder.pk)))


def assert_audit_without_the_number(event: AuditEvent, number: str) -> None:
    stored = json.dumps([event.old, event.new, event.reason, event.extra], ensure_ascii=False)
    assert number not in stored and number[6:14] not in stored and mask_id_number(number) not in stored


# --- the registry: a household member -------------------------------------------------------------------------


@pytest.fixture
def holders(town, village_a, village_b, grid_a1):
    """The same kind of record in three places: another village, a third village, and grid_a's own village."""
    village_c = factories.VillageFactory(code="VC", name="上柏村", parent=town)
    return {
        "village_b": factories.ResidentFactory(
            village=village_b,
            name="隐藏的人",
            household=factories.HouseholdFactory(village=village_b, address="乙路9号"),
        ),
        "village_c": factories.ResidentFactory(village=village_c, name="另一个人"),
        "own_village": factories.ResidentFactory(
            village=village_a,
            name="本村的人",
            household=factories.HouseholdFactory(village=village_a, grid=grid_a1, address="联和路8号"),
        ),
    }


def _add_member(client, household, number):
    url = reverse("residents:member_create", args=[household.pk])
    return client.post(url, {"name": "新成员", "id_number": number, "phone": ""})


def test_a_number_registered_in_another_village_gets_the_same_answer_as_any_other_refusal(
    client, grid_a, village_a, village_b, grid_a1, holders
):
    household = factories.HouseholdFactory(village=village_a, grid=grid_a1, address="联和路1号")
    client.force_login(grid_a)
    responses = {where: _add_member(client, household, holder.id_number) for where, holder in holders.items()}

    assert {response.status_code for response in responses.values()} == {200}
    errors = {where: response.context["form"].errors.get("id_number") for where, response in responses.items()}
    assert errors == {where: [str(CANNOT_ADD_HERE)] for where in holders}
    pages = {where: answer(responses[where], holder.id_number) for where, holder in holders.items()}
    assert pages["village_b"] == pages["village_c"] == pages["own_village"]
    hidden = holders["village_b"]
    for text in (village_b.name, hidden.name, hidden.household.address, "already registered"):
        assert text not in pages["village_b"]
    assert Resident.objects.filter(name="新成员").count() == 0


def test_each_refused_member_is_audited_on_the_holder_without_the_number(client, grid_a, village_a, grid_a1, holders):
    household = factories.HouseholdFactory(village=village_a, grid=grid_a1, address="联和路1号")
    hidden = holders["village_b"]
    client.force_login(grid_a)
    _add_member(client, household, hidden.id_number)
    (event,) = refusals_of(hidden)
    assert event.actor == grid_a
    assert event.extra["attempt"] == "member_create"
    assert event.extra["unit"] == grid_a.unit.code and event.extra["in_scope"] is False
    assert_audit_without_the_number(event, hidden.id_number)


def test_editing_a_resident_to_another_villages_number_is_refused_the_same_way(
    client, head_a, village_a, village_b, holders
):
    mine = factories.ResidentFactory(village=village_a, name="李四")
    client.force_login(head_a)
    url = reverse("residents:resident_edit", args=[mine.pk])
    hidden = holders["village_b"]
    response = client.post(url, {"name": "李四", "id_number": hidden.id_number})
    assert response.status_code == 200
    assert response.context["form"].errors["id_number"] == [str(CANNOT_ADD_HERE)]
    assert village_b.name not in answer(response, hidden.id_number)
    mine.refresh_from_db()
    assert mine.id_number != hidden.id_number
    (event,) = refusals_of(hidden)  # audited although the edit's transaction was rolled back
    assert event.extra["attempt"] == "resident_update"


def test_an_import_row_with_another_villages_number_names_nothing_and_is_audited(head_a, grid_a1, village_b):
    hidden = factories.ResidentFactory(village=village_b, name="隐藏的人")
    sheet = csv_sheet([person(1, id_number=hidden.id_number)])
    with translation.override("en"):
        outcome = residents_import(data=sheet, user=head_a, dry_run=True)
        (problem,) = outcome.errors
        assert problem["message"] == str(CANNOT_ADD_HERE)  # the member form's answer, word for word
    assert village_b.name not in json.dumps(outcome.errors, ensure_ascii=False)
    (event,) = refusals_of(hidden)
    assert (event.actor, event.extra["attempt"], event.extra["row"]) == (head_a, "import", 2)
    assert_audit_without_the_number(event, hidden.id_number)


# --- schools: minors ---------------------------------------------------------------------------------------------


@pytest.fixture
def students(town, middle_school):
    other_school = factories.SchoolFactory(code="SCH2", name="乙方学校", parent=town)
    third_school = factories.SchoolFactory(code="SCH3", name="丙方学校", parent=town)
    return {
        "other_school": StudentFactory(school=other_school, name="乙校学生"),
        "third_school": StudentFactory(school=third_school, name="丙校学生"),
        "own_school": StudentFactory(school=middle_school, name="本校学生"),
    }


def _add_student(client, number):
    body = {"grade": "初一", "class_name": "1班", "name": "新同学", "id_number": number}
    return client.post(reverse("schools:student_create"), body)


def test_a_student_registered_at_another_school_gets_the_same_answer_as_any_other_refusal(client, school, students):
    client.force_login(school)
    responses = {where: _add_student(client, student.id_number) for where, student in students.items()}
    assert {response.status_code for response in responses.values()} == {200}
    errors = {where: response.context["form"].errors.get("id_number") for where, response in responses.items()}
    assert errors == {where: [str(CANNOT_ADD_HERE)] for where in students}
    pages = {where: answer(responses[where], student.id_number) for where, student in students.items()}
    assert pages["other_school"] == pages["third_school"] == pages["own_school"]
    other = students["other_school"]
    for text in (other.school.name, other.name, "another school", "already registered"):
        assert text not in pages["other_school"]
    assert not Student.objects.filter(name="新同学").exists()
    (event,) = refusals_of(other)
    assert (event.actor, event.extra["attempt"], event.extra["in_scope"]) == (school, "student_create", False)
    assert_audit_without_the_number(event, other.id_number)


def test_a_roster_row_with_another_schools_student_names_no_school_and_is_audited(school, students):
    other = students["other_school"]
    fresh = make_id_number("440605", datetime.date(2012, 5, 6), 456)
    data = _workbook([["初一", "1班", "新同学", other.id_number, "", ""], ["初一", "1班", "另一个", fresh, "", ""]])
    with translation.override("en"):
        outcome = students_import(data=data, user=school, dry_run=True)
        assert [(problem["row"], problem["message"]) for problem in outcome.errors] == [(2, str(CANNOT_ADD_HERE))]
    assert other.school.name not in json.dumps(outcome.errors, ensure_ascii=False)
    (event,) = refusals_of(other)
    assert (event.actor, event.extra["attempt"], event.extra["row"]) == (school, "import", 2)
    assert_audit_without_the_number(event, other.id_number)


def test_the_same_student_entered_twice_at_their_own_school_opens_their_page(client, school, students):
    """In scope, the same name and number is a double tap, not a probe: the student's page opens."""
    own = students["own_school"]
    client.force_login(school)
    body = {"grade": "初一", "class_name": "1班", "name": own.name, "id_number": own.id_number}
    response = client.post(reverse("schools:student_create"), body)
    assert response.status_code == 302
    assert response["Location"] == reverse("schools:student_detail", args=[own.pk])
