"""Every large export takes the same road: door visits, pledges, fraud cases and the admin's registry export
become a background job above EXPORT_ASYNC_ROWS (its owner's, scoped, masked, access-logged when downloaded);
below it they are answered at once."""

import csv
import io

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.urls import reverse

from audit.models import AccessAction, AccessLog
from core import exports
from core.models import ExportJob
from core.tasks import run_export
from tests import factories
from tests.campaigns.factories import DoorVisitFactory, PledgeFactory
from tests.fraud_cases.factories import FraudCaseFactory

pytestmark = pytest.mark.django_db

VISITS = reverse("campaigns:visit_export")
PLEDGES = reverse("campaigns:pledge_export")
CASES = reverse("fraud_cases:case_export")


@pytest.fixture
def above_two(settings):
    settings.EXPORT_ASYNC_ROWS = 2


@pytest.fixture
def homes(village_a, village_b, grid_a1, grid_b1):
    """Three households of village A (a contact phone each), one of village B."""
    a = [
        factories.HouseholdFactory(village=village_a, grid=grid_a1, address=f"联和路{n}号", contact_phone="13912345678")
        for n in range(3)
    ]
    b = factories.HouseholdFactory(village=village_b, grid=grid_b1, address="下柏路9号")
    return {"a": a, "b": b}


def _start(client, user, url, params=None, *, capture, post=None):
    client.force_login(user)
    with capture(execute=False) as callbacks:
        response = client.post(url, post) if post is not None else client.get(url, params or {})
    assert response.status_code == 302, response.content[:300]
    job = ExportJob.objects.get()
    assert response["Location"] == reverse("core:export_job", args=[job.pk])
    assert job.created_by == user and job.status == ExportJob.Status.PENDING
    assert len(callbacks) == 1  # queued after the commit
    return job


def _download(client, job) -> str:
    response = client.get(reverse("core:export_job_download", args=[job.pk]))
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith("attachment;")
    content = b"".join(response.streaming_content) if response.streaming else response.content
    return content.decode("utf-8-sig")


def _rows(text: str) -> list[list[str]]:
    return list(csv.reader(io.StringIO(text)))


def _others_get_404(client, job, *users):
    for other in users:
        client.force_login(other)
        assert client.get(reverse("core:export_job", args=[job.pk])).status_code == 404
        assert client.get(reverse("core:export_job_download", args=[job.pk])).status_code == 404


def test_a_large_door_visits_export_is_a_job_of_its_owner_in_scope_and_logged(
    client, head_a, leader, admin_user, homes, above_two, django_capture_on_commit_callbacks
):
    for home in homes["a"]:
        DoorVisitFactory(household=home, notes="=cmd|' /C calc'!A0")
    DoorVisitFactory(household=homes["b"])

    job = _start(client, head_a, VISITS, {"format": "csv"}, capture=django_capture_on_commit_callbacks)
    assert 'data-status="pending"' in client.get(reverse("core:export_job", args=[job.pk])).text
    run_export(job.pk)
    job.refresh_from_db()
    assert job.status == ExportJob.Status.READY and job.rows == job.total_rows == 3

    _others_get_404(client, job, leader, admin_user)
    assert not AccessLog.objects.filter(action=AccessAction.EXPORT).exists()
    client.force_login(head_a)
    rows = _rows(_download(client, job))
    assert len(rows) == 4  # the header and village A's three visits
    assert {row[4] for row in rows[1:]} == {home.address for home in homes["a"]}
    assert all(row[-1].startswith("'=") for row in rows[1:])  # formula-escaped
    entry = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert entry.user == head_a and "3" in entry.object_repr and "csv" in entry.object_repr


def test_a_large_pledges_export_keeps_its_filters_and_masks_the_id_numbers(
    client, head_a, homes, village_b, above_two, django_capture_on_commit_callbacks
):
    signed = [PledgeFactory(resident=factories.ResidentFactory(household=home, name="陈某")) for home in homes["a"]]
    PledgeFactory(resident=factories.ResidentFactory(household=homes["a"][0], name="王某"))  # filtered out
    PledgeFactory(resident=factories.ResidentFactory(household=homes["b"], name="陈某"))  # out of scope

    job = _start(client, head_a, PLEDGES, {"format": "csv", "q": "陈"}, capture=django_capture_on_commit_callbacks)
    run_export(job.pk)
    text = _download(client, job)
    rows = _rows(text)
    assert len(rows) == 4 and {row[1] for row in rows[1:]} == {"陈某"}
    for pledge in signed:
        assert pledge.resident.id_number not in text and pledge.resident.masked_id_number in text
    entry = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert entry.fields == "id_number:masked" and not entry.object_repr.endswith("—")  # the filter is named


