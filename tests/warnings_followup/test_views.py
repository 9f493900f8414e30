"""The warning pages: who can open them and act on a case, and what each of them sees.

Police push and work from the queue on a desktop; the village team works from "today" and the case
page on a phone; leadership reads everything and changes nothing.
"""

import datetime
import re
import uuid

import pytest
from django.contrib.messages import get_messages
from django.test import Client
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AccessAction, AccessLog, AuditEvent
from core.validators import make_id_number
from residents.models import Resident
from tests import factories
from warnings_followup import services
from warnings_followup.models import FollowUpVisit, WarningOrder, WarningStatus
from warnings_followup.views import TODAY_LATER_SHOWN

pytestmark = pytest.mark.django_db

ID = make_id_number("440605", datetime.date(1948, 6, 1), 77)
OTHER_ID = make_id_number("440605", datetime.date(1960, 3, 9), 88)
BAD_ID = ID[:-1] + ("0" if ID[-1] != "0" else "1")  # a wrong check character
PHONE = "13800138000"
ACCOUNT = "6228480402564890018"


@pytest.fixture(autouse=True)
def english(client):
    """The pages in English, so messages can be compared with the source strings."""
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def push(police, village, **overrides):
    data = {
        "actor": police,
        "external_id": "YJ-001",
        "person_name": "陈阿婆",
        "id_number": ID,
        "village": village,
        "fraud_type": "investment",
        "risk_level": "high",
        "summary": "接触虚假投资平台",
        "phone": PHONE,
        "stop_payment_accounts": [{"bank": "中国农业银行", "account_number": ACCOUNT}],
    }
    data.update(overrides)
    return services.warning_push(**data).warning


def make_warning(village, name, **fields):
    return factories.WarningFactory(
        village=village, person=factories.ResidentFactory(village=village, name=name), **fields
    )


def days_ago(days):
    return timezone.now() - datetime.timedelta(days=days)


def status_of(warning):
    warning.refresh_from_db()
    return warning.status


