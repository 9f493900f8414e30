from django import forms
from django.contrib import admin
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from core.validators import validate_phone

from .models import (
    Activity,
    ActivityLink,
    ActivityTarget,
    FinancePush,
    FinanceStaff,
    Inspection,
    InspectionItem,
    MeetingAttendee,
    MeetingCase,
    MeetingDecision,
    PushRecipient,
    UnitDuty,
    Venue,
    Volunteer,
    WorkPlan,
    WorkTask,
)


@admin.register(UnitDuty)
class UnitDutyAdmin(admin.ModelAdmin):
    list_display = ["unit", "duty"]
    list_filter = ["duty"]
    autocomplete_fields = ["unit"]


@admin.register(ActivityTarget)
class ActivityTargetAdmin(SimpleHistoryAdmin):
    list_display = ["unit", "category", "period", "required"]
    list_filter = ["period", "category"]
    list_editable = ["period", "required"]
    autocomplete_fields = ["unit"]


class LinkInline(admin.TabularInline):
    model = ActivityLink
    extra = 0


class AttendeeInline(admin.TabularInline):
    model = MeetingAttendee
    extra = 0


class CaseInline(admin.TabularInline):
    model = MeetingCase
    extra = 0


class DecisionInline(admin.TabularInline):
    model = MeetingDecision
    extra = 0


class RecipientInline(admin.TabularInline):
    model = PushRecipient
    extra = 0
    raw_id_fields = ["recipient_unit", "confirmed_by", "staff"]


@admin.register(Activity)
class ActivityAdmin(SimpleHistoryAdmin):
    list_display = ["held_on", "unit", "category", "title", "audience_size", "channel"]
    list_filter = ["category", "channel", "unit"]
    search_fields = ["title", "place", "description"]
    date_hierarchy = "held_on"
    raw_id_fields = ["unit", "recorded_by"]
    inlines = [LinkInline, AttendeeInline, CaseInline, DecisionInline, RecipientInline]


@admin.register(Volunteer)
class VolunteerAdmin(SimpleHistoryAdmin):
    list_display = ["name", "unit", "group", "organisation", "joined_on", "is_active"]
    list_filter = ["group", "is_active"]
    search_fields = ["name", "organisation"]
    exclude = ["phone"]


class ItemInline(admin.TabularInline):
    model = InspectionItem
    extra = 0
    raw_id_fields = ["fixed_by"]


@admin.register(Venue)
class VenueAdmin(SimpleHistoryAdmin):
    list_display = ["name", "kind", "village", "unit", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name", "address"]


@admin.register(Inspection)
class InspectionAdmin(admin.ModelAdmin):
    list_display = ["venue", "inspected_on", "with_police", "carriers"]
    date_hierarchy = "inspected_on"
    raw_id_fields = ["venue", "recorded_by"]
    inlines = [ItemInline]


class TaskInline(admin.TabularInline):
    model = WorkTask
    extra = 0
    raw_id_fields = ["responsible"]


@admin.register(WorkPlan)
class WorkPlanAdmin(SimpleHistoryAdmin):
    list_display = ["title", "unit", "year"]
    list_filter = ["year"]
    raw_id_fields = ["unit", "created_by"]
    inlines = [TaskInline]


@admin.register(WorkTask)
class WorkTaskAdmin(SimpleHistoryAdmin):
    list_display = ["title", "plan", "responsible", "responsible_name", "due_on", "status"]
    list_filter = ["status"]
    search_fields = ["title"]
    raw_id_fields = ["plan", "responsible"]


class FinanceStaffAdminForm(forms.ModelForm):
    """The mobile is typed in full once, stored encrypted with its keyed hash, and shown masked afterwards."""

    new_mobile = forms.CharField(
        label=_("Mobile number"), required=False, help_text=_("Leave empty to keep the number on file.")
    )

    class Meta:
        model = FinanceStaff
        fields = ["keeper", "unit", "name", "position", "is_active"]

    def clean_new_mobile(self):
        value = self.cleaned_data["new_mobile"].strip()
        if value:
            validate_phone(value)
        elif not self.instance.pk:
            raise forms.ValidationError(_("Enter the mobile number."))
        return value

    def save(self, commit=True):
        if self.cleaned_data.get("new_mobile"):
            self.instance.set_mobile(self.cleaned_data["new_mobile"])
        return super().save(commit)


@admin.register(FinanceStaff)
class FinanceStaffAdmin(SimpleHistoryAdmin):
    form = FinanceStaffAdminForm
    list_display = ["name", "unit", "position", "masked_mobile", "keeper", "is_active"]
    list_filter = ["is_active"]
    search_fields = ["name", "unit__name"]
    autocomplete_fields = ["keeper", "unit"]


@admin.register(FinancePush)
class FinancePushAdmin(admin.ModelAdmin):
    list_display = ["activity", "sent_at", "sent_by", "links_expire_at"]
    raw_id_fields = ["activity", "sent_by"]
    filter_horizontal = ["audience"]
