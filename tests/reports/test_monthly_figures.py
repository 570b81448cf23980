"""The monthly report's figures on a seeded month, every value computed by hand (reports.figures).

March 2025 in Europe/London runs from 1 March 00:00 GMT to 1 April 00:00 BST: 743 hours.
"""

import datetime as dt
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.db import transaction

from cctv.choices import CameraStatus, FaultPriority, FaultStatus
from cctv.models import CameraStatusChange
from evidence.choices import CustodyEventType, DeadlineKind, LegalBasis, RequestKind
from evidence.custody import custody_event_append
from evidence.models import Deadline, Disclosure, RequestCamera
from maps.choices import IncidentSource
from maps.models import Incident
from reports.figures import figure_records, monthly_report_figures
from tests.cctv.factories import CameraFactory, ContractFactory, CouncilFactory, FaultFactory
from tests.evidence.factories import EvidenceRequestFactory, ExhibitFactory

UTC = dt.UTC
NOW = dt.datetime(2025, 6, 1, tzinfo=UTC)
MARCH = dt.date(2025, 3, 1)


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=UTC)


def by_key(figures) -> dict:
    return {figure.key: figure for figure in figures}


def triple(figure) -> tuple:
    return figure.value, figure.previous_month, figure.same_month_last_year


@pytest.fixture
def estate(council, cctv_manager):
    """Camera A recording since 2025; camera B with no timeline (never monitored), far from the incidents."""
    contract = ContractFactory(
        owner=council, starts_on=dt.date(2024, 1, 1), ends_on=dt.date(2026, 12, 31), availability_target_pct=98,
        monthly_fee_gbp=Decimal("10000.00"), availability_credit_pct_per_point=Decimal("1.00"),
        credit_per_response_breach_gbp=Decimal("50.00"), credit_per_fix_breach_gbp=Decimal("100.00"),
    )
    camera_a = CameraFactory(owner=council, status_changed_at=at(2025, 1, 1))
    camera_b = CameraFactory(owner=council, timeline=False, location=Point(315000, 170000, srid=27700),
                             bearing_deg=180.0)
    # 80,244 s offline in March = 3% of 743 h: 97.00% against a 98% target.
    CameraStatusChange.objects.create(camera=camera_a, status=CameraStatus.OFFLINE, changed_at=at(2025, 3, 10))
    CameraStatusChange.objects.create(camera=camera_a, status=CameraStatus.OPERATIONAL,
                                      changed_at=at(2025, 3, 10) + dt.timedelta(seconds=80244))
    return contract, camera_a, camera_b


