"""Large exports written in the background, under /exports/ in the "core" namespace."""

from django.urls import path

from . import export_views

app_name = "core"

urlpatterns = [
    path("<int:pk>/", export_views.export_job, name="export_job"),
    path("<int:pk>/download/", export_views.export_job_download, name="export_job_download"),
]
