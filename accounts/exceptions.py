"""Base errors every app builds on; config/api.py and the views map each to one status.

NotVisible and Forbidden subclass Django's own Http404 and PermissionDenied so that a
server-rendered view gets the right page with no extra handling.
"""

from django.core.exceptions import PermissionDenied
from django.http import Http404


class DomainError(Exception):
    """The request is understood but breaks a rule (400)."""

    status_code = 400

    def __init__(self, detail: str):
        super().__init__(detail)
        self.detail = detail


class InvalidInput(DomainError):
    status_code = 400


class WrongState(DomainError):
    """The object is not in a state that allows this (409)."""

    status_code = 409

    def __init__(self, detail: str, *, allowed: list[str] | None = None):
        super().__init__(detail)
        self.allowed = allowed or []


class Forbidden(PermissionDenied):
    """The user may see the object but not do this to it (403)."""

    def __init__(self, detail: str = "You do not have permission to do this."):
        super().__init__(detail)
        self.detail = detail


class NotVisible(Http404):
    """Not there, or not the user's to see: the two are indistinguishable by design (404)."""

    def __init__(self, detail: str = "Not found."):
        super().__init__(detail)
        self.detail = detail
