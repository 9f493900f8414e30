from django.urls import path

from . import staff_views, views

app_name = "education"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("schools/<int:pk>/", views.school_detail, name="school"),
    path("schools/<int:pk>/broadcast/", views.broadcast_log, name="broadcast_log"),
    path("schools/<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("schools/<int:pk>/notices/new/", views.notice_create, name="notice_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    # The staff roster and coverage, a staff session's attendance, the schools' marked cases (三(四))
    path("schools/<int:pk>/staff/", staff_views.staff_roster, name="staff_roster"),
    path("schools/<int:pk>/staff/<int:member_pk>/leave/", staff_views.staff_deactivate, name="staff_deactivate"),
    path("sessions/<int:pk>/attendance/", staff_views.session_attendance, name="session_attendance"),
    path("cases/", staff_views.school_cases, name="school_cases"),
    path("semesters/", views.semester_list, name="semester_list"),
    path("semesters/new/", views.semester_edit, name="semester_create"),
    path("semesters/<int:pk>/", views.semester_edit, name="semester_edit"),
]
