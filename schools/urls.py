from django.urls import include, path

from . import export_views, views
from .importing import PAGES

app_name = "schools"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("students/", views.student_list, name="student_list"),
    path("students/new/", views.student_create, name="student_create"),
    path("students/export.xlsx", export_views.export_students, name="student_export"),
    path("students/<int:pk>/", views.student_detail, name="student_detail"),
    path("students/<int:pk>/reveal/", views.student_reveal, name="student_reveal"),
    path("students/<int:pk>/edit/", views.student_edit, name="student_edit"),
    path("students/<int:pk>/cards/new/", views.card_create, name="card_create"),
    path("students/<int:pk>/cards/<int:card_pk>/close/", views.card_close, name="card_close"),
    path("students/<int:pk>/apply/", views.application_create, name="application_create"),
    path("applications/export.xlsx", export_views.export_applications, name="application_export"),
    path("applications/<int:pk>/", views.application_detail, name="application_detail"),
    path("applications/<int:pk>/print/", views.application_print, name="application_print"),
    path("applications/<int:pk>/transition/<slug:action>/", views.application_transition, name="transition"),
    path("seal/", views.seal, name="seal"),
    # The student roster from Excel: upload, dry run, confirm.
    path("", include(PAGES.urls())),
]
