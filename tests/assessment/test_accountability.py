"""Accountability items appear (from a callback, a suggestion or by hand) and close with their follow-up."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessment import selectors, services
from assessment.models import AccountabilityItem, AccountabilitySource, AccountabilityStatus, SummonsRule
from audit.models import AuditEvent

from .factories import AccountabilityItemFactory, CallbackFactory, FraudCaseFactory, InspectionFactory


def test_an_item_from_a_callback_appears_and_closes(client, leader, village_a):
    callback = CallbackFactory(case=FraudCaseFactory(village=village_a))
    services.callback_record(callback=callback, actor=leader, reached=True, educated=False)
    client.force_login(leader)
    listing = client.get("/assessment/accountability/")
    assert listing.content.count(b'data-testid="item-row"') == 2
    item = AccountabilityItem.objects.get(callback=callback, kind="summons")
    # Closing needs the date and the follow-up.
    response = client.post(f"/assessment/accountability/{item.pk}/close/", {"follow_up": ""})
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.status == AccountabilityStatus.OPEN
    client.post(
        f"/assessment/accountability/{item.pk}/",
        {
            "held_on": "2026-04-03",
            "people": "村书记 张三；镇领导 李四",
            "notes": "约谈记录",
            "rectification_deadline": "2026-04-30",
            "follow_up": "",
        },
    )
    client.post(f"/assessment/accountability/{item.pk}/close/", {"follow_up": "已补做入户宣传 120 户"})
    item.refresh_from_db()
    assert item.status == AccountabilityStatus.CLOSED and item.closed_by == leader
    assert item.people == "村书记 张三；镇领导 李四" and item.follow_up == "已补做入户宣传 120 户"
    assert client.get("/assessment/accountability/").content.count(b'data-testid="item-row"') == 1
    assert client.get("/assessment/accountability/?status=closed").content.count(b'data-testid="item-row"') == 1
    services.accountability_transition(item=item, actor=leader, action="reopen")
    item.refresh_from_db()
    assert item.status == AccountabilityStatus.OPEN


def test_closing_twice_is_refused(leader, village_a):
    item = AccountabilityItemFactory(unit=village_a, held_on=datetime.date(2026, 4, 1), follow_up="已整改")
    services.accountability_transition(item=item, actor=leader, action="close")
    with pytest.raises(services.TransitionNotAllowed):
        services.accountability_transition(item=item, actor=leader, action="close")


def test_close_requires_a_follow_up(leader, village_a):
    item = AccountabilityItemFactory(unit=village_a, held_on=datetime.date(2026, 4, 1))
    with pytest.raises(ValidationError):
        services.accountability_transition(item=item, actor=leader, action="close")


def test_who_may_see_and_act(client, head_a, grid_b, police, leader, village_a):
    item = AccountabilityItemFactory(unit=village_a)
    for user in (grid_b, police):
        client.force_login(user)
        assert client.get(f"/assessment/accountability/{item.pk}/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.accountability_transition(item=item, actor=police, action="close")
    with pytest.raises(PermissionDenied):
        services.accountability_transition(item=item, actor=head_a, action="close")


def test_the_village_head_reads_the_items_against_their_village_only(client, head_a, village_a, village_b):
    own = AccountabilityItemFactory(unit=village_a, reason="入户走访覆盖率偏低")
    other = AccountabilityItemFactory(unit=village_b, reason="下柏村的事项")
    client.force_login(head_a)
    listing = client.get("/assessment/accountability/")
    assert listing.status_code == 200
    assert "入户走访覆盖率偏低" in listing.text and "下柏村的事项" not in listing.text
    detail = client.get(f"/assessment/accountability/{own.pk}/")
    assert detail.status_code == 200
    assert f"/assessment/accountability/{own.pk}/close/" not in detail.text  # reading only
    assert client.get(f"/assessment/accountability/{other.pk}/").status_code == 404
    assert client.post(f"/assessment/accountability/{own.pk}/close/", {"follow_up": "x"}).status_code == 404


def test_the_village_head_is_notified_with_a_link_to_the_item(
    head_a, leader, village_a, django_capture_on_commit_callbacks
):
    from notifications.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        item = services.accountability_open(
            unit=village_a, kind="summons", actor=leader, reason="案件持续高发", source=AccountabilitySource.MANUAL
        )
    note = Notification.objects.get(recipient=head_a)
    assert note.url == f"/assessment/accountability/{item.pk}/"


def test_recording_a_summons_by_hand_is_idempotent(client, leader, village_a):
    client.force_login(leader)
    data = {
        "unit": village_a.pk,
        "kind": "summons",
        "reason": "案件持续高发",
        "held_on": "2026-04-02",
        "people": "村书记",
        "client_id": "6c0e8f3e-9a4b-4b52-9b50-7d1d2f0a1c11",
    }
    assert client.post("/assessment/accountability/new/", data).status_code == 302
    assert client.post("/assessment/accountability/new/", data).status_code == 302
    assert AccountabilityItem.objects.filter(unit=village_a, source=AccountabilitySource.MANUAL).count() == 1


def at(text):
    return datetime.datetime.fromisoformat(text)


@pytest.fixture
def high_in_village_a(village_a, village_b):
    """VA (10,000 people) has 3 cases in each of the last two months, VB (10,000) one."""
    today = datetime.date(2026, 5, 15)
    for month in (3, 4):
        for day in (1, 2, 3):
            FraudCaseFactory(village=village_a, reported_at=at(f"2026-{month:02d}-{day:02d}T10:00+08:00"))
        FraudCaseFactory(village=village_b, reported_at=at(f"2026-{month:02d}-05T10:00+08:00"))
    return today


def test_a_village_above_the_town_rate_two_months_running_is_suggested(leader, high_in_village_a, village_b):
    SummonsRule.objects.create(name="2", consecutive_months=2, min_coverage_rate=None, min_inspection_score=None)
    suggestions = selectors.summons_suggestions(user=leader, today=high_in_village_a)
    assert [s.village.code for s in suggestions] == ["VA"]
    assert [m["rate"] for m in suggestions[0].months] == [3, 3] and suggestions[0].months[0]["town_rate"] == 2
    # Weak publicity: a poor last inspection adds VB.
    SummonsRule.objects.update(min_inspection_score=60)
    InspectionFactory(unit=village_b, inspected_on=datetime.date(2026, 5, 1), score=45)
    codes = [s.village.code for s in selectors.summons_suggestions(user=leader, today=high_in_village_a)]
    assert codes == ["VA", "VB"]


def test_one_action_turns_a_suggestion_into_a_summons(client, leader, high_in_village_a, village_a, travel_to):
    SummonsRule.objects.create(name="2", consecutive_months=2, min_coverage_rate=None, min_inspection_score=None)
    travel_to(high_in_village_a)
    client.force_login(leader)
    page = client.get("/assessment/suggestions/")
    assert b'data-testid="summon-button"' in page.content
    response = client.post(f"/assessment/suggestions/{village_a.pk}/summon/")
    item = AccountabilityItem.objects.get()
    assert response.status_code == 302 and response.url == f"/assessment/accountability/{item.pk}/"
    assert (item.unit, item.kind, item.source) == (village_a, "summons", AccountabilitySource.SUGGESTION)
    assert selectors.summons_suggestions(user=leader, today=high_in_village_a)[0].open_summons


def test_a_double_tap_on_summon_records_one_summons(client, leader, high_in_village_a, village_a, travel_to):
    SummonsRule.objects.create(name="2", consecutive_months=2, min_coverage_rate=None, min_inspection_score=None)
    travel_to(high_in_village_a)
    client.force_login(leader)
    first = client.post(f"/assessment/suggestions/{village_a.pk}/summon/")
    second = client.post(f"/assessment/suggestions/{village_a.pk}/summon/")
    item = AccountabilityItem.objects.get()
    assert first.url == second.url == f"/assessment/accountability/{item.pk}/"
    # Once closed, the village can be summoned again on a new suggestion.
    AccountabilityItem.objects.update(status="closed")
    client.post(f"/assessment/suggestions/{village_a.pk}/summon/")
    assert AccountabilityItem.objects.filter(unit=village_a, kind="summons").count() == 2


# --- 四(一) 通报约谈: the kind fits the unit; the summoned unit answers with its rectification -----------------


def test_a_department_is_summoned_through_its_head_not_as_a_village(leader, publicity_office, village_a):
    with pytest.raises(ValidationError):
        services.accountability_open(unit=publicity_office, kind="summons", actor=leader, reason="宣传不力")
    with pytest.raises(ValidationError):
        services.accountability_open(unit=village_a, kind="department_summons", actor=leader, reason="宣传不力")
    item = services.accountability_open(
        unit=publicity_office, kind="department_summons", actor=leader, reason="宣传不力"
    )
    assert item.kind == "department_summons"
    assert services.accountability_open(unit=publicity_office, kind="criticism", actor=leader, reason="通报").pk


def _png(name="rectified.png"):
    import io

    from django.core.files.uploadedfile import SimpleUploadedFile
    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (8, 8), "red").save(buffer, format="PNG")
    return SimpleUploadedFile(name, buffer.getvalue(), content_type="image/png")


@pytest.fixture
def summons_a(village_a):
    return AccountabilityItemFactory(
        unit=village_a, rectification_deadline=datetime.date(2026, 4, 30), held_on=datetime.date(2026, 4, 2)
    )


def test_the_village_head_submits_the_rectification_and_leadership_accepts_it(
    client, head_a, leader, police, summons_a, django_capture_on_commit_callbacks, tmp_path, settings
):
    from notifications.models import Notification

    settings.MEDIA_ROOT = tmp_path
    client.force_login(head_a)
    page = client.get(f"/assessment/accountability/{summons_a.pk}/")
    assert 'data-testid="rectification-form"' in page.text
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(
            f"/assessment/accountability/{summons_a.pk}/rectification/",
            {"text": "已补做入户宣传 120 户，承诺书全部备案", "files": [_png()]},
        )
    assert response.status_code == 302
    summons_a.refresh_from_db()
    assert summons_a.rectification_status == "submitted" and summons_a.status == "open"
    report = summons_a.reports.get()
    assert report.submitted_by == head_a and report.attachments.count() == 1
    assert Notification.objects.filter(recipient=leader, dedupe_key=f"rectification:{report.pk}:submitted").exists()
    file_url = reverse("attachment", args=[report.attachments.get().pk])
    assert client.get(file_url).status_code == 200
    assert 'data-testid="rectification-form"' not in client.get(f"/assessment/accountability/{summons_a.pk}/").text
    client.force_login(leader)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/assessment/accountability/{summons_a.pk}/rectification/accept/", {"note": "整改到位"})
    summons_a.refresh_from_db()
    assert summons_a.status == "closed" and summons_a.rectification_status == "accepted"
    assert summons_a.follow_up == "已补做入户宣传 120 户，承诺书全部备案" and summons_a.closed_by == leader
    assert Notification.objects.filter(recipient=head_a, dedupe_key=f"rectification:{report.pk}:accepted").exists()
    client.force_login(police)  # in the town, but accountability is not theirs: not even the file
    assert client.get(file_url).status_code == 404


def test_leadership_returns_a_rectification_and_the_head_submits_again(head_a, leader, summons_a):
    services.rectification_submit(item=summons_a, actor=head_a, text="已整改")
    with pytest.raises(ValidationError):
        services.rectification_decide(item=summons_a, actor=leader, action="return", note="")
    services.rectification_decide(item=summons_a, actor=leader, action="return", note="缺少入户照片")
    summons_a.refresh_from_db()
    assert summons_a.rectification_status == "returned" and summons_a.status == "open"
    assert summons_a.reports.get().decision == "returned"
    services.rectification_submit(item=summons_a, actor=head_a, text="补充入户照片 30 张")
    services.rectification_decide(item=summons_a, actor=leader, action="accept")
    summons_a.refresh_from_db()
    assert summons_a.status == "closed" and summons_a.reports.count() == 2
    events = list(
        AuditEvent.objects.filter(object_id=str(summons_a.pk), event__startswith="rectification_").values_list(
            "event", flat=True
        )
    )
    assert events == [
        "rectification_submit",
        "rectification_return",
        "rectification_submit",
        "rectification_accept",
    ]


def test_transitions_from_the_wrong_state_are_refused(head_a, leader, summons_a):
    with pytest.raises(services.TransitionNotAllowed):
        services.rectification_decide(item=summons_a, actor=leader, action="accept")
    services.rectification_submit(item=summons_a, actor=head_a, text="已整改")
    with pytest.raises(services.TransitionNotAllowed):
        services.rectification_submit(item=summons_a, actor=head_a, text="再次提交")
    with pytest.raises(ValidationError):
        services.rectification_submit(item=summons_a, actor=head_a, text=" ")


def test_only_the_units_own_head_submits_and_only_leadership_decides(
    client, head_a, leader, grid_a, village_b, summons_a
):
    from tests.factories import UserFactory

    head_b = UserFactory(username="head_b", unit=village_b, roles=["village_head"])
    zongzhi = UserFactory(username="zz", unit=leader.unit, roles=["governance"])
    for outsider in (head_b, grid_a, leader, zongzhi):
        with pytest.raises(PermissionDenied):
            services.rectification_submit(item=summons_a, actor=outsider, text="代为提交")
    client.force_login(head_b)
    url = f"/assessment/accountability/{summons_a.pk}/rectification/"
    assert client.post(url, {"text": "代为提交"}).status_code == 404
    client.force_login(zongzhi)  # sees the item, but does not answer for 联和村
    assert client.post(url, {"text": "代为提交"}).status_code == 404
    services.rectification_submit(item=summons_a, actor=head_a, text="已整改")
    with pytest.raises(PermissionDenied):
        services.rectification_decide(item=summons_a, actor=head_a, action="accept")
    client.force_login(head_a)
    assert client.post(f"/assessment/accountability/{summons_a.pk}/rectification/accept/").status_code == 404
    summons_a.refresh_from_db()
    assert summons_a.rectification_status == "submitted"


def test_the_department_staff_answer_for_their_department(department_staff, leader, publicity_office):
    item = services.accountability_open(
        unit=publicity_office, kind="department_summons", actor=leader, reason="宣传不力"
    )
    services.rectification_submit(item=item, actor=department_staff, text="已开设防骗专栏")
    item.refresh_from_db()
    assert item.rectification_status == "submitted"


def test_an_overdue_rectification_reminds_the_unit_once_per_deadline(head_a, leader, summons_a):
    from assessment import tasks
    from notifications.models import Notification

    assert services.rectification_reminders(today=datetime.date(2026, 4, 30)) == 0  # not yet overdue
    assert services.rectification_reminders(today=datetime.date(2026, 5, 1)) == 1
    assert services.rectification_reminders(today=datetime.date(2026, 5, 2)) == 0  # once per item and deadline
    assert Notification.objects.filter(recipient=head_a, kind="assessment.rectification_overdue").count() == 1
    # A new deadline: reminded again once it passes; a submitted report stops the reminders.
    services.accountability_update(
        item=summons_a,
        actor=leader,
        held_on=summons_a.held_on,
        people="",
        notes="",
        rectification_deadline=datetime.date(2026, 5, 10),
    )
    assert services.rectification_reminders(today=datetime.date(2026, 5, 11)) == 1
    services.rectification_submit(item=summons_a, actor=head_a, text="已整改")
    assert services.rectification_reminders(today=datetime.date(2026, 5, 20)) == 0
    assert tasks.rectification_reminders() == 0


def test_the_units_home_page_shows_its_overdue_rectification(client, head_a, leader, village_a, travel_to):
    AccountabilityItemFactory(unit=village_a, reason="整改事项", rectification_deadline=datetime.date(2026, 4, 30))
    travel_to(datetime.date(2026, 5, 3))
    client.force_login(head_a)
    home = client.get("/")
    assert 'data-testid="home-accountability"' in home.text
    assert 'data-testid="home-rectification-overdue"' in home.text
    client.force_login(leader)
    assert 'data-testid="home-rectification-overdue"' not in client.get("/").text
