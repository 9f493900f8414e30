"""The field app: its shell, the work data it downloads at each sync, the manifest and the service worker."""

import datetime
import json

import pytest
from django.contrib.staticfiles import finders
from django.utils import timezone

from field.views import SHELL_FILES
from fraud_cases.models import TypicalCaseStatus
from tests.campaigns.factories import DoorVisitFactory
from tests.factories import ResidentFactory, WarningFactory
from tests.fraud_cases.factories import TypicalCaseFactory
from warnings_followup.models import FraudType, WarningStatus

PAGE_BUDGET = 250 * 1024


@pytest.fixture
def due_warning_a(village_a, household_a):
    person = ResidentFactory(household=household_a, name="王秀英", phone="13912345678")
    return WarningFactory(
        village=village_a,
        person=person,
        status=WarningStatus.FOLLOWING_UP,
        address="联和村幸福路1号",
        next_visit_due=timezone.localdate(),
    )


@pytest.fixture
def due_warning_b(village_b):
    return WarningFactory(village=village_b, status=WarningStatus.FOLLOWING_UP, next_visit_due=timezone.localdate())


def test_the_shell_asks_anonymous_users_to_log_in(client):
    response = client.get("/field/")
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_shell_is_the_same_for_everyone_and_holds_no_personal_data(client, grid_a, due_warning_a):
    client.force_login(grid_a)
    response = client.get("/field/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "data-sync-pending" in html and 'rel="manifest"' in html
    assert due_warning_a.person.name not in html and "grid_a" not in html
    # One submit button per form, and the forms post the API's field names.
    for name in ("method", "at_risk", "notes", "someone_home", "app_installed", "materials", "resident"):
        assert f'name="{name}"' in html or f'data-choices="{name}"' in html
    assert html.count('type="submit"') == 2


def test_roles_without_field_work_get_404(client, school):
    client.force_login(school)
    assert client.get("/field/").status_code == 404
    assert client.get("/field/data/").status_code == 404


def test_the_data_needs_a_session_401_in_json(client):
    response = client.get("/field/data/")
    assert response.status_code == 401 and "detail" in response.json()


def test_the_data_holds_the_due_visits_and_households_in_scope_only(
    client, grid_a, due_warning_a, due_warning_b, household_a, household_b
):
    client.force_login(grid_a)
    response = client.get("/field/data/")
    assert response.status_code == 200
    assert response["Cache-Control"].startswith("max-age=0")
    data = response.json()
    assert [w["id"] for w in data["warnings"]] == [due_warning_a.pk]
    warning = data["warnings"][0]
    assert warning["name"] == "王秀英" and warning["address"] == "联和村幸福路1号"
    assert warning["phone"] != "13912345678" and warning["phone"].startswith("139")
    assert [h["id"] for h in data["households"]] == [household_a.pk]
    assert {m["name"] for m in data["households"][0]["members"]} >= {"陈大文", "陈小文"}
    assert data["csrf_token"] and data["user"]["username"] == "grid_a"
    assert data["pledge_text"]["paragraphs"]


def test_the_published_dissuasion_scripts_of_every_fraud_type_go_to_the_phone(client, grid_a, town, due_warning_a):
    TypicalCaseFactory(
        unit=town,
        fraud_type=FraudType.REBATE_TASK,
        status=TypicalCaseStatus.PUBLISHED,
        title="刷单返利案",
        script=["刷单就是诈骗。", "马上停止转账。"],
    )
    TypicalCaseFactory(
        unit=town,
        fraud_type=FraudType.IMPERSONATE_POLICE,
        status=TypicalCaseStatus.PUBLISHED,
        title="冒充公检法案",
        script=["公检法不会电话办案。"],
    )
    TypicalCaseFactory(unit=town, fraud_type=FraudType.IMPERSONATE_POLICE, title="草稿", script=["不该出现"])
    client.force_login(grid_a)
    data = client.get("/field/data/").json()
    # A door visit may explain any fraud type: every published script, title and points only, drafts never.
    assert data["scripts"] == {
        FraudType.REBATE_TASK: [{"title": "刷单返利案", "script": ["刷单就是诈骗。", "马上停止转账。"]}],
        FraudType.IMPERSONATE_POLICE: [{"title": "冒充公检法案", "script": ["公检法不会电话办案。"]}],
    }


def test_without_published_cases_there_are_no_scripts(client, grid_a, due_warning_a):
    client.force_login(grid_a)
    assert client.get("/field/data/").json()["scripts"] == {}


def test_no_full_id_phone_or_bank_number_leaves_for_the_phone(client, grid_a, due_warning_a, household_a):
    client.force_login(grid_a)
    text = client.get("/field/data/").content.decode()
    for resident in household_a.members.all():
        assert resident.id_number not in text
        if resident.phone:
            assert resident.phone not in text
    assert "13912345678" not in text


def test_a_visited_household_leaves_the_to_visit_list(client, grid_a, household_a):
    DoorVisitFactory(household=household_a, recorded_by=grid_a, someone_home=True)
    client.force_login(grid_a)
    assert client.get("/field/data/").json()["households"] == []


def test_upcoming_visits_within_a_week_are_kept_later_ones_not(client, grid_a, village_a):
    today = timezone.localdate()
    soon = WarningFactory(
        village=village_a, status=WarningStatus.FOLLOWING_UP, next_visit_due=today + datetime.timedelta(days=3)
    )
    later = WarningFactory(
        village=village_a, status=WarningStatus.FOLLOWING_UP, next_visit_due=today + datetime.timedelta(days=20)
    )
    client.force_login(grid_a)
    ids = [w["id"] for w in client.get("/field/data/").json()["warnings"]]
    assert soon.pk in ids and later.pk not in ids


def test_the_manifest_makes_the_app_installable(client):
    response = client.get("/manifest.webmanifest")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/manifest+json")
    manifest = json.loads(response.content)
    assert manifest["name"] == "罗村反诈"
    assert manifest["start_url"] == "/field/" and manifest["display"] == "standalone"
    assert {icon["sizes"] for icon in manifest["icons"]} == {"192x192", "512x512"}


def test_the_service_worker_is_served_at_the_root_as_javascript(client):
    response = client.get("/sw.js")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/javascript")
    assert response["Service-Worker-Allowed"] == "/"
    assert response["Cache-Control"] == "no-cache"
    source = response.content.decode()
    assert source.startswith("const CONFIG = ")
    config = json.loads(source.split("\n", 1)[0].removeprefix("const CONFIG = ").rstrip(";"))
    assert config["shell"] == "/field/"
    # Only the shell is cached: no other page of the site.
    assert all(path.startswith("/static/field/") for path in config["files"])


def test_the_first_load_stays_under_250_kib(client, grid_a):
    """The shell, its stylesheet, scripts and icons together, uncompressed (the browser test measures the wire)."""
    client.force_login(grid_a)
    total = len(client.get("/field/").content) + len(client.get("/manifest.webmanifest").content)
    total += len(client.get("/sw.js").content)
    for path in SHELL_FILES:
        with open(finders.find(path), "rb") as handle:
            total += len(handle.read())
    assert total <= PAGE_BUDGET, f"{total / 1024:.0f} KiB"


def test_logging_out_of_the_site_clears_the_phones_field_data(client, grid_a):
    """The site's logout (not only the field app's) tells the browser to drop the caches and storage: the work
    data in IndexedDB and the service worker's cache of the shell."""
    client.force_login(grid_a)
    response = client.post("/accounts/logout/")
    assert response.status_code == 302
    assert response["Clear-Site-Data"] == '"cache", "storage"'
    assert client.get("/field/data/").status_code == 401
