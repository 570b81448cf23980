"""Load the Vale demo estate: network, 84 cameras, the monitoring contract, a year of history.

Deterministic and idempotent. The same seed and `today` give the same estate; a second run
finds every camera by asset_ref, node by name, link by circuit id and the contract by
reference, creates nothing and changes nothing. History and faults are written only for the
cameras (and the cabinets and links) a run creates, so a second run cannot duplicate them.

Everything goes through the services that own the rules (camera_create, camera_relocate,
node_create, link_create, link_status_set, contract_create, paths_retrace); only the year of
status history and its faults are written in bulk, because they are the past: the services
stamp "now", and the history is a year of other times (cctv.demo.history explains how each
time is derived from the SLA clocks). The whole load is one transaction: it lands whole or
not at all.
"""

from __future__ import annotations

import datetime as dt
import logging
import random
import time
from collections import Counter
from dataclasses import dataclass
from decimal import Decimal

import pghistory
from django.contrib.gis.geos import Point
from django.db import connection, transaction
from django.db.models import IntegerField, Max
from django.db.models.functions import Cast, Substr
from django.utils import timezone

from accounts.demo import demo_organisations_ensure
from accounts.exceptions import WrongState
from accounts.models import Organisation, User
from cctv.choices import (
    FAULT_STATUSES_ACTIVE,
    CameraKind,
    CameraStatus,
    FaultPriority,
    FaultStatus,
    Mounting,
    NetworkStatus,
    SlaClock,
)
from cctv.demo import sites as site_data
from cctv.demo.history import LONDON, CameraInfo, HistoryPlan, PlannedFault, history_plan
from cctv.demo.network import DemoNetwork, bng, demo_network_ensure
from cctv.demo.scheme import demo_scheme_ensure
from cctv.demo.sites import SITES, Site
from cctv.models import Camera, CameraPath, CameraStatusChange, Contract, Fault, FaultNote, Link, Node
from cctv.services.cameras import camera_create, camera_relocate
from cctv.services.contract import SlaTermSpec, contract_create
from cctv.services.faults import FAULT_REFERENCE_LOCK
from cctv.services.network import link_status_set, paths_retrace

logger = logging.getLogger(__name__)

CONTRACT_REFERENCE = "VOG-CCTV-2023"
SLA_TERMS = (
    SlaTermSpec(FaultPriority.P1, response_minutes=60, fix_minutes=240, clock=SlaClock.ROUND_THE_CLOCK),
    SlaTermSpec(FaultPriority.P2, response_minutes=240, fix_minutes=1440, clock=SlaClock.ROUND_THE_CLOCK),
    SlaTermSpec(FaultPriority.P3, response_minutes=480, fix_minutes=2400, clock=SlaClock.WORKING_HOURS),
    SlaTermSpec(FaultPriority.P4, response_minutes=960, fix_minutes=7200, clock=SlaClock.WORKING_HOURS),
)
DEMO_USERNAMES = ("manager", "operator", "engineer")


@dataclass(frozen=True)
class DemoSummary:
    """The demo estate as it stands after a load, and what this run added to it."""

    cameras_by_status: dict[str, int]
    nodes: int
    links: int
    paths_complete: int
    faults_by_status: dict[str, int]
    faults_breached: int
    status_changes: int
    created: dict[str, int]
    elapsed_s: float

    @property
    def cameras(self) -> int:
        return sum(self.cameras_by_status.values())

    @property
    def faults_open(self) -> int:
        return sum(self.faults_by_status.get(status, 0) for status in FAULT_STATUSES_ACTIVE)

    def lines(self) -> list[str]:
        statuses = ", ".join(f"{count} {status}" for status, count in sorted(self.cameras_by_status.items()))
        faults = ", ".join(f"{count} {status}" for status, count in sorted(self.faults_by_status.items()))
        made = ", ".join(f"{count} {what}" for what, count in self.created.items())
        return [
            f"  cameras: {self.cameras} ({statuses}); {self.paths_complete} with a complete path",
            f"  network: {self.nodes} nodes, {self.links} links",
            f"  faults: {sum(self.faults_by_status.values())} ({faults}); {self.faults_open} open, "
            f"{self.faults_breached} breached an SLA",
            f"  status changes: {self.status_changes}",
            f"  created by this run: {made}",
            f"  took {self.elapsed_s:.1f} s",
        ]


