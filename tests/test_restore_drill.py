"""The backup/restore drill (deploy/restore_drill.sh) runs against the test database, as operations run it monthly.

It dumps (or takes a dump), restores into a scratch database, and compares every table's row count with the
source: exit 0 when all match, 1 with the tables that differ.
"""

import os
import subprocess
import uuid
from pathlib import Path
from urllib.parse import quote

import pytest
from django.conf import settings
from django.db import connection

from residents.models import Household
from tests import factories

DRILL = Path(settings.BASE_DIR) / "deploy" / "restore_drill.sh"
BACKUP = Path(settings.BASE_DIR) / "deploy" / "backup.sh"

pytestmark = pytest.mark.django_db(transaction=True)


def database_url() -> str:
    assert connection.vendor == "postgresql", "the drill is PostgreSQL's: run the tests with DATABASE_URL, as CI does"
    db = connection.settings_dict
    auth = quote(db["USER"] or "postgres") + (f":{quote(db['PASSWORD'])}" if db["PASSWORD"] else "")
    return f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def run(script: Path, *args, **env) -> subprocess.CompletedProcess:
    scratch = f"{connection.settings_dict['NAME']}_drill_{uuid.uuid4().hex[:8]}"
    environment = {**os.environ, "DATABASE_URL": database_url(), "RESTORE_DRILL_DB": scratch, **env}
    done = subprocess.run(
        ["bash", str(script), *map(str, args)], env=environment, capture_output=True, text=True, timeout=300
    )
    with connection.cursor() as cursor:  # the drill drops its scratch database
        cursor.execute("SELECT count(*) FROM pg_database WHERE datname = %s", [scratch])
        assert cursor.fetchone()[0] == 0
    return done


def test_the_drill_restores_every_table_with_its_rows(village_a, tmp_path):
    factories.HouseholdFactory.create_batch(3, village=village_a)
    done = run(DRILL)
    assert done.returncode == 0, done.stderr
    assert "restore drill: OK" in done.stdout and "tables" in done.stdout


def test_a_backup_missing_rows_fails_the_drill_with_the_tables_named(village_a, tmp_path):
    factories.HouseholdFactory(village=village_a)
    backup = run(BACKUP, BACKUP_DIR=tmp_path)
    assert backup.returncode == 0, backup.stderr
    [dump] = tmp_path.glob("luocun-*.dump")

    factories.HouseholdFactory.create_batch(2, village=village_a)  # written after the backup
    assert Household.objects.count() == 3
    done = run(DRILL, dump)
    assert done.returncode == 1
    assert "residents_household: source 3, restored 1" in done.stderr

    # A dump of a database in use: the drift allowed per table is a setting.
    assert run(DRILL, dump, MAX_DRIFT_PERCENT="50").returncode == 1  # 2 rows of 3 missing: 67 %
    assert run(DRILL, dump, MAX_DRIFT_PERCENT="1000").returncode == 0
