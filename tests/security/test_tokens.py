"""Threat: an API token that outlives its reason to exist.

A token copied into a script (or leaked with it) kept working forever, even after its owner changed the
password because the old one leaked. Now a token dies with the password and after API_TOKEN_DAYS days.
"""

import datetime
from io import StringIO

import pytest
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

pytestmark = pytest.mark.django_db

NEW_PASSWORD = "Luo-cun-2024-quiet-river"


def api_with(token):
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


def age(token, days):
    Token.objects.filter(pk=token.pk).update(created=timezone.now() - datetime.timedelta(days=days))


def test_a_token_dies_when_its_owner_changes_the_password(client, grid_a):
    token = Token.objects.create(user=grid_a)
    assert api_with(token).get("/api/v1/units/").status_code == 200
    client.force_login(grid_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": "demo12345", "new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD},
    )
    assert response.status_code == 302
    assert api_with(token).get("/api/v1/units/").status_code == 401
    assert not Token.objects.filter(user=grid_a).exists()


def test_a_token_dies_when_an_administrator_sets_a_new_password(client, admin_user, grid_a):
    token = Token.objects.create(user=grid_a)
    client.force_login(admin_user)
    response = client.post(
        reverse("admin:auth_user_password_change", args=[grid_a.pk]),
        {"password1": NEW_PASSWORD, "password2": NEW_PASSWORD, "usable_password": "true"},
    )
    assert response.status_code == 302
    assert api_with(token).get("/api/v1/units/").status_code == 401


def test_other_saves_of_the_user_keep_the_token(grid_a, grid_b):
    token = Token.objects.create(user=grid_a)
    other = Token.objects.create(user=grid_b)
    grid_a.full_name = "王丽丽"
    grid_a.save()
    grid_b.set_password(NEW_PASSWORD)
    grid_b.save()
    assert api_with(token).get("/api/v1/units/").status_code == 200
    assert not Token.objects.filter(pk=other.pk).exists()


def test_a_token_expires_after_api_token_days(grid_a, settings):
    assert settings.API_TOKEN_DAYS == 90
    token = Token.objects.create(user=grid_a)
    age(token, 89)
    assert api_with(token).get("/api/v1/units/").status_code == 200
    age(token, 90)
    response = api_with(token).get("/api/v1/units/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_the_lifetime_is_a_setting(grid_a, settings):
    settings.API_TOKEN_DAYS = 7
    token = Token.objects.create(user=grid_a)
    age(token, 8)
    assert api_with(token).get("/api/v1/units/").status_code == 401


def test_create_api_token_prints_the_expiry_and_replaces_an_expired_token(grid_a):
    out, err = StringIO(), StringIO()
    call_command("create_api_token", "grid_a", stdout=out, stderr=err)
    token = Token.objects.get(user=grid_a)
    assert out.getvalue().strip() == token.key  # alone on stdout: `$(manage.py create_api_token x)` still works
    expires = timezone.localtime(token.created + datetime.timedelta(days=90))
    assert f"{expires:%Y-%m-%d}" in err.getvalue()
    age(token, 91)
    out = StringIO()
    call_command("create_api_token", "grid_a", stdout=out, stderr=StringIO())
    fresh = Token.objects.get(user=grid_a)
    assert fresh.key != token.key
    assert out.getvalue().strip() == fresh.key
    assert api_with(fresh).get("/api/v1/units/").status_code == 200


def test_the_admin_lists_each_users_token_with_its_expiry_but_never_the_key(client, admin_user, grid_a, grid_b):
    token = Token.objects.create(user=grid_a)
    age(token, 100)
    Token.objects.create(user=grid_b)
    client.force_login(admin_user)
    response = client.get("/admin/authtoken/tokenproxy/")
    assert response.status_code == 200
    text = response.text
    assert str(grid_a) in text and str(grid_b) in text
    assert token.key not in text
    assert "icon-no" in text and "icon-yes" in text  # one expired, one valid
    page = client.get(f"/admin/organization/user/{grid_a.pk}/change/").text
    assert "API" in page and token.key not in page
