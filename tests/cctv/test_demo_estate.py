"""The Vale demo estate loader (DESIGN.md section 6), with `today` pinned.

The estate is loaded once for the module, twice over (the first load rolled back), so that
determinism is a comparison of two real loads; each test then runs in a savepoint on top of
the second. Figures worked out by hand:

- VOG-004 stands on the data.police.uk point "On or near Holton Road" (-3.262050, 51.406966),
  E 312315.0 N 168305.0 on the British National Grid; VOG-031 is 320 m east and 140 m south
  of the point "On or near Barry Tourist Railway" (E 311342.0 N 166695.0): E 311662.0 N 166555.0.
- The relocations moved VOG-013 by (22, -18) m and VOG-030 by (-25, -34) m: 28.4 m and 42.2 m.
- The Barry hub (E 312040.0 N 168291.3) to the viewing platform (E 312374.1 N 168714.8) is a
  straight link: sqrt(334.1^2 + 423.5^2) = 539.4 m.
- At `today`: the 3 Sully cameras (radio link fault), VOG-066 and VOG-050 are degraded, VOG-004
  is faulty, VOG-028 and VOG-070 are offline: 76 operational, 5 degraded, 1 faulty, 2 offline.
- A P1 fault reported 2026-03-16 10:00 GMT is due a response at 11:00 and a fix at 14:00.
"""

from __future__ import annotations

import datetime as dt
import io
import math
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from zoneinfo import ZoneInfo

import pytest
from django.conf import settings
from django.contrib.gis.geos import Polygon
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import override_settings

from accounts.demo import demo_organisations_ensure, demo_people_ensure
from accounts.exceptions import WrongState
from accounts.models import User
from cctv.choices import (
    FAULT_STATUSES_ACTIVE,
    CameraKind,
    CameraStatus,
    FaultPriority,
    FaultSource,
    FaultStatus,
    NetworkStatus,
    NodeKind,
    SlaClock,
)
from cctv.demo.load import DemoSummary, vale_demo_estate_load
from cctv.demo.network import BARRY_DIRECT_LINK, BARRY_HUB, MONITORING_CENTRE, SULLY_RADIO_LINK, VIEWING_PLATFORM
from cctv.models import Camera, CameraPath, CameraStatusChange, Contract, Fault, Link, Node
from cctv.queries import cameras_cut_off_by, cameras_routed_through
from cctv.services.faults import sla_breaches_check
from cctv.sla import fault_due_times

LONDON = ZoneInfo("Europe/London")
TODAY = dt.datetime(2026, 3, 16, 10, 0, tzinfo=LONDON)  # a Monday, in GMT
YEAR_AGO = TODAY - dt.timedelta(days=365)
SULLY = ["VOG-082", "VOG-083", "VOG-084"]


def _snapshot() -> dict:
    """Everything a second load must reproduce exactly, keyed by natural keys (ids differ)."""
    cameras = {
        c.asset_ref: (round(c.location.x, 3), round(c.location.y, 3), c.status, c.status_changed_at, c.node.name,
                      c.kind, c.bearing_deg, c.view_angle_deg, c.view_range_m, c.make, c.model_name, c.installed_on,
                      c.upgraded_on, c.retention_days, c.dpia_review_due_on, round(c.view_polygon.area, 3))
        for c in Camera.objects.select_related("node")
    }
    timeline = sorted((s.camera.asset_ref, s.changed_at, s.status, s.source, s.note)
                      for s in CameraStatusChange.objects.select_related("camera"))
    faults = sorted((f.reference, str(f.subject), f.priority, f.status, f.source, f.summary, f.reported_at,
                     f.acknowledged_at, f.fixed_at, f.closed_at, f.response_due_at, f.fix_due_at,
                     f.response_breached_at, f.fix_breached_at)
                    for f in Fault.objects.select_related("camera", "node", "link"))
    links = sorted((link.circuit_ref, link.kind, link.status, round(link.length_m, 3)) for link in Link.objects.all())
    nodes = sorted((n.name, n.kind, round(n.location.x, 3), round(n.location.y, 3)) for n in Node.objects.all())
    return {"cameras": cameras, "timeline": timeline, "faults": faults, "links": links, "nodes": nodes}


@dataclass(frozen=True)
class Loaded:
    summary: DemoSummary
    first: dict
    second: dict