def vale_demo_estate_load(*, seed: int = 2026, today: dt.datetime | None = None) -> DemoSummary:
    """Load (or complete) the Vale demo estate as it stands at `today` (now by default).

    The demo people must exist first (accounts.demo.demo_people_ensure, which the
    load_vale_demo command runs): the manager owns the contract, the operator logs faults and
    the engineer fixes them.
    """
    started = time.perf_counter()
    today = (today or timezone.now()).replace(microsecond=0)
    if timezone.is_naive(today):
        raise ValueError("today must be timezone-aware.")
    orgs = demo_organisations_ensure()
    people = _demo_people()
    # No pghistory.context around the whole load: nested contexts merge into one, and each service's
    # own (camera_relocate with its reason, say) must stay a separate entry in the history.
    with transaction.atomic():
        created = _load(orgs.council, orgs.contractor, people, seed=seed, today=today)
    return _summary(orgs.council, created=created, elapsed_s=time.perf_counter() - started)


def _demo_people() -> dict[str, User]:
    people = {user.username: user for user in User.objects.filter(username__in=DEMO_USERNAMES)}
    missing = [name for name in DEMO_USERNAMES if name not in people]
    if missing:
        raise WrongState(f"The demo people {', '.join(missing)} do not exist yet: run the load_vale_demo command, "
                         "which creates them before the estate.")
    return people


def _load(council: Organisation, contractor: Organisation, people: dict[str, User], *, seed: int,
          today: dt.datetime) -> dict[str, int]:
    manager = people["manager"]
    timeline_starts_at = today - dt.timedelta(days=365)
    network = demo_network_ensure(owner=council, by=manager)
    cameras, new_refs = _cameras_ensure(council, network, by=manager, seed=seed, today=today,
                                        status_at=timeline_starts_at)
    contract = _contract_ensure(council, contractor, manager)
    demo_scheme_ensure(council=council, by=manager)
    plan = history_plan(
        cameras=[CameraInfo(ref, cameras[ref].node.name, cameras[ref].kind, cameras[ref].purpose) for ref in cameras],
        contract=contract, terms={term.priority: term for term in contract.sla_terms.all()}, today=today, seed=seed,
    )
    changes = _timelines_write(plan, cameras, new_refs, people, starts_at=timeline_starts_at)
    references = _faults_write(plan, council, contract, cameras, network, new_refs, people)
    for circuit_ref in plan.degraded_links:
        if circuit_ref in network.links_created:
            fault = next(f for f in plan.faults
                         if f.subject == ("link", circuit_ref) and f.status in FAULT_STATUSES_ACTIVE)
            link_status_set(link=network.links[circuit_ref], status=NetworkStatus.DEGRADED, by=people["operator"],
                            reason=f"Fault {references[fault.key]}: {fault.summary}")
    paths_retrace(owner=council)
    return {"cameras": len(new_refs), "nodes": len(network.nodes_created), "links": len(network.links_created),
            "faults": len(references), "status changes": changes}


# --- cameras --------------------------------------------------------------------------------

def _site_location(site: Site) -> Point:
    anchor = bng(site.lon, site.lat)
    east, north = site.offset_m
    return Point(anchor.x + east, anchor.y + north, srid=27700)


def _camera_fields(site: Site, rng: random.Random, today: dt.datetime) -> dict:
    """Everything the register holds about a camera beyond the site data, drawn the same way every run.

    Every site takes the same number of draws, whatever its kind, so one site's attributes do
    not depend on another's and a camera that already exists leaves the rest unchanged.
    """
    range_full_circle, range_sector, angle, mount_draw = (rng.randint(80, 150), rng.randint(50, 110),
                                                          rng.randint(40, 90), rng.random())
    first_installed = _day_between(rng, *site_data.ORIGINAL_INSTALL_WINDOW)
    new_installed = _day_between(rng, *site_data.NEW_INSTALL_WINDOW)
    upgraded = _day_between(rng, *site_data.UPGRADE_PHASES[site.town])
    if site.kind == CameraKind.ANPR:
        make, model_name = site_data.ANPR_MODEL
    else:
        make, model_name = site_data.MODELS["axis" if site.new_install else site_data.SUPPLIER_BY_TOWN[site.town]][
            site.kind]
    mounting = {CameraKind.PTZ: Mounting.COLUMN, CameraKind.DOME: Mounting.BUILDING, CameraKind.ANPR: Mounting.POLE}
    full_circle = site.kind == CameraKind.PTZ
    return {
        "asset_ref": site.asset_ref, "name": site.name, "town": site.town, "ward": site.ward, "kind": site.kind,
        "mounting": mounting.get(site.kind, Mounting.WALL if mount_draw < 0.4 else Mounting.COLUMN),
        "make": make, "model_name": model_name,
        "installed_on": new_installed if site.new_install else first_installed,
        "upgraded_on": None if site.new_install else (site.relocation.relocated_on if site.relocation else upgraded),
        "bearing_deg": float(site.bearing_deg), "view_angle_deg": 360.0 if full_circle else float(angle),
        "view_range_m": float(range_full_circle if full_circle else range_sector),
        "retention_days": site.retention_days, "purpose": site.purpose,
        "dpia_ref": f"DPIA/VOG/CCTV/{site_data.DPIA_AREA_CODE[site.town]}/2023",
        "dpia_review_due_on": timezone.localdate(today) + dt.timedelta(
            days=site_data.DPIA_REVIEW_DUE_IN_DAYS[site.town]),
        "has_signage": site.asset_ref not in site_data.AWAITING_SIGNAGE,
        "privacy_masking_notes": site_data.PRIVACY_MASKS.get(site.asset_ref, ""),
    }


