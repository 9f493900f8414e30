"""Password rules beyond Django's validators (``AUTH_PASSWORD_VALIDATORS``).

Django's validators refuse short (under 10 characters here), common, all-digit and username-like
passwords. :class:`GuessablePasswordValidator` adds the ones an attacker of this site tries first: the
demo accounts' password, and the site's own words (demo, admin, luocun, 罗村, 反诈 …) padded with digits
and punctuation. The admin's forms, ``changepassword``, ``createsuperuser`` (``--noinput`` too, through
``User.objects.create_superuser``), the password change and reset pages all apply them.
"""

import re
import secrets
import unicodedata

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

# The demo accounts' password (the demo app, with DEBUG on): refused here for every real account.
DEMO_PASSWORD = "demo12345"
# Words that, with only digits and punctuation around them, make a guessable password.
SITE_WORDS = ("demo", "admin", "password", "passw0rd", "luocun", "fanzha", "antifraud", "罗村", "反诈", "管理员")
_NOT_WORD_RE = re.compile(r"[\W\d_]+")


class GuessablePasswordValidator:
    """Refuses the demo password (anywhere in the password) and site words padded with digits or symbols."""

    def validate(self, password, user=None):
        folded = unicodedata.normalize("NFKC", password).casefold()
        letters = _NOT_WORD_RE.sub("", folded)
        rest = letters
        for word in SITE_WORDS:
            rest = rest.replace(word, "")
        if DEMO_PASSWORD in folded or (letters and not rest):
            raise ValidationError(
                _("This password is the demo password or a name of this site with digits: anyone could guess it."),
                code="password_guessable",
            )

    def get_help_text(self):
        return _("Your password can’t be the demo password or a name of this site with digits.")


def random_password() -> str:
    """A password that passes every validator: 16 URL-safe characters."""
    return secrets.token_urlsafe(12)
