from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


def incident_review_on_case(sender, *, case, actor, **kwargs):
    """A case registered after a warning: open its incident review (within the case's transaction)."""
    from .services import incident_review_open

    incident_review_open(case=case, actor=actor)


class AssessmentConfig(AppConfig):
    name = "assessment"
    verbose_name = _("Assessment")

    def ready(self):
        from fraud_cases.signals import case_registered_after_warning

        from .figures import connect

        connect()  # the writes that change a month's cached figures bump its version
        case_registered_after_warning.connect(incident_review_on_case, dispatch_uid="assessment.incident_review")