def message_texts(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def warning(police, village_a, grid_a, head_a):
    """A warning just pushed to grid_a's village, with one account under stop-payment."""
    return push(police, village_a)


@pytest.fixture
def warning_b(police, village_b, grid_b):
    return push(police, village_b, external_id="YJ-B", person_name="李阿伯", id_number=OTHER_ID, phone="")


def detail_url(warning):
    return reverse("warnings_followup:warning_detail", args=[warning.pk])


def transition_url(warning, action):
    return reverse("warnings_followup:transition", args=[warning.pk, action])


def visit_url(warning):
    return reverse("warnings_followup:visit_create", args=[warning.pk])


def escalation_url(warning):
    return reverse("warnings_followup:escalation_create", args=[warning.pk])


def visit_data(**overrides):
    data = {
        "method": "in_person",
        "at_risk": "no",
        "understands_risk": "on",
        "notes": "老人表示已明白",
        "visited_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "client_id": str(uuid.uuid4()),
    }
    data.update(overrides)
    return data


def record_visit(warning, actor, **overrides):
    arguments = {"client_id": uuid.uuid4(), "visited_at": timezone.now(), "method": "in_person", "at_risk": False}
    return services.warning_record_visit(warning=warning, actor=actor, **{**arguments, **overrides})


def push_data(**overrides):
    data = {
        "person_name": "陈阿婆",
        "id_number": ID,
        "phone": PHONE,
        "address": "罗村大道1号",
        "fraud_type": "investment",
        "risk_level": "high",
        "summary": "接触虚假投资平台",
        "external_id": "",
        "token": "LC20260101093000ABC123",
        "bank_1": "中国农业银行",
        "account_number_1": ACCOUNT,
    }
    data.update(overrides)
    return data


# --- anonymous users -----------------------------------------------------------------------------


def test_anonymous_users_are_sent_to_login(client, warning):
    urls = [
        reverse("warnings_followup:queue"),
        reverse("warnings_followup:today"),
        reverse("warnings_followup:push"),
        detail_url(warning),
        visit_url(warning),
        escalation_url(warning),
    ]
    for url in urls:
        response = client.get(url)
        assert response.status_code == 302, url
        assert response["Location"].startswith(reverse("login"))
    response = client.post(transition_url(warning, "acknowledge"))
    assert response.status_code == 302
    assert status_of(warning) == WarningStatus.PUSHED


# --- the work queue ------------------------------------------------------------------------------


def test_police_see_every_village_in_their_jurisdiction(client, police, warning, warning_b):
    client.force_login(police)
    response = client.get(reverse("warnings_followup:queue"))
    assert response.status_code == 200
    assert "陈阿婆" in response.text
    assert "李阿伯" in response.text
    assert 'data-testid="push-link"' in response.text


def test_a_village_team_sees_its_own_village_only(client, grid_a, warning, warning_b):
    client.force_login(grid_a)
    response = client.get(reverse("warnings_followup:queue"))
    assert response.status_code == 200
    assert "陈阿婆" in response.text
    assert "李阿伯" not in response.text
    assert 'data-testid="push-link"' not in response.text


def test_leadership_reads_every_village_but_cannot_push(client, leader, warning, warning_b):
    client.force_login(leader)
    response = client.get(reverse("warnings_followup:queue"))
    assert "陈阿婆" in response.text
    assert "李阿伯" in response.text
    assert 'data-testid="push-link"' not in response.text


@pytest.mark.parametrize("who", ["school", "outsider"])
def test_users_without_warning_access_get_404_on_every_page(client, request, who, warning):
    client.force_login(request.getfixturevalue(who))
    for url in [
        reverse("warnings_followup:queue"),
        reverse("warnings_followup:today"),
        reverse("warnings_followup:push"),
        detail_url(warning),
        visit_url(warning),
        escalation_url(warning),
    ]:
        assert client.get(url).status_code == 404, url
    assert client.post(transition_url(warning, "acknowledge")).status_code == 404


def _queue_names(client, **params):
    response = client.get(reverse("warnings_followup:queue"), params)
    assert response.status_code == 200
    return set(re.findall(r'data-testid="warning-link">([^<]+)<', response.text))


def test_the_queue_tabs_sort_the_work(client, police, village_a, grid_a):
    pushed = make_warning(village_a, "甲")
    following = make_warning(village_a, "乙", status=WarningStatus.FOLLOWING_UP, first_dissuasion_at=timezone.now())
    overdue = make_warning(
        village_a, "丙", status=WarningStatus.FOLLOWING_UP, pushed_at=days_ago(5), first_dissuasion_at=days_ago(5)
    )
    release = make_warning(village_a, "丁", status=WarningStatus.RELEASE_REQUESTED, first_dissuasion_at=days_ago(1))
    incident = make_warning(village_a, "戊", status=WarningStatus.DEFRAUDED)
    names = {w.pk: w.person.name for w in (pushed, following, overdue, release, incident)}
    client.force_login(police)

    assert _queue_names(client) == set(names.values())
    assert _queue_names(client, tab="pushed") == {names[pushed.pk]}
    assert _queue_names(client, tab="first_contact") == {names[pushed.pk]}
    assert _queue_names(client, tab="release") == {names[release.pk]}
    assert _queue_names(client, tab="incidents") == {names[incident.pk]}
    assert _queue_names(client, tab="overdue") == {names[overdue.pk]}
    assert _queue_names(client, status="following_up") == {names[following.pk], names[overdue.pk]}
    response = client.get(reverse("warnings_followup:queue"))
    assert 'data-testid="tab-count-overdue">1<' in response.text


def test_the_queue_filters_by_village(client, police, warning, warning_b, village_b):
    client.force_login(police)
    assert _queue_names(client, village=village_b.pk) == {"李阿伯"}


def test_a_forged_village_filter_does_not_widen_the_scope(client, grid_a, warning, warning_b, village_b):
    client.force_login(grid_a)
    assert _queue_names(client, village=village_b.pk) == {"陈阿婆"}
    assert _queue_names(client, tab="nonsense", status="nonsense") == {"陈阿婆"}


def test_the_queue_is_paginated(client, police, village_a):
    factories.WarningFactory.create_batch(30, village=village_a)
    client.force_login(police)
    first = client.get(reverse("warnings_followup:queue"))
    assert first.text.count('data-testid="warning-row"') == 25
    second = client.get(reverse("warnings_followup:queue"), {"page": 2})
    assert second.text.count('data-testid="warning-row"') == 5


def test_the_queue_runs_a_bounded_number_of_queries(client, police, village_a, django_assert_max_num_queries):
    factories.WarningFactory.create_batch(3, village=village_a)
    client.force_login(police)
    client.get(reverse("warnings_followup:queue"))  # the scope's unit ids are cached from the first request on
    with django_assert_max_num_queries(14) as few:
        client.get(reverse("warnings_followup:queue"))
    factories.WarningFactory.create_batch(32, village=village_a)
    client.get(reverse("warnings_followup:queue"))  # the tab counts, cached until a warning is written
    with django_assert_max_num_queries(14) as many:
        response = client.get(reverse("warnings_followup:queue"))
    assert response.text.count('data-testid="warning-row"') == 25
    assert len(many.captured_queries) == len(few.captured_queries)


# --- today ---------------------------------------------------------------------------------------


def test_today_lists_due_and_overdue_visits_first_nearest_first(client, grid_a, village_a, village_b):
    later = make_warning(village_a, "未到期")
    due_today = make_warning(village_a, "今天到期", status=WarningStatus.FOLLOWING_UP, pushed_at=days_ago(3))
    overdue = make_warning(village_a, "逾期", status=WarningStatus.FOLLOWING_UP, pushed_at=days_ago(6))
    dissuaded = make_warning(village_a, "已劝阻", status=WarningStatus.DISSUADED, pushed_at=days_ago(1))
    make_warning(village_a, "已结案", status=WarningStatus.CLOSED, pushed_at=days_ago(6))
    make_warning(village_b, "别村", pushed_at=days_ago(6))
    client.force_login(grid_a)
    response = client.get(reverse("warnings_followup:today"))
    assert response.status_code == 200
    due_part, later_part = response.text.split('data-testid="later-list"')
    assert re.findall(r'data-testid="card-name">([^<]+)<', due_part) == [overdue.person.name, due_today.person.name]
    # A dissuaded case is still visited until its window ends (时间持续一个月).
    assert re.findall(r'data-testid="card-name">([^<]+)<', later_part) == [dissuaded.person.name, later.person.name]
    assert due_part.count('data-testid="overdue-badge"') == 1
    assert "已结案" not in response.text
    assert "别村" not in response.text
    # The phone number is masked on the cards.
    assert due_today.person.masked_phone in response.text
    assert due_today.person.phone not in response.text


def test_leadership_has_no_today_page(client, leader):
    client.force_login(leader)
    assert client.get(reverse("warnings_followup:today")).status_code == 404


def test_today_runs_a_bounded_number_of_queries(client, grid_a, village_a, django_assert_max_num_queries):
    def make(count):
        factories.WarningFactory.create_batch(count, village=village_a, pushed_at=days_ago(4))
        factories.WarningFactory.create_batch(count, village=village_a)

    make(2)
    client.force_login(grid_a)
    client.get(reverse("warnings_followup:today"))  # the scope's unit ids are cached from the first request on
    with django_assert_max_num_queries(12) as few:
        client.get(reverse("warnings_followup:today"))
    make(16)
    with django_assert_max_num_queries(12) as many:
        response = client.get(reverse("warnings_followup:today"))
    assert response.text.count('data-testid="warning-card"') == 18 + TODAY_LATER_SHOWN  # the due, the first others
    assert len(many.captured_queries) == len(few.captured_queries)


# --- the home page's today panel -----------------------------------------------------------------


def test_the_home_page_shows_a_grid_worker_the_visits_due(client, grid_a, village_a):
    make_warning(village_a, "今天到期", status=WarningStatus.FOLLOWING_UP, pushed_at=days_ago(3))
    make_warning(village_a, "未到期")
    client.force_login(grid_a)
    response = client.get(reverse("home"))
    panel = response.text.split('data-testid="today-warnings"')[1]
    assert "今天到期" in panel
    assert "未到期" not in panel
    assert response.context["unit"] == grid_a.unit  # the existing keys stay


def test_the_home_page_shows_school_staff_no_warning_panel(client, school, village_a):
    make_warning(village_a, "今天到期", pushed_at=days_ago(3))
    client.force_login(school)
    response = client.get(reverse("home"))
    templates = [panel["template"] for panel in response.context["today_panels"]]
    assert "warnings_followup/_today_panel.html" not in templates
    assert 'data-testid="today-warnings"' not in response.text
    assert "今天到期" not in response.text


# --- push ----------------------------------------------------------------------------------------


def test_police_push_a_warning_from_the_form(client, police, village_a, grid_a):
    client.force_login(police)
    form = client.get(reverse("warnings_followup:push"))
    assert form.status_code == 200
    token = re.search(r'name="token" value="(LC\d{14}[0-9A-F]{6})"', form.text).group(1)
    response = client.post(reverse("warnings_followup:push"), push_data(village=village_a.pk, token=token))
    warning = WarningOrder.objects.get()
    assert response.status_code == 302
    assert response["Location"] == detail_url(warning)
    assert warning.external_id == token
    assert warning.pushed_by == police
    assert warning.person == Resident.objects.get()
    assert warning.stop_payment_accounts.get().account_number == ACCOUNT
    assert warning.address == "罗村大道1号"


def test_a_double_submitted_push_creates_one_warning(client, police, village_a):
    client.force_login(police)
    data = push_data(village=village_a.pk)
    first = client.post(reverse("warnings_followup:push"), data)
    second = client.post(reverse("warnings_followup:push"), data, follow=True)
    assert WarningOrder.objects.count() == 1
    assert first["Location"] == detail_url(WarningOrder.objects.get())
    assert second.redirect_chain[-1][0] == detail_url(WarningOrder.objects.get())
    assert "had already been pushed" in second.text


def test_a_typed_instruction_number_is_used(client, police, village_a):
    client.force_login(police)
    client.post(reverse("warnings_followup:push"), push_data(village=village_a.pk, external_id="YJ2026-77"))
    assert WarningOrder.objects.get().external_id == "YJ2026-77"


def test_a_reused_form_for_another_person_pushes_nothing(client, police, village_a):
    client.force_login(police)
    client.post(reverse("warnings_followup:push"), push_data(village=village_a.pk))
    response = client.post(
        reverse("warnings_followup:push"), push_data(village=village_a.pk, person_name="李阿伯", id_number=OTHER_ID)
    )
    assert response.status_code == 200
    assert "is already used by another warning" in response.text
    assert WarningOrder.objects.count() == 1
    # The form comes back with a new token, so sending it again pushes the new warning.
    token = re.search(r'name="token" value="(LC\w+)"', response.text).group(1)
    client.post(
        reverse("warnings_followup:push"),
        push_data(village=village_a.pk, person_name="李阿伯", id_number=OTHER_ID, token=token),
    )
    assert WarningOrder.objects.count() == 2


def test_the_push_form_shows_bad_input_on_its_fields(client, police, village_a):
    client.force_login(police)
    response = client.post(
        reverse("warnings_followup:push"),
        push_data(village=village_a.pk, id_number=BAD_ID, bank_2="中国银行"),
    )
    assert response.status_code == 200
    form = response.context["form"]
    assert "id_number" in form.errors
    assert "account_number_2" in form.errors
    assert not WarningOrder.objects.exists()


def test_the_push_form_shows_the_services_errors(client, police, village_a, monkeypatch):
    from django.core.exceptions import ValidationError

    def refuse(**kwargs):
        raise ValidationError({"stop_payment_accounts": ["Account 1: the bank refused."]})

    monkeypatch.setattr(services, "warning_push", refuse)
    client.force_login(police)
    response = client.post(reverse("warnings_followup:push"), push_data(village=village_a.pk))
    assert response.status_code == 200
    assert "Account 1: the bank refused." in response.text


def test_the_push_form_offers_only_villages_in_scope(client, police, village_a):
    other_town = factories.TownFactory(code="T2")
    elsewhere = factories.VillageFactory(code="X1", parent=other_town, name="外镇村")
    client.force_login(police)
    form = client.get(reverse("warnings_followup:push"))
    assert village_a.name in form.text
    assert "外镇村" not in form.text
    response = client.post(reverse("warnings_followup:push"), push_data(village=elsewhere.pk))
    assert "village" in response.context["form"].errors
    assert not WarningOrder.objects.exists()


@pytest.mark.parametrize("who", ["grid_a", "head_a", "leader"])
def test_only_police_may_push(client, request, who, village_a):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("warnings_followup:push")).status_code == 403
    response = client.post(reverse("warnings_followup:push"), push_data(village=village_a.pk))
    assert response.status_code == 403
    assert not WarningOrder.objects.exists()


