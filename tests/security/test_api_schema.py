"""A chaos tester throws generated requests at every API operation: the answers must be exactly what the schema says.

Schemathesis reads ``/api/schema/`` and calls the WSGI application in-process (no network) with a leadership token
(sees every village) and a police token (may push warnings and record cases). Every answer must be documented:
no server error, a documented status code and content type, a body matching the schema, invalid input refused and
valid input accepted. Bounded and derandomized, so CI gets the same few hundred requests every run.
"""

import copy
import datetime
import json

import pytest
import schemathesis
from django.core import signals
from django.db import close_old_connections
from hypothesis import HealthCheck, settings
from rest_framework.authtoken.models import Token
from schemathesis.checks import positive_data_acceptance

from organization.models import Role
from tests import factories
from tests.campaigns.factories import DoorVisitFactory
from tests.fraud_cases.factories import FraudCaseFactory
from tests.publicity.factories import ActivityFactory, WorkTaskFactory
from tests.schools.factories import CardApplicationFactory, StudentFactory

EXAMPLES = 12  # per operation and role
CHAINS = 15  # stateful runs of up to 6 linked calls

BOUNDED = settings(
    max_examples=EXAMPLES,
    deadline=None,
    derandomize=True,
    database=None,
    suppress_health_check=list(HealthCheck),
)


@pytest.fixture
def api_world(town, village_a, village_b, grid_a1, police_station, middle_school, publicity_office, leader, police):
    """A little of everything the API serves, so that generated ids sometimes hit a real row."""
    household = factories.HouseholdFactory(village=village_a, grid=grid_a1)
    factories.ResidentFactory(household=household, village=village_a)
    warning = factories.WarningFactory(village=village_a)
    factories.FollowUpVisitFactory(warning=warning)
    factories.StopPaymentAccountFactory(warning=warning)
    FraudCaseFactory(village=village_b)
    DoorVisitFactory(household=household)
    student = StudentFactory(school=middle_school)
    CardApplicationFactory(student=student)
    ActivityFactory(unit=publicity_office, held_on=datetime.date.today())
    WorkTaskFactory(plan__unit=publicity_office)
    factories.UserFactory(username="school_staff", unit=middle_school, roles=[Role.SCHOOL_STAFF])
    return {"leader": leader, "police": police}


# The callers' token keys, fixed so that the schemas can carry them from collection on (api_world creates them).
KEYS = {"leader": "5c4e3a0f" * 5, "police": "9b1d7e26" * 5}


def _authorization(role: str) -> dict:
    return {"Authorization": f"Token {KEYS[role]}"}


def _document() -> dict:
    """The schema exactly as ``/api/schema/`` serves it (the generator needs no database)."""
    from drf_spectacular.generators import SchemaGenerator
    from drf_spectacular.renderers import OpenApiJsonRenderer

    return json.loads(OpenApiJsonRenderer().render(SchemaGenerator().get_schema(request=None, public=True)))


def _schema_for(role: str, document: dict):
    """The schema bound to the WSGI app, every request sent with ``role``'s token (the tests pass it explicitly
    too). Schemathesis knows the header is the credential: its "auth is enforced" check sends requests again
    without it, and with a wrong one, and expects 401."""
    from django.core.wsgi import get_wsgi_application

    config = schemathesis.Config.from_dict(
        {
            "seed": 20231201,
            "headers": _authorization(role),
            # A NUL byte anywhere answers 400 (core.faults): documented, but not a valid string to send. The
            # credential is the caller's token, never a generated one.
            "generation": {"allow-x00": False, "with-security-parameters": False},
        }
    )
    loaded = schemathesis.openapi.from_dict(copy.deepcopy(document), config=config)
    loaded.app = get_wsgi_application()
    loaded.location = "/api/schema/"
    return loaded


_DOCUMENT = _document()
leadership_api = _schema_for("leader", _DOCUMENT)
police_api = _schema_for("police", _DOCUMENT)


@pytest.fixture
def callers(api_world):
    """The leader's and the police officer's tokens. The test's database connection stays open between requests
    (as Django's test client keeps it): the whole run is inside the test's transaction, and what the POSTs create
    is rolled back."""
    for role, key in KEYS.items():
        Token.objects.create(user=api_world[role], key=key)
    signals.request_started.disconnect(close_old_connections)
    signals.request_finished.disconnect(close_old_connections)
    yield
    signals.request_started.connect(close_old_connections)
    signals.request_finished.connect(close_old_connections)


def _checks_for(case) -> dict:
    """Every check, but "valid data is accepted" only for reads: a write's rules (an ID number's check digit, a
    date not in the future, a visitor on the village's team) cannot be said in JSON Schema, so a schema-valid
    body may rightly answer 400."""
    return {"excluded_checks": [positive_data_acceptance] if case.method.upper() == "POST" else []}


