"""Signing a person out of every browser but the one they are using."""

import secrets

from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.http import HttpRequest

from accounts.models import User


@transaction.atomic
def sign_out_everywhere_else(*, user: User, request: HttpRequest) -> None:
    """End every session of `user` except this request's: a new session token changes the
    hash every session is checked against, and this session is given the new one."""
    locked = User.objects.select_for_update().get(pk=user.pk)
    locked.session_token = secrets.token_hex(32)
    locked.save(update_fields=["session_token"])
    user.session_token = locked.session_token
    update_session_auth_hash(request, user)
