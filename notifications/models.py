"""In-app notifications (the bell), and the log of every delivery to outside channels."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.utils.translation import gettext_lazy as _

from organization.models import ScopedQuerySet


class Notification(models.Model):
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("recipient"), on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40)
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    # What produced it, so that one event never notifies the same person twice.
    dedupe_key = models.CharField(max_length=120)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["recipient", "dedupe_key"], name="unique_notification_per_event")
        ]

    def __str__(self):
        return self.title


# --- Outside channels ---------------------------------------------------------------------------------


class WebhookKind(models.TextChoices):
    WECOM = "wecom", _("WeCom group robot")
    DINGTALK = "dingtalk", _("DingTalk group robot")


class VillageChannel(models.Model):
    """How a village's work group is reached: its group robot's webhook, and whether SMS is used."""

    village = models.OneToOneField(
        "organization.Unit",
        verbose_name=_("village"),
        on_delete=models.CASCADE,
        related_name="channel",
        limit_choices_to={"kind": "village"},
    )
    webhook_url = models.URLField(
        _("group robot webhook URL"),
        max_length=500,
        blank=True,
        validators=[URLValidator(schemes=["http", "https"])],
        help_text=_("The webhook address of the village work group's WeCom or DingTalk robot; empty for none."),
    )
    webhook_kind = models.CharField(
        _("group robot kind"), max_length=10, choices=WebhookKind.choices, default=WebhookKind.WECOM
    )
    sms_enabled = models.BooleanField(_("send SMS"), default=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village"

    class Meta:
        verbose_name = _("village channel")
        verbose_name_plural = _("village channels")
        ordering = ["village__path"]

    def __str__(self):
        return str(self.village)

    def clean(self):
        from organization.models import UnitKind

        if self.village_id and self.village.kind != UnitKind.VILLAGE:
            raise ValidationError({"village": _("Choose a village or community.")})


class DeliveryChannel(models.TextChoices):
    INAPP = "inapp", _("In the app")
    WEBHOOK = "webhook", _("Work group robot")
    SMS = "sms", _("SMS")


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    SENT = "sent", _("Sent")
    FAILED = "failed", _("Failed")


class Delivery(models.Model):
    """One message to one recipient over one channel: the log of every delivery, and its retry state.

    ``recipient_key`` (``user:<pk>`` or ``village:<pk>``) with ``dedupe_key`` makes a message unique per
    channel: the same event never goes out twice. ``summary`` is the text as sent, masked (never a full
    ID, phone or account number).
    """

    channel = models.CharField(_("channel"), max_length=10, choices=DeliveryChannel.choices)
    recipient_key = models.CharField(max_length=40, editable=False)
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("recipient"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    village = models.ForeignKey(
        "organization.Unit",
        verbose_name=_("village"),
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="deliveries",
    )
    dedupe_key = models.CharField(max_length=120)
    summary = models.TextField(_("message (masked)"))
    status = models.CharField(
        _("status"), max_length=10, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING, db_index=True
    )
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    last_error = models.CharField(_("last error"), max_length=500, blank=True)
    sent_at = models.DateTimeField(_("sent at"), null=True, blank=True)
    created_at = models.DateTimeField(_("created"), auto_now_add=True, db_index=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "village"

    class Meta:
        verbose_name = _("delivery")
        verbose_name_plural = _("deliveries")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "recipient_key", "dedupe_key"], name="unique_delivery_per_channel_recipient"
            )
        ]

    def __str__(self):
        return f"{self.get_channel_display()} → {self.recipient_key}: {self.summary[:40]}"


# --- Reminders ----------------------------------------------------------------------------------------


class ReminderLevel(models.TextChoices):
    TEAM = "team", _("Village team")
    HEAD = "head", _("Village head")
    POLICE_LEADERSHIP = "police_leadership", _("Police and leadership")
    WINDOW_ENDED = "window_ended", _("Follow-up window ended")
    ACK_TEAM = "ack_team", _("Not acknowledged: village team and head")
    ACK_POLICE = "ack_police", _("Not acknowledged: police")
    FIRST_DISSUASION = "first_dissuasion", _("No police first dissuasion")


class ReminderSent(models.Model):
    """The claim of a reminder: one per (case, due date, level), taken before anything is sent.

    A window-ended reminder's ``due_date`` is the warning's ``window_ends``; a speed reminder's (not acknowledged,
    no police first dissuasion) is the push's local date.
    """

    warning = models.ForeignKey(
        "warnings_followup.WarningOrder", verbose_name=_("warning"), on_delete=models.CASCADE, related_name="reminders"
    )
    due_date = models.DateField(_("visit due on"))
    level = models.CharField(_("level"), max_length=20, choices=ReminderLevel.choices)
    sent_at = models.DateTimeField(_("sent at"), auto_now_add=True)

    objects = ScopedQuerySet.as_manager()
    scope_field = "warning__village"

    class Meta:
        verbose_name = _("overdue reminder")
        verbose_name_plural = _("overdue reminders")
        ordering = ["-sent_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["warning", "due_date", "level"], name="unique_reminder_per_level")
        ]

    def __str__(self):
        return f"{self.warning_id} {self.due_date} {self.get_level_display()}"
