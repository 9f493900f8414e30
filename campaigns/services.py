"""Writes of the door-knocking outreach: recording a visit, recording a signed pledge.

Both are idempotent by ``client_id`` (a UUID chosen when the form is rendered, or by the phone app):
posting the same one again returns the first record and creates nothing, so a flaky network never
makes two visits. Photos and signatures are stored inside :func:`core.uploads.files_removed_on_error`
around the transaction: a refused or failed save leaves neither a half-saved record nor an orphan file.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Subquery
from django.utils import timezone
from django.utils.translation import gettext as _

from audit.services import audit_event_record
from core.bulk import insert_unless_taken
from core.uploads import CheckedUpload, attach, files_removed_on_error, store
from organization.access import can, unit_in_scope
from organization.selectors import village_team
from residents.models import Household, Resident
from warnings_followup.models import FraudType

from .counters import cell_of, coverage_count_pledge, coverage_count_visit
from .models import MATERIAL_FIELDS, DoorVisit, Material, Pledge, PledgeMethod

CLOCK_SKEW = datetime.timedelta(minutes=5)


@dataclass(frozen=True)
class VisitResult:
    visit: DoorVisit
    created: bool


@dataclass(frozen=True)
class PledgeResult:
    pledge: Pledge
    created: bool


def can_record_visit(user, household: Household) -> bool:
    """The village team (and the police) record visits of the households in their scope."""
    return can(user, "campaigns.visit") and unit_in_scope(user, household.village)


def _existing_visit(client_id, household: Household) -> DoorVisit | None:
    existing = DoorVisit.objects.filter(client_id=client_id).first()
    if existing is not None and existing.household_id != household.pk:
        raise ValidationError({"client_id": _("This client id belongs to another household's visit.")})
    return existing


def _check_visit_input(*, visited_at, materials, fraud_types) -> None:
    errors = {}
    if visited_at > timezone.now() + CLOCK_SKEW:
        errors["visited_at"] = _("A door visit cannot be in the future.")
    unknown = [material for material in materials if material not in Material.values]
    if unknown:
        errors["materials"] = _("Unknown material: %(codes)s.") % {"codes": ", ".join(map(str, unknown))}
    unknown = [code for code in fraud_types if code not in FraudType.values]
    if unknown:
        errors["fraud_types"] = _("Unknown fraud type: %(codes)s.") % {"codes": ", ".join(map(str, unknown))}
    if errors:
        raise ValidationError(errors)


def _check_visitors(*, household, visitors, actor) -> list:
    """Who went: the village's team (and the recorder). Asks the database only when others are named."""
    people = list(dict.fromkeys(visitors)) or [actor]
    others = [person for person in people if person.pk != actor.pk]
    if others:
        allowed = set(
            village_team(village=household.village).filter(pk__in=[p.pk for p in others]).values_list("pk", flat=True)
        )
        strangers = [str(person) for person in others if person.pk not in allowed]
        if strangers:
            raise ValidationError(
                {"visitors": _("Not on this village's team: %(names)s.") % {"names": "、".join(strangers)}}
            )
    return people


def _lock_household(pk: int, *, client_id=None) -> Household:
    """The household's row, locked until the visit is saved and counted (with its village, for the checks), and
    ``replayed_visit``: the pk of a door visit already posted with ``client_id``, if any."""
    return (
        Household.objects.select_for_update(of=("self",))
        .select_related("village")
        .defer("contact_phone")
        .annotate(replayed_visit=Subquery(DoorVisit.objects.filter(client_id=client_id).values("pk")[:1]))
        .get(pk=pk)
    )


