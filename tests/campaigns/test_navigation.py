"""The menu shows door-knocking to the village team, pledges and coverage to whoever may see them."""

from django.urls import reverse

from organization.navigation import entries_for


def _urls(user):
    return {entry["url_name"] for entry in entries_for(user)}


def test_grid_workers_get_door_knocking_pledges_and_coverage(grid_a):
    assert {"campaigns:households", "campaigns:pledge_list", "campaigns:coverage"} <= _urls(grid_a)


def test_leadership_gets_pledges_and_coverage_but_not_the_door_knocking_list(leader):
    urls = _urls(leader)
    assert {"campaigns:pledge_list", "campaigns:coverage"} <= urls
    assert "campaigns:households" not in urls


def test_schools_get_none_of_it(school):
    assert not {"campaigns:households", "campaigns:pledge_list", "campaigns:coverage"} & _urls(school)


def test_the_menu_links_open(client, grid_a):
    client.force_login(grid_a)
    for name in ("campaigns:households", "campaigns:pledge_list", "campaigns:visit_list", "campaigns:pledge_lookup"):
        assert client.get(reverse(name)).status_code == 200
