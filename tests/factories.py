"""A factory per model. Related objects stay in the same village (SubFactory / LazyAttribute)."""

import factory
from factory.django import DjangoModelFactory

from organization.models import Role, Unit, UnitKind, User, UserRole


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
