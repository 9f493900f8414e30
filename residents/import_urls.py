"""Import and export of the registry, under /residents/import/ in the "residents" namespace."""

from django.urls import path

from . import export_views
from .importing import PAGES

urlpatterns = [
    *PAGES.urls(prefix=""),
    # ?format=xlsx (default) or ?format=csv, plus the list pages' filters.
    path("export/residents.xlsx", export_views.export_residents, name="export_residents"),
    path("export/households.xlsx", export_views.export_households, name="export_households"),
]
