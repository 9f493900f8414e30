"""Factories for the door-knocking outreach (campaigns): visits, pledges, printed materials, contact numbers.

Related objects stay in the same village: a pledge's resident lives in its visit's household.
"""

import base64
import io

import factory
from django.core.files.base import ContentFile
from django.utils import timezone
from factory.django import DjangoModelFactory
from PIL import Image

from campaigns.counters import coverage_count_pledge, coverage_count_visit
from campaigns.models import DoorVisit, Material, Pledge, PledgeMethod, PoliceContact, PrintMaterial
from tests.factories import HouseholdFactory, ResidentFactory


def signature_png_bytes(size=(120, 40)) -> bytes:
    """A small PNG with a drawn line (a non-empty signature)."""
    image = Image.new("RGBA", size, (255, 255, 255, 0))
    for x in range(10, size[0] - 10):
        image.putpixel((x, size[1] // 2), (0, 0, 0, 255))
    buffer = io.BytesIO()
    image.save(buffer, format="PNG")
    return buffer.getvalue()


def signature_data_url() -> str:
    return "data:image/png;base64," + base64.b64encode(signature_png_bytes()).decode()


class DoorVisitFactory(DjangoModelFactory):
    """A visit that found someone at home (``someone_home=False`` for a not-at-home visit).

    ``visitors`` defaults to ``[recorded_by]`` when a recorder is given.
    """

    class Meta:
        model = DoorVisit
        skip_postgeneration_save = True

    household = factory.SubFactory(HouseholdFactory)
    visited_at = factory.LazyFunction(timezone.now)
    someone_home = True
    gave_letter = True
    gave_contact_card = True
    gave_pledge_form = False
    app_installed = False
    fraud_types_explained = factory.LazyFunction(list)
    notes = ""
    recorded_by = None

    @factory.post_generation
    def visitors(self, create, extracted, **kwargs):
        if not create:
            return
        if extracted:
            self.visitors.set(extracted)
        elif self.recorded_by_id:
            self.visitors.set([self.recorded_by_id])
        coverage_count_visit(visit=self)  # the counters, as door_visit_record keeps them


class PledgeFactory(DjangoModelFactory):
    """A pledge signed on the phone; the resident lives in the visit's household when a visit is given."""

    class Meta:
        model = Pledge

    visit = None
    resident = factory.LazyAttribute(
        lambda o: ResidentFactory(household=o.visit.household) if o.visit else ResidentFactory()
    )
    signed_at = factory.LazyFunction(timezone.now)
    method = PledgeMethod.SIGNED_ON_PHONE
    image = factory.LazyFunction(lambda: ContentFile(signature_png_bytes(), name="pledges/signature.png"))
    collected_by = None

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        pledge = super()._create(model_class, *args, **kwargs)
        coverage_count_pledge(pledge=pledge, household=pledge.resident.household)  # as pledge_record does
        return pledge


class PrintMaterialFactory(DjangoModelFactory):
    class Meta:
        model = PrintMaterial
        django_get_or_create = ("kind",)

    kind = Material.LETTER
    title = factory.LazyAttribute(lambda o: Material(o.kind).label)
    body = "第一段。\n\n第二段。"
    closing = "罗村镇反诈骗工作领导小组"


class PoliceContactFactory(DjangoModelFactory):
    class Meta:
        model = PoliceContact

    label = factory.Sequence(lambda n: f"社区民警{n}")
    phone = factory.Sequence(lambda n: f"0757-8{n:07d}")
    order = factory.Sequence(lambda n: n)