@pytest.fixture(scope="module")
def loaded(django_db_setup, django_db_blocker):
    """Load into an empty estate, snapshot, roll back; load again and keep it for the module's tests."""
    with django_db_blocker.unblock(), override_settings(
        PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"]
    ), transaction.atomic():
        demo_people_ensure(orgs=demo_organisations_ensure(), password="demo-password-for-tests")
        with transaction.atomic():
            vale_demo_estate_load(today=TODAY)
            first = _snapshot()
            transaction.set_rollback(True)
        summary = vale_demo_estate_load(today=TODAY)
        yield Loaded(summary=summary, first=first, second=_snapshot())
        transaction.set_rollback(True)


@pytest.fixture
def estate(loaded, db):
    return loaded


def _in_order(*moments) -> bool:
    present = [m for m in moments if m is not None]
    return present == sorted(present)


# --- the register -------------------------------------------------------------------------------

def test_the_estate_is_84_cameras_vog_001_to_vog_084(estate):
    assert list(Camera.objects.order_by("asset_ref").values_list("asset_ref", flat=True)) == [
        f"VOG-{n:03d}" for n in range(1, 85)
    ]
    assert estate.summary.cameras == 84


def test_every_camera_is_inside_the_service_area(estate):
    area = Polygon.from_bbox(settings.SERVICE_AREA_BBOX_27700)
    area.srid = 27700
    assert Camera.objects.filter(location__within=area).count() == 84


def test_every_camera_has_the_field_of_view_its_range_and_angle_make(estate):
    for camera in Camera.objects.all():
        full_circle = camera.kind == CameraKind.PTZ
        expected = math.pi * camera.view_range_m**2 * (1 if full_circle else camera.view_angle_deg / 360)
        assert camera.view_polygon is not None, camera.asset_ref
        assert camera.view_polygon.area == pytest.approx(expected, rel=0.005), camera.asset_ref
        if full_circle:
            assert camera.view_angle_deg == 360 and 80 <= camera.view_range_m <= 150
        else:
            assert 40 <= camera.view_angle_deg <= 90 and 50 <= camera.view_range_m <= 110


def test_cameras_stand_on_the_police_data_points_they_credit(estate):
    holton_road = Camera.objects.get(asset_ref="VOG-004").location
    assert (holton_road.x, holton_road.y) == (pytest.approx(312315.0, abs=0.5), pytest.approx(168305.0, abs=0.5))
    promenade = Camera.objects.get(asset_ref="VOG-031").location
    assert (promenade.x, promenade.y) == (pytest.approx(311662.0, abs=0.5), pytest.approx(166555.0, abs=0.5))


def test_the_kinds_are_mostly_fixed_and_ptz_with_some_domes_and_two_anpr(estate):
    kinds = Counter(Camera.objects.values_list("kind", flat=True))
    assert kinds == {CameraKind.FIXED: 47, CameraKind.PTZ: 28, CameraKind.DOME: 7, CameraKind.ANPR: 2}


def test_78_cameras_were_upgraded_in_2020_23_and_6_were_new_installs_in_2022_23(estate):
    upgraded = Camera.objects.filter(upgraded_on__gte=dt.date(2020, 1, 1), upgraded_on__lte=dt.date(2023, 12, 31))
    assert upgraded.count() == 78
    assert upgraded.filter(installed_on__lt=dt.date(2020, 1, 1)).count() == 78
    new = Camera.objects.filter(upgraded_on=None)
    assert list(new.values_list("asset_ref", flat=True)) == ["VOG-023", "VOG-041", "VOG-051", "VOG-070", "VOG-077",
                                                             "VOG-081"]
    assert new.filter(installed_on__gte=dt.date(2022, 1, 1), installed_on__lte=dt.date(2023, 12, 31)).count() == 6


def test_two_cameras_carry_a_relocation_with_its_reason_and_date(estate):
    events = (Camera.pgh_event_model.objects.filter(pgh_context__metadata__action="camera_relocate")
              .select_related("pgh_context").order_by("asset_ref"))
    assert [(e.asset_ref, e.pgh_context.metadata["relocated_on"]) for e in events] == [
        ("VOG-013", "2021-09-14"), ("VOG-030", "2022-03-08")]
    assert all(e.pgh_context.metadata["reason"].startswith("Moved ") for e in events)
    for event, moved_m in zip(events, (28.4, 42.2), strict=True):
        registered_at = Camera.pgh_event_model.objects.get(pgh_obj_id=event.pgh_obj_id, pgh_label="insert").location
        assert registered_at.distance(event.location) == pytest.approx(moved_m, abs=0.05)


def test_retention_is_31_days_except_three_agreed_shorter(estate):
    assert Counter(Camera.objects.values_list("retention_days", flat=True)) == {31: 81, 28: 2, 14: 1}