# --- the case page -------------------------------------------------------------------------------


def test_the_case_page_shows_the_case_masked(client, grid_a, warning):
    client.force_login(grid_a)
    response = client.get(detail_url(warning))
    assert response.status_code == 200
    text = response.text
    assert warning.person.masked_id_number in text
    assert warning.person.masked_phone in text
    assert ID not in text
    assert PHONE not in text
    assert ACCOUNT not in text
    assert ACCOUNT[:4] in text and ACCOUNT[-4:] in text
    assert reverse("warnings_followup:person_file", args=[warning.person.pk]) in text
    assert 'data-event="push"' in text
    log = AccessLog.objects.get()
    assert (log.user, log.action, log.object_id) == (grid_a, AccessAction.VIEW, str(warning.pk))


def test_another_villages_team_gets_404(client, grid_b, warning):
    client.force_login(grid_b)
    assert client.get(detail_url(warning)).status_code == 404
    assert client.get(visit_url(warning)).status_code == 404
    assert client.post(visit_url(warning), visit_data()).status_code == 404
    assert client.get(escalation_url(warning)).status_code == 404
    assert client.post(transition_url(warning, "acknowledge")).status_code == 404
    assert status_of(warning) == WarningStatus.PUSHED
    assert not FollowUpVisit.objects.exists()


