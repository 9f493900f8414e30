"""Keep each visit's ``anchor_day`` right whoever writes visits (the admin, an import, a test's factory): any
visit saved or deleted outside ``services.warning_record_visit`` (which sets its own) re-anchors its warning."""

from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from .models import FollowUpVisit


@receiver(post_save, sender=FollowUpVisit, dispatch_uid="followup_visit_reanchor_on_save")
def visit_saved(sender, instance: FollowUpVisit, raw=False, **kwargs):
    if raw or getattr(instance, "anchored", False):
        return
    from .services import visits_reanchor

    visits_reanchor(warning_id=instance.warning_id)


@receiver(post_delete, sender=FollowUpVisit, dispatch_uid="followup_visit_reanchor_on_delete")
def visit_deleted(sender, instance: FollowUpVisit, **kwargs):
    from .services import visits_reanchor

    visits_reanchor(warning_id=instance.warning_id)
