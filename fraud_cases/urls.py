from django.urls import include, path

from . import analysis_views, meetings, typical_views, views
from .importing import PAGES

app_name = "fraud_cases"

urlpatterns = [
    path("", views.case_list, name="case_list"),
    path("new/", views.case_register, name="case_register"),
    path("export/", views.case_export, name="case_export"),
    path("accountability/", views.accountability, name="accountability"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    # The outcomes a case analysis meeting drives: solved, recovered, prosecution (三(三))
    path("<int:pk>/outcome/", meetings.case_outcome, name="case_outcome"),
    # Case analysis (by type, age group, sex, village, month, source; a year earlier) and its workbook
    path("analysis/", analysis_views.case_analysis, name="analysis"),
    path("analysis/export.xlsx", analysis_views.case_analysis_export, name="analysis_export"),
    # The typical-case library (典型案例) and its dissuasion scripts
    path("typical/", typical_views.typical_case_list, name="typical_case_list"),
    path("typical/new/", typical_views.typical_case_create, name="typical_case_create"),
    path("typical/<int:pk>/", typical_views.typical_case_detail, name="typical_case_detail"),
    path("typical/<int:pk>/edit/", typical_views.typical_case_edit, name="typical_case_edit"),
    path(
        "typical/<int:pk>/<slug:action>/",
        typical_views.typical_case_transition,
        name="typical_case_transition",
    ),
    # Excel batch (the 110 system's or the platform's export): upload, dry run, confirm.
    path("", include(PAGES.urls())),
]
