"""Read-only pages read from the PostgreSQL replica when there is one; writes and logins stay on the primary.

The test settings hold a second alias, ``replica``, on the same test database (``TEST: {"MIRROR": "default"}``), as
a streaming replica would be: a separate connection. It sees committed rows only, hence transactional tests.
"""

import pytest
from django.contrib.sessions.models import Session
from django.db import connections, router
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from luocun_antifraud.db_router import read_alias, reading_from_replica
from residents.models import Household
from tests import factories

BOTH = ["default", "replica"]


@pytest.fixture
def replica_on(settings):
    settings.REPLICA_READS = True


def tables(queries) -> str:
    return " ".join(query["sql"] for query in queries)


def reads(queries) -> str:
    return " ".join(query["sql"] for query in queries if query["sql"].lstrip().upper().startswith("SELECT"))


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_dashboard_reads_its_figures_from_the_replica(client, leader, replica_on, village_a):
    factories.HouseholdFactory(village=village_a)
    client.force_login(leader)
    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        response = client.get(reverse("assessment:dashboard"))
    assert response.status_code == 200
    assert replica.captured_queries, "the dashboard read nothing from the replica"
    # The primary answered the session and the user, read before the switch, and the writes; no figure.
    assert "assessment_" not in reads(primary.captured_queries)
    assert "residents_household" not in reads(primary.captured_queries)
    assert "organization_user" not in tables(replica.captured_queries)


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_the_indicators_api_reads_from_the_replica_and_the_token_from_the_primary(client, leader, replica_on):
    from rest_framework.authtoken.models import Token

    token = Token.objects.create(user=leader)
    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        response = client.get("/api/v1/indicators/", headers={"Authorization": f"Token {token.key}"})
    assert response.status_code == 200, response.content
    assert replica.captured_queries
    assert "authtoken_token" in tables(primary.captured_queries)
    assert "authtoken_token" not in tables(replica.captured_queries)


@pytest.mark.django_db(transaction=True, databases=BOTH)
def test_pages_that_write_or_lead_to_a_write_read_from_the_primary(client, leader, replica_on):
    client.force_login(leader)
    with CaptureQueriesContext(connections["replica"]) as replica:
        assert client.get(reverse("home")).status_code == 200
        client.post(reverse("assessment:dashboard"))  # not a GET: never the replica
    assert not replica.captured_queries


@pytest.mark.django_db(databases=BOTH)
def test_without_replica_reads_everything_reads_from_default(settings):
    settings.REPLICA_READS = False
    with reading_from_replica():
        assert read_alias() == "default"
        assert router.db_for_read(Household) == "default"


@pytest.mark.django_db(databases=BOTH)
def test_inside_reading_from_replica_reads_go_to_the_replica_and_writes_to_the_primary(replica_on):
    assert router.db_for_read(Household) == "default"
    with reading_from_replica():
        assert router.db_for_read(Household) == "replica"
        assert Household.objects.all().db == "replica"
        assert router.db_for_write(Household) == "default"
        assert router.db_for_read(Session) == "default"  # sessions: always the primary
        with reading_from_replica():  # nested: still the replica, and back after
            assert read_alias() == "replica"
        assert read_alias() == "replica"
    assert read_alias() == "default"


@pytest.mark.django_db(databases=BOTH)
def test_a_decorated_function_reads_from_the_replica(replica_on):
    @reading_from_replica()
    def figures():
        return read_alias()

    assert figures() == "replica" and read_alias() == "default"


def test_migrations_run_on_the_primary_only():
    assert router.allow_migrate("default", "residents")
    assert not router.allow_migrate("replica", "residents")
