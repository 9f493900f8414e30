"""The police platform's API: push a warning, read it, record visits, move the case along."""

import datetime
import uuid
import zoneinfo

import pytest
from django.core.management import call_command
from django.utils import timezone, translation

from audit.models import AccessAction, AccessLog, AuditEvent
from core.rules import add_months
from core.validators import make_id_number
from notifications.models import Notification
from organization.models import Role
from residents.models import Resident
from tests import factories
from warnings_followup import services
from warnings_followup.models import FollowUpVisit, FraudType, StopPaymentAccount, WarningOrder, WarningStatus
from warnings_followup.serializers import FRAUD_TYPE_NAMES_ZH, TRANSITION_SERIALIZERS

pytestmark = pytest.mark.django_db

SHANGHAI = zoneinfo.ZoneInfo("Asia/Shanghai")
ID = make_id_number("440605", datetime.date(1948, 6, 1), 77)
PHONE = "13800138000"
ACCOUNT = "6228480402564890018"
LIST = "/api/v1/warnings/"
FRAUD_TYPES = "/api/v1/fraud-types/"

WARNING_FIELDS = {
    "id",
    "external_id",
    "status",
    "village",
    "person",
    "fraud_type",
    "risk_level",
    "pushed_at",
    "window_ends",
    "next_visit_due",
    "overdue",
    "first_dissuasion",
    "first_team_contact_at",
    "dissuaded_at",
    "close_reason",
    "visits",
    "stop_payment_accounts",
}


def detail(warning_id):
    return f"/api/v1/warnings/{warning_id}/"


def visits_url(warning_id):
    return f"/api/v1/warnings/{warning_id}/visits/"


def transition_url(warning_id):
    return f"/api/v1/warnings/{warning_id}/transition/"


def payload(**overrides):
    data = {
        "external_id": "YJ-2026-0001",
        "person_name": "陈阿婆",
        "id_number": ID,
        "phone": PHONE,
        "village": "VA",
        "address": "联和村东街12号",
        "fraud_type": "investment",
        "risk_level": "high",
        "summary": "接触虚假投资平台，已转账两笔",
        "stop_payment_accounts": [{"bank": "中国农业银行", "account_number": ACCOUNT}],
    }
    data.update(overrides)
    return data


def push(police, village, **overrides):
    """A warning pushed through the service (not the API), for tests about what comes after."""
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


def visit_body(**overrides):
    data = {
        "client_id": str(uuid.uuid4()),
        "visited_at": timezone.now().isoformat(),
        "method": "in_person",
        "at_risk": False,
        "notes": "上门讲解，已安装国家反诈中心APP",
    }
    data.update(overrides)
    return data


def local(day: datetime.date, hour: int, minute: int = 0) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(hour, minute), tzinfo=SHANGHAI)


def refreshed_status(warning):
    warning.refresh_from_db()
    return warning.status


@pytest.fixture
def warning(police, village_a, grid_a, head_a):
    return push(police, village_a)


@pytest.fixture
def other_town_police(db):
    town2 = factories.TownFactory(code="T2", name="大沥镇")
    village_c = factories.VillageFactory(code="VC", name="黄岐村", parent=town2)
    station = factories.PoliceStationFactory(code="PS2", name="大沥派出所", parent=town2)
    user = factories.UserFactory(username="police2", unit=station, roles=[Role.POLICE])
    return user, village_c


# --- Authentication ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("method", "url"),
    [
        ("get", LIST),
        ("post", LIST),
        ("get", FRAUD_TYPES),
        ("get", detail(1)),
        ("post", visits_url(1)),
        ("post", transition_url(1)),
    ],
)
def test_every_endpoint_needs_a_token(api_client, method, url):
    response = getattr(api_client, method)(url, {}, format="json")
    assert response.status_code == 401
    assert "detail" in response.json()


# --- Fraud types ---------------------------------------------------------------------------------

PLAN_FRAUD_TYPES = [
    {"code": "rebate_task", "name": "刷单返利"},
    {"code": "investment", "name": "虚假投资理财"},
    {"code": "loan", "name": "虚假网络贷款"},
    {"code": "impersonate_police", "name": "冒充公检法"},
    {"code": "impersonate_service", "name": "冒充电商物流客服"},
    {"code": "impersonate_leader", "name": "冒充领导熟人"},
    {"code": "game_trading", "name": "网络游戏虚假交易"},
    {"code": "dating", "name": "网络婚恋交友"},
    {"code": "credit_report", "name": "虚假征信"},
    {"code": "other", "name": "其他"},
]


@pytest.mark.parametrize("language", ["zh-hans", "en"])
def test_fraud_types_are_listed_with_the_plans_chinese_names(api_as, police, language):
    response = api_as(police).get(FRAUD_TYPES, HTTP_ACCEPT_LANGUAGE=language)
    assert response.status_code == 200
    assert response.json() == PLAN_FRAUD_TYPES


def test_anyone_signed_in_may_read_the_fraud_types(api_as, grid_a):
    assert api_as(grid_a).get(FRAUD_TYPES).json() == PLAN_FRAUD_TYPES


