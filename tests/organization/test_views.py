"""The organisation pages: who can open them, and who gets 404."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

pytestmark = pytest.mark.django_db


def test_anonymous_users_are_sent_to_login(client, village_a):
    for url in [reverse("home"), reverse("organization:unit_list"), reverse("organization:unit_detail", args=["VA"])]:
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("login"))


def test_home_shows_unit_and_roles(client, grid_a):
    client.force_login(grid_a)
    response = client.get(reverse("home"))
    assert response.status_code == 200
    assert grid_a.unit.name in response.text
    assert 'data-testid="today-panel"' in response.text


def test_grid_worker_opens_their_village(client, grid_a):
    client.force_login(grid_a)
    assert client.get(reverse("organization:unit_detail", args=["VA"])).status_code == 200


def test_grid_worker_gets_404_for_another_village(client, grid_a, village_b):
    client.force_login(grid_a)
    assert client.get(reverse("organization:unit_detail", args=["VB"])).status_code == 404


def test_unknown_and_forbidden_units_look_the_same(client, grid_a, village_b):
    client.force_login(grid_a)
    forbidden = client.get(reverse("organization:unit_detail", args=["VB"]))
    missing = client.get(reverse("organization:unit_detail", args=["NOPE"]))
    assert forbidden.status_code == missing.status_code == 404
    varying = re.compile(r'"X-CSRFToken": "[^"]+"|name="csrfmiddlewaretoken" value="[^"]+"|/organization/\w+/')
    assert varying.sub("", forbidden.text) == varying.sub("", missing.text)
    assert "下柏村" not in forbidden.text


def test_list_shows_only_units_in_scope(client, grid_a, village_b):
    client.force_login(grid_a)
    response = client.get(reverse("organization:unit_list"))
    assert "联和村" in response.text
    assert "下柏村" not in response.text


def test_list_filters_by_kind_and_search(client, leader, grid_a1, village_b):
    client.force_login(leader)
    response = client.get(reverse("organization:unit_list"), {"kind": "village", "q": "下柏"})
    assert "下柏村" in response.text
    assert "联和村" not in response.text


def test_user_without_roles_cannot_open_the_organisation(client, outsider):
    client.force_login(outsider)
    assert client.get(reverse("organization:unit_list")).status_code == 404


def test_navigation_shows_only_what_the_role_can_use(client, grid_a, outsider):
    client.force_login(outsider)
    assert reverse("organization:unit_list") not in client.get(reverse("home")).text
    client.force_login(grid_a)
    page = client.get(reverse("home")).text
    assert reverse("organization:unit_list") in page
    assert reverse("admin:index") not in page


def test_unit_list_runs_a_bounded_number_of_queries(client, leader, town, django_assert_max_num_queries):
    from tests import factories

    for n in range(30):
        village = factories.VillageFactory(parent=town, code=f"V{n}")
        factories.GridFactory(parent=village, code=f"V{n}-1")
    client.force_login(leader)
    with django_assert_max_num_queries(12):
        response = client.get(reverse("organization:unit_list"))
    assert response.status_code == 200


def test_logout_is_post_only(client, grid_a):
    client.force_login(grid_a)
    assert client.get(reverse("logout")).status_code == 405
    response = client.post(reverse("logout"))
    assert response.status_code == 302
    assert response["Location"] == reverse("login")
    assert client.get(reverse("home")).status_code == 302


def test_school_staff_see_their_schools_education_panel_on_the_home_page(client, school):
    client.force_login(school)
    templates = [panel["template"] for panel in client.get(reverse("home")).context["today_panels"]]
    assert "education/_home_panel.html" in templates


def test_a_panel_with_nothing_to_show_is_left_out(client, admin_user):
    client.force_login(admin_user)  # may use everything, but belongs to no school
    templates = [panel["template"] for panel in client.get(reverse("home")).context["today_panels"]]
    assert "education/_home_panel.html" not in templates


def test_a_grid_worker_sees_the_grids_door_knocking_progress_on_the_home_page(client, grid_a, grid_a1, village_a):
    from tests.campaigns.factories import DoorVisitFactory
    from tests.factories import HouseholdFactory

    visited, _other = (
        HouseholdFactory(village=village_a, grid=grid_a1),
        HouseholdFactory(village=village_a, grid=grid_a1),
    )
    DoorVisitFactory(household=visited, visited_at=timezone.now(), someone_home=True)  # counted, as recorded
    client.force_login(grid_a)
    html = client.get(reverse("home")).text
    assert 'data-testid="home-outreach-visited">1 / 2<' in html
