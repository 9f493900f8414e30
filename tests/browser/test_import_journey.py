"""A leadership user on a phone imports the sample sheet and sees the progress and the result.

The journey: download the template, fill it with 50 residents of the demo villages (one bad ID
number on the first row), upload it, watch the check find that row, upload the corrected sheet, watch
the clean check, confirm, watch the import, and see how many residents it created.

The Celery worker is played by the test (:class:`Worker`): the live server queues each job on commit
as usual; the job waits, and the page's progress polls are held, until the test runs it in its own
thread. So the page really shows the job waiting, then running with its progress (the test looks at
the page when the job first reports progress), then the result, each through the page's own htmx
polling. Holding the polls while the job runs also keeps the live server off the database meanwhile
(on SQLite it shares the test thread's connection).
"""

import datetime
import io
import re
from pathlib import Path

import openpyxl
import pytest
from django.utils import translation
from playwright.sync_api import expect

from core import imports
from core.models import ImportJob
from core.tasks import run_import
from core.validators import make_id_number
from demo.organization import TOWN, VILLAGES
from residents.importing import ResidentSheet
from residents.models import Household, Resident, ResidentTag
from residents.resources import ResidentResource
from tests.browser.conftest import login

pytestmark = pytest.mark.browser

ROWS = 50
XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
PROGRESS_URL = re.compile(r"/residents/import/jobs/\d+/progress/$")
JOB_PATH = re.compile(r"/residents/import/jobs/(\d+)/$")


class Worker:
    """Stands in for the Celery worker; see the module's docstring."""

    def __init__(self, page, monkeypatch):
        self.page = page
        self.queued: list[int] = []  # appended by the live server's thread, on commit
        self.held = []
        self.peeking = False
        self.peek_failure = None
        self.reported: dict[int, list[tuple[int, int]]] = {}
        monkeypatch.setattr(imports, "queue_job", self.queued.append)
        publish = imports.publish_progress

        def publish_and_peek(job_pk, done, total):
            publish(job_pk, done, total)
            first = job_pk not in self.reported
            self.reported.setdefault(job_pk, []).append((done, total))
            if first:
                try:
                    self._peek(int(100 * done / total))
                except Exception as exc:  # the import would swallow it as an internal error
                    self.peek_failure = exc
                    raise

        monkeypatch.setattr(imports, "publish_progress", publish_and_peek)
        page.route(PROGRESS_URL, self._poll)

    def _poll(self, route):
        if self.queued and not self.peeking:
            self.held.append(route)
        else:
            route.continue_()

    def _release(self):
        held, self.held = self.held, []
        for route in held:
            route.continue_()

    def _peek(self, percent):
        """The job has reported progress: let the page poll once and show it running."""
        self.peeking = True
        try:
            self._release()
            section = self.page.get_by_test_id("import-progress")
            expect(section).to_have_attribute("data-status", ImportJob.Status.RUNNING.value)
            expect(section.get_by_role("progressbar")).to_have_attribute("aria-valuenow", str(percent))
        finally:
            self.peeking = False

    def run(self, job_pk):
        """Run the queued job once the page has polled (and been held) at least once."""
        assert self.queued == [job_pk]
        for _ in range(50):
            if self.held:
                break
            self.page.wait_for_timeout(100)
        assert self.held, "the page does not poll for progress"
        run_import(job_pk)
        self.queued.clear()
        self._release()
        if self.peek_failure is not None:
            raise self.peek_failure


