"""A factory per model. Related objects stay in the same village (SubFactory / LazyAttribute)."""

import datetime

import factory
from django.utils import timezone
from factory.django import DjangoModelFactory

from core.crypto import blind_index
from core.rules import add_months, rule
from core.validators import make_id_number
from organization.models import Role, Unit, UnitKind, User, UserRole
from residents.models import Household, Resident
from warnings_followup.models import (
    EscalationContact,
    FollowUpVisit,
    FraudType,
    RiskLevel,
    StopPaymentAccount,
    VisitMethod,
    WarningOrder,
    WarningStatus,
    local_date,
)


class UnitFactory(DjangoModelFactory):
    class Meta:
        model = Unit
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"U{n:05d}")
    name = factory.Sequence(lambda n: f"单位{n}")
    kind = UnitKind.TOWN
    parent = None


class TownFactory(UnitFactory):
    kind = UnitKind.TOWN
    name = factory.Sequence(lambda n: f"测试镇{n}")
    population = 100_000


class VillageFactory(UnitFactory):
    kind = UnitKind.VILLAGE
    parent = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"测试村{n}")
    population = 10_000


class GridFactory(UnitFactory):
    kind = UnitKind.GRID
    parent = factory.SubFactory(VillageFactory)
    name = factory.LazyAttributeSequence(lambda o, n: f"{o.parent.name}第{n}网格")


class SchoolFactory(UnitFactory):
    kind = UnitKind.SCHOOL
    parent = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"测试学校{n}")


class DepartmentFactory(UnitFactory):
    kind = UnitKind.DEPARTMENT
    parent = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"测试部门{n}")


class PoliceStationFactory(UnitFactory):
    kind = UnitKind.POLICE_STATION
    parent = factory.SubFactory(TownFactory)
    name = factory.Sequence(lambda n: f"测试派出所{n}")


class UserFactory(DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    full_name = factory.Faker("name", locale="zh_CN")
    unit = factory.SubFactory(GridFactory)
    mobile = factory.Sequence(lambda n: f"139{n:08d}")
    password = factory.django.Password("demo12345")

    @factory.post_generation
    def roles(self, create, extracted, **kwargs):
        if create and extracted:
            for role in extracted:
                UserRole.objects.get_or_create(user=self, role=role)
            self._role_codes = None


class UserRoleFactory(DjangoModelFactory):
    class Meta:
        model = UserRole

    user = factory.SubFactory(UserFactory)
    role = Role.GRID_WORKER


# --- Resident registry -------------------------------------------------------------------------


class HouseholdFactory(DjangoModelFactory):
    class Meta:
        model = Household
        skip_postgeneration_save = True

    village = factory.SubFactory(VillageFactory)
    grid = None
    address = factory.Sequence(lambda n: f"幸福路{n}号")

    @classmethod
    def _create(cls, model_class, *args, **kwargs):
        from campaigns.counters import coverage_count_household_added

        household = super()._create(model_class, *args, **kwargs)
        coverage_count_household_added(household=household)  # as residents.services.household_create does
        return household

    @factory.post_generation
    def contact_phone(self, create, extracted, **kwargs):
        if extracted:
            self.set_contact_phone(extracted)
            if create:
                self.save()


class ResidentFactory(DjangoModelFactory):
    """A resident with a valid, unique generated ID number, in the household's village."""

    class Meta:
        model = Resident

    name = factory.Faker("name", locale="zh_CN")
    household = None
    village = factory.LazyAttribute(lambda o: o.household.village if o.household else VillageFactory())
    raw_id_number = factory.Sequence(
        lambda n: make_id_number(
            "440605", datetime.date(1950, 1, 1) + datetime.timedelta(days=n * 37 % 20000), n % 1000
        )
    )
    raw_phone = factory.Sequence(lambda n: f"138{n:08d}")

    @classmethod
    def _create(cls, model_class, *args, raw_id_number=None, raw_phone=None, id_number=None, phone=None, **kwargs):
        resident = model_class(*args, **kwargs)
        resident.set_id_number(id_number or raw_id_number)
        resident.set_phone(phone if phone is not None else raw_phone)
        resident.save()
        if resident.household_id:
            from campaigns.counters import coverage_count_resident_moved

            coverage_count_resident_moved(resident=resident, old_household_id=None)  # as resident_create does
        return resident

    @classmethod
    def _build(cls, model_class, *args, raw_id_number=None, raw_phone=None, id_number=None, phone=None, **kwargs):
        resident = model_class(*args, **kwargs)
        resident.set_id_number(id_number or raw_id_number)
        resident.set_phone(phone if phone is not None else raw_phone)
        return resident


# --- Warnings and dissuasion ---------------------------------------------------------------------


class WarningFactory(DjangoModelFactory):
    """A pushed warning for a resident of the village, pushed now unless told otherwise."""

    class Meta:
        model = WarningOrder

    external_id = factory.Sequence(lambda n: f"YJ2026{n:06d}")
    village = factory.SubFactory(VillageFactory)
    person = factory.LazyAttribute(lambda o: ResidentFactory(village=o.village))
    fraud_type = FraudType.INVESTMENT
    risk_level = RiskLevel.HIGH
    summary = "疑似接触虚假投资理财平台"
    status = WarningStatus.PUSHED
    pushed_at = factory.LazyFunction(timezone.now)
    window_ends = factory.LazyAttribute(lambda o: add_months(local_date(o.pushed_at), rule("FOLLOW_UP_MONTHS")))
    next_visit_due = factory.LazyAttribute(
        lambda o: local_date(o.pushed_at) + datetime.timedelta(days=rule("VISIT_INTERVAL_DAYS"))
    )


class StopPaymentAccountFactory(DjangoModelFactory):
    class Meta:
        model = StopPaymentAccount

    warning = factory.SubFactory(WarningFactory)
    bank = "中国工商银行"
    account_number = factory.Sequence(lambda n: f"6222020{n:012d}")
    account_number_hash = factory.LazyAttribute(lambda o: blind_index(o.account_number, purpose="bank_account"))


class FollowUpVisitFactory(DjangoModelFactory):
    class Meta:
        model = FollowUpVisit

    warning = factory.SubFactory(WarningFactory)
    visited_at = factory.LazyFunction(timezone.now)
    method = VisitMethod.IN_PERSON
    at_risk = False


class EscalationContactFactory(DjangoModelFactory):
    class Meta:
        model = EscalationContact

    warning = factory.SubFactory(WarningFactory)
    name = "张三"
    relation = "儿子"
    contacted_at = factory.LazyFunction(timezone.now)


class CountyFactory(UnitFactory):
    kind = UnitKind.COUNTY
    name = factory.Sequence(lambda n: f"测试县{n}")
    population = None


class TownSettingsFactory(DjangoModelFactory):
    """A town's own settings (organization.TownSettings): every field empty, "as the county"."""

    class Meta:
        model = "organization.TownSettings"
        django_get_or_create = ("unit",)

    unit = factory.SubFactory(TownFactory)
