"""The health feed and availability: POST /api/health/events, GET /api/health/availability.

Mounted at /api/health/ by config.api (the monitoring software's URL stays short and stable).
"""

from __future__ import annotations

import datetime as dt

from django.http import HttpRequest
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime
from ninja import Body, Query, Router, Schema
from pydantic import BaseModel

from accounts.exceptions import Forbidden, InvalidInput, NotVisible
from accounts.permissions import role_may, visible_to
from cctv.availability import availability_period, camera_availability, estate_availability
from cctv.models import Camera
from cctv.services.health import BATCH_MAX_EVENTS, HealthEvent, health_events_ingest

router = Router(tags=["health"])


class HealthEventIn(BaseModel):
    """Fields are optional here so that a missing one is that event's error, not the whole batch's.

    A plain pydantic model rather than ninja's Schema: Schema reads any object by attribute, so
    a string in place of an event would pass as an event with every field missing; here it is
    the 422 a malformed batch should get.
    """

    asset_ref: str | None = None
    state: str | None = None
    observed_at: dt.datetime | None = None


class HealthEventResultOut(Schema):
    index: int
    asset_ref: str | None
    outcome: str
    reason: str


class HealthBatchOut(Schema):
    accepted: int
    duplicates: int
    rejected: int
    results: list[HealthEventResultOut]


EVENTS_DESCRIPTION = f"""
The monitoring software's status changes, as a JSON array of up to {BATCH_MAX_EVENTS} events
`{{"asset_ref": "VG-0001", "state": "offline", "observed_at": "2025-03-01T10:00:00Z"}}`;
`state` is one of online, offline, video_loss, tamper and `observed_at` must carry a UTC offset.

**200 means the batch was processed**, like a 207 Multi-Status: each event has its own `outcome`
in `results` (same order as sent, with its `index`): `accepted`, `duplicate` (already received;
nothing changed, so resending a batch is safe) or `error` with a `reason` (unknown camera, unknown
state, missing field, more than 5 minutes in the future, more than 7 days old, or a planned or
decommissioned camera at that time). Events are applied in time order, so a late event fills in
the camera's history without changing its current status. Everything accepted is written in one
transaction.

A body that is not an array of objects, or a field of the wrong type, is a 422 and nothing is
written; a batch over {BATCH_MAX_EVENTS} events is a 400. Requires a token of the operator,
CCTV manager or admin role; cameras are looked up among those the token's user can see.
"""


@router.post("/events", response=HealthBatchOut, summary="Post camera health events", description=EVENTS_DESCRIPTION)
def health_events_post(request: HttpRequest, events: Body[list[HealthEventIn]]):
    if not role_may(request.auth, "post", "cctv.healthfeed"):
        raise Forbidden("Your role may not post health events; use a token of the monitoring software's operator.")
    return health_events_ingest(
        events=[HealthEvent(asset_ref=e.asset_ref, state=e.state, observed_at=e.observed_at) for e in events],
        by=request.auth,
    )


class AvailabilityQuery(Schema):
    start: str | None = None
    end: str | None = None
    camera: int | None = None


class AvailabilityFiguresOut(Schema):
    up_seconds: float
    monitored_seconds: float
    pct: float | None
    contract_reference: str | None
    target_pct: float | None
    target_met: bool | None


class CameraAvailabilityOut(AvailabilityFiguresOut):
    camera_id: int
    owner_id: int
    asset_ref: str
    name: str


class EstateAvailabilityOut(AvailabilityFiguresOut):
    owner_id: int
    owner_name: str
    cameras: int


class AvailabilityOut(Schema):
    start: dt.datetime
    end: dt.datetime
    counted_to: dt.datetime
    estates: list[EstateAvailabilityOut]
    cameras: list[CameraAvailabilityOut]


def _moment(value: str, *, name: str) -> dt.datetime:
    """An ISO date (midnight, London time) or date-time (London time if it has no offset)."""
    value = value.strip()
    try:
        moment = parse_datetime(value)
        day = None if moment else parse_date(value)
    except ValueError:
        moment = day = None
    if day is not None:
        moment = dt.datetime.combine(day, dt.time.min)
    if moment is None:
        raise InvalidInput(f"{name} must be an ISO date (2025-03-01) or date-time (2025-03-01T09:00:00Z), "
                           f"not {value!r}.")
    # Year 1 or 9999 overflowed when moved to London time (a 500); no timeline reaches either.
    if not 1900 <= moment.year <= 2999:
        raise InvalidInput(f"{name} must be between the years 1900 and 2999, not {value!r}.")
    return timezone.make_aware(moment) if timezone.is_naive(moment) else moment


def _month_start(now: dt.datetime) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(timezone.localdate(now).replace(day=1), dt.time.min))


def _next_month_start(start: dt.datetime) -> dt.datetime:
    day = timezone.localdate(start).replace(day=1)
    following = (day.replace(year=day.year + 1, month=1) if day.month == 12 else day.replace(month=day.month + 1))
    return timezone.make_aware(dt.datetime.combine(following, dt.time.min))


AVAILABILITY_DESCRIPTION = """
Availability = time operational or degraded / time in any monitored status (planned and
decommissioned time is left out), from the status timeline, over `[start, end)`. `start` and
`end` are ISO dates (midnight, London time) or date-times; `end` is exclusive, so March is
`start=2025-03-01&end=2025-04-01`. Without them: this calendar month so far; with only `start`: to
the end of its month. Time after now is not counted (`counted_to`). `estates` is each council's
time-weighted figure against the contract's estate target; `cameras` is each camera against the
per-camera target. With `camera=<id>`: that camera, and the estate of its owner.
"""


@router.get("/availability", response=AvailabilityOut, summary="Camera and estate availability",
            description=AVAILABILITY_DESCRIPTION)
def availability_get(request: HttpRequest, filters: Query[AvailabilityQuery]):
    user = request.auth
    if not role_may(user, "view", "cctv.contract"):
        raise Forbidden("Your role may not view availability against the contract.")
    now = timezone.now()
    start_at = _moment(filters.start, name="start") if filters.start else _month_start(now)
    end_at = _moment(filters.end, name="end") if filters.end else _next_month_start(start_at)
    period = availability_period(start_at=start_at, end_at=end_at, now=now)
    cameras = estate = visible_to(user, Camera.objects.all())
    if filters.camera is not None:
        camera = cameras.filter(pk=filters.camera).first()
        if camera is None:
            raise NotVisible(f"No camera with id {filters.camera}.")
        cameras, estate = cameras.filter(pk=camera.pk), cameras.filter(owner_id=camera.owner_id)
    return {
        "start": timezone.localtime(period.start_at),
        "end": timezone.localtime(period.end_at),
        "counted_to": timezone.localtime(period.counted_to),
        "estates": estate_availability(cameras=estate, period=period),
        "cameras": camera_availability(cameras=cameras, period=period),
    }
