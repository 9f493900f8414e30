"""The one-person-one-file page (一人一档): everything about one person as one timeline, on screen and on A4.

Only people in the user's scope; only masked numbers; every view, printed or not, in the access log.
"""

import datetime
import re
import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from audit.models import AccessAction, AccessLog
from core.validators import make_id_number
from tests import factories
from warnings_followup import services, timeline
from warnings_followup.models import WarningStatus

pytestmark = pytest.mark.django_db

ID = make_id_number("440605", datetime.date(1948, 6, 1), 77)
PHONE = "13800138000"
ACCOUNT = "6228480402564890018"
RELATIVE_PHONE = "13912345678"


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def file_url(person, name="person_file"):
    return reverse(f"warnings_followup:{name}", args=[person.pk])


@pytest.fixture
def story(police, grid_a, village_a):
    """陈阿婆 is warned, visited twice (once still at risk), her son is mobilised, she is dissuaded,
    the account is released and the case closed when the window ends: the whole workflow through the services."""
    now = timezone.now()
    warning = services.warning_push(
        actor=police,
        external_id="YJ-001",
        person_name="陈阿婆",
        id_number=ID,
        phone=PHONE,
        village=village_a,
        fraud_type="investment",
        risk_level="high",
        summary="接触虚假投资平台",
        stop_payment_accounts=[{"bank": "中国农业银行", "account_number": ACCOUNT}],
        pushed_at=now - datetime.timedelta(days=5),
    ).warning
    services.warning_acknowledge(warning=warning, actor=grid_a, reason="收到")
    services.warning_record_first_dissuasion(warning=warning, actor=police, method="phone", result="已电话劝阻")
    services.warning_record_visit(
        warning=warning,
        actor=grid_a,
        client_id=uuid.uuid4(),
        visited_at=now - datetime.timedelta(days=4),
        method="in_person",
        at_risk=True,
        still_in_contact=True,
        notes="仍与对方联系",
    )
    services.warning_record_escalation(
        warning=warning,
        actor=grid_a,
        name="陈大明",
        relation="儿子",
        phone=RELATIVE_PHONE,
        contacted_at=now - datetime.timedelta(days=3),
        outcome="儿子答应陪同",
    )
    services.warning_record_visit(
        warning=warning,
        actor=grid_a,
        client_id=uuid.uuid4(),
        visited_at=now - datetime.timedelta(days=1),
        method="in_person",
        at_risk=False,
        understands_risk=True,
        app_installed=True,
    )
    services.warning_confirm_dissuaded(warning=warning, actor=grid_a, reason="本人已认识到风险")
    services.warning_confirm_release(warning=warning, actor=police, reason="已解除止付")
    services.warnings_close_ended_windows(today=warning.window_ends + datetime.timedelta(days=1))
    warning.refresh_from_db()
    return warning


@pytest.fixture
def person(story):
    return story.person


# --- Who may see it -------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["grid_a", "head_a", "police", "leader"])
def test_the_team_police_and_leadership_see_the_person_file(client, request, who, person):
    client.force_login(request.getfixturevalue(who))
    response = client.get(file_url(person))
    assert response.status_code == 200
    assert response.context["person"] == person
    assert [case["warning"].external_id for case in response.context["cases"]] == ["YJ-001"]


@pytest.mark.parametrize("who", ["grid_b", "school", "outsider"])
@pytest.mark.parametrize("name", ["person_file", "person_file_print"])
def test_anyone_else_gets_not_found_and_nothing_is_logged(client, request, who, name, person):
    client.force_login(request.getfixturevalue(who))
    assert client.get(file_url(person, name)).status_code == 404
    assert not AccessLog.objects.exists()


def test_a_person_who_does_not_exist_is_not_found(client, grid_a, person):
    client.force_login(grid_a)
    assert client.get(reverse("warnings_followup:person_file", args=[person.pk + 1000])).status_code == 404


