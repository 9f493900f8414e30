"""The case analysis meeting (研判会商, 三(三)) works on registered cases: the governance centre picks them from the
registry by number, the police and the centre record later what came of each (solved, recovered, prosecution),
audited, and the leadership dashboard counts them for the period."""

import datetime
import uuid
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AuditEvent
from fraud_cases.meetings import fraud_case_outcome_update, meeting_outcomes
from fraud_cases.models import ProsecutionStage
from publicity.models import Activity, Category, MeetingCase
from tests import factories
from tests.publicity.factories import ActivityFactory

from .factories import FraudCaseFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def english(settings):
    settings.LANGUAGE_CODE = "en"
    with translation.override("en"):
        yield


def meeting_form(**overrides):
    data = {
        "client_id": str(uuid.uuid4()),
        "category": Category.CASE_MEETING,
        "title": "十一月研判会商",
        "held_on": timezone.localdate().isoformat(),
        "place": "综治中心",
        "audience_size": "8",
        "channel": "on_site",
        "attendees": "陈副书记 | 镇党委\n李警官 | 罗村派出所",
        "decisions": "协调银行冻结账户 | 罗村派出所",
    }
    data.update(overrides)
    return data


@pytest.fixture
def two_cases(village_a, village_b):
    return (
        FraudCaseFactory(case_number="LC-001", village=village_a, loss_amount=Decimal("50000")),
        FraudCaseFactory(case_number="LC-002", village=village_b, loss_amount=Decimal("8000"), fraud_type="loan"),
    )


class TestPickingCasesFromTheRegistry:
    def test_registered_numbers_link_the_cases_and_bring_their_type_and_loss(
        self, client, zongzhi, governance_centre, two_cases
    ):
        first, second = two_cases
        client.force_login(zongzhi)
        response = client.post(
            reverse("publicity:activity_create"),
            meeting_form(cases="LC-001 | 资金流已查明\nLC-002\n冒充客服退款案"),
        )
        assert response.status_code == 302
        rows = list(Activity.objects.get().cases.order_by("pk"))
        assert [(row.reference, row.fraud_case) for row in rows] == [("LC-001", first), ("LC-002", second), ("", None)]
        assert rows[0].summary == "资金流已查明"
        assert "8000" in rows[1].summary
        page = client.get(response.url).content.decode()
        assert page.count('data-testid="meeting-case-registry"') == 2
        assert "Not solved yet" in page
        assert reverse("fraud_cases:case_outcome", args=[first.pk]) in page

    def test_a_number_outside_the_users_area_stays_plain_text(self, client, zongzhi, governance_centre):
        other_town = factories.TownFactory(code="T9", name="九江镇")
        elsewhere = FraudCaseFactory(case_number="JJ-001", village=factories.VillageFactory(parent=other_town))
        client.force_login(zongzhi)
        client.post(reverse("publicity:activity_create"), meeting_form(cases="JJ-001 | 外镇案件"))
        row = MeetingCase.objects.get()
        assert row.reference == "JJ-001" and row.fraud_case is None
        assert elsewhere.meeting_cases.count() == 0


