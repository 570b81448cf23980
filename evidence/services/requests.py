"""Evidence requests: submitting one, the SAR clock (pause, resume, extend), and what the moves need.

Every service here is one transaction: the request row, its cameras, its deadlines and its custody
event are written together or not at all. Services that change an existing request lock its row
first and ask accounts.permissions about the row as it is now.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable
from functools import partial

from django.contrib.gis.geos import Point
from django.db import transaction
from django.utils import timezone

from accounts.choices import OrganisationKind, Role
from accounts.exceptions import InvalidInput, WrongState
from accounts.models import Organisation, User
from accounts.permissions import authorize, can, organisations_visible_to, visible_to
from accounts.references import yearly_reference_next
from cctv.geometry import STORAGE_SRID, in_service_area
from cctv.models import Camera
from cctv.sla import LONDON
from evidence.choices import (
    REQUEST_STATES_FINAL,
    CustodyEventType,
    DeadlineKind,
    LegalBasis,
    RequestKind,
    RequestState,
    Urgency,
)
from evidence.custody import custody_event_append
from evidence.deadlines import (
    DEADLINES_MET_BY_MOVE,
    camera_overwrite_at,
    deadlines_meet,
    deadlines_store,
    sar_was_extended,
)
from evidence.models import Deadline, EvidenceRequest, RequestCamera, SarClockPause
from evidence.workflow import precondition

logger = logging.getLogger(__name__)

# First key of pg_advisory_xact_lock(int, int) for request references ("ERQ"); the year is the second.
REQUEST_REFERENCE_LOCK = 0x455251
# How far ahead of the server clock a given time may be (a client's clock a little fast).
CLOCK_SKEW = dt.timedelta(minutes=5)
# A request names a specific incident; a longer window is a trawl, not a request (and would take
# days of operator time to search).
MAX_WINDOW = dt.timedelta(days=7)
MAX_CAMERAS = 50
TEXT_LIMITS = {"reason": 5000, "crime_reference": 60, "requester_name": 200, "requester_contact": 300,
               "description_of_person": 5000, "location_description": 300}


# --- checks -------------------------------------------------------------------------------------

def _aware(moment: dt.datetime, name: str) -> dt.datetime:
    if timezone.is_naive(moment):
        raise InvalidInput(f"{name} needs a UTC offset or zone (e.g. 2026-03-02T22:00:00+00:00).")
    return moment


def incident_window_check(*, starts_at: dt.datetime, ends_at: dt.datetime, now: dt.datetime | None = None) -> None:
    """A window of recorded time: ordered, already over, and no longer than MAX_WINDOW."""
    now = now or timezone.now()
    _aware(starts_at, "incident_starts_at")
    _aware(ends_at, "incident_ends_at")
    if ends_at <= starts_at:
        raise InvalidInput("The incident window must end after it starts: incident_ends_at is not after "
                           "incident_starts_at.")
    if ends_at > now + CLOCK_SKEW:
        raise InvalidInput("The incident window ends in the future: a request is for footage already recorded.")
    if ends_at - starts_at > MAX_WINDOW:
        hours = (ends_at - starts_at).total_seconds() / 3600
        raise InvalidInput(f"The incident window is {hours:.0f} hours long; narrow it to "
                           f"{MAX_WINDOW.days} days ({MAX_WINDOW.days * 24} hours) or less.")


def request_owner_check(*, by: User, owner: Organisation) -> None:
    """A request goes to a council the requester's organisation works with: police to a council
    that shares its estate with their force, council and contractor staff to the councils whose
    estate they see, administrators to any council."""
    if owner.kind != OrganisationKind.COUNCIL:
        raise InvalidInput(f"{owner.name} is not a council: a request goes to the council that controls the footage.")
    if by.role == Role.ADMIN or owner.pk in organisations_visible_to(by):
        return
    raise InvalidInput(f"Your organisation cannot send requests to {owner.name}: it does not share its cameras "
                       "with you.")


def _texts_clean(**texts: str) -> dict[str, str]:
    cleaned = {}
    for name, value in texts.items():
        value = (value or "").strip()
        if len(value) > TEXT_LIMITS[name]:
            raise InvalidInput(f"{name} is {len(value)} characters long; the limit is {TEXT_LIMITS[name]}.")
        cleaned[name] = value
    return cleaned


def _kind_fields_check(*, kind: str, legal_basis: str, urgency: str, texts: dict[str, str]) -> None:
    if kind not in RequestKind.values:
        raise InvalidInput(f"Unknown request kind {kind!r}; use one of {', '.join(RequestKind.values)}.")
    if legal_basis not in LegalBasis.values:
        raise InvalidInput(f"Unknown legal basis {legal_basis!r}; use one of {', '.join(LegalBasis.values)}.")
    if urgency not in Urgency.values:
        raise InvalidInput(f"Unknown urgency {urgency!r}; use one of {', '.join(Urgency.values)}.")
    if not texts["reason"]:
        raise InvalidInput("Give the reason the footage is needed.")
    if kind == RequestKind.POLICE_INVESTIGATION and not texts["crime_reference"]:
        raise InvalidInput("A police request needs its crime or incident reference (crime_reference).")
    if kind == RequestKind.SAR and not texts["requester_name"]:
        raise InvalidInput("A subject access request needs the name of the data subject (requester_name).")
    if (kind == RequestKind.SAR) != (legal_basis == LegalBasis.UK_GDPR_ART15):
        raise InvalidInput("A subject access request rests on UK GDPR Art 15, and only a subject access request "
                           "does.")


def _location_check(location: Point | None) -> None:
    if location is None:
        return
    if location.srid != STORAGE_SRID:
        raise ValueError("request_submit takes a location already in EPSG:27700 (cctv.geometry.point_from_input).")
    if not in_service_area(location):
        raise InvalidInput("The location is outside the service area.")


def _cameras_check(*, by: User, owner: Organisation, cameras: Iterable[Camera | int]) -> list[Camera]:
    """The chosen cameras (instances, or ids from the API): visible to `by` and the owner's own."""
    given = list(cameras)
    ids = {item for item in given if isinstance(item, int)}
    found = {camera.pk: camera for camera in visible_to(by, Camera.objects.filter(pk__in=ids))}
    missing = sorted(ids - set(found))
    found.update({camera.pk: camera for camera in given if isinstance(camera, Camera) and can(by, "view", camera)})
    missing += sorted(camera.pk for camera in given if isinstance(camera, Camera) and camera.pk not in found)
    if missing:
        raise InvalidInput(f"Camera {', '.join(map(str, missing))} does not exist or is not visible to you.")
    if len(found) > MAX_CAMERAS:
        raise InvalidInput(f"{len(found)} cameras is too many for one request; name at most {MAX_CAMERAS}.")
    for camera in found.values():
        if camera.owner_id != owner.pk:
            raise InvalidInput(f"Camera {camera.asset_ref} is not one of {owner.name}'s cameras: a request covers "
                               "the cameras of the council it is sent to.")
    return sorted(found.values(), key=lambda camera: camera.asset_ref)