@pytest.fixture
def worker(page, monkeypatch, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache", "LOCATION": "imp"}}
    settings.CELERY_TASK_ALWAYS_EAGER = True  # in case anything queues a task the real way
    return Worker(page, monkeypatch)


def sample_rows() -> list[dict]:
    """50 residents in households of up to three, spread over the demo villages and their grids."""
    with translation.override("zh-hans"):
        elderly = str(ResidentTag.ELDERLY.label)
        student = str(ResidentTag.STUDENT.label)
    rows = []
    for n in range(ROWS):
        suffix, village_name, _population, grids = VILLAGES[(n // 3) % len(VILLAGES)]
        village = f"{TOWN[0]}{suffix}"
        birth = datetime.date(1940, 1, 1) + datetime.timedelta(days=397 * n)
        head = n % 3 == 0
        rows.append(
            {
                "name": f"导入居民{n}",
                "id_number": make_id_number("440605", birth, n),
                "phone": f"139{n:08d}",
                "village": village,
                "grid": f"{village}-{(n // 3) % grids + 1:02d}",
                "address": f"{village_name}幸福路{n // 3}号",
                "household_contact_phone": "0757-81234567" if head else "",
                "relation": "户主" if head else "家属",
                "tags": elderly if birth.year < 1960 else student if birth.year > 2008 else "",
            }
        )
    return rows


def fill_template(template: bytes, rows: list[dict]) -> bytes:
    """The downloaded template with its example row replaced by ``rows``; ID and phone cells as text."""
    workbook = openpyxl.load_workbook(io.BytesIO(template))
    sheet = workbook.worksheets[0]
    resource = ResidentResource()
    with translation.override("zh-hans"):
        field_of = {str(resource.fields[name].column_name): name for name in resource.get_export_order()}
    columns = [field_of[cell.value] for cell in sheet[1]]  # a KeyError: the template's headers changed
    sheet.delete_rows(2, sheet.max_row)
    for number, row in enumerate(rows, start=2):
        for column, name in enumerate(columns, start=1):
            cell = sheet.cell(row=number, column=column, value=row[name] or None)
            if ResidentSheet.columns[name].text:
                cell.number_format = "@"
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def upload(page, live_server, name: str, data: bytes) -> int:
    page.goto(f"{live_server.url}/registry/import/")
    page.set_input_files("#id_file", files=[{"name": name, "mimeType": XLSX, "buffer": data}])
    page.get_by_test_id("upload-submit").click()
    expect(page).to_have_url(JOB_PATH)
    return int(JOB_PATH.search(page.url).group(1))


def expect_waiting(page):
    section = page.get_by_test_id("import-progress")
    expect(section).to_have_attribute("data-status", ImportJob.Status.PENDING.value)
    expect(section).to_have_attribute("hx-trigger", "every 1s")
    expect(section.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "0")


def expect_finished(page, status):
    section = page.get_by_test_id("import-progress")
    expect(section).to_have_attribute("data-status", status)
    expect(section.get_by_role("progressbar")).to_have_attribute("aria-valuenow", "100")
    expect(section).not_to_have_attribute("hx-trigger", re.compile(".*"))


def numbers(locator) -> list[int]:
    return [int(number) for number in re.findall(r"\d+", locator.inner_text())]


def test_leader_imports_the_sample_sheet_and_sees_the_progress_and_the_result(live_server, demo_town, page, worker):
    login(page, live_server, "leader")
    page.goto(f"{live_server.url}/registry/import/")

    # The template arrives as an .xlsx.
    with page.expect_download() as download_info:
        page.get_by_test_id("download-template").click()
    download = download_info.value
    assert download.failure() is None
    assert download.suggested_filename.endswith(".xlsx")
    template = Path(download.path()).read_bytes()
    assert template[:2] == b"PK"

    rows = sample_rows()
    good_id = rows[0]["id_number"]
    wrong_check = "0" if good_id[-1] != "0" else "1"
    bad_rows = [{**rows[0], "id_number": good_id[:-1] + wrong_check}, *rows[1:]]
    with translation.override("zh-hans"):
        id_header = str(ResidentResource().fields["id_number"].column_name)

    # 1. A sheet whose first row has a wrong check digit: the check names that row and column.
    check = upload(page, live_server, "居民-有错.xlsx", fill_template(template, bad_rows))
    expect_waiting(page)
    worker.run(check)
    expect_finished(page, ImportJob.Status.DRY_RUN_DONE.value)
    errors = page.get_by_test_id("row-error")
    expect(errors).to_have_count(1)
    expect(errors.get_by_test_id("error-row")).to_have_text("2")
    expect(errors.get_by_test_id("error-column")).to_have_text(id_header)
    expect(page.get_by_test_id("confirm-import")).to_have_count(0)
    assert worker.reported[check][-1] == (ROWS, ROWS)
    assert Resident.objects.count() == 0

    # 2. The corrected sheet checks clean: 50 new residents, ready to import.
    check = upload(page, live_server, "居民.xlsx", fill_template(template, rows))
    expect_waiting(page)
    worker.run(check)
    expect_finished(page, ImportJob.Status.DRY_RUN_DONE.value)
    expect(page.get_by_test_id("row-error")).to_have_count(0)
    ready = page.get_by_test_id("ready-summary")
    expect(ready).to_be_visible()
    assert sorted(numbers(ready)) == [0, ROWS, ROWS]  # rows, new, updates
    assert Resident.objects.count() == 0

    # 3. Confirm: the import waits, runs (half-way after the check, the writing still to do), succeeds.
    page.get_by_test_id("confirm-import").click()
    expect(page).to_have_url(JOB_PATH)
    commit = int(JOB_PATH.search(page.url).group(1))
    assert commit != check
    expect_waiting(page)
    worker.run(commit)
    expect_finished(page, ImportJob.Status.SUCCEEDED.value)
    result = page.get_by_test_id("import-result")
    expect(result).to_be_visible()
    assert sorted(numbers(result)) == [0, ROWS, ROWS]  # rows, new, updated
    assert worker.reported[commit][0] == (ROWS, 2 * ROWS)  # the page showed 50% (see Worker._peek)
    assert worker.reported[commit][-1] == (2 * ROWS, 2 * ROWS)

    # The residents are registered, in their villages and households.
    job = ImportJob.objects.get(pk=commit)
    assert (job.source_id, job.summary["created"], job.summary["updated"]) == (check, ROWS, 0)
    assert Resident.objects.count() == ROWS
    assert Household.objects.count() == -(-ROWS // 3)
    first = Resident.objects.by_id_number(good_id).select_related("village", "household").get()
    assert (first.name, first.village.code, first.household.address) == (
        "导入居民0",
        rows[0]["village"],
        rows[0]["address"],
    )
    for suffix, *_rest in VILLAGES:
        expected = sum(row["village"] == f"{TOWN[0]}{suffix}" for row in rows)
        assert Resident.objects.filter(village__code=f"{TOWN[0]}{suffix}").count() == expected

    # Nothing is wider than the phone's screen.
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
