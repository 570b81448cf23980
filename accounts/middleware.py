"""Session gates: the second factor, and the idle expiry that moves on with activity."""

from __future__ import annotations

import time

from django.conf import settings
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.http import urlencode

from accounts.two_factor import second_factor_missing

# Paths a session without its second factor may still reach: signing in and out, the public
# page, health, static files. Everything else (pages and the API) waits for the code.
_OPEN_PREFIXES = ("/accounts/login/", "/accounts/logout/", "/public/", "/healthz", "/static/")


class SecondFactorRequiredMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if second_factor_missing(request) and not request.path.startswith(_OPEN_PREFIXES):
            if request.path.startswith("/api/"):
                if request.headers.get("Authorization"):
                    # A bearer token speaks for itself (accounts.auth refuses the session fallback).
                    return self.get_response(request)
                return JsonResponse(
                    {"detail": "Two-factor sign-in required: enter the code from your authenticator app first."},
                    status=401,
                )
            return redirect(f"{reverse('accounts:second_factor')}?{urlencode({'next': request.get_full_path()})}")
        return self.get_response(request)


class SessionActivityMiddleware:
    """Keep an active session alive without writing it on every request.

    Touching the session marks it modified, so Django saves it with a fresh expiry and cookie.
    Doing that at most once a minute keeps map pages (dozens of tile requests) from costing a
    database write each, at the price of expiry being up to a minute late.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        session = getattr(request, "session", None)
        user = getattr(request, "user", None)
        if session is not None and user is not None and user.is_authenticated:
            now = int(time.time())
            if now - int(session.get("_seen", 0)) >= settings.SESSION_ACTIVITY_WRITE_SECONDS:
                session["_seen"] = now
        return self.get_response(request)
