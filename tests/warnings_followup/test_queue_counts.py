"""The police queue's tab counts are cached (issue 13) and count again after any warning is written."""

import datetime
import uuid

import pytest

from tests.factories import WarningFactory
from warnings_followup import selectors
from warnings_followup.models import WarningStatus


@pytest.fixture(autouse=True)
def own_cache(settings):
    """A cache of this test's own: the shared one (files or Redis) is also written by other test processes, whose
    writes bump the report versions and would make a warm count count again."""
    settings.CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"warm-{uuid.uuid4().hex}",
            "OPTIONS": {"MAX_ENTRIES": 100_000},
        }
    }


def test_the_tab_counts_are_read_from_the_cache_until_a_warning_is_written(
    police, village_a, django_assert_max_num_queries
):
    today = datetime.date.today()
    WarningFactory(village=village_a, status=WarningStatus.PUSHED)
    assert selectors.queue_counts(user=police, today=today)["pushed"] == 1
    with django_assert_max_num_queries(1):  # the epoch; not the grouped count over every warning
        assert selectors.queue_counts(user=police, today=today)["pushed"] == 1

    warning = WarningFactory(village=village_a, status=WarningStatus.PUSHED)
    assert selectors.queue_counts(user=police, today=today)["pushed"] == 2
    warning.status = WarningStatus.DEFRAUDED
    warning.save()
    counts = selectors.queue_counts(user=police, today=today)
    assert counts == selectors._queue_counts(user=police, today=today)
    assert (counts["pushed"], counts["incidents"], counts["all"]) == (1, 1, 2)
    assert selectors.queue_counts(user=police, today=today, village=village_a)["all"] == 2


def test_the_queue_page_counts_no_warning_when_its_tab_counts_are_cached(
    client, police, village_a, django_assert_max_num_queries
):
    """The list's size is its tab's cached count: a warm queue reads one page of warnings, whatever their number."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def warm_queries(url):
        client.get(url)
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url)
        assert response.status_code == 200
        return response, [q["sql"] for q in captured.captured_queries]

    client.force_login(police)
    for _index in range(3):
        WarningFactory(village=village_a, status=WarningStatus.PUSHED)
    counts = {}
    for url in ("/warnings/", "/warnings/?tab=pushed", f"/warnings/?village={village_a.pk}"):
        response, queries = warm_queries(url)
        counts[url] = len(queries)
        assert not [sql for sql in queries if "COUNT(" in sql and "warnings_followup_warningorder" in sql]
    assert response.context["page"].paginator.count == 3
    for _index in range(30):
        WarningFactory(village=village_a, status=WarningStatus.PUSHED)
    for url, before in counts.items():
        response, queries = warm_queries(url)
        assert len(queries) == before
    assert response.context["page"].paginator.count == 33
    assert len(response.context["page"].object_list) == 25
