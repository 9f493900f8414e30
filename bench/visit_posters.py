"""Fifty field workers posting follow-up visits at once, through gunicorn (issue 13).

Run on PostgreSQL::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luocun_bench .venv/bin/python -m bench.visit_posters

In the world of :mod:`bench.world`, at scale only: ``--posters`` (50) synthetic members of the dissuasion teams
of the villages with the most cases under follow-up get an API token each, and share those villages' cases.
gunicorn is started on 127.0.0.1 with two sync workers per core (``--workers``), ``bench.settings`` with
DEBUG off and a random ``SECRET_KEY``, connections kept 60 s as in production, against the throwaway database;
it is always stopped at the end. The posters send ``POST /api/v1/warnings/{id}/visits/`` (the body of the
README's API table: a fresh ``client_id``, ``visited_at``, ``method``, ``at_risk``) from threads of this process
(stdlib ``http.client``), each with its own token:

* ``single``: one poster alone, one request after the other, ``--single-seconds``: its p50 / p95;
* ``concurrent``: all posters at once, without pause, ``--seconds``: errors (anything but 200/201, or no
  answer), requests per second, p50 / p95, and p95 / single p95;
* ``paced``: all posters at once, each posting every ``--pace`` seconds (a busy field day compressed: at 2 s,
  25 posts a second offered), the same figures.

Goal (issue 13): 0 errors and p95 ≤ 4× the single-user p95 with 2 gunicorn workers per core. Without pause,
50 posters keep every worker busy, and each request waits for the others queued before it: its time is then
about posters / throughput whatever the code does, which the ``concurrent`` line shows with the throughput.
"""

from __future__ import annotations

import concurrent.futures
import contextlib
import datetime
import http.client
import json
import os
import secrets
import signal
import socket
import subprocess
import sys
import threading
import time
import uuid

from bench import world

NAME = "visit_posters"
AT_TOWN = False
GOAL_P95_RATIO = 4.0


def add_arguments(parser) -> None:
    parser.add_argument("--posters", type=int, default=50, help="concurrent posters (default 50)")
    parser.add_argument("--seconds", type=float, default=20.0, help="length of each concurrent run (default 20)")
    parser.add_argument("--single-seconds", type=float, default=10.0, help="length of the single-user run")
    parser.add_argument("--pace", type=float, default=2.0, help="seconds between a poster's posts when paced")
    parser.add_argument("--workers", type=int, default=None, help="gunicorn workers (default 2 per core)")


# --- the posters -------------------------------------------------------------------------------------------


def make_posters(count: int) -> list[dict]:
    """``count`` dissuasion-team members with tokens, spread over the villages with the most open cases; each
    gets its share of its village's cases under follow-up."""
    from django.db.models import Count

    from organization.models import Role, Unit, User, UserRole
    from organization.tokens import token_for_user
    from warnings_followup.models import FOLLOW_UP_STATUSES, WarningOrder

    villages = list(
        WarningOrder.objects.filter(status__in=FOLLOW_UP_STATUSES)
        .values("village_id")
        .annotate(open=Count("id"))
        .order_by("-open", "village_id")[:count]
    )
    if not villages:
        raise RuntimeError("no case under follow-up to post visits to")
    posters = []
    for index in range(count):
        village_id = villages[index % len(villages)]["village_id"]
        user, created = User.objects.get_or_create(
            username=f"bench-poster-{index:02d}", defaults={"unit": Unit.objects.get(pk=village_id)}
        )
        if created:
            user.set_unusable_password()
            user.save(update_fields=["password"])
            UserRole.objects.create(user=user, role=Role.DISSUASION_TEAM)
        posters.append({"username": user.username, "village_id": village_id, "token": token_for_user(user).key})
    by_village: dict[int, list[dict]] = {}
    for poster in posters:
        by_village.setdefault(poster["village_id"], []).append(poster)
    for village_id, group in by_village.items():
        cases = list(
            WarningOrder.objects.filter(village_id=village_id, status__in=FOLLOW_UP_STATUSES)
            .order_by("pk")
            .values_list("pk", flat=True)
        )
        for offset, poster in enumerate(group):
            poster["warnings"] = cases[offset :: len(group)] or cases
    return posters


def post_visit(port: int, poster: dict, number: int) -> tuple[float, int | str]:
    """One visit; (seconds, status code or the error's name)."""
    warning = poster["warnings"][number % len(poster["warnings"])]
    body = json.dumps(
        {
            "client_id": str(uuid.uuid4()),
            "visited_at": datetime.datetime.now(datetime.UTC).isoformat(),
            "method": "in_person" if number % 3 else "phone",
            "at_risk": number % 5 == 0,
            "notes": "bench",
        }
    )
    headers = {"Authorization": f"Token {poster['token']}", "Content-Type": "application/json"}
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("POST", f"/api/v1/warnings/{warning}/visits/", body=body, headers=headers)
        response = connection.getresponse()
        response.read()
        status: int | str = response.status
    except (OSError, http.client.HTTPException) as error:
        status = type(error).__name__
    finally:
        connection.close()
    return time.perf_counter() - started, status


