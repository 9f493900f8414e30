"""Per-town work group robots (issue 18): a village without a robot of its own posts to its town's work group
robot, else to its county's (``organization.TownSettings``); a village's own robot always comes first."""

import pytest
from django.core.exceptions import ValidationError

from notifications import channels
from notifications.models import Delivery, DeliveryStatus, VillageChannel
from tests import factories
from tests.notifications.robot import RobotServer
from tests.organization.county import *  # noqa: F403 (the county's fixtures)

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def eager_celery(settings):
    settings.CELERY_TASK_ALWAYS_EAGER = True


def post(village, capture, text="今日待回访 2 人", key="event:1"):
    with capture(execute=True):
        return channels.village_webhook_enqueue(village=village, text=text, dedupe_key=key)


def test_a_village_without_its_own_robot_posts_to_its_towns(
    town, town2, village_a, village_2a, django_capture_on_commit_callbacks
):
    with RobotServer() as town_robot:
        factories.TownSettingsFactory(unit=town2, robot_webhook_url=town_robot.url, robot_webhook_kind="dingtalk")
        delivery = post(village_2a, django_capture_on_commit_callbacks, text="璜矶村：今日待回访 2 人")
        assert post(village_a, django_capture_on_commit_callbacks) is None  # the other town set none
    assert town_robot.contents() == ["璜矶村：今日待回访 2 人"]
    assert town_robot.received[0]["msgtype"] == "text"
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SENT and Delivery.objects.count() == 1
    assert channels.work_group_robot(village_2a) == channels.Robot(town_robot.url, "dingtalk")


def test_the_countys_robot_is_the_default_and_a_towns_or_villages_own_comes_first(
    county_unit, town, town2, village_a, village_b, village_2a, django_capture_on_commit_callbacks
):
    with RobotServer() as county_robot, RobotServer() as town_robot, RobotServer() as village_robot:
        factories.TownSettingsFactory(unit=county_unit, robot_webhook_url=county_robot.url)
        factories.TownSettingsFactory(
            unit=town2, plan_number="九办发〔2024〕8号"
        )  # a row without a robot: as the county
        factories.TownSettingsFactory(unit=town, robot_webhook_url=town_robot.url)
        VillageChannel.objects.create(village=village_b, webhook_url=village_robot.url)
        post(village_2a, django_capture_on_commit_callbacks, text="九江")
        post(village_a, django_capture_on_commit_callbacks, text="联和")
        post(village_b, django_capture_on_commit_callbacks, text="下柏")
    assert county_robot.contents() == ["九江"]
    assert town_robot.contents() == ["联和"]
    assert village_robot.contents() == ["下柏"]
    assert channels.work_group_robot(village_2a).kind == "wecom"  # an empty kind: WeCom


def test_a_towns_robot_takes_only_web_addresses_and_stays_out_of_the_history(town):
    settings_row = factories.TownSettingsFactory(unit=town, robot_webhook_url="ftp://robot.example/send")
    with pytest.raises(ValidationError) as refused:
        settings_row.full_clean()
    assert "robot_webhook_url" in refused.value.message_dict
    settings_row.robot_webhook_url = "https://qyapi.weixin.qq.com/cgi-bin/webhook/send?key=secret-key"
    settings_row.full_clean()
    settings_row.save()
    history = settings_row.history.model
    assert "robot_webhook_url" not in {field.name for field in history._meta.get_fields()}
    assert all("secret-key" not in str(vars(row)) for row in settings_row.history.all())
