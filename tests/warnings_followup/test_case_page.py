"""The case page offers the next step first, asks before irreversible steps, and lets the team and the police call."""

from __future__ import annotations

import datetime
import re

import pytest
from django.urls import reverse
from django.utils import timezone

from audit.models import AccessAction, AccessLog
from tests import factories
from warnings_followup.call_views import tel_href
from warnings_followup.models import WarningStatus

pytestmark = pytest.mark.django_db


def a_warning(village, *, phone="13812345678", **fields):
    person = factories.ResidentFactory(village=village, name="黄月", raw_phone=phone)
    return factories.WarningFactory(village=village, person=person, **fields)


def following_up(village, *, pushed_days_ago=1, **fields):
    pushed_at = timezone.now() - datetime.timedelta(days=pushed_days_ago)
    return a_warning(village, status=WarningStatus.FOLLOWING_UP, pushed_at=pushed_at, **fields)


def page_of(client, user, warning):
    client.force_login(user)
    return client.get(reverse("warnings_followup:warning_detail", args=[warning.pk]))


def primary_of(html: str) -> list[str]:
    """The data-testid of every element marked as the primary step."""
    return re.findall(r'data-testid="([\w-]+)"[^>]*data-primary', html)


# --- the next step ---------------------------------------------------------------------------------------------


def test_a_new_push_asks_the_team_to_acknowledge_first(client, grid_a, village_a):
    response = page_of(client, grid_a, a_warning(village_a))
    assert response.context["primary_step"] == "acknowledge"
    assert primary_of(response.text) == ["action-acknowledge-submit"]


def test_a_visit_due_makes_recording_it_the_primary_step(client, grid_a, village_a):
    warning = following_up(village_a, pushed_days_ago=4, first_team_contact_at=timezone.now())
    response = page_of(client, grid_a, warning)
    assert response.context["primary_step"] == "visit"
    assert primary_of(response.text) == ["record-visit"]


def test_confirming_dissuasion_is_not_primary_while_the_latest_visit_finds_the_person_at_risk(
    client, grid_a, village_a
):
    warning = following_up(village_a, first_team_contact_at=timezone.now())
    factories.FollowUpVisitFactory(warning=warning, at_risk=True)
    response = page_of(client, grid_a, warning)
    assert response.context["primary_step"] == "visit"
    html = response.text
    assert 'data-testid="latest-visit-at-risk"' in html
    assert response.context["latest_at_risk"]
    assert re.search(r'<form[^>]*data-testid="action-confirm_dissuaded"[^>]*data-confirm="[^"]+"', html)
    button = re.search(r'<button[^>]*data-testid="action-confirm_dissuaded-submit"[^>]*>', html).group(0)
    assert "btn-outline-primary" in button and "data-primary" not in button


def test_once_the_latest_visit_finds_no_risk_confirming_dissuasion_is_primary_and_still_asks(client, grid_a, village_a):
    warning = following_up(village_a, first_team_contact_at=timezone.now())
    factories.FollowUpVisitFactory(warning=warning, at_risk=False)
    response = page_of(client, grid_a, warning)
    assert response.context["primary_step"] == "confirm_dissuaded"
    assert primary_of(response.text) == ["action-confirm_dissuaded-submit"]
    assert re.search(r'<form[^>]*data-testid="action-confirm_dissuaded"[^>]*data-confirm="[^"]+"', response.text)


def test_the_police_see_the_release_first_and_every_irreversible_step_asks(client, police, village_a):
    warning = a_warning(village_a, status=WarningStatus.RELEASE_REQUESTED, first_dissuasion_at=timezone.now())
    response = page_of(client, police, warning)
    assert response.context["primary_step"] == "confirm_release"
    html = response.text
    assert primary_of(html) == ["action-confirm_release-submit"]
    for code in ("confirm_release", "report_defrauded"):
        assert re.search(rf'<form[^>]*data-testid="action-{code}"[^>]*data-confirm="[^"]+"', html), code
    assert "/static/js/confirm.js" in html