def _action_codes(response):
    return set(re.findall(r'data-testid="action-(\w+)-submit"', response.text))


def test_each_role_sees_only_the_actions_it_may_take(client, grid_a, police, leader, warning):
    client.force_login(grid_a)
    team = client.get(detail_url(warning))
    assert _action_codes(team) == {"acknowledge", "report_defrauded"}
    assert 'data-testid="record-visit"' in team.text
    client.force_login(police)
    assert _action_codes(client.get(detail_url(warning))) == {"first_dissuasion", "report_defrauded", "close"}
    client.force_login(leader)
    read_only = client.get(detail_url(warning))
    assert read_only.status_code == 200
    assert _action_codes(read_only) == set()
    assert 'data-testid="record-visit"' not in read_only.text


# --- transitions ---------------------------------------------------------------------------------


def test_the_team_acknowledges_from_the_case_page(client, grid_a, warning):
    client.force_login(grid_a)
    response = client.post(transition_url(warning, "acknowledge"), {"acknowledge-reason": "已签收"}, follow=True)
    assert response.redirect_chain[-1][0] == detail_url(warning)
    assert status_of(warning) == WarningStatus.FOLLOWING_UP
    assert "Done: Acknowledge." in response.text
    event = AuditEvent.objects.get(event="acknowledge")
    assert (event.actor, event.reason) == (grid_a, "已签收")
    assert 'data-testid="timeline-reason">已签收' in response.text


