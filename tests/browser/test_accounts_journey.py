"""Signing in and out on a phone: every demo account, a wrong password, scope, layout, language switch."""

import re

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import login

pytestmark = pytest.mark.browser

# username -> the name of the account's unit as the home page shows it (None: no unit)
DEMO_ACCOUNTS = {
    "admin": None,
    "leader": "罗村镇",
    "police": "罗村派出所",
    "grid_a": "罗村社区第1网格",
    "grid_b": "联和村第1网格",
    "head_a": "罗村社区",
    "volunteer_a": "罗村社区",
    "school": "罗村中学",
}
OWN_VILLAGE = "440605124001"  # 罗村社区, grid_a's village
OTHER_VILLAGE = "440605124002"  # 联和村, grid_b's village
LOGIN_PATH = "/accounts/login/"


def _path(page, live_server):
    return page.url.removeprefix(live_server.url)


@pytest.mark.parametrize("username", list(DEMO_ACCOUNTS))
def test_demo_account_signs_in_and_lands_on_home(demo_town, live_server, page, username):
    response = login(page, live_server, username)

    assert response.status == 200
    assert _path(page, live_server) == "/"
    expect(page.get_by_test_id("profile-card")).to_be_visible()
    expect(page.get_by_test_id("today-panel")).to_be_visible()
    unit_name = DEMO_ACCOUNTS[username]
    if unit_name is not None:
        expect(page.get_by_test_id("home-unit")).to_have_text(unit_name)


def test_wrong_password_shows_translated_error(demo_town, live_server, page):
    response = login(page, live_server, "grid_a", password="not-the-password")

    assert response.status == 200
    assert _path(page, live_server) == LOGIN_PATH
    error = page.locator(".login-card .alert-danger")
    expect(error).to_be_visible()
    expect(error).to_contain_text("密码")
    expect(page.get_by_test_id("user-menu")).to_have_count(0)


def test_grid_worker_cannot_open_another_village(demo_town, live_server, page):
    login(page, live_server, "grid_a")

    response = page.goto(f"{live_server.url}/units/{OTHER_VILLAGE}/")
    assert response.status == 404
    expect(page.get_by_test_id("unit-name")).to_have_count(0)

    response = page.goto(f"{live_server.url}/units/{OWN_VILLAGE}/")
    assert response.status == 200
    expect(page.get_by_test_id("unit-name")).to_contain_text("罗村社区")


@pytest.mark.parametrize("width", [390, 360])
def test_home_has_no_horizontal_scroll(demo_town, live_server, make_page, width):
    page = make_page(viewport={"width": width, "height": 800})
    login(page, live_server, "leader")
    expect(page.get_by_test_id("profile-card")).to_be_visible()

    widths = page.evaluate("() => [document.documentElement.scrollWidth, window.innerWidth]")
    assert widths[1] == width
    assert widths[0] <= widths[1], f"page is {widths[0]}px wide in a {widths[1]}px window"


def test_language_switch_to_english(demo_town, live_server, page):
    login(page, live_server, "head_a")
    assert page.locator("html").get_attribute("lang") == "zh-hans"

    page.select_option("select#language-select", "en")
    with page.expect_navigation():
        page.locator("footer button[type=submit]").click()

    assert page.locator("html").get_attribute("lang") == "en"
    assert _path(page, live_server) == "/"
    expect(page.get_by_test_id("profile-card")).to_be_visible()


def test_logout_from_user_menu(demo_town, live_server, page):
    login(page, live_server, "police")

    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible():  # the menu is collapsed on a phone: wait until it has finished opening
        toggler.click()
        expect(page.locator("#main-nav")).to_have_class(re.compile(r"(^|\s)show(\s|$)"))
    page.get_by_test_id("user-menu").click()
    expect(page.locator(".dropdown-menu.show")).to_have_count(1)
    logout_button = page.locator("form[action='/accounts/logout/'] button[type=submit]")
    expect(logout_button).to_be_visible()
    with page.expect_navigation():
        logout_button.click()

    expect(page.get_by_test_id("user-menu")).to_have_count(0)
    expect(page.get_by_test_id("profile-card")).to_have_count(0)

    page.goto(f"{live_server.url}/")
    assert re.fullmatch(rf"{re.escape(live_server.url)}{LOGIN_PATH}\?next=(/|%2F)", page.url), page.url
    expect(page.locator("#id_username")).to_be_visible()
