"""The deadlines of an evidence request, the rule behind each, and the jobs that watch them.

Three deadlines (DESIGN.md 2C), each stored as a Deadline row with its rule in words so anyone
can check the arithmetic later:

* overwrite: footage is overwritten when the camera's retention runs out (incident end + the
  camera's retention days, elapsed time); the earliest camera decides.
* sar_due: UK GDPR Art 12(3) and the ICO's guidance on "one calendar month": the corresponding
  date of the next month, or that month's last day when it has none; moved on by the days the
  clock was paused; extended by two further months for a complex request; and, last, moved to the
  next working day when it falls on a weekend or an England-and-Wales bank holiday.
* police_target: the service's own target for police requests, hours by urgency from receipt.

The rules are pure functions of dates; `deadlines_store` writes their answers. A deadline is met
when the workflow move that satisfies it happens (`deadlines_meet`, called inside the move's
transaction) and missed when footage is lost (`footage_lost_mark`).
"""

from __future__ import annotations

import calendar
import datetime as dt
import logging
from collections.abc import Container, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from cctv.sla import BANK_HOLIDAYS_ENGLAND_AND_WALES, LONDON, MAX_CLOSED_DAYS
from evidence.choices import (
    REQUEST_STATES_FOOTAGE_AT_RISK,
    CustodyEventType,
    DeadlineKind,
    RequestKind,
    Urgency,
)
from evidence.custody import custody_event_append
from evidence.models import Deadline, EvidenceRequest, RequestCamera

logger = logging.getLogger(__name__)

# Hours from receipt to the police service target, by urgency (settings.POLICE_TARGET_HOURS overrides).
DEFAULT_POLICE_TARGET_HOURS = {Urgency.ROUTINE: 7 * 24, Urgency.URGENT: 24, Urgency.IMMEDIATE: 2}
# A SAR answer is due at the end of its due day, London time.
SAR_DUE_TIME = dt.time(23, 59, 59)
RULE_MAX_CHARS = 500

# Which deadlines a workflow move satisfies. A SAR is answered by releasing the footage, and also by
# telling the requester that none was found or that the request is refused (Art 12(4) asks for that
# answer within the same month), so those moves stop its clock too.
DEADLINES_MET_BY_MOVE: dict[str, tuple[str, ...]] = {
    "export": (DeadlineKind.OVERWRITE,),
    "release": (DeadlineKind.SAR_DUE, DeadlineKind.POLICE_TARGET),
    "none_found": (DeadlineKind.SAR_DUE, DeadlineKind.POLICE_TARGET),
    "refuse": (DeadlineKind.SAR_DUE, DeadlineKind.POLICE_TARGET),
}


@dataclass(frozen=True)
class Computed:
    due_at: dt.datetime
    rule: str


def _minute(moment: dt.datetime) -> str:
    return moment.astimezone(LONDON).strftime("%Y-%m-%d %H:%M")


def _day(day: dt.date) -> str:
    return day.strftime("%a %d %b %Y")


# --- overwrite ----------------------------------------------------------------------------------

def camera_overwrite_at(*, incident_ends_at: dt.datetime, retention_days: int) -> dt.datetime:
    """When a recorder keeping `retention_days` of footage overwrites the end of the incident.

    Recorders keep a rolling span of elapsed time, so the days are added in UTC: across a clock
    change the London wall-clock time of the answer moves by an hour, the footage does not.
    """
    return incident_ends_at.astimezone(dt.UTC) + dt.timedelta(days=retention_days)


def overwrite_deadline(*, incident_ends_at: dt.datetime, cameras: Sequence[tuple[str, int]]) -> Computed | None:
    """The first moment any of the cameras (asset_ref, retention_days) loses the incident's footage."""
    if not cameras:
        return None
    dated = sorted(
        ((camera_overwrite_at(incident_ends_at=incident_ends_at, retention_days=days), ref, days)
         for ref, days in cameras),
    )
    due_at, ref, days = dated[0]
    among = f"earliest of {len(cameras)} cameras" if len(cameras) > 1 else "the only camera"
    rule = (f"{ref} keeps {days} days: incident end {_minute(incident_ends_at)} + {days} d = {_minute(due_at)}; "
            f"{among}")
    return Computed(due_at=due_at, rule=rule)


# --- SAR --------------------------------------------------------------------------------------

def months_after(day: dt.date, months: int) -> tuple[dt.date, bool]:
    """The corresponding date `months` later, or that month's last day when it has none (True)."""
    year, month_index = divmod(day.month - 1 + months, 12)
    year += day.year
    last = calendar.monthrange(year, month_index + 1)[1]
    return dt.date(year, month_index + 1, min(day.day, last)), day.day > last


def next_working_day(day: dt.date, *, holidays: Container[dt.date]) -> tuple[dt.date, list[str]]:
    """`day` itself if it is a working day, else the next one, with the days skipped and why."""
    skipped: list[str] = []
    while day.weekday() >= 5 or day in holidays:
        skipped.append(f"{day:%a %d %b} {'weekend' if day.weekday() >= 5 else 'bank holiday'}")
        if len(skipped) > MAX_CLOSED_DAYS:
            raise ValueError(f"No working day in the {MAX_CLOSED_DAYS} days after {day:%Y-%m-%d}: check the holidays.")
        day += dt.timedelta(days=1)
    return day, skipped


