"""Threat: guessing passwords behind the reverse proxy.

Behind one proxy every request came from the proxy's address: ten wrong passwords from anywhere locked
the account for everyone, and 99 guesses spread over 11 accounts locked nothing. Now axes sees the
client's address (the entry the trusted proxy appended to X-Forwarded-For), locks an account for that
address only, and locks an address that sprays guesses over many accounts.
"""

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PROXY = "172.18.0.2"
ATTACKER = "6.6.6.6"
COLLEAGUE = "10.1.2.3"


@pytest.fixture
def behind_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


def login(client, username, password, *, address, forged=""):
    forwarded = f"{forged}, {address}" if forged else address
    return client.post(
        reverse("login"),
        {"username": username, "password": password},
        REMOTE_ADDR=PROXY,
        HTTP_X_FORWARDED_FOR=forwarded,
    )


def test_a_stranger_cannot_lock_a_colleague_out(client, grid_a, behind_proxy):
    for _ in range(10):
        login(client, "grid_a", "wrong-guess", address=ATTACKER)
    assert login(client, "grid_a", "demo12345", address=ATTACKER).status_code == 429
    assert login(client, "grid_a", "demo12345", address=COLLEAGUE).status_code == 302


def test_a_forged_x_forwarded_for_does_not_reset_the_count(client, grid_a, behind_proxy):
    for n in range(10):
        login(client, "grid_a", "wrong-guess", address=ATTACKER, forged=f"203.0.113.{n}")
    assert login(client, "grid_a", "demo12345", address=ATTACKER, forged="203.0.113.99").status_code == 429


def test_without_a_trusted_proxy_x_forwarded_for_is_ignored(client, grid_a, settings):
    settings.TRUSTED_PROXY_COUNT = 0
    for n in range(10):
        client.post(
            reverse("login"),
            {"username": "grid_a", "password": "wrong-guess"},
            REMOTE_ADDR=ATTACKER,
            HTTP_X_FORWARDED_FOR=f"203.0.113.{n}",
        )
    response = client.post(reverse("login"), {"username": "grid_a", "password": "demo12345"}, REMOTE_ADDR=ATTACKER)
    assert response.status_code == 429


def test_password_spraying_from_one_address_locks_that_address(client, grid_a, behind_proxy, settings):
    usernames = [f"user{n:02d}" for n in range(11)]
    answers = [
        login(client, username, f"guess-{n}", address=ATTACKER).status_code for n in range(9) for username in usernames
    ]
    assert answers.count(429) >= 99 - settings.LOGIN_ADDRESS_FAILURE_LIMIT
    # Even the right password of an account it never guessed at is refused from that address...
    assert login(client, "grid_a", "demo12345", address=ATTACKER).status_code == 429
    # ... while everyone else signs in as usual.
    assert login(client, "grid_a", "demo12345", address=COLLEAGUE).status_code == 302


def test_a_few_typing_errors_across_an_office_lock_nobody(client, grid_a, behind_proxy, settings):
    office = "192.0.2.10"  # one public address for a village office behind NAT
    for n in range(settings.LOGIN_ADDRESS_FAILURE_LIMIT - 1):
        login(client, f"colleague{n % 5}", "typo", address=office)
    assert login(client, "grid_a", "demo12345", address=office).status_code == 302
