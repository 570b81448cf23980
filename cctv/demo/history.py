"""A year of the demo estate's life, planned: outages, the status timeline they leave, and their faults.

Pure planning, no database: given the cameras (asset ref and the cabinet each hangs on), the
contract's SLA terms, `today` and a seed, `history_plan` returns the same plan every time. The
loader (cctv.demo.load) writes it. Every time is derived from the SLA clocks the way the live
system would have produced it, so the demo reads back consistently:

* an offline camera gets a health-feed P2 fault 31 minutes after it drops (the feed opens one
  after HEALTH_OFFLINE_FAULT_MINUTES, 30, on its next one-minute run); video loss, tamper and a
  poor picture are reported by the control-room operator;
* a fault's clocks come from cctv.sla.fault_due_times; a clock is breached when the work was done
  (or is still not done at `today`) after its deadline, and the breach is stamped and notified
  at the first whole minute after the deadline, as the every-minute check would have done, so
  the live check has nothing left to send;
* when a cabinet or link fails, every camera behind it drops together and the health feed opens
  a fault for each; the operator cancels those as duplicates of the cabinet or link fault.

Outages are more likely in winter (November to February), and three fixed winter dates bring
storms to the coast. A handful of outages are still going at `today`, each with its open fault.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Sequence
from dataclasses import dataclass, field, replace
from zoneinfo import ZoneInfo

from cctv.choices import CameraKind, CameraStatus, FaultPriority, FaultSource, FaultStatus, StatusSource
from cctv.demo.network import (
    BARRY_DIRECT_LINK,
    BARRY_ISLAND_CABINET,
    COWBRIDGE_CABINET,
    COWBRIDGE_LINK,
    ESPLANADE_CABINET,
    SULLY_CABINET,
    SULLY_RADIO_LINK,
)
from cctv.models import Contract, SlaTerm
from cctv.sla import fault_due_times

LONDON = ZoneInfo("Europe/London")
UTC = dt.UTC
MINUTE = dt.timedelta(minutes=1)
HOUR = dt.timedelta(hours=1)
DAY = dt.timedelta(days=1)

# How many single-camera outages the year holds: with a fault, and short drops the feed rode out.
CAMERA_FAULT_OUTAGES = 92
SHORT_DROPS = 80
RESPONSE_BREACH_SHARE = 0.05
FIX_BREACH_SHARE = 0.07
# The health feed opens its fault on the first one-minute run after 30 minutes offline.
FEED_FAULT_DELAY = dt.timedelta(minutes=31)
# Outages of one camera are kept apart by at least this, so its timeline reads as separate events.
OUTAGE_GAP = 2 * HOUR
WINTER_WEIGHT = {11: 2.5, 12: 3.0, 1: 3.0, 2: 2.5, 3: 1.3, 10: 1.3}
# (month, day, hour) of the year's storms, taken at their last date before `today`.
STORMS = ((12, 7, 19), (1, 24, 3), (2, 18, 22))

OPERATOR, ENGINEER = "operator", "engineer"

# cause shown to the operator, what the engineer did: by the status the camera drops to.
FAULTY_CAUSES = (
    ("No picture: video loss from the camera", "Camera head replaced."),
    ("Tamper alarm: lens sprayed with paint", "Lens housing cleaned and resealed."),
    ("PTZ not responding to control", "PTZ drive reset and firmware updated."),
    ("Picture frozen on the recorder", "Encoder restarted and replaced under warranty."),
)
DEGRADED_CAUSES = (
    ("Poor night picture: infrared illuminator failed", "Infrared illuminator replaced.", FaultPriority.P3),
    ("Picture out of focus", "Refocused on site.", FaultPriority.P3),
    ("Intermittent picture: packet loss", "Fibre patch lead in the cabinet replaced.", FaultPriority.P3),
    ("Dome cover scratched and misted", "Dome cover replaced.", FaultPriority.P4),
    ("Cobwebs across the lens at night", "Lens cleaned and insect deterrent applied.", FaultPriority.P4),
    ("View blocked by tree growth", "Trees cut back by the parks team.", FaultPriority.P4),
)
OFFLINE_FIXES = (
    "Power supply unit in the column replaced.",
    "Encoder restarted remotely.",
    "Fibre patch lead at the cabinet reseated.",
    "Street-lighting supply restored by the distribution network operator.",
    "Network switch in the cabinet replaced.",
    "PoE injector replaced.",
)


@dataclass(frozen=True)
class CameraInfo:
    asset_ref: str
    cabinet: str
    kind: str
    purpose: str


@dataclass(frozen=True)
class PlannedChange:
    asset_ref: str
    status: str
    changed_at: dt.datetime
    source: str
    by: str | None
    note: str


@dataclass(frozen=True)
class PlannedFault:
    """A fault as the loader writes it. `key` names it until the loader gives it a reference."""

    key: str
    subject: tuple[str, str]  # ("camera", asset ref) | ("node", name) | ("link", circuit ref)
    priority: str
    source: str
    summary: str
    description: str
    reported_at: dt.datetime
    reported_by: str | None
    acknowledged_at: dt.datetime | None = None
    fixed_at: dt.datetime | None = None
    closed_at: dt.datetime | None = None
    status: str = FaultStatus.OPEN
    assigned: bool = True
    notes: tuple[tuple[dt.datetime, str, str], ...] = ()  # (at, role, text)
    duplicate_of: str | None = None
    response_due_at: dt.datetime | None = None
    fix_due_at: dt.datetime | None = None
    sla_rule: str = ""
    response_breached_at: dt.datetime | None = None
    fix_breached_at: dt.datetime | None = None
    response_breach_notified_at: dt.datetime | None = None
    fix_breach_notified_at: dt.datetime | None = None


@dataclass
class HistoryPlan:
    changes: list[PlannedChange] = field(default_factory=list)
    faults: list[PlannedFault] = field(default_factory=list)
    degraded_links: list[str] = field(default_factory=list)


def next_minute(moment: dt.datetime) -> dt.datetime:
    """The first whole minute strictly after `moment`: when the every-minute breach check sees it."""
    return moment.replace(second=0, microsecond=0) + MINUTE


def _local(moment: dt.datetime) -> str:
    return f"{moment.astimezone(LONDON):%d %b %H:%M}"


class _Planner:
    def __init__(self, *, cameras: Sequence[CameraInfo], contract: Contract, terms: dict[str, SlaTerm],
                 today: dt.datetime, seed: int):
        self.rng = random.Random(seed)
        self.cameras = {camera.asset_ref: camera for camera in cameras}
        self.contract, self.terms = contract, terms
        self.today = today.astimezone(UTC)
        self.start = self.today - 365 * DAY
        self.busy: dict[str, list[tuple[dt.datetime, dt.datetime]]] = {ref: [] for ref in self.cameras}
        self.plan = HistoryPlan()
        days = range(1, 359)
        self.days = list(days)
        self.day_weights = [WINTER_WEIGHT.get((self.start + d * DAY).astimezone(LONDON).month, 1.0) for d in days]

    # --- time and occupancy ---------------------------------------------------------------
    def random_start(self) -> dt.datetime:
        day = self.rng.choices(self.days, self.day_weights)[0]
        midnight = dt.datetime.combine((self.start + day * DAY).astimezone(LONDON).date(), dt.time(0), LONDON)
        return midnight.astimezone(UTC) + dt.timedelta(minutes=self.rng.randrange(24 * 60))

    def local_at(self, day: dt.date, hour: int, minute: int = 0) -> dt.datetime:
        return dt.datetime.combine(day, dt.time(hour, minute), LONDON).astimezone(UTC)

    def free(self, refs: Sequence[str], start: dt.datetime, end: dt.datetime | None) -> bool:
        end = end or self.today
        return all(end + OUTAGE_GAP <= s or e + OUTAGE_GAP <= start for ref in refs for s, e in self.busy[ref])

    def occupy(self, refs: Sequence[str], start: dt.datetime, end: dt.datetime | None) -> None:
        for ref in refs:
            self.busy[ref].append((start, end or self.today))

    # --- the timeline ---------------------------------------------------------------------
    def outage(self, refs: Sequence[str], *, status: str, start: dt.datetime, end: dt.datetime | None,
               source: str, note: str, end_note: str, end_source: str | None = None) -> None:
        """Cameras drop to `status` at `start` and come back at `end` (None: still down at today)."""
        self.occupy(refs, start, end)
        by = OPERATOR if source == StatusSource.MANUAL else None
        end_source = end_source or source
        for ref in refs:
            self.plan.changes.append(PlannedChange(ref, status, start, source, by, note))
            if end is not None:
                self.plan.changes.append(PlannedChange(
                    ref, CameraStatus.OPERATIONAL, end, end_source,
                    ENGINEER if end_source == StatusSource.MANUAL else None, end_note,
                ))

    # --- faults -----------------------------------------------------------------------------
    def term_in_force(self, priority: str, reported_at: dt.datetime) -> SlaTerm | None:
        """The contract's term for the priority, if the contract's dates (London) cover the report."""
        on = reported_at.astimezone(LONDON).date()
        return self.terms.get(priority) if self.contract.starts_on <= on <= self.contract.ends_on else None

    def clocks(self, fault: PlannedFault) -> PlannedFault:
        """Due times from the contract in force on the report date, and the breaches they imply."""
        term = self.term_in_force(fault.priority, fault.reported_at)
        if term is None:
            return replace(fault, sla_rule="No contract in force on the report date: no SLA clock.")
        due = fault_due_times(fault.reported_at, term, self.contract)
        fault = replace(fault, response_due_at=due.response_due_at, fix_due_at=due.fix_due_at, sla_rule=due.rule_text)
        if fault.status == FaultStatus.CANCELLED:
            return fault
        for kind, done_at in (("response", fault.acknowledged_at), ("fix", fault.fixed_at)):
            due_at = getattr(fault, f"{kind}_due_at")
            stopped_at = done_at or self.today
            if stopped_at > due_at:
                checked_at = next_minute(due_at)
                stamped = min(checked_at, stopped_at)
                notified = stamped if stamped == checked_at else next_minute(stamped)
                fault = replace(fault, **{f"{kind}_breached_at": stamped, f"{kind}_breach_notified_at": notified})
        return fault

    def due_times(self, priority: str, reported_at: dt.datetime) -> tuple[dt.datetime, dt.datetime]:
        """The deadlines the contractor works to; outside the contract's term, a day to fix (no SLA)."""
        term = self.term_in_force(priority, reported_at)
        if term is None:
            return reported_at + 2 * HOUR, reported_at + 24 * HOUR
        due = fault_due_times(reported_at, term, self.contract)
        return due.response_due_at, due.fix_due_at

    def work_times(self, priority: str, reported_at: dt.datetime, *, late_response: bool,
                   late_fix: bool) -> tuple[dt.datetime, dt.datetime]:
        """When the contractor responded and fixed: within the SLA, or late when the dice say so."""
        rng = self.rng
        response_due, fix_due = self.due_times(priority, reported_at)
        if late_response:
            acknowledged = response_due + dt.timedelta(minutes=rng.randint(10, 180))
        else:
            acknowledged = reported_at + (response_due - reported_at) * rng.uniform(0.1, 0.9)
        if late_fix:
            overrun_h = rng.uniform(0.5, 30) if priority in (FaultPriority.P1, FaultPriority.P2) else rng.uniform(2, 96)
            fixed = fix_due + dt.timedelta(hours=overrun_h)
        else:
            fixed = reported_at + (fix_due - reported_at) * rng.uniform(0.25, 0.9)
        fixed = max(fixed, acknowledged + dt.timedelta(minutes=rng.randint(15, 90)))
        return _whole_minute(acknowledged), _whole_minute(fixed)

    def closed(self, fault: PlannedFault) -> PlannedFault:
        """The operator checks the picture and closes within a day, unless that is still to come."""
        closed_at = _whole_minute(fault.fixed_at + dt.timedelta(minutes=self.rng.randint(20, 26 * 60)))
        if closed_at > self.today:
            return replace(fault, status=FaultStatus.FIXED)
        return replace(fault, status=FaultStatus.CLOSED, closed_at=closed_at)

    def add(self, fault: PlannedFault) -> PlannedFault:
        fault = self.clocks(fault)
        self.plan.faults.append(fault)
        return fault

    def feed_duplicates(self, refs: Sequence[str], *, dropped_at: dt.datetime, parent: PlannedFault) -> None:
        """The health feed's own fault per camera, cancelled by the operator as a duplicate."""
        reported = _whole_minute(dropped_at + FEED_FAULT_DELAY)
        cancelled = max(reported, parent.acknowledged_at or reported) + dt.timedelta(minutes=self.rng.randint(3, 25))
        for ref in refs:
            self.add(PlannedFault(
                key=f"{parent.key}/{ref}", subject=("camera", ref), priority=FaultPriority.P2,
                source=FaultSource.HEALTH_FEED, summary=f"{ref} offline since {_local(dropped_at)}",
                description=_FEED_DESCRIPTION, reported_at=reported, reported_by=None, status=FaultStatus.CANCELLED,
                closed_at=cancelled, assigned=False, duplicate_of=parent.key,
            ))


