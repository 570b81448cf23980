"""The annual camera review (DESIGN.md 2E; Surveillance Camera Code of Practice, principle 10).

Each camera's continued justification is reviewed once a year on the evidence of its last twelve
whole calendar months (the months before the one `as_of` falls in, boundaries in Europe/London):
incidents within its view, evidence requests that used its footage and how many were released,
faults by priority, availability, and its purpose and DPIA review date. The register computes
these for a whole estate in five queries (cameras with their latest review, incidents in view,
requests, faults, availability), never one query per camera.

A reviewer records keep / relocate / decommission with a reason. "relocate" opens a draft
proposal in the map planner (maps.proposals) with a move item at the camera's current place and
view, for planners to drag; "decommission" changes nothing in the estate: a person decommissions
the camera through the estate's own services, so the register's history says who did it and why.

Who may do what is accounts.permissions' "reports.camerareview" rule; this module only asks it.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import asdict, dataclass, field

from django.db import transaction
from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery
from django.utils import timezone

from accounts.exceptions import Forbidden, InvalidInput, NotVisible
from accounts.models import User
from accounts.permissions import authorize, role_may, visible_to
from cctv.availability import availability_period, camera_availability
from cctv.choices import CameraStatus, FaultPriority
from cctv.models import Camera, Fault
from evidence.models import RequestCamera
from maps.choices import ProposalItemKind
from maps.models import Incident
from maps.proposals import proposal_create, proposal_item_add
from maps.queries import coverage_counts_by_camera
from reports.choices import ReviewDecision
from reports.models import CameraReview

logger = logging.getLogger(__name__)

LABEL = "reports.camerareview"
REVIEW_MONTHS = 12
MAX_REASON_CHARS = 5_000


# the period


@dataclass(frozen=True)
class ReviewPeriod:
    """Twelve whole months [start_on, end_on), and the same instants in London time for timestamps."""

    start_on: dt.date
    end_on: dt.date
    start_at: dt.datetime
    end_at: dt.datetime

    @property
    def last_day_on(self) -> dt.date:
        return self.end_on - dt.timedelta(days=1)


def review_period(*, as_of: dt.date) -> ReviewPeriod:
    """The twelve calendar months before as_of's month: incidents are recorded by month, so whole months."""
    end_on = as_of.replace(day=1)
    start_on = end_on.replace(year=end_on.year - 1)
    return ReviewPeriod(
        start_on=start_on, end_on=end_on,
        start_at=timezone.make_aware(dt.datetime.combine(start_on, dt.time.min)),
        end_at=timezone.make_aware(dt.datetime.combine(end_on, dt.time.min)),
    )


def next_review_on(reviewed_on: dt.date) -> dt.date:
    """A year after the review; a review on 29 February is next due on 28 February."""
    try:
        return reviewed_on.replace(year=reviewed_on.year + 1)
    except ValueError:
        return reviewed_on.replace(year=reviewed_on.year + 1, day=28)


# the figures


@dataclass(frozen=True)
class CameraReviewFigures:
    camera_id: int
    asset_ref: str
    name: str
    period_start_on: dt.date
    period_end_on: dt.date  # the last day counted (inclusive)
    incidents_in_view: int
    requests_using_footage: int
    requests_released: int
    faults_by_priority: dict[str, int] = field(default_factory=dict)
    faults_total: int = 0
    availability_pct: float | None = None
    availability_target_pct: float | None = None
    purpose: str = ""
    dpia_ref: str = ""
    dpia_review_due_on: dt.date | None = None

    def as_json(self) -> dict:
        """What a CameraReview stores: the evidence the decision was made on, dates as ISO text."""
        data = asdict(self)
        for key in ("period_start_on", "period_end_on", "dpia_review_due_on"):
            data[key] = data[key].isoformat() if data[key] else None
        return data


def _incidents_in_view(cameras: QuerySet[Camera], owner_ids: set[int], period: ReviewPeriod) -> dict[int, int]:
    """Police open data, and the cameras' councils' own local records, in each view (one indexed join)."""
    incidents = Incident.objects.filter(month__gte=period.start_on, month__lt=period.end_on).filter(
        Q(owner__isnull=True) | Q(owner_id__in=owner_ids))
    return {row[0]: row[4] for row in coverage_counts_by_camera(cameras, incidents)}


