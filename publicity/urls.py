from django.urls import include, path

from . import finance_views, plan_views, venue_views, views
from .importing import PAGES

app_name = "publicity"

urlpatterns = [
    path("", views.activity_list, name="activity_list"),
    path("activities/new/", views.activity_create, name="activity_create"),
    path("activities/export/", views.activity_export, name="activity_export"),
    path("activities/<int:pk>/", views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", views.activity_edit, name="activity_edit"),
    path("activities/<int:pk>/evidence/", views.activity_add_evidence, name="activity_add_evidence"),
    path("activities/<int:pk>/recipients/confirm/", views.recipients_confirm, name="recipients_confirm"),
    path("decisions/<int:pk>/to-task/", views.decision_to_task, name="decision_to_task"),
    path("volunteers/", views.volunteer_list, name="volunteer_list"),
    path("volunteers/<int:pk>/toggle/", views.volunteer_toggle, name="volunteer_toggle"),
    path("summary/", views.summary, name="summary"),
    path("finance/staff/", finance_views.roster, name="finance_roster"),
    path("finance/staff/<int:pk>/edit/", finance_views.staff_edit, name="finance_staff_edit"),
    # The roster from a spreadsheet (upload, dry run, confirm): core.import_views
    path("", include(PAGES.urls("finance/staff/import/"))),
    path("finance/push/", finance_views.push_create, name="finance_push_create"),
    path("read/<str:token>/", finance_views.read, name="finance_read"),
    path("venues/", venue_views.venue_list, name="venue_list"),
    path("venues/new/", venue_views.venue_create, name="venue_create"),
    path("venues/<int:pk>/", venue_views.venue_detail, name="venue_detail"),
    path("venues/<int:pk>/inspect/", venue_views.inspection_create, name="inspection_create"),
    path("to-fix/", venue_views.to_fix, name="to_fix"),
    path("to-fix/<int:pk>/", venue_views.item_fix, name="item_fix"),
    path("plans/", plan_views.plan_list, name="plan_list"),
    path("plans/overview/", plan_views.plan_overview, name="plan_overview"),
    path("plans/new/", plan_views.plan_create, name="plan_create"),
    path("plans/<int:pk>/", plan_views.plan_detail, name="plan_detail"),
    path("tasks/<int:pk>/edit/", plan_views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/<slug:action>/", plan_views.task_transition, name="task_transition"),
]