def test_every_fraud_type_has_a_chinese_name_that_agrees_with_the_catalogue():
    assert list(FRAUD_TYPE_NAMES_ZH) == FraudType.values
    for fraud_type in FraudType:
        with translation.override(None):
            source = str(fraud_type.label)
        with translation.override("zh-hans"):
            translated = str(fraud_type.label)
        # Until the catalogue has the term the label stays in English; once it has, it must be the plan's term.
        assert translated in (source, FRAUD_TYPE_NAMES_ZH[fraud_type.value])


# --- Push ----------------------------------------------------------------------------------------


def test_police_push_a_warning_and_get_it_back(
    api_as, police, village_a, grid_a, head_a, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(police).post(LIST, payload(), format="json")
    assert response.status_code == 201
    body = response.json()
    warning = WarningOrder.objects.get()
    assert set(body) == WARNING_FIELDS
    assert body["id"] == warning.pk
    assert body["external_id"] == "YJ-2026-0001"
    assert body["status"] == "pushed"
    assert body["village"] == "VA"
    assert body["person"] == {"name": "陈阿婆", "id_number": f"{ID[:6]}********{ID[-4:]}", "phone": "138****8000"}
    assert body["fraud_type"] == "investment"
    assert body["risk_level"] == "high"
    assert body["visits"] == []
    assert body["stop_payment_accounts"] == [
        {"bank": "中国农业银行", "account_number": "6228 **** **** 0018", "released_at": None}
    ]
    today = timezone.localdate()
    assert body["window_ends"] == add_months(today, 1).isoformat()
    assert body["next_visit_due"] == (today + datetime.timedelta(days=3)).isoformat()
    assert body["overdue"] is False
    pushed_at = datetime.datetime.fromisoformat(body["pushed_at"])
    assert abs(pushed_at - timezone.now()) < datetime.timedelta(minutes=1)
    assert warning.person == Resident.objects.get()
    assert warning.pushed_by == police
    assert warning.address == "联和村东街12号"
    assert set(Notification.objects.values_list("recipient__username", flat=True)) == {"grid_a", "head_a"}


def test_the_push_links_an_existing_resident(api_as, police, village_a):
    existing = factories.ResidentFactory(village=village_a, id_number=ID)
    assert api_as(police).post(LIST, payload(), format="json").status_code == 201
    assert WarningOrder.objects.get().person == existing
    assert Resident.objects.count() == 1


def test_pushing_the_same_instruction_again_answers_200_and_creates_nothing(
    api_as, police, village_a, grid_a, django_capture_on_commit_callbacks
):
    client = api_as(police)
    with django_capture_on_commit_callbacks(execute=True):
        first = client.post(LIST, payload(), format="json")
    counts = [model.objects.count() for model in (WarningOrder, Resident, StopPaymentAccount, Notification, AuditEvent)]
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        again = client.post(LIST, payload(summary="再次推送", risk_level="low"), format="json")
    assert callbacks == []
    assert first.status_code == 201
    assert again.status_code == 200
    assert again.json() == first.json()
    assert [
        model.objects.count() for model in (WarningOrder, Resident, StopPaymentAccount, Notification, AuditEvent)
    ] == counts


def test_optional_fields_may_be_left_out(api_as, police, village_a):
    data = payload()
    for key in ("phone", "address", "stop_payment_accounts", "pushed_at"):
        data.pop(key, None)
    response = api_as(police).post(LIST, data, format="json")
    assert response.status_code == 201
    assert response.json()["person"]["phone"] == ""
    assert response.json()["stop_payment_accounts"] == []


def test_an_empty_push_lists_every_required_field(api_as, police, village_a):
    response = api_as(police).post(LIST, {}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {
        "external_id",
        "person_name",
        "id_number",
        "village",
        "fraud_type",
        "risk_level",
        "summary",
    }
    assert not WarningOrder.objects.exists()


def test_invalid_values_get_a_message_per_field_and_write_nothing(api_as, police, village_a):
    bad_id = ID[:-1] + ("0" if ID[-1] != "0" else "1")
    response = api_as(police).post(
        LIST,
        payload(
            id_number=bad_id,
            phone="12345",
            fraud_type="lottery",
            risk_level="urgent",
            pushed_at="yesterday",
            stop_payment_accounts=[
                {"bank": "中国农业银行", "account_number": ACCOUNT},
                {"bank": "", "account_number": "12"},
            ],
        ),
        format="json",
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"id_number", "phone", "fraud_type", "risk_level", "pushed_at", "stop_payment_accounts"}
    # Only the bad account is named, by its position in the list.
    assert list(errors["stop_payment_accounts"]) == ["1"]
    assert set(errors["stop_payment_accounts"]["1"]) == {"bank", "account_number"}
    assert all(isinstance(message, str) for message in errors["id_number"])
    assert not WarningOrder.objects.exists()
    assert not Resident.objects.exists()


def test_a_unionpay_card_failing_the_luhn_check_is_refused(api_as, police, village_a):
    bad_card = ACCOUNT[:-1] + str((int(ACCOUNT[-1]) + 1) % 10)
    response = api_as(police).post(
        LIST, payload(stop_payment_accounts=[{"bank": "农行", "account_number": bad_card}]), format="json"
    )
    assert response.status_code == 400
    assert list(response.json()["stop_payment_accounts"]["0"]) == ["account_number"]


@pytest.mark.parametrize("code", ["NOPE", "VA-01", "T1", "PS"])
def test_an_unknown_village_code_is_a_400(api_as, police, village_a, grid_a1, police_station, code):
    response = api_as(police).post(LIST, payload(village=code), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["village"]
    assert not WarningOrder.objects.exists()


def test_a_village_of_another_town_is_unknown_to_this_police_station(api_as, police, other_town_police):
    response = api_as(police).post(LIST, payload(village="VC"), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["village"]


def test_a_push_in_the_future_is_refused(api_as, police, village_a):
    tomorrow = timezone.now() + datetime.timedelta(days=1)
    response = api_as(police).post(LIST, payload(pushed_at=tomorrow.isoformat()), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["pushed_at"]


@pytest.mark.parametrize("user_fixture", ["leader", "grid_a", "head_a", "zongzhi", "school", "outsider"])
def test_only_police_may_push(request, api_as, village_a, user_fixture):
    response = api_as(request.getfixturevalue(user_fixture)).post(LIST, payload(), format="json")
    assert response.status_code == 403
    assert response.json()["detail"]
    assert not WarningOrder.objects.exists()


def test_an_instruction_number_used_in_another_town_is_not_revealed(api_as, police, village_a, other_town_police):
    police2, village_c = other_town_police
    push(police2, village_c, external_id="YJ-2026-0001", person_name="黄先生")
    response = api_as(police).post(LIST, payload(), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["external_id"]
    assert "黄先生" not in response.content.decode()
    assert WarningOrder.objects.count() == 1


# --- The 3-day clock through the API -------------------------------------------------------------


def test_a_push_at_2330_local_time_counts_on_that_local_day(api_as, police, village_a):
    day = timezone.localdate() - datetime.timedelta(days=2)
    response = api_as(police).post(LIST, payload(pushed_at=f"{day.isoformat()}T23:30:00+08:00"), format="json")
    body = response.json()
    assert response.status_code == 201
    assert datetime.datetime.fromisoformat(body["pushed_at"]) == local(day, 23, 30)
    assert body["window_ends"] == add_months(day, 1).isoformat()  # "时间持续一个月": a calendar month
    assert body["next_visit_due"] == (day + datetime.timedelta(days=3)).isoformat()
    assert body["overdue"] is False


def test_a_push_without_an_offset_is_read_as_shanghai_time(api_as, police, village_a):
    day = timezone.localdate() - datetime.timedelta(days=2)
    body = api_as(police).post(LIST, payload(pushed_at=f"{day.isoformat()}T23:30:00"), format="json").json()
    assert datetime.datetime.fromisoformat(body["pushed_at"]) == local(day, 23, 30)
    assert body["next_visit_due"] == (day + datetime.timedelta(days=3)).isoformat()


def test_a_push_given_in_utc_counts_on_the_next_local_day(api_as, police, village_a):
    local_day = timezone.localdate() - datetime.timedelta(days=2)
    utc_day = local_day - datetime.timedelta(days=1)
    # 16:30 UTC is 00:30 the next day in Shanghai.
    body = api_as(police).post(LIST, payload(pushed_at=f"{utc_day.isoformat()}T16:30:00Z"), format="json").json()
    assert datetime.datetime.fromisoformat(body["pushed_at"]) == local(local_day, 0, 30)
    assert body["window_ends"] == add_months(local_day, 1).isoformat()
    assert body["next_visit_due"] == (local_day + datetime.timedelta(days=3)).isoformat()


def test_visits_move_the_clock_by_their_local_date(api_as, police, village_a, grid_a):
    start = timezone.localdate() - datetime.timedelta(days=6)
    warning = push(police, village_a, pushed_at=local(start, 10))
    client = api_as(grid_a)

    # An in-person visit at 23:30 local time counts on its local day.
    client.post(visits_url(warning.pk), visit_body(visited_at=f"{start.isoformat()}T23:30:00+08:00"), format="json")
    assert client.get(detail(warning.pk)).json()["next_visit_due"] == (start + datetime.timedelta(days=3)).isoformat()

    # A phone call is contact, not a visit: the clock stays.
    client.post(visits_url(warning.pk), visit_body(method="phone"), format="json")
    assert client.get(detail(warning.pk)).json()["next_visit_due"] == (start + datetime.timedelta(days=3)).isoformat()

    # 16:30 UTC on start+1 is 00:30 on start+2 in Shanghai.
    utc_evening = f"{(start + datetime.timedelta(days=1)).isoformat()}T16:30:00Z"
    client.post(visits_url(warning.pk), visit_body(visited_at=utc_evening), format="json")
    body = client.get(detail(warning.pk)).json()
    assert body["next_visit_due"] == (start + datetime.timedelta(days=5)).isoformat()
    assert body["overdue"] is True  # start + 5 is yesterday


def test_an_overdue_visit_shows_as_overdue(api_as, police, village_a, grid_a):
    warning = push(police, village_a, pushed_at=timezone.now() - datetime.timedelta(days=5))
    body = api_as(grid_a).get(detail(warning.pk)).json()
    assert body["overdue"] is True
    assert body["next_visit_due"] == (timezone.localdate() - datetime.timedelta(days=2)).isoformat()


def test_no_visit_is_due_once_the_window_has_ended(api_as, police, village_a, grid_a):
    warning = push(police, village_a, pushed_at=timezone.now() - datetime.timedelta(days=40))
    body = api_as(grid_a).get(detail(warning.pk)).json()
    assert body["status"] == "pushed"  # still open, waiting for an outcome
    assert body["next_visit_due"] is None
    assert body["overdue"] is False


def test_visits_stay_due_after_dissuasion_until_the_window_ends(api_as, police, village_a, grid_a):
    warning = push(police, village_a, stop_payment_accounts=[])
    api_as(grid_a).post(visits_url(warning.pk), visit_body(), format="json")
    services.warning_confirm_dissuaded(warning=warning, actor=grid_a)
    body = api_as(police).get(detail(warning.pk)).json()
    assert body["status"] == "dissuaded"
    assert body["dissuaded_at"] is not None
    assert body["next_visit_due"] == (timezone.localdate() + datetime.timedelta(days=3)).isoformat()
    assert body["overdue"] is False


def test_no_visit_is_due_once_the_case_is_closed(api_as, police, village_a, grid_a):
    warning = push(police, village_a, stop_payment_accounts=[])
    response = act(api_as, police, warning, "close", close_reason="moved_away")
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["close_reason"]) == ("closed", "moved_away")
    assert body["next_visit_due"] is None
    assert body["overdue"] is False


# --- Reading one warning -------------------------------------------------------------------------


def test_a_warning_reads_with_its_visits_and_accounts(api_as, warning, grid_a, head_a, police):
    services.warning_record_visit(
        warning=warning,
        actor=grid_a,
        client_id=uuid.uuid4(),
        visited_at=timezone.now(),
        method="in_person",
        at_risk=True,
        visitors=[head_a, grid_a],
    )
    visit = FollowUpVisit.objects.get()
    response = api_as(police).get(detail(warning.pk))
    assert response.status_code == 200
    body = response.json()
    assert set(body) == WARNING_FIELDS
    assert body["status"] == "following_up"
    assert body["visits"] == [
        {
            "id": visit.pk,
            "visited_at": timezone.localtime(visit.visited_at).isoformat(),
            "method": "in_person",
            "by": ["grid_a", "head_a"],
            "at_risk": True,
        }
    ]
    assert body["stop_payment_accounts"] == [
        {"bank": "中国农业银行", "account_number": "6228 **** **** 0018", "released_at": None}
    ]


def test_reading_a_warning_is_access_logged(api_as, warning, grid_a):
    api_as(grid_a).get(detail(warning.pk))
    entry = AccessLog.objects.get()
    assert entry.user == grid_a
    assert entry.action == AccessAction.VIEW
    assert entry.object_id == str(warning.pk)


@pytest.mark.parametrize("user_fixture", ["grid_a", "head_a", "police", "leader", "zongzhi"])
def test_everyone_in_scope_may_read_a_warning(request, api_as, warning, user_fixture):
    assert api_as(request.getfixturevalue(user_fixture)).get(detail(warning.pk)).status_code == 200


@pytest.mark.parametrize("user_fixture", ["grid_b", "school", "outsider"])
def test_a_warning_out_of_scope_is_not_found(request, api_as, warning, user_fixture):
    response = api_as(request.getfixturevalue(user_fixture)).get(detail(warning.pk))
    assert response.status_code == 404
    assert "陈阿婆" not in response.content.decode()


def test_a_missing_warning_is_not_found(api_as, police):
    assert api_as(police).get(detail(999999)).status_code == 404
    assert api_as(police).get("/api/v1/warnings/abc/").status_code == 404


def test_police_of_another_town_do_not_see_the_warning(api_as, warning, other_town_police):
    police2, _village = other_town_police
    client = api_as(police2)
    assert client.get(detail(warning.pk)).status_code == 404
    assert client.get(LIST).json()["count"] == 0


# --- Masking -------------------------------------------------------------------------------------


def test_no_response_carries_a_full_id_phone_or_account_number(api_as, police, village_a, grid_a):
    bodies = []
    client = api_as(police)
    pushed = client.post(LIST, payload(), format="json")
    bodies.append(pushed)
    warning_id = pushed.json()["id"]
    bodies.append(client.post(LIST, payload(), format="json"))
    bodies.append(client.get(LIST))
    bodies.append(client.get(detail(warning_id)))
    bodies.append(client.post(LIST, payload(external_id="YJ-2", fraud_type="bad"), format="json"))
    client = api_as(grid_a)
    bodies.append(client.post(visits_url(warning_id), visit_body(), format="json"))
    bodies.append(client.post(transition_url(warning_id), {"action": "confirm_dissuaded"}, format="json"))
    client = api_as(police)
    bodies.append(client.post(transition_url(warning_id), {"action": "confirm_release"}, format="json"))
    bodies.append(client.post(transition_url(warning_id), {"action": "confirm_release"}, format="json"))
    for response in bodies:
        text = response.content.decode()
        assert ID not in text
        assert PHONE not in text
        assert ACCOUNT not in text
    assert bodies[-2].status_code == 200
    assert bodies[-2].json()["stop_payment_accounts"][0]["account_number"] == "6228 **** **** 0018"


# --- Listing -------------------------------------------------------------------------------------


@pytest.fixture
def two_villages(police, village_a, village_b):
    a = push(police, village_a, external_id="YJ-A")
    b = push(police, village_b, external_id="YJ-B", id_number=make_id_number("440605", datetime.date(1950, 1, 1), 3))
    return a, b


def ids(client, **params):
    response = client.get(LIST, params)
    assert response.status_code == 200, response.content
    return {row["id"] for row in response.json()["results"]}


@pytest.mark.parametrize(
    ("user_fixture", "sees"),
    [("grid_a", {"a"}), ("head_a", {"a"}), ("grid_b", {"b"}), ("police", {"a", "b"}), ("leader", {"a", "b"})],
)
def test_the_list_shows_only_what_the_caller_may_see(request, api_as, two_villages, user_fixture, sees):
    a, b = two_villages
    expected = {{"a": a.pk, "b": b.pk}[key] for key in sees}
    assert ids(api_as(request.getfixturevalue(user_fixture))) == expected


@pytest.mark.parametrize("user_fixture", ["school", "outsider"])
def test_the_list_is_forbidden_without_access_to_warnings(request, api_as, two_villages, user_fixture):
    response = api_as(request.getfixturevalue(user_fixture)).get(LIST)
    assert response.status_code == 403
    assert response.json()["detail"]


def test_the_list_filters_by_village_code(api_as, leader, two_villages):
    a, b = two_villages
    client = api_as(leader)
    assert ids(client, village="VA") == {a.pk}
    assert ids(client, village="VB") == {b.pk}
    assert ids(client, village="NOPE") == set()


def test_a_village_filter_cannot_reach_out_of_scope(api_as, grid_a, two_villages):
    assert ids(api_as(grid_a), village="VB") == set()


def test_the_list_filters_by_status(api_as, leader, grid_a, two_villages):
    a, b = two_villages
    services.warning_acknowledge(warning=a, actor=grid_a)
    client = api_as(leader)
    assert ids(client, status="following_up") == {a.pk}
    assert ids(client, status="pushed") == {b.pk}
    assert ids(client, status="closed") == set()
    assert client.get(LIST, {"status": "lost"}).status_code == 400


def test_the_list_filters_overdue_cases(api_as, leader, police, village_a, grid_a):
    now = timezone.now()
    overdue = push(police, village_a, external_id="YJ-LATE", pushed_at=now - datetime.timedelta(days=5))
    on_time = push(police, village_a, external_id="YJ-FRESH", pushed_at=now - datetime.timedelta(hours=2))
    ended = push(police, village_a, external_id="YJ-ENDED", pushed_at=now - datetime.timedelta(days=40))
    settled = push(police, village_a, external_id="YJ-DONE", pushed_at=now - datetime.timedelta(days=5))
    services.warning_report_defrauded(
        warning=settled, actor=police, loss_amount="100", defrauded_on=timezone.localdate()
    )
    client = api_as(leader)
    assert ids(client, overdue="true") == {overdue.pk}
    assert ids(client, overdue="false") == {on_time.pk, ended.pk, settled.pk}
    assert ids(client) == {overdue.pk, on_time.pk, ended.pk, settled.pk}
    rows = {row["id"]: row["overdue"] for row in client.get(LIST).json()["results"]}
    assert rows == {overdue.pk: True, on_time.pk: False, ended.pk: False, settled.pk: False}


def test_the_list_is_paginated_newest_first(api_as, leader, police, village_a):
    now = timezone.now()
    for n in range(7):
        factories.WarningFactory(village=village_a, pushed_at=now - datetime.timedelta(hours=n))
    client = api_as(leader)
    first = client.get(LIST, {"page_size": 5}).json()
    assert set(first) == {"count", "next", "previous", "results"}
    assert first["count"] == 7
    assert len(first["results"]) == 5
    assert "page=2" in first["next"]
    second = client.get(LIST, {"page_size": 5, "page": 2}).json()
    assert len(second["results"]) == 2
    pushed = [row["pushed_at"] for row in first["results"] + second["results"]]
    assert pushed == sorted(pushed, reverse=True)


def _warnings_with_visits(village, visitors, count):
    for _n in range(count):
        warning = factories.WarningFactory(village=village)
        factories.StopPaymentAccountFactory(warning=warning)
        factories.StopPaymentAccountFactory(warning=warning)
        for _m in range(2):
            visit = factories.FollowUpVisitFactory(warning=warning)
            visit.visitors.set(visitors)


def test_the_list_runs_a_bounded_number_of_queries(api_as, grid_a, head_a, village_a, django_assert_max_num_queries):
    client = api_as(grid_a)
    _warnings_with_visits(village_a, [grid_a, head_a], 2)
    client.get(LIST)  # warm the per-process caches (content types and the like)
    with django_assert_max_num_queries(10) as small:
        assert client.get(LIST).json()["count"] == 2
    _warnings_with_visits(village_a, [grid_a, head_a], 32)
    with django_assert_max_num_queries(10) as large:
        body = client.get(LIST).json()
    assert body["count"] == 34
    assert len(body["results"]) == 34
    assert all(len(row["visits"]) == 2 and len(row["stop_payment_accounts"]) == 2 for row in body["results"])
    assert len(large.captured_queries) == len(small.captured_queries)


# --- Visits --------------------------------------------------------------------------------------


def test_the_team_records_a_visit_and_a_repost_creates_nothing(api_as, warning, grid_a):
    client = api_as(grid_a)
    body = visit_body(at_risk=True)
    first = client.post(visits_url(warning.pk), body, format="json")
    assert first.status_code == 201
    visit = FollowUpVisit.objects.get()
    assert first.json() == {
        "id": visit.pk,
        "visited_at": timezone.localtime(visit.visited_at).isoformat(),
        "method": "in_person",
        "by": ["grid_a"],
        "at_risk": True,
    }
    assert str(visit.client_id) == body["client_id"]
    assert visit.notes == body["notes"]
    assert visit.recorded_by == grid_a
    events = AuditEvent.objects.count()

    again = client.post(visits_url(warning.pk), body, format="json")
    assert again.status_code == 200
    assert again.json() == first.json()
    assert FollowUpVisit.objects.count() == 1
    assert AuditEvent.objects.count() == events


def test_a_visit_names_who_went_along_from_the_village_team(api_as, warning, grid_a, head_a, grid_b):
    client = api_as(grid_a)
    answer = client.post(visits_url(warning.pk), visit_body(visitors=["head_a"]), format="json")
    assert answer.status_code == 201
    assert answer.json()["by"] == ["grid_a", "head_a"]

    stranger = client.post(visits_url(warning.pk), visit_body(visitors=["grid_b"]), format="json")
    assert stranger.status_code == 400
    assert "grid_b" in stranger.json()["visitors"][0]
    assert FollowUpVisit.objects.count() == 1


def test_a_visit_records_the_persons_state(api_as, warning, grid_a):
    body = visit_body(understands_risk=True, app_installed=True, relatives_informed=True)
    assert api_as(grid_a).post(visits_url(warning.pk), body, format="json").status_code == 201
    visit = FollowUpVisit.objects.get()
    assert (visit.understands_risk, visit.app_installed, visit.relatives_informed) == (True, True, True)
    assert (visit.still_in_contact, visit.new_transfer_attempts) == (False, False)


def test_a_first_visit_acknowledges_the_warning(api_as, warning, grid_a):
    api_as(grid_a).post(visits_url(warning.pk), visit_body(), format="json")
    assert refreshed_status(warning) == WarningStatus.FOLLOWING_UP


@pytest.mark.parametrize("user_fixture", ["grid_a", "head_a", "police"])
def test_the_villages_team_and_police_may_record_visits(request, api_as, warning, user_fixture):
    response = api_as(request.getfixturevalue(user_fixture)).post(visits_url(warning.pk), visit_body(), format="json")
    assert response.status_code == 201


@pytest.mark.parametrize("user_fixture", ["leader", "zongzhi"])
def test_others_in_scope_may_not_record_visits(request, api_as, warning, user_fixture):
    response = api_as(request.getfixturevalue(user_fixture)).post(visits_url(warning.pk), visit_body(), format="json")
    assert response.status_code == 403
    assert response.json()["detail"]
    assert not FollowUpVisit.objects.exists()


@pytest.mark.parametrize("user_fixture", ["grid_b", "school", "outsider"])
def test_a_visit_out_of_scope_is_not_found(request, api_as, warning, user_fixture):
    response = api_as(request.getfixturevalue(user_fixture)).post(visits_url(warning.pk), visit_body(), format="json")
    assert response.status_code == 404
    assert not FollowUpVisit.objects.exists()


def test_an_invalid_visit_gets_a_message_per_field(api_as, warning, grid_a):
    client = api_as(grid_a)
    response = client.post(visits_url(warning.pk), {"client_id": "not-a-uuid", "method": "letter"}, format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"client_id", "visited_at", "method", "at_risk"}
    future = (timezone.now() + datetime.timedelta(days=1)).isoformat()
    response = client.post(visits_url(warning.pk), visit_body(visited_at=future), format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["visited_at"]
    assert not FollowUpVisit.objects.exists()


def test_a_client_id_of_another_warning_is_refused(api_as, warning, police, village_a, grid_a):
    other = push(police, village_a, external_id="YJ-002")
    body = visit_body()
    client = api_as(grid_a)
    assert client.post(visits_url(warning.pk), body, format="json").status_code == 201
    response = client.post(visits_url(other.pk), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["client_id"]


def test_no_visits_after_the_outcome(api_as, warning, police):
    services.warning_report_defrauded(warning=warning, actor=police, loss_amount=1, defrauded_on=timezone.localdate())
    response = api_as(police).post(visits_url(warning.pk), visit_body(), format="json")
    assert response.status_code == 409
    assert response.json()["detail"]
    assert not FollowUpVisit.objects.exists()


# --- Transitions ---------------------------------------------------------------------------------


def act(api_as, user, warning, action, **fields):
    return api_as(user).post(transition_url(warning.pk), {"action": action, **fields}, format="json")


def test_every_service_transition_has_an_api_action():
    assert set(TRANSITION_SERIALIZERS) == set(services.TRANSITIONS)


def test_a_case_from_push_to_release_and_close(api_as, warning, grid_a, police):
    response = act(api_as, grid_a, warning, "acknowledge", reason="已收到")
    assert response.status_code == 200
    assert set(response.json()) == WARNING_FIELDS
    assert response.json()["status"] == "following_up"

    response = act(api_as, police, warning, "first_dissuasion", method="joint", result="本人表示不再转账")
    assert response.status_code == 200
    warning.refresh_from_db()
    assert (warning.first_dissuasion_method, warning.first_dissuasion_result) == ("joint", "本人表示不再转账")
    first = response.json()["first_dissuasion"]
    assert (first["method"], first["result"], first["by"]) == ("joint", "本人表示不再转账", "police")
    assert first["at"] is not None
    assert response.json()["first_team_contact_at"] is None

    assert api_as(grid_a).post(visits_url(warning.pk), visit_body(), format="json").status_code == 201
    response = act(api_as, grid_a, warning, "confirm_dissuaded", reason="已安装反诈APP，家属知情")
    assert response.json()["status"] == "release_requested"
    assert response.json()["next_visit_due"] is not None  # the visits go on

    response = act(api_as, police, warning, "confirm_release", reason="核实无风险")
    body = response.json()
    assert body["status"] == "released"
    assert body["stop_payment_accounts"][0]["released_at"] is not None
    assert StopPaymentAccount.objects.get().released_by == police

    assert act(api_as, police, warning, "close", reason="归档").status_code == 400  # no reason from the list
    response = act(api_as, police, warning, "close", close_reason="other", reason="归档")
    assert response.json()["status"] == "closed"
    events = list(AuditEvent.objects.filter(object_id=str(warning.pk)).values_list("event", "reason"))
    assert ("acknowledge", "已收到") in events
    assert ("confirm_release", "核实无风险") in events
    assert ("close", "归档") in events


def test_dissuaded_without_accounts_needs_no_release(api_as, police, village_a, grid_a):
    warning = push(police, village_a, stop_payment_accounts=[])
    api_as(grid_a).post(visits_url(warning.pk), visit_body(), format="json")
    assert act(api_as, grid_a, warning, "confirm_dissuaded").json()["status"] == "dissuaded"
    assert act(api_as, police, warning, "close", close_reason="duplicate_push").json()["status"] == "closed"


def test_police_first_dissuasion_after_a_team_visit_and_409_only_once_recorded(api_as, warning, grid_a, police):
    assert api_as(grid_a).post(visits_url(warning.pk), visit_body(), format="json").status_code == 201
    body = api_as(police).get(detail(warning.pk)).json()
    assert body["first_dissuasion"] is None and body["first_team_contact_at"] is not None
    response = act(api_as, police, warning, "first_dissuasion", method="phone", result="已电话劝阻")
    assert response.status_code == 200
    assert response.json()["first_dissuasion"]["by"] == "police"
    again = act(api_as, police, warning, "first_dissuasion", method="phone", result="再次")
    assert again.status_code == 409


def test_only_the_dissuasion_team_and_head_confirm_others_get_403(api_as, warning, grid_worker_a, head_a):
    assert api_as(grid_worker_a).post(visits_url(warning.pk), visit_body(), format="json").status_code == 201
    response = act(api_as, grid_worker_a, warning, "confirm_dissuaded")
    assert response.status_code == 403
    assert refreshed_status(warning) == WarningStatus.FOLLOWING_UP
    assert act(api_as, head_a, warning, "confirm_dissuaded").status_code == 200


def test_confirming_before_a_team_visit_is_a_conflict(api_as, warning, grid_a):
    act(api_as, grid_a, warning, "acknowledge")
    assert act(api_as, grid_a, warning, "confirm_dissuaded").status_code == 409


@pytest.mark.parametrize("user_fixture", ["police", "grid_a"])
def test_police_or_team_report_defrauded_after_warning(request, api_as, warning, user_fixture):
    day = timezone.localdate() - datetime.timedelta(days=1)
    response = act(
        api_as,
        request.getfixturevalue(user_fixture),
        warning,
        "report_defrauded",
        loss_amount="12800.50",
        defrauded_on=day.isoformat(),
        reason="受害人报警",
    )
    assert response.status_code == 200
    assert response.json()["status"] == "defrauded"
    warning.refresh_from_db()
    assert str(warning.loss_amount) == "12800.50"
    assert warning.defrauded_on == day


@pytest.mark.parametrize(
    ("user_fixture", "action", "fields"),
    [
        ("police", "acknowledge", {}),
        ("leader", "acknowledge", {}),
        ("zongzhi", "acknowledge", {}),
        ("grid_a", "first_dissuasion", {"method": "phone", "result": "已劝阻"}),
        ("head_a", "first_dissuasion", {"method": "phone", "result": "已劝阻"}),
        ("grid_a", "close", {}),
        ("leader", "report_defrauded", {"loss_amount": "1", "defrauded_on": "2026-01-01"}),
    ],
)
def test_a_role_that_may_not_act_gets_403_and_nothing_changes(request, api_as, warning, user_fixture, action, fields):
    events = AuditEvent.objects.count()
    response = act(api_as, request.getfixturevalue(user_fixture), warning, action, **fields)
    assert response.status_code == 403
    assert response.json()["detail"]
    assert refreshed_status(warning) == WarningStatus.PUSHED
    warning.refresh_from_db()
    assert warning.first_dissuasion_at is None
    assert AuditEvent.objects.count() == events


def test_the_team_may_not_release_the_stop_payment(api_as, warning, grid_a):
    api_as(grid_a).post(visits_url(warning.pk), visit_body(), format="json")
    act(api_as, grid_a, warning, "confirm_dissuaded")
    response = act(api_as, grid_a, warning, "confirm_release")
    assert response.status_code == 403
    assert refreshed_status(warning) == WarningStatus.RELEASE_REQUESTED
    assert StopPaymentAccount.objects.get().released_at is None


@pytest.mark.parametrize(
    ("user_fixture", "action"),
    [
        ("police", "confirm_release"),
        ("grid_a", "confirm_dissuaded"),
    ],
)
def test_an_action_the_state_does_not_allow_gets_409_and_nothing_changes(
    request, api_as, warning, user_fixture, action
):
    events = AuditEvent.objects.count()
    response = act(api_as, request.getfixturevalue(user_fixture), warning, action)
    assert response.status_code == 409
    assert response.json()["detail"]
    assert refreshed_status(warning) == WarningStatus.PUSHED
    assert AuditEvent.objects.count() == events


def test_acknowledging_twice_is_a_conflict(api_as, warning, grid_a):
    assert act(api_as, grid_a, warning, "acknowledge").status_code == 200
    assert act(api_as, grid_a, warning, "acknowledge").status_code == 409


def test_the_first_dissuasion_is_recorded_once(api_as, warning, police):
    assert act(api_as, police, warning, "first_dissuasion", method="phone", result="已劝阻").status_code == 200
    response = act(api_as, police, warning, "first_dissuasion", method="in_person", result="再次劝阻")
    assert response.status_code == 409
    warning.refresh_from_db()
    assert warning.first_dissuasion_method == "phone"


def test_a_second_release_is_a_conflict(api_as, warning, grid_a, police):
    api_as(grid_a).post(visits_url(warning.pk), visit_body(), format="json")
    act(api_as, grid_a, warning, "confirm_dissuaded")
    assert act(api_as, police, warning, "confirm_release").status_code == 200
    released_at = StopPaymentAccount.objects.get().released_at
    assert act(api_as, police, warning, "confirm_release").status_code == 409
    assert StopPaymentAccount.objects.get().released_at == released_at


@pytest.mark.parametrize("body", [{"action": "escalate"}, {"action": ""}, {}, {"reason": "no action"}])
def test_an_unknown_or_missing_action_is_a_400(api_as, warning, police, body):
    response = api_as(police).post(transition_url(warning.pk), body, format="json")
    assert response.status_code == 400
    assert list(response.json()) == ["action"]


def test_an_actions_own_fields_are_checked(api_as, warning, police):
    response = act(api_as, police, warning, "first_dissuasion", method="letter")
    assert response.status_code == 400
    assert set(response.json()) == {"method", "result"}
    response = act(api_as, police, warning, "report_defrauded", loss_amount="-5", defrauded_on="someday")
    assert set(response.json()) == {"loss_amount", "defrauded_on"}
    tomorrow = timezone.localdate() + datetime.timedelta(days=1)
    response = act(api_as, police, warning, "report_defrauded", loss_amount="5", defrauded_on=tomorrow.isoformat())
    assert list(response.json()) == ["defrauded_on"]
    assert refreshed_status(warning) == WarningStatus.PUSHED


@pytest.mark.parametrize("user_fixture", ["grid_b", "school", "outsider"])
def test_a_transition_out_of_scope_is_not_found(request, api_as, warning, user_fixture):
    response = act(api_as, request.getfixturevalue(user_fixture), warning, "acknowledge")
    assert response.status_code == 404
    assert refreshed_status(warning) == WarningStatus.PUSHED


def test_a_transition_on_a_missing_warning_is_not_found(api_as, police):
    assert api_as(police).post(transition_url(999999), {"action": "close"}, format="json").status_code == 404


# --- The schema ----------------------------------------------------------------------------------


def test_the_openapi_schema_documents_the_warning_api_and_validates(tmp_path):
    out = tmp_path / "schema.yaml"
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(out))
    text = out.read_text()
    for path in (
        "/api/v1/warnings/:",
        "/api/v1/warnings/{id}/:",
        "/api/v1/warnings/{id}/visits/:",
        "/api/v1/warnings/{id}/transition/:",
        "/api/v1/fraud-types/:",
    ):
        assert path in text
    assert "WarningTransition:" in text