_FEED_DESCRIPTION = ("Opened by the health feed: the camera has reported offline for more than 30 minutes. "
                     "A note is added if it comes back online; a person closes the fault once the picture is checked.")


def _whole_minute(moment: dt.datetime) -> dt.datetime:
    return moment.replace(second=0, microsecond=0)


def _last_date(month: int, day: int, *, before: dt.date) -> dt.date:
    year = before.year if (month, day) < (before.month, before.day) else before.year - 1
    return dt.date(year, month, day)


def _open_now(p: _Planner) -> None:
    """The faults still open at `today`: the ones the demo's people pick up first."""
    today, rng = p.today, p.rng
    sully = [ref for ref, camera in p.cameras.items() if camera.cabinet == SULLY_CABINET]
    dropped = _whole_minute(today - 20 * HOUR - 10 * MINUTE)
    p.outage(sully, status=CameraStatus.DEGRADED, start=dropped, end=None, source=StatusSource.MANUAL,
             note="Operator: intermittent picture, packet loss on the Sully radio link", end_note="")
    reported = dropped + 10 * MINUTE
    p.add(PlannedFault(
        key="open/sully-radio", subject=("link", SULLY_RADIO_LINK), priority=FaultPriority.P2,
        source=FaultSource.MANUAL, summary=f"Sully radio link: intermittent picture on all {len(sully)} Sully cameras",
        description="Packet loss on the radio link from the Sully cabinet to Cadoxton since last night's gales; "
                    "the dish may have moved. Pictures break up but recording continues.",
        reported_at=reported, reported_by=OPERATOR, acknowledged_at=reported + 40 * MINUTE,
        status=FaultStatus.ACKNOWLEDGED,
        notes=((reported + 3 * HOUR, ENGINEER, "Cherry picker booked to realign the dish at Sully."),),
    ))
    p.plan.degraded_links.append(SULLY_RADIO_LINK)

    long_ago = p.local_at((today - 12 * DAY).astimezone(LONDON).date(), 1, 40)
    _feed_fault_open(p, "VOG-028", dropped=long_ago, acknowledged_after=47 * MINUTE, notes=(
        (long_ago + 9 * HOUR, ENGINEER,
         "Column struck by a vehicle overnight and leaning; camera removed for safety. New column on order, "
         "three weeks' lead time: police reference for the collision held by the manager."),
    ))
    _feed_fault_open(p, "VOG-070", dropped=_whole_minute(today - 50 * MINUTE))

    for ref, status, ago, priority, cause, acknowledged in (
        ("VOG-004", CameraStatus.FAULTY, 3 * HOUR, FaultPriority.P2, "No picture: video loss from the camera", False),
        ("VOG-066", CameraStatus.DEGRADED, 2 * DAY + HOUR, FaultPriority.P3, "PTZ will not hold its presets", True),
        ("VOG-050", CameraStatus.DEGRADED, 22 * HOUR, FaultPriority.P4, "Water inside the dome: picture misted",
         False),
    ):
        reported = _whole_minute(today - ago)
        p.outage([ref], status=status, start=reported, end=None, source=StatusSource.MANUAL,
                 note=f"Operator: {cause}", end_note="")
        p.add(PlannedFault(
            key=f"open/{ref}", subject=("camera", ref), priority=priority, source=FaultSource.MANUAL, summary=cause,
            description="", reported_at=reported, reported_by=OPERATOR, assigned=acknowledged,
            acknowledged_at=reported + dt.timedelta(minutes=rng.randint(30, 90)) if acknowledged else None,
            status=FaultStatus.ACKNOWLEDGED if acknowledged else FaultStatus.OPEN,
        ))