class TestUpdatingTheOutcomes:
    def test_the_police_record_solved_recovered_and_prosecuted_later_and_it_is_audited(self, client, police, two_cases):
        case = two_cases[0]
        client.force_login(police)
        url = reverse("fraud_cases:case_outcome", args=[case.pk])
        assert client.get(url).status_code == 200
        solved = timezone.localdate() - datetime.timedelta(days=2)
        response = client.post(
            url,
            {
                "solved_on": solved.isoformat(),
                "recovered_amount": "20000",
                "prosecution_stage": ProsecutionStage.TRANSFERRED,
                "reason": "嫌疑人到案",
            },
        )
        assert response.status_code == 302
        case.refresh_from_db()
        assert (case.solved_on, case.recovered_amount, case.prosecution_stage) == (
            solved,
            Decimal("20000"),
            ProsecutionStage.TRANSFERRED,
        )
        event = AuditEvent.objects.get(event="case_outcome_updated")
        assert event.actor == police and event.reason == "嫌疑人到案"
        assert event.extra["after"]["recovered_amount"] == "20000"
        assert event.extra["before"]["prosecution_stage"] == ""

    def test_the_governance_centre_may_update_too_and_a_no_op_writes_nothing(
        self, zongzhi, governance_centre, two_cases
    ):
        case = two_cases[0]
        fraud_case_outcome_update(
            actor=zongzhi, case=case, solved_on=None, recovered_amount=Decimal("0"), prosecution_stage=""
        )
        assert not AuditEvent.objects.exists()

    def test_more_recovered_than_lost_is_refused(self, client, police, two_cases):
        case = two_cases[1]
        client.force_login(police)
        response = client.post(
            reverse("fraud_cases:case_outcome", args=[case.pk]), {"recovered_amount": "9000", "prosecution_stage": ""}
        )
        assert response.status_code == 200
        assert "recovered_amount" in response.context["form"].errors

    def test_the_village_head_and_leadership_may_not_update(self, client, head_a, leader, two_cases):
        url = reverse("fraud_cases:case_outcome", args=[two_cases[0].pk])
        for user in (head_a, leader):
            client.force_login(user)
            assert client.get(url).status_code == 404

    def test_a_case_of_another_town_is_not_found(self, client, police, two_cases):
        other_town = factories.TownFactory(code="T9", name="九江镇")
        elsewhere = FraudCaseFactory(village=factories.VillageFactory(parent=other_town))
        client.force_login(police)
        assert client.get(reverse("fraud_cases:case_outcome", args=[elsewhere.pk])).status_code == 404


class TestTheDashboardCountsThem:
    def test_discussed_solved_recovered_and_prosecuted_in_the_period(
        self, client, leader, zongzhi, governance_centre, police, two_cases, django_assert_num_queries
    ):
        first, second = two_cases
        meeting = ActivityFactory(unit=governance_centre, category=Category.CASE_MEETING)
        MeetingCase.objects.create(activity=meeting, reference="LC-001", summary="s", fraud_case=first)
        MeetingCase.objects.create(activity=meeting, reference="LC-002", summary="s", fraud_case=second)
        later = ActivityFactory(unit=governance_centre, category=Category.CASE_MEETING)
        MeetingCase.objects.create(activity=later, reference="LC-001", summary="again", fraud_case=first)
        today = timezone.localdate()
        fraud_case_outcome_update(
            actor=police,
            case=first,
            solved_on=today,
            recovered_amount=Decimal("20000"),
            prosecution_stage=ProsecutionStage.PROSECUTED,
        )
        meeting_outcomes(user=leader, start=today, end=today)  # the user's scope is read once and kept
        with django_assert_num_queries(1):
            figures = meeting_outcomes(user=leader, start=today.replace(day=1), end=today)
        assert figures == {"discussed": 2, "solved": 1, "recovered": Decimal("20000"), "prosecuted": 1}
        client.force_login(leader)
        page = client.get(reverse("assessment:dashboard"), {"period": f"{today:%Y-%m}"}).content.decode()
        assert 'data-testid="meeting-solved">1<' in page
        assert 'data-testid="meeting-discussed">2<' in page

    def test_meetings_outside_the_period_do_not_count(self, leader, governance_centre, two_cases):
        long_ago = timezone.localdate() - datetime.timedelta(days=400)
        meeting = ActivityFactory(unit=governance_centre, category=Category.CASE_MEETING, held_on=long_ago)
        MeetingCase.objects.create(activity=meeting, reference="LC-001", summary="s", fraud_case=two_cases[0])
        today = timezone.localdate()
        assert meeting_outcomes(user=leader, start=today.replace(day=1), end=today)["discussed"] == 0
