"""API authentication for django-ninja: browser session (with CSRF) or bearer token."""

from django.http import HttpRequest
from ninja.security import HttpBearer, SessionAuth

from accounts.services import api_token_authenticate
from accounts.two_factor import second_factor_missing


class BearerToken(HttpBearer):
    def authenticate(self, request: HttpRequest, token: str):
        user = api_token_authenticate(token)
        if user is not None:
            request.user = user
        return user


class ActiveSession(SessionAuth):
    """Session auth for the browser; ninja checks the CSRF token on unsafe methods."""

    def authenticate(self, request: HttpRequest, key):
        user = super().authenticate(request, key)
        if user is None or not user.is_active or not user.role or second_factor_missing(request):
            return None
        return user


API_AUTH = [BearerToken(), ActiveSession()]