def _feed_fault_open(p: _Planner, ref: str, *, dropped: dt.datetime, acknowledged_after: dt.timedelta | None = None,
                     notes: tuple = ()) -> None:
    """A camera still offline at `today`, with the fault the health feed opened for it."""
    p.outage([ref], status=CameraStatus.OFFLINE, start=dropped, end=None, source=StatusSource.HEALTH_FEED,
             note="Health feed: offline", end_note="")
    reported = _whole_minute(dropped + FEED_FAULT_DELAY)
    acknowledged = reported + acknowledged_after if acknowledged_after else None
    p.add(PlannedFault(
        key=f"open/{ref}", subject=("camera", ref), priority=FaultPriority.P2, source=FaultSource.HEALTH_FEED,
        summary=f"{ref} offline since {_local(dropped)}", description=_FEED_DESCRIPTION, reported_at=reported,
        reported_by=None, acknowledged_at=acknowledged, assigned=acknowledged is not None, notes=notes,
        status=FaultStatus.ACKNOWLEDGED if acknowledged else FaultStatus.OPEN,
    ))


def _network_events(p: _Planner) -> None:
    """Two storms that took cabinets down, and two fibre cuts: one with a second route, one without."""
    today_local = p.today.astimezone(LONDON).date()
    events = (
        # key, subject, priority, first local time, minutes to report, to acknowledge, to fix, summary, fix note
        ("storm/barry-island", ("node", BARRY_ISLAND_CABINET), FaultPriority.P1, _storm_at(p, 0, 40), 12, 25, 545,
         "Barry Island cabinet: power lost in the storm, every Barry Island camera offline",
         "Supply restored after the storm; the cabinet's surge protector replaced."),
        ("storm/esplanade", ("node", ESPLANADE_CABINET), FaultPriority.P1, _storm_at(p, 1, 15), 20, 30, 205,
         "Esplanade cabinet: sea water in the cabinet after waves topped the sea wall",
         "Cabinet pumped out and dried; the power supply and switch replaced."),
        # Resilience lost but no picture: logged P2.
        ("cut/barry-direct", ("link", BARRY_DIRECT_LINK), FaultPriority.P2,
         p.local_at(today_local - 200 * DAY, 10, 15), 10, 20, 360,
         "Barry hub: Openreach primary circuit to the control room down",
         "Openreach spliced the cable cut by third-party roadworks on Barry Road."),
        ("cut/cowbridge", ("link", COWBRIDGE_LINK), FaultPriority.P1, p.local_at(today_local - 120 * DAY, 14, 10),
         8, 35, 220, "Cowbridge fibre cut: every Cowbridge camera offline",
         "Openreach repaired the cable damaged by a contractor's excavation."),
    )
    for key, subject, priority, dropped, to_report, to_acknowledge, to_fix, summary, fix_note in events:
        if dropped < p.start + DAY:
            continue
        kind, name = subject
        # A cut on Barry's primary circuit takes no camera down: the Penarth route carries Barry.
        refs = [] if subject == ("link", BARRY_DIRECT_LINK) else _behind(p, subject)
        fixed = dropped + dt.timedelta(minutes=to_fix)
        if not p.free(refs, dropped, fixed):
            continue
        reported = dropped + dt.timedelta(minutes=to_report)
        fault = p.closed(PlannedFault(
            key=key, subject=subject, priority=priority, source=FaultSource.MANUAL, summary=summary,
            description=_network_description(refs), reported_at=reported, reported_by=OPERATOR,
            acknowledged_at=reported + dt.timedelta(minutes=to_acknowledge), fixed_at=fixed,
            notes=((fixed, ENGINEER, fix_note),),
        ))
        fault = p.add(fault)
        if refs:
            p.outage(refs, status=CameraStatus.OFFLINE, start=dropped, end=fixed, source=StatusSource.HEALTH_FEED,
                     note="Health feed: offline", end_note=f"Health feed: online ({name} back in service)")
            p.feed_duplicates(refs, dropped_at=dropped, parent=fault)


