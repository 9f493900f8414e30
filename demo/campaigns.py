"""Demo door-knocking (敲门行动): visits and pledges over the last ten weeks, covering part of every demo village.

Each village has its own pace (:data:`COVERAGE_TARGETS`), so the ranking on the coverage page is believable:
罗村社区 is ahead, 塱沙村 behind. Some visits found nobody at home (the household stays on the to-do list,
and is sometimes reached on a later visit); some households installed the 国家反诈中心 app; part of the
adults of the visited households signed the pledge (a tiny shared PNG stands for the signatures).

Everything is drawn from ``random.Random`` seeded per village, over the village's households in address
order, and every random number is drawn whatever is already in the database; visits and pledges carry a
``client_id`` derived from the village, the address and the resident, so a re-run creates nothing.
Dates are counted back from the day of the first run. Rows are written with ``bulk_create``.
The visitors are the village's demo accounts (grid_a, grid_b, the warnings demo's team members, the
village head); a village without an account gets visits with no visitor named.
"""

from __future__ import annotations

import datetime
import io
import random
import uuid

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from PIL import Image, ImageDraw

from campaigns.counters import coverage_recount
from campaigns.materials import material_for
from campaigns.models import DoorVisit, Material, Pledge, PledgeMethod, PoliceContact
from demo.organization import TOWN, VILLAGES
from demo.residents import REFERENCE_DATE
from organization.models import Role, Unit, UnitKind, User
from residents.models import Household, Resident
from warnings_followup.models import FraudType

NAMESPACE = uuid.UUID("5f0e7d8a-2b7c-4c1e-9a51-6d2f3b8e4a10")
WEEKS = 10
# Share of households reached (someone at home) per village code suffix.
COVERAGE_TARGETS = {
    "001": 0.82,
    "002": 0.71,
    "003": 0.63,
    "004": 0.55,
    "005": 0.46,
    "006": 0.38,
    "007": 0.29,
    "008": 0.2,
}
NOT_AT_HOME_FIRST = 0.22  # a reached household was first found empty
NOT_AT_HOME_ONLY = 0.12  # an unreached household has a not-at-home visit
APP_INSTALLED = 0.35
PLEDGE_SIGNED = 0.7  # per adult of a reached household
PAPER_PHOTO = 0.2
ADULT_AGE = 16
VISITOR_ROLES = (Role.GRID_WORKER, Role.DISSUASION_TEAM, Role.VILLAGE_HEAD)
FRAUD_TYPES = [code for code in FraudType.values if code != FraudType.OTHER]
NOTES = (
    "",
    "",
    "",
    "已讲解刷单返利、冒充客服等常见骗局。",
    "老人独居，已提醒子女多关注。",
    "家中有在校学生，已提醒不要出借银行卡、手机卡。",
    "住户表示曾接到冒充公检法电话，已挂断。",
    "租户较多，已留下警民联系卡。",
)
POLICE_CONTACTS = (
    ("罗村派出所值班室", "0757-86400110"),
    ("罗村派出所反诈中队", "0757-86400096"),
    ("社区民警（罗村社区）", "0757-86400201"),
    ("全国反诈专线", "96110"),
    ("报警电话", "110"),
)
SIGNATURE_NAME = "pledges/demo-signature.png"


def _uuid(*parts) -> uuid.UUID:
    return uuid.uuid5(NAMESPACE, "/".join(str(part) for part in parts))


def signature_png() -> bytes:
    """A small transparent PNG with a dark stroke: stands for every demo signature."""
    image = Image.new("RGBA", (96, 32), (255, 255, 255, 0))
    draw = ImageDraw.Draw(image)
    draw.line([(6, 22), (20, 8), (34, 24), (50, 10), (66, 22), (88, 12)], fill=(20, 20, 20, 255), width=2)
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def _signature_name() -> str:
    """The shared demo signature, saved once."""
    if not default_storage.exists(SIGNATURE_NAME):
        return default_storage.save(SIGNATURE_NAME, ContentFile(signature_png()))
    return SIGNATURE_NAME


