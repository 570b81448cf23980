"""Signing in in two steps: the password makes a pending sign-in; the second factor completes it.

Until the code is given the session holds only the pending user's id, so there is no signed-in
session that could reach a page or the API with the password alone.
"""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import login
from django.http import HttpRequest
from django_otp import login as otp_login
from django_otp.models import Device

from accounts.models import User

PENDING_KEY = "_vale_pending_sign_in"


def pending_start(request: HttpRequest, user: User) -> None:
    # A fresh session key first: the pending state must not ride on a key fixed before sign-in.
    request.session.cycle_key()
    request.session[PENDING_KEY] = {"user": user.pk, "backend": user.backend, "at": int(time.time())}


def pending_user(request: HttpRequest) -> User | None:
    pending = request.session.get(PENDING_KEY)
    if not pending:
        return None
    if time.time() - pending["at"] > settings.TWO_FACTOR_PENDING_MINUTES * 60:
        request.session.pop(PENDING_KEY, None)
        return None
    user = User.objects.filter(pk=pending["user"], is_active=True).first()
    if user is not None:
        user.backend = pending["backend"]
    return user


def subject_of(request: HttpRequest) -> User | None:
    """Whose second factor is being asked for: a pending sign-in, or a signed-in, unverified user."""
    user = pending_user(request)
    if user is not None:
        return user
    if request.user.is_authenticated and not request.user.is_verified():
        return request.user
    return None


def sign_in_complete(request: HttpRequest, user: User, device: Device, how: str) -> None:
    """Finish the sign-in: Django's login (logged by accounts.signals), then mark the session verified."""
    request.second_factor_used = how
    if not request.user.is_authenticated or request.user.pk != user.pk:
        request.session.pop(PENDING_KEY, None)
        login(request, user, backend=user.backend)
    otp_login(request, device)
    request.session.pop(PENDING_KEY, None)
