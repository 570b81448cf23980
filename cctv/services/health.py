"""The camera health feed: events from the monitoring software, and faults for cameras left offline.

The monitoring software pushes status changes (DESIGN.md 2B) in batches. Each event is judged on
its own: a bad one is refused with a reason while the rest are taken, so one unknown camera does
not hold up the estate's news. Repeats are no-ops (HealthObservation's unique constraint), so
the feed can resend a batch after a timeout without doubling the timeline.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, F, OuterRef, QuerySet, Subquery, Value
from django.db.models.functions import Coalesce
from django.utils import timezone

from accounts.exceptions import InvalidInput
from accounts.models import User
from accounts.permissions import visible_to
from cctv.availability import camera_statuses_in_force
from cctv.choices import (
    CAMERA_STATUSES_UNMONITORED,
    FAULT_STATUSES_ACTIVE,
    HEALTH_STATE_TO_CAMERA_STATUS,
    CameraStatus,
    FaultPriority,
    FaultSource,
    HealthState,
    StatusSource,
)
from cctv.models import Camera, CameraStatusChange, Fault, HealthObservation
from cctv.services.cameras import camera_status_record
from cctv.services.faults import fault_note_add, fault_open

logger = logging.getLogger(__name__)

BATCH_MAX_EVENTS = 1000
# An event more than this far ahead of our clock is a misconfigured clock, not news.
FUTURE_TOLERANCE = dt.timedelta(minutes=5)
BEGINNING_OF_TIME = dt.datetime(1, 1, 1, tzinfo=dt.UTC)


class Outcome:
    ACCEPTED = "accepted"
    DUPLICATE = "duplicate"
    ERROR = "error"


@dataclass(frozen=True)
class HealthEvent:
    """One event as received; any field may be missing (that is a per-event error, not a bad batch)."""

    asset_ref: str | None
    state: str | None
    observed_at: dt.datetime | None


@dataclass(frozen=True)
class EventResult:
    index: int
    asset_ref: str | None
    outcome: str
    reason: str = ""


@dataclass(frozen=True)
class IngestResult:
    accepted: int
    duplicates: int
    rejected: int
    results: list[EventResult]


@dataclass(frozen=True)
class _Candidate:
    index: int
    camera: Camera
    state: str
    observed_at: dt.datetime

    @property
    def asset_ref(self) -> str:
        return self.camera.asset_ref

    @property
    def key(self) -> tuple[int, dt.datetime, str]:
        return (self.camera.pk, self.observed_at, self.state)


def _max_age() -> dt.timedelta:
    return dt.timedelta(days=getattr(settings, "HEALTH_EVENT_MAX_AGE_DAYS", 7))


def _problem(event: HealthEvent, *, now: dt.datetime) -> str:
    """What is wrong with the event on its own (before looking up the camera), or ''."""
    given = {"asset_ref": (event.asset_ref or "").strip(), "state": event.state, "observed_at": event.observed_at}
    missing = [name for name, value in given.items() if value in (None, "")]
    if missing:
        return f"Missing {', '.join(missing)}."
    if event.state not in HealthState.values:
        return f"Unknown state {event.state!r}; use one of {', '.join(HealthState.values)}."
    if timezone.is_naive(event.observed_at):
        return "observed_at has no UTC offset; send ISO 8601 with an offset, e.g. 2025-03-01T10:00:00Z."
    if event.observed_at > now + FUTURE_TOLERANCE:
        minutes = int(FUTURE_TOLERANCE.total_seconds() // 60)
        return f"observed_at is more than {minutes} minutes in the future; check the monitoring server's clock."
    if event.observed_at < now - _max_age():
        return (f"observed_at is more than {_max_age().days} days old; late history is not taken from the "
                "feed because reported availability would change under it.")
    return ""


def _cameras_by_ref(user: User, refs: set[str]) -> dict[str, list[Camera]]:
    """Cameras the user may see, by asset reference (unique per owner, so a ref can match several)."""
    found: dict[str, list[Camera]] = {}
    for camera in visible_to(user, Camera.objects.filter(asset_ref__in=refs)).order_by("pk"):
        found.setdefault(camera.asset_ref, []).append(camera)
    return found


def _candidates(events: Sequence[HealthEvent], *, by: User, now: dt.datetime) -> tuple[
        list[_Candidate], dict[int, EventResult]]:
    """Split the batch into events that name a camera and a state, and per-event errors."""
    errors: dict[int, EventResult] = {}
    wellformed: dict[int, HealthEvent] = {}
    for index, event in enumerate(events):
        problem = _problem(event, now=now)
        if problem:
            errors[index] = EventResult(index, event.asset_ref, Outcome.ERROR, problem)
        else:
            wellformed[index] = event
    cameras = _cameras_by_ref(by, {event.asset_ref.strip() for event in wellformed.values()})
    candidates = []
    for index, event in wellformed.items():
        ref = event.asset_ref.strip()
        matches = cameras.get(ref, [])
        if not matches:
            errors[index] = EventResult(index, event.asset_ref, Outcome.ERROR, f"Unknown camera {ref!r}.")
        elif len(matches) > 1:
            errors[index] = EventResult(
                index, event.asset_ref, Outcome.ERROR,
                f"Asset reference {ref!r} names cameras of {len(matches)} organisations; "
                "use a token whose user sees only one of them.",
            )
        else:
            candidates.append(_Candidate(index, matches[0], event.state, event.observed_at))
    return candidates, errors


def _unmonitored_errors(candidates: list[_Candidate]) -> dict[int, EventResult]:
    """Events that fall before a camera was registered or in a planned or decommissioned stretch.

    Those statuses are set by staff; a test signal from a camera being installed, or a ping from
    one taken down, must not put it back into the monitored estate.
    """
    statuses = camera_statuses_in_force(pairs=[(c.camera.pk, c.observed_at) for c in candidates])
    errors = {}
    for candidate, status in zip(candidates, statuses, strict=True):
        if status is None:
            reason = "observed_at is before the camera was registered."
        elif status in CAMERA_STATUSES_UNMONITORED:
            reason = (f"The camera was {CameraStatus(status).label.lower()} at observed_at; the health feed does "
                      "not change a planned or decommissioned camera.")
        else:
            continue
        errors[candidate.index] = EventResult(candidate.index, candidate.asset_ref, Outcome.ERROR, reason)
    return errors


def _split_repeats(candidates: list[_Candidate]) -> tuple[list[_Candidate], list[_Candidate]]:
    """Split candidates into new observations and repeats (of what is stored, or within this batch).

    Runs with the cameras locked (see health_events_ingest), and only this service writes
    observations, so what is not stored now cannot appear before we insert it.
    """
    if not candidates:
        return [], []
    times = [c.observed_at for c in candidates]
    stored = set(HealthObservation.objects.filter(
        camera_id__in={c.camera.pk for c in candidates}, observed_at__gte=min(times), observed_at__lte=max(times),
    ).values_list("camera_id", "observed_at", "state"))
    new, repeats = [], []
    for candidate in candidates:
        if candidate.key in stored:
            repeats.append(candidate)
        else:
            stored.add(candidate.key)
            new.append(candidate)
    return new, repeats


def _observations_store(candidates: list[_Candidate]) -> None:
    """Insert the observations; ON CONFLICT DO NOTHING is a backstop, the camera locks are the mechanism."""
    HealthObservation.objects.bulk_create(
        [HealthObservation(camera=c.camera, state=c.state, observed_at=c.observed_at) for c in candidates],
        ignore_conflicts=True,
    )


def _apply(candidate: _Candidate, *, by: User) -> None:
    """Put the event in the camera's timeline; note a health-feed fault when the camera is back online.

    camera_status_record keeps the current status as the latest entry by time, so a late event
    only fills in the past. "Back online" means this event made the camera operational now.
    """
    camera = candidate.camera
    was = camera.status
    camera_status_record(
        camera=camera, status=HEALTH_STATE_TO_CAMERA_STATUS[candidate.state], at=candidate.observed_at,
        source=StatusSource.HEALTH_FEED, by=by, note=f"health feed: {candidate.state}",
    )
    camera.refresh_from_db(fields=["status", "status_changed_at"])
    back_online = (candidate.state == HealthState.ONLINE and was != CameraStatus.OPERATIONAL
                   and camera.status == CameraStatus.OPERATIONAL)
    if back_online:
        fault = _health_fault_active(camera)
        if fault is not None:
            fault_note_add(fault=fault, by=by, text=f"Back online at {_local(candidate.observed_at)} (health feed).")


def health_events_ingest(*, events: Sequence[HealthEvent], by: User, now: dt.datetime | None = None) -> IngestResult:
    """Take a batch of health events: each is accepted, a duplicate, or refused with a reason.

    Everything accepted is written in one transaction. The batch's cameras are locked in id
    order first, so two batches about the same cameras queue rather than deadlock, and the
    duplicate check cannot race another batch.
    """
    if len(events) > BATCH_MAX_EVENTS:
        raise InvalidInput(f"A batch holds at most {BATCH_MAX_EVENTS} events; this one has {len(events)}. "
                           "Send it in smaller batches.")
    now = now or timezone.now()
    candidates, results = _candidates(events, by=by, now=now)
    with transaction.atomic():
        locked = {cam.pk: cam for cam in Camera.objects.select_for_update().filter(
            pk__in={c.camera.pk for c in candidates}).order_by("pk")}
        # A camera deleted since the lookup is as unknown as one that never existed.
        results |= {c.index: EventResult(c.index, c.asset_ref, Outcome.ERROR, f"Unknown camera {c.asset_ref!r}.")
                    for c in candidates if c.camera.pk not in locked}
        candidates = [_Candidate(c.index, locked[c.camera.pk], c.state, c.observed_at)
                      for c in candidates if c.camera.pk in locked]
        new, repeats = _split_repeats(candidates)
        refused = _unmonitored_errors(new)
        results |= refused
        refused_keys = {c.key: refused[c.index] for c in new if c.index in refused}
        # A repeat within the batch of a refused event is refused for the same reason.
        results |= {c.index: EventResult(c.index, c.asset_ref, Outcome.ERROR, refused_keys[c.key].reason)
                    for c in repeats if c.key in refused_keys}
        new = [c for c in new if c.index not in refused]
        repeats = [c for c in repeats if c.key not in refused_keys]
        _observations_store(new)
        for candidate in sorted(new, key=lambda c: (c.observed_at, c.camera.pk, c.index)):
            _apply(candidate, by=by)
    results |= {c.index: EventResult(c.index, c.asset_ref, Outcome.ACCEPTED) for c in new}
    results |= {c.index: EventResult(c.index, c.asset_ref, Outcome.DUPLICATE,
                                     "Already received; nothing changed.") for c in repeats}
    ordered = [results[index] for index in range(len(events))]
    counts: dict[str, int] = {outcome: sum(r.outcome == outcome for r in ordered)
                              for outcome in (Outcome.ACCEPTED, Outcome.DUPLICATE, Outcome.ERROR)}
    logger.info("health batch user=%s accepted=%s duplicates=%s rejected=%s", by.pk,
                counts[Outcome.ACCEPTED], counts[Outcome.DUPLICATE], counts[Outcome.ERROR])
    return IngestResult(accepted=counts[Outcome.ACCEPTED], duplicates=counts[Outcome.DUPLICATE],
                        rejected=counts[Outcome.ERROR], results=ordered)


# --- Faults for cameras left offline -----------------------------------------------------------

def _local(at: dt.datetime) -> str:
    """A time as people read it in the control room: London time, with the zone (GMT or BST)."""
    return f"{timezone.localtime(at):%H:%M %Z on %a %d %b %Y}"


def _health_fault_active(camera: Camera) -> Fault | None:
    return Fault.objects.filter(camera=camera, source=FaultSource.HEALTH_FEED, status__in=FAULT_STATUSES_ACTIVE).first()


def _offline_threshold() -> dt.timedelta:
    return dt.timedelta(minutes=getattr(settings, "HEALTH_OFFLINE_FAULT_MINUTES", 30))


def cameras_offline_too_long(*, now: dt.datetime) -> QuerySet[Camera]:
    """Offline cameras whose offline run began more than the threshold before `now`, with no active feed fault.

    `offline_since` is the first entry of the current offline run in the timeline: the earliest
    offline entry after the last entry of any other status. That is earlier than
    status_changed_at when a late offline event filled in the start of the outage.
    """
    # Per camera, the last entry of another status (an InitPlan, evaluated once per camera), then the
    # first offline entry after it: both are range scans of camera_status_timeline_idx.
    last_other = (CameraStatusChange.objects.filter(camera=OuterRef(OuterRef("pk")))
                  .exclude(status=CameraStatus.OFFLINE).order_by("-changed_at", "-id").values("changed_at")[:1])
    run_start = (CameraStatusChange.objects
                 .filter(camera=OuterRef("pk"), status=CameraStatus.OFFLINE,
                         changed_at__gt=Coalesce(Subquery(last_other), Value(BEGINNING_OF_TIME)))
                 .order_by("changed_at").values("changed_at")[:1])
    active_fault = Fault.objects.filter(
        camera=OuterRef("pk"), source=FaultSource.HEALTH_FEED, status__in=FAULT_STATUSES_ACTIVE
    )
    return (Camera.objects.filter(status=CameraStatus.OFFLINE)
            .annotate(offline_since=Coalesce(Subquery(run_start), F("status_changed_at")))
            .filter(offline_since__lt=now - _offline_threshold())
            .exclude(Exists(active_fault)))


def _offline_fault_open(camera: Camera, *, now: dt.datetime) -> Fault | None:
    """Open the camera's feed fault, unless another run or a newer event got there first.

    The camera row is claimed with SKIP LOCKED: a health batch holding it may be bringing the
    camera back, so this run leaves it to the next one. The rule is checked again under the
    lock; the partial unique constraint fault_one_active_automatic_per_camera is the backstop.
    """
    with transaction.atomic():
        if Camera.objects.select_for_update(skip_locked=True).filter(pk=camera.pk).values_list("pk").first() is None:
            return None
        camera = cameras_offline_too_long(now=now).filter(pk=camera.pk).first()
        if camera is None:
            return None
        minutes = int(_offline_threshold().total_seconds() // 60)
        try:
            with transaction.atomic():
                return fault_open(
                    by=None, camera=camera, priority=FaultPriority.P2, source=FaultSource.HEALTH_FEED,
                    summary=f"{camera.asset_ref} offline since {_local(camera.offline_since)}"[:200],
                    description=(f"Opened by the health feed: the camera has reported offline for more than "
                                 f"{minutes} minutes. A note is added if it comes back online; a person closes "
                                 "the fault once the picture is checked."),
                    reported_at=now,
                )
        except IntegrityError as exc:
            if "fault_one_active_automatic_per_camera" not in str(exc):
                raise
            return None


def offline_faults_open(*, now: dt.datetime | None = None) -> list[Fault]:
    """Open one P2 fault for each camera offline longer than HEALTH_OFFLINE_FAULT_MINUTES.

    Safe to run twice, or on two workers at once: a camera with an active feed fault is skipped,
    and each opening re-checks under the camera's lock.
    """
    now = now or timezone.now()
    opened = []
    for camera in cameras_offline_too_long(now=now).order_by("pk"):
        fault = _offline_fault_open(camera, now=now)
        if fault is not None:
            opened.append(fault)
            logger.info("health feed fault opened camera=%s fault=%s", camera.pk, fault.reference)
    return opened
