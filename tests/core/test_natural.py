"""Lists read in natural order: 幸福路5号 before 43号, 初一 before 初二 before 初三, 一年级 … 六年级."""

import pytest

from campaigns.coverage import households_not_visited
from campaigns.selectors import households_to_visit
from core.natural import chinese_number, natural_key
from education.selectors import classes_of_school
from residents.selectors import households_for_user
from schools.models import Student
from schools.selectors import class_options
from tests import factories
from tests.schools.factories import StudentFactory


def test_house_numbers_sort_by_their_value():
    addresses = ["幸福路43号", "幸福路5号", "幸福路１２号", "幸福路100号"]
    assert sorted(addresses, key=natural_key) == ["幸福路5号", "幸福路１２号", "幸福路43号", "幸福路100号"]


def test_grades_and_classes_in_chinese_numerals_sort_by_their_value():
    assert sorted(["初三", "初一", "初二"], key=natural_key) == ["初一", "初二", "初三"]
    grades = ["六年级", "二年级", "一年级", "五年级", "三年级", "四年级"]
    assert sorted(grades, key=natural_key) == ["一年级", "二年级", "三年级", "四年级", "五年级", "六年级"]
    assert sorted(["10班", "2班", "十一班"], key=natural_key) == ["2班", "10班", "十一班"]


def test_chinese_numbers():
    numbers = [chinese_number(text) for text in ["一", "十", "十二", "二十三", "一〇五", "心"]]
    assert numbers == [1, 10, 12, 23, 105, None]


def test_names_that_merely_contain_a_numeral_keep_it():
    assert natural_key("一心村三巷") == "一心村三巷"


@pytest.mark.django_db
def test_the_household_list_reads_house_numbers_in_order(grid_a, village_a, grid_a1):
    for number in (43, 5, 100, 7):
        factories.HouseholdFactory(village=village_a, grid=grid_a1, address=f"幸福路{number}号")
    expected = ["幸福路5号", "幸福路7号", "幸福路43号", "幸福路100号"]
    assert [h.address for h in households_for_user(user=grid_a)] == expected
    to_visit = households_to_visit(user=grid_a, params={"show": "todo"})
    assert [h.address for h in to_visit] == expected
    assert [h.address for h in households_not_visited(village_a, user=grid_a)] == expected


@pytest.mark.django_db
def test_an_address_changed_gets_its_new_place(grid_a, village_a):
    first = factories.HouseholdFactory(village=village_a, address="幸福路5号")
    factories.HouseholdFactory(village=village_a, address="幸福路9号")
    first.address = "幸福路43号"
    first.save()
    assert [h.address for h in households_for_user(user=grid_a)] == ["幸福路9号", "幸福路43号"]


@pytest.mark.django_db
def test_the_school_lists_read_grades_in_order(school, middle_school):
    for grade, class_name in [("初三", "1班"), ("初一", "10班"), ("初二", "1班"), ("初一", "2班")]:
        StudentFactory(school=middle_school, grade=grade, class_name=class_name)
    expected = [("初一", "2班"), ("初一", "10班"), ("初二", "1班"), ("初三", "1班")]
    assert class_options(user=school, school=middle_school) == expected
    assert classes_of_school(middle_school) == expected
    assert [(s.grade, s.class_name) for s in Student.objects.filter(school=middle_school)] == expected


@pytest.mark.django_db
def test_bulk_created_students_get_their_keys(middle_school):
    built = StudentFactory.build(school=middle_school, grade="六年级", class_name="一班")
    Student.objects.bulk_create([built])
    stored = Student.objects.get(pk=built.pk)
    assert (stored.grade_key, stored.class_key) == (natural_key("六年级"), natural_key("一班"))