def _visitors_by_unit(village: Unit) -> tuple[dict[int, list[User]], list[User]]:
    """The village's demo accounts who go door to door: by their grid, and all of them."""
    users = list(
        User.objects.filter(is_active=True, unit__path__startswith=village.path, roles__role__in=VISITOR_ROLES)
        .distinct()
        .order_by("username")
    )
    by_unit: dict[int, list[User]] = {}
    for user in users:
        by_unit.setdefault(user.unit_id, []).append(user)
    return by_unit, users


def _when(rng: random.Random, now: datetime.datetime, *, min_days: float = 0.0) -> datetime.datetime:
    """A daytime moment in the last ten weeks (local time), never in the future."""
    days = rng.uniform(min_days, WEEKS * 7 - 1)
    local = timezone.localtime(now) - datetime.timedelta(days=days)
    moment = local.replace(hour=rng.randint(9, 19), minute=rng.randrange(60), second=0, microsecond=0)
    return min(moment, now - datetime.timedelta(minutes=30))  # pledges follow within 25 minutes


def _visit(client_id, household, moment, visitors, *, home: bool, installed: bool, rng: random.Random):
    fraud_types = rng.sample(FRAUD_TYPES, k=rng.randint(2, 4))
    note = rng.choice(NOTES)
    visit = DoorVisit(
        client_id=client_id,
        household=household,
        visited_at=moment,
        someone_home=home,
        gave_letter=True,
        gave_contact_card=True,
        gave_pledge_form=home,
        fraud_types_explained=fraud_types if home else [],
        app_installed=installed and home,
        notes=note if home else "家中无人，已在门口留下宣传资料。",
        recorded_by=visitors[0] if visitors else None,
    )
    visit.demo_visitors = visitors
    return visit


def _village_plan(village: Unit, suffix: str, now, adults: dict[int, list[Resident]]):
    """(visits, pledges as (client_id, resident, visit client_id, moment, method)) for the village."""
    rng = random.Random(f"luocun-outreach-{village.code}")
    target = COVERAGE_TARGETS.get(suffix, 0.3)
    by_unit, everyone = _visitors_by_unit(village)
    visits, pledges = [], []
    # The demo's own households only: seed_scale's flats ("…302房") get their visits from demo.scale.campaigns.
    households = Household.objects.filter(village=village).exclude(address__endswith="房")
    for household in households.order_by("address", "pk"):
        draw_reached, draw_empty_first, draw_empty_only = rng.random(), rng.random(), rng.random()
        draw_installed = rng.random()
        # Earlier weeks for households reached first, so that the cumulative chart climbs.
        reached_at = _when(rng, now)
        empty_at = _when(rng, now, min_days=(timezone.localtime(now) - reached_at).days + 1)
        team = by_unit.get(household.grid_id) or everyone
        visitors = team[:2] if team else []
        key = f"{village.code}/{household.address}"
        member_draws = [
            (resident, rng.random(), rng.random(), rng.randint(3, 25)) for resident in adults.get(household.pk, [])
        ]
        if draw_reached < target:
            if draw_empty_first < NOT_AT_HOME_FIRST and empty_at < reached_at:
                visits.append(
                    _visit(_uuid(key, "empty"), household, empty_at, visitors, home=False, installed=False, rng=rng)
                )
            visit = _visit(
                _uuid(key, "reached"),
                household,
                reached_at,
                visitors,
                home=True,
                installed=draw_installed < APP_INSTALLED,
                rng=rng,
            )
            visits.append(visit)
            for resident, signs, paper, minutes in member_draws:
                if signs < PLEDGE_SIGNED:
                    method = PledgeMethod.PAPER_PHOTO if paper < PAPER_PHOTO else PledgeMethod.SIGNED_ON_PHONE
                    moment = reached_at + datetime.timedelta(minutes=minutes)
                    pledges.append((_uuid("pledge", resident.id_number_hash), resident, visit, moment, method))
        elif draw_empty_only < NOT_AT_HOME_ONLY:
            visits.append(
                _visit(_uuid(key, "empty"), household, reached_at, visitors, home=False, installed=False, rng=rng)
            )
    return visits, pledges