@pytest.fixture
def seeded(council, estate, cctv_manager, operator):
    contract, camera_a, camera_b = estate

    def fault(priority, reported_at, **fields):
        return FaultFactory(owner=council, camera=camera_a, contract=contract, priority=priority,
                            reported_at=reported_at, **fields)

    fault(FaultPriority.P1, at(2025, 3, 3, 10), status=FaultStatus.CLOSED, response_due_at=at(2025, 3, 3, 11),
          acknowledged_at=at(2025, 3, 3, 10, 30), fix_due_at=at(2025, 3, 3, 14), fix_breached_at=at(2025, 3, 3, 14, 1),
          fixed_at=at(2025, 3, 3, 20), closed_at=at(2025, 3, 4))
    fault(FaultPriority.P2, at(2025, 3, 5, 10), status=FaultStatus.ACKNOWLEDGED, response_due_at=at(2025, 3, 5, 14),
          response_breached_at=at(2025, 3, 5, 14, 1), acknowledged_at=at(2025, 3, 5, 15),
          fix_due_at=at(2025, 3, 30))
    fault(FaultPriority.P2, at(2025, 2, 27, 10), status=FaultStatus.CLOSED, response_due_at=at(2025, 2, 27, 14),
          acknowledged_at=at(2025, 2, 27, 11), fix_due_at=at(2025, 3, 1, 12), fixed_at=at(2025, 3, 1, 9),
          closed_at=at(2025, 3, 2))
    # Cancelled: counts as opened, but its breach owes nothing.
    fault(FaultPriority.P3, at(2025, 3, 20), status=FaultStatus.CANCELLED, response_breached_at=at(2025, 3, 20, 5))
    fault(FaultPriority.P1, at(2024, 3, 15))
    fault(FaultPriority.P4, at(2025, 3, 31, 23, 30))  # 00:30 BST on 1 April: April's
    FaultFactory(owner=CouncilFactory(), priority=FaultPriority.P1, reported_at=at(2025, 3, 3))  # someone else's

    def request(received_at, kind=RequestKind.POLICE_INVESTIGATION, **fields):
        return EvidenceRequestFactory(owner=council, kind=kind, received_at=received_at,
                                      state_changed_at=received_at, **fields)

    def release(req, released_at, exhibits=()):
        disclosure = Disclosure.objects.create(
            request=req, recipient_name="DC Jones", legal_basis=LegalBasis.DPA_SCH2_PARA2, released_at=released_at,
            released_by=cctv_manager, approved_by=cctv_manager, chain_head="0" * 64)
        disclosure.exhibits.set(exhibits)

    def event(req, event_type, when):
        with transaction.atomic():
            custody_event_append(request=req, event_type=event_type, actor=operator, at=when)

    r1 = request(at(2025, 3, 2, 9))
    release(r1, at(2025, 3, 4, 9), [ExhibitFactory(request=r1, camera=camera_a)])  # 2 days
    r2 = request(at(2025, 3, 10))
    RequestCamera.objects.create(request=r2, camera=camera_b, overwrite_at=at(2025, 3, 30), retention_days=31,
                                 secured_at=at(2025, 3, 11))
    release(r2, at(2025, 3, 20))  # 10 days
    release(r2, at(2025, 4, 2))  # a second disclosure: r2 is still released in March only
    r3 = request(at(2025, 2, 20), kind=RequestKind.SAR)
    RequestCamera.objects.create(request=r3, camera=camera_a, overwrite_at=at(2025, 3, 20),
                                 retention_days=31)  # not secured
    release(r3, at(2025, 3, 5))  # 13 days
    Deadline.objects.create(request=r3, kind=DeadlineKind.SAR_DUE, due_at=at(2025, 3, 20), rule="one month",
                            met_at=at(2025, 3, 5))
    r4 = request(at(2025, 3, 1, 12), kind=RequestKind.SAR)
    Deadline.objects.create(request=r4, kind=DeadlineKind.SAR_DUE, due_at=at(2025, 3, 31, 12), rule="one month",
                            missed_at=at(2025, 3, 31, 12))
    event(r4, CustodyEventType.REFUSED, at(2025, 3, 25))
    r5 = request(at(2025, 3, 12))
    event(r5, CustodyEventType.NONE_FOUND, at(2025, 3, 13))
    request(at(2025, 3, 14), footage_lost_at=at(2025, 3, 16))

    def incident(month, location, owner=None, source=IncidentSource.POLICE_OPEN_DATA):
        Incident.objects.create(source=source, month=month, location=location, category="Burglary", owner=owner)

    in_view = Point(camera_a.location.x, camera_a.location.y + 25, srid=27700)
    outside = Point(camera_a.location.x, camera_a.location.y + 500, srid=27700)
    incident(MARCH, in_view)
    incident(MARCH, outside)
    incident(MARCH, in_view, owner=council, source=IncidentSource.LOCAL)
    incident(MARCH, in_view, owner=CouncilFactory(), source=IncidentSource.LOCAL)  # another council's record
    incident(dt.date(2025, 2, 1), outside)
    return council


def test_availability_and_its_service_credit_are_against_the_contract_target(seeded):
    figures = by_key(monthly_report_figures(owner=seeded, month=MARCH, now=NOW))
    assert triple(figures["availability_pct"]) == (97.0, 100.0, None)
    assert figures["availability_pct"].change == -3.0
    assert figures["availability_target_pct"].value == 98.0
    # 10,000 GBP fee × 1% per point × 1 point below target.
    assert triple(figures["credits_availability_gbp"]) == (100.0, 0.0, 0.0)


def test_faults_opened_and_closed_by_priority_count_london_months(seeded):
    figures = by_key(monthly_report_figures(owner=seeded, month=MARCH, now=NOW))
    assert triple(figures["faults_opened_p1"]) == (1, 0, 1)
    assert triple(figures["faults_opened_p2"]) == (1, 1, 0)
    assert triple(figures["faults_opened_p3"]) == (1, 0, 0)
    assert triple(figures["faults_opened_p4"]) == (0, 0, 0)  # 23:30 UTC on 31 March is April in London
    assert triple(figures["faults_closed_p1"]) == (1, 0, 0)
    assert triple(figures["faults_closed_p2"]) == (1, 0, 0)
    assert figures["faults_opened_p2"].change == 0