def _requests(cameras: QuerySet[Camera], period: ReviewPeriod) -> dict[int, tuple[int, int]]:
    """Requests received in the period that named the camera, and those released (a Disclosure exists)."""
    rows = (RequestCamera.objects
            .filter(camera__in=cameras, request__received_at__gte=period.start_at,
                    request__received_at__lt=period.end_at)
            .values("camera_id")
            .annotate(used=Count("request_id", distinct=True),
                      released=Count("request_id", distinct=True, filter=Q(request__disclosures__isnull=False))))
    return {row["camera_id"]: (row["used"], row["released"]) for row in rows}


def _faults(cameras: QuerySet[Camera], period: ReviewPeriod) -> dict[int, dict[str, int]]:
    """Faults reported against each camera in the period, by priority (every priority listed, 0 if none)."""
    rows = (Fault.objects
            .filter(camera__in=cameras, reported_at__gte=period.start_at, reported_at__lt=period.end_at)
            .values("camera_id", "priority").annotate(n=Count("id")).order_by())
    counts: dict[int, dict[str, int]] = {}
    for row in rows:
        counts.setdefault(row["camera_id"], {})[row["priority"]] = row["n"]
    return counts


def camera_review_figures_for(*, cameras: QuerySet[Camera], as_of: dt.date,
                              now: dt.datetime | None = None) -> dict[int, CameraReviewFigures]:
    """Every camera's figures for the review, keyed by camera id, in five queries whatever the estate's size.

    `cameras` is the caller's (permission-scoped) queryset; its SQL becomes the inner query.
    """
    period = review_period(as_of=as_of)
    cameras = cameras.order_by()
    listed = list(cameras.values("id", "owner_id", "asset_ref", "name", "purpose", "dpia_ref", "dpia_review_due_on"))
    if not listed:
        return {}
    incidents = _incidents_in_view(cameras, {row["owner_id"] for row in listed}, period)
    requests = _requests(cameras, period)
    faults = _faults(cameras, period)
    availability = {a.camera_id: a for a in camera_availability(
        cameras=cameras, period=availability_period(start_at=period.start_at, end_at=period.end_at, now=now))}
    figures = {}
    for row in listed:
        by_priority = {str(p): faults.get(row["id"], {}).get(p, 0) for p in FaultPriority.values}
        used, released = requests.get(row["id"], (0, 0))
        avail = availability.get(row["id"])
        figures[row["id"]] = CameraReviewFigures(
            camera_id=row["id"], asset_ref=row["asset_ref"], name=row["name"],
            period_start_on=period.start_on, period_end_on=period.last_day_on,
            incidents_in_view=incidents.get(row["id"], 0), requests_using_footage=used, requests_released=released,
            faults_by_priority=by_priority, faults_total=sum(by_priority.values()),
            availability_pct=None if avail is None or avail.pct is None else round(avail.pct, 2),
            availability_target_pct=None if avail is None or avail.target_pct is None else float(avail.target_pct),
            purpose=row["purpose"], dpia_ref=row["dpia_ref"], dpia_review_due_on=row["dpia_review_due_on"],
        )
    return figures


def camera_review_figures(*, camera: Camera, as_of: dt.date, now: dt.datetime | None = None) -> CameraReviewFigures:
    """One camera's figures: the same five queries as the register, for a queryset of one."""
    return camera_review_figures_for(cameras=Camera.objects.filter(pk=camera.pk), as_of=as_of, now=now)[camera.pk]


# who sees what


def require_review_role(user: User, action: str = "view") -> None:
    """Forbidden (403) for a role that has nothing to do with reviews (police, engineers, operators)."""
    if not role_may(user, action, LABEL):
        raise Forbidden("Your role may not see camera reviews." if action == "view"
                        else "Your role may not record camera reviews.")


def review_camera_get(user: User, camera_id: int) -> Camera:
    """The camera if the user may review-read it; another council's camera is not found (404)."""
    require_review_role(user)
    camera = visible_to(user, Camera.objects.select_related("owner")).filter(pk=camera_id).first()
    if camera is None:
        raise NotVisible(f"Camera {camera_id} does not exist or is not visible to you.")
    return camera


def camera_reviews(user: User, camera: Camera) -> QuerySet[CameraReview]:
    """The camera's past reviews, newest first."""
    require_review_role(user)
    return visible_to(user, CameraReview.objects.filter(camera=camera).select_related("reviewer", "proposal")
                      ).order_by("-reviewed_on", "-id")


# the register


@dataclass(frozen=True)
class RegisterRow:
    camera: Camera
    last_review_id: int | None
    last_reviewed_on: dt.date | None
    last_decision: str | None
    next_review_on: dt.date | None
    never_reviewed: bool
    review_overdue: bool
    dpia_overdue: bool
    figures: CameraReviewFigures

    @property
    def overdue(self) -> bool:
        return self.never_reviewed or self.review_overdue or self.dpia_overdue


