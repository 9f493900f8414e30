"""先进集体和个人 (plan 四(三)): at the year's end the leader opens the nominations, sees what the records put forward
with the figures, proposes 罗村社区 and its grid worker with one tap each and approves both with a note; the printed
list names them."""

import datetime

import pytest
from django.utils import timezone
from playwright.sync_api import expect

from assessment.models import Nomination
from organization.models import Unit, User
from tests import factories
from tests.assessment.factories import FraudCaseFactory
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

VILLAGE_CODE = "440605124001"  # 罗村社区, grid worker grid_a
OTHER_VILLAGE_CODE = "440605124002"


def _decide(page, note):
    form = page.get_by_test_id("nomination-decision-form")
    form.locator("textarea[name=note]").fill(note)
    page.get_by_test_id("nomination-approve").click()
    expect(page.get_by_test_id("nomination-status")).to_have_attribute("data-status", "approved")


def test_the_leader_proposes_and_approves_a_collective_and_an_individual(live_server, demo_town, make_page):
    village = Unit.objects.get(code=VILLAGE_CODE)
    grid_a = User.objects.get(username="grid_a")
    now = timezone.now()
    FraudCaseFactory(village=Unit.objects.get(code=OTHER_VILLAGE_CODE), reported_at=now - datetime.timedelta(days=1))
    warning = factories.WarningFactory(village=village, pushed_at=now - datetime.timedelta(days=3))
    factories.FollowUpVisitFactory(warning=warning, visited_at=now - datetime.timedelta(days=1), recorded_by=grid_a)
    year = timezone.localdate().year

    page = make_page()
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/assessment/nominations/?year={year}")

    # The collective: 罗村社区, first in the town, with its rank and score.
    row = page.locator(f'[data-testid="candidate"][data-category="village"][data-name="{village.name}"]')
    expect(row.get_by_test_id("candidate-figures")).to_contain_text("1")
    row.get_by_test_id("propose").click()
    row = page.locator(f'[data-testid="candidate"][data-category="village"][data-name="{village.name}"]')
    expect(row.get_by_test_id("candidate-nomination")).to_be_visible()
    row.get_by_test_id("candidate-nomination").click()
    expect(page.get_by_test_id("nomination-figures")).to_be_visible()
    _decide(page, "综合考评全镇第一")

    # The individual: the grid worker who visited on time.
    page.goto(f"{live_server.url}/assessment/nominations/?year={year}")
    person = page.locator(f'[data-testid="candidate"][data-category="grid_worker"][data-name="{grid_a}"]')
    expect(person.get_by_test_id("candidate-figures")).to_be_visible()
    person.get_by_test_id("propose").click()
    page.locator(f'[data-testid="candidate"][data-category="grid_worker"][data-name="{grid_a}"]').get_by_test_id(
        "candidate-nomination"
    ).click()
    _decide(page, "回访按时")

    assert sorted(Nomination.objects.values_list("kind", "status")) == [
        ("collective", "approved"),
        ("individual", "approved"),
    ]
    page.goto(f"{live_server.url}/assessment/nominations/print/?year={year}")
    expect(page.get_by_test_id("print-collectives")).to_contain_text(village.name)
    expect(page.get_by_test_id("print-individuals")).to_contain_text(str(grid_a))
