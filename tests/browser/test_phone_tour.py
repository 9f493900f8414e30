"""A tour of every role's main pages on a 390 x 844 phone: the home page and every page of the role's menu.

On each page:

* **Nothing wider than the phone**: the document does not scroll sideways (a wide table scrolls inside its
  own box, its first column sticky).
* **Tap targets of at least 44 x 44 px** for every visible link, button, field, select and summary. The rule's
  two allowances: a checkbox or radio counts as its row (the ``.form-check`` row, whose label toggles it, must be
  44 px tall); a link inside running text (``display: inline`` with text of its parent around it, as in a
  sentence) is a text link, not a target. Visually hidden elements (1 x 1 px, for screen readers) are skipped.
* **Page weight**: the bytes of every response the page loads, measured as their gzip-compressed sizes (the
  test server does not compress; production serves static files pre-compressed by WhiteNoise's
  CompressedManifestStaticFilesStorage), at most 300 KiB on a first load with an empty cache, and at most
  60 KiB when the same page is loaded again with the cache warm. The test server sends static files without
  cache headers, so the browser fetches them again; production serves them under hashed names cached for ten
  years (WhiteNoise's ``immutable`` files), so the warm load counts what is not under ``/static/``.

And the lists read in natural order: 幸福路5号 before 43号 (households, households to visit), 初一 before 初二
before 初三 (the school's students).
"""

from __future__ import annotations

import gzip

import pytest
from playwright.sync_api import expect

from organization.models import Unit
from tests import factories
from tests.browser.conftest import login
from tests.schools.factories import StudentFactory

pytestmark = pytest.mark.browser

ROLES = ("grid_a", "head_a", "police", "leader", "school")
FIRST_LOAD_BUDGET = 300 * 1024
WARM_LOAD_BUDGET = 60 * 1024
TARGET = 44 - 0.5  # CSS pixels; half a pixel for sub-pixel layout

# Every visible interactive element smaller than 44 x 44 px, under the rules of the module's docstring.
SMALL_TARGETS = """
() => {
  const MIN = MIN_SIZE;
  const selector = "a[href], button, input:not([type=hidden]), select, textarea, summary, [role=button]";
  const small = [];
  for (const element of document.querySelectorAll(selector)) {
    const style = getComputedStyle(element);
    if (!element.getClientRects().length || style.visibility === "hidden") continue;
    let box = element.getBoundingClientRect();
    if (box.width <= 2 && box.height <= 2) continue;  // visually hidden, for screen readers
    if (element.matches("input[type=checkbox], input[type=radio]")) {
      const row = element.closest(".form-check");
      if (!row) { small.push(describe(element, box)); continue; }
      box = row.getBoundingClientRect();
      if (box.height < MIN) small.push(describe(element, box));
      continue;
    }
    if (element.tagName === "A" && style.display === "inline") {
      const parentText = (element.parentElement.textContent || "").trim();
      if (parentText.length > (element.textContent || "").trim().length) continue;  // a link in running text
    }
    if (box.width < MIN || box.height < MIN) small.push(describe(element, box));
  }
  return small;

  function describe(element, box) {
    const text = (element.textContent || element.getAttribute("aria-label") || element.name || "").trim();
    const size = `${Math.round(box.width)}x${Math.round(box.height)}`;
    return `${element.tagName.toLowerCase()}.${element.className} "${text.slice(0, 30)}" ${size}`;
  }
}
""".replace("MIN_SIZE", str(TARGET))


@pytest.fixture
def town_with_lists(demo_town):
    """A few rows for the lists to sort: houses 43, 5 and 100 of 幸福路 in grid_a's grid; students of 初三, 初一
    and 初二 in the middle school."""
    grid = Unit.objects.get(code="440605124001-01")
    for number in (43, 5, 100):
        factories.HouseholdFactory(village=grid.parent, grid=grid, address=f"幸福路{number}号")
    middle = Unit.objects.get(code="440605124S02")
    for grade in ("初三", "初一", "初二"):
        StudentFactory(school=middle, grade=grade, class_name="1班", name=f"{grade}学生")
    return demo_town


