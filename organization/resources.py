"""The admin's Excel/CSV import and export of units and users (django-import-export), with Chinese headers.

Imports in the admin are all or nothing (:class:`AllOrNothingResource`): one bad row and nothing is written.
"""

from django.contrib.auth.hashers import make_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _
from import_export import fields, resources, widgets

from .models import Role, Unit, UnitKind, User, UserRole


class ChoiceWidget(widgets.Widget):
    """Accepts either the code (``village``) or the label (``村居``) of a choice."""

    def __init__(self, choices):
        self.choices = choices

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return ""
        text = str(value).strip()
        for code, label in self.choices:
            if text in (code, str(label)):
                return code
        raise ValueError(_("Unknown value “%(value)s”.") % {"value": text})

    def render(self, value, obj=None, **kwargs):
        return dict(self.choices).get(value, value)


class AllOrNothingResource(resources.ModelResource):
    """django-import-export rolls back on exceptions but still commits the good rows when other rows fail
    validation; the admin's imports must be all or nothing, like every other import."""

    def import_data(self, dataset, dry_run=False, raise_errors=False, use_transactions=None, **kwargs):
        kwargs["rollback_on_validation_errors"] = True
        return super().import_data(dataset, dry_run=dry_run, raise_errors=raise_errors, use_transactions=True, **kwargs)


class UnitResource(AllOrNothingResource):
    code = fields.Field(attribute="code", column_name=_("Code"))
    name = fields.Field(attribute="name", column_name=_("Name"))
    kind = fields.Field(attribute="kind", column_name=_("Kind"), widget=ChoiceWidget(UnitKind.choices))
    parent = fields.Field(
        attribute="parent",
        column_name=_("Parent code"),
        widget=widgets.ForeignKeyWidget(Unit, field="code"),
    )
    population = fields.Field(
        attribute="population", column_name=_("Registered population"), widget=widgets.IntegerWidget()
    )

    class Meta:
        model = Unit
        import_id_fields = ["code"]
        fields = ["code", "name", "kind", "parent", "population"]
        use_transactions = True
        skip_unchanged = True
        clean_model_instances = True


class RolesWidget(widgets.Widget):
    """Roles as a comma-separated list of codes or Chinese labels."""

    def clean(self, value, row=None, **kwargs):
        if value in (None, ""):
            return []
        items = [part.strip() for part in str(value).replace("，", ",").split(",") if part.strip()]
        return [ChoiceWidget(Role.choices).clean(item) for item in items]

    def render(self, value, obj=None, **kwargs):
        if obj is None:
            return ""
        return ", ".join(obj.role_labels())


class UserResource(AllOrNothingResource):
    username = fields.Field(attribute="username", column_name=_("Username"))
    full_name = fields.Field(attribute="full_name", column_name=_("Full name"), widget=widgets.CharWidget())
    unit = fields.Field(attribute="unit", column_name=_("Unit code"), widget=widgets.ForeignKeyWidget(Unit, "code"))
    roles = fields.Field(column_name=_("Roles"), widget=RolesWidget())
    email = fields.Field(attribute="email", column_name=_("Email"), widget=widgets.CharWidget(allow_blank=True))

    class Meta:
        model = User
        import_id_fields = ["username"]
        fields = ["username", "full_name", "unit", "roles", "email"]
        use_transactions = True

    def import_instance(self, instance, row, **kwargs):
        super().import_instance(instance, row, **kwargs)
        try:
            instance._imported_roles = self.fields["roles"].clean(row)
        except ValueError as exc:
            raise ValidationError({"roles": str(exc)}) from exc
        if not instance.pk:
            # Imported accounts get an unusable password: an admin sets or resets it.
            instance.password = make_password(None)

    def after_save_instance(self, instance, row, **kwargs):
        # Runs inside the import's transaction, which a dry run rolls back.
        roles = getattr(instance, "_imported_roles", [])
        UserRole.objects.filter(user=instance).exclude(role__in=roles).delete()
        for role in roles:
            UserRole.objects.get_or_create(user=instance, role=role)

    def dehydrate_roles(self, obj):
        return ", ".join(obj.role_labels())