@dataclass(frozen=True)
class SarDue:
    due_on: dt.date
    rule: str

    @property
    def due_at(self) -> dt.datetime:
        return dt.datetime.combine(self.due_on, SAR_DUE_TIME, tzinfo=LONDON)


def sar_due(*, received_on: dt.date, pauses: Sequence[tuple[dt.date, dt.date | None]] = (), extended: bool = False,
            today: dt.date | None = None, holidays: Container[dt.date] | None = None) -> SarDue:
    """The day a subject access request must be answered by.

    One calendar month from the day of receipt (ICO: received 3 September, due 3 October), or
    three when extended. Each pause stops the clock from `paused_on` until `resumed_on` (the day the
    identity or clarification arrives), so the date moves on by resumed_on - paused_on days; a pause
    not yet resumed counts up to `today`. The weekend and bank-holiday rule applies to the final
    date, as the ICO applies it to the date the requester is given.
    """
    holidays = BANK_HOLIDAYS_ENGLAND_AND_WALES if holidays is None else holidays
    today = today or timezone.localdate()
    months = 3 if extended else 1
    base, clamped = months_after(received_on, months)
    period = "one calendar month plus two further months (extended)" if extended else "one calendar month"
    parts = [f"SAR received {_day(received_on)}; {period} = {_day(base)}"]
    if clamped:
        parts[-1] += f" (no {received_on.day} {base:%b}: last day of the month)"
    paused_days = sum(max(((resumed_on or today) - paused_on).days, 0) for paused_on, resumed_on in pauses)
    due = base + dt.timedelta(days=paused_days)
    if pauses:
        still = [paused_on for paused_on, resumed_on in pauses if resumed_on is None]
        note = f" (paused since {still[0]:%Y-%m-%d} and still paused)" if still else ""
        parts.append(f"+ {paused_days} days with the clock paused{note} = {_day(due)}")
    final, skipped = next_working_day(due, holidays=holidays)
    if skipped:
        parts.append(f"not a working day ({', '.join(skipped)}): next working day {_day(final)}")
    return SarDue(due_on=final, rule="; ".join(parts))


# --- police -------------------------------------------------------------------------------------

def police_target_hours(urgency: str) -> int:
    hours = getattr(settings, "POLICE_TARGET_HOURS", DEFAULT_POLICE_TARGET_HOURS)
    return int(hours[urgency])


def police_target(*, received_at: dt.datetime, urgency: str) -> Computed:
    """The service target for a police request: a number of elapsed hours from receipt."""
    hours = police_target_hours(urgency)
    due_at = received_at.astimezone(dt.UTC) + dt.timedelta(hours=hours)
    rule = (f"{Urgency(urgency).label} police request: target {hours} h from receipt "
            f"{_minute(received_at)} = {_minute(due_at)}")
    return Computed(due_at=due_at, rule=rule)


# --- storing ------------------------------------------------------------------------------------

def sar_clock_is_paused(request: EvidenceRequest) -> bool:
    return request.clock_pauses.filter(resumed_on__isnull=True).exists()


def sar_was_extended(request: EvidenceRequest) -> bool:
    """The extension is recorded once, as a custody event: that record is the source of truth."""
    return request.custody_events.filter(event_type=CustodyEventType.DEADLINE_EXTENDED).exists()


def deadlines_compute(request: EvidenceRequest, *, today: dt.date | None = None,
                      holidays: Container[dt.date] | None = None,
                      sar_extended: bool | None = None) -> dict[str, Computed]:
    """Every deadline that applies to the request, as the rules give it now.

    `sar_extended` overrides the recorded extension while the extension itself is being made.
    """
    computed: dict[str, Computed] = {}
    cameras = [(link.camera.asset_ref, link.retention_days)
               for link in request.request_cameras.select_related("camera")]
    overwrite = overwrite_deadline(incident_ends_at=request.incident_ends_at, cameras=cameras)
    if overwrite is not None:
        computed[DeadlineKind.OVERWRITE] = overwrite
    if request.kind == RequestKind.SAR:
        pauses = list(request.clock_pauses.order_by("paused_on", "id").values_list("paused_on", "resumed_on"))
        due = sar_due(received_on=request.received_at.astimezone(LONDON).date(), pauses=pauses,
                      extended=sar_was_extended(request) if sar_extended is None else sar_extended,
                      today=today, holidays=holidays)
        computed[DeadlineKind.SAR_DUE] = Computed(due_at=due.due_at, rule=due.rule)
    if request.kind == RequestKind.POLICE_INVESTIGATION:
        computed[DeadlineKind.POLICE_TARGET] = police_target(received_at=request.received_at,
                                                             urgency=request.urgency)
    return computed


