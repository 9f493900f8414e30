"""The police platform registers fraud cases through the API: idempotent by case number, scoped, masked."""

import datetime

import pytest
from django.utils import timezone

from core.validators import make_id_number
from fraud_cases.models import FraudCase
from residents.models import Resident
from tests import factories
from tests.fraud_cases.factories import FraudCaseFactory
from warnings_followup.models import WarningStatus

pytestmark = pytest.mark.django_db

LIST = "/api/v1/fraud-cases/"
VICTIM_ID = make_id_number("440605", datetime.date(1949, 10, 1), 77)


def body(**overrides):
    data = {
        "case_number": "J4406051242026110001",
        "reported_at": (timezone.now() - datetime.timedelta(hours=1)).isoformat(),
        "victim_name": "何伯",
        "id_number": VICTIM_ID,
        "phone": "13900001111",
        "village": "VA",
        "fraud_type": "impersonate_police",
        "loss_amount": "52000.00",
        "source": "platform",
    }
    data.update(overrides)
    return data


def test_posting_a_case_creates_it_once_then_answers_200(api_as, police, village_a):
    client = api_as(police)
    first = client.post(LIST, body(), format="json")
    assert first.status_code == 201, first.json()
    data = first.json()
    assert data["case_number"] == "J4406051242026110001"
    assert data["village"] == "VA" and data["source"] == "platform" and data["fraud_type"] == "impersonate_police"
    assert data["loss_amount"] == 52000.0 and data["recovered_amount"] == 0.0
    assert data["victim"]["name"] == "何伯"
    assert data["victim"]["id_number"] != VICTIM_ID and "*" in data["victim"]["id_number"]
    assert data["victim"]["phone"] == "139****1111"
    assert data["defrauded_after_warning"] is False and data["warning"] is None

    again = client.post(LIST, body(loss_amount="1.00"), format="json")
    assert again.status_code == 200
    assert again.json()["id"] == data["id"] and again.json()["loss_amount"] == 52000.0
    assert FraudCase.objects.count() == 1
    assert Resident.objects.count() == 1


def test_a_warned_victim_comes_back_defrauded_after_warning(api_as, police, village_a):
    person = factories.ResidentFactory(village=village_a, id_number=VICTIM_ID)
    warning = factories.WarningFactory(
        village=village_a, person=person, pushed_at=timezone.now() - datetime.timedelta(days=3)
    )
    response = api_as(police).post(LIST, body(), format="json")
    assert response.status_code == 201
    assert response.json()["defrauded_after_warning"] is True
    assert response.json()["warning"] == warning.external_id
    warning.refresh_from_db()
    assert warning.status == WarningStatus.DEFRAUDED


def test_bad_id_and_unknown_village_answer_400_per_field(api_as, police, village_a, village_b):
    client = api_as(police)
    response = client.post(LIST, body(id_number="440605194910010779X", village="NOPE"), format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"id_number", "village"}
    response = client.post(LIST, body(source="radio", loss_amount="-5"), format="json")
    assert response.status_code == 400
    assert set(response.json()) >= {"source", "loss_amount"}
    response = client.post(LIST, body(loss_amount="10", recovered_amount="20"), format="json")
    assert response.status_code == 400 and "recovered_amount" in response.json()
    assert not FraudCase.objects.exists()


def test_only_police_may_post(api_as, head_a, leader, village_a):
    for user in (head_a, leader):
        assert api_as(user).post(LIST, body(), format="json").status_code == 403
    assert not FraudCase.objects.exists()


def test_a_village_head_sees_only_their_village(api_as, head_a, village_a, village_b):
    own = FraudCaseFactory(village=village_a)
    other = FraudCaseFactory(village=village_b)
    client = api_as(head_a)
    listed = client.get(LIST).json()
    assert [row["case_number"] for row in listed["results"]] == [own.case_number]
    assert client.get(f"{LIST}{own.pk}/").status_code == 200
    assert client.get(f"{LIST}{other.pk}/").status_code == 404


def test_people_without_access_get_403_on_the_list_and_404_on_a_case(api_as, grid_a, school, village_a):
    case = FraudCaseFactory(village=village_a)
    for user in (grid_a, school):
        client = api_as(user)
        assert client.get(LIST).status_code == 403
        assert client.get(f"{LIST}{case.pk}/").status_code == 404


def test_filters(api_as, police, village_a, village_b):
    FraudCaseFactory(village=village_a, reported_at=timezone.make_aware(datetime.datetime(2026, 3, 31, 23, 30)))
    FraudCaseFactory(village=village_b, reported_at=timezone.make_aware(datetime.datetime(2026, 4, 1, 0, 30)))
    client = api_as(police)
    assert client.get(LIST, {"period": "2026-03"}).json()["count"] == 1
    assert client.get(LIST, {"period": "2026-Q2"}).json()["count"] == 1
    assert client.get(LIST, {"period": "2026"}).json()["count"] == 2
    assert client.get(LIST, {"village": "VB"}).json()["count"] == 1
    assert client.get(LIST, {"defrauded_after_warning": "true"}).json()["count"] == 0
    assert client.get(LIST, {"period": "2026-13"}).status_code == 400


def test_the_list_runs_a_bounded_number_of_queries(api_as, police, village_a, django_assert_max_num_queries):
    client = api_as(police)
    FraudCaseFactory.create_batch(2, village=village_a)
    client.get(LIST)
    with django_assert_max_num_queries(8) as small:
        assert client.get(LIST).json()["count"] == 2
    FraudCaseFactory.create_batch(30, village=village_a)
    with django_assert_max_num_queries(8) as large:
        assert client.get(LIST).json()["count"] == 32
    assert len(large.captured_queries) == len(small.captured_queries)


def test_the_openapi_schema_documents_the_fraud_case_api(tmp_path):
    from django.core.management import call_command

    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--file", str(out))
    text = out.read_text()
    assert "/api/v1/fraud-cases/:" in text and "/api/v1/fraud-cases/{id}/:" in text
    assert "FraudCaseRegister:" in text
