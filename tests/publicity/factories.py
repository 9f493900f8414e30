"""A factory per publicity model (related rows stay with their activity, venue or plan)."""

import datetime
import uuid

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from publicity.models import (
    Activity,
    ActivityLink,
    ActivityTarget,
    Category,
    Channel,
    FinanceStaff,
    Inspection,
    InspectionItem,
    InspectionItemKind,
    MeetingAttendee,
    MeetingCase,
    MeetingDecision,
    PushRecipient,
    TargetPeriod,
    UnitDuty,
    Venue,
    VenueKind,
    Volunteer,
    VolunteerGroup,
    WorkPlan,
    WorkTask,
)
from tests.factories import DepartmentFactory


def today():
    return timezone.localdate()


class UnitDutyFactory(DjangoModelFactory):
    class Meta:
        model = UnitDuty
        django_get_or_create = ("unit", "duty")

    unit = factory.SubFactory(DepartmentFactory)
    duty = "publicity_office"


class ActivityFactory(DjangoModelFactory):
    class Meta:
        model = Activity

    client_id = factory.LazyFunction(uuid.uuid4)
    unit = factory.SubFactory(DepartmentFactory)
    category = Category.TALK
    title = factory.Sequence(lambda n: f"防骗宣讲{n}")
    held_on = factory.LazyFunction(today)
    place = "文化站"
    audience_size = 50
    channel = Channel.ON_SITE


class ActivityLinkFactory(DjangoModelFactory):
    class Meta:
        model = ActivityLink

    activity = factory.SubFactory(ActivityFactory, category=Category.COLUMN_POST)
    url = "https://example.org/post"


class MeetingAttendeeFactory(DjangoModelFactory):
    class Meta:
        model = MeetingAttendee

    activity = factory.SubFactory(ActivityFactory, category=Category.CASE_MEETING)
    name = "李警官"
    organisation = "派出所"


class MeetingCaseFactory(DjangoModelFactory):
    class Meta:
        model = MeetingCase

    activity = factory.SubFactory(ActivityFactory, category=Category.CASE_MEETING)
    summary = "刷单返利案"


class MeetingDecisionFactory(DjangoModelFactory):
    class Meta:
        model = MeetingDecision

    activity = factory.SubFactory(ActivityFactory, category=Category.CASE_MEETING)
    text = "加快冻结涉案账户"


class PushRecipientFactory(DjangoModelFactory):
    class Meta:
        model = PushRecipient

    activity = factory.SubFactory(ActivityFactory, category=Category.FINANCE_PUSH, channel=Channel.WECHAT_GROUP)
    name = factory.Sequence(lambda n: f"会计{n}")


class VolunteerFactory(DjangoModelFactory):
    class Meta:
        model = Volunteer

    unit = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"志愿者{n}")
    group = VolunteerGroup.LEAGUE_MEMBER


class VenueFactory(DjangoModelFactory):
    class Meta:
        model = Venue

    unit = factory.SubFactory(DepartmentFactory)
    name = factory.Sequence(lambda n: f"超市{n}")
    kind = VenueKind.SUPERMARKET


class InspectionFactory(DjangoModelFactory):
    class Meta:
        model = Inspection

    client_id = factory.LazyFunction(uuid.uuid4)
    venue = factory.SubFactory(VenueFactory)
    inspected_on = factory.LazyFunction(today)


class InspectionItemFactory(DjangoModelFactory):
    class Meta:
        model = InspectionItem

    inspection = factory.SubFactory(InspectionFactory)
    item = InspectionItemKind.BROADCAST
    passed = False
    fix_deadline = factory.LazyAttribute(lambda o: o.inspection.inspected_on + datetime.timedelta(days=7))


class ActivityTargetFactory(DjangoModelFactory):
    class Meta:
        model = ActivityTarget

    unit = factory.SubFactory(DepartmentFactory)
    category = Category.TALK
    period = TargetPeriod.MONTH
    required = 2


class WorkPlanFactory(DjangoModelFactory):
    class Meta:
        model = WorkPlan

    unit = factory.SubFactory(DepartmentFactory)
    title = factory.Sequence(lambda n: f"工作方案{n}")
    year = factory.LazyFunction(lambda: today().year)


class WorkTaskFactory(DjangoModelFactory):
    class Meta:
        model = WorkTask

    plan = factory.SubFactory(WorkPlanFactory)
    title = factory.Sequence(lambda n: f"任务{n}")
    responsible_name = "张三"
    due_on = factory.LazyFunction(lambda: today() + datetime.timedelta(days=10))


class FinanceStaffFactory(DjangoModelFactory):
    """A finance staff member on the finance and audit centre's roster (its ``keeper``), of a village or unit."""

    class Meta:
        model = FinanceStaff

    keeper = factory.SubFactory(DepartmentFactory)
    unit = factory.LazyAttribute(lambda o: o.keeper)
    name = factory.Sequence(lambda n: f"会计{n}")
    position = "会计"
    mobile = factory.Sequence(lambda n: f"1390000{n:04d}")

    @classmethod
    def _create(cls, model_class, *args, mobile, **kwargs):
        staff = model_class(*args, **kwargs)
        staff.set_mobile(mobile)
        staff.save()
        return staff
