"""The menu groups each feature's pages into one drop-down, and shows each role only what it may use."""

import pytest
from django.utils import translation

from organization.navigation import entries_for, menu_for


@pytest.fixture(autouse=True)
def english():
    with translation.override("en"):
        yield


def sections(user):
    return {
        str(section["label"]): [entry["url_name"] for entry in section["entries"]]
        for section in menu_for(entries_for(user))
        if section["label"]
    }


def plain_links(user):
    return [section["entries"][0]["url_name"] for section in menu_for(entries_for(user)) if not section["label"]]


def test_leadership_sees_the_assessment_pages_in_one_drop_down(leader):
    menu = sections(leader)
    assert menu["Assessment"][0] == "assessment:dashboard"
    assert "assessment:callback_list" in menu["Assessment"]
    assert "home" in plain_links(leader)


def test_a_section_with_one_visible_page_is_a_plain_link(school):
    links = plain_links(school)
    assert "organization:unit_list" in links  # the only page of "System" school staff may use
    assert "System" not in sections(school)
    # The schools' card pages and the education pages share one section.
    assert {"schools:queue", "education:overview"} <= set(sections(school)["Schools"])


def test_the_outsider_sees_only_home(outsider):
    assert [section["entries"][0]["url_name"] for section in menu_for(entries_for(outsider))] == ["home"]
