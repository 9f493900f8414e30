"""Every role's daily pages against the floor, at town scale and at scale (issue 13).

Run on PostgreSQL (``make bench`` runs it with the other parts)::

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/luocun_bench .venv/bin/python -m bench.pages
    DATABASE_URL=... .venv/bin/python -m bench.pages --residents 300000 --rounds 7

The world is built by :mod:`bench.world` (demo town, then ``seed_scale``). For each of the demo accounts
``leader``, ``police``, ``head_a`` and ``grid_a``, a Django test ``Client`` logged in as them (``force_login``,
in this process, no network) requests each page of :func:`pages_for`; a page the role may not open (403/404)
is listed as such and not timed. Then ``--rounds`` interleaved rounds: the floor (``bench.urls.floor``: the
base layout with an empty page, through the same middleware, session and context processors), the page, the
floor, the next page … Each page's time is the median of its rounds, its floor the median of the floors
requested next to it, its ratio page / floor. The growth from town to scale is the ratio at scale over the
ratio at town (the floor divides out whatever else the machine was doing).

Goals (issue 13): every page ≤ 3× the floor at scale, and ≤ 1.3× its own time at town scale.
"""

from __future__ import annotations

import statistics
import sys
import time
from dataclasses import dataclass, field

from bench import world

NAME = "pages"
AT_TOWN = True
ROLES = ("leader", "police", "head_a", "grid_a")
GOAL_RATIO = 3.0
GOAL_GROWTH = 1.3


def add_arguments(parser) -> None:
    parser.add_argument("--rounds", type=int, default=5, help="interleaved rounds per page (default 5)")
    parser.add_argument("--roles", default=",".join(ROLES), help="comma-separated demo accounts")


@dataclass
class Page:
    name: str
    path: str
    data: dict | None = None  # posted when given

    @property
    def method(self) -> str:
        return "POST" if self.data is not None else "GET"


@dataclass
class Timings:
    page: Page
    status: int = 0
    queries: int = 0
    bytes: int = 0
    seconds: list[float] = field(default_factory=list)
    floors: list[float] = field(default_factory=list)

    def as_dict(self) -> dict:
        row = {"page": self.page.name, "method": self.page.method, "path": self.page.path, "status": self.status}
        if not self.seconds:
            return row
        page, floor = statistics.median(self.seconds), statistics.median(self.floors)
        return {
            **row,
            "queries": self.queries,
            "bytes": self.bytes,
            "page_ms": world.ms(page),
            "floor_ms": world.ms(floor),
            "ratio": round(page / floor, 2),
            "page_ms_all": [world.ms(value) for value in self.seconds],
        }


# The person and the ID number each role's pages use are chosen once, at the first scale measured, and kept,
# so that the growth compares the same file and the same search.
_chosen: dict[str, dict] = {}


def _choose(user) -> dict:
    from django.db.models import Count

    from organization.access import units_visible_to
    from organization.models import UnitKind
    from residents.models import Resident
    from warnings_followup.models import WarningOrder

    if user.username in _chosen:
        return _chosen[user.username]
    busiest = (
        WarningOrder.objects.for_user(user)
        .values("person_id")
        .annotate(visits=Count("visits"), warnings=Count("id", distinct=True))
        .order_by("-warnings", "-visits", "person_id")
        .first()
    )
    resident = Resident.objects.for_user(user).filter(household__isnull=False).order_by("pk").first()
    # Coverage of the first grid in the user's scope (the demo's 001-01), its village and its town.
    grid = units_visible_to(user).filter(kind=UnitKind.GRID, is_active=True).select_related("parent__parent")
    grid = grid.order_by("code").first()
    _chosen[user.username] = {
        "person": busiest["person_id"] if busiest else None,
        "id_number": resident.id_number if resident else None,
        "units": [("grid", grid), ("village", grid.parent), ("town", grid.parent.parent)] if grid else [],
    }
    return _chosen[user.username]


def pages_for(user) -> list[Page]:
    """The daily pages (issue 13, item 2), with a person and an ID number from ``user``'s scope."""
    from django.utils import timezone

    today = timezone.localdate()
    month, year = f"{today:%Y-%m}", f"{today:%Y}"
    chosen = _choose(user)
    pages = [
        Page("home", "/"),
        Page("today", "/warnings/today/"),
        Page("warnings queue", "/warnings/"),
        Page("warnings KPI", "/warnings/kpi/"),
    ]
    if chosen["person"]:
        pages.append(Page("person file", f"/warnings/people/{chosen['person']}/"))
    pages += [
        Page("registry: households", "/residents/households/"),
        Page("registry: residents", "/residents/residents/"),
        Page("registry: villages", "/residents/villages/"),
        Page("households API: visited", "/api/v1/households/?visited=true"),
        Page("households API: not visited", "/api/v1/households/?visited=false"),
    ]
    if chosen["id_number"]:
        pages.append(Page("registry: posted ID search", "/residents/residents/", {"q": chosen["id_number"]}))
    pages.append(Page("to-visit households", "/campaigns/households/"))
    pages += [Page(f"coverage: {kind}", f"/campaigns/coverage/?unit={unit.code}") for kind, unit in chosen["units"]]
    pages += [
        Page("dashboard: month", f"/assessment/?period={month}"),
        Page("dashboard: year", f"/assessment/?period={year}"),
        Page("bulletin: month", f"/assessment/bulletin/?period={month}"),
        Page("indicators page", "/assessment/indicators/"),
        Page("indicators API: year", f"/api/v1/indicators/?period={year}"),
        Page("fraud cases", "/fraud-cases/"),
        Page("education", "/education/"),
        Page("publicity summary", "/publicity/summary/"),
    ]
    return pages