def test_transitions_are_post_only(client, grid_a, warning):
    client.force_login(grid_a)
    assert client.get(transition_url(warning, "acknowledge")).status_code == 405
    assert status_of(warning) == WarningStatus.PUSHED


def test_transitions_need_the_csrf_token(grid_a, warning):
    client = Client(enforce_csrf_checks=True)
    client.force_login(grid_a)
    assert client.post(transition_url(warning, "acknowledge")).status_code == 403
    assert status_of(warning) == WarningStatus.PUSHED


def test_an_unknown_action_is_404(client, grid_a, warning):
    client.force_login(grid_a)
    assert client.post(transition_url(warning, "delete")).status_code == 404


@pytest.mark.parametrize("who", ["police", "leader", "head_a"])
def test_the_wrong_role_gets_403_and_nothing_changes(client, request, who, warning):
    client.force_login(request.getfixturevalue(who))
    action = "confirm_release" if who == "head_a" else "acknowledge"
    response = client.post(transition_url(warning, action), {f"{action}-reason": "试一下"})
    assert response.status_code == 403
    assert 'data-testid="forbidden"' in response.text
    assert status_of(warning) == WarningStatus.PUSHED
    assert not AuditEvent.objects.exclude(event="push").exists()


def test_a_refused_transition_says_why_and_changes_nothing(client, grid_a, warning):
    client.force_login(grid_a)
    response = client.post(transition_url(warning, "confirm_dissuaded"), {"confirm_dissuaded-reason": "已明白"})
    assert response.status_code == 302
    assert response["Location"] == detail_url(warning)
    assert message_texts(response) == ["“Confirm dissuaded” is not possible while the warning is “Pushed”."]
    assert status_of(warning) == WarningStatus.PUSHED
    assert not AuditEvent.objects.filter(event="confirm_dissuaded").exists()


