from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def incident_review_on_case(sender, *, case, actor, **kwargs):
    """A case registered after a warning: open its incident review (within the case's transaction)."""
    from .services import incident_review_open

    incident_review_open(case=case, actor=actor)


def live_for_user(name, *, user, parts, compute, today):
    """core.live's cache: under the user's scope, the live version and today (assessment.figures.live)."""
    from . import figures

    return figures.live(name, [figures.user_scope_key(user), *parts], compute, today=today)


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Assessment")

    def ready(self):
        from core import live
        from fraud_cases.signals import case_registered_after_warning

        from .figures import connect

        connect()  # the writes that change a month's cached figures bump its version
        live.connect(live_for_user)  # lower apps' reports over data as it is now (core.live)
        case_registered_after_warning.connect(incident_review_on_case, dispatch_uid="assessment.incident_review")