def _request(client, page: Page):
    started = time.perf_counter()
    if page.data is None:
        response = client.get(page.path)
    else:
        response = client.post(page.path, page.data)
    body = b"".join(response) if response.streaming else response.content
    return time.perf_counter() - started, response.status_code, len(body)


def measure_users(users, *, rounds: int) -> dict[str, list[dict]]:
    """Every page of every user against the floor, ``rounds`` interleaved rounds; rows per username."""
    from django.db import connection
    from django.test import Client
    from django.test.utils import CaptureQueriesContext

    from bench.urls import FLOOR_PATH

    floor = Page("floor", FLOOR_PATH)
    clients, plans = {}, []
    for user in users:
        client = Client()
        client.force_login(user)
        clients[user.username] = client
        _seconds, status, _size = _request(client, floor)
        if status != 200:
            raise RuntimeError(f"the floor answered {status} for {user.username}")
        for page in pages_for(user):
            with CaptureQueriesContext(connection) as captured:
                _seconds, status, size = _request(client, page)  # also the warm-up
            timings = Timings(page=page, status=status, queries=len(captured.captured_queries), bytes=size)
            plans.append((user.username, timings))
    for _round in range(rounds):
        for username, timings in plans:
            if timings.status != 200:
                continue
            client = clients[username]
            timings.floors.append(_request(client, floor)[0])
            seconds, status, _size = _request(client, timings.page)
            if status != 200:
                raise RuntimeError(f"{timings.page.path} answered {status} for {username} (200 at first)")
            timings.seconds.append(seconds)
    rows: dict[str, list[dict]] = {}
    for username, timings in plans:
        rows.setdefault(username, []).append(timings.as_dict())
    return rows


def measure(*, scale: str, options) -> dict:
    from organization.models import User

    roles = [name for name in options.roles.split(",") if name]
    users = list(User.objects.filter(username__in=roles))
    users.sort(key=lambda user: roles.index(user.username))
    return {"rounds": options.rounds, "roles": measure_users(users, rounds=options.rounds)}


def _rows(results: dict, scale: str):
    for role, rows in results["scales"].get(scale, {}).get("roles", {}).items():
        for row in rows:
            yield role, row


def _growth(results: dict) -> dict[tuple[str, str], float]:
    scales = list(results["scales"])
    if "town" not in scales or len(scales) < 2:
        return {}
    town = {(role, row["page"]): row for role, row in _rows(results, "town") if "ratio" in row}
    growth = {}
    for role, row in _rows(results, scales[-1]):
        before = town.get((role, row["page"]))
        if before and "ratio" in row:
            growth[(role, row["page"])] = round(row["ratio"] / before["ratio"], 2)
    return growth


def goals(results: dict) -> dict[str, bool]:
    scales = [scale for scale in results["scales"] if scale != "town"]
    met = {}
    for scale in scales:
        ratios = [row["ratio"] for _role, row in _rows(results, scale) if "ratio" in row]
        if ratios:
            met[f"every page ≤ {GOAL_RATIO:g}× the floor at {int(scale):,} residents"] = max(ratios) <= GOAL_RATIO
    growth = _growth(results)
    if growth:
        met[f"every page ≤ {GOAL_GROWTH:g}× its town-scale time (floor-normalised)"] = (
            max(growth.values()) <= GOAL_GROWTH
        )
    return met


def report(results: dict) -> list[str]:
    scales = list(results["scales"])
    growth = _growth(results)
    header = f"{'role':7} {'page':28} {'q':>3}"
    for scale in scales:
        header += f" | {world.label(scale) + ' ms':>9} {'floor':>6} {'×':>5}"
    if growth:
        header += f" | {'growth':>6}"
    rounds = next((data.get("rounds") for data in results["scales"].values()), "?")
    title = f"pages: medians of {rounds} interleaved rounds; × = page / floor; q = queries"
    if growth:
        title += "; growth = × at scale / × at town"
    lines = [title, header, "-" * len(header)]
    keyed = {scale: {(role, row["page"]): row for role, row in _rows(results, scale)} for scale in scales}
    order = list(dict.fromkeys(key for scale in scales for key in keyed[scale]))
    for role, page in order:
        first = next(keyed[scale][(role, page)] for scale in scales if (role, page) in keyed[scale])
        line = f"{role:7} {page[:28]:28} {first.get('queries', ''):>3}"
        for scale in scales:
            row = keyed[scale].get((role, page), {})
            if "ratio" in row:
                line += f" | {row['page_ms']:9.1f} {row['floor_ms']:6.1f} {row['ratio']:5.1f}"
            else:
                line += f" | {'(' + str(row.get('status', '—')) + ')':>9} {'':6} {'':5}"
        if growth:
            value = growth.get((role, page))
            line += f" | {value:6.2f}" if value is not None else f" | {'':6}"
        lines.append(line)
    return lines


def main(argv: list[str] | None = None) -> int:
    return world.run([sys.modules[__name__]], argv, prog="python -m bench.pages", description=__doc__.splitlines()[0])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
