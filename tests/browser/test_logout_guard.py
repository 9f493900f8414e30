"""Logging out of the site clears the phone's storage (Clear-Site-Data), the field mode's unsent records included:
when some wait, the logout asks first, and nothing is lost when the worker says no."""

import pytest

from tests.browser.conftest import login, new_context

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

QUEUE_ONE_RECORD = """() => new Promise((resolve, reject) => {
  const request = indexedDB.open("luocun-field", 1);
  request.onupgradeneeded = () => request.result.createObjectStore("queue", { keyPath: "client_id" });
  request.onsuccess = () => {
    const tx = request.result.transaction("queue", "readwrite");
    tx.objectStore("queue").put({ client_id: "c-1", kind: "door_visit", created_at: 1 });
    tx.oncomplete = () => { request.result.close(); resolve(true); };
    tx.onerror = () => reject(tx.error);
  };
  request.onerror = () => reject(request.error);
})"""


def log_out(page):
    toggler = page.locator(".navbar-toggler")
    if toggler.is_visible() and toggler.get_attribute("aria-expanded") != "true":
        toggler.click()
        page.wait_for_selector(".navbar-collapse.show")  # the menu has finished opening (not "collapsing")
    page.click("[data-testid=user-menu]")
    button = page.locator("form[data-logout-guard] button[type=submit]")
    button.wait_for(state="visible")
    button.click()


def test_the_logout_asks_first_when_field_records_wait_and_keeps_them_when_refused(browser, live_server, demo_town):
    context = new_context(browser)
    page = context.new_page()
    login(page, live_server, "grid_a")
    page.evaluate(QUEUE_ONE_RECORD)

    questions = []

    def refuse(dialog):
        questions.append(dialog.message)
        dialog.dismiss()

    page.once("dialog", refuse)
    log_out(page)
    for _ in range(100):  # the check reads IndexedDB before it asks: wait for the question (10 s at most)
        if questions:
            break
        page.wait_for_timeout(100)
    assert questions and "（1 条）" in questions[0]  # the count of records waiting, in the question
    assert page.evaluate("() => indexedDB.databases().then((dbs) => dbs.map((d) => d.name))") == ["luocun-field"]
    assert page.locator("[data-testid=user-menu]").count() == 1  # still signed in

    page.once("dialog", lambda dialog: dialog.accept())
    with page.expect_navigation():
        log_out(page)
    assert "/accounts/login/" in page.url or page.locator("#id_username").count() == 1
    context.close()


def test_without_waiting_records_the_logout_asks_nothing(browser, live_server, demo_town):
    context = new_context(browser)
    page = context.new_page()
    login(page, live_server, "leader")
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    with page.expect_navigation():
        log_out(page)
    assert questions == []
    context.close()
