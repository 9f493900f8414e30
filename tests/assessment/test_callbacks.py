"""一案双查: the monthly draw is stratified by village and reproducible for a seed; the caller's answer."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from assessment import selectors, services, tasks
from assessment.models import (
    AccountabilityItem,
    AccountabilityKind,
    AccountabilityStatus,
    Callback,
    CallbackDraw,
    CallbackSettings,
)
from tests.factories import VillageFactory

from .factories import CallbackFactory, FraudCaseFactory

MARCH = datetime.date(2026, 3, 1)


def at(text):
    return datetime.datetime.fromisoformat(text)


def test_the_pure_draw_is_reproducible_and_stratified():
    cases = {"VA": [f"A{n}" for n in range(10)], "VB": [f"B{n}" for n in range(4)], "VC": []}
    first = services.draw_sample(cases, seed=7, per_village=2, share=None)
    assert first == services.draw_sample(
        {k: list(reversed(v)) for k, v in cases.items()}, seed=7, per_village=2, share=None
    )
    assert set(first) == {"VA", "VB"} and all(len(v) == 2 for v in first.values())
    assert all(n.startswith("A") for n in first["VA"]) and all(n.startswith("B") for n in first["VB"])
    others = {tuple(services.draw_sample(cases, seed=s, per_village=2, share=None)["VA"]) for s in range(20)}
    assert len(others) > 1  # the seed matters
    by_share = services.draw_sample(cases, seed=7, per_village=None, share="0.25")
    assert (len(by_share["VA"]), len(by_share["VB"])) == (3, 1)  # ceil(2.5) and ceil(1): at least one


@pytest.fixture
def march_cases(town, village_a, village_b):
    village_c = VillageFactory(code="VC", parent=town)
    for n in range(6):
        FraudCaseFactory(village=village_a, reported_at=at(f"2026-03-{n + 1:02d}T10:00+08:00"))
    for n in range(3):
        FraudCaseFactory(village=village_b, reported_at=at(f"2026-03-{n + 10:02d}T10:00+08:00"))
    FraudCaseFactory(village=village_b, reported_at=at("2026-04-01T00:10+08:00"))  # April: not drawn
    FraudCaseFactory(village=village_c, reported_at=at("2026-02-28T23:50+08:00"))  # February: not drawn
    return village_a, village_b, village_c


def drawn_numbers(draw):
    return sorted(draw.callbacks.values_list("case__case_number", flat=True))


def test_the_monthly_draw_takes_the_count_from_each_village_and_stores_its_seed(leader, march_cases):
    draw, created = services.callback_draw_month(month=MARCH, actor=leader, seed=12345, per_village=2)
    assert created and draw.seed == 12345 and draw.population == 9
    counts = {c["village__code"]: c["n"] for c in _per_village(draw)}
    assert counts == {"VA": 2, "VB": 2}
    again, created_again = services.callback_draw_month(month=datetime.date(2026, 3, 20), actor=leader, seed=1)
    assert (again, created_again) == (draw, False)


def _per_village(draw):
    from django.db.models import Count

    return draw.callbacks.values("village__code").annotate(n=Count("pk"))


def test_the_same_seed_draws_the_same_cases(leader, march_cases):
    draw, _created = services.callback_draw_month(month=MARCH, actor=leader, seed=99, per_village=2)
    first = drawn_numbers(draw)
    Callback.objects.all().delete()
    CallbackDraw.objects.all().delete()
    redraw, _created = services.callback_draw_month(month=MARCH, actor=leader, seed=draw.seed, per_village=2)
    assert drawn_numbers(redraw) == first


def test_settings_give_the_share_and_the_callers_in_turn(leader, march_cases, admin_user):
    settings = CallbackSettings.objects.create(per_village=None, share="0.5")
    settings.callers.set([leader, admin_user])
    draw, _created = services.callback_draw_month(month=MARCH, seed=3)
    assert draw.trigger == CallbackDraw.Trigger.SCHEDULE
    counts = {c["village__code"]: c["n"] for c in _per_village(draw)}
    assert counts == {"VA": 3, "VB": 2}
    callers = list(draw.callbacks.order_by("pk").values_list("assigned_to", flat=True))
    assert callers == [leader.pk, admin_user.pk] * 2 + [leader.pk]


def test_the_beat_task_draws_last_month_once(march_cases, travel_to):
    travel_to(datetime.date(2026, 4, 1))
    assert tasks.monthly_callback_draw() == "2026-03 drawn"
    assert tasks.monthly_callback_draw() == "2026-03 already drawn"
    assert CallbackDraw.objects.get().callbacks.count() == 4  # 2 per village by default


def test_only_leadership_and_governance_draw(grid_a, march_cases):
    with pytest.raises(PermissionDenied):
        services.callback_draw_month(month=MARCH, actor=grid_a)


def test_not_educated_opens_a_summons_and_a_public_criticism_of_the_village(leader, village_a):
    callback = CallbackFactory(case=FraudCaseFactory(village=village_a))
    services.callback_record(callback=callback, actor=leader, reached=True, educated=False, notes="从未有人上门")
    items = AccountabilityItem.objects.filter(callback=callback)
    assert sorted(items.values_list("kind", flat=True)) == sorted(
        [AccountabilityKind.SUMMONS, AccountabilityKind.CRITICISM]
    )
    assert all(item.unit == village_a and item.status == AccountabilityStatus.OPEN for item in items)
    with pytest.raises(services.TransitionNotAllowed):
        services.callback_record(callback=callback, actor=leader, reached=True, educated=False)
    assert items.count() == 2


def test_educated_or_not_reached_opens_nothing(leader, village_a):
    educated = CallbackFactory(case=FraudCaseFactory(village=village_a))
    services.callback_record(
        callback=educated, actor=leader, reached=True, educated=True, channels=["door_visit", "pledge"]
    )
    unreached = CallbackFactory(case=FraudCaseFactory(village=village_a))
    services.callback_record(callback=unreached, actor=leader, reached=False)
    assert not AccountabilityItem.objects.exists()
    educated.refresh_from_db()
    assert educated.channels == ["door_visit", "pledge"]


def test_the_answer_must_be_complete(leader, village_a):
    callback = CallbackFactory(case=FraudCaseFactory(village=village_a))
    with pytest.raises(ValidationError):
        services.callback_record(callback=callback, actor=leader, reached=True, educated=None)
    with pytest.raises(ValidationError):
        services.callback_record(callback=callback, actor=leader, reached=True, educated=True, channels=[])
    with pytest.raises(ValidationError):
        services.callback_record(callback=callback, actor=leader, reached=True, educated=True, channels=["other"])


def test_a_grid_worker_cannot_record_a_callback(grid_a, village_a):
    callback = CallbackFactory(case=FraudCaseFactory(village=village_a))
    with pytest.raises(PermissionDenied):
        services.callback_record(callback=callback, actor=grid_a, reached=False)


def test_the_callback_page_shows_the_records_and_records_the_answer(client, leader, village_a):
    callback = CallbackFactory(case=FraudCaseFactory(village=village_a))
    client.force_login(leader)
    page = client.get(f"/assessment/callbacks/{callback.pk}/")
    assert page.status_code == 200 and b'data-testid="education-record"' in page.content
    response = client.post(f"/assessment/callbacks/{callback.pk}/", {"reached": "yes", "educated": "no", "notes": ""})
    assert response.status_code == 302
    assert AccountabilityItem.objects.filter(callback=callback).count() == 2


def test_draw_now_from_the_page(client, leader, march_cases):
    client.force_login(leader)
    response = client.post("/assessment/callbacks/draw/", {"month": "2026-03", "per_village": "1", "seed": "5"})
    assert response.status_code == 302
    draw = CallbackDraw.objects.get()
    assert draw.seed == 5 and draw.callbacks.count() == 2 and draw.drawn_by == leader
    listing = client.get("/assessment/callbacks/")
    assert listing.status_code == 200 and listing.content.count(b'data-testid="callback-row"') == 2


def test_beside_the_answer_the_page_shows_the_households_door_visits_pledge_and_app(client, leader, village_a):
    from campaigns.models import DoorVisit, Pledge, PledgeMethod
    from tests.factories import HouseholdFactory, ResidentFactory

    household = HouseholdFactory(village=village_a)
    victim = ResidentFactory(household=household)
    spouse = ResidentFactory(household=household)
    DoorVisit.objects.create(household=household, visited_at=at("2026-02-01T10:00+08:00"), someone_home=False)
    visit = DoorVisit.objects.create(
        household=household, visited_at=at("2026-02-08T10:00+08:00"), someone_home=True, app_installed=True
    )
    Pledge.objects.create(
        resident=victim,
        visit=visit,
        signed_at=at("2026-02-08T10:05+08:00"),
        method=PledgeMethod.PAPER_PHOTO,
        image="pledges/x.jpg",
    )
    records = selectors.education_records([victim, spouse])
    assert (records[victim.pk].door_visits, records[victim.pk].someone_home_visits) == (2, 1)
    assert records[victim.pk].app_installed and records[victim.pk].pledge_signed_at is not None
    assert records[spouse.pk].door_visits == 2 and records[spouse.pk].pledge_signed_at is None
    callback = CallbackFactory(
        case=FraudCaseFactory(village=village_a, victim=victim, reported_at=at("2026-03-01T10:00+08:00"))
    )
    client.force_login(leader)
    page = client.get(f"/assessment/callbacks/{callback.pk}/").content.decode()
    assert 'data-testid="record-door-visits">2' in page
    assert 'data-testid="record-pledge">2026-02-08' in page
    # Only what came before the case counts; later visits are shown apart.
    early = selectors.education_records([victim], before=at("2026-02-05T00:00+08:00"))[victim.pk]
    assert (early.door_visits, early.app_installed, early.pledge_signed_at) == (1, False, None)
    assert early.visits_after == 1 and early.pledge_after is not None


def test_callers_and_the_village_head_are_notified(leader, head_a, village_a, django_capture_on_commit_callbacks):
    from notifications.models import Notification

    CallbackSettings.objects.create(per_village=1).callers.set([leader])
    FraudCaseFactory(village=village_a, reported_at=at("2026-03-05T10:00+08:00"))
    with django_capture_on_commit_callbacks(execute=True):
        draw, _created = services.callback_draw_month(month=MARCH, seed=1)
    note = Notification.objects.get(recipient=leader)
    assert note.url == "/assessment/callbacks/?mine=1" and "2026-03" in note.title
    with django_capture_on_commit_callbacks(execute=True):
        services.callback_record(callback=draw.callbacks.get(), actor=leader, reached=True, educated=False)
    assert Notification.objects.filter(recipient=head_a).count() == 2  # the summons and the criticism


def test_the_caller_gets_the_victims_number_to_call_and_the_reveal_is_logged(client, leader, grid_b, village_a):
    from audit.models import AccessAction, AccessLog
    from tests.factories import ResidentFactory

    victim = ResidentFactory(village=village_a, phone="13912345678")
    callback = CallbackFactory(case=FraudCaseFactory(village=village_a, victim=victim))
    client.force_login(leader)
    page = client.get(f"/assessment/callbacks/{callback.pk}/").content.decode()
    assert "139****5678" in page and "13912345678" not in page
    revealed = client.post(f"/assessment/callbacks/{callback.pk}/phone/")
    assert revealed.status_code == 200 and 'href="tel:13912345678"' in revealed.content.decode()
    log = AccessLog.objects.get(action=AccessAction.REVEAL)
    assert (log.user, log.object_id, log.fields) == (leader, str(victim.pk), "phone")
    assert "13912345678" not in log.object_repr
    # The answer is still recorded on the callback's own address.
    assert f'action="/assessment/callbacks/{callback.pk}/"' in revealed.content.decode()
    # Nobody else: outside the caller capability, 404; a GET does not reveal.
    assert client.get(f"/assessment/callbacks/{callback.pk}/phone/").status_code == 405
    client.force_login(grid_b)
    assert client.post(f"/assessment/callbacks/{callback.pk}/phone/").status_code == 404
    assert AccessLog.objects.filter(action=AccessAction.REVEAL).count() == 1


def test_a_caller_is_assigned_then_unassigned_from_the_page(client, leader, village_a):
    callback = CallbackFactory(case=FraudCaseFactory(village=village_a))
    client.force_login(leader)
    assert client.post(f"/assessment/callbacks/{callback.pk}/assign/", {"assigned_to": leader.pk}).status_code == 302
    callback.refresh_from_db()
    assert callback.assigned_to == leader
    assert client.post(f"/assessment/callbacks/{callback.pk}/assign/", {"assigned_to": ""}).status_code == 302
    callback.refresh_from_db()
    assert callback.assigned_to is None


def test_a_caller_from_another_town_cannot_be_assigned(leader, village_a):
    from organization.models import Role
    from tests.factories import TownFactory, UserFactory

    elsewhere = UserFactory(username="elsewhere", unit=TownFactory(code="T9"), roles=[Role.LEADERSHIP_MEMBER])
    callback = CallbackFactory(case=FraudCaseFactory(village=village_a))
    with pytest.raises(ValidationError):
        services.callback_assign(callback=callback, caller=elsewhere, actor=leader)


# --- 四(二) "对确未接受防骗宣传教育的，将倒查责任": check the records before sanctioning -------------------


def _case_with_household(village, grid, **case):
    from tests.factories import HouseholdFactory, ResidentFactory

    household = HouseholdFactory(village=village, grid=grid)
    victim = ResidentFactory(household=household)
    return FraudCaseFactory(village=village, victim=victim, reported_at=at("2026-03-20T10:00+08:00"), **case)


def _not_educated(callback, leader):
    services.callback_record(callback=callback, actor=leader, reached=True, educated=False, notes="称没人上门")
    callback.refresh_from_db()
    return callback


def test_a_door_visit_with_someone_home_before_the_report_makes_the_records_disagree(
    leader, village_a, grid_a1, grid_a
):
    from tests.campaigns.factories import DoorVisitFactory

    case = _case_with_household(village_a, grid_a1)
    DoorVisitFactory(household=case.victim.household, visited_at=at("2026-02-10T15:00+08:00"), visitors=[grid_a])
    callback = _not_educated(CallbackFactory(case=case), leader)
    assert callback.review == "disagree" and callback.records_disagree
    assert callback.records == [{"channel": "door_visit", "on": "2026-02-10", "detail": "someone_home"}]
    assert not callback.is_not_educated
    assert not AccountabilityItem.objects.exists()  # no sanction before leadership decides
    assert not Callback.objects.not_educated().exists()


def test_a_pledge_before_the_report_makes_the_records_disagree(leader, village_a, grid_a1):
    from tests.campaigns.factories import PledgeFactory

    case = _case_with_household(village_a, grid_a1)
    PledgeFactory(resident=case.victim, signed_at=at("2026-01-05T10:00+08:00"))
    callback = _not_educated(CallbackFactory(case=case), leader)
    assert callback.review == "disagree" and callback.records[0]["channel"] == "pledge"


def test_a_school_notice_the_victim_signed_as_a_parent_makes_the_records_disagree(leader, village_a, grid_a1):
    from tests.education.factories import ReturnSlipFactory

    case = _case_with_household(village_a, grid_a1)
    slip = ReturnSlipFactory(collected_on=datetime.date(2026, 3, 2))
    slip.student.set_guardian_phone(case.victim.phone)
    slip.student.save()
    callback = _not_educated(CallbackFactory(case=case), leader)
    assert callback.review == "disagree" and callback.records[0]["channel"] == "school_notice"


def test_records_after_the_report_or_nobody_home_do_not_count(leader, village_a, grid_a1):
    from tests.campaigns.factories import DoorVisitFactory, PledgeFactory

    case = _case_with_household(village_a, grid_a1)
    DoorVisitFactory(household=case.victim.household, visited_at=at("2026-02-10T15:00+08:00"), someone_home=False)
    DoorVisitFactory(household=case.victim.household, visited_at=at("2026-03-25T15:00+08:00"))
    PledgeFactory(resident=case.victim, signed_at=at("2026-03-25T15:10+08:00"))
    callback = _not_educated(CallbackFactory(case=case), leader)
    assert callback.review == "" and callback.is_not_educated
    assert AccountabilityItem.objects.filter(callback=callback).count() == 2


def test_leadership_decides_a_sanction_which_opens_the_summons_and_criticism_traced_to_the_grid(
    leader, village_a, grid_a1, grid_a
):
    from tests.campaigns.factories import DoorVisitFactory

    case = _case_with_household(village_a, grid_a1)
    DoorVisitFactory(household=case.victim.household, visited_at=at("2026-02-10T15:00+08:00"), visitors=[grid_a])
    callback = _not_educated(CallbackFactory(case=case), leader)
    services.callback_decide(callback=callback, actor=leader, decision="sanction", note="核实走访记录为补录")
    callback.refresh_from_db()
    assert callback.review == "sanctioned" and callback.reviewed_by == leader and callback.is_not_educated
    items = AccountabilityItem.objects.filter(callback=callback)
    assert sorted(items.values_list("kind", flat=True)) == ["criticism", "summons"]
    for item in items:
        assert item.unit == village_a and item.traced_grid == grid_a1
        assert list(item.traced_workers.all()) == [grid_a]
    with pytest.raises(services.TransitionNotAllowed):
        services.callback_decide(callback=callback, actor=leader, decision="records_confirmed", note="x")


def test_records_confirmed_means_no_sanction(leader, village_a, grid_a1):
    from tests.campaigns.factories import PledgeFactory

    case = _case_with_household(village_a, grid_a1)
    PledgeFactory(resident=case.victim, signed_at=at("2026-01-05T10:00+08:00"))
    callback = _not_educated(CallbackFactory(case=case), leader)
    with pytest.raises(ValidationError):
        services.callback_decide(callback=callback, actor=leader, decision="records_confirmed", note="")
    services.callback_decide(callback=callback, actor=leader, decision="records_confirmed", note="承诺书本人签字属实")
    callback.refresh_from_db()
    assert callback.review == "records_confirmed" and not callback.is_not_educated
    assert not AccountabilityItem.objects.exists() and not Callback.objects.not_educated().exists()


def test_without_records_a_not_educated_answer_is_traced_to_the_grid_workers(leader, village_a, grid_a1, grid_a):
    case = _case_with_household(village_a, grid_a1)
    callback = _not_educated(CallbackFactory(case=case), leader)
    item = AccountabilityItem.objects.get(callback=callback, kind="summons")
    assert item.traced_grid == grid_a1 and list(item.traced_workers.all()) == [grid_a]


def test_only_leadership_decides_and_the_page_offers_the_decision(
    client, leader, head_a, village_a, grid_a1, django_capture_on_commit_callbacks
):
    from notifications.models import Notification
    from tests.campaigns.factories import PledgeFactory

    case = _case_with_household(village_a, grid_a1)
    PledgeFactory(resident=case.victim, signed_at=at("2026-01-05T10:00+08:00"))
    callback = CallbackFactory(case=case)
    with django_capture_on_commit_callbacks(execute=True):
        _not_educated(callback, leader)
    assert Notification.objects.filter(recipient=leader, dedupe_key=f"callback:{callback.pk}:disagree").exists()
    with pytest.raises(PermissionDenied):
        services.callback_decide(callback=callback, actor=head_a, decision="sanction")
    client.force_login(head_a)
    assert client.post(f"/assessment/callbacks/{callback.pk}/decide/", {"decision": "sanction"}).status_code == 404
    client.force_login(leader)
    page = client.get(f"/assessment/callbacks/{callback.pk}/")
    assert 'data-testid="callback-decision-form"' in page.text and 'data-testid="callback-records"' in page.text
    listing = client.get("/assessment/callbacks/?status=disagree")
    assert listing.text.count('data-testid="callback-row"') == 1
    response = client.post(f"/assessment/callbacks/{callback.pk}/decide/", {"decision": "sanction"})
    assert response.status_code == 302
    assert AccountabilityItem.objects.filter(callback=callback).count() == 2


def test_the_dashboard_counts_only_confirmed_not_educated_and_asks_for_a_decision_on_the_rest(
    client, leader, village_a, grid_a1, grid_a
):
    """对确未接受防骗宣传教育的: a disputed answer is not yet "not educated"; the dashboard says a decision waits."""
    from tests.campaigns.factories import DoorVisitFactory

    case = _case_with_household(village_a, grid_a1)
    DoorVisitFactory(household=case.victim.household, visited_at=at("2026-02-10T15:00+08:00"), visitors=[grid_a])
    callback = _not_educated(CallbackFactory(case=case), leader)
    client.force_login(leader)
    page = client.get("/assessment/", HTTP_ACCEPT_LANGUAGE="en").text
    assert "to call · 0 not educated" in page
    assert 'data-testid="callbacks-disagree"' in page and "1 records disagree: decide" in page
    listed = client.get("/assessment/callbacks/?status=disagree").text
    assert f"/assessment/callbacks/{callback.pk}/" in listed


def test_a_decision_sent_without_its_choice_comes_back_with_the_note_typed(client, leader, village_a, grid_a1):
    from tests.campaigns.factories import PledgeFactory

    case = _case_with_household(village_a, grid_a1)
    PledgeFactory(resident=case.victim, signed_at=at("2026-01-05T10:00+08:00"))
    callback = _not_educated(CallbackFactory(case=case), leader)
    client.force_login(leader)
    url = reverse("assessment:callback_decide", args=[callback.pk])

    response = client.post(url, {"note": "承诺书签字笔迹待核"})  # no decision chosen
    assert response.status_code == 200 and "承诺书签字笔迹待核" in response.text
    response = client.post(url, {"decision": "records_confirmed", "note": ""})  # the service wants a reason
    assert response.status_code == 200 and 'data-testid="callback-decision-form"' in response.text
    callback.refresh_from_db()
    assert callback.review != "records_confirmed"