def test_a_large_fraud_cases_export_is_no_longer_cut_but_written_by_a_job(
    client, head_a, police, village_a, village_b, above_two, django_capture_on_commit_callbacks
):
    cases = FraudCaseFactory.create_batch(3, village=village_a)
    FraudCaseFactory(village=village_b)

    job = _start(client, head_a, CASES, {"format": "csv"}, capture=django_capture_on_commit_callbacks)
    run_export(job.pk)
    _others_get_404(client, job, police)
    client.force_login(head_a)
    text = _download(client, job)
    assert sorted(row[0] for row in _rows(text)[1:]) == sorted(case.case_number for case in cases)
    for case in cases:
        assert case.victim.id_number not in text and case.victim.masked_id_number in text
        assert case.victim.phone not in text
    assert AccessLog.objects.get(action=AccessAction.EXPORT).fields == "id_number:masked,phone:masked"


def test_the_admins_large_registry_export_is_a_job_with_the_lists_filters(
    client, admin_user, leader, homes, above_two, django_capture_on_commit_callbacks
):
    elderly = [factories.ResidentFactory(household=home, is_elderly=True) for home in homes["a"]]
    factories.ResidentFactory(household=homes["b"], is_elderly=True)
    factories.ResidentFactory(household=homes["a"][0], is_elderly=False)  # not in the filtered list
    url = reverse("admin:residents_resident_export") + "?is_elderly__exact=1"
    client.force_login(admin_user)
    form = client.get(url).context["form"]
    data = {"format": "1", "resource": "0"}  # CSV
    data.update({name: "on" for name in form.fields if name.startswith("residentresource")})

    job = _start(client, admin_user, url, post=data, capture=django_capture_on_commit_callbacks)
    assert job.kind == "admin_residents" and job.format == "csv"
    run_export(job.pk)
    job.refresh_from_db()
    assert job.rows == 4  # village A's three and village B's one elderly resident
    _others_get_404(client, job, leader)
    client.force_login(admin_user)
    text = _download(client, job)
    assert len(_rows(text)) == 5
    for resident in elderly:
        assert resident.id_number not in text and resident.masked_id_number in text
    assert "13912345678" not in text and "139****5678" in text
    entry = AccessLog.objects.get(action=AccessAction.EXPORT)
    assert entry.user == admin_user and "id_number:masked" in entry.fields


def test_the_admins_export_in_a_job_stays_in_the_staff_members_scope(
    client, head_a, homes, above_two, django_capture_on_commit_callbacks
):
    """Village A's head, made staff, exports the admin's household list: village B is not in the file."""
    from django.contrib.auth.models import Permission

    head_a.is_staff = True
    head_a.save(update_fields=["is_staff"])
    head_a.user_permissions.add(
        *Permission.objects.filter(content_type__app_label="residents", codename="view_household")
    )
    url = reverse("admin:residents_household_export")
    client.force_login(head_a)
    form = client.get(url).context["form"]
    data = {"format": "1", "resource": "0"}
    data.update({name: "on" for name in form.fields if name.startswith("householdresource")})

    job = _start(client, head_a, url, post=data, capture=django_capture_on_commit_callbacks)
    run_export(job.pk)
    text = _download(client, job)
    assert all(home.address in text for home in homes["a"]) and homes["b"].address not in text


@pytest.mark.parametrize("url", [VISITS, PLEDGES, CASES])
def test_small_exports_are_answered_at_once(client, head_a, homes, url):
    DoorVisitFactory(household=homes["a"][0])
    client.force_login(head_a)
    response = client.get(url, {"format": "csv"})
    assert response.status_code == 200 and response["Content-Disposition"].startswith("attachment;")
    assert not ExportJob.objects.exists()
    assert AccessLog.objects.filter(action=AccessAction.EXPORT, user=head_a).count() == 1


def test_the_job_publishes_its_progress_as_it_writes(
    client, head_a, homes, above_two, monkeypatch, django_capture_on_commit_callbacks
):
    for home in homes["a"]:
        DoorVisitFactory(household=home)
    job = _start(client, head_a, VISITS, capture=django_capture_on_commit_callbacks)
    published = []
    monkeypatch.setattr(exports, "CHUNK_SIZE", 1)
    monkeypatch.setattr(exports, "_publish_progress", lambda pk, done, total: published.append((done, total)))
    run_export(job.pk)
    assert published == [(0, 3), (1, 3), (2, 3), (3, 3)]
    job.refresh_from_db()
    assert exports.export_progress(job)["percent"] == 100


def test_without_the_permission_check_or_the_access_log_nothing_is_exported(
    client, head_a, homes, monkeypatch, django_capture_on_commit_callbacks
):
    """core knows no roles and writes no access log itself: until the apps connect both, no file leaves."""
    client.force_login(head_a)
    monkeypatch.setattr(exports, "_hooks", exports._Hooks())
    with pytest.raises(ImproperlyConfigured):
        client.get(VISITS)
    monkeypatch.setattr(exports, "_hooks", exports._Hooks(permits=lambda user, capability: True))
    with pytest.raises(ImproperlyConfigured):
        client.get(VISITS)