def test_acknowledging_twice_shows_a_message(client, grid_a, head_a, warning):
    client.force_login(grid_a)
    client.post(transition_url(warning, "acknowledge"))
    client.force_login(head_a)
    response = client.post(transition_url(warning, "acknowledge"), follow=True)
    assert "is not possible while the warning is" in response.text
    assert AuditEvent.objects.filter(event="acknowledge").count() == 1


def test_a_missing_reason_is_shown_on_the_form(client, grid_a, warning):
    record_visit(warning, grid_a)
    client.force_login(grid_a)
    response = client.post(transition_url(warning, "confirm_dissuaded"), {"confirm_dissuaded-reason": ""})
    assert response.status_code == 400
    assert "This field is required." in response.text
    assert status_of(warning) == WarningStatus.FOLLOWING_UP


def test_police_record_the_first_dissuasion(client, police, warning):
    client.force_login(police)
    client.post(
        transition_url(warning, "first_dissuasion"),
        {"first_dissuasion-method": "phone", "first_dissuasion-result": "已电话劝阻，本人表示理解"},
    )
    warning.refresh_from_db()
    assert warning.first_dissuasion_at is not None and warning.first_dissuasion_by == police
    assert warning.first_dissuasion_method == "phone"
    client.force_login(police)
    response = client.get(reverse("warnings_followup:queue"), {"tab": "first_contact"})
    assert "陈阿婆" not in response.text


def test_the_whole_outcome_from_the_case_page(client, grid_a, police, warning):
    client.force_login(grid_a)
    client.post(visit_url(warning), visit_data())
    client.post(transition_url(warning, "confirm_dissuaded"), {"confirm_dissuaded-reason": "已明白风险"})
    assert status_of(warning) == WarningStatus.RELEASE_REQUESTED
    client.force_login(police)
    queue = client.get(reverse("warnings_followup:queue"), {"tab": "release"})
    assert "陈阿婆" in queue.text
    client.post(transition_url(warning, "confirm_release"), {"confirm_release-reason": "核实无风险"})
    assert status_of(warning) == WarningStatus.RELEASED
    assert warning.stop_payment_accounts.get().released_by == police
    response = client.post(transition_url(warning, "confirm_release"), {"confirm_release-reason": "再次"}, follow=True)
    assert "is not possible while the warning is" in response.text
    assert AuditEvent.objects.filter(event="confirm_release").count() == 1
    response = client.post(transition_url(warning, "close"), {"close-reason": "结案"})
    assert response.status_code == 400  # before the window ends: only for a reason from the list
    assert "Before the follow-up window ends" in response.text
    client.post(transition_url(warning, "close"), {"close-close_reason": "moved_away", "close-reason": "迁往外地"})
    assert status_of(warning) == WarningStatus.CLOSED
    page = client.get(detail_url(warning)).text
    assert 'data-testid="close-reason"' in page and "Moved away" in page


def test_the_team_reports_a_person_defrauded(client, grid_a, warning):
    client.force_login(grid_a)
    response = client.post(
        transition_url(warning, "report_defrauded"),
        {
            "report_defrauded-loss_amount": "12000.50",
            "report_defrauded-defrauded_on": timezone.localdate().isoformat(),
            "report_defrauded-reason": "仍被骗转账",
        },
    )
    assert response.status_code == 302
    warning.refresh_from_db()
    assert warning.status == WarningStatus.DEFRAUDED
    assert str(warning.loss_amount) == "12000.50"
    client.force_login(grid_a)
    assert 'data-testid="loss-amount">12,000.50' in client.get(detail_url(warning)).text


# --- visits --------------------------------------------------------------------------------------


