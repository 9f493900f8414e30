"""Pledges in the API: ``POST /api/v1/pledges/`` keeps a resident's signed pledge on file (备案留存).

The offline field app (``/field/``) syncs the signatures drawn without signal through it. The body is JSON or
multipart: ``client_id`` (a UUID chosen on the phone when the pledge was signed), ``resident`` (id), and either
``signature`` (the drawn signature, ``data:image/png;base64,...`` or the bare base64 of a PNG, at most 1 MB) or
``photo`` (multipart only: a photo of the signed paper form, checked like every evidence image). Optional:
``signed_at`` (the moment of signing, not of sync) and ``visit_client_id`` (the door visit it was signed at,
by its own client id, so that a visit and a pledge made offline together stay linked).

201 with the pledge; the same ``client_id`` again answers 200 with the first pledge and creates nothing; a
resident outside the caller's scope answers 404, exactly like one that does not exist; a resident who has
already signed (with another client id) answers 400.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import exceptions, parsers, permissions, serializers, status, viewsets
from rest_framework.generics import get_object_or_404
from rest_framework.response import Response
from rest_framework.routers import SimpleRouter

from core.api import refuse_unsupported_method
from core.uploads import IMAGE, SIGNATURE_MAX_BYTES, check_upload, signature_png
from organization.access import can
from residents.models import Resident

from . import services
from .models import DoorVisit, Pledge, PledgeMethod
from .services import CLOCK_SKEW

PNG_PREFIX = "data:image/png;base64,"


class PledgeCreateSerializer(serializers.Serializer):
    """The body of ``POST /api/v1/pledges/``."""

    client_id = serializers.UUIDField(
        help_text=_("A UUID chosen by the client. Posting the same one again returns the first pledge.")
    )
    resident = serializers.IntegerField(min_value=1, help_text=_("Resident id (see /api/v1/residents/)."))
    signature = serializers.CharField(
        required=False,
        allow_blank=True,
        trim_whitespace=True,
        max_length=SIGNATURE_MAX_BYTES * 4 // 3 + 64,
        help_text=_("The signature drawn on the phone: a PNG, as a data: URL or bare base64 (at most 1 MB)."),
    )
    photo = serializers.FileField(required=False, help_text=_("Or a photo of the signed paper form (multipart only)."))
    signed_at = serializers.DateTimeField(
        required=False, help_text=_("When it was signed (not in the future); the time of the request when absent.")
    )
    visit_client_id = serializers.UUIDField(
        required=False, allow_null=True, help_text=_("The client id of the door visit it was signed at, if any.")
    )

    def validate_signed_at(self, value):
        if value > timezone.now() + CLOCK_SKEW:
            raise serializers.ValidationError(_("A pledge cannot be signed in the future."))
        return value

    def validate(self, attrs):
        signature = attrs.get("signature") or ""
        photo = attrs.get("photo")
        if signature and photo is not None:
            raise serializers.ValidationError({"signature": [_("Send the drawn signature or a photo, not both.")]})
        if signature:
            data_url = signature if signature.startswith("data:") else PNG_PREFIX + signature
            try:
                attrs["image"] = signature_png(data_url)
            except DjangoValidationError as error:
                raise serializers.ValidationError({"signature": error.messages}) from None
            attrs["method"] = PledgeMethod.SIGNED_ON_PHONE
        elif photo is not None:
            try:
                attrs["image"] = check_upload(photo, kinds=(IMAGE,))
            except DjangoValidationError as error:
                raise serializers.ValidationError({"photo": error.messages}) from None
            attrs["method"] = PledgeMethod.PAPER_PHOTO
        else:
            raise serializers.ValidationError(
                {"signature": [_("Have the resident sign in the box, or take a photo of the signed paper form.")]}
            )
        return attrs


class PledgeSerializer(serializers.ModelSerializer):
    """A pledge on file, as the API answers it (the image itself is served by the pledge register)."""

    resident = serializers.IntegerField(source="resident_id", read_only=True)
    visit = serializers.IntegerField(source="visit_id", read_only=True, allow_null=True)
    collected_by = serializers.SerializerMethodField()

    class Meta:
        model = Pledge
        fields = ["id", "client_id", "resident", "visit", "signed_at", "method", "collected_by", "created_at"]
        read_only_fields = fields

    def get_collected_by(self, pledge) -> str | None:
        return pledge.collected_by.username if pledge.collected_by else None


class PledgePermission(permissions.BasePermission):
    message = _("Only the village's team and the police may record pledges.")

    def has_permission(self, request, view):
        refuse_unsupported_method(request, view)
        return can(request.user, "campaigns.visit")


class PledgeViewSet(viewsets.GenericViewSet):
    """Recording pledges (reading them is the pledge register's: /campaigns/pledges/)."""

    serializer_class = PledgeCreateSerializer
    permission_classes = [permissions.IsAuthenticated, PledgePermission]
    parser_classes = [parsers.JSONParser, parsers.MultiPartParser, parsers.FormParser]

    @extend_schema(
        summary=_("Record a signed pledge"),
        description=_(
            "A grid worker keeps a resident's signed pledge on file: the signature drawn on the phone (PNG, base64) "
            "or a photo of the signed paper form (multipart). 201 with the pledge; posting the same client_id again "
            "answers 200 with the first pledge and creates nothing. A resident outside the caller's scope answers "
            "404; one who has already signed answers 400."
        ),
        request={"application/json": PledgeCreateSerializer, "multipart/form-data": PledgeCreateSerializer},
        responses={
            201: PledgeSerializer,
            200: PledgeSerializer,
            400: OpenApiResponse(description=_("Invalid input; the reasons per field.")),
            403: OpenApiResponse(description=_("The caller may not record pledges.")),
            404: OpenApiResponse(description=_("The resident does not exist or is outside the caller's scope.")),
        },
    )
    def create(self, request, *args, **kwargs):
        # A body that is not an object (a list, a number) is the serializer's 400, not a crash here.
        resident_id = request.data.get("resident") if hasattr(request.data, "get") else None
        if str(resident_id or "").isdigit() and len(str(resident_id)) <= 18:
            # Scope first: a resident outside it answers 404 whatever else the body holds.
            resident = get_object_or_404(
                Resident.objects.for_user(request.user).select_related("village"), pk=resident_id
            )
        else:
            resident = None
        serializer = self.get_serializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        if resident is None:  # the serializer refuses a missing or non-numeric resident before this
            raise exceptions.NotFound
        replay = Pledge.objects.filter(client_id=data["client_id"], resident=resident).select_related("collected_by")
        if replay.exists():
            return Response(PledgeSerializer(replay.get()).data, status=status.HTTP_200_OK)
        visit = None
        if data.get("visit_client_id"):
            visit = DoorVisit.objects.for_user(request.user).filter(client_id=data["visit_client_id"]).first()
            if visit is None:
                raise exceptions.ValidationError(
                    {"visit_client_id": [_("This door visit has not been recorded yet; sync it first.")]}
                )
        try:
            result = services.pledge_record(
                actor=request.user,
                resident=resident,
                client_id=data["client_id"],
                image=data["image"],
                method=data["method"],
                visit=visit,
                signed_at=data.get("signed_at"),
            )
        except DjangoPermissionDenied as exc:
            raise exceptions.NotFound from exc
        except DjangoValidationError as exc:
            detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
            raise exceptions.ValidationError(detail) from exc
        code = status.HTTP_201_CREATED if result.created else status.HTTP_200_OK
        return Response(PledgeSerializer(result.pledge).data, status=code)


router = SimpleRouter()
router.register("pledges", PledgeViewSet, basename="pledge")

urlpatterns = router.urls