def test_the_police_close_after_confirming(client, police, village_a):
    warning = a_warning(village_a, status=WarningStatus.DISSUADED, first_dissuasion_at=timezone.now())
    html = page_of(client, police, warning).text
    assert re.search(r'<form[^>]*data-testid="action-close"[^>]*data-confirm="[^"]+"', html)


# --- a number to call ------------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["grid_a", "head_a", "police"])
def test_the_dissuasion_team_the_head_and_the_police_get_the_call_button(request, client, who, village_a):
    warning = following_up(village_a)
    html = page_of(client, request.getfixturevalue(who), warning).text
    assert 'data-testid="call-person"' in html
    assert "13812345678" not in html and "138****5678" in html
    assert "/static/js/dial.js" in html


@pytest.mark.parametrize("who", ["grid_worker_a", "volunteer_a", "leader"])
def test_others_do_not_get_the_call_button_and_may_not_reveal(request, client, who, village_a):
    warning = following_up(village_a)
    user = request.getfixturevalue(who)
    assert 'data-testid="call-person"' not in page_of(client, user, warning).text
    assert client.post(reverse("warnings_followup:call", args=[warning.pk])).status_code == 404
    assert not AccessLog.objects.filter(action=AccessAction.REVEAL).exists()


def test_one_tap_reveals_the_number_as_a_tel_link_and_logs_it(client, grid_a, village_a):
    warning = following_up(village_a)
    client.force_login(grid_a)
    response = client.post(reverse("warnings_followup:call", args=[warning.pk]), HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    html = response.text
    assert 'href="tel:13812345678"' in html and "data-dial" in html and "<html" not in html
    log = AccessLog.objects.get(action=AccessAction.REVEAL)
    assert (log.user, log.object_id, log.fields) == (grid_a, str(warning.person.pk), "phone")
    assert response["Cache-Control"].startswith("max-age=0")


def test_without_javascript_the_reveal_answers_a_page_with_the_link(client, police, village_a):
    warning = following_up(village_a)
    client.force_login(police)
    response = client.post(reverse("warnings_followup:call", args=[warning.pk]))
    assert response.status_code == 200 and 'href="tel:13812345678"' in response.text and "<html" in response.text


def test_a_relative_is_called_the_same_way(client, grid_a, village_a):
    warning = following_up(village_a)
    contact = factories.EscalationContactFactory(warning=warning, name="黄明", phone="020-12345678-801")
    html = page_of(client, grid_a, warning).text
    assert 'data-testid="call-contact"' in html and "020-12345678" not in html
    url = reverse("warnings_followup:call_contact", args=[warning.pk, contact.pk])
    response = client.post(url, HTTP_HX_REQUEST="true")
    assert 'href="tel:02012345678,801"' in response.text
    log = AccessLog.objects.get(action=AccessAction.REVEAL)
    assert (log.object_id, log.fields) == (str(contact.pk), "phone")


def test_a_reveal_is_post_only_and_in_scope_only(client, grid_a, grid_b, village_a):
    warning = following_up(village_a)
    other = factories.EscalationContactFactory(warning=following_up(village_a), phone="13900000000")
    client.force_login(grid_a)
    assert client.get(reverse("warnings_followup:call", args=[warning.pk])).status_code == 405
    # A contact of another warning through this warning's address: not found.
    assert client.post(reverse("warnings_followup:call_contact", args=[warning.pk, other.pk])).status_code == 404
    client.force_login(grid_b)
    assert client.post(reverse("warnings_followup:call", args=[warning.pk])).status_code == 404
    assert not AccessLog.objects.filter(action=AccessAction.REVEAL).exists()


def test_tel_links_dial_digits_and_an_extension_after_a_pause():
    assert tel_href("13812345678") == "tel:13812345678"
    assert tel_href("020-12345678") == "tel:02012345678"
    assert tel_href("020-12345678-801") == "tel:02012345678,801"