def test_the_st_athan_and_rhoose_dpia_reviews_are_overdue(estate):
    overdue = Camera.objects.filter(dpia_review_due_on__lt=TODAY.date())
    assert set(overdue.values_list("town", flat=True)) == {"St Athan", "Rhoose"}
    assert overdue.count() == 6


# --- the network ----------------------------------------------------------------------------------

def test_every_camera_hangs_on_a_cabinet_with_a_complete_path_to_the_monitoring_centre(estate):
    centre = Node.objects.get(name=MONITORING_CENTRE, kind=NodeKind.MONITORING_CENTRE)
    assert Camera.objects.filter(node__kind=NodeKind.CABINET).count() == 84
    paths = CameraPath.objects.filter(camera__asset_ref__startswith="VOG-")
    assert paths.filter(is_complete=True).count() == 84
    assert {path.node_ids[-1] for path in paths} == {centre.pk}


def test_barry_has_two_routes_so_cutting_its_direct_circuit_cuts_off_no_camera(estate):
    direct = Link.objects.get(circuit_ref=BARRY_DIRECT_LINK)
    assert cameras_routed_through(link=direct).filter(town="Barry").count() == 45
    assert list(cameras_cut_off_by(link=direct)) == []


def test_link_lengths_are_measured_from_their_routes(estate):
    for link in Link.objects.all():
        assert link.length_m == pytest.approx(link.route.length)
    platform = Link.objects.get(a_node__name=BARRY_HUB, b_node__name=VIEWING_PLATFORM)
    assert platform.length_m == pytest.approx(539.4, abs=0.1)


def test_the_network_has_wireless_and_4g_links_for_remote_cameras(estate):
    assert Counter(Link.objects.values_list("kind", flat=True)) == {"fibre": 22, "wireless": 2, "cellular_4g": 1}
    assert Node.objects.filter(kind=NodeKind.VIEWING_PLATFORM).count() == 1
    assert Node.objects.filter(kind=NodeKind.HUB).count() == 3


# --- the contract ---------------------------------------------------------------------------------

def test_the_contract_has_its_agreed_terms_and_four_sla_terms(estate):
    contract = Contract.objects.get(reference="VOG-CCTV-2023")
    assert (contract.owner.name, contract.contractor.name, contract.contract_owner.username) == (
        "Vale of Glamorgan Council", "Cardiff Council CCTV Control Room", "manager")
    assert (contract.starts_on, contract.ends_on) == (dt.date(2023, 4, 1), dt.date(2028, 3, 31))
    assert (contract.availability_target_pct, contract.camera_availability_target_pct) == (98, 95)
    assert (contract.monthly_fee_gbp, contract.credit_per_response_breach_gbp, contract.credit_per_fix_breach_gbp,
            contract.availability_credit_pct_per_point) == (9500, 150, 300, 1)
    terms = [(t.priority, t.response_minutes, t.fix_minutes, t.clock) for t in contract.sla_terms.order_by("priority")]
    assert terms == [
        (FaultPriority.P1, 60, 240, SlaClock.ROUND_THE_CLOCK),
        (FaultPriority.P2, 240, 1440, SlaClock.ROUND_THE_CLOCK),
        (FaultPriority.P3, 480, 2400, SlaClock.WORKING_HOURS),
        (FaultPriority.P4, 960, 7200, SlaClock.WORKING_HOURS),
    ]
    p1 = fault_due_times(TODAY, contract.sla_terms.get(priority=FaultPriority.P1), contract)
    assert (p1.response_due_at, p1.fix_due_at) == (TODAY + dt.timedelta(hours=1), TODAY + dt.timedelta(hours=4))


# --- status history -------------------------------------------------------------------------------

def test_each_timeline_starts_a_year_ago_runs_in_time_order_and_ends_at_the_current_status(estate):
    by_camera = defaultdict(list)
    for entry in CameraStatusChange.objects.order_by("camera", "changed_at", "id"):
        by_camera[entry.camera_id].append(entry)
    for camera in Camera.objects.all():
        timeline = by_camera[camera.pk]
        assert (timeline[0].changed_at, timeline[0].note) == (YEAR_AGO, "registered"), camera.asset_ref
        times = [entry.changed_at for entry in timeline]
        assert times == sorted(set(times)), camera.asset_ref
        assert all(a.status != b.status for a, b in zip(timeline, timeline[1:], strict=False)), camera.asset_ref
        assert (timeline[-1].status, timeline[-1].changed_at) == (camera.status, camera.status_changed_at)
        assert timeline[-1].changed_at <= TODAY


