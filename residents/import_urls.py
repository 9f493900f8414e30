"""Import and export of the registry, under /registry/import/ in the "residents" namespace."""

from django.urls import path

from . import export_views, import_views

urlpatterns = [
    path("", import_views.import_start, name="import_start"),
    path("template.xlsx", import_views.import_template, name="import_template"),
    path("jobs/<int:pk>/", import_views.import_job, name="import_job"),
    path("jobs/<int:pk>/progress/", import_views.import_progress, name="import_progress"),
    path("jobs/<int:pk>/confirm/", import_views.import_confirm, name="import_confirm"),
    # ?format=xlsx (default) or ?format=csv, plus the list pages' filters.
    path("export/residents.xlsx", export_views.export_residents, name="export_residents"),
    path("export/households.xlsx", export_views.export_households, name="export_households"),
]
