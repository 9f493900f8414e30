"""Browser fixtures: Debian chromium driven by Playwright (sync API) against pytest-django's live server.

The browser is launched once per session; each test gets a fresh context (no cookies carried over)
at a phone-sized viewport. A failing test leaves a screenshot under test-results/.
"""

import os
import re
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
PHONE = {"width": 390, "height": 844}
RESULTS_DIR = Path(__file__).resolve().parents[2] / "test-results"
DEMO_PASSWORD = "demo12345"

# Playwright's sync API runs an event loop in the main thread; Django's ORM would refuse to run there.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")


@pytest.hookimpl(wrapper=True, tryfirst=True)
def pytest_runtest_makereport(item, call):
    report = yield
    setattr(item, f"rep_{report.when}", report)
    return report


@pytest.fixture(scope="session")
def playwright_instance():
    if not CHROMIUM.exists():
        pytest.skip(f"{CHROMIUM} is missing: install Debian's chromium package (apt-get install chromium)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        yield playwright


@pytest.fixture(scope="session")
def browser(playwright_instance):
    browser = playwright_instance.chromium.launch(executable_path=str(CHROMIUM), headless=True, args=CHROMIUM_ARGS)
    yield browser
    browser.close()


def new_context(browser, viewport=None):
    """A fresh phone-like context: touch, mobile, Chinese locale."""
    return browser.new_context(
        viewport=viewport or PHONE,
        is_mobile=True,
        has_touch=True,
        locale="zh-CN",
    )


@pytest.fixture
def make_page(browser, request):
    """make_page(viewport=None) -> a page in its own new context; all are closed after the test."""
    contexts = []

    def make(viewport=None):
        context = new_context(browser, viewport)
        context.set_default_timeout(10_000)
        contexts.append(context)
        return context.new_page()

    yield make

    failed = getattr(request.node, "rep_call", None) is not None and request.node.rep_call.failed
    for index, context in enumerate(contexts):
        if failed:
            RESULTS_DIR.mkdir(exist_ok=True)
            name = re.sub(r"[^\w.-]+", "_", request.node.nodeid)
            for number, page in enumerate(context.pages):
                try:
                    page.screenshot(path=str(RESULTS_DIR / f"{name}-{index}-{number}.png"), full_page=True)
                except Exception:  # noqa: BLE001 - a screenshot is best effort
                    pass
        context.close()


@pytest.fixture
def page(make_page):
    return make_page()


@pytest.fixture
def demo_town(transactional_db, live_server):
    """The demo town and its accounts, visible to the live server's thread."""
    from demo.organization import seed_organization

    return seed_organization()


def login(page, live_server, username, password=DEMO_PASSWORD):
    """Sign in through the login form; returns the response of the form submission's navigation."""
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", password)
    with page.expect_navigation() as navigation:
        page.click(".login-card button[type=submit]")
    return navigation.value
