"""Names (docs/architecture.md, "Names"): no model hides a built-in, and each app's pages, capabilities and menu
say the app's own word; the earlier page prefixes redirect to the new ones."""

import builtins

import pytest
from django.apps import apps
from django.urls import get_resolver, reverse

from organization.access import CAPABILITIES
from tests.factories import UserFactory

# app label → (URL prefix of its pages, capability prefix). The one exception: the pushed warnings' app cannot be
# called ``warnings``, the name of Python's standard-library module, so its package says ``warnings_followup``
# while its pages and capabilities say ``warnings``.
WORDS = {
    "organization": ("/organization/", "organization"),
    "residents": ("/residents/", "residents"),
    "audit": ("/audit/", "audit"),
    "warnings_followup": ("/warnings/", "warnings"),
    "campaigns": ("/campaigns/", "campaigns"),
    "publicity": ("/publicity/", "publicity"),
    "schools": ("/schools/", "schools"),
    "education": ("/education/", "education"),
    "fraud_cases": ("/fraud-cases/", "fraud_cases"),
    "assessment": ("/assessment/", "assessment"),
}


def test_no_model_is_named_like_a_builtin():
    shadowing = [
        model._meta.label
        for model in apps.get_models()
        if model.__module__.split(".")[0] in WORDS and hasattr(builtins, model.__name__)
    ]
    assert shadowing == []


def test_the_pushed_warning_is_a_warning_order():
    model = apps.get_model("warnings_followup", "WarningOrder")
    assert model._meta.db_table == "warnings_followup_warningorder"
    assert not hasattr(builtins, model.__name__)


def test_every_capability_starts_with_its_apps_word():
    prefixes = {capability for _url, capability in WORDS.values()}
    strays = sorted(name for name in CAPABILITIES if name.split(".")[0] not in prefixes)
    assert strays == []


@pytest.mark.parametrize("namespace", sorted(WORDS))
def test_each_apps_pages_live_under_its_word(namespace):
    prefix = get_resolver().namespace_dict[namespace][0].replace("\\", "")  # a regex: "fraud\\-cases/"
    assert f"/{prefix}" == WORDS[namespace][0]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("old", "new"),
    [
        ("/outreach/coverage/?unit=440605124&period=2026-11", "/campaigns/coverage/?unit=440605124&period=2026-11"),
        ("/cases/analysis/", "/fraud-cases/analysis/"),
        ("/registry/households/", "/residents/households/"),
        ("/units/", "/organization/"),
    ],
)
def test_a_bookmark_under_the_earlier_prefix_lands_on_the_same_page(client, old, new):
    client.force_login(UserFactory())
    response = client.get(old)
    assert response.status_code == 301
    assert response["Location"] == new


@pytest.mark.django_db
def test_a_form_sent_to_the_earlier_prefix_keeps_its_method(client):
    client.force_login(UserFactory())
    response = client.post("/outreach/households/")
    assert response.status_code == 308
    assert response["Location"] == "/campaigns/households/"


def test_reversed_urls_use_the_new_prefixes():
    assert reverse("campaigns:households").startswith("/campaigns/")
    assert reverse("fraud_cases:case_list") == "/fraud-cases/"
    assert reverse("organization:unit_list") == "/organization/"