def _storm_at(p: _Planner, index: int, minute: int) -> dt.datetime:
    month, day, hour = STORMS[index]
    storm_day = _last_date(month, day, before=(p.today - 2 * DAY).astimezone(LONDON).date())
    return p.local_at(storm_day, hour, minute)


def _behind(p: _Planner, subject: tuple[str, str]) -> list[str]:
    """The cameras a cabinet, or a cabinet's only link, carries (the demo network is drawn that way)."""
    kind, name = subject
    cabinet = name if kind == "node" else {COWBRIDGE_LINK: COWBRIDGE_CABINET}[name]
    return [ref for ref, camera in p.cameras.items() if camera.cabinet == cabinet]


def _network_description(refs: Sequence[str]) -> str:
    if not refs:
        return "No camera lost its picture: traffic moved to the second route, through Penarth."
    return f"Cameras off air: {', '.join(refs)}. The health feed's own faults for them are cancelled as duplicates."


def _storm_camera_damage(p: _Planner) -> None:
    """The third storm's wind knocked two exposed PTZ cameras off their mounts' alignment."""
    dropped = _storm_at(p, 2, 30)
    if dropped < p.start + DAY:
        return
    cause = ("Storm damage: PTZ housing twisted on its mount", "Mount re-aligned and housing replaced.")
    for ref in ("VOG-031", "VOG-076"):
        if ref in p.cameras:
            start = dropped + dt.timedelta(minutes=p.rng.randint(0, 50))
            _camera_fault(p, ref, status=CameraStatus.FAULTY, start=start, cause=cause)