def test_today_most_cameras_are_operational_and_a_few_are_down(estate):
    assert estate.summary.cameras_by_status == {CameraStatus.OPERATIONAL: 76, CameraStatus.DEGRADED: 5,
                                                CameraStatus.FAULTY: 1, CameraStatus.OFFLINE: 2}
    down = dict(Camera.objects.exclude(status=CameraStatus.OPERATIONAL).values_list("asset_ref", "status"))
    assert down == {"VOG-004": CameraStatus.FAULTY, "VOG-028": CameraStatus.OFFLINE, "VOG-050": CameraStatus.DEGRADED,
                    "VOG-066": CameraStatus.DEGRADED, "VOG-070": CameraStatus.OFFLINE,
                    **dict.fromkeys(SULLY, CameraStatus.DEGRADED)}


def test_winter_brings_more_outages_than_summer(estate):
    months = Counter(entry.changed_at.astimezone(LONDON).month for entry in
                     CameraStatusChange.objects.exclude(status=CameraStatus.OPERATIONAL))
    winter = sum(months[m] for m in (11, 12, 1, 2))
    summer = sum(months[m] for m in (5, 6, 7, 8))
    assert winter > 2 * summer > 0


# --- faults ---------------------------------------------------------------------------------------

def test_there_are_about_120_faults_of_every_priority(estate):
    faults = Fault.objects.all()
    assert 100 <= faults.count() <= 140
    assert set(faults.values_list("priority", flat=True)) == set(FaultPriority.values)


def test_references_run_per_year_in_the_order_faults_were_reported(estate):
    by_year = defaultdict(list)
    for fault in Fault.objects.order_by("reported_at", "reference"):
        match = re.fullmatch(r"F-(\d{4})-(\d{5})", fault.reference)
        assert match and int(match[1]) == fault.reported_at.astimezone(LONDON).year, fault.reference
        by_year[match[1]].append(int(match[2]))
    assert all(numbers == list(range(1, len(numbers) + 1)) for numbers in by_year.values())


def test_due_times_come_from_the_contract_sla_term_of_the_fault_priority(estate):
    contract = Contract.objects.get(reference="VOG-CCTV-2023")
    terms = {term.priority: term for term in contract.sla_terms.all()}
    for fault in Fault.objects.all():
        due = fault_due_times(fault.reported_at, terms[fault.priority], contract)
        assert (fault.contract_id, fault.response_due_at, fault.fix_due_at, fault.sla_rule) == (
            contract.pk, due.response_due_at, due.fix_due_at, due.rule_text), fault.reference


def test_a_clock_is_breached_exactly_when_its_work_came_after_the_deadline(estate):
    for fault in Fault.objects.exclude(status=FaultStatus.CANCELLED):
        for kind, done_at in (("response", fault.acknowledged_at), ("fix", fault.fixed_at)):
            due_at = getattr(fault, f"{kind}_due_at")
            breached_at = getattr(fault, f"{kind}_breached_at")
            late = (done_at or TODAY) > due_at
            assert (breached_at is not None) == late, (fault.reference, kind)
            if late:
                assert due_at < breached_at <= due_at + dt.timedelta(minutes=1), (fault.reference, kind)
                assert getattr(fault, f"{kind}_breach_notified_at") == breached_at, (fault.reference, kind)


def test_about_one_fault_in_ten_breached_its_response_or_fix(estate):
    faults = Fault.objects.exclude(status=FaultStatus.CANCELLED)
    breached = faults.exclude(response_breached_at=None, fix_breached_at=None)
    assert 0.05 <= breached.count() / faults.count() <= 0.2
    assert faults.exclude(response_breached_at=None).exists() and faults.exclude(fix_breached_at=None).exists()
    assert estate.summary.faults_breached == breached.count()


def test_the_live_breach_check_finds_nothing_left_to_stamp_or_email(estate):
    check = sla_breaches_check(now=TODAY)
    assert (check.stamped, check.notified, mail.outbox) == ([], [], [])


def test_closed_faults_ran_reported_acknowledged_fixed_closed_by_the_right_people(estate):
    closed = Fault.objects.filter(status=FaultStatus.CLOSED).select_related(
        "acknowledged_by", "fixed_by", "closed_by", "assigned_to")
    assert closed.count() > 80
    for fault in closed:
        assert _in_order(fault.reported_at, fault.acknowledged_at, fault.fixed_at, fault.closed_at, TODAY)
        assert (fault.acknowledged_by.username, fault.fixed_by.username, fault.closed_by.username,
                fault.assigned_to.username) == ("operator", "engineer", "operator", "engineer")
        assert fault.notes.filter(at=fault.fixed_at, author__username="engineer").exists(), fault.reference


