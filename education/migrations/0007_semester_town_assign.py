"""Each town keeps its own school calendar (issue 18): a semester belongs to one town, its name unique in that town.

Existing semesters go to the town of the schools they name, else of the schools whose records point at them,
else the only (or first) town. A semester whose records come from schools of more than one town is split: each
other town gets its own copy (same name, dates, requirements and holidays) and its schools' records move to it,
so that no town's compliance loses a record.
"""

from django.db import migrations


def _town_of(unit, units):
    while unit is not None:
        if unit.kind == "town":
            return unit
        unit = units.get(unit.parent_id)
    return None


def assign_towns(apps, schema_editor):
    Semester = apps.get_model("education", "Semester")
    if not Semester.objects.exists():
        return
    HistoricalSemester = apps.get_model("education", "HistoricalSemester")
    CalendarChange = apps.get_model("education", "CalendarChange")
    Unit = apps.get_model("organization", "Unit")
    record_models = [apps.get_model("education", name) for name in ("EducationSession", "BroadcastDay", "ParentNotice")]
    units = {unit.pk: unit for unit in Unit.objects.all()}
    towns = sorted((unit for unit in units.values() if unit.kind == "town"), key=lambda unit: unit.pk)
    roots = sorted((unit for unit in units.values() if unit.parent_id is None), key=lambda unit: unit.pk)
    fallback = towns[0] if towns else (roots[0] if roots else None)

    def town_of(school_id):
        return _town_of(units.get(school_id), units) or fallback

    for semester in Semester.objects.order_by("pk"):
        named = list(semester.student_education_schools.values_list("pk", flat=True))
        used = {}  # town pk -> school ids with records in this semester
        for model in record_models:
            for school_id in (
                model.objects.filter(semester_id=semester.pk).values_list("school_id", flat=True).distinct()
            ):
                town = town_of(school_id)
                if town is not None:
                    used.setdefault(town.pk, set()).add(school_id)
        named_towns = [town_of(pk) for pk in named if town_of(pk) is not None]
        if named_towns:
            home = named_towns[0]
        elif used:
            home = units[max(used, key=lambda pk: (len(used[pk]), -pk))]
        else:
            home = fallback
        if home is None:  # no unit at all: nothing can point at it
            semester.delete()
            continue
        semester.town_id = home.pk
        semester.save(update_fields=["town"])
        changes = list(CalendarChange.objects.filter(semester=semester))
        for town_pk in sorted(set(used) | {t.pk for t in named_towns}):
            if town_pk == home.pk:
                continue
            schools = used.get(town_pk, set()) | {pk for pk in named if getattr(town_of(pk), "pk", None) == town_pk}
            copy = Semester.objects.create(
                town_id=town_pk,
                name=semester.name,
                starts_on=semester.starts_on,
                ends_on=semester.ends_on,
                required_staff_sessions=semester.required_staff_sessions,
                required_micro_classes=semester.required_micro_classes,
                broadcast_deadline=semester.broadcast_deadline,
            )
            CalendarChange.objects.bulk_create(
                [
                    CalendarChange(semester=copy, kind=c.kind, starts_on=c.starts_on, ends_on=c.ends_on, name=c.name)
                    for c in changes
                ]
            )
            moved = [pk for pk in named if pk in schools]
            copy.student_education_schools.set(moved)
            semester.student_education_schools.remove(*moved)
            for model in record_models:
                model.objects.filter(semester_id=semester.pk, school_id__in=schools).update(semester_id=copy.pk)
    for semester_pk, town_pk in Semester.objects.values_list("pk", "town_id"):
        HistoricalSemester.objects.filter(id=semester_pk).update(town_id=town_pk)


def merge_copies(apps, schema_editor):
    """Backwards: one semester per name again (the installation's), the copies' records and schools moved back."""
    Semester = apps.get_model("education", "Semester")
    CalendarChange = apps.get_model("education", "CalendarChange")
    record_models = [apps.get_model("education", name) for name in ("EducationSession", "BroadcastDay", "ParentNotice")]
    kept = {}
    for semester in Semester.objects.order_by("pk"):
        first = kept.setdefault(semester.name, semester)
        if first.pk == semester.pk:
            continue
        for model in record_models:
            model.objects.filter(semester_id=semester.pk).update(semester_id=first.pk)
        through = Semester.student_education_schools.through
        schools = list(through.objects.filter(semester_id=semester.pk).values_list("unit_id", flat=True))
        first.student_education_schools.add(*schools)
        CalendarChange.objects.filter(semester_id=semester.pk).delete()
        through.objects.filter(semester_id=semester.pk).delete()
        with schema_editor.connection.cursor() as cursor:  # nothing points at it any more
            cursor.execute("DELETE FROM education_semester WHERE id = %s", [semester.pk])


class Migration(migrations.Migration):
    dependencies = [("education", "0006_semester_town")]

    operations = [migrations.RunPython(assign_towns, merge_copies)]