def test_sla_compliance_and_breach_credits_leave_cancelled_faults_out(seeded):
    figures = by_key(monthly_report_figures(owner=seeded, month=MARCH, now=NOW))
    assert triple(figures["response_met_p1"]) == (1, 0, 0)
    assert triple(figures["response_met_p2"]) == (0, 1, 0)
    assert triple(figures["response_breached_p2"]) == (1, 0, 0)
    assert triple(figures["response_breached_p3"]) == (0, 0, 0)  # cancelled
    assert triple(figures["fix_breached_p1"]) == (1, 0, 0)
    assert triple(figures["fix_met_p2"]) == (1, 0, 0)
    # One response breach at 50 GBP and one fix breach at 100 GBP; plus 100 GBP availability credit.
    assert triple(figures["credits_breach_gbp"]) == (150.0, 0.0, 0.0)
    assert triple(figures["credits_total_gbp"]) == (250.0, 0.0, 0.0)


def test_evidence_requests_by_outcome(seeded):
    figures = by_key(monthly_report_figures(owner=seeded, month=MARCH, now=NOW))
    assert triple(figures["requests_received"]) == (5, 1, 0)
    assert figures["requests_received"].change == 4
    assert triple(figures["requests_released"]) == (3, 0, 0)
    assert triple(figures["requests_refused"]) == (1, 0, 0)
    assert triple(figures["requests_none_found"]) == (1, 0, 0)
    assert triple(figures["requests_lost"]) == (1, 0, 0)
    assert triple(figures["sar_due"]) == (2, 0, 0)
    assert triple(figures["sar_in_time"]) == (1, 0, 0)
    # camera A from r1's disclosed exhibit, camera B secured for r2; r3's camera A was never secured.
    assert triple(figures["cameras_released"]) == (2, 0, 0)


def test_turnaround_median_and_90th_percentile_by_kind(seeded):
    figures = by_key(monthly_report_figures(owner=seeded, month=MARCH, now=NOW))
    # Police: 2 and 10 days -> median 6, p90 = 2 + 0.9 × 8 = 9.2. SAR: 13 days.
    assert triple(figures["turnaround_median_police_investigation"]) == (6.0, None, None)
    assert triple(figures["turnaround_p90_police_investigation"]) == (9.2, None, None)
    assert triple(figures["turnaround_median_sar"]) == (13.0, None, None)
    assert figures["turnaround_median_sar"].change is None
    assert figures["turnaround_median_court_order"].value is None


def test_incidents_and_the_share_within_camera_view(seeded):
    figures = by_key(monthly_report_figures(owner=seeded, month=MARCH, now=NOW))
    assert triple(figures["incidents"]) == (3, 1, 0)
    assert triple(figures["incidents_covered"]) == (2, 0, 0)
    assert triple(figures["incidents_covered_pct"]) == (66.7, 0.0, None)


def test_each_count_lists_exactly_the_records_it_counts(seeded):
    for figure in monthly_report_figures(owner=seeded, month=MARCH, now=NOW):
        if figure.unit == "" and figure.key != "incidents_covered_pct":
            for period, value in (("current", figure.value), ("previous", figure.previous_month),
                                  ("last_year", figure.same_month_last_year)):
                records = figure_records(owner=seeded, month=MARCH, key=figure.key, period=period, now=NOW)
                assert len(records) == value, (figure.key, period)
        assert figure.records_url == f"/reports/monthly/2025-03/{figure.key}/records/?owner={seeded.pk}&period=current"


def test_a_month_with_no_data_gives_zeros_and_no_medians(db):
    owner = CouncilFactory()
    figures = monthly_report_figures(owner=owner, month=dt.date(2025, 3, 1), now=NOW)
    for figure in figures:
        if figure.unit in ("", "GBP"):
            assert triple(figure) == (0, 0, 0), figure.key
        else:
            assert triple(figure) == (None, None, None), figure.key


def test_january_compares_with_december_and_the_previous_january(council):
    camera = CameraFactory(owner=council)
    for reported_at, count in ((at(2025, 1, 15), 1), (at(2024, 12, 10), 2), (at(2024, 1, 5), 3)):
        for _ in range(count):
            FaultFactory(owner=council, camera=camera, priority=FaultPriority.P2, reported_at=reported_at)
    figure = by_key(monthly_report_figures(owner=council, month=dt.date(2025, 1, 1), now=NOW))["faults_opened_p2"]
    assert triple(figure) == (1, 2, 3)
    assert figure.change == -1