def door_visit_record(
    *,
    actor,
    household: Household,
    client_id,
    visited_at: datetime.datetime,
    someone_home: bool,
    materials: Iterable[str] = (),
    fraud_types: Iterable[str] = (),
    app_installed: bool = False,
    notes: str = "",
    visitors: Sequence = (),
    photos: Sequence[CheckedUpload] = (),
    visitors_checked: bool = False,
) -> VisitResult:
    """Record a door visit of ``household``. Not at home is a visit too (the household stays to visit).

    Re-posting the same ``client_id`` returns the first visit and creates nothing. The household is read
    again, locked, inside the transaction (``household`` may be a bare ``Household(pk=…)``): the scope check
    uses it, and the coverage counters count the visit against its earlier visits without a race. A
    household that does not exist raises ``Household.DoesNotExist``. Seven statements when the recorder went
    alone: the lock, the client id, the visit, its visitor, the counters, the audit event (and a photo each).
    """
    if not can(actor, "campaigns.visit"):
        raise PermissionDenied(_("Only the village's team and the police may record door visits."))
    materials = list(dict.fromkeys(materials))
    fraud_types = list(dict.fromkeys(fraud_types))
    _check_visit_input(visited_at=visited_at, materials=materials, fraud_types=fraud_types)
    # Issue 13: at most eight queries a POST. The lock reads the visit already posted with this client id; the
    # visit is inserted with ON CONFLICT DO NOTHING; no savepoint, so the refusals are raised after the block.
    refusal = None
    with files_removed_on_error(), transaction.atomic(savepoint=False):
        try:
            household = _lock_household(household.pk, client_id=client_id)
        except Household.DoesNotExist as missing:
            refusal = missing
        if refusal is not None:
            pass
        elif not can_record_visit(actor, household):
            refusal = PermissionDenied(_("Only the village's team and the police may record door visits."))
        elif household.replayed_visit is None:
            try:
                people = (
                    list(dict.fromkeys(visitors)) or [actor]
                    if visitors_checked
                    else _check_visitors(household=household, visitors=visitors, actor=actor)
                )
            except ValidationError as error:
                refusal = error
            else:
                visit = _door_visit_insert(
                    client_id=client_id,
                    household=household,
                    visited_at=visited_at,
                    someone_home=someone_home,
                    fraud_types_explained=fraud_types,
                    app_installed=app_installed,
                    notes=notes.strip(),
                    recorded_by=actor,
                    **{field: material in materials for material, field in MATERIAL_FIELDS.items()},
                )
        if refusal is None and household.replayed_visit is None and visit is not None:
            Through = DoorVisit.visitors.through
            Through.objects.bulk_create([Through(doorvisit_id=visit.pk, user_id=person.pk) for person in people])
            visit._prefetched_objects_cache = {"visitors": _ordered_users(people)}
            coverage_count_visit(visit=visit, cell=cell_of(household.village_id, household.grid_id))
            if photos:
                attach(visit, photos, user=actor)
            audit_event_record(
                actor=actor,
                subject=household,
                event="door_visit",
                new="reached" if someone_home else "not_home",
                reason=notes.strip(),
                visit=visit.pk,
                materials=materials,
                app_installed=app_installed,
            )
            return VisitResult(visit, True)
    if refusal is not None:
        raise refusal
    # Posted again (or twice at once: the other request inserted it): the first visit is the answer.
    existing = DoorVisit.objects.filter(client_id=client_id).first()
    if existing.household_id != household.pk:
        raise ValidationError({"client_id": _("This client id belongs to another household's visit.")})
    return VisitResult(existing, False)


def _door_visit_insert(**fields) -> DoorVisit | None:
    """The new visit, or None when its client id is taken (one INSERT … ON CONFLICT DO NOTHING)."""
    return insert_unless_taken(DoorVisit(**fields))


def _ordered_users(people):
    """The visitors as ``visit.visitors.all()`` lists them, without asking the database again."""
    from organization.models import User

    users = User.objects.filter(pk__in=[person.pk for person in people]).order_by("username")
    users._result_cache = sorted(people, key=lambda person: person.username)
    users._prefetch_done = True
    return users


def pledge_record(
    *,
    actor,
    resident: Resident,
    client_id,
    image: CheckedUpload,
    method: str,
    visit: DoorVisit | None = None,
    signed_at: datetime.datetime | None = None,
) -> PledgeResult:
    """Keep a resident's signed pledge on file (备案留存): a signature drawn on the phone or a photo of
    the signed paper form. One pledge per resident; re-posting the same ``client_id`` returns it."""
    if not can(actor, "campaigns.visit") or not unit_in_scope(actor, resident.village):
        raise PermissionDenied(_("Only the village's team and the police may record pledges."))
    existing = Pledge.objects.filter(client_id=client_id).first()
    if existing is not None:
        if existing.resident_id != resident.pk:
            raise ValidationError({"client_id": _("This client id belongs to another resident's pledge.")})
        return PledgeResult(existing, False)
    if method not in PledgeMethod.values:
        raise ValidationError({"method": _("Sign on the phone or photograph the signed form.")})
    if visit is not None and (resident.household_id is None or visit.household_id != resident.household_id):
        raise ValidationError({"resident": _("This person does not live in the visited household.")})
    signed_at = signed_at or timezone.now()
    if signed_at > timezone.now() + CLOCK_SKEW:
        raise ValidationError({"signed_at": _("A pledge cannot be signed in the future.")})
    try:
        with files_removed_on_error(), transaction.atomic():
            locked = Resident.objects.select_for_update(of=("self",)).select_related("household").get(pk=resident.pk)
            prior = Pledge.objects.filter(resident=locked).first()
            if prior is not None:
                raise already_signed_error(resident, prior)
            pledge = Pledge.objects.create(
                client_id=client_id,
                resident=locked,
                visit=visit,
                signed_at=signed_at,
                method=method,
                image=store(image, folder="pledges"),
                collected_by=actor,
            )
            coverage_count_pledge(pledge=pledge, household=locked.household)
            # On the pledge, not the person: the person file shows pledges from its own source.
            audit_event_record(actor=actor, subject=pledge, event="pledge", new=method, visit=visit and visit.pk)
    except IntegrityError:
        existing = Pledge.objects.filter(client_id=client_id).first()
        if existing is not None:
            return PledgeResult(existing, False)
        raise already_signed_error(resident, Pledge.objects.filter(resident=resident).first()) from None
    return PledgeResult(pledge, True)


def already_signed_error(resident: Resident, pledge: Pledge | None) -> ValidationError:
    if pledge is None:
        message = _("%(name)s has already signed the pledge.") % {"name": resident.name}
    else:
        message = _("%(name)s already signed the pledge on %(date)s: it is on file.") % {
            "name": resident.name,
            "date": timezone.localtime(pledge.signed_at).strftime("%Y-%m-%d"),
        }
    return ValidationError({"resident": message}, code="already_signed")