def _day_between(rng: random.Random, first: dt.date, last: dt.date) -> dt.date:
    return first + dt.timedelta(days=rng.randint(0, (last - first).days))


def _cameras_ensure(council: Organisation, network: DemoNetwork, *, by: User, seed: int, today: dt.datetime,
                    status_at: dt.datetime) -> tuple[dict[str, Camera], set[str]]:
    """Register the sites that are missing; relocated ones first at their old place, then moved."""
    rng = random.Random(f"vale-demo-estate:{seed}")
    existing = {camera.asset_ref: camera for camera in
                Camera.objects.filter(owner=council, asset_ref__in=[site.asset_ref for site in SITES])
                .select_related("node")}
    cameras, new_refs = {}, set()
    for site in SITES:
        fields = _camera_fields(site, rng, today)
        if site.asset_ref in existing:
            cameras[site.asset_ref] = existing[site.asset_ref]
            continue
        location = _site_location(site)
        first_location = location
        if site.relocation is not None:
            east, north = site.relocation.from_offset_m
            first_location = Point(location.x + east, location.y + north, srid=27700)
        camera = camera_create(owner=council, by=by, status_at=status_at, location=first_location,
                               status=CameraStatus.OPERATIONAL, node=network.nearest_cabinet(location), **fields)
        if site.relocation is not None:
            camera = camera_relocate(camera=camera, by=by, location=location, reason=site.relocation.reason,
                                     relocated_on=site.relocation.relocated_on).camera
        cameras[site.asset_ref] = camera
        new_refs.add(site.asset_ref)
    return cameras, new_refs


# --- the contract ---------------------------------------------------------------------------

def _contract_ensure(council: Organisation, contractor: Organisation, manager: User) -> Contract:
    contract = Contract.objects.filter(owner=council, reference=CONTRACT_REFERENCE).first()
    if contract is not None:
        return contract
    return contract_create(
        owner=council, contractor=contractor, contract_owner=manager, by=manager, reference=CONTRACT_REFERENCE,
        title="Public-space CCTV monitoring and maintenance", starts_on=dt.date(2023, 4, 1),
        ends_on=dt.date(2028, 3, 31), sla_terms=list(SLA_TERMS), monitored_hours="24 hours a day, 365 days a year",
        availability_target_pct=Decimal("98.00"), camera_availability_target_pct=Decimal("95.00"),
        monthly_fee_gbp=Decimal("9500.00"), credit_per_response_breach_gbp=Decimal("150.00"),
        credit_per_fix_breach_gbp=Decimal("300.00"), availability_credit_pct_per_point=Decimal("1.00"),
    )


# --- history ----------------------------------------------------------------------------------

def _timelines_write(plan: HistoryPlan, cameras: dict[str, Camera], new_refs: set[str], people: dict[str, User],
                     *, starts_at: dt.datetime) -> int:
    """The planned timeline of each new camera, and its current status: that of its last entry."""
    rows = [CameraStatusChange(camera=cameras[change.asset_ref], status=change.status, changed_at=change.changed_at,
                               source=change.source, changed_by=people.get(change.by), note=change.note)
            for change in plan.changes if change.asset_ref in new_refs]
    CameraStatusChange.objects.bulk_create(rows, batch_size=1000)
    last: dict[str, tuple[str, dt.datetime]] = {}
    for change in plan.changes:  # sorted by camera, then time
        last[change.asset_ref] = (change.status, change.changed_at)
    moved = []
    for ref in sorted(new_refs):
        camera = cameras[ref]
        camera.status, camera.status_changed_at = last.get(ref, (CameraStatus.OPERATIONAL, starts_at))
        moved.append(camera)
    with pghistory.context(action="camera_status", source="demo history"):
        Camera.objects.bulk_update(moved, ["status", "status_changed_at"])
    return len(rows)


