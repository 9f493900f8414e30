"""Threat: passwords an attacker guesses first.

The demo accounts' demo12345 is printed in the README; short passwords, common ones and the site's own
name with digits are the first guesses of any password spray. They are refused wherever a password is
set (the admin's forms, the password change page, createsuperuser even with --noinput), and seed_demo
hands out demo12345 only with DEBUG on.
"""

from io import StringIO

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.urls import reverse

from demo.organization import DEMO_PASSWORD
from organization.models import User

pytestmark = pytest.mark.django_db

STRONG = "Quiet-river-morning-2024"
GUESSABLE = [
    "demo12345",
    "Demo12345!!",
    "xxdemo12345xx",
    "demo20242024",
    "luocun2024!",
    "LuoCun@123456",
    "罗村反诈123456",
    "admin@123456",
    "short1!",  # under 10 characters
    "1234567890",  # digits only
    "password123",  # common
    "qwertyuiop",  # common
]


@pytest.mark.parametrize("password", GUESSABLE)
def test_guessable_passwords_are_refused(password):
    with pytest.raises(ValidationError):
        validate_password(password, User(username="grid_a"))


@pytest.mark.parametrize("password", [STRONG, "罗村的晚风吹过稻田2024", "luocun-tea-garden-walk"])
def test_a_long_personal_password_is_accepted(password):
    validate_password(password, User(username="grid_a"))


def _add_user(client, password):
    return client.post(
        reverse("admin:organization_user_add"),
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": password,
            "password2": password,
            "full_name": "",
            "unit": "",
            "roles-TOTAL_FORMS": "0",
            "roles-INITIAL_FORMS": "0",
        },
    )


def test_the_admin_cannot_create_a_user_with_the_demo_password(client, admin_user):
    client.force_login(admin_user)
    response = _add_user(client, DEMO_PASSWORD)
    assert response.status_code == 200
    assert not User.objects.filter(username="newcomer").exists()
    assert _add_user(client, STRONG).status_code == 302
    assert User.objects.get(username="newcomer").check_password(STRONG)


def test_the_admin_cannot_set_a_guessable_password(client, admin_user, grid_a):
    client.force_login(admin_user)
    url = reverse("admin:auth_user_password_change", args=[grid_a.pk])
    response = client.post(url, {"password1": "luocun123456", "password2": "luocun123456", "usable_password": "true"})
    assert response.status_code == 200
    grid_a.refresh_from_db()
    assert not grid_a.check_password("luocun123456")


def test_a_user_cannot_change_to_a_guessable_password(client, grid_a):
    client.force_login(grid_a)
    response = client.post(
        reverse("password_change"),
        {"old_password": "demo12345", "new_password1": "Demo12345!!", "new_password2": "Demo12345!!"},
    )
    assert response.status_code == 200
    grid_a.refresh_from_db()
    assert grid_a.check_password("demo12345")


def test_createsuperuser_checks_the_password_even_without_a_prompt(monkeypatch):
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", DEMO_PASSWORD)
    with pytest.raises(CommandError):
        call_command("createsuperuser", "--noinput", "--username", "root", "--email", "", stdout=StringIO())
    assert not User.objects.filter(username="root").exists()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", STRONG)
    call_command("createsuperuser", "--noinput", "--username", "root", "--email", "", stdout=StringIO())
    assert User.objects.get(username="root").check_password(STRONG)


def test_seed_demo_without_debug_hands_out_a_random_password_once(settings):
    settings.DEBUG = False
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    password = out.getvalue().strip().rsplit(" ", 1)[-1]
    validate_password(password)
    demo_accounts = User.objects.filter(username__in=["admin", "leader", "police", "grid_a", "grid_b", "head_a"])
    assert demo_accounts.count() == 6
    assert all(user.check_password(password) for user in demo_accounts)
    assert not any(user.check_password(DEMO_PASSWORD) for user in User.objects.all())

    # Run again: a password an administrator chose is kept; a fresh password is shown for the new run.
    grid_a = User.objects.get(username="grid_a")
    grid_a.set_password(STRONG)
    grid_a.save()
    out = StringIO()
    call_command("seed_demo", "--force", stdout=out)
    assert out.getvalue().strip().rsplit(" ", 1)[-1] != password
    assert User.objects.get(username="grid_a").check_password(STRONG)
    assert not any(user.check_password(DEMO_PASSWORD) for user in User.objects.all())


def test_seed_demo_with_debug_keeps_the_demo_password(settings):
    settings.DEBUG = True
    out = StringIO()
    call_command("seed_demo", stdout=out)
    assert User.objects.get(username="grid_a").check_password(DEMO_PASSWORD)
    assert DEMO_PASSWORD in out.getvalue()