def review_register(user: User, *, today: dt.date | None = None, owner_id: int | None = None,
                    overdue_only: bool = False, now: dt.datetime | None = None) -> list[RegisterRow]:
    """Each camera in service the user may see, its latest review, when the next is due and whether it is late.

    Overdue: never reviewed, next review date passed, or the DPIA review date passed. A
    decommissioned camera needs no review and is left out.
    """
    require_review_role(user)
    today = today or timezone.localdate()
    latest = CameraReview.objects.filter(camera=OuterRef("pk")).order_by("-reviewed_on", "-id")
    cameras = visible_to(user, Camera.objects.exclude(status=CameraStatus.DECOMMISSIONED))
    if owner_id is not None:
        cameras = cameras.filter(owner_id=owner_id)
    annotated = cameras.annotate(
        last_review_id=Subquery(latest.values("id")[:1]),
        last_reviewed_on=Subquery(latest.values("reviewed_on")[:1]),
        last_decision=Subquery(latest.values("decision")[:1]),
        next_review_on=Subquery(latest.values("next_review_on")[:1]),
    ).select_related("owner").order_by(F("next_review_on").asc(nulls_first=True), "asset_ref", "id")
    rows = list(annotated)
    figures = camera_review_figures_for(cameras=cameras, as_of=today, now=now)
    register = []
    for camera in rows:
        row = RegisterRow(
            camera=camera, last_review_id=camera.last_review_id, last_reviewed_on=camera.last_reviewed_on,
            last_decision=camera.last_decision, next_review_on=camera.next_review_on,
            never_reviewed=camera.last_review_id is None,
            review_overdue=camera.next_review_on is not None and camera.next_review_on < today,
            dpia_overdue=camera.dpia_review_due_on is not None and camera.dpia_review_due_on < today,
            figures=figures[camera.pk],
        )
        if row.overdue or not overdue_only:
            register.append(row)
    return register


# the decision


def _checked_reason(reason: str | None) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("Give a reason for the decision: the review is published and must say why.")
    if len(reason) > MAX_REASON_CHARS:
        raise InvalidInput(f"The reason is at most {MAX_REASON_CHARS} characters; it has {len(reason)}.")
    return reason


def _checked_decision(decision: str | None) -> str:
    if decision not in ReviewDecision.values:
        raise InvalidInput(f"decision must be one of {', '.join(ReviewDecision.values)}; not {decision!r}.")
    return decision


@transaction.atomic
def camera_review_record(*, camera: Camera, by: User, decision: str, reason: str,
                         as_of: dt.date | None = None, now: dt.datetime | None = None) -> CameraReview:
    """Record a review decision with the figures it was made on; 'relocate' opens a linked draft proposal.

    The camera's row is locked so two reviewers recording at once are serialised, and a failure
    in the proposal (a camera with no field of view cannot be moved in the planner) leaves nothing.
    """
    require_review_role(by, "add")
    authorize(by, "add", CameraReview(camera=camera))
    decision = _checked_decision(decision)
    reason = _checked_reason(reason)
    camera = Camera.objects.select_for_update().select_related("owner").get(pk=camera.pk)
    if camera.status == CameraStatus.DECOMMISSIONED:
        raise InvalidInput(f"Camera {camera.asset_ref} is decommissioned; there is nothing to review.")
    today = timezone.localdate()
    as_of = as_of or today
    if as_of > today:
        raise InvalidInput(f"The review date {as_of.isoformat()} is in the future; a review is recorded when made.")
    figures = camera_review_figures(camera=camera, as_of=as_of, now=now)
    proposal = None
    if decision == ReviewDecision.RELOCATE:
        proposal = proposal_create(
            by=by, owner=camera.owner, title=f"Relocate {camera.asset_ref} {camera.name}"[:200],
            rationale=f"Annual camera review of {as_of:%-d %B %Y}: {reason}",
        )
        proposal_item_add(proposal=proposal, by=by, kind=ProposalItemKind.MOVE, location=camera.location,
                          camera_id=camera.pk)
    review = CameraReview.objects.create(
        camera=camera, reviewed_on=as_of, reviewer=by, decision=decision, reason=reason,
        figures=figures.as_json(), next_review_on=next_review_on(as_of), proposal=proposal,
    )
    logger.info("camera review recorded review=%s camera=%s decision=%s proposal=%s user=%s",
                review.pk, camera.pk, decision, proposal.pk if proposal else None, by.pk)
    return review