def _request_reference_next(year: int) -> str:
    """Next ER-<year>-<nnnnn> (accounts.references explains why this is safe under concurrency)."""
    return yearly_reference_next(records=EvidenceRequest.objects.all(), letters="ER", year=year,
                                 lock_namespace=REQUEST_REFERENCE_LOCK)


# --- submit -------------------------------------------------------------------------------------

@transaction.atomic
def request_submit(
    *, by: User, owner: Organisation, kind: str, legal_basis: str, incident_starts_at: dt.datetime,
    incident_ends_at: dt.datetime, reason: str, urgency: str = Urgency.ROUTINE, location: Point | None = None,
    cameras: Iterable[Camera | int] = (), crime_reference: str = "", requester_name: str = "",
    requester_contact: str = "", description_of_person: str = "", location_description: str = "",
    received_at: dt.datetime | None = None,
) -> EvidenceRequest:
    """Record a request for footage with its cameras, deadlines and first custody event.

    `location` is a point in EPSG:27700 (the API converts lon/lat with cctv.geometry). Either a
    location or at least one camera says where; cameras (instances or ids) must be the owner's and
    visible to `by`.
    """
    authorize(by, "add", EvidenceRequest)
    now = timezone.now()
    received_at = _aware(received_at, "received_at") if received_at is not None else now
    if received_at > now + CLOCK_SKEW:
        raise InvalidInput("received_at is in the future.")
    incident_window_check(starts_at=incident_starts_at, ends_at=incident_ends_at, now=now)
    if incident_starts_at > received_at:
        raise InvalidInput("The incident starts after the request was received.")
    texts = _texts_clean(reason=reason, crime_reference=crime_reference, requester_name=requester_name,
                         requester_contact=requester_contact, description_of_person=description_of_person,
                         location_description=location_description)
    _kind_fields_check(kind=kind, legal_basis=legal_basis, urgency=urgency, texts=texts)
    request_owner_check(by=by, owner=owner)
    _location_check(location)
    chosen = _cameras_check(by=by, owner=owner, cameras=cameras)
    if location is None and not chosen:
        raise InvalidInput("Say where: give a location, or at least one camera.")

    request = request_write(
        owner=owner, by=by, kind=kind, legal_basis=legal_basis, incident_starts_at=incident_starts_at,
        incident_ends_at=incident_ends_at, location=location, urgency=urgency, cameras=chosen, texts=texts,
        received_at=received_at, now=now,
    )
    logger.info("request submitted id=%s ref=%s kind=%s user=%s", request.pk, request.reference, kind, by.pk)
    return request


