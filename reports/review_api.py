"""The annual camera review over the API; mount at /api/reports/reviews/ (issue 7).

GET  /register?overdue=true&owner_id=   each camera in service, its last review, next due, flags, figures
GET  /cameras/{id}/figures?as_of=       the twelve months' figures a review would be made on
GET  /cameras/{id}/reviews              the camera's past reviews, newest first
POST /cameras/{id}/reviews              record keep / relocate / decommission with a reason (201)
GET  /summaries                         the published yearly summaries the caller may see
POST /summaries                         publish (or replace) a council's summary of a year's reviews (201)

Police, engineers and operators get 403; another council's camera is 404. Publishing a summary is the
manager's (and an administrator's): the Operational Group and auditors get 403. Each endpoint
fetches, calls reports.review, returns.
"""

from __future__ import annotations

from datetime import date, datetime

from django.http import HttpRequest
from django.utils import timezone
from ninja import Field, Query, Router, Schema, Status

from accounts.exceptions import InvalidInput
from accounts.models import Organisation
from reports.models import AnnualReviewSummary, CameraReview
from reports.review import (
    CameraReviewFigures,
    RegisterRow,
    camera_review_figures,
    camera_review_record,
    camera_reviews,
    require_review_role,
    review_camera_get,
    review_register,
)
from reports.review_summary import MAX_SUMMARY_CHARS, review_summary_publish, summaries_visible_to

router = Router(tags=["reports: camera reviews"])


class FiguresOut(Schema):
    camera_id: int
    asset_ref: str
    name: str
    period_start_on: date
    period_end_on: date
    incidents_in_view: int
    requests_using_footage: int
    requests_released: int
    faults_by_priority: dict[str, int]
    faults_total: int
    availability_pct: float | None
    availability_target_pct: float | None
    purpose: str
    dpia_ref: str
    dpia_review_due_on: date | None


class RegisterRowOut(Schema):
    camera_id: int
    asset_ref: str
    name: str
    owner_id: int
    status: str
    last_review_id: int | None
    last_reviewed_on: date | None
    last_decision: str | None
    next_review_on: date | None
    never_reviewed: bool
    review_overdue: bool
    dpia_review_due_on: date | None
    dpia_overdue: bool
    overdue: bool
    figures: FiguresOut


class RegisterFilter(Schema):
    overdue: bool = Field(False, description="Only cameras never reviewed, past their review date or DPIA review.")
    owner_id: int | None = Field(None, description="One council's estate.")
    today: date | None = Field(None, description="Judge 'overdue' on this day (default today, London time).")


class ReviewIn(Schema):
    decision: str = Field(..., description="keep, relocate or decommission.")
    reason: str = Field("", max_length=5_000, description="Why: required, published with the review.")
    reviewed_on: date | None = Field(None, description="The review date (default today, London time).")


class ReviewOut(Schema):
    id: int
    camera_id: int
    reviewed_on: date
    reviewer_id: int
    decision: str
    reason: str
    figures: dict
    next_review_on: date
    proposal_id: int | None


def _figures_out(figures: CameraReviewFigures) -> dict:
    return figures.__dict__


def _row_out(row: RegisterRow) -> dict:
    camera = row.camera
    return {
        "camera_id": camera.pk, "asset_ref": camera.asset_ref, "name": camera.name, "owner_id": camera.owner_id,
        "status": camera.status, "last_review_id": row.last_review_id, "last_reviewed_on": row.last_reviewed_on,
        "last_decision": row.last_decision, "next_review_on": row.next_review_on,
        "never_reviewed": row.never_reviewed, "review_overdue": row.review_overdue,
        "dpia_review_due_on": camera.dpia_review_due_on, "dpia_overdue": row.dpia_overdue,
        "overdue": row.overdue, "figures": _figures_out(row.figures),
    }


@router.get("/register", response=list[RegisterRowOut])
def review_register_list(request: HttpRequest, filters: Query[RegisterFilter]):
    rows = review_register(request.user, today=filters.today, owner_id=filters.owner_id,
                           overdue_only=filters.overdue)
    return [_row_out(row) for row in rows]


@router.get("/cameras/{camera_id}/figures", response=FiguresOut)
def review_figures_get(request: HttpRequest, camera_id: int, as_of: date | None = None):
    camera = review_camera_get(request.user, camera_id)
    return _figures_out(camera_review_figures(camera=camera, as_of=as_of or timezone.localdate()))


@router.get("/cameras/{camera_id}/reviews", response=list[ReviewOut])
def review_list(request: HttpRequest, camera_id: int):
    camera = review_camera_get(request.user, camera_id)
    return list(camera_reviews(request.user, camera))


@router.post("/cameras/{camera_id}/reviews", response={201: ReviewOut})
def review_create(request: HttpRequest, camera_id: int, payload: ReviewIn):
    camera = review_camera_get(request.user, camera_id)
    review: CameraReview = camera_review_record(camera=camera, by=request.user, decision=payload.decision,
                                                reason=payload.reason, as_of=payload.reviewed_on)
    return Status(201, review)


class SummaryIn(Schema):
    owner_id: int | None = Field(None, description="The council (default: the caller's own).")
    year: int = Field(..., description="The calendar year reviewed.")
    summary: str = Field(..., max_length=MAX_SUMMARY_CHARS, description="The plain-words summary for the public.")


class SummaryOut(Schema):
    id: int
    owner_id: int
    year: int
    summary: str
    figures: dict
    published_at: datetime
    published_by_id: int


@router.get("/summaries", response=list[SummaryOut])
def review_summary_list(request: HttpRequest):
    require_review_role(request.auth)
    return list(summaries_visible_to(request.auth))


@router.post("/summaries", response={201: SummaryOut})
def review_summary_create(request: HttpRequest, payload: SummaryIn):
    require_review_role(request.auth)
    owner_id = payload.owner_id if payload.owner_id is not None else request.auth.organisation_id
    owner = Organisation.objects.filter(pk=owner_id).first() if owner_id is not None else None
    if owner is None:
        raise InvalidInput("owner_id: give the council whose review summary to publish.")
    published: AnnualReviewSummary = review_summary_publish(owner=owner, year=payload.year, summary=payload.summary,
                                                            by=request.auth)
    return Status(201, published)