def _adults(village: Unit) -> dict[int, list[Resident]]:
    """Residents aged 16 or more (on the registry demo's fixed reference date, so the draws never shift)."""
    cutoff = REFERENCE_DATE.replace(year=REFERENCE_DATE.year - ADULT_AGE)
    adults: dict[int, list[Resident]] = {}
    members = (
        Resident.objects.filter(household__village=village, birth_date__lte=cutoff)
        .exclude(household__address__endswith="房")
        .order_by("household_id", "pk")
    )
    for resident in members.only("pk", "household_id", "id_number_hash", "birth_date"):
        adults.setdefault(resident.household_id, []).append(resident)
    return adults


def _seed_contacts() -> int:
    created = 0
    for order, (label, phone) in enumerate(POLICE_CONTACTS, start=1):
        _contact, was_created = PoliceContact.objects.get_or_create(
            label=label, defaults={"phone": phone, "order": order}
        )
        created += was_created
    return created


@transaction.atomic
def seed() -> dict[str, int]:
    """Add the demo door visits, pledges, contact numbers and printed materials (idempotent). Returns counts."""
    now = timezone.now()
    for kind in Material.values:
        material_for(kind)
    created_contacts = _seed_contacts()

    suffixes = {TOWN[0] + row[0]: row[0] for row in VILLAGES}
    villages = Unit.objects.filter(code__in=suffixes, kind=UnitKind.VILLAGE).order_by("code")
    existing_visits = set(DoorVisit.objects.values_list("client_id", flat=True))
    existing_pledges = set(Pledge.objects.values_list("client_id", flat=True))
    pledged_residents = set(Pledge.objects.values_list("resident_id", flat=True))
    new_visits, new_pledges = [], []
    for village in villages:
        visits, pledges = _village_plan(village, suffixes[village.code], now, _adults(village))
        new_visits += [visit for visit in visits if visit.client_id not in existing_visits]
        new_pledges += [row for row in pledges if row[0] not in existing_pledges and row[1].pk not in pledged_residents]

    DoorVisit.objects.bulk_create(new_visits, batch_size=500)
    ids = dict(
        DoorVisit.objects.filter(client_id__in=[visit.client_id for visit in new_visits]).values_list("client_id", "pk")
    )
    Through = DoorVisit.visitors.through
    Through.objects.bulk_create(
        [
            Through(doorvisit_id=ids[visit.client_id], user_id=user.pk)
            for visit in new_visits
            for user in visit.demo_visitors
        ],
        batch_size=1000,
    )
    visit_ids = ids | dict(
        DoorVisit.objects.filter(client_id__in={row[2].client_id for row in new_pledges} - set(ids)).values_list(
            "client_id", "pk"
        )
    )
    image = _signature_name() if new_pledges else SIGNATURE_NAME
    Pledge.objects.bulk_create(
        [
            Pledge(
                client_id=client_id,
                resident_id=resident.pk,
                visit_id=visit_ids[visit.client_id],
                signed_at=moment,
                method=method,
                image=image,
                collected_by=visit.recorded_by,
            )
            for client_id, resident, visit, moment, method in new_pledges
        ],
        batch_size=500,
    )
    coverage_recount(village_ids=[village.pk for village in villages])  # bulk writes: counters recounted
    demo_villages = Q(household__village__in=villages)
    return {
        "visits": DoorVisit.objects.filter(demo_villages).count(),
        "households_visited": DoorVisit.objects.filter(demo_villages).reached().values("household").distinct().count(),
        "pledges": Pledge.objects.filter(resident__village__in=villages).count(),
        "created_visits": len(new_visits),
        "created_pledges": len(new_pledges),
        "created_contacts": created_contacts,
    }


def recount_coverage() -> dict[str, int]:
    """The demo's seeders write in bulk (the registry, this one, the assessment's records check adds a visit):
    seed_demo recounts every coverage counter last."""
    result = coverage_recount()
    return {"coverage_counters_corrected": len(result.cells) + len(result.weeks)}
