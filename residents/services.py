"""Writes to the registry. Every entry point (forms, imports, API, other apps) goes through these.

An ID number that cannot be registered here gets one answer, :data:`CANNOT_ADD_HERE`, wherever the number is
held (this village, another one, a school) and whatever else blocks it: "already registered" would tell a user
outside the owning unit that the number exists, and where. The attempt is audited on the record that holds the
number (who tried, from which unit, what; never the number), so the town's registry administrator can follow up.
"""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from audit.services import audit_event_record
from organization.access import unit_in_scope
from organization.models import Unit, UnitKind

from .models import Household, Resident, ResidentSource, id_number_hash
from .signals import household_added, household_moved, resident_moved

CANNOT_ADD_HERE = gettext_lazy("This ID number cannot be added here. Ask the town's registry administrator.")
REGISTRATION_REFUSED = "registration_refused"


def _duplicate_message():
    return str(CANNOT_ADD_HERE)


def registration_refused(*, actor, holder, attempt: str, **extra) -> ValidationError:
    """Audit a refused registration of ``holder``'s ID number (a Resident or a Student) and return the error.

    The answer is the same whether ``holder`` is in the actor's scope or not. Call it outside the transaction
    that the error rolls back (or the audit event goes with it).
    """
    unit = getattr(actor, "unit", None)
    scope_unit = getattr(holder, holder.scope_field, None)
    audit_event_record(
        actor=actor,
        subject=holder,
        event=REGISTRATION_REFUSED,
        attempt=attempt,
        unit=unit.code if unit is not None else "",
        in_scope=bool(actor is not None and scope_unit is not None and unit_in_scope(actor, scope_unit)),
        **extra,
    )
    return ValidationError({"id_number": CANNOT_ADD_HERE})


def _check_grid(village: Unit, grid: Unit | None) -> None:
    if village.kind != UnitKind.VILLAGE:
        raise ValidationError({"village": _("Choose a village or community.")})
    if grid is not None and (grid.kind != UnitKind.GRID or grid.parent_id != village.pk):
        raise ValidationError({"grid": _("This grid does not belong to the chosen village.")})


def _check_scope(user, unit: Unit, field: str) -> None:
    if user is not None and not unit_in_scope(user, unit):
        # Forged unit ids in a POST body look like "no such choice".
        raise ValidationError({field: _("Select a valid choice. That choice is not one of the available choices.")})


@transaction.atomic
def household_create(*, village: Unit, address: str, grid: Unit | None = None, contact_phone: str = "", user=None):
    _check_scope(user, village, "village")
    _check_grid(village, grid)
    address = address.strip()
    if Household.objects.filter(village=village, address=address).exists():
        raise ValidationError({"address": _("This village already has a household at this address.")})
    household = Household(village=village, grid=grid, address=address)
    household.set_contact_phone(contact_phone)
    household.save()
    household_added.send(sender=Household, household=household)
    return household


@transaction.atomic
def household_update(*, household: Household, user=None, **changes) -> Household:
    household = Household.objects.select_for_update().get(pk=household.pk)
    old_village_id, old_grid_id = household.village_id, household.grid_id
    village = changes.get("village", household.village)
    grid = changes.get("grid", household.grid)
    _check_scope(user, village, "village")
    _check_grid(village, grid)
    household.village, household.grid = village, grid
    if "address" in changes:
        household.address = changes["address"].strip()
        clash = Household.objects.filter(village=village, address=household.address).exclude(pk=household.pk)
        if clash.exists():
            raise ValidationError({"address": _("This village already has a household at this address.")})
    if "contact_phone" in changes:
        household.set_contact_phone(changes["contact_phone"])
    household.save()
    # Members follow their household's village.
    household.members.exclude(village=village).update(village=village)
    household_moved.send(sender=Household, household=household, old_village_id=old_village_id, old_grid_id=old_grid_id)
    return household


def _apply_resident_fields(resident: Resident, *, name=None, phone=None, tags=None, relation=None) -> None:
    if name is not None:
        resident.name = name.strip()
    if phone is not None:
        resident.set_phone(phone)
    if tags is not None:
        resident.set_tags(tags)
    if relation is not None:
        resident.relation = relation.strip()


