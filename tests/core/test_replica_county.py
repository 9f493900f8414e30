"""The county's read-only pages on the replica (issue 18: 4): every view named in REPLICA_READ_VIEWS exists, and the
county leadership's pages (a town's own dashboard drilled down to, the indicators, the bulletin, the reports and
the case analysis) read their figures from the ``replica`` alias, never from the primary.

As tests/core/test_replica.py: the test settings' ``replica`` alias is a second connection to the test database.
"""

import pytest
from django.conf import settings
from django.db import connections
from django.test.utils import CaptureQueriesContext
from django.urls import get_resolver, reverse

from tests import factories
from tests.organization.county import *  # noqa: F403 (the county's fixtures)

BOTH = ["default", "replica"]
# Tables of the figures: read from the replica only on these pages.
FIGURE_TABLES = ("residents_", "warnings_followup_", "fraud_cases_", "campaigns_", "publicity_", "assessment_")


def _url_names(resolver=None, namespace="") -> set[str]:
    resolver = resolver or get_resolver()
    names = set()
    for pattern in resolver.url_patterns:
        if hasattr(pattern, "url_patterns"):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            names |= _url_names(pattern, inner)
        elif pattern.name:
            names.add(f"{namespace}{pattern.name}")
    return names


def test_every_view_read_from_the_replica_is_a_url_of_the_application():
    """A renamed URL would silently go back to the primary: each name must still be there."""
    assert set(settings.REPLICA_READ_VIEWS) <= _url_names()


@pytest.mark.django_db(transaction=True, databases=BOTH)
@pytest.mark.parametrize(
    "url",
    [
        "/assessment/?town=T2",  # the county drills down to one town's own dashboard
        "/assessment/",
        "assessment:indicators",
        "assessment:bulletin",
        "assessment:report_list",
        "fraud_cases:analysis",
    ],
)
def test_the_countys_figures_are_read_from_the_replica(url, client, county, two_towns, settings):
    settings.REPLICA_READS = True
    village_a, village_2a = two_towns[0].children.get(code="VA"), two_towns[1].children.get(code="V2A")
    for village in (village_a, village_2a):
        household = factories.HouseholdFactory(village=village)
        factories.WarningFactory(village=village, person=factories.ResidentFactory(household=household))
    client.force_login(county)
    path = url if url.startswith("/") else reverse(url)
    with (
        CaptureQueriesContext(connections["replica"]) as replica,
        CaptureQueriesContext(connections["default"]) as primary,
    ):
        response = client.get(path)
    assert response.status_code == 200
    assert replica.captured_queries, f"{path} read nothing from the replica"
    primary_reads = [
        query["sql"] for query in primary.captured_queries if query["sql"].lstrip().upper().startswith("SELECT")
    ]
    assert not [sql for sql in primary_reads if any(f'"{table}' in sql for table in FIGURE_TABLES)], path