def deadlines_store(request: EvidenceRequest, *, today: dt.date | None = None,
                    holidays: Container[dt.date] | None = None, sar_extended: bool | None = None) -> list[Deadline]:
    """Write the request's deadlines (one row per kind). Met and missed marks are left as they are.

    A changed due date gets fresh alerts on its own: alerts are unique per (deadline, lead, due_at).
    """
    stored = []
    computed_now = deadlines_compute(request, today=today, holidays=holidays, sar_extended=sar_extended)
    for kind, computed in computed_now.items():
        deadline, _ = Deadline.objects.update_or_create(
            request=request, kind=kind, defaults={"due_at": computed.due_at, "rule": computed.rule[:RULE_MAX_CHARS]},
        )
        stored.append(deadline)
    return stored


def deadlines_recompute(*, holidays: Container[dt.date] | None = None) -> int:
    """Recompute every open SAR deadline, e.g. after the bank-holiday calendar changes (a one-off
    bank holiday is announced). Returns how many due dates moved. Other deadlines do not depend on
    the calendar."""
    moved = 0
    open_sars = (Deadline.objects.filter(kind=DeadlineKind.SAR_DUE, met_at__isnull=True, missed_at__isnull=True)
                 .values_list("request_id", "due_at"))
    for request_id, due_at in open_sars:
        with transaction.atomic():
            request = EvidenceRequest.objects.select_for_update().get(pk=request_id)
            stored = {d.kind: d for d in deadlines_store(request, holidays=holidays)}
            if stored[DeadlineKind.SAR_DUE].due_at != due_at:
                moved += 1
                logger.info("sar deadline moved request=%s %s->%s", request_id, due_at.isoformat(),
                            stored[DeadlineKind.SAR_DUE].due_at.isoformat())
    return moved


def deadlines_meet(request: EvidenceRequest, *, move: str, at: dt.datetime | None = None) -> int:
    """Mark the deadlines `move` satisfies as met; an export also marks the cameras' footage secured.

    Called inside the move's transaction (evidence.services.requests registers it with the
    workflow), so the marks commit or roll back with the move. A deadline already missed stays
    missed: met_at is when it stopped running, and met_at > due_at reads as "met late".
    """
    kinds = DEADLINES_MET_BY_MOVE.get(move, ())
    if not kinds:
        return 0
    at = at or timezone.now()
    if move == "export":
        RequestCamera.objects.filter(request=request, secured_at__isnull=True, lost_at__isnull=True).update(
            secured_at=at)
    return Deadline.objects.filter(request=request, kind__in=kinds, met_at__isnull=True,
                                   missed_at__isnull=True).update(met_at=at)


# --- footage lost ----------------------------------------------------------------------------

@dataclass(frozen=True)
class FootageLost:
    request_id: int
    reference: str
    asset_refs: tuple[str, ...]


def _request_footage_lost_mark(request_id: int, *, now: dt.datetime) -> FootageLost | None:
    """One request: lock it, re-check that its footage is still at risk, mark what has been overwritten."""
    request = EvidenceRequest.objects.select_for_update().get(pk=request_id)
    if request.state not in REQUEST_STATES_FOOTAGE_AT_RISK:
        return None  # exported (or closed) while we waited for the lock
    lost = list(RequestCamera.objects.select_for_update()
                .filter(request=request, overwrite_at__lt=now, secured_at__isnull=True, lost_at__isnull=True)
                .select_related("camera").order_by("overwrite_at", "camera__asset_ref"))
    if not lost:
        return None
    RequestCamera.objects.filter(pk__in=[link.pk for link in lost]).update(lost_at=now)
    if request.footage_lost_at is None:
        request.footage_lost_at = now
        request.save(update_fields=["footage_lost_at"])
    Deadline.objects.filter(request=request, kind=DeadlineKind.OVERWRITE, met_at__isnull=True,
                            missed_at__isnull=True).update(missed_at=now)
    refs = tuple(link.camera.asset_ref for link in lost)
    custody_event_append(
        request=request, event_type=CustodyEventType.FOOTAGE_LOST, actor=None,
        detail={"cameras": list(refs),
                "overwritten_at": {link.camera.asset_ref: link.overwrite_at.isoformat() for link in lost},
                "marked_at": now.isoformat()},
    )
    logger.info("footage lost request=%s cameras=%s", request.pk, ",".join(refs))
    return FootageLost(request_id=request.pk, reference=request.reference, asset_refs=refs)


def footage_lost_mark(*, now: dt.datetime | None = None) -> list[FootageLost]:
    """Record footage overwritten before it was secured: once per camera, with a custody event.

    Safe to run twice or on two workers: each request is locked and its cameras are re-read under
    the lock, so a camera already marked (or secured by an export in the meantime) is left alone.
    `now` lets tests and catch-up runs fix the clock.
    """
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must be timezone-aware.")
    request_ids = sorted(set(
        RequestCamera.objects.filter(overwrite_at__lt=now, secured_at__isnull=True, lost_at__isnull=True,
                                     request__state__in=REQUEST_STATES_FOOTAGE_AT_RISK)
        .values_list("request_id", flat=True)
    ))
    marked = []
    for request_id in request_ids:
        with transaction.atomic():
            result = _request_footage_lost_mark(request_id, now=now)
        if result is not None:
            marked.append(result)
    return marked
