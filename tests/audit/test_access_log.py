"""The access log: leadership and admins read it; nobody edits it; it never holds the values themselves."""

import datetime

import pytest
from django.urls import reverse
from django.utils import translation

from audit.models import AccessAction, AccessLog
from core.validators import make_id_number
from residents import services
from tests import factories

pytestmark = pytest.mark.django_db

ID = make_id_number("440605", datetime.date(1951, 10, 1), 7)
PHONE = "13800138000"


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


@pytest.fixture
def resident(village_a):
    household = services.household_create(village=village_a, address="幸福路1号")
    return services.resident_create(name="李四", id_number=ID, household=household, phone=PHONE)


@pytest.fixture
def logged(client, grid_a, head_a, resident):
    """grid_a views and reveals the resident and searches by the ID number; head_a views the resident."""
    client.force_login(grid_a)
    client.get(reverse("residents:resident_detail", args=[resident.pk]))
    client.post(reverse("residents:resident_reveal", args=[resident.pk]))
    client.post(reverse("residents:resident_list"), {"q": ID})
    client.force_login(head_a)
    client.get(reverse("residents:resident_detail", args=[resident.pk]))
    client.logout()
    return AccessLog.objects.all()


URL = reverse("audit:access_log")


def test_anonymous_users_are_sent_to_login(client):
    response = client.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_leadership_reads_the_log_newest_first(client, leader, logged, grid_a):
    client.force_login(leader)
    response = client.get(URL)
    assert response.status_code == 200
    entries = list(response.context["page"])
    assert len(entries) == 4
    assert [entry.at for entry in entries] == sorted((entry.at for entry in entries), reverse=True)
    assert entries[0].user.username == "head_a"
    assert [entry.action for entry in entries[1:]] == [AccessAction.SEARCH, AccessAction.REVEAL, AccessAction.VIEW]
    assert "李四" in response.text
    assert "127.0.0.1" in response.text


def test_superusers_read_the_log(client, admin_user, logged):
    client.force_login(admin_user)
    assert client.get(URL).status_code == 200


@pytest.mark.parametrize("fixture", ["grid_a", "head_a", "police", "school", "outsider"])
def test_other_roles_get_404(client, request, fixture, logged):
    client.force_login(request.getfixturevalue(fixture))
    assert client.get(URL).status_code == 404


def test_the_log_filters_by_user_and_action(client, leader, logged):
    client.force_login(leader)
    by_user = client.get(URL, {"user": "head_a"}).context["page"]
    assert [entry.user.username for entry in by_user] == ["head_a"]
    reveals = client.get(URL, {"user": "grid_a", "action": "reveal"}).context["page"]
    assert [(entry.action, entry.fields) for entry in reveals] == [(AccessAction.REVEAL, "id_number,phone")]
    searches = client.get(URL, {"action": "search"}).context["page"]
    assert [entry.fields for entry in searches] == ["id_number"]


def test_an_unknown_filter_value_shows_everything_rather_than_failing(client, leader, logged):
    client.force_login(leader)
    response = client.get(URL, {"user": "nobody", "action": "nonsense"})
    assert response.status_code == 200
    assert response.context["page"].paginator.count == 4


def test_no_sensitive_value_is_stored_or_shown(client, leader, logged):
    for row in AccessLog.objects.values_list():
        dump = repr(row)
        assert ID not in dump and ID[:14] not in dump and PHONE not in dump
    client.force_login(leader)
    page = client.get(URL).text
    assert ID not in page and PHONE not in page


def test_the_log_is_paginated_with_bounded_queries(client, leader, grid_a, django_assert_max_num_queries):
    AccessLog.objects.bulk_create(
        AccessLog(user=grid_a, action=AccessAction.VIEW, object_repr=f"居民{n}") for n in range(60)
    )
    client.force_login(leader)
    with django_assert_max_num_queries(12):
        response = client.get(URL)
    assert len(response.context["page"].object_list) == 50
    assert len(client.get(URL, {"page": 2}).context["page"].object_list) == 10


# --- admin ---------------------------------------------------------------------------------------


def test_superusers_see_the_log_in_the_admin_read_only(client, admin_user, logged):
    client.force_login(admin_user)
    entry = AccessLog.objects.first()
    assert client.get(reverse("admin:audit_accesslog_changelist")).status_code == 200
    assert client.get(reverse("admin:audit_accesslog_change", args=[entry.pk])).status_code == 200
    assert client.get(reverse("admin:audit_accesslog_add")).status_code == 403
    assert client.post(reverse("admin:audit_accesslog_change", args=[entry.pk]), {"fields": "x"}).status_code == 403
    assert client.post(reverse("admin:audit_accesslog_delete", args=[entry.pk]), {"post": "yes"}).status_code == 403
    response = client.post(
        reverse("admin:audit_accesslog_changelist"),
        {"action": "delete_selected", "_selected_action": [entry.pk], "post": "yes"},
    )
    assert response.status_code in {200, 302, 403}
    assert AccessLog.objects.count() == 4
    entry.refresh_from_db()
    assert entry.fields != "x"


def test_staff_who_are_not_superusers_do_not_see_the_log_in_the_admin(client, logged):
    staff = factories.UserFactory(username="staff", unit=None, is_staff=True)
    client.force_login(staff)
    assert client.get(reverse("admin:audit_accesslog_changelist")).status_code == 403


def test_client_address_comes_from_the_trusted_proxy(rf, settings, grid_a):
    from core.http import client_ip

    request = rf.get("/", HTTP_X_FORWARDED_FOR="6.6.6.6, 10.1.2.3", REMOTE_ADDR="172.18.0.2")
    settings.TRUSTED_PROXY_COUNT = 0
    assert client_ip(request) == "172.18.0.2"
    settings.TRUSTED_PROXY_COUNT = 1
    assert client_ip(request) == "10.1.2.3"  # the forged first entry is ignored


def test_the_log_shows_labels_and_local_times_not_field_names(client, leader, logged):
    """An export that held names, addresses and masked ID numbers reads in words; times are Beijing time."""
    entry = AccessLog.objects.create(
        action=AccessAction.EXPORT, object_repr="households export", fields="name,address,id_number:masked"
    )
    AccessLog.objects.filter(pk=entry.pk).update(at=datetime.datetime(2026, 3, 1, 16, 30, tzinfo=datetime.UTC))
    client.force_login(leader)
    with translation.override("zh-hans"):
        page = client.get(URL, HTTP_ACCEPT_LANGUAGE="zh-hans").text
    assert "名称、地址、身份证号" in page
    assert "name、address" not in page
    assert "2026-03-02 00:30" in page  # 16:30 UTC is half past midnight in Luocun
    assert "name、address、ID number (masked)" in client.get(URL).text
