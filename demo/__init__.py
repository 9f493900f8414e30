"""Demo data, in one app installed by the local and test settings only (never in production).

* ``seed_demo`` builds the demo town: one module per feature (``demo/<app>.py``: its data tables and the small
  builders that write them through the app's services), run in the order of
  :data:`demo.management.commands.seed_demo.SEEDERS`;
* ``seed_scale`` adds a synthetic county in the demo's proportions (``demo/scale/``: the shared machinery in
  ``demo.scale``, one module per app writing its tables with PostgreSQL COPY).

Nothing outside this app imports it: it sits above every other app.
"""
