from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path, re_path
from django.views.i18n import JavaScriptCatalog
from drf_spectacular.views import SpectacularAPIView

from core.api import NotFoundView
from core.metrics import metrics_view
from core.views import attachment_file, healthz, moved
from field import views as field_views
from organization.rules_views import plan_rules
from organization.views import SiteLogoutView, home

urlpatterns = [
    path("", home, name="home"),
    path("healthz", healthz, name="healthz"),
    path("metrics", metrics_view, name="metrics"),  # Prometheus, behind METRICS_TOKEN
    path("files/<int:pk>/", attachment_file, name="attachment"),
    path("rules/", plan_rules, name="plan_rules"),
    path("exports/", include("core.export_urls")),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", SiteLogoutView.as_view(), name="logout"),  # clears the phone's field data too
    path("accounts/", include("django.contrib.auth.urls")),
    path("i18n/", include("django.conf.urls.i18n")),
    path("jsi18n/", JavaScriptCatalog.as_view(), name="javascript-catalog"),
    path("organization/", include("organization.urls")),
    path("residents/", include("residents.urls")),
    path("audit/", include("audit.urls")),
    path("warnings/", include("warnings_followup.urls")),
    path("notifications/", include("notifications.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("publicity/", include("publicity.urls")),
    path("schools/", include("schools.urls")),
    path("education/", include("education.urls")),
    path("fraud-cases/", include("fraud_cases.urls")),
    path("assessment/", include("assessment.urls")),
    path("verify/", include("schools.verify_urls")),
    path("field/", include("field.urls")),
    path("manifest.webmanifest", field_views.manifest, name="field_manifest"),
    path("sw.js", field_views.service_worker, name="field_sw"),  # at the root: its scope is the whole site
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("api/v1/", include("luocun_antifraud.api_urls")),
    # Anything else under /api/: a JSON 404 (401 without a token), never the HTML page.
    re_path(r"^api/", NotFoundView.as_view(), name="api-not-found"),
    # Each app's pages live under its own word (docs/architecture.md, "Names"); the earlier prefixes answer with a
    # permanent redirect, so bookmarks and printed links keep working.
    *(
        re_path(rf"^{old}/(?P<rest>.*)$", moved, {"prefix": f"/{new}/"}, name=f"moved_{old}")
        for old, new in (
            ("units", "organization"),
            ("registry", "residents"),
            ("outreach", "campaigns"),
            ("cases", "fraud-cases"),
        )
    ),
]

# No /media/ route, not even under DEBUG: stored files (attachments, signatures, seals, imports) leave only
# through the scoped views above (core.serving).

handler500 = "core.faults.server_error"  # an unreachable database answers 503, not 500
