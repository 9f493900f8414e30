"""What the registry's writes announce, for the apps that keep figures about households and residents.

Sent by :mod:`residents.services` inside the write's transaction (a receiver's writes commit or roll back
with it); the door-knocking campaign keeps its coverage counters with them (``campaigns.apps``). The registry
knows no app above it: a new app that counts households connects its receivers in its own ``AppConfig.ready``.
"""

from django.dispatch import Signal

#: A household was registered: ``household``.
household_added = Signal()
#: A household moved to another village or grid: ``household``, ``old_village_id``, ``old_grid_id``.
household_moved = Signal()
#: A resident moved into, out of or between households: ``resident``, ``old_household_id`` (None: none before).
resident_moved = Signal()
#: Rows were written in bulk, bypassing the services (an import): ``village_ids``, the villages touched.
registry_bulk_written = Signal()