def test_the_team_records_a_visit(client, grid_a, warning):
    client.force_login(grid_a)
    form = client.get(visit_url(warning))
    assert form.status_code == 200
    client_id = re.search(r'name="client_id" value="([0-9a-f-]{36})"', form.text).group(1)
    response = client.post(visit_url(warning), visit_data(client_id=client_id), follow=True)
    assert response.redirect_chain[-1][0] == detail_url(warning)
    visit = FollowUpVisit.objects.get()
    assert str(visit.client_id) == client_id
    assert visit.understands_risk and not visit.at_risk
    assert list(visit.visitors.all()) == [grid_a]
    assert response.text.count('data-testid="visit-row"') == 1
    assert "Visit recorded." in response.text


def test_a_double_submitted_visit_creates_one_visit(client, grid_a, warning):
    client.force_login(grid_a)
    data = visit_data()
    client.post(visit_url(warning), data)
    response = client.post(visit_url(warning), data, follow=True)
    assert FollowUpVisit.objects.count() == 1
    assert "This visit had already been recorded." in response.text


def test_a_visit_can_name_who_else_went(client, grid_a, head_a, warning):
    client.force_login(grid_a)
    client.post(visit_url(warning), visit_data(companions=[head_a.pk]))
    assert set(FollowUpVisit.objects.get().visitors.all()) == {grid_a, head_a}


def test_an_at_risk_visit_asks_for_escalation(client, grid_a, warning):
    client.force_login(grid_a)
    response = client.post(visit_url(warning), visit_data(at_risk="yes", still_in_contact="on"), follow=True)
    assert "still at risk" in response.text
    assert FollowUpVisit.objects.get().at_risk


def test_a_future_visit_is_refused_on_the_form(client, grid_a, warning):
    client.force_login(grid_a)
    tomorrow = (timezone.localtime() + datetime.timedelta(days=1)).strftime("%Y-%m-%dT%H:%M")
    response = client.post(visit_url(warning), visit_data(visited_at=tomorrow))
    assert response.status_code == 200
    assert "visited_at" in response.context["form"].errors
    assert not FollowUpVisit.objects.exists()


def test_leadership_may_not_record_visits(client, leader, warning):
    client.force_login(leader)
    assert client.get(visit_url(warning)).status_code == 403
    assert client.post(visit_url(warning), visit_data()).status_code == 403
    assert not FollowUpVisit.objects.exists()


def test_visits_go_on_after_dissuasion(client, grid_a, warning):
    record_visit(warning, grid_a)
    services.warning_confirm_dissuaded(warning=warning, actor=grid_a, reason="ok")
    client.force_login(grid_a)
    page = client.get(detail_url(warning)).text
    assert 'data-testid="record-visit"' in page and 'data-testid="visits-continue"' in page
    assert client.post(visit_url(warning), visit_data()).status_code == 302
    assert FollowUpVisit.objects.count() == 2


def test_no_visits_once_the_case_is_closed(client, grid_a, police, warning):
    services.warning_close(warning=warning, actor=police, close_reason="deceased")
    client.force_login(grid_a)
    response = client.get(visit_url(warning), follow=True)
    assert response.redirect_chain[-1][0] == detail_url(warning)
    assert "Visits can only be recorded while the warning is being followed up" in response.text
    response = client.post(visit_url(warning), visit_data(), follow=True)
    assert "Visits can only be recorded while the warning is being followed up" in response.text
    assert not FollowUpVisit.objects.exists()


# --- escalation contacts -------------------------------------------------------------------------


def test_the_team_records_an_escalation_contact(client, grid_a, warning):
    client.force_login(grid_a)
    assert client.get(escalation_url(warning)).status_code == 200
    response = client.post(
        escalation_url(warning),
        {
            "name": "陈大明",
            "relation": "儿子",
            "phone": "13912345678",
            "contacted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "outcome": "儿子答应每天看住母亲",
            "client_id": "6a1f0c38-52f5-4c5e-9a55-1f4f1d0c0b01",
        },
        follow=True,
    )
    assert response.redirect_chain[-1][0] == detail_url(warning)
    contact = warning.escalation_contacts.get()
    assert contact.relation == "儿子"
    assert 'data-testid="escalation-row"' in response.text
    assert "139****5678" in response.text
    assert "13912345678" not in response.text


def test_an_escalation_contact_needs_a_name_and_a_valid_phone(client, grid_a, warning):
    client.force_login(grid_a)
    response = client.post(
        escalation_url(warning),
        {
            "name": "",
            "relation": "儿子",
            "phone": "123",
            "contacted_at": "2026-01-01T10:00",
            "client_id": "6a1f0c38-52f5-4c5e-9a55-1f4f1d0c0b02",
        },
    )
    assert response.status_code == 200
    assert {"name", "phone"} <= set(response.context["form"].errors)
    assert not warning.escalation_contacts.exists()


