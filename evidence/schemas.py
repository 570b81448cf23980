"""Input and output shapes of the evidence requests API (ninja Schemas). No rules here.

Choice fields are plain strings on the way in so the service can answer a wrong value with a
sentence (400) rather than a validation list. Times are ISO 8601 with an offset both ways.
"""

from __future__ import annotations

from datetime import date, datetime

from django.utils import timezone
from ninja import Field, FilterSchema, Schema

from cctv.schemas import PointIn
from evidence.choices import REQUEST_STATES_FINAL, RequestKind, RequestState


class RequestIn(Schema):
    owner_id: int = Field(..., description="The council that controls the footage.")
    kind: str = Field(..., description="police_investigation, sar, insurer_solicitor, court_order or internal")
    legal_basis: str | None = Field(None, description="Default: the usual basis for the kind.")
    incident_starts_at: datetime
    incident_ends_at: datetime
    reason: str
    urgency: str = "routine"
    location: PointIn | None = Field(None, description="Where: lon/lat (4326) or easting/northing (27700).")
    location_description: str = ""
    camera_ids: list[int] = Field(default_factory=list, description="Cameras of the owner the request concerns.")
    crime_reference: str = ""
    requester_name: str = Field("", description="For a SAR: the data subject.")
    requester_contact: str = ""
    description_of_person: str = Field("", description="For a SAR: how to recognise the requester.")
    received_at: datetime | None = Field(None, description="When the request arrived; default now.")


class RequestFilter(FilterSchema):
    state: RequestState | None = None
    kind: RequestKind | None = None


class MoveIn(Schema):
    reason: str = Field("", description="Needed to refuse, to record none found, and to withdraw.")
    place: str = Field("", max_length=200, description="Where the move happened (custody log).")


class SuggestIn(Schema):
    owner_id: int
    location: PointIn
    starts_at: datetime
    ends_at: datetime


class SuggestionOut(Schema):
    camera_id: int
    asset_ref: str
    name: str
    distance_m: float
    suggested: bool
    reason: str


class PauseIn(Schema):
    reason: str
    paused_on: date | None = Field(None, description="Default today.")


class ResumeIn(Schema):
    resumed_on: date | None = Field(None, description="The day the identity or clarification arrived; default today.")


class ExtendIn(Schema):
    reason: str = Field(..., description="Why the request is complex (told to the requester).")


class DeadlineOut(Schema):
    kind: str
    due_at: datetime
    rule: str
    met_at: datetime | None
    missed_at: datetime | None
    state: str = Field(..., description="running, overdue, met, met_late or missed")

    @staticmethod
    def resolve_state(deadline) -> str:
        if deadline.missed_at is not None:
            return "missed"
        if deadline.met_at is not None:
            return "met" if deadline.met_at <= deadline.due_at else "met_late"
        return "running" if timezone.now() <= deadline.due_at else "overdue"


class RequestCameraOut(Schema):
    camera_id: int
    asset_ref: str
    name: str
    retention_days: int
    overwrite_at: datetime
    secured_at: datetime | None
    lost_at: datetime | None

    @staticmethod
    def resolve_asset_ref(link) -> str:
        return link.camera.asset_ref

    @staticmethod
    def resolve_name(link) -> str:
        return link.camera.name


class PauseOut(Schema):
    paused_on: date
    resumed_on: date | None
    reason: str


class LocationOut(Schema):
    longitude: float
    latitude: float
    easting: float
    northing: float


class RequestListOut(Schema):
    id: int
    reference: str
    kind: str
    state: str
    urgency: str
    owner: str
    crime_reference: str
    received_at: datetime
    incident_starts_at: datetime
    incident_ends_at: datetime
    next_deadline_at: datetime | None = Field(
        None, description="The nearest open deadline (neither met nor missed; it may be overdue).")
    footage_lost_at: datetime | None

    @staticmethod
    def resolve_owner(request) -> str:
        return request.owner.name


class RequestOut(RequestListOut):
    legal_basis: str
    reason: str
    requester: str | None
    requester_organisation: str | None
    requester_name: str
    requester_contact: str
    description_of_person: str
    location: LocationOut | None
    location_description: str
    state_changed_at: datetime
    assigned_to: str | None
    refusal_reason: str
    none_found_reason: str
    withdrawal_reason: str
    deadlines: list[DeadlineOut]
    cameras: list[RequestCameraOut]
    clock_pauses: list[PauseOut]
    moves_allowed: list[str] = Field(default_factory=list, description="The moves the caller may make now.")

    @staticmethod
    def resolve_next_deadline_at(request) -> datetime | None:
        if request.state in REQUEST_STATES_FINAL:
            return None
        running = [d.due_at for d in request.deadlines.all() if d.met_at is None and d.missed_at is None]
        return min(running, default=None)

    @staticmethod
    def resolve_requester(request) -> str | None:
        return request.requester.username if request.requester_id else None

    @staticmethod
    def resolve_requester_organisation(request) -> str | None:
        return request.requester_organisation.name if request.requester_organisation_id else None

    @staticmethod
    def resolve_assigned_to(request) -> str | None:
        return request.assigned_to.username if request.assigned_to_id else None

    @staticmethod
    def resolve_location(request) -> dict | None:
        if request.location is None:
            return None
        wgs84 = request.location.transform(4326, clone=True)
        return {"longitude": round(wgs84.x, 7), "latitude": round(wgs84.y, 7),
                "easting": round(request.location.x, 2), "northing": round(request.location.y, 2)}

    @staticmethod
    def resolve_deadlines(request) -> list:
        return sorted(request.deadlines.all(), key=lambda d: d.due_at)

    @staticmethod
    def resolve_cameras(request) -> list:
        return list(request.request_cameras.all())

    @staticmethod
    def resolve_clock_pauses(request) -> list:
        return list(request.clock_pauses.all())

    @staticmethod
    def resolve_moves_allowed(request) -> list[str]:
        return getattr(request, "moves_allowed", [])