def resident_create(
    *,
    name: str,
    id_number: str,
    village: Unit | None = None,
    household: Household | None = None,
    phone: str = "",
    tags=(),
    relation: str = "",
    source: str = ResidentSource.REGISTRY,
    user=None,
) -> Resident:
    """Register a person. The same ID number can never create a second resident: see :data:`CANNOT_ADD_HERE`."""
    if household is not None:
        village = household.village
    if village is None:
        raise ValidationError({"village": _("Choose a village or community.")})
    _check_scope(user, village, "village")
    resident = Resident(village=village, household=household, source=source)
    resident.set_id_number(id_number)
    _apply_resident_fields(resident, name=name, phone=phone, tags=tags, relation=relation)
    holder = Resident.objects.filter(id_number_hash=resident.id_number_hash).first()
    if holder is not None:
        attempt = "member_create" if household is not None else "resident_create"
        raise registration_refused(actor=user, holder=holder, attempt=attempt, village=village.code)
    try:
        with transaction.atomic():
            resident.save()
            resident_moved.send(sender=Resident, resident=resident, old_household_id=None)
    except IntegrityError as exc:  # a concurrent registration of the same person won the race
        raise ValidationError({"id_number": CANNOT_ADD_HERE}) from exc
    return resident


def resident_update(*, resident: Resident, user=None, **changes) -> Resident:
    """Change a resident. A new ID number already held by another record is refused (and audited) first,
    outside the transaction, so that the audit event stays."""
    if changes.get("id_number"):
        try:
            key = id_number_hash(changes["id_number"])
        except ValidationError:
            key = None  # a malformed number: refused below, with the validator's own message
        holder = Resident.objects.filter(id_number_hash=key).exclude(pk=resident.pk).first() if key else None
        if holder is not None:
            raise registration_refused(actor=user, holder=holder, attempt="resident_update", record=resident.pk)
    return _resident_update(resident=resident, user=user, **changes)


@transaction.atomic
def _resident_update(*, resident: Resident, user=None, **changes) -> Resident:
    resident = Resident.objects.select_for_update().get(pk=resident.pk)
    old_household_id = resident.household_id
    if "household" in changes:
        household = changes["household"]
        resident.household = household
        if household is not None:
            resident.village = household.village
    if "village" in changes and resident.household_id is None:
        resident.village = changes["village"]
    _check_scope(user, resident.village, "village")
    if "id_number" in changes:
        resident.set_id_number(changes["id_number"])
        clash = Resident.objects.filter(id_number_hash=resident.id_number_hash).exclude(pk=resident.pk)
        if clash.exists():  # registered meanwhile (the check above found none)
            raise ValidationError({"id_number": CANNOT_ADD_HERE})
    _apply_resident_fields(
        resident,
        name=changes.get("name"),
        phone=changes.get("phone"),
        tags=changes.get("tags"),
        relation=changes.get("relation"),
    )
    resident.save()
    resident_moved.send(sender=Resident, resident=resident, old_household_id=old_household_id)
    return resident


@transaction.atomic
def resident_get_or_create_for_warning(*, name: str, id_number: str, village: Unit, phone: str = "") -> Resident:
    """Link a person named in a police warning to the registry by ID number; create them if absent."""
    key = id_number_hash(id_number)  # a bad ID number raises ValidationError here
    existing = Resident.objects.select_for_update().filter(id_number_hash=key).first()
    if existing is not None:
        if phone and not existing.phone:
            existing.set_phone(phone)
            existing.save(update_fields=["phone", "phone_hash", "updated_at"])
        return existing
    try:
        with transaction.atomic():
            return resident_create(
                name=name, id_number=id_number, village=village, phone=phone, source=ResidentSource.WARNING
            )
    except ValidationError:
        # A concurrent registration of the same person won the race: link to it. Anything else
        # (a bad phone number, say) is the caller's error.
        winner = Resident.objects.filter(id_number_hash=key).first()
        if winner is None:
            raise
        return winner
