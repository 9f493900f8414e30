"""Login lockout, session expiry, CSRF and security headers (ASVS L2)."""

import pytest
from django.test import Client
from django.urls import reverse

pytestmark = pytest.mark.django_db


def _login(client, username, password):
    return client.post(reverse("login"), {"username": username, "password": password})


def test_wrong_password_is_refused_with_a_translated_message(client, grid_a):
    response = _login(client, "grid_a", "wrong")
    assert response.status_code == 200
    assert "请输入" in response.text  # Django's own zh-hans message for a bad login
    assert "_auth_user_id" not in client.session


def test_login_succeeds_and_lands_on_home(client, grid_a):
    response = _login(client, "grid_a", "demo12345")
    assert response.status_code == 302
    assert response["Location"] == reverse("home")


def test_ten_failed_logins_lock_the_account(client, grid_a):
    for _ in range(10):
        _login(client, "grid_a", "wrong")
    response = _login(client, "grid_a", "demo12345")
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_nine_failed_logins_do_not_lock(client, grid_a):
    for _ in range(9):
        _login(client, "grid_a", "wrong")
    assert _login(client, "grid_a", "demo12345").status_code == 302


def test_idle_session_expires(client, grid_a, settings):
    client.force_login(grid_a)
    assert client.get(reverse("home")).status_code == 200
    session = client.session
    session["_last_seen"] -= settings.SESSION_IDLE_TIMEOUT + 1
    session.save()
    response = client.get(reverse("home"))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("login"))


def test_sessions_last_at_most_twelve_hours(settings):
    assert settings.SESSION_COOKIE_AGE == 12 * 60 * 60
    assert settings.SESSION_COOKIE_HTTPONLY


def test_csrf_is_enforced_on_login(grid_a):
    client = Client(enforce_csrf_checks=True)
    response = client.post(reverse("login"), {"username": "grid_a", "password": "demo12345"})
    assert response.status_code == 403


def test_security_headers(client):
    response = client.get(reverse("login"))
    csp = response["Content-Security-Policy"]
    assert "default-src 'self'" in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_pages_load_no_third_party_assets(client, grid_a):
    client.force_login(grid_a)
    page = client.get(reverse("home")).text
    assert "http://" not in page.replace('xmlns="http://www.w3.org', "")
    assert "https://" not in page
