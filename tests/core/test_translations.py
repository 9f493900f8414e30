"""The Simplified Chinese catalogue is complete, and the UI speaks Chinese by default."""

from pathlib import Path

import polib
import pytest
from django.conf import settings
from django.urls import reverse

CATALOGUE = Path(settings.BASE_DIR) / "locale" / "zh_Hans" / "LC_MESSAGES" / "django.po"


def test_every_string_is_translated_to_chinese():
    catalogue = polib.pofile(str(CATALOGUE))
    assert [entry.msgid for entry in catalogue.untranslated_entries()] == []
    assert [entry.msgid for entry in catalogue.fuzzy_entries()] == []


def test_placeholders_survive_translation():
    import re

    placeholder = re.compile(r"%\(\w+\)[sd]")
    for entry in polib.pofile(str(CATALOGUE)).translated_entries():
        translated = entry.msgstr_plural[0] if entry.msgid_plural else entry.msgstr
        expected = set(placeholder.findall(entry.msgid))
        assert set(placeholder.findall(translated)) == expected, entry.msgid


@pytest.mark.django_db
def test_the_login_page_is_chinese_by_default_and_english_on_request(client):
    assert "登录" in client.get(reverse("login")).text
    assert "Log in" in client.get(reverse("login"), HTTP_ACCEPT_LANGUAGE="en").text