@pytest.mark.parametrize("name", ["person_file", "person_file_print"])
def test_anonymous_users_are_sent_to_login(client, name, person):
    response = client.get(file_url(person, name))
    assert response.status_code == 302 and response["Location"].startswith(reverse("login"))


def test_warnings_outside_the_users_scope_are_left_out(client, grid_a, village_b, person):
    factories.WarningFactory(village=village_b, person=person, external_id="YJ-VB")
    client.force_login(grid_a)
    response = client.get(file_url(person))
    assert [case["warning"].external_id for case in response.context["cases"]] == ["YJ-001"]
    assert "YJ-VB" not in response.content.decode()


# --- What it shows --------------------------------------------------------------------------------


def test_the_timeline_tells_the_whole_story_in_time_order(client, grid_a, person):
    client.force_login(grid_a)
    entries = client.get(file_url(person)).context["entries"]
    assert [entry.at for entry in entries] == sorted(entry.at for entry in entries)
    kinds = [entry.kind for entry in entries]
    assert kinds[:4] == ["push", "visit", "escalation", "visit"]  # back-dated to the days they happened
    assert kinds.count("release") == 1 and kinds.count("push") == 1 and kinds.count("visit") == 2
    titles = [entry.title for entry in entries]
    for title in (
        "Acknowledged by the village team",
        "First dissuasion recorded",
        "Dissuasion confirmed",
        "Stop-payment release confirmed",
        "Follow-up window ended: case closed",
    ):
        assert title in titles
    first_visit = entries[1]
    assert first_visit.at_risk and "still in contact with the fraudster" in first_visit.facts
    assert first_visit.detail == "仍与对方联系"


def test_audit_events_already_shown_by_their_records_are_not_repeated(grid_a, person):
    file = timeline.person_file_build(user=grid_a, person=person)
    events = [entry.title for entry in file.entries if entry.kind == "event"]
    assert len(events) == len(set(events)) == 5  # acknowledge, first dissuasion, dissuaded, release, close


def test_numbers_are_masked_on_screen_and_on_paper(client, grid_a, person):
    client.force_login(grid_a)
    for name in ("person_file", "person_file_print"):
        html = client.get(file_url(person, name)).content.decode()
        assert person.masked_id_number in html and person.masked_phone in html
        for secret in (ID, PHONE, ACCOUNT, RELATIVE_PHONE):
            assert secret not in html
        assert ACCOUNT[-4:] in html  # the masked account keeps its last digits


def test_every_view_is_access_logged(client, grid_a, person):
    client.force_login(grid_a)
    client.get(file_url(person))
    client.get(file_url(person, "person_file_print"))
    entries = list(AccessLog.objects.order_by("pk"))
    assert [(entry.action, entry.user, entry.object_id) for entry in entries] == [
        (AccessAction.VIEW, grid_a, str(person.pk)),
        (AccessAction.VIEW, grid_a, str(person.pk)),
    ]
    assert entries[1].path == file_url(person, "person_file_print")
    assert ID not in entries[0].object_repr


def test_the_case_summary_shows_state_and_release(client, grid_a, person):
    client.force_login(grid_a)
    response = client.get(file_url(person))
    case = response.context["cases"][0]
    assert case["warning"].status == WarningStatus.CLOSED
    assert case["visit_count"] == 2 and case["next_visit_due"] is None and not case["overdue"]
    assert all(account.released_at for account in case["accounts"])


def test_an_overdue_case_and_an_ended_window_are_flagged(client, grid_a, village_a, person):
    today = timezone.localdate()
    factories.WarningFactory(
        village=village_a,
        person=person,
        status=WarningStatus.FOLLOWING_UP,
        next_visit_due=today - datetime.timedelta(days=2),
        window_ends=today + datetime.timedelta(days=10),
    )
    factories.WarningFactory(
        village=village_a,
        person=person,
        status=WarningStatus.FOLLOWING_UP,
        next_visit_due=today - datetime.timedelta(days=40),
        window_ends=today - datetime.timedelta(days=5),
    )
    client.force_login(grid_a)
    html = client.get(file_url(person)).content.decode()
    assert html.count('data-testid="overdue"') == 1
    assert html.count('data-testid="window-ended"') == 1


