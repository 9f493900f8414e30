"""Atomic imports on top of django-import-export: one bad row and nothing is written."""

from django.db import transaction


def import_dataset(resource, dataset, *, dry_run: bool, **kwargs):
    """Import ``dataset`` with ``resource``; roll everything back on a dry run or any row error.

    django-import-export rolls back on exceptions but still commits the good rows when other rows
    fail validation; the plan's imports must be all or nothing.
    """
    with transaction.atomic():
        result = resource.import_data(dataset, dry_run=dry_run, use_transactions=True, **kwargs)
        if dry_run or result.has_errors() or result.has_validation_errors():
            transaction.set_rollback(True)
    return result
