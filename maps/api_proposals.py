"""Relocation and new-install proposals over the API, mounted at /api/maps/proposals (issue 6).

CRUD of proposals and their items (editable while a draft: 409 afterwards), the figures
(GET /{id}/figures?month_from=YYYY-MM&month_to=YYYY-MM&category=...), the workflow
(POST /{id}/submit, /approve, /reject, /apply; a wrong move is 409 with the moves that are
allowed), and POST /preview: one hypothetical item's figures, saved nowhere, for dragging a
camera on the map. Each endpoint fetches, calls maps.proposals or maps.proposal_figures, returns.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Literal

from django.contrib.gis.db.models.functions import Transform
from django.http import HttpRequest
from ninja import Field, Query, Router, Schema, Status

from accounts.exceptions import NotVisible
from cctv.geometry import point_from_input
from cctv.schemas import PointIn
from maps.choices import ProposalItemKind, ProposalStatus
from maps.models import ProposalItem
from maps.proposal_figures import ProposalFigures, proposal_figures, proposal_preview
from maps.proposals import (
    moves_allowed,
    proposal_create,
    proposal_decide,
    proposal_delete,
    proposal_get,
    proposal_item_add,
    proposal_item_remove,
    proposal_item_update,
    proposal_moves_for,
    proposal_owner_for,
    proposal_submit,
    proposal_update,
    proposals_visible_to,
)
from maps.proposals import proposal_apply as proposal_apply_service
from maps.services import month_parse

router = Router(tags=["maps: proposals"])

MAX_LIST = 500


# input


class ProposalIn(Schema):
    title: str = Field(..., max_length=200)
    rationale: str = Field("", max_length=10_000)
    owner_id: int | None = Field(None, description="The council whose estate it changes; yours by default.")


class ProposalPatch(Schema):
    title: str | None = Field(None, max_length=200)
    rationale: str | None = Field(None, max_length=10_000)


class ItemViewIn(Schema):
    bearing_deg: float | None = Field(None, description="Degrees clockwise from grid north; a move keeps the "
                                                        "camera's when left out.")
    view_angle_deg: float | None = None
    view_range_m: float | None = None


class ItemIn(ItemViewIn):
    kind: ProposalItemKind
    camera_id: int | None = Field(None, description="The camera to move (kind 'move').")
    name: str = Field("", max_length=200, description="The new camera's name (kind 'add').")
    camera_kind: Literal["fixed", "ptz"] | None = Field(None, description="For a new camera; PTZ sees a full circle.")
    location: PointIn

    def as_kwargs(self) -> dict:
        data = self.dict(exclude={"location"})
        data["location"] = point_from_input(self.location.x, self.location.y, self.location.srid)
        return data


class ItemPatch(ItemViewIn):
    name: str | None = Field(None, max_length=200)
    camera_kind: Literal["fixed", "ptz"] | None = None
    location: PointIn | None = None

    def as_changes(self) -> dict:
        changes = self.dict(exclude_unset=True, exclude={"location"})
        if self.location is not None:
            changes["location"] = point_from_input(self.location.x, self.location.y, self.location.srid)
        return changes


class DecisionIn(Schema):
    reason: str = Field("", max_length=5_000, description="Required to reject.")


class PeriodQuery(Schema):
    month_from: str | None = Field(None, description="First month counted, YYYY-MM; 11 months before month_to "
                                                     "by default.")
    month_to: str | None = Field(None, description="Last month counted, YYYY-MM; the latest month with "
                                                   "incidents by default.")
    category: list[str] = Field(default_factory=list, description="Only these crime types (repeat the parameter).")

    def as_kwargs(self) -> dict:
        return {
            "month_from": month_parse(self.month_from, name="month_from") if self.month_from else None,
            "month_to": month_parse(self.month_to, name="month_to") if self.month_to else None,
            "categories": self.category,
        }


class PreviewIn(ItemIn):
    owner_id: int | None = Field(None, description="For a new camera: whose estate; yours by default.")
    month_from: str | None = None
    month_to: str | None = None
    category: list[str] = Field(default_factory=list)


# output


class DetailOut(Schema):
    detail: str


class ItemOut(Schema):
    id: int
    kind: str
    camera_id: int | None
    name: str
    camera_kind: str
    longitude: float
    latitude: float
    easting: float
    northing: float
    bearing_deg: float | None
    view_angle_deg: float | None
    view_range_m: float
    created_camera_id: int | None

    @staticmethod
    def resolve_longitude(item) -> float:
        return item.location_wgs84.x

    @staticmethod
    def resolve_latitude(item) -> float:
        return item.location_wgs84.y

    @staticmethod
    def resolve_easting(item) -> float:
        return item.location.x

    @staticmethod
    def resolve_northing(item) -> float:
        return item.location.y


class ProposalSummaryOut(Schema):
    id: int
    owner_id: int
    title: str
    status: str
    item_count: int
    created_by: str
    created_at: datetime

    @staticmethod
    def resolve_created_by(proposal) -> str:
        return proposal.created_by.username


class ProposalOut(Schema):
    id: int
    owner_id: int
    owner: str
    title: str
    rationale: str
    status: str
    fibre_cost_gbp_per_m: Decimal
    created_by: str
    created_at: datetime
    submitted_at: datetime | None
    decided_by: str | None
    decided_at: datetime | None
    decision_reason: str
    applied_by: str | None
    applied_at: datetime | None
    items: list[ItemOut]
    moves_allowed: list[str] = Field(description="The workflow moves the proposal's state allows next.")
    your_moves: list[str] = Field(description="Those of them you may make.")

    @staticmethod
    def resolve_owner(proposal) -> str:
        return proposal.owner.name

    @staticmethod
    def resolve_created_by(proposal) -> str:
        return proposal.created_by.username

    @staticmethod
    def resolve_decided_by(proposal) -> str | None:
        return proposal.decided_by.username if proposal.decided_by_id else None

    @staticmethod
    def resolve_applied_by(proposal) -> str | None:
        return proposal.applied_by.username if proposal.applied_by_id else None

    @staticmethod
    def resolve_items(proposal) -> list:
        return list(proposal.items.annotate(location_wgs84=Transform("location", 4326)).order_by("id"))

    @staticmethod
    def resolve_moves_allowed(proposal) -> list[str]:
        return moves_allowed(proposal.status)

    @staticmethod
    def resolve_your_moves(proposal, context) -> list[str]:
        return proposal_moves_for(context["request"].auth, proposal)


class CategoryChangeOut(Schema):
    category: str
    incidents: int
    covered_before: int
    covered_after: int
    gained: int = Field(description="Covered only after the proposal.")
    lost: int = Field(description="Covered only before it.")


class CoverageChangeOut(CategoryChangeOut):
    month_from: date | None
    month_to: date | None
    categories: list[str]
    net_change: int
    by_category: list[CategoryChangeOut]
    category: str = "all"


class ItemFiguresOut(Schema):
    item_id: int | None
    kind: str
    camera_id: int | None
    name: str
    view_area_m2: float
    overlap_m2: float = Field(description="Area of this view inside the union of the other views.")
    overlap_pct: float
    nearest_node_id: int | None
    nearest_node_name: str | None
    node_distance_m: float | None
    fibre_length_m: float | None
    fibre_cost_gbp: Decimal | None


class ProposalFiguresOut(Schema):
    coverage: CoverageChangeOut
    items: list[ItemFiguresOut]
    fibre_length_m: float
    fibre_cost_gbp: Decimal
    fibre_cost_gbp_per_m: Decimal
    fibre_rule: str


def _figures_out(figures: ProposalFigures) -> dict:
    coverage = figures.coverage
    return {
        "coverage": {**coverage.__dict__, "net_change": coverage.net_change, "category": "all",
                     "by_category": [change.__dict__ for change in coverage.by_category]},
        "items": [item.__dict__ for item in figures.items],
        "fibre_length_m": figures.fibre_length_m, "fibre_cost_gbp": figures.fibre_cost_gbp,
        "fibre_cost_gbp_per_m": figures.fibre_cost_gbp_per_m, "fibre_rule": figures.fibre_rule,
    }


ERRORS = {400: DetailOut, 403: DetailOut, 404: DetailOut, 409: DetailOut}


# endpoints (the literal /preview before /{id}, so it is never read as an id)


@router.post("/preview", response={200: ProposalFiguresOut, **ERRORS}, summary="Figures of one hypothetical item")
def proposal_preview_endpoint(request: HttpRequest, payload: PreviewIn):
    period = PeriodQuery(month_from=payload.month_from, month_to=payload.month_to, category=payload.category)
    item = payload.as_kwargs()
    for key in ("owner_id", "month_from", "month_to", "category"):
        item.pop(key)
    figures = proposal_preview(request.auth, owner_id=payload.owner_id, **period.as_kwargs(), **item)
    return _figures_out(figures)


@router.get("", response={200: list[ProposalSummaryOut], **ERRORS}, summary="List proposals")
def proposal_list(request: HttpRequest, status: ProposalStatus | None = None):
    proposals = proposals_visible_to(request.auth)
    if status:
        proposals = proposals.filter(status=status)
    return list(proposals.order_by("-created_at", "-id")[:MAX_LIST])


@router.post("", response={201: ProposalOut, **ERRORS}, summary="Start a draft proposal")
def proposal_create_endpoint(request: HttpRequest, payload: ProposalIn):
    owner = proposal_owner_for(request.auth, payload.owner_id)
    proposal = proposal_create(by=request.auth, title=payload.title, rationale=payload.rationale, owner=owner)
    return Status(201, proposal)


@router.get("/{proposal_id}", response={200: ProposalOut, **ERRORS}, summary="One proposal with its items")
def proposal_detail(request: HttpRequest, proposal_id: int):
    return proposal_get(request.auth, proposal_id)


@router.patch("/{proposal_id}", response={200: ProposalOut, **ERRORS}, summary="Change a draft's title or rationale")
def proposal_patch(request: HttpRequest, proposal_id: int, payload: ProposalPatch):
    proposal = proposal_get(request.auth, proposal_id, action="change")
    return proposal_update(proposal=proposal, by=request.auth, **payload.dict(exclude_unset=True))


@router.delete("/{proposal_id}", response={204: None, **ERRORS}, summary="Delete a draft")
def proposal_delete_endpoint(request: HttpRequest, proposal_id: int):
    proposal_delete(proposal=proposal_get(request.auth, proposal_id, action="change"), by=request.auth)
    return Status(204, None)


@router.post("/{proposal_id}/items", response={201: ItemOut, **ERRORS}, summary="Add a move or a new camera")
def proposal_item_create(request: HttpRequest, proposal_id: int, payload: ItemIn):
    proposal = proposal_get(request.auth, proposal_id, action="change")
    item = proposal_item_add(proposal=proposal, by=request.auth, **payload.as_kwargs())
    return Status(201, _item_with_wgs84(item.pk))


def _item_for(request: HttpRequest, proposal_id: int, item_id: int) -> ProposalItem:
    proposal = proposal_get(request.auth, proposal_id, action="change")
    item = proposal.items.filter(pk=item_id).first()
    if item is None:
        raise NotVisible(f"Proposal {proposal_id} has no item {item_id}.")
    item.proposal = proposal
    return item


def _item_with_wgs84(item_id: int) -> ProposalItem:
    return ProposalItem.objects.annotate(location_wgs84=Transform("location", 4326)).get(pk=item_id)


@router.patch("/{proposal_id}/items/{item_id}", response={200: ItemOut, **ERRORS}, summary="Change an item")
def proposal_item_patch(request: HttpRequest, proposal_id: int, item_id: int, payload: ItemPatch):
    item = proposal_item_update(item=_item_for(request, proposal_id, item_id), by=request.auth,
                                **payload.as_changes())
    return _item_with_wgs84(item.pk)


@router.delete("/{proposal_id}/items/{item_id}", response={204: None, **ERRORS}, summary="Remove an item")
def proposal_item_delete(request: HttpRequest, proposal_id: int, item_id: int):
    proposal_item_remove(item=_item_for(request, proposal_id, item_id), by=request.auth)
    return Status(204, None)


@router.get("/{proposal_id}/figures", response={200: ProposalFiguresOut, **ERRORS},
            summary="Coverage, overlap and cost")
def proposal_figures_endpoint(request: HttpRequest, proposal_id: int, period: Query[PeriodQuery]):
    proposal = proposal_get(request.auth, proposal_id)
    return _figures_out(proposal_figures(request.auth, proposal=proposal, **period.as_kwargs()))


@router.post("/{proposal_id}/submit", response={200: ProposalOut, **ERRORS}, summary="Send a draft for decision")
def proposal_submit_endpoint(request: HttpRequest, proposal_id: int):
    proposal = proposal_submit(proposal=proposal_get(request.auth, proposal_id), by=request.auth)
    return proposal_get(request.auth, proposal.pk)


@router.post("/{proposal_id}/approve", response={200: ProposalOut, **ERRORS}, summary="Approve (Operational Group)")
def proposal_approve_endpoint(request: HttpRequest, proposal_id: int, payload: DecisionIn | None = None):
    proposal_decide(proposal=proposal_get(request.auth, proposal_id), by=request.auth, approve=True,
                    reason=payload.reason if payload else "")
    return proposal_get(request.auth, proposal_id)


@router.post("/{proposal_id}/reject", response={200: ProposalOut, **ERRORS}, summary="Reject with a reason")
def proposal_reject_endpoint(request: HttpRequest, proposal_id: int, payload: DecisionIn):
    proposal_decide(proposal=proposal_get(request.auth, proposal_id), by=request.auth, approve=False,
                    reason=payload.reason)
    return proposal_get(request.auth, proposal_id)


@router.post("/{proposal_id}/apply", response={200: ProposalOut, **ERRORS}, summary="Apply to the estate (done)")
def proposal_apply_endpoint(request: HttpRequest, proposal_id: int):
    proposal_apply_service(proposal=proposal_get(request.auth, proposal_id), by=request.auth)
    return proposal_get(request.auth, proposal_id)
