"""The police queue's tab counts are cached (issue 13) and count again after any warning is written."""

import datetime

from tests.factories import WarningFactory
from warnings_followup import selectors
from warnings_followup.models import WarningStatus


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