def _fault_references(faults: list[PlannedFault]) -> dict[str, str]:
    """F-<year>-<nnnnn> in report order, after the highest of that year already issued.

    Holds the same per-year advisory lock as cctv.services.faults, so a fault opened while the
    demo loads cannot take the same number.
    """
    references, next_number = {}, {}
    for fault in sorted(faults, key=lambda f: (f.reported_at, f.key)):
        year = fault.reported_at.astimezone(LONDON).year
        if year not in next_number:
            with connection.cursor() as cursor:
                cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [FAULT_REFERENCE_LOCK, year])
            prefix = f"F-{year}-"
            last = (Fault.objects.filter(reference__startswith=prefix)
                    .aggregate(n=Max(Cast(Substr("reference", len(prefix) + 1), IntegerField())))["n"])
            next_number[year] = (last or 0) + 1
        references[fault.key] = f"F-{year}-{next_number[year]:05d}"
        next_number[year] += 1
    return references


def _faults_write(plan: HistoryPlan, council: Organisation, contract: Contract, cameras: dict[str, Camera],
                  network: DemoNetwork, new_refs: set[str], people: dict[str, User]) -> dict[str, str]:
    """Faults on the cameras, cabinets and links this run created. Returns their references by plan key."""
    created = {("camera", ref) for ref in new_refs} | {("node", name) for name in network.nodes_created} | {
        ("link", ref) for ref in network.links_created}
    faults = [fault for fault in plan.faults if fault.subject in created]
    references = _fault_references(faults)
    operator, engineer = people["operator"], people["engineer"]
    rows, notes = [], []
    for planned in faults:
        kind, key = planned.subject
        subject = {"camera": cameras, "node": network.nodes, "link": network.links}[kind][key]
        fault = Fault(
            owner=council, reference=references[planned.key], **{kind: subject},
            contract=contract if planned.response_due_at else None, priority=planned.priority,
            status=planned.status, source=planned.source, summary=planned.summary, description=planned.description,
            assigned_to=engineer if planned.assigned else None, reported_at=planned.reported_at,
            reported_by=people.get(planned.reported_by), acknowledged_at=planned.acknowledged_at,
            acknowledged_by=operator if planned.acknowledged_at else None, fixed_at=planned.fixed_at,
            fixed_by=engineer if planned.fixed_at else None, closed_at=planned.closed_at,
            closed_by=operator if planned.closed_at else None, response_due_at=planned.response_due_at,
            fix_due_at=planned.fix_due_at, sla_rule=planned.sla_rule,
            response_breached_at=planned.response_breached_at, fix_breached_at=planned.fix_breached_at,
            response_breach_notified_at=planned.response_breach_notified_at,
            fix_breach_notified_at=planned.fix_breach_notified_at,
        )
        rows.append(fault)
        for at, role, text in planned.notes:
            notes.append((fault, at, people[role], text))
        if planned.status == FaultStatus.CANCELLED:
            parent = references.get(planned.duplicate_of, "the cabinet or link fault")
            notes.append((fault, planned.closed_at, operator, f"Cancelled: duplicate of {parent}."))
    with pghistory.context(action="fault_open", source="demo history"):
        Fault.objects.bulk_create(rows, batch_size=500)
    note_rows = FaultNote.objects.bulk_create([FaultNote(fault=f, author=a, text=t) for f, _, a, t in notes])
    for row, (_, at, _, _) in zip(note_rows, notes, strict=True):
        row.at = at  # auto_now_add stamped the load time; a note belongs to the time it was written
    FaultNote.objects.bulk_update(note_rows, ["at"], batch_size=500)
    return references


# --- the summary ------------------------------------------------------------------------------

def _summary(council: Organisation, *, created: dict[str, int], elapsed_s: float) -> DemoSummary:
    demo_refs = [site.asset_ref for site in SITES]
    cameras = Camera.objects.filter(owner=council, asset_ref__in=demo_refs)
    faults = Fault.objects.filter(owner=council)
    return DemoSummary(
        cameras_by_status=dict(Counter(cameras.values_list("status", flat=True))),
        nodes=Node.objects.filter(owner=council).count(),
        links=Link.objects.filter(owner=council).count(),
        paths_complete=CameraPath.objects.filter(camera__in=cameras, is_complete=True).count(),
        faults_by_status=dict(Counter(faults.values_list("status", flat=True))),
        faults_breached=faults.exclude(response_breached_at=None, fix_breached_at=None).count(),
        status_changes=CameraStatusChange.objects.filter(camera__in=cameras).count(),
        created=created,
        elapsed_s=elapsed_s,
    )
