"""Photos of a door visit in the API: ``POST /api/v1/door-visits/{visit_client_id}/photos/``.

The offline field app (``/field/``) takes photos at the door without signal, shrinks them on the phone (long
side 1600 px, JPEG) and queues them; once their visit is synced it posts each one here, multipart:
``client_id`` (a UUID chosen on the phone when the photo was taken) and ``photo`` (the image, at most
:data:`PHOTO_MAX_BYTES`, then checked by its content like every evidence image: ``core.uploads.check_upload``).
``POST /api/v1/door-visits/`` itself is unchanged: a visit is recorded by JSON as before.

201 with the photo; the same ``client_id`` again answers 200 with the first photo and stores nothing; a visit
that does not exist (not synced yet) or is outside the caller's scope answers 404; a photo too large, not an
image, or over :data:`core.uploads.MAX_FILES` photos on the visit answers 400.

The photo's ``client_id`` is kept as the attachment's file name (``<client_id>.<ext>``): the visit's row is
locked while the photos are counted and the name looked up, so two posts of the same photo at once store one.
"""

from __future__ import annotations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db import transaction
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, parsers, permissions, serializers, status
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.views import APIView

from core.api import refuse_unsupported_method
from core.models import Attachment
from core.uploads import IMAGE, MAX_FILES, attach, check_upload, files_removed_on_error
from organization.access import can

from .models import DoorVisit
from .services import can_record_visit

PHOTO_MAX_BYTES = 2 * 1024 * 1024  # the phone sends ~0.3 MB (1600 px JPEG); anything bigger was not shrunk


class VisitPhotoSerializer(serializers.Serializer):
    """The body of ``POST /api/v1/door-visits/{visit_client_id}/photos/`` (multipart)."""

    client_id = serializers.UUIDField(
        help_text=_("A UUID chosen by the client for this photo. Posting the same one again returns the first photo.")
    )
    photo = serializers.FileField(help_text=_("The photo (JPEG, PNG or WebP), at most 2 MB."))

    def validate_photo(self, photo):
        if photo.size > PHOTO_MAX_BYTES:
            raise serializers.ValidationError(
                _("The photo is larger than %(limit)s MB: take it again, smaller.") % {"limit": PHOTO_MAX_BYTES >> 20}
            )
        return photo


def _answer(attachment: Attachment, visit: DoorVisit, client_id) -> dict:
    return {
        "id": attachment.pk,
        "client_id": str(client_id),
        "visit": visit.pk,
        "mime": attachment.mime,
        "size": attachment.size,
        "uploaded_at": attachment.uploaded_at,
    }


class VisitPhotoPermission(permissions.BasePermission):
    message = _("Only the village's team and the police may record door visits.")

    def has_permission(self, request, view):
        refuse_unsupported_method(request, view)
        return can(request.user, "campaigns.visit")


class VisitPhotoView(APIView):
    permission_classes = [permissions.IsAuthenticated, VisitPhotoPermission]
    parser_classes = [parsers.MultiPartParser, parsers.FormParser, parsers.JSONParser]
    http_method_names = ["post", "options"]

    @extend_schema(
        summary=_("Add a photo to a door visit"),
        description=_(
            "The field app sends the photos taken at a door visit once the visit is synced (multipart: client_id, "
            "photo). 201 with the photo; the same client_id again answers 200 and stores nothing. A visit not "
            "recorded yet or outside the caller's scope answers 404."
        ),
        request={"multipart/form-data": VisitPhotoSerializer},
        responses={
            201: OpenApiResponse(description=_("The photo was stored.")),
            200: OpenApiResponse(description=_("The photo had already been stored.")),
            400: OpenApiResponse(description=_("Invalid input; the reasons per field.")),
            403: OpenApiResponse(description=_("The caller may not record door visits.")),
            404: OpenApiResponse(description=_("The visit does not exist or is outside the caller's scope.")),
        },
    )
    def post(self, request, visit_client_id):
        # Scope first: a visit outside it answers 404 whatever the body holds.
        visit = get_object_or_404(
            DoorVisit.objects.for_user(request.user).select_related("household__village"), client_id=visit_client_id
        )
        if not can_record_visit(request.user, visit.household):
            raise exceptions.NotFound
        serializer = VisitPhotoSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        client_id = serializer.validated_data["client_id"]
        content_type = ContentType.objects.get_for_model(DoorVisit)
        photos = Attachment.objects.filter(content_type=content_type, object_id=visit.pk)
        # Replayed (the phone lost the answer): the first photo, nothing checked or stored again.
        replay = photos.filter(original_name__startswith=f"{client_id}.").first()
        if replay is not None:
            return Response(_answer(replay, visit, client_id), status=status.HTTP_200_OK)
        try:
            checked = check_upload(serializer.validated_data["photo"], kinds=(IMAGE,))
        except DjangoValidationError as error:
            raise exceptions.ValidationError({"photo": error.messages}) from None
        checked.original_name = f"{client_id}.{checked.extension}"
        with files_removed_on_error(), transaction.atomic():
            DoorVisit.objects.select_for_update().filter(pk=visit.pk).values_list("pk").get()
            replay = photos.filter(original_name__startswith=f"{client_id}.").first()
            if replay is not None:
                return Response(_answer(replay, visit, client_id), status=status.HTTP_200_OK)
            if photos.count() >= MAX_FILES:
                raise exceptions.ValidationError(
                    {"photo": [_("A visit keeps at most %(count)s photos.") % {"count": MAX_FILES}]}
                )
            (attachment,) = attach(visit, [checked], user=request.user)
        return Response(_answer(attachment, visit, client_id), status=status.HTTP_201_CREATED)
