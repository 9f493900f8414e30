from django.urls import path, re_path

from . import document_views, export_views, nomination_views, report_views, views

app_name = "assessment"
PERIOD = r"\d{4}(?:-\d{2}|-Q[1-4])?"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("villages/<int:pk>/", views.village_view, name="village"),
    path("bulletin/", views.bulletin_view, name="bulletin"),
    path("indicators/", views.indicator_view, name="indicators"),
    # Year-end nominations (先进集体和个人)
    path("nominations/", nomination_views.nomination_list, name="nominations"),
    path("nominations/print/", nomination_views.nomination_print, name="nomination_print"),
    path("nominations/export.xlsx", nomination_views.nomination_export, name="nomination_export"),
    path("nominations/units/<int:pk>/propose/", nomination_views.propose_unit, name="nomination_propose_unit"),
    path("nominations/people/<int:pk>/propose/", nomination_views.propose_person, name="nomination_propose_person"),
    path("nominations/<int:pk>/", nomination_views.nomination_detail, name="nomination_detail"),
    path("nominations/<int:pk>/<slug:action>/", nomination_views.nomination_decide, name="nomination_decide"),
    path("callbacks/", views.callback_list, name="callback_list"),
    path("callbacks/draw/", views.callback_draw, name="callback_draw"),
    path("callbacks/<int:pk>/", views.callback_detail, name="callback_detail"),
    path("callbacks/<int:pk>/phone/", views.callback_phone, name="callback_phone"),
    path("callbacks/<int:pk>/assign/", views.callback_assign, name="callback_assign"),
    path("accountability/", views.accountability_list, name="accountability_list"),
    path("accountability/new/", views.accountability_create, name="accountability_create"),
    path("accountability/<int:pk>/", views.accountability_detail, name="accountability_detail"),
    path("callbacks/<int:pk>/decide/", views.callback_decide, name="callback_decide"),
    path("accountability/<int:pk>/rectification/", views.accountability_rectify, name="accountability_rectify"),
    path(
        "accountability/<int:pk>/rectification/<slug:action>/",
        views.rectification_decide,
        name="rectification_decide",
    ),
    path("accountability/<int:pk>/<slug:action>/", views.accountability_transition, name="accountability_transition"),
    path("suggestions/", views.suggestion_list, name="suggestion_list"),
    path("suggestions/<int:pk>/summon/", views.suggestion_summon, name="suggestion_summon"),
    path("inspections/", views.inspection_list, name="inspection_list"),
    path("inspections/new/", views.inspection_create, name="inspection_create"),
    path("inspections/<int:pk>/", views.inspection_detail, name="inspection_detail"),
    path("export/<slug:table>.xlsx", export_views.export_table, name="export"),
    # Reports to the county (报送), the year's target, units' documents (issue 17)
    path("reports/", report_views.report_list, name="report_list"),
    re_path(rf"^reports/(?P<key>{PERIOD})\.docx$", report_views.report_docx, name="report_docx"),
    re_path(rf"^reports/(?P<key>{PERIOD})\.xlsx$", report_views.report_xlsx, name="report_xlsx"),
    re_path(rf"^reports/(?P<key>{PERIOD})/$", report_views.report_detail, name="report_detail"),
    re_path(rf"^reports/(?P<key>{PERIOD})/submit/$", report_views.report_submit, name="report_submit"),
    path("targets/", report_views.target_list, name="target_list"),
    path("documents/", document_views.document_list, name="document_list"),
    path("documents/<int:pk>/", document_views.document_detail, name="document_detail"),
    path("documents/tasks/<int:pk>/", document_views.task_files, name="task_files"),
]