def test_each_camera_fault_matches_an_outage_in_the_camera_timeline(estate):
    for fault in Fault.objects.filter(status=FaultStatus.CLOSED).exclude(camera=None):
        timeline = fault.camera.status_changes
        at_report = timeline.filter(changed_at__lte=fault.reported_at).order_by("-changed_at").first()
        assert at_report.status != CameraStatus.OPERATIONAL, fault.reference
        assert timeline.filter(changed_at=fault.fixed_at, status=CameraStatus.OPERATIONAL).exists(), fault.reference


def test_the_health_feed_opened_its_faults_31_minutes_after_a_camera_dropped(estate):
    feed_faults = Fault.objects.filter(source=FaultSource.HEALTH_FEED)
    assert feed_faults.count() > 30
    for fault in feed_faults:
        dropped_at = fault.reported_at - dt.timedelta(minutes=31)
        assert fault.camera.status_changes.filter(status=CameraStatus.OFFLINE, changed_at=dropped_at).exists()


def test_a_cabinet_failure_raises_feed_faults_cancelled_as_its_duplicates(estate):
    cabinet_fault = Fault.objects.get(node__name="Barry Island cabinet")
    duplicates = Fault.objects.filter(status=FaultStatus.CANCELLED, camera__node=cabinet_fault.node)
    assert duplicates.count() == Camera.objects.filter(node=cabinet_fault.node).count() == 7
    for duplicate in duplicates:
        assert duplicate.notes.get().text == f"Cancelled: duplicate of {cabinet_fault.reference}."
        assert (duplicate.response_breached_at, duplicate.fix_breached_at) == (None, None)


def test_a_handful_of_faults_are_open_and_each_explains_a_camera_that_is_down(estate):
    open_faults = Fault.objects.filter(status__in=FAULT_STATUSES_ACTIVE)
    assert open_faults.count() == 6
    assert open_faults.filter(assigned_to__username="engineer").count() == 3
    explained = set(open_faults.exclude(camera=None).values_list("camera__asset_ref", flat=True))
    for fault in open_faults.exclude(link=None):
        explained |= {camera.asset_ref for camera in cameras_cut_off_by(link=fault.link)}
    assert explained == set(Camera.objects.exclude(status=CameraStatus.OPERATIONAL).values_list("asset_ref",
                                                                                                flat=True))


def test_the_open_fault_on_the_sully_radio_link_cuts_off_the_three_sully_cameras(estate):
    fault = Fault.objects.get(link__circuit_ref=SULLY_RADIO_LINK, status__in=FAULT_STATUSES_ACTIVE)
    assert fault.link.status == NetworkStatus.DEGRADED
    assert [camera.asset_ref for camera in cameras_cut_off_by(link=fault.link)] == SULLY
    assert fault.assigned_to.username == "engineer"


# --- determinism and idempotence ------------------------------------------------------------------

def test_two_loads_into_an_empty_estate_give_the_same_estate(estate):
    assert estate.first == estate.second


def test_loading_again_creates_nothing_and_changes_nothing(estate):
    again = vale_demo_estate_load(today=TODAY)
    assert again.created == {"cameras": 0, "nodes": 0, "links": 0, "faults": 0, "status changes": 0}
    assert _snapshot() == estate.second
    later = vale_demo_estate_load(today=TODAY + dt.timedelta(days=40), seed=7)
    assert set(later.created.values()) == {0}
    assert _snapshot() == estate.second


def test_the_command_creates_the_people_then_loads_the_estate_and_prints_a_summary(estate, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    out = io.StringIO()
    call_command("load_vale_demo", stdout=out)
    printed = out.getvalue()
    assert "Vale demo loaded: 8 people in 8 roles." in printed
    assert "cameras: 84 (5 degraded, 1 faulty, 2 offline, 76 operational); 84 with a complete path" in printed
    assert "network: 25 nodes, 25 links" in printed
    assert "created by this run: 0 cameras, 0 nodes, 0 links, 0 faults, 0 status changes" in printed


def test_the_loader_refuses_to_run_before_the_demo_people_exist(estate):
    User.objects.filter(username="engineer").update(username="engineer-on-leave")
    with pytest.raises(WrongState, match="The demo people engineer do not exist yet"):
        vale_demo_estate_load(today=TODAY)


def test_a_naive_today_is_refused(estate):
    with pytest.raises(ValueError, match="timezone-aware"):
        vale_demo_estate_load(today=dt.datetime(2026, 3, 16, 10, 0))