def request_write(
    *, owner: Organisation, by: User | None, kind: str, legal_basis: str, incident_starts_at: dt.datetime,
    incident_ends_at: dt.datetime, location: Point | None, urgency: str, cameras: list[Camera],
    texts: dict[str, str], received_at: dt.datetime, now: dt.datetime, custody_detail: dict | None = None,
) -> EvidenceRequest:
    """Write an already checked request: its row, cameras, deadlines and first custody event.

    Shared by request_submit and the public SAR form (evidence.services.public_sar), so every
    request, whoever made it, gets its reference, deadlines and custody chain the same way. `by`
    is None for a member of the public. Runs inside the caller's transaction.
    """
    request = EvidenceRequest.objects.create(
        reference=_request_reference_next(received_at.astimezone(LONDON).year),
        owner=owner, requester=by, requester_organisation_id=by.organisation_id if by is not None else None,
        kind=kind, legal_basis=legal_basis, incident_starts_at=incident_starts_at, incident_ends_at=incident_ends_at,
        location=location, urgency=urgency, state=RequestState.SUBMITTED, state_changed_at=now,
        received_at=received_at, **texts,
    )
    RequestCamera.objects.bulk_create([
        RequestCamera(request=request, camera=camera, retention_days=camera.retention_days,
                      overwrite_at=camera_overwrite_at(incident_ends_at=incident_ends_at,
                                                       retention_days=camera.retention_days))
        for camera in cameras
    ])
    deadlines_store(request)
    custody_event_append(request=request, event_type=CustodyEventType.CREATED, actor=by, at=now, detail={
        "to": RequestState.SUBMITTED, "kind": kind, "cameras": [camera.asset_ref for camera in cameras],
        **(custody_detail or {}),
    })
    return request


# --- the SAR clock ------------------------------------------------------------------------------

def _sar_locked(request: EvidenceRequest, *, by: User) -> tuple[EvidenceRequest, Deadline]:
    """Lock a SAR whose clock is still running and return it with its stored deadline."""
    request = EvidenceRequest.objects.select_for_update().get(pk=request.pk)
    authorize(by, "manage_deadlines", request)
    if request.kind != RequestKind.SAR:
        raise InvalidInput(f"{request.reference} is not a subject access request; only a SAR has a clock to "
                           "pause or extend.")
    deadline = Deadline.objects.filter(request=request, kind=DeadlineKind.SAR_DUE).first()
    if deadline is None:  # a request written before its deadlines were (an import): compute them now
        deadline = {d.kind: d for d in deadlines_store(request)}[DeadlineKind.SAR_DUE]
    if request.state in REQUEST_STATES_FINAL or deadline.met_at is not None:
        raise WrongState(f"{request.reference} has been answered or closed; its SAR clock has stopped.")
    return request, deadline


