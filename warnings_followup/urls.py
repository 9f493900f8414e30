from django.urls import include, path

from . import call_views, kpi_views, person_views, views
from .importing import PAGES

app_name = "warnings_followup"

urlpatterns = [
    path("", views.queue, name="queue"),
    path("today/", views.today, name="today"),
    path("push/", views.push, name="push"),
    path("<int:pk>/", views.warning_detail, name="warning_detail"),
    path("<int:pk>/transition/<slug:action>/", views.transition, name="transition"),
    path("<int:pk>/visits/new/", views.visit_create, name="visit_create"),
    path("<int:pk>/escalations/new/", views.escalation_create, name="escalation_create"),
    path("<int:pk>/call/", call_views.warning_call, name="call"),
    path("<int:pk>/call/contacts/<int:contact>/", call_views.warning_call, name="call_contact"),
    path("people/<int:pk>/", person_views.person_file, name="person_file"),
    path("people/<int:pk>/print/", person_views.person_file_print, name="person_file_print"),
    path("kpi/", kpi_views.kpi, name="kpi"),
    # Excel batch push (the police platform's export): upload, dry run, confirm.
    path("", include(PAGES.urls())),
]