@leadership_api.parametrize()
@BOUNDED
def test_every_operation_answers_as_documented_to_leadership(case, callers):
    case.call_and_validate(headers=_authorization("leader"), **_checks_for(case))


@police_api.parametrize()
@BOUNDED
def test_every_operation_answers_as_documented_to_the_police(case, callers):
    case.call_and_validate(headers=_authorization("police"), **_checks_for(case))


def test_chains_of_calls_answer_as_documented_to_the_police(callers):
    """Schemathesis follows the schema's links (a pushed warning, then its visits and transitions; a registered
    case, then reading it) for a few short chains, checking every answer as above."""

    class Chains(police_api.as_state_machine()):
        def validate_response(self, response, case, additional_checks=None, **kwargs):
            case.validate_response(response, transport_kwargs=kwargs, **_checks_for(case))

    Chains.run(
        settings=settings(
            max_examples=CHAINS,
            stateful_step_count=6,
            deadline=None,
            derandomize=True,
            database=None,
            suppress_health_check=list(HealthCheck),
        )
    )


# --- the same defences, one story each (fast, and readable without schemathesis) ------------------------------


def test_a_path_that_matches_nothing_under_api_answers_a_json_404_never_the_html_page(api_as, leader):
    client = api_as(leader)
    for url in ("/api/nope", "/api/v1/nope/", "/api/v1/warnings/abc/", "/api/v1/students/%C2%84/", "/api/v1/units.xyz"):
        response = client.get(url)
        assert response.status_code == 404, url
        assert response["Content-Type"] == "application/json", url
        assert response.json() == {"detail": "未找到。"}, url


def test_an_anonymous_caller_learns_nothing_about_which_api_paths_exist(api_client, db):
    for url in ("/api/nope", "/api/v1/warnings/abc/", "/api/v1/warnings/"):
        response = api_client.get(url)
        assert response.status_code == 401, url
        assert response["Content-Type"] == "application/json", url


def test_a_known_path_without_its_slash_is_still_redirected(api_as, leader):
    response = api_as(leader).get("/api/v1/warnings?status=closed")
    assert response.status_code == 301
    assert response["Location"] == "/api/v1/warnings/?status=closed"


def test_an_unsupported_method_answers_405_with_allow_even_where_the_role_sees_nothing(api_as, leader, outsider):
    """TRACE on the students list answered 404 (the scope check ran first): the method is the problem."""
    for user in (leader, outsider):
        client = api_as(user)
        for method in ("trace", "put", "delete"):
            response = getattr(client, method)("/api/v1/students/")
            assert response.status_code == 405, (user, method)
            assert response["Allow"] == "GET, HEAD, OPTIONS"
            assert response["Content-Type"] == "application/json"


def test_filters_say_no_to_values_outside_their_type_instead_of_ignoring_them(api_as, leader, police):
    """``overdue=maybe`` used to answer the whole list, as if the outside system had asked for everything."""
    asks = [
        (leader, "/api/v1/warnings/", {"overdue": "maybe"}, 400),
        (leader, "/api/v1/warnings/", {"status": ""}, 400),
        (leader, "/api/v1/publicity-activities/", {"held_to": ""}, 400),
        (leader, "/api/v1/door-visits/", {"household": "1.5"}, 400),
        (leader, "/api/v1/units/", {"page_size": "abc"}, 400),
        (leader, "/api/v1/units/", {"page_size": "0"}, 400),
        (leader, "/api/v1/units/", {"page": "abc"}, 404),
        (leader, "/api/v1/units/", {"page": ""}, 404),
        (police, "/api/v1/fraud-cases/", {"period": "2026-13"}, 400),
    ]
    for user, url, query, code in asks:
        response = api_as(user).get(url, query)
        assert response.status_code == code, (url, query, response.content)
        assert response["Content-Type"] == "application/json"
    # Text filters still take anything, and an empty one is no filter.
    assert api_as(leader).get("/api/v1/warnings/", {"village": ""}).status_code == 200
    assert api_as(leader).get("/api/v1/units/", {"page_size": "100000"}).json()["count"] >= 1


def test_a_query_parameter_given_twice_answers_400_rather_than_the_last_one_winning(api_as, leader):
    response = api_as(leader).get("/api/v1/indicators/?period=2026-01&period=2025-01")
    assert response.status_code == 400
    assert "period" in response.json()["detail"]


def test_django_s_own_error_pages_become_json_under_api(api_as, leader):
    """A request Django itself refuses (here a Host it does not serve: its HTML 400 page) is JSON under /api/."""
    response = api_as(leader).get("/api/v1/units/", HTTP_HOST="evil.example")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "Bad Request"}