def test_a_person_without_warnings_has_an_empty_file(client, grid_a, village_a):
    resident = factories.ResidentFactory(village=village_a)
    client.force_login(grid_a)
    response = client.get(reverse("warnings_followup:person_file", args=[resident.pk]))
    assert response.status_code == 200 and response.context["entries"] == []
    assert b'data-testid="no-warnings"' in response.content


def test_the_print_view_is_an_a4_sheet_without_navigation(client, grid_a, person):
    client.force_login(grid_a)
    response = client.get(file_url(person, "person_file_print"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "css/print.css" in html and 'class="navbar' not in html  # no site navigation, only the print toolbar
    assert re.findall(r"<script[^>]*>", html) == ['<script src="/static/js/print.js" defer>']  # back and print only
    assert 'data-testid="print-toolbar"' in html
    assert "Printed" in html and str(grid_a) in html
    assert 'data-testid="timeline-entry"' in html


def test_later_features_add_sources_to_the_timeline(grid_a, person):
    def pledges(context):
        yield timeline.TimelineEntry(at=context.warnings[0].pushed_at, kind="pledge", title="Pledge signed")

    file = timeline.person_file_build(user=grid_a, person=person, sources=[*timeline.SOURCES, pledges])
    assert [entry.kind for entry in file.entries][:2] == ["push", "pledge"]


# --- Cost -----------------------------------------------------------------------------------------


def _queries(client, url):
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def _person_with(village, police, *, warnings, visits):
    """A person with ``warnings`` warnings of ``visits`` follow-up visits each, and as many door visits of their
    household, the last one with their pledge."""
    from tests.campaigns.factories import DoorVisitFactory, PledgeFactory

    resident = factories.ResidentFactory(household=factories.HouseholdFactory(village=village))
    for day in range(visits):
        door_visit = DoorVisitFactory(
            household=resident.household, visited_at=timezone.now() - datetime.timedelta(days=day), recorded_by=police
        )
    PledgeFactory(resident=resident, visit=door_visit, collected_by=police)
    for _ in range(warnings):
        warning = factories.WarningFactory(village=village, person=resident, status=WarningStatus.FOLLOWING_UP)
        factories.StopPaymentAccountFactory(warning=warning, released_at=timezone.now(), released_by=police)
        factories.EscalationContactFactory(warning=warning, recorded_by=police)
        for day in range(visits):
            visit = factories.FollowUpVisitFactory(
                warning=warning, visited_at=timezone.now() - datetime.timedelta(days=day)
            )
            visit.visitors.set([police])
    return resident


@pytest.mark.parametrize("name", ["person_file", "person_file_print"])
def test_queries_do_not_grow_with_warnings_and_visits(
    client, grid_a, police, village_a, name, django_assert_max_num_queries
):
    small = _person_with(village_a, police, warnings=1, visits=1)
    large = _person_with(village_a, police, warnings=3, visits=10)
    client.force_login(grid_a)
    client.get(file_url(small, name))  # warm caches (content types, session)
    # The person (and their pledge), the access log, the warnings, their visits (with who went), contacts and
    # accounts, the audit events, the household's door visits (with who went), fraud cases; session and bell.
    with django_assert_max_num_queries(11):
        few = _queries(client, file_url(small, name))
    assert _queries(client, file_url(large, name)) == few
    entries = client.get(file_url(large, name)).context["entries"]
    assert sum(entry.kind == "door_visit" for entry in entries) == 10
    assert all(entry.actor == str(police) for entry in entries if entry.kind in ("visit", "door_visit"))
    assert [entry.actor for entry in entries if entry.kind == "pledge"] == [str(police)]
