from django.urls import path

from . import views

app_name = "field"

urlpatterns = [
    path("", views.field_app, name="app"),
    path("data/", views.field_data, name="data"),
]