def test_leadership_may_not_record_escalation_contacts(client, leader, warning):
    client.force_login(leader)
    assert client.get(escalation_url(warning)).status_code == 403
    response = client.post(
        escalation_url(warning), {"name": "陈大明", "relation": "儿子", "contacted_at": "2026-01-01T10:00"}
    )
    assert response.status_code == 403
    assert not warning.escalation_contacts.exists()


# --- navigation ----------------------------------------------------------------------------------


def test_the_menu_offers_each_role_its_warning_pages(client, police, grid_a, school):
    queue, today, push_url = (
        reverse("warnings_followup:queue"),
        reverse("warnings_followup:today"),
        reverse("warnings_followup:push"),
    )
    client.force_login(police)
    menu = {entry["url"] for entry in client.get(reverse("home")).context["nav_entries"]}
    assert {queue, push_url} <= menu
    client.force_login(grid_a)
    menu = {entry["url"] for entry in client.get(reverse("home")).context["nav_entries"]}
    assert today in menu
    assert push_url not in menu
    client.force_login(school)
    menu = {entry["url"] for entry in client.get(reverse("home")).context["nav_entries"]}
    assert not {queue, today, push_url} & menu


def test_a_double_submitted_escalation_form_records_one_contact(client, grid_a, warning):
    client.force_login(grid_a)
    data = {
        "name": "陈大明",
        "relation": "儿子",
        "contacted_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "client_id": "6a1f0c38-52f5-4c5e-9a55-1f4f1d0c0b03",
    }
    client.post(escalation_url(warning), data)
    client.post(escalation_url(warning), data)
    assert warning.escalation_contacts.count() == 1


# --- 三(一)2: who confirms, the two first contacts, the rules ------------------------------------------


def test_the_queue_flags_only_cases_without_the_polices_first_dissuasion(client, police, village_a):
    make_warning(village_a, "甲")
    make_warning(village_a, "乙", status=WarningStatus.FOLLOWING_UP, first_dissuasion_at=timezone.now())
    client.force_login(police)
    assert client.get(reverse("warnings_followup:queue")).text.count('data-testid="no-first-contact"') == 1


def test_a_grid_worker_not_on_the_team_records_a_visit_but_sees_no_confirm_button(client, grid_worker_a, warning):
    client.force_login(grid_worker_a)
    assert client.post(visit_url(warning), visit_data()).status_code == 302
    page = client.get(detail_url(warning)).text
    assert 'data-testid="record-visit"' in page
    assert "confirm_dissuaded" not in _action_codes(client.get(detail_url(warning)))
    response = client.post(transition_url(warning, "confirm_dissuaded"), {"confirm_dissuaded-reason": "试一下"})
    assert response.status_code == 403
    assert status_of(warning) == WarningStatus.FOLLOWING_UP


def test_the_team_sees_the_confirm_button_only_after_an_in_person_visit(client, grid_a, volunteer_a, warning):
    client.force_login(grid_a)
    assert "confirm_dissuaded" not in _action_codes(client.get(detail_url(warning)))
    record_visit(warning, volunteer_a, visitors=[volunteer_a, grid_a])
    assert "confirm_dissuaded" in _action_codes(client.get(detail_url(warning)))
    client.force_login(volunteer_a)
    assert "confirm_dissuaded" not in _action_codes(client.get(detail_url(warning)))


def test_the_case_page_shows_both_first_contacts_and_links_the_rules(client, grid_a, police, warning):
    record_visit(warning, grid_a)
    client.force_login(police)
    page = client.get(detail_url(warning)).text
    assert 'data-testid="first-team-contact">' in page and 'data-testid="first-dissuasion">' in page
    assert reverse("plan_rules") in page
    assert "first_dissuasion" in _action_codes(client.get(detail_url(warning)))


def test_the_close_form_offers_the_early_reasons(client, police, warning):
    client.force_login(police)
    page = client.get(detail_url(warning)).text
    for value in ("moved_away", "deceased", "duplicate_push", "other"):
        assert f'value="{value}"' in page
    assert 'value="window_ended"' not in page
