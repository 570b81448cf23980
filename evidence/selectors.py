"""Reads of evidence requests, already scoped to the user by accounts.permissions.visible_to.

Police see only their own force's requests; the owner council's staff and its contractor see
the requests made to the council. Another organisation's request is "not found".
"""

from __future__ import annotations

from django.db.models import F, Min, Q, QuerySet

from accounts.exceptions import NotVisible
from accounts.models import User
from accounts.permissions import STAFF, visible_to
from evidence.choices import REQUEST_STATES_FINAL
from evidence.models import EvidenceRequest

REQUEST_RELATED = ("owner", "requester", "requester_organisation", "assigned_to")


def requests_visible_to(user: User) -> QuerySet[EvidenceRequest]:
    return visible_to(user, EvidenceRequest.objects.select_related(*REQUEST_RELATED))


def requests_listed_for(user: User, *, state: str | None = None, kind: str | None = None) -> QuerySet[EvidenceRequest]:
    """The user's requests with `next_deadline_at`, the nearest deadline still running.

    Staff work the queue by urgency, so their list starts with the nearest open deadline (requests
    with none, and closed or withdrawn ones, last); a requester's list is newest first.
    """
    running = Q(deadlines__met_at__isnull=True, deadlines__missed_at__isnull=True) & ~Q(state__in=REQUEST_STATES_FINAL)
    requests = requests_visible_to(user).annotate(next_deadline_at=Min("deadlines__due_at", filter=running))
    if state:
        requests = requests.filter(state=state)
    if kind:
        requests = requests.filter(kind=kind)
    if user.role in STAFF:
        return requests.order_by(F("next_deadline_at").asc(nulls_last=True), "-received_at", "-id")
    return requests.order_by("-received_at", "-id")


def request_for(user: User, request_id: int) -> EvidenceRequest:
    """One request the user may see, with what its detail page shows, or NotVisible (404)."""
    request = (requests_visible_to(user)
               .prefetch_related("deadlines", "request_cameras__camera", "clock_pauses")
               .filter(pk=request_id).first())
    if request is None:
        raise NotVisible(f"Evidence request {request_id} not found.")
    return request
