"""Villages log their own publicity (五(三) 各村居…创新宣传方法): the village head and the team record talks, banners,
group posts and market stalls with evidence, within their own village; the activities count in the village's
indicators (shown, not weighted: the scores stay as they were) and in the bulletin."""

import datetime
import uuid

import pytest
from django.urls import reverse
from django.utils import timezone

from assessment.indicators import indicator_report
from core import periods
from organization.models import Role
from publicity.models import Activity, Category
from tests import factories
from tests.assessment.factories import FraudCaseFactory

from .factories import ActivityFactory

pytestmark = pytest.mark.django_db
NEW = reverse("publicity:activity_create")
LIST = reverse("publicity:activity_list")


def village_form(**overrides):
    data = {
        "client_id": str(uuid.uuid4()),
        "category": Category.BANNER,
        "title": "村口拉横幅：谨防冒充客服诈骗",
        "held_on": timezone.localdate().isoformat(),
        "place": "联和村村口",
        "channel": "on_site",
    }
    data.update(overrides)
    return data


class TestTheVillageLogsItsPublicity:
    def test_the_village_head_reaches_the_publicity_pages(self, client, head_a):
        client.force_login(head_a)
        assert client.get(LIST).status_code == 200
        assert client.get(NEW).status_code == 200

    def test_the_village_head_logs_a_banner_with_a_photo_for_the_village(self, client, head_a, village_a, photo):
        client.force_login(head_a)
        response = client.post(NEW, {**village_form(), "evidence": [photo()]})
        activity = Activity.objects.get()
        assert response.status_code == 302
        assert activity.unit == village_a and activity.category == Category.BANNER
        assert activity.attachments.count() == 1
        assert "村口拉横幅" in client.get(LIST).content.decode()

    def test_the_form_offers_the_villages_kinds_of_publicity(self, client, head_a):
        client.force_login(head_a)
        offered = [value for value, _label in client.get(NEW).context["form"].fields["category"].choices]
        assert offered == [Category.TALK, Category.BANNER, Category.GROUP_POST, Category.MARKET_STALL, Category.OTHER]

    def test_the_team_logs_a_market_stall_too(self, client, grid_a, village_a):
        client.force_login(grid_a)
        client.post(NEW, village_form(category=Category.MARKET_STALL, title="赶集日设摊宣传"))
        assert Activity.objects.get().unit == village_a

    def test_a_village_cannot_log_a_departments_kind_of_work(self, client, head_a):
        client.force_login(head_a)
        response = client.post(NEW, village_form(category=Category.CASE_MEETING))
        assert response.status_code == 200
        assert not Activity.objects.exists()

    def test_a_forged_unit_is_ignored_the_activity_is_the_villages(self, client, head_a, village_a, village_b):
        client.force_login(head_a)
        client.post(NEW, village_form(unit=str(village_b.pk)))
        assert Activity.objects.get().unit == village_a


class TestScope:
    def test_the_village_head_sees_the_own_villages_activities_only(self, client, head_a, village_a, village_b):
        own = ActivityFactory(unit=village_a, category=Category.TALK, title="本村讲座")
        other = ActivityFactory(unit=village_b, category=Category.TALK, title="邻村讲座")
        department = ActivityFactory(title="宣传办讲座")
        client.force_login(head_a)
        page = client.get(LIST).content.decode()
        assert "本村讲座" in page and "邻村讲座" not in page and "宣传办讲座" not in page
        assert client.get(reverse("publicity:activity_detail", args=[own.pk])).status_code == 200
        assert client.get(reverse("publicity:activity_detail", args=[other.pk])).status_code == 404
        assert client.get(reverse("publicity:activity_detail", args=[department.pk])).status_code == 404

    def test_another_villages_team_cannot_edit_it(self, client, grid_b, village_a):
        activity = ActivityFactory(unit=village_a, category=Category.TALK)
        client.force_login(grid_b)
        assert client.get(reverse("publicity:activity_edit", args=[activity.pk])).status_code == 404

    def test_leadership_sees_every_villages_activities(self, client, leader, village_a, village_b):
        ActivityFactory(unit=village_a, category=Category.TALK, title="联和村讲座")
        ActivityFactory(unit=village_b, category=Category.BANNER, title="下柏村横幅")
        client.force_login(leader)
        page = client.get(LIST).content.decode()
        assert "联和村讲座" in page and "下柏村横幅" in page

    def test_someone_without_a_role_still_gets_404(self, client, outsider):
        client.force_login(outsider)
        assert client.get(LIST).status_code == 404


class TestIndicatorsAndBulletin:
    @pytest.fixture
    def month(self):
        return periods.month(timezone.localdate().replace(day=1) - datetime.timedelta(days=1))

    def test_the_villages_activities_count_in_its_row_without_changing_the_score(
        self, leader, village_a, village_b, month
    ):
        village_a.population, village_b.population = 3000, 2000
        village_a.save(), village_b.save()
        FraudCaseFactory(village=village_b, reported_at=month.start + datetime.timedelta(days=2))
        before = {row.unit.code: row.score for row in indicator_report(user=leader, period=month).rows}
        ActivityFactory.create_batch(2, unit=village_a, category=Category.TALK, held_on=month.first_day)
        ActivityFactory(unit=village_a, category=Category.BANNER, held_on=month.first_day - datetime.timedelta(days=1))
        rows = {row.unit.code: row for row in indicator_report(user=leader, period=month).rows}
        assert rows["VA"].publicity_activities == 2  # the one of the month before is not this month's
        assert rows["VB"].publicity_activities == 0
        assert {code: row.score for code, row in rows.items()} == before

    def test_the_village_row_and_the_bulletin_show_the_figure(self, client, leader, village_a, month):
        ActivityFactory.create_batch(3, unit=village_a, category=Category.MARKET_STALL, held_on=month.first_day)
        client.force_login(leader)
        dashboard = client.get(reverse("assessment:dashboard"), {"period": month.key})
        row = next(r for r in dashboard.context["ranked"] if r.unit == village_a)
        assert row.publicity_activities == 3
        assert 'data-testid="publicity-activities">3<' in dashboard.content.decode()
        bulletin = client.get(reverse("assessment:bulletin"), {"period": month.key}).content.decode()
        assert 'data-testid="bulletin-publicity">3<' in bulletin
        assert 'data-testid="bulletin-publicity-total">3<' in bulletin

    def test_the_village_head_sees_the_own_figure_on_the_indicators_page(self, client, head_a, village_a, month):
        ActivityFactory(unit=village_a, category=Category.GROUP_POST, held_on=month.first_day)
        factories.UserFactory(username="volunteer_x", unit=village_a, roles=[Role.VOLUNTEER])
        client.force_login(head_a)
        [row] = indicator_report(user=head_a, period=month).rows
        assert row.publicity_activities == 1


def test_the_demo_seeds_village_activities_a_finance_roster_and_a_push_once():
    from demo.organization import seed_organization
    from demo.publicity import seed as seed_publicity
    from demo.village_publicity import seed

    seed_organization()
    seed_publicity()
    counts = seed()
    assert counts["village_activities"] >= 6 and counts["finance_staff"] >= 10 and counts["finance_pushes"] == 1
    assert Activity.objects.filter(unit__kind="village").values("unit").distinct().count() >= 4
    push = Activity.objects.get(category=Category.FINANCE_PUSH, finance_push__isnull=False)
    recipients = list(push.recipients.all())
    assert 0 < sum(1 for r in recipients if r.confirmed_via_link) < len(recipients)
    again = seed()
    assert (again["village_activities"], again["finance_pushes"]) == (0, 0)
