"""API tokens (DRF's ``rest_framework.authtoken``) that expire and die with the password.

* A token older than ``API_TOKEN_DAYS`` days (90 by default) is refused like an unknown one (401);
  ``manage.py create_api_token`` then issues a new one and prints when it expires.
* Setting a new password (the user's own change, a reset, the admin's form, ``changepassword``)
  deletes the user's tokens: whoever held the old password may also hold the token.
"""

import datetime

from django.conf import settings
from django.db.models.signals import post_save
from django.dispatch import receiver
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from rest_framework import exceptions
from rest_framework.authentication import TokenAuthentication
from rest_framework.authtoken.models import Token

from .backends import principal_loaded, with_principal


def token_lifetime() -> datetime.timedelta:
    return datetime.timedelta(days=settings.API_TOKEN_DAYS)


def token_expires(token: Token) -> datetime.datetime:
    """When ``token`` stops working."""
    return token.created + token_lifetime()


def token_is_expired(token: Token) -> bool:
    return timezone.now() >= token_expires(token)


def token_for_user(user) -> Token:
    """The user's working token: the current one, or a new one when it has expired (or there is none)."""
    token = Token.objects.filter(user=user).first()
    if token is not None and token_is_expired(token):
        token.delete()
        token = None
    return token or Token.objects.create(user=user)


class ExpiringTokenAuthentication(TokenAuthentication):
    """DRF's token authentication, refusing tokens older than ``API_TOKEN_DAYS`` days."""

    def authenticate_credentials(self, key):
        # DRF's own, reading the user's unit and roles in the same query (organization.backends).
        try:
            token = with_principal(Token.objects.all(), prefix="user__").get(key=key)
        except Token.DoesNotExist:
            raise exceptions.AuthenticationFailed(_("Invalid token.")) from None
        user = principal_loaded(token.user, token._principal_roles)
        if not user.is_active:
            raise exceptions.AuthenticationFailed(_("User inactive or deleted."))
        if token_is_expired(token):
            raise exceptions.AuthenticationFailed(_("Token expired: ask an administrator for a new one."))
        return user, token


@receiver(post_save, sender=settings.AUTH_USER_MODEL, dispatch_uid="organization.tokens.password_changed")
def delete_tokens_on_password_change(sender, instance, created, **kwargs):
    """``set_password()`` keeps the new raw password in ``_password`` until the save completes: a password
    change is a save with it set (Django's own password_changed hook reads the same attribute)."""
    if not created and getattr(instance, "_password", None) is not None:
        Token.objects.filter(user=instance).delete()
