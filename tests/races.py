"""Two people at once: run calls in threads released at the same moment (PostgreSQL race tests)."""

import threading

from django.db import connections


def run_together(*calls) -> tuple[list, list]:
    """Run ``calls`` in threads released together; returns ``(results, errors)``, each in finishing order."""
    barrier = threading.Barrier(len(calls))
    results, errors = [], []

    def run(call):
        try:
            barrier.wait()
            results.append(call())
        except Exception as error:  # noqa: BLE001 - returned to the test
            errors.append(error)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=run, args=(call,)) for call in calls]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return results, errors
