"""What this app adds to the resident registry (connected in :class:`campaigns.apps.CampaignsConfig`).

The registry (``residents``) sits below this app and does not know it:

* it announces its writes with the signals of :mod:`residents.signals`, sent inside the write's transaction,
  and these receivers add their deltas to the coverage counters;
* its household list, export and API filter by ``?visited=`` (someone was at home at a door visit) through the
  filter added here with ``residents.filters.household_filter_add``;
* its household and resident lists and the households API read their totals from the coverage counters
  (``residents.selectors.list_counter_add``) instead of counting the scope's rows.
"""

import django_filters
from django.utils.translation import gettext_lazy as _

from .counters import (
    coverage_count_household_added,
    coverage_count_household_moved,
    coverage_count_resident_moved,
    coverage_recount,
)
from .filters import visited_q
from .selectors import registry_households_count, registry_residents_count


def household_added(sender, *, household, **kwargs) -> None:
    coverage_count_household_added(household=household)


def household_moved(sender, *, household, old_village_id, old_grid_id, **kwargs) -> None:
    coverage_count_household_moved(household=household, old_village_id=old_village_id, old_grid_id=old_grid_id)


def resident_moved(sender, *, resident, old_household_id, **kwargs) -> None:
    coverage_count_resident_moved(resident=resident, old_household_id=old_household_id)


def registry_bulk_written(sender, *, village_ids, **kwargs) -> None:
    coverage_recount(village_ids=village_ids)


def filter_visited(queryset, name, value):
    if value is None:
        return queryset
    return queryset.filter(visited_q()) if value else queryset.exclude(visited_q())


def connect() -> None:
    from residents import signals
    from residents.filters import household_filter_add
    from residents.selectors import list_counter_add

    household_filter_add(
        "visited",
        django_filters.BooleanFilter(
            label=_("Visited by the door-knocking campaign (someone was at home)"), method=filter_visited
        ),
    )

    list_counter_add("household", registry_households_count)
    list_counter_add("resident", registry_residents_count)

    signals.household_added.connect(household_added, dispatch_uid="campaigns.household_added")
    signals.household_moved.connect(household_moved, dispatch_uid="campaigns.household_moved")
    signals.resident_moved.connect(resident_moved, dispatch_uid="campaigns.resident_moved")
    signals.registry_bulk_written.connect(registry_bulk_written, dispatch_uid="campaigns.registry_bulk_written")