class Weigher:
    """The gzip-compressed bytes of every response a page loads (304s and cached responses weigh nothing)."""

    def __init__(self, page, *, static: bool = True):
        self.static = static  # False: leave out /static/ files (cached for good in production)
        self.total = 0
        self.heaviest: list[tuple[int, str]] = []
        page.on("response", self._add)

    def _add(self, response):
        if response.status == 304 or response.from_service_worker or response.request.method != "GET":
            return
        if not self.static and "/static/" in response.url:
            return
        try:
            if response.request.sizes()["responseHeadersSize"] <= 0:
                return  # served from the browser's cache: nothing crossed the network
            body = response.body()
        except Exception:  # noqa: BLE001 - a redirect or an aborted request has no body
            return
        size = len(gzip.compress(body)) if body else 0
        self.total += size
        self.heaviest = sorted([*self.heaviest, (size, response.url)], reverse=True)[:5]

    def reset(self):
        self.total, self.heaviest = 0, []


def _menu_pages(page, base: str) -> list[str]:
    hrefs = page.eval_on_selector_all(
        "#main-nav a[href^='/']",
        "links => links.map(link => link.getAttribute('href'))",
    )
    pages = []
    for href in hrefs:
        path = href.split("#")[0]
        if path and path not in pages and not path.startswith(("/admin", "/accounts/logout")):
            pages.append(path)
    return pages


def _check_page(page, url: str) -> list[str]:
    problems = []
    if not page.evaluate("document.documentElement.scrollWidth <= window.innerWidth + 1"):
        width = page.evaluate("document.documentElement.scrollWidth")
        problems.append(f"{url}: {width} px wide")
    small = page.evaluate(SMALL_TARGETS)
    if small:
        problems.append(f"{url}: targets under 44 px: {small[:6]}")
    return problems


@pytest.mark.parametrize("username", ROLES)
def test_every_main_page_fits_the_phone_and_is_light(live_server, town_with_lists, make_page, username):
    page = make_page()
    login(page, live_server, username)
    menu = _menu_pages(page, live_server.url)
    assert menu, "the menu lists the role's pages"
    problems = []
    for path in ["/", *menu]:
        # A first load with an empty cache: a fresh context, signed in by its cookie.
        cold = page.context.browser.new_context(
            viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True, locale="zh-CN"
        )
        try:
            cold.add_cookies(page.context.cookies())
            tab = cold.new_page()
            weigher = Weigher(tab)
            response = tab.goto(f"{live_server.url}{path}", wait_until="load")
            assert response.ok, f"{path}: {response.status}"
            tab.wait_for_load_state("networkidle")
            problems += _check_page(tab, path)
            if weigher.total > FIRST_LOAD_BUDGET:
                problems.append(f"{path}: {weigher.total // 1024} KiB on a first load; heaviest {weigher.heaviest}")
            weigher.reset()
            weigher.static = False
            tab.goto(f"{live_server.url}{path}", wait_until="load")
            tab.wait_for_load_state("networkidle")
            if weigher.total > WARM_LOAD_BUDGET:
                problems.append(f"{path}: {weigher.total // 1024} KiB with a warm cache; heaviest {weigher.heaviest}")
        finally:
            cold.close()
    assert not problems, "\n".join(problems)


def test_grid_worker_reads_house_numbers_in_order(live_server, town_with_lists, page):
    login(page, live_server, "grid_a")
    for path in ("/residents/households/", "/campaigns/households/"):
        page.goto(f"{live_server.url}{path}")
        text = page.locator("main").inner_text()
        positions = [text.find(f"幸福路{number}号") for number in (5, 43, 100)]
        assert -1 not in positions and positions == sorted(positions), (path, positions)


def test_school_reads_grades_in_order(live_server, town_with_lists, page):
    login(page, live_server, "school")
    page.goto(f"{live_server.url}/schools/students/")
    expect(page.get_by_text("初一学生")).to_be_visible()
    text = page.locator("main").inner_text()
    positions = [text.find(f"{grade}学生") for grade in ("初一", "初二", "初三")]
    assert -1 not in positions and positions == sorted(positions), positions
