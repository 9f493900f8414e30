"""The bell and the notifications page: each user sees their own notifications, and only those."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from notifications.models import Notification
from notifications.services import notifications_send

pytestmark = pytest.mark.django_db

LIST = reverse("notifications:list")
BELL = reverse("notifications:bell")
READ_ALL = reverse("notifications:mark_all_read")


@pytest.fixture(autouse=True)
def english(client):
    client.defaults["HTTP_ACCEPT_LANGUAGE"] = "en"
    with translation.override("en"):
        yield


def notify(user, key, title="New warning for 陈阿婆 (联和村)", url="/warnings/1/"):
    notifications_send(recipients=[user], kind="warning.pushed", title=title, url=url, dedupe_key=key)
    return Notification.objects.get(recipient=user, dedupe_key=key)


@pytest.fixture
def inbox(grid_a, grid_b):
    """grid_a has two unread and one read notification; grid_b has one of their own."""
    first = notify(grid_a, "a1", title="第一条")
    second = notify(grid_a, "a2", title="第二条")
    read = notify(grid_a, "a3", title="已读的")
    Notification.objects.filter(pk=read.pk).update(read_at=timezone.now())
    theirs = notify(grid_b, "b1", title="下柏村的通知")
    return {"first": first, "second": second, "read": read, "theirs": theirs}


# --- The bell -------------------------------------------------------------------------------------


def test_the_bell_shows_the_unread_count_on_every_page(client, grid_a, inbox):
    client.force_login(grid_a)
    response = client.get(reverse("home"))
    html = response.content.decode()
    assert 'data-testid="notification-bell"' in html
    assert 'data-testid="notification-count">2<' in html


def test_the_bell_shows_no_badge_when_everything_is_read(client, grid_b):
    client.force_login(grid_b)
    html = client.get(BELL).content.decode()
    assert 'data-testid="notification-bell"' in html and "notification-count" not in html


def test_the_bell_counts_only_the_users_own_notifications(client, grid_b, inbox):
    client.force_login(grid_b)
    assert 'data-unread="1"' in client.get(BELL).content.decode()


def test_a_large_count_is_shortened(client, grid_a):
    notifications_send(recipients=[grid_a], kind="k", title="t", dedupe_key="x")
    Notification.objects.bulk_create(
        Notification(recipient=grid_a, kind="k", title="t", dedupe_key=f"bulk{n}") for n in range(120)
    )
    client.force_login(grid_a)
    assert 'data-testid="notification-count">99+<' in client.get(BELL).content.decode()


def test_the_bell_costs_one_count_query(client, grid_a, inbox):
    client.force_login(grid_a)
    with CaptureQueriesContext(connection) as queries:
        client.get(reverse("home"))
    on_notifications = [query["sql"] for query in queries if "notifications_notification" in query["sql"]]
    assert len(on_notifications) == 1 and "COUNT(" in on_notifications[0]


def test_anonymous_pages_have_no_bell(client):
    response = client.get(reverse("login"))
    assert b"notification-bell" not in response.content
    assert "notification_bell" not in response.context


def test_a_page_without_the_bell_does_not_count(rf, grid_a):
    from notifications.context_processors import unread

    request = rf.get("/")
    request.user = grid_a
    badge = unread(request)["notification_bell"]
    assert "count" not in badge.__dict__  # nothing counted until a template asks


# --- The list -------------------------------------------------------------------------------------


def test_the_list_shows_the_users_notifications_newest_first(client, grid_a, inbox):
    client.force_login(grid_a)
    response = client.get(LIST)
    assert response.status_code == 200
    titles = [notification.title for notification in response.context["page"]]
    assert titles == ["已读的", "第二条", "第一条"]
    assert "下柏村的通知" not in response.content.decode()


def test_another_users_notifications_are_never_shown(client, grid_b, inbox):
    client.force_login(grid_b)
    response = client.get(LIST)
    assert [notification.title for notification in response.context["page"]] == ["下柏村的通知"]
    assert "第一条" not in response.content.decode()


def test_anonymous_users_are_sent_to_login(client):
    for url in (LIST, BELL):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(reverse("login"))
    assert client.post(READ_ALL).status_code == 302


def test_the_list_runs_a_bounded_number_of_queries(client, grid_a, django_assert_max_num_queries):
    for n in range(40):
        notify(grid_a, f"n{n}")
    client.force_login(grid_a)
    with django_assert_max_num_queries(10):
        response = client.get(LIST)
    assert len(response.context["page"].object_list) == 25


# --- Marking read ---------------------------------------------------------------------------------


def test_mark_all_read_clears_only_the_users_own(client, grid_a, inbox):
    client.force_login(grid_a)
    response = client.post(READ_ALL)
    assert response.status_code == 302 and response["Location"] == LIST
    assert not Notification.objects.filter(recipient=grid_a, read_at__isnull=True).exists()
    assert Notification.objects.get(pk=inbox["theirs"].pk).read_at is None
    assert "notification-count" not in client.get(BELL).content.decode()


def test_mark_all_read_keeps_the_first_read_time(client, grid_a, inbox):
    before = Notification.objects.get(pk=inbox["read"].pk).read_at
    client.force_login(grid_a)
    client.post(READ_ALL)
    assert Notification.objects.get(pk=inbox["read"].pk).read_at == before


def test_mark_all_read_is_post_only(client, grid_a, inbox):
    client.force_login(grid_a)
    assert client.get(READ_ALL).status_code == 405
    assert Notification.objects.filter(recipient=grid_a, read_at__isnull=True).count() == 2


def test_mark_all_read_from_htmx_answers_with_the_refreshed_bell(client, grid_a, inbox):
    client.force_login(grid_a)
    response = client.post(READ_ALL, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="notification-bell"' in html and 'data-unread="0"' in html and "<html" not in html


def test_opening_a_notification_marks_it_read_and_follows_its_link(client, grid_a, inbox):
    client.force_login(grid_a)
    response = client.post(reverse("notifications:open", args=[inbox["first"].pk]))
    assert response.status_code == 302 and response["Location"] == "/warnings/1/"
    assert Notification.objects.get(pk=inbox["first"].pk).read_at is not None
    assert Notification.objects.get(pk=inbox["second"].pk).read_at is None


def test_a_notification_never_sends_the_user_to_another_site(client, grid_a):
    notification = notify(grid_a, "evil", url="https://evil.example/phish")
    client.force_login(grid_a)
    response = client.post(reverse("notifications:open", args=[notification.pk]))
    assert response["Location"] == LIST


def test_another_users_notification_cannot_be_opened(client, grid_a, inbox):
    client.force_login(grid_a)
    response = client.post(reverse("notifications:open", args=[inbox["theirs"].pk]))
    assert response.status_code == 404
    assert Notification.objects.get(pk=inbox["theirs"].pk).read_at is None


def test_an_event_is_notified_once_and_the_count_says_so(head_a, grid_a):
    first = notifications_send(recipients=[head_a], kind="k", title="提醒", dedupe_key="event:1")
    again = notifications_send(recipients=[head_a, grid_a], kind="k", title="提醒", dedupe_key="event:1")
    assert (first, again) == (1, 1)  # the second time only grid_a is new
    assert notifications_send(recipients=[head_a, grid_a], kind="k", title="提醒", dedupe_key="event:1") == 0
