"""Background jobs shared by the feature apps. For now: spreadsheet imports (``ImportJob``).

An import runs twice on the same stored file: a *dry run* that checks every row and writes nothing,
then, once the user confirms, a *commit* job (``source`` points at the dry run; at most one per dry
run, enforced by the database). Each job moves through its states exactly once: a task claims it
with a conditional update (``pending`` -> ``running``), so a redelivered task does nothing.

The uploaded file is stored under ``imports/`` with a server-generated name; it holds plain ID and
phone numbers, so it is deleted when the commit job ends, and it is never served to anyone.
"""

import uuid
from pathlib import PurePosixPath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.sheets import sheets, validate_import_kind


def import_upload_to(instance, filename: str) -> str:
    """``imports/<random>.<xlsx|csv>``: the user's file name never reaches the file system."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"imports/{uuid.uuid4().hex}{suffix if suffix in ('.xlsx', '.csv') else ''}"


class ImportJobQuerySet(models.QuerySet):
    def for_user(self, user):
        """A user sees only the jobs they started; superusers see all."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.is_superuser:
            return self
        return self.filter(created_by=user)


class ImportJob(models.Model):
    """An import of one ``kind``: the ``kind`` of a sheet an app registered (``core.sheets.register``)."""

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        DRY_RUN_DONE = "dry_run_done", _("Checked")
        SUCCEEDED = "succeeded", _("Imported")
        FAILED = "failed", _("Failed")

    FINISHED = frozenset({Status.DRY_RUN_DONE, Status.SUCCEEDED, Status.FAILED})

    kind = models.CharField(_("kind"), max_length=32, default="residents", validators=[validate_import_kind])
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    dry_run = models.BooleanField(_("dry run"), default=True)
    source = models.OneToOneField(
        "self",
        verbose_name=_("checked by"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="commit_job",
        help_text=_("The dry run this import was confirmed from."),
    )
    file = models.FileField(_("file"), upload_to=import_upload_to, max_length=200, blank=True)
    original_filename = models.CharField(_("original file name"), max_length=255, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        null=True,
        on_delete=models.SET_NULL,
        related_name="import_jobs",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    total_rows = models.PositiveIntegerField(_("rows"), default=0)
    processed_rows = models.PositiveIntegerField(_("processed rows"), default=0)
    errors = models.JSONField(_("errors"), default=list, blank=True, help_text=_("A list of {row, column, message}."))
    summary = models.JSONField(_("summary"), default=dict, blank=True)

    objects = ImportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("import job")
        verbose_name_plural = _("import jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_by", "-created_at"])]

    def __str__(self):
        return f"{self.kind_label} #{self.pk} ({self.get_status_display()})"

    @property
    def kind_label(self) -> str:
        """The registered sheet's name of this kind (the kind itself if no app registers it any more)."""
        sheet = sheets().get(self.kind)
        return str(sheet.label) if sheet is not None else self.kind

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def can_confirm(self) -> bool:
        """A dry run that found nothing wrong can be confirmed (once: see ``core.imports.confirm_job``)."""
        return self.dry_run and self.status == self.Status.DRY_RUN_DONE and not self.errors and bool(self.file)


def attachment_upload_to(instance, filename: str) -> str:
    from core.uploads import upload_path

    return upload_path(PurePosixPath(filename).suffix.lower().lstrip(".") or "bin")


class Attachment(models.Model):
    """A file kept as evidence (备查) of any record: a visit's photos, an activity's video, a signed form.

    Created only by ``core.uploads.attach`` after ``check_upload`` checked the file by its content.
    Served by ``core.views.attachment_file``, which answers 404 unless the record is in the user's
    scope (the record's model must have ``objects.for_user``). Records expose their files with
    ``attachments = GenericRelation("core.Attachment")``.
    """

    class Kind(models.TextChoices):
        IMAGE = "image", _("Image")
        DOCUMENT = "document", _("Document")
        VIDEO = "video", _("Video")
        AUDIO = "audio", _("Audio")

    content_type = models.ForeignKey("contenttypes.ContentType", on_delete=models.CASCADE)
    object_id = models.PositiveBigIntegerField()
    parent = GenericForeignKey("content_type", "object_id")
    file = models.FileField(_("file"), upload_to=attachment_upload_to, max_length=200)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    mime = models.CharField(max_length=100)
    original_name = models.CharField(_("file name"), max_length=120, blank=True)
    size = models.PositiveIntegerField(_("size"))
    caption = models.CharField(_("caption"), max_length=200, blank=True)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name=_("uploaded by"), null=True, blank=True, on_delete=models.SET_NULL
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), auto_now_add=True)

    class Meta:
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        ordering = ["uploaded_at", "pk"]
        indexes = [models.Index(fields=["content_type", "object_id"])]

    def __str__(self):
        return self.original_name or self.file.name

    @property
    def is_image(self) -> bool:
        return self.kind == self.Kind.IMAGE


def export_upload_to(instance, filename: str) -> str:
    """``exports/<random>.<xlsx|csv>``: never guessable, served only to the job's owner."""
    suffix = PurePosixPath(filename).suffix.lower()
    return f"exports/{uuid.uuid4().hex}{suffix if suffix in ('.xlsx', '.csv') else ''}"


class ExportJobQuerySet(models.QuerySet):
    def for_user(self, user):
        """An export is its owner's alone (it holds what their scope showed them): nobody else sees it."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.filter(created_by=user)


class ExportJob(models.Model):
    """A large export written by a Celery worker to a file the user downloads when it is ready (``core.exports``).

    The job keeps the export's kind, format and filters; the worker applies them again with its owner's
    scope, streams the rows in chunks into the file, and the file is deleted a day after it was written.
    """

    class Status(models.TextChoices):
        PENDING = "pending", _("Waiting")
        RUNNING = "running", _("Running")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")
        EXPIRED = "expired", _("Expired")

    FINISHED = frozenset({Status.READY, Status.FAILED, Status.EXPIRED})

    kind = models.CharField(_("kind"), max_length=32)
    format = models.CharField(_("format"), max_length=8, default="xlsx")
    params = models.JSONField(_("filters"), default=dict, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=Status.choices, default=Status.PENDING)
    file = models.FileField(_("file"), upload_to=export_upload_to, max_length=200, blank=True)
    language = models.CharField(_("language"), max_length=16, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("created by"),
        on_delete=models.CASCADE,
        related_name="export_jobs",
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    started_at = models.DateTimeField(_("started"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished"), null=True, blank=True)
    total_rows = models.PositiveIntegerField(_("rows expected"), default=0)
    rows = models.PositiveIntegerField(_("rows written"), default=0)
    error = models.CharField(_("error"), max_length=300, blank=True)

    objects = ExportJobQuerySet.as_manager()

    class Meta:
        verbose_name = _("export job")
        verbose_name_plural = _("export jobs")
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["created_by", "-created_at"]), models.Index(fields=["status", "finished_at"])]

    def __str__(self):
        return f"{self.kind} #{self.pk} ({self.get_status_display()})"

    @property
    def is_finished(self) -> bool:
        return self.status in self.FINISHED

    @property
    def is_ready(self) -> bool:
        return self.status == self.Status.READY and bool(self.file)
