"""The list of requests: a force's own requests for police, the queue by nearest deadline for staff."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db.models import Min, Q
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from accounts.choices import Role
from accounts.permissions import authorize, can, visible_to
from evidence.choices import REQUEST_STATES_FINAL, DeadlineKind, RequestState
from evidence.models import EvidenceRequest


@login_required
def request_queue(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "view", EvidenceRequest)
    show = request.GET.get("show", "open")
    requests = visible_to(request.user, EvidenceRequest.objects.select_related("owner", "requester_organisation"))
    if show == "open":
        requests = requests.exclude(state__in=REQUEST_STATES_FINAL)
    # The queue is ordered by what is lost first: the nearest deadline not yet met or missed.
    still_open = Q(deadlines__met_at__isnull=True, deadlines__missed_at__isnull=True)
    requests = requests.annotate(
        next_due_at=Min("deadlines__due_at", filter=still_open),
        overwrite_at=Min("deadlines__due_at", filter=Q(deadlines__kind=DeadlineKind.OVERWRITE,
                                                        deadlines__met_at__isnull=True)),
    ).order_by("next_due_at", "received_at")
    page = Paginator(requests, 50).get_page(request.GET.get("page"))
    is_police = request.user.role == Role.POLICE_REQUESTER
    return render(request, "evidence/request_list.html", {
        "page": page, "now": timezone.now(), "show": show, "is_police": is_police,
        "can_submit": can(request.user, "add", EvidenceRequest), "states": RequestState,
    })
