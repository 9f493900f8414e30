"""Typical cases (典型案例): anonymity, the draft → published → retired workflow (audited), who writes and who
reads, the source case shown only in scope, the visit forms and the letter, the API and the starter set."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from audit.models import AuditEvent
from core.validators import make_id_number
from core.workflow import TransitionNotAllowed
from fraud_cases import services
from fraud_cases.anonymity import check_anonymous, personal_numbers
from fraud_cases.models import TypicalCase, TypicalCaseStatus
from fraud_cases.starter_cases import STARTER_CASES, typical_cases_seed_starter
from tests import factories
from tests.fraud_cases.factories import FraudCaseFactory, TypicalCaseFactory
from warnings_followup.models import FraudType

pytestmark = pytest.mark.django_db

ID_NUMBER = make_id_number("440605", datetime.date(1958, 4, 12), 231)
TEXT = {
    "title": "刷单返利骗局",
    "fraud_type": FraudType.REBATE_TASK,
    "story": "一名村民在网上做点赞任务，先拿到小额佣金，后来垫付了大额任务，损失2.6万元。",
    "warning_signs": ["先返小额佣金", "要求先垫钱"],
    "script": ["刷单就是诈骗。", "马上停止转账。", "已经转钱的立即打110报警。"],
}


# --- anonymity ------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        (f"受害人身份证{ID_NUMBER}", "id_number"),
        (f"证件号 {ID_NUMBER[:6]} {ID_NUMBER[6:14]} {ID_NUMBER[14:]}", "id_number"),
        ("联系电话13812345678", "phone"),
        ("电话 138-1234-5678 找他", "phone"),
        ("手机１３８１２３４５６７８", "phone"),  # full-width digits
        ("座机0757-86123456", "phone"),
        ("转到6222020200112233445这张卡", "bank_account"),
        ("账号 6217 0000 1234 5678 901", "bank_account"),
    ],
)
def test_personal_numbers_are_found(text, kind):
    assert [found[0] for found in personal_numbers(text)] == [kind]


@pytest.mark.parametrize(
    "text",
    ["损失2.6万元，共转账12次", "2026-03-05晚上", "拨打110或96110", "损失128000元", "第3次转账"],
)
def test_ordinary_figures_are_not_personal_numbers(text):
    assert personal_numbers(text) == []


def test_the_check_names_each_field_and_the_victim():
    with pytest.raises(ValidationError) as raised:
        check_anonymous(
            {"story": "黄阿姨接到电话13812345678", "script": ["别信", "别转", f"号码{ID_NUMBER}"]}, names=["黄阿姨"]
        )
    errors = raised.value.message_dict
    assert set(errors) == {"story", "script"}
    assert len(errors["story"]) == 2  # the phone number and the name
    assert ID_NUMBER not in " ".join(errors["script"])  # the message shows it masked


# --- writing and the workflow -----------------------------------------------------------------------------------


def test_police_write_a_draft_of_their_town(police, town):
    case = services.typical_case_save(actor=police, **TEXT)
    assert (case.status, case.unit, case.author, case.published_on) == (TypicalCaseStatus.DRAFT, town, police, None)
    assert AuditEvent.objects.filter(event="typical_case_create", object_id=str(case.pk)).exists()


def test_a_case_with_a_phone_number_is_refused(police):
    with pytest.raises(ValidationError) as raised:
        services.typical_case_save(actor=police, **(TEXT | {"story": "骗子电话13812345678"}))
    assert "story" in raised.value.message_dict
    assert not TypicalCase.objects.exists()


def test_the_source_case_victims_name_is_refused(police, village_a):
    source = FraudCaseFactory(village=village_a, victim=factories.ResidentFactory(village=village_a, name="区阿伯"))
    with pytest.raises(ValidationError) as raised:
        services.typical_case_save(
            actor=police, source_case_number=source.case_number, **(TEXT | {"story": "区阿伯接到电话后转了钱。"})
        )
    assert "story" in raised.value.message_dict
    case = services.typical_case_save(actor=police, source_case_number=source.case_number, **TEXT)
    assert case.source_case == source


def test_a_source_case_outside_the_writers_scope_is_unknown(police, zongzhi):
    other_town = factories.TownFactory(code="T2")
    elsewhere = FraudCaseFactory(village=factories.VillageFactory(code="V9", parent=other_town))
    with pytest.raises(ValidationError) as raised:
        services.typical_case_save(actor=zongzhi, source_case_number=elsewhere.case_number, **TEXT)
    assert "source_case_number" in raised.value.message_dict


@pytest.mark.parametrize("points", [["一", "二"], ["一", "二", "三", "四", "五", "六", "七"], ["好" * 81, "二", "三"]])
def test_the_script_has_three_to_six_short_points(police, points):
    with pytest.raises(ValidationError) as raised:
        services.typical_case_save(actor=police, **(TEXT | {"script": points}))
    assert "script" in raised.value.message_dict


@pytest.mark.parametrize("user_fixture", ["leader", "grid_a", "head_a", "school", "department_staff"])
def test_only_police_and_the_governance_centre_write(request, user_fixture):
    with pytest.raises(PermissionDenied):
        services.typical_case_save(actor=request.getfixturevalue(user_fixture), **TEXT)


def test_draft_published_retired_published_again(zongzhi, town):
    case = services.typical_case_save(actor=zongzhi, **TEXT)
    case = services.typical_case_publish(actor=zongzhi, case=case)
    assert case.status == TypicalCaseStatus.PUBLISHED and case.published_on is not None
    case = services.typical_case_retire(actor=zongzhi, case=case, reason="out of date")
    assert case.status == TypicalCaseStatus.RETIRED
    with pytest.raises(TransitionNotAllowed):
        services.typical_case_save(actor=zongzhi, case=case, **TEXT)
    case = services.typical_case_publish(actor=zongzhi, case=case)
    assert case.status == TypicalCaseStatus.PUBLISHED
    events = list(AuditEvent.objects.filter(object_id=str(case.pk)).order_by("pk").values_list("event", "old", "new"))
    assert events == [
        ("typical_case_create", "", "draft"),
        ("typical_case_publish", "draft", "published"),
        ("typical_case_retire", "published", "retired"),
        ("typical_case_publish", "retired", "published"),
    ]


def test_a_draft_cannot_be_retired(police, town):
    case = TypicalCaseFactory(unit=town)
    with pytest.raises(TransitionNotAllowed):
        services.typical_case_retire(actor=police, case=case)
    case.refresh_from_db()
    assert case.status == TypicalCaseStatus.DRAFT


def test_publishing_twice_changes_nothing(police, town):
    case = TypicalCaseFactory(unit=town)
    services.typical_case_publish(actor=police, case=case)
    services.typical_case_publish(actor=police, case=case)
    assert AuditEvent.objects.filter(event="typical_case_publish").count() == 1


def test_a_case_of_another_town_is_not_the_writers(police):
    case = TypicalCaseFactory(unit=factories.TownFactory(code="T2"))
    with pytest.raises(PermissionDenied):
        services.typical_case_publish(actor=police, case=case)


# --- pages ------------------------------------------------------------------------------------------------------


def test_police_write_and_publish_through_the_pages(client, police):
    client.force_login(police)
    response = client.post(
        reverse("fraud_cases:typical_case_create"),
        {
            "title": TEXT["title"],
            "fraud_type": TEXT["fraud_type"],
            "story": TEXT["story"],
            "warning_signs": "\n".join(TEXT["warning_signs"]),
            "script": "\n".join(TEXT["script"]) + "\n\n",
        },
    )
    case = TypicalCase.objects.get()
    assert response.status_code == 302 and case.script == TEXT["script"]
    client.post(reverse("fraud_cases:typical_case_transition", args=[case.pk, "publish"]))
    case.refresh_from_db()
    assert case.status == TypicalCaseStatus.PUBLISHED


def test_the_form_shows_the_anonymity_error(client, police):
    client.force_login(police)
    response = client.post(
        reverse("fraud_cases:typical_case_create"),
        {
            "title": "案例",
            "fraud_type": "loan",
            "story": "他的卡号6222020200112233445",
            "warning_signs": "一",
            "script": "一\n二\n三",
        },
    )
    assert response.status_code == 200
    assert "story" in response.context["form"].errors
    assert "6222 **** **** 3445" in str(response.context["form"].errors["story"])  # the message masks it


def test_the_team_reads_published_cases_only(client, grid_a, town):
    published = TypicalCaseFactory(unit=town, status=TypicalCaseStatus.PUBLISHED, title="已发布案例")
    draft = TypicalCaseFactory(unit=town, title="草稿案例")
    client.force_login(grid_a)
    page = client.get(reverse("fraud_cases:typical_case_list")).content.decode()
    assert "已发布案例" in page and "草稿案例" not in page
    assert client.get(reverse("fraud_cases:typical_case_detail", args=[published.pk])).status_code == 200
    assert client.get(reverse("fraud_cases:typical_case_detail", args=[draft.pk])).status_code == 404
    assert client.get(reverse("fraud_cases:typical_case_create")).status_code == 404
    assert client.post(reverse("fraud_cases:typical_case_transition", args=[draft.pk, "publish"])).status_code == 404


def test_the_source_case_shows_only_to_staff_who_see_it(client, police, head_a, village_b, town):
    source = FraudCaseFactory(village=village_b, case_number="AJ-SOURCE-1")
    case = TypicalCaseFactory(unit=town, status=TypicalCaseStatus.PUBLISHED, source_case=source)
    client.force_login(police)
    assert "AJ-SOURCE-1" in client.get(reverse("fraud_cases:typical_case_detail", args=[case.pk])).content.decode()
    client.force_login(head_a)  # sees cases, but only village A's
    response = client.get(reverse("fraud_cases:typical_case_detail", args=[case.pk]))
    assert response.status_code == 200 and "AJ-SOURCE-1" not in response.content.decode()


def test_a_published_case_of_another_town_is_not_read(client, grid_a):
    other = TypicalCaseFactory(unit=factories.TownFactory(code="T2"), status=TypicalCaseStatus.PUBLISHED)
    client.force_login(grid_a)
    assert client.get(reverse("fraud_cases:typical_case_detail", args=[other.pk])).status_code == 404


def test_the_door_visit_form_carries_the_published_cases(client, grid_a, village_a, grid_a1, town):
    TypicalCaseFactory(unit=town, status=TypicalCaseStatus.PUBLISHED, fraud_type="loan", title="网贷先交钱")
    TypicalCaseFactory(unit=town, fraud_type="loan", title="还在写的草稿")
    household = factories.HouseholdFactory(village=village_a, grid=grid_a1)
    client.force_login(grid_a)
    page = client.get(reverse("campaigns:visit_create", args=[household.pk])).content.decode()
    assert 'data-fraud-type="loan"' in page and "网贷先交钱" in page
    assert "还在写的草稿" not in page


def test_the_follow_up_visit_form_carries_the_warnings_type(client, grid_a, village_a, town):
    TypicalCaseFactory(unit=town, status=TypicalCaseStatus.PUBLISHED, fraud_type="investment", title="投资群陷阱")
    TypicalCaseFactory(unit=town, status=TypicalCaseStatus.PUBLISHED, fraud_type="dating", title="网恋陷阱")
    warning = factories.WarningFactory(village=village_a, fraud_type="investment")
    client.force_login(grid_a)
    response = client.get(reverse("warnings_followup:visit_create", args=[warning.pk]))
    assert response.status_code == 200
    page = response.content.decode()
    assert "投资群陷阱" in page and "网恋陷阱" not in page


def test_the_letter_prints_the_case_when_asked(client, grid_a, town):
    case = TypicalCaseFactory(unit=town, status=TypicalCaseStatus.PUBLISHED, title="本月的案例")
    client.force_login(grid_a)
    url = reverse("campaigns:print_material", args=["letter"])
    assert "本月的案例" not in client.get(url).content.decode()
    assert "本月的案例" in client.get(url, {"typical_case": case.pk}).content.decode()
    draft = TypicalCaseFactory(unit=town, title="未发布")
    assert "未发布" not in client.get(url, {"typical_case": draft.pk}).content.decode()


# --- API --------------------------------------------------------------------------------------------------------


def test_the_api_lists_published_cases_of_a_type(api_as, grid_a, town):
    published = TypicalCaseFactory(unit=town, status=TypicalCaseStatus.PUBLISHED, fraud_type="loan")
    TypicalCaseFactory(unit=town, status=TypicalCaseStatus.PUBLISHED, fraud_type="dating")
    TypicalCaseFactory(unit=town, fraud_type="loan")  # a draft
    TypicalCaseFactory(unit=town, status=TypicalCaseStatus.RETIRED, fraud_type="loan")
    response = api_as(grid_a).get("/api/v1/typical-cases/", {"fraud_type": "loan"})
    assert response.status_code == 200
    results = response.json()["results"]
    assert [row["id"] for row in results] == [published.pk]
    assert set(results[0]) == {"id", "title", "fraud_type", "story", "warning_signs", "script", "published_on"}
    assert results[0]["script"] == published.script
    assert len(api_as(grid_a).get("/api/v1/typical-cases/").json()["results"]) == 2


def test_the_api_refuses_an_unknown_type_and_those_without_access(api_as, grid_a, school):
    assert api_as(grid_a).get("/api/v1/typical-cases/", {"fraud_type": "nope"}).status_code == 400
    assert api_as(school).get("/api/v1/typical-cases/").status_code == 403


# --- the starter set --------------------------------------------------------------------------------------------


def test_the_starter_set_has_one_anonymous_case_per_fraud_type(police, town):
    assert sorted(item["fraud_type"] for item in STARTER_CASES) == sorted(FraudType.values)
    counts = typical_cases_seed_starter(actor=police)
    assert counts == {"typical_cases": len(FraudType.values), "created_typical_cases": len(FraudType.values)}
    assert set(TypicalCase.objects.values_list("status", flat=True)) == {TypicalCaseStatus.PUBLISHED}
    assert all(3 <= len(case.script) <= 6 for case in TypicalCase.objects.all())
    assert typical_cases_seed_starter(actor=police)["created_typical_cases"] == 0
