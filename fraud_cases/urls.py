from django.urls import path

from . import import_views, views

app_name = "fraud_cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_register, name="case_register"),
    path("export/", views.case_export, name="case_export"),
    path("accountability/", views.accountability, name="accountability"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    # Excel batch (the 110 system's or the platform's export): upload, dry run, confirm.
    path("import/", import_views.import_start, name="import_start"),
    path("import/template.xlsx", import_views.import_template, name="import_template"),
    path("import/jobs/<int:pk>/", import_views.import_job, name="import_job"),
    path("import/jobs/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("import/jobs/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
]
