"""The residents export: time and peak memory of the process that serves it (issue 13).

Run on PostgreSQL::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luocun_bench .venv/bin/python -m bench.exports

In the world of :mod:`bench.world`, at town scale and at scale, the registry's residents export
(``/residents/import/export/residents.xlsx``) is requested as ``admin`` (the whole registry: every resident
of every town) through Django's test ``Client``, in a fresh child process per measurement, so that each
peak is its own: ``ru_maxrss`` of the child after the request (the peak of a web worker serving it), and the
RSS it had before the request (Django loaded, logged in). When the answer is not the file but a job (a large
export runs in the background), the job is then run in another fresh child, as a Celery worker would run it,
and measured the same way (:func:`_run_job`), and the file it wrote is counted.

Goals (issue 13): exporting 700,000 rows, no web worker above 300 MB and the job done in ≤ 60 s. The scale's
export has fewer rows than that (one row per resident): the seconds are also shown per 700,000 rows at the
measured rate.
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time

from bench import world

NAME = "exports"
AT_TOWN = True
PATH = "/residents/import/export/residents.xlsx"
GOAL_RSS_MB = 300
GOAL_SECONDS_700K = 60.0


def add_arguments(parser) -> None:
    parser.add_argument("--export-user", default="admin", help="who exports (default admin: every resident)")


def _rss_mb() -> float:
    return round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1)


def _current_rss_mb() -> float:
    with open("/proc/self/status") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return round(int(line.split()[1]) / 1024, 1)
    return float("nan")


# --- the children ------------------------------------------------------------------------------------------


def _child_web(username: str, path: str) -> dict:
    from django.test import Client

    from organization.models import User

    client = Client()
    client.force_login(User.objects.get(username=username))
    client.get("/__floor__/")  # session, middleware and templates loaded: the worker as it idles
    before = _current_rss_mb()
    started = time.perf_counter()
    response = client.get(path)
    size = 0
    if response.streaming:
        for chunk in response.streaming_content:
            size += len(chunk)
    else:
        size = len(response.content)
    seconds = time.perf_counter() - started
    return {
        "status": response.status_code,
        "content_type": response.get("Content-Type", ""),
        "location": response.get("Location", ""),
        "bytes": size,
        "seconds": round(seconds, 2),
        "rss_before_mb": before,
        "peak_rss_mb": _rss_mb(),
    }


def _child_job(username: str) -> dict:
    """Run the newest export job of ``username`` as a worker would; see :func:`_run_job`."""
    before = _current_rss_mb()
    started = time.perf_counter()
    outcome = _run_job(username)
    return {
        **outcome,
        "seconds": round(time.perf_counter() - started, 2),
        "rss_before_mb": before,
        "peak_rss_mb": _rss_mb(),
    }


def _run_job(username: str) -> dict:
    """The newest export job of ``username`` (``core.models.ExportJob``), run by ``core.tasks.run_export`` as
    the worker runs it. Returns what it wrote."""
    try:
        from core.models import ExportJob
        from core.tasks import run_export
    except ImportError:
        return {"error": "no export jobs in this version"}
    job = ExportJob.objects.filter(created_by__username=username).order_by("-pk").first()
    if job is None:
        return {"error": "the view created no export job"}
    run_export(job.pk)
    job.refresh_from_db()
    return {
        "job": job.pk,
        "status": str(job.status),
        "rows": job.rows,
        "file_bytes": job.file.size if job.file else 0,
        "error": job.error or None,
    }


def child_main(argv: list[str]) -> int:
    world.setup_django()
    kind, username = argv[0], argv[1]
    result = _child_web(username, argv[2]) if kind == "web" else _child_job(username)
    print("BENCH-RESULT " + json.dumps(result))
    return 0


def _in_child(*args: str) -> dict:
    completed = subprocess.run(
        [sys.executable, "-m", "bench.exports", "--child", *args],
        env=world.child_environment(),
        capture_output=True,
        text=True,
        cwd=world.ROOT,
        check=False,
    )
    for line in completed.stdout.splitlines():
        if line.startswith("BENCH-RESULT "):
            return json.loads(line.removeprefix("BENCH-RESULT "))
    return {"error": (completed.stderr or completed.stdout)[-2000:]}


# --- the measurement ---------------------------------------------------------------------------------------


def measure(*, scale: str, options) -> dict:
    from django.db import connection

    from organization.models import User
    from residents.models import Resident

    user = User.objects.get(username=options.export_user)
    rows = Resident.objects.for_user(user).count()
    connection.close()  # the children write to the same database
    web = _in_child("web", user.username, PATH)
    result = {"user": user.username, "rows": rows, "web": web}
    is_file = web.get("status") == 200 and "spreadsheet" in web.get("content_type", "")
    if not is_file and "error" not in web:
        result["job"] = _in_child("job", user.username)
        if not result["job"].get("error"):
            result["job"].pop("error", None)
    finished = result.get("job", web)
    if finished.get("seconds") and rows:
        result["seconds_per_700k"] = round(finished["seconds"] * 700_000 / rows, 1)
    return result


def goals(results: dict) -> dict[str, bool]:
    met = {}
    for scale, data in results["scales"].items():
        if scale == "town":
            continue
        web = data["web"]
        met[f"the web process ≤ {GOAL_RSS_MB} MB exporting {data['rows']:,} rows"] = (
            web.get("peak_rss_mb", 1e9) <= GOAL_RSS_MB
        )
        if "seconds_per_700k" in data:
            met[f"the export ≤ {GOAL_SECONDS_700K:g} s per 700,000 rows"] = (
                data["seconds_per_700k"] <= GOAL_SECONDS_700K
            )
    return met


def report(results: dict) -> list[str]:
    header = (
        f"{'scale':>8} {'rows':>8} | {'web':>5} {'s':>7} {'RSS MB':>7} {'peak MB':>8} | "
        f"{'job s':>7} {'peak MB':>8} | {'s/700k':>7}"
    )
    lines = [f"exports: {PATH} in a fresh process each (peak = ru_maxrss)", header, "-" * len(header)]
    for scale, data in results["scales"].items():
        web, job = data["web"], data.get("job", {})
        label = world.label(scale)
        if "error" in web:
            lines.append(f"{label:>8} error: {web['error'][-300:]}")
            continue
        line = (
            f"{label:>8} {data['rows']:8d} | {web['status']:5d} {web['seconds']:7.2f} {web['rss_before_mb']:7.1f} "
            f"{web['peak_rss_mb']:8.1f} | "
        )
        if "seconds" in job:
            line += f"{job['seconds']:7.2f} {job['peak_rss_mb']:8.1f} | "
        else:
            line += f"{job.get('error', '—')[:16]:>16} | "
        line += f"{data.get('seconds_per_700k', float('nan')):7.1f}"
        lines.append(line)
    return lines


def main(argv: list[str] | None = None) -> int:
    argv = list(argv or [])
    if argv[:1] == ["--child"]:
        return child_main(argv[1:])
    return world.run([sys.modules[__name__]], argv, prog="python -m bench.exports", description=__doc__.splitlines()[0])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
