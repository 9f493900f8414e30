from django.urls import path

from . import export_views, views

app_name = "assessment"

urlpatterns = [
    path("", views.dashboard_view, name="dashboard"),
    path("villages/<int:pk>/", views.village_view, name="village"),
    path("bulletin/", views.bulletin_view, name="bulletin"),
    path("indicators/", views.indicator_view, name="indicators"),
    path("nominations/", views.nomination_view, name="nominations"),
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
]
