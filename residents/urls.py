from django.urls import include, path

app_name = "residents"

urlpatterns = [
    path("", include("residents.page_urls")),
    path("import/", include("residents.import_urls")),
]
