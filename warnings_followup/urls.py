from django.urls import path

from . import import_views, kpi_views, person_views, views

app_name = "warnings_followup"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("today/", views.today, name="today"),
    path("push/", views.push, name="push"),
    path("<int:pk>/", views.warning_detail, name="warning_detail"),
    path("<int:pk>/transition/<slug:action>/", views.transition, name="transition"),
    path("<int:pk>/visits/new/", views.visit_create, name="visit_create"),
    path("<int:pk>/escalations/new/", views.escalation_create, name="escalation_create"),
    path("people/<int:pk>/", person_views.person_file, name="person_file"),
    path("people/<int:pk>/print/", person_views.person_file_print, name="person_file_print"),
    path("kpi/", kpi_views.kpi, name="kpi"),
    # Excel batch push (the police platform's export): upload, dry run, confirm.
    path("import/", import_views.import_start, name="import_start"),
    path("import/template.xlsx", import_views.import_template, name="import_template"),
    path("import/jobs/<int:pk>/", import_views.import_job, name="import_job"),
    path("import/jobs/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("import/jobs/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
]
