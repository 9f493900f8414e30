from django.urls import path

from . import views

app_name = "education"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("schools/<int:pk>/", views.school_detail, name="school"),
    path("schools/<int:pk>/broadcast/", views.broadcast_log, name="broadcast_log"),
    path("schools/<int:pk>/sessions/new/", views.session_create, name="session_create"),
    path("schools/<int:pk>/notices/new/", views.notice_create, name="notice_create"),
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("notices/<int:pk>/", views.notice_detail, name="notice_detail"),
    path("semesters/", views.semester_list, name="semester_list"),
    path("semesters/new/", views.semester_edit, name="semester_create"),
    path("semesters/<int:pk>/", views.semester_edit, name="semester_edit"),
]