def _reason_required(reason: str, what: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput(f"Give a reason to {what}.")
    if len(reason) > 300:
        raise InvalidInput(f"The reason is {len(reason)} characters long; the limit is 300.")
    return reason


def _day_check(day: dt.date, *, name: str, not_before: dt.date, not_before_what: str) -> None:
    if day > timezone.localdate():
        raise InvalidInput(f"{name} {day:%Y-%m-%d} is in the future.")
    if day < not_before:
        raise InvalidInput(f"{name} {day:%Y-%m-%d} is before {not_before_what} ({not_before:%Y-%m-%d}).")


@transaction.atomic
def sar_clock_pause(*, request: EvidenceRequest, by: User, reason: str,
                    paused_on: dt.date | None = None) -> SarClockPause:
    """Stop the SAR clock while the service waits for identity or a clarification (ICO guidance)."""
    request, deadline = _sar_locked(request, by=by)
    reason = _reason_required(reason, "pause the SAR clock (e.g. waiting for proof of identity)")
    paused_on = paused_on or timezone.localdate()
    last = request.clock_pauses.order_by("-paused_on", "-id").first()
    if last is not None and last.resumed_on is None:
        raise WrongState(f"The SAR clock of {request.reference} is already paused, since {last.paused_on:%Y-%m-%d}.")
    if last is not None:
        _day_check(paused_on, name="paused_on", not_before=last.resumed_on, not_before_what="the last resumption")
    else:
        _day_check(paused_on, name="paused_on", not_before=request.received_at.astimezone(LONDON).date(),
                   not_before_what="the day of receipt")
    due_on = deadline.due_at.astimezone(LONDON).date()
    if paused_on > due_on:
        raise WrongState(f"The SAR was due on {due_on:%Y-%m-%d}; a clock that has run out cannot be paused.")
    pause = SarClockPause.objects.create(request=request, reason=reason, paused_on=paused_on, paused_by=by)
    deadlines_store(request)
    custody_event_append(request=request, event_type=CustodyEventType.CLOCK_PAUSED, actor=by,
                         detail={"paused_on": paused_on.isoformat(), "reason": reason})
    logger.info("sar clock paused request=%s on=%s user=%s", request.pk, paused_on, by.pk)
    return pause


@transaction.atomic
def sar_clock_resume(*, request: EvidenceRequest, by: User, resumed_on: dt.date | None = None) -> SarClockPause:
    """Restart the SAR clock on the day the identity or clarification arrived; the due date moves on."""
    request, _ = _sar_locked(request, by=by)
    pause = request.clock_pauses.filter(resumed_on__isnull=True).order_by("-paused_on").first()
    if pause is None:
        raise WrongState(f"The SAR clock of {request.reference} is not paused.")
    resumed_on = resumed_on or timezone.localdate()
    _day_check(resumed_on, name="resumed_on", not_before=pause.paused_on, not_before_what="the pause")
    pause.resumed_on = resumed_on
    pause.save(update_fields=["resumed_on"])
    stored = {d.kind: d for d in deadlines_store(request)}
    custody_event_append(request=request, event_type=CustodyEventType.CLOCK_RESUMED, actor=by, detail={
        "paused_on": pause.paused_on.isoformat(), "resumed_on": resumed_on.isoformat(),
        "days_paused": (resumed_on - pause.paused_on).days,
        "due_at": stored[DeadlineKind.SAR_DUE].due_at.isoformat(),
    })
    logger.info("sar clock resumed request=%s on=%s user=%s", request.pk, resumed_on, by.pk)
    return pause


@transaction.atomic
def sar_deadline_extend(*, request: EvidenceRequest, by: User, reason: str,
                        at: dt.datetime | None = None) -> Deadline:
    """Extend a complex SAR by two further months (UK GDPR Art 12(3)), once, before it falls due.

    The requester must be told of an extension and why within the first month, so an extension
    after the due date is refused. The custody event is the record of the extension and its reason.
    """
    request, deadline = _sar_locked(request, by=by)
    reason = _reason_required(reason, "extend the SAR deadline (why the request is complex)")
    at = at or timezone.now()
    if sar_was_extended(request):
        raise WrongState(f"The SAR deadline of {request.reference} has already been extended; it can be "
                         "extended once.")
    if at > deadline.due_at:
        raise WrongState(f"The SAR deadline of {request.reference} passed on "
                         f"{deadline.due_at.astimezone(LONDON):%Y-%m-%d}; it can only be extended before it falls due.")
    before = deadline.due_at
    stored = {d.kind: d for d in deadlines_store(request, sar_extended=True)}
    extended = stored[DeadlineKind.SAR_DUE]
    custody_event_append(request=request, event_type=CustodyEventType.DEADLINE_EXTENDED, actor=by, detail={
        "deadline": DeadlineKind.SAR_DUE, "reason": reason, "from": before.isoformat(),
        "to": extended.due_at.isoformat(),
    })
    logger.info("sar deadline extended request=%s user=%s", request.pk, by.pk)
    return extended


# --- what the workflow moves need --------------------------------------------------------------
# Registered with evidence.workflow, so they run inside transition()'s transaction after the
# request is locked and the state checked, whoever calls it (API, task, command).

@precondition("export")
def master_copy_required(request: EvidenceRequest) -> None:
    if not request.exhibits.filter(is_master_copy=True, disposed_at__isnull=True).exists():
        raise InvalidInput("Upload the master copy of the exported footage before marking the request exported.")


def _deadlines_meet_on_move(request: EvidenceRequest, *, move: str) -> None:
    # Registered after master_copy_required, so it runs only once the move's checks have passed;
    # should a later check fail, the whole move rolls back and these marks with it.
    deadlines_meet(request, move=move)


for _move in DEADLINES_MET_BY_MOVE:
    precondition(_move)(partial(_deadlines_meet_on_move, move=_move))
