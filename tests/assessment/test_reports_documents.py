"""Units' documents (工作方案, 总结) kept per period, and files on the work plan's tasks (任务再分解): the unit
uploads its own, leadership reads every unit's, nobody else finds them (404)."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from assessment.models import DocumentKind, UnitDocument
from core.models import Attachment
from organization.models import Role
from tests import files
from tests.factories import UserFactory
from tests.publicity.factories import WorkPlanFactory, WorkTaskFactory

pytestmark = pytest.mark.django_db


def pdf(name="方案.pdf"):
    return SimpleUploadedFile(name, files.pdf(), content_type="application/pdf")


@pytest.fixture
def head_b(village_b):
    return UserFactory(username="head_b", unit=village_b, roles=[Role.VILLAGE_HEAD])


def upload(client, unit, **extra):
    body = {"unit": unit.pk, "kind": DocumentKind.WORK_PLAN, "period": "2026", "title": "联和村反诈宣防工作方案"}
    body.update(extra)
    body.setdefault("files", pdf())
    return client.post("/assessment/documents/", body)


def test_a_village_head_uploads_the_villages_work_plan_and_leadership_reads_it(client, head_a, leader, village_a):
    client.force_login(head_a)
    response = upload(client, village_a)
    document = UnitDocument.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/assessment/documents/{document.pk}/"
    assert (document.unit, document.period_key, document.uploaded_by) == (village_a, "2026", head_a)
    attachment = document.attachments.get()
    assert attachment.mime == "application/pdf"

    client.force_login(leader)
    assert "联和村反诈宣防工作方案" in client.get("/assessment/documents/").content.decode()
    assert client.get(f"/assessment/documents/{document.pk}/").status_code == 200
    assert client.get(f"/files/{attachment.pk}/").status_code == 200


def test_a_summary_is_kept_per_quarter_and_filtered(client, head_a, village_a):
    client.force_login(head_a)
    upload(client, village_a, kind=DocumentKind.SUMMARY, period="2026-Q3", title="三季度总结")
    upload(client, village_a, title="年度方案")
    page = client.get("/assessment/documents/?kind=summary").content.decode()
    assert "三季度总结" in page and "年度方案" not in page
    assert UnitDocument.objects.get(kind=DocumentKind.SUMMARY).period_key == "2026-Q3"


def test_a_fake_file_or_a_bad_period_is_refused(client, head_a, village_a):
    client.force_login(head_a)
    fake = SimpleUploadedFile("plan.pdf", b"MZ not a pdf at all", content_type="application/pdf")
    assert upload(client, village_a, files=fake).status_code == 200
    assert upload(client, village_a, period="2026-13").status_code == 200
    assert not UnitDocument.objects.exists()


def test_a_unit_uploads_only_for_itself(client, head_a, village_b):
    client.force_login(head_a)
    response = upload(client, village_b)
    assert response.status_code == 200  # not a choice of the form
    assert not UnitDocument.objects.exists()


def test_another_unit_finds_neither_the_document_nor_its_file(client, head_a, head_b, village_a, department_staff):
    client.force_login(head_a)
    upload(client, village_a)
    document = UnitDocument.objects.get()
    attachment = document.attachments.get()
    for user in (head_b, department_staff):
        client.force_login(user)
        assert "联和村反诈宣防工作方案" not in client.get("/assessment/documents/").content.decode()
        assert client.get(f"/assessment/documents/{document.pk}/").status_code == 404
        assert client.get(f"/files/{attachment.pk}/").status_code == 404


def test_the_village_team_without_the_work_plans_finds_nothing(client, grid_a):
    client.force_login(grid_a)
    assert client.get("/assessment/documents/").status_code == 404


def test_a_task_of_the_work_plan_carries_files(client, department_staff, publicity_office, leader, head_a):
    task = WorkTaskFactory(plan=WorkPlanFactory(unit=publicity_office))
    client.force_login(department_staff)
    assert client.get(f"/assessment/documents/tasks/{task.pk}/").status_code == 200
    response = client.post(f"/assessment/documents/tasks/{task.pk}/", {"files": pdf("海报.pdf")})
    assert response.status_code == 302
    attachment = Attachment.objects.get(object_id=task.pk)
    assert attachment.original_name == "海报.pdf"

    client.force_login(leader)
    page = client.get(f"/assessment/documents/tasks/{task.pk}/").content.decode()
    assert "海报.pdf" in page and 'data-testid="task-files-form"' not in page  # leadership reads
    assert client.get(f"/files/{attachment.pk}/").status_code == 200

    client.force_login(head_a)
    assert client.get(f"/assessment/documents/tasks/{task.pk}/").status_code == 404
    assert client.post(f"/assessment/documents/tasks/{task.pk}/", {"files": pdf()}).status_code == 404
    assert client.get(f"/files/{attachment.pk}/").status_code == 404
