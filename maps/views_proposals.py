"""Server-rendered proposal pages: the list, and one proposal with its items, figures and workflow buttons.

The figures are maps.proposal_figures' own (the API returns the same); workflow buttons post
to one view that calls the service for the move, so the page and the API share every rule.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from accounts.exceptions import DomainError
from cctv.views.cameras import map_settings
from maps.proposal_figures import proposal_figures
from maps.proposals import (
    MOVES,
    proposal_apply,
    proposal_decide,
    proposal_get,
    proposal_moves_for,
    proposal_submit,
    proposals_visible_to,
)
from maps.services import month_parse

MAX_LIST = 200


@login_required
def proposal_list(request: HttpRequest) -> HttpResponse:
    proposals = proposals_visible_to(request.user).order_by("-created_at", "-id")[:MAX_LIST]
    return render(request, "maps/proposal_list.html", {"proposals": proposals})


@login_required
def proposal_detail(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = proposal_get(request.user, proposal_id)
    figures, error = None, None
    try:
        month_from = request.GET.get("month_from")
        month_to = request.GET.get("month_to")
        figures = proposal_figures(
            request.user, proposal=proposal,
            month_from=month_parse(month_from, name="month_from") if month_from else None,
            month_to=month_parse(month_to, name="month_to") if month_to else None,
            categories=request.GET.getlist("category"),
        )
    except DomainError as exc:
        error = exc.detail
    items = proposal.items.select_related("camera", "created_camera").order_by("id")
    context = {
        "proposal": proposal, "items": items,
        "figures": figures, "figures_error": error, "moves": proposal_moves_for(request.user, proposal),
        "map_data": _map_data(proposal, items),
    }
    return render(request, "maps/proposal_detail.html", context)


def _map_data(proposal, items) -> dict:
    """What the drag-to-preview map needs: the estate layers, each item, and where to ask for figures."""
    def item_data(item) -> dict:
        where = item.location.transform(4326, clone=True)
        return {
            "id": item.pk, "kind": item.kind, "camera_id": item.camera_id, "name": item.name or str(item.camera or ""),
            "camera_kind": item.camera_kind, "lon": round(where.x, 7), "lat": round(where.y, 7),
            "bearing_deg": item.bearing_deg, "view_angle_deg": item.view_angle_deg, "view_range_m": item.view_range_m,
        }

    return {
        **map_settings(),
        "camerasUrl": reverse("api:camera_geojson"),
        "viewsUrl": reverse("api:camera_geojson") + "?geometry=view",
        "previewUrl": "/api/maps/proposals/preview",
        "ownerId": proposal.owner_id,
        "items": [item_data(item) for item in items],
    }


@login_required
@require_POST
def proposal_move(request: HttpRequest, proposal_id: int, move: str) -> HttpResponse:
    proposal = proposal_get(request.user, proposal_id)
    if move not in MOVES:
        messages.error(request, f"There is no move called {move!r}.")
        return redirect("maps_proposals:detail", proposal_id=proposal.pk)
    try:
        if move == "submit":
            proposal_submit(proposal=proposal, by=request.user)
        elif move == "apply":
            proposal_apply(proposal=proposal, by=request.user)
        else:
            proposal_decide(proposal=proposal, by=request.user, approve=move == "approve",
                            reason=request.POST.get("reason", ""))
    except DomainError as exc:
        messages.error(request, exc.detail)
    else:
        messages.success(request, f"Proposal {proposal.pk}: {move} done.")
    return redirect("maps_proposals:detail", proposal_id=proposal.pk)