def _camera_faults(p: _Planner) -> None:
    """The everyday faults, spread over the year with winter weighted (WINTER_WEIGHT)."""
    rng = p.rng
    refs = sorted(p.cameras)
    weights = [1.5 if p.cameras[ref].kind == CameraKind.PTZ else 1.0 for ref in refs]
    for _ in range(CAMERA_FAULT_OUTAGES):
        ref = rng.choices(refs, weights)[0]
        status = rng.choices((CameraStatus.OFFLINE, CameraStatus.FAULTY, CameraStatus.DEGRADED), (45, 20, 35))[0]
        late = (rng.random() < RESPONSE_BREACH_SHARE, rng.random() < FIX_BREACH_SHARE)
        if status == CameraStatus.FAULTY:
            cause = rng.choice(FAULTY_CAUSES)
        elif status == CameraStatus.DEGRADED:
            cause = rng.choice(DEGRADED_CAUSES)
        else:
            cause = rng.choice(OFFLINE_FIXES)
        for _attempt in range(12):
            if _camera_fault(p, ref, status=status, start=p.random_start(), cause=cause, late=late):
                break


def _camera_fault(p: _Planner, ref: str, *, status: str, start: dt.datetime, cause: tuple,
                  late: tuple[bool, bool] = (False, False)) -> bool:
    """One camera's outage with its fault, if it fits in the camera's year; False when it does not."""
    camera = p.cameras[ref]
    start = _whole_minute(start)
    if status == CameraStatus.OFFLINE:
        priority, source, reported = FaultPriority.P2, FaultSource.HEALTH_FEED, _whole_minute(start + FEED_FAULT_DELAY)
        summary, fix_note = f"{ref} offline since {_local(start)}", cause
    else:
        summary, fix_note, *level = cause
        if level:
            priority = level[0]
        elif camera.purpose.startswith("Night-time economy") or camera.kind == CameraKind.ANPR:
            priority = FaultPriority.P1
        else:
            priority = FaultPriority.P2
        source, reported = FaultSource.MANUAL, start
    acknowledged, fixed = p.work_times(priority, reported, late_response=late[0], late_fix=late[1])
    if fixed > p.today - 6 * HOUR or not p.free([ref], start, fixed):
        return False
    if status == CameraStatus.OFFLINE:
        p.outage([ref], status=status, start=start, end=fixed, source=StatusSource.HEALTH_FEED,
                 note="Health feed: offline", end_note="Health feed: online")
    else:
        p.outage([ref], status=status, start=start, end=fixed, source=StatusSource.MANUAL,
                 note=f"Operator: {summary}", end_note=f"Engineer: {fix_note}")
    p.add(p.closed(PlannedFault(
        key=f"camera/{ref}/{start:%Y%m%d%H%M}", subject=("camera", ref), priority=priority, source=source,
        summary=summary, description=_FEED_DESCRIPTION if source == FaultSource.HEALTH_FEED else "",
        reported_at=reported, reported_by=None if source == FaultSource.HEALTH_FEED else OPERATOR,
        acknowledged_at=acknowledged, fixed_at=fixed, notes=((fixed, ENGINEER, fix_note),),
    )))
    return True


