from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from .models import (
    BroadcastDay,
    CalendarChange,
    EducationSession,
    ParentNotice,
    ReturnSlip,
    Semester,
    SupervisingSchool,
)


class CalendarChangeInline(admin.TabularInline):
    model = CalendarChange
    extra = 1


@admin.register(Semester)
class SemesterAdmin(SimpleHistoryAdmin):
    list_display = ["name", "town", "starts_on", "ends_on", "required_staff_sessions", "required_micro_classes"]
    list_filter = ["town"]
    filter_horizontal = ["student_education_schools"]
    inlines = [CalendarChangeInline]


@admin.register(SupervisingSchool)
class SupervisingSchoolAdmin(admin.ModelAdmin):
    """The school that supervises its town's schools (罗村镇中心学校): its staff read their compliance."""

    list_display = ["school", "created_at"]


@admin.register(EducationSession)
class EducationSessionAdmin(SimpleHistoryAdmin):
    list_display = ["held_on", "school", "kind", "topic", "audience_size"]
    list_filter = ["kind", "semester", "school"]
    search_fields = ["topic", "audience"]
    raw_id_fields = ["recorded_by"]


@admin.register(BroadcastDay)
class BroadcastDayAdmin(admin.ModelAdmin):
    list_display = ["day", "school", "logged_by", "logged_at"]
    list_filter = ["semester", "school"]
    date_hierarchy = "day"
    raw_id_fields = ["logged_by"]


class ReturnSlipInline(admin.TabularInline):
    model = ReturnSlip
    extra = 0
    raw_id_fields = ["student", "recorded_by"]


@admin.register(ParentNotice)
class ParentNoticeAdmin(SimpleHistoryAdmin):
    list_display = ["sent_on", "school", "grade", "class_name", "title"]
    list_filter = ["semester", "school"]
    inlines = [ReturnSlipInline]
    raw_id_fields = ["recorded_by"]
