"""Exports of visits and pledges (scoped, masked, logged) and the person file's door-knocking entries."""

import io

import openpyxl
from django.urls import reverse

from audit.models import AccessLog
from campaigns.timeline import door_visits, pledges
from organization.access import scope_roots, scope_unit_ids
from residents.models import Resident
from warnings_followup.timeline import TimelineContext, person_file_build, person_related

from .factories import DoorVisitFactory, PledgeFactory


def rows_of(response):
    workbook = openpyxl.load_workbook(io.BytesIO(response.content))
    return [list(row) for row in workbook.active.iter_rows(values_only=True)]


def test_the_visit_export_is_scoped_and_logged(client, head_a, household_a, household_b):
    DoorVisitFactory(household=household_a, notes='=HYPERLINK("x")')
    DoorVisitFactory(household=household_b)
    client.force_login(head_a)

    response = client.get(reverse("campaigns:visit_export"))

    assert response.status_code == 200
    rows = rows_of(response)
    assert len(rows) == 2  # header + the one visit of village A
    assert household_a.address in rows[1] and all(household_b.address not in row for row in rows)
    assert '\'=HYPERLINK("x")' in rows[1]  # formula-escaped
    assert AccessLog.objects.filter(action="export").exists()


def test_the_pledge_export_is_masked_and_filtered(client, head_a, household_a):
    first, second = household_a.members.order_by("pk")
    PledgeFactory(resident=first)
    PledgeFactory(resident=second)
    client.force_login(head_a)

    rows = rows_of(client.get(reverse("campaigns:pledge_export"), {"q": "陈小"}))

    assert len(rows) == 2
    assert second.masked_id_number in rows[1] and second.id_number not in rows[1]
    assert AccessLog.objects.get(action="export").fields == "id_number:masked"


def test_grid_workers_may_not_export(client, grid_a):
    client.force_login(grid_a)
    assert client.get(reverse("campaigns:visit_export")).status_code == 404
    assert client.get(reverse("campaigns:pledge_export")).status_code == 404


def test_the_person_file_shows_the_households_visits_and_the_pledge(
    client, grid_a, household_a, django_assert_max_num_queries
):
    person = household_a.members.order_by("pk").first()
    visit = DoorVisitFactory(household=household_a, someone_home=False, recorded_by=grid_a)
    DoorVisitFactory(household=household_a, someone_home=True, app_installed=True, recorded_by=grid_a)
    PledgeFactory(resident=person, visit=visit, collected_by=grid_a)

    file = person_file_build(user=grid_a, person=person)

    kinds = [entry.kind for entry in file.entries]
    assert kinds.count("door_visit") == 2 and kinds.count("pledge") == 1
    client.force_login(grid_a)
    page = client.get(reverse("warnings_followup:person_file", args=[person.pk])).content.decode()
    assert 'data-kind="pledge"' in page and 'data-kind="door_visit"' in page


def test_the_sources_cost_a_fixed_number_of_queries_and_respect_scope(
    grid_a, grid_b, household_a, django_assert_num_queries
):
    for _n in range(6):
        DoorVisitFactory(household=household_a, recorded_by=grid_a)
    PledgeFactory(resident=household_a.members.first())
    # Read as the person file reads the person: with the relations the sources ask for (the pledge).
    person = Resident.objects.select_related(*person_related()).get(pk=household_a.members.first().pk)
    context = TimelineContext(user=grid_a, person=person, warnings=[])
    scope_unit_ids(grid_a, scope_roots(grid_a))  # the user's scope is worked out once per request, before the sources
    with django_assert_num_queries(1):  # the visits, with who went; the pledge came with the person
        assert len(list(door_visits(context))) == 6
        assert len(list(pledges(context))) == 1
    outside = TimelineContext(user=grid_b, person=person, warnings=[])
    assert list(door_visits(outside)) == [] and list(pledges(outside)) == []