def _short_drops(p: _Planner) -> None:
    """Drops of a few minutes that recovered by themselves: under the feed's 30 minutes, so no fault."""
    rng = p.rng
    refs = sorted(p.cameras)
    for _ in range(SHORT_DROPS):
        ref = rng.choice(refs)
        start = _whole_minute(p.random_start())
        end = start + dt.timedelta(minutes=rng.randint(2, 25))
        if end < p.today - HOUR and p.free([ref], start, end):
            p.outage([ref], status=CameraStatus.OFFLINE, start=start, end=end, source=StatusSource.HEALTH_FEED,
                     note="Health feed: offline", end_note="Health feed: online")


def history_plan(*, cameras: Sequence[CameraInfo], contract: Contract, terms: dict[str, SlaTerm],
                 today: dt.datetime, seed: int) -> HistoryPlan:
    """The year before `today`, the same for the same cameras, contract, today and seed."""
    planner = _Planner(cameras=cameras, contract=contract, terms=terms, today=today, seed=seed)
    # Order matters for repeatability: events that must happen are placed before random ones.
    _open_now(planner)
    _network_events(planner)
    _storm_camera_damage(planner)
    _camera_faults(planner)
    _short_drops(planner)
    planner.plan.changes.sort(key=lambda c: (c.asset_ref, c.changed_at))
    planner.plan.faults.sort(key=lambda f: (f.reported_at, f.key))
    return planner.plan