def run_posters(port: int, posters: list[dict], *, seconds: float, pace: float = 0.0) -> dict:
    """Every poster posts until ``seconds`` have passed (waiting ``pace`` between its posts)."""
    deadline = time.perf_counter() + seconds
    lock = threading.Lock()
    latencies: list[float] = []
    errors: dict[str, int] = {}

    def poster_loop(poster: dict, start_delay: float) -> None:
        time.sleep(start_delay)
        number = 0
        while time.perf_counter() < deadline:
            began = time.perf_counter()
            elapsed, status = post_visit(port, poster, number)
            number += 1
            with lock:
                if status in (200, 201):
                    latencies.append(elapsed)
                else:
                    errors[str(status)] = errors.get(str(status), 0) + 1
            if pace:
                time.sleep(max(0.0, pace - (time.perf_counter() - began)))

    started = time.perf_counter()
    with concurrent.futures.ThreadPoolExecutor(max_workers=len(posters)) as pool:
        # Paced posters start spread over one pace, as people do; the others all at once.
        delays = [pace * index / len(posters) for index in range(len(posters))]
        for future in [pool.submit(poster_loop, poster, delay) for poster, delay in zip(posters, delays, strict=True)]:
            future.result()
    wall = time.perf_counter() - started
    return {
        "posters": len(posters),
        "pace_s": pace,
        "requests": len(latencies) + sum(errors.values()),
        "errors": sum(errors.values()),
        "error_kinds": errors,
        "per_second": round((len(latencies) + sum(errors.values())) / wall, 1),
        "p50_ms": world.ms(world.percentile(latencies, 0.50)),
        "p95_ms": world.ms(world.percentile(latencies, 0.95)),
        "max_ms": world.ms(max(latencies)) if latencies else None,
    }


# --- gunicorn ----------------------------------------------------------------------------------------------


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@contextlib.contextmanager
def gunicorn(workers: int):
    port = _free_port()
    env = world.child_environment(BENCH_CONN_MAX_AGE="60", SECRET_KEY=secrets.token_urlsafe(48), DEBUG="false")
    gunicorn_bin = os.path.join(os.path.dirname(sys.executable), "gunicorn")
    command = [
        gunicorn_bin,
        "--config",
        str(world.ROOT / "gunicorn.conf.py"),
        "--bind",
        f"127.0.0.1:{port}",
        "--workers",
        str(workers),
        "--timeout",
        "60",
        "--log-level",
        "warning",
        "luocun_antifraud.wsgi:application",
    ]
    server = subprocess.Popen(command, env=env, cwd=world.ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    try:
        deadline = time.monotonic() + 60
        while True:
            if server.poll() is not None:
                raise RuntimeError(f"gunicorn exited: {server.stderr.read().decode(errors='replace')[-2000:]}")
            with contextlib.suppress(OSError):
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
                connection.request("GET", "/healthz")
                connection.getresponse().read()
                connection.close()
                break
            if time.monotonic() > deadline:
                raise RuntimeError("gunicorn did not answer within 60 s")
            time.sleep(0.3)
        yield port
    finally:
        server.send_signal(signal.SIGTERM)
        try:
            server.wait(timeout=20)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()


# --- the measurement ---------------------------------------------------------------------------------------


def measure(*, scale: str, options) -> dict:
    from django.db import connection

    from warnings_followup.models import FollowUpVisit

    posters = make_posters(options.posters)
    workers = options.workers or 2 * (os.cpu_count() or 1)
    visits_before = FollowUpVisit.objects.count()
    connection.close()
    with gunicorn(workers) as port:
        for poster in posters:  # warm-up: every worker has loaded, every token works
            _seconds, status = post_visit(port, poster, 0)
            if status not in (200, 201):
                raise RuntimeError(f"the warm-up visit of {poster['username']} answered {status}")
        single = run_posters(port, posters[:1], seconds=options.single_seconds)
        concurrent_run = run_posters(port, posters, seconds=options.seconds)
        paced = run_posters(port, posters, seconds=options.seconds, pace=options.pace)
    for run in (concurrent_run, paced):
        run["p95_over_single"] = round(run["p95_ms"] / single["p95_ms"], 2) if single["p95_ms"] else None
    return {
        "workers": workers,
        "single": single,
        "concurrent": concurrent_run,
        "paced": paced,
        "visits_written": FollowUpVisit.objects.count() - visits_before,
    }


def goals(results: dict) -> dict[str, bool]:
    met = {}
    for data in results["scales"].values():
        for name in ("concurrent", "paced"):
            run = data[name]
            how = "without pause" if name == "concurrent" else f"one post every {run['pace_s']:g} s each"
            met[f"{run['posters']} posters {how}: 0 errors"] = run["errors"] == 0
            met[f"{run['posters']} posters {how}: p95 ≤ {GOAL_P95_RATIO:g}× single-user p95"] = (
                run["p95_over_single"] is not None and run["p95_over_single"] <= GOAL_P95_RATIO
            )
    return met


def report(results: dict) -> list[str]:
    header = f"{'scale':>6} {'run':22} | {'requests':>8} {'errors':>6} {'req/s':>6} {'p50 ms':>7} {'p95 ms':>7}"
    header += f" {'×':>6}"
    lines = []
    for scale, data in results["scales"].items():
        lines += [f"visit posters: gunicorn, {data['workers']} sync workers, POST /api/v1/warnings/{{id}}/visits/"]
        lines += [header, "-" * len(header)]
        for name in ("single", "concurrent", "paced"):
            run = data[name]
            label = {
                "single": "1 poster",
                "concurrent": f"{run['posters']} without pause",
                "paced": f"{run['posters']}, 1 per {run['pace_s']:g} s",
            }[name]
            ratio = run.get("p95_over_single")
            lines.append(
                f"{world.label(scale):>6} {label:22} | {run['requests']:8d} {run['errors']:6d} "
                f"{run['per_second']:6.1f} {run['p50_ms']:7.1f} {run['p95_ms']:7.1f} "
                f"{ratio if ratio is not None else '':>6}"
            )
    return lines


def main(argv: list[str] | None = None) -> int:
    return world.run(
        [sys.modules[__name__]], argv, prog="python -m bench.visit_posters", description=__doc__.splitlines()[0]
    )


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
