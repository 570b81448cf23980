"""The annual camera review: twelve months' figures per camera, the register, and recording decisions.

The review is taken on 15 July 2025, so the period is the twelve whole months 1 July 2024 to
30 June 2025 (London). Both ends fall in British Summer Time, so the period is exactly 365 days.
Camera A stands at (312000, 168000) looking north, 60 degrees wide, 50 m range: a point 20 m north
is in its view, a point 20 m south is not.
"""

import datetime as dt
import json
from zoneinfo import ZoneInfo

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from accounts.choices import Role
from accounts.exceptions import Forbidden, InvalidInput
from cctv.choices import CameraStatus, FaultPriority, StatusSource
from cctv.models import Camera, CameraStatusChange
from evidence.models import Disclosure, RequestCamera
from maps.choices import IncidentSource, ProposalItemKind, ProposalStatus
from maps.models import Incident, Proposal
from reports.choices import ReviewDecision
from reports.models import CameraReview
from reports.review import camera_review_figures, camera_review_record, review_period, review_register
from tests.accounts.factories import OrganisationFactory, UserFactory
from tests.cctv.factories import CameraFactory, FaultFactory
from tests.evidence.factories import EvidenceRequestFactory

LONDON = ZoneInfo("Europe/London")
AS_OF = dt.date(2025, 7, 15)
NOW = dt.datetime(2026, 1, 1, tzinfo=LONDON)
HERE = Point(312000, 168000, srid=27700)
IN_VIEW = Point(312000, 168020, srid=27700)
BEHIND = Point(312000, 167980, srid=27700)
API = "/api/reports/reviews"


def at(*args) -> dt.datetime:
    return dt.datetime(*args, tzinfo=LONDON)


@pytest.fixture
def review_urls():
    """The review API and pages are mounted by config; kept as a name the tests already use."""
    return None


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def post_json(client: Client, url: str, body: dict):
    return client.post(url, json.dumps(body), content_type="application/json")


# arrangement


def camera_with_timeline(owner, asset_ref, history, **fields) -> Camera:
    """A camera looking north from `location` whose status timeline is `history`: (instant, status) pairs."""
    camera = CameraFactory(owner=owner, asset_ref=asset_ref, timeline=False, status=history[-1][1], **fields)
    for changed_at, status in history:
        CameraStatusChange.objects.create(camera=camera, status=status, changed_at=changed_at,
                                          source=StatusSource.SYSTEM)
    return camera


@pytest.fixture
def camera_a(council):
    """Operational since January 2024; offline from 1 January 2025 00:00 to 6 February 2025 12:00 (GMT),
    36.5 days of the period's 365: 90% available. Offline again after the period, which does not count."""
    return camera_with_timeline(council, "VG-REV-A", [
        (at(2024, 1, 1), CameraStatus.OPERATIONAL), (at(2025, 1, 1), CameraStatus.OFFLINE),
        (at(2025, 2, 6, 12), CameraStatus.OPERATIONAL), (at(2025, 8, 1), CameraStatus.OFFLINE),
        (at(2025, 8, 2), CameraStatus.OPERATIONAL),
    ], location=HERE, purpose="Night-time economy, Holton Road.", dpia_ref="DPIA-2023-07",
        dpia_review_due_on=dt.date(2026, 3, 31))


def incident(month: dt.date, where: Point, *, owner=None) -> Incident:
    return Incident.objects.create(
        source=IncidentSource.LOCAL if owner else IncidentSource.POLICE_OPEN_DATA, month=month, location=where,
        category="Violence and sexual offences", owner=owner,
    )


def request_for(camera, received_at, *, released_by=None):
    request = EvidenceRequestFactory(owner=camera.owner, received_at=received_at, state_changed_at=received_at,
                                     incident_starts_at=received_at - dt.timedelta(hours=2),
                                     incident_ends_at=received_at - dt.timedelta(hours=1))
    RequestCamera.objects.create(request=request, camera=camera, overwrite_at=received_at + dt.timedelta(days=31),
                                 retention_days=31)
    if released_by:
        Disclosure.objects.create(request=request, recipient_name="DC Jones", legal_basis=request.legal_basis,
                                  released_at=received_at + dt.timedelta(days=3), released_by=released_by,
                                  approved_by=released_by, chain_head="0" * 64)
    return request


@pytest.fixture
def camera_a_history(camera_a, council, cctv_manager):
    """The records behind camera A's figures, with one of each kind just outside the count."""
    other_council = OrganisationFactory(name="Cardiff Council")
    camera_b = CameraFactory(owner=council, asset_ref="VG-REV-B", location=Point(313000, 169000, srid=27700))
    # Incidents: counted 3 (July 2024 and June 2025 open data in view, the council's own local record).
    incident(dt.date(2024, 7, 1), IN_VIEW)
    incident(dt.date(2025, 6, 1), IN_VIEW)
    incident(dt.date(2025, 3, 1), IN_VIEW, owner=council)
    incident(dt.date(2025, 3, 1), BEHIND)  # outside the view
    incident(dt.date(2024, 6, 1), IN_VIEW)  # before the period
    incident(dt.date(2025, 7, 1), IN_VIEW)  # the month of the review: after the period
    incident(dt.date(2025, 3, 1), IN_VIEW, owner=other_council)  # another council's own record
    # Requests: 2 used its footage, 1 released.
    request_for(camera_a, at(2024, 9, 10, 9), released_by=cctv_manager)
    request_for(camera_a, at(2025, 3, 1, 9))
    request_for(camera_a, at(2025, 7, 5, 9), released_by=cctv_manager)  # after the period
    request_for(camera_b, at(2025, 3, 1, 9), released_by=cctv_manager)  # another camera
    # Faults: P1 x1, P3 x2 in the period.
    FaultFactory(owner=council, camera=camera_a, priority=FaultPriority.P1, reported_at=at(2024, 10, 1, 8))
    FaultFactory(owner=council, camera=camera_a, priority=FaultPriority.P3, reported_at=at(2025, 1, 1, 0, 5))
    FaultFactory(owner=council, camera=camera_a, priority=FaultPriority.P3, reported_at=at(2025, 6, 30, 23, 59))
    FaultFactory(owner=council, camera=camera_a, priority=FaultPriority.P2, reported_at=at(2024, 6, 30, 23, 59))
    FaultFactory(owner=council, camera=camera_b, priority=FaultPriority.P1, reported_at=at(2025, 1, 1))
    return camera_b


# figures


def test_review_period_is_the_twelve_whole_months_before_the_review_month():
    period = review_period(as_of=AS_OF)
    assert (period.start_on, period.last_day_on) == (dt.date(2024, 7, 1), dt.date(2025, 6, 30))
    assert period.end_at - period.start_at == dt.timedelta(days=365)


def test_figures_count_incidents_in_view_requests_faults_and_availability_for_the_period(camera_a,
                                                                                          camera_a_history):
    figures = camera_review_figures(camera=camera_a, as_of=AS_OF, now=NOW)
    assert figures.incidents_in_view == 3
    assert (figures.requests_using_footage, figures.requests_released) == (2, 1)
    assert figures.faults_by_priority == {"p1": 1, "p2": 0, "p3": 2, "p4": 0}
    assert figures.faults_total == 3
    assert figures.availability_pct == 90.0
    assert figures.purpose == "Night-time economy, Holton Road."
    assert (figures.dpia_ref, figures.dpia_review_due_on) == ("DPIA-2023-07", dt.date(2026, 3, 31))


def test_a_camera_with_no_records_has_zero_figures_not_errors(council):
    camera = CameraFactory(owner=council, timeline=False)
    figures = camera_review_figures(camera=camera, as_of=AS_OF, now=NOW)
    assert (figures.incidents_in_view, figures.requests_using_footage, figures.requests_released) == (0, 0, 0)
    assert figures.faults_total == 0
    assert figures.availability_pct is None


# the register


@pytest.fixture
def estate(council, cctv_manager):
    """Never reviewed; reviewed a month ago; reviewed two years ago (overdue); reviewed a month ago but
    past its DPIA review date; and a decommissioned camera, which needs no review."""
    today = dt.date(2025, 7, 15)
    CameraFactory(owner=council, asset_ref="R-NEVER")
    recent = CameraFactory(owner=council, asset_ref="R-RECENT", dpia_review_due_on=dt.date(2026, 1, 1))
    old = CameraFactory(owner=council, asset_ref="R-OLD")
    dpia = CameraFactory(owner=council, asset_ref="R-DPIA", dpia_review_due_on=dt.date(2025, 7, 14))
    CameraFactory(owner=council, asset_ref="R-GONE", status=CameraStatus.DECOMMISSIONED)
    for camera, reviewed_on in ((recent, dt.date(2025, 6, 15)), (old, dt.date(2023, 7, 1)),
                                (dpia, dt.date(2025, 6, 15))):
        CameraReview.objects.create(camera=camera, reviewed_on=reviewed_on, reviewer=cctv_manager,
                                    decision=ReviewDecision.KEEP, reason="Still justified.", figures={},
                                    next_review_on=reviewed_on.replace(year=reviewed_on.year + 1))
    return today


def test_register_flags_never_reviewed_overdue_and_dpia_overdue_cameras_but_not_a_recent_review(estate,
                                                                                               cctv_manager):
    rows = {row.camera.asset_ref: row for row in review_register(cctv_manager, today=estate, now=NOW)}
    assert set(rows) == {"R-NEVER", "R-RECENT", "R-OLD", "R-DPIA"}
    assert rows["R-NEVER"].never_reviewed and rows["R-NEVER"].overdue
    assert rows["R-OLD"].review_overdue and rows["R-OLD"].next_review_on == dt.date(2024, 7, 1)
    assert rows["R-DPIA"].dpia_overdue and not rows["R-DPIA"].review_overdue and rows["R-DPIA"].overdue
    assert not rows["R-RECENT"].overdue
    assert rows["R-RECENT"].last_reviewed_on == dt.date(2025, 6, 15)
    assert rows["R-RECENT"].next_review_on == dt.date(2026, 6, 15)


def test_register_filtered_to_overdue_leaves_out_the_recently_reviewed_camera(estate, og_member):
    rows = review_register(og_member, today=estate, overdue_only=True, now=NOW)
    assert [row.camera.asset_ref for row in rows] == ["R-NEVER", "R-OLD", "R-DPIA"]


def test_register_takes_the_same_number_of_queries_for_two_cameras_as_for_twelve(council, cctv_manager):
    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            review_register(cctv_manager, today=AS_OF, now=NOW)
        return len(captured)

    CameraFactory.create_batch(2, owner=council)
    queries()  # the first call looks up (and caches) the organisations the user sees
    two = queries()
    CameraFactory.create_batch(10, owner=council)
    assert queries() == two <= 12


def test_register_of_another_council_is_not_shown(estate, council):
    stranger = OrganisationFactory(name="Bridgend Council")
    manager = UserFactory(role=Role.CCTV_MANAGER, organisation=stranger)
    assert review_register(manager, today=estate, now=NOW) == []


# recording decisions


def test_relocate_opens_a_linked_draft_proposal_with_a_move_item_at_the_camera(camera_a, cctv_manager):
    camera_a.bearing_deg = 45.0
    camera_a.save()
    review = camera_review_record(camera=camera_a, by=cctv_manager, decision=ReviewDecision.RELOCATE,
                                  reason="Few incidents in view; the square next door has many.", as_of=AS_OF,
                                  now=NOW)
    proposal = review.proposal
    assert proposal is not None and proposal.status == ProposalStatus.DRAFT
    assert proposal.owner == camera_a.owner and proposal.created_by == cctv_manager
    (item,) = proposal.items.all()
    assert (item.kind, item.camera_id) == (ProposalItemKind.MOVE, camera_a.pk)
    assert item.location.equals_exact(camera_a.location, 0.001)
    assert (item.bearing_deg, item.view_angle_deg, item.view_range_m) == (45.0, 60.0, 50.0)
    assert review.next_review_on == dt.date(2026, 7, 15)
    assert review.figures["incidents_in_view"] == 0 and review.figures["period_start_on"] == "2024-07-01"


def test_keep_and_decommission_open_no_proposal_and_decommission_leaves_the_camera_as_it_is(camera_a, og_member):
    keep = camera_review_record(camera=camera_a, by=og_member, decision=ReviewDecision.KEEP, reason="Justified.",
                                as_of=AS_OF, now=NOW)
    gone = camera_review_record(camera=camera_a, by=og_member, decision=ReviewDecision.DECOMMISSION,
                                reason="No longer needed.", as_of=AS_OF, now=NOW)
    assert keep.proposal is None and gone.proposal is None
    camera_a.refresh_from_db()
    assert camera_a.status == CameraStatus.OPERATIONAL
    assert Proposal.objects.count() == 0


def test_a_review_on_29_february_is_next_due_on_28_february(camera_a, cctv_manager):
    review = camera_review_record(camera=camera_a, by=cctv_manager, decision=ReviewDecision.KEEP, reason="Fine.",
                                  as_of=dt.date(2024, 2, 29), now=NOW)
    assert review.next_review_on == dt.date(2025, 2, 28)


def test_relocating_a_camera_with_no_field_of_view_fails_and_writes_nothing(council, cctv_manager):
    camera = CameraFactory(owner=council, bearing_deg=None)
    with pytest.raises(InvalidInput):
        camera_review_record(camera=camera, by=cctv_manager, decision=ReviewDecision.RELOCATE,
                             reason="Move it.", as_of=AS_OF, now=NOW)
    assert CameraReview.objects.count() == 0 and Proposal.objects.count() == 0


@pytest.mark.parametrize("reason", ["", "   "])
def test_a_decision_without_a_reason_is_refused(camera_a, cctv_manager, reason):
    with pytest.raises(InvalidInput, match="reason"):
        camera_review_record(camera=camera_a, by=cctv_manager, decision=ReviewDecision.KEEP, reason=reason,
                             as_of=AS_OF)


def test_an_auditor_may_read_reviews_but_not_record_one(camera_a, auditor):
    with pytest.raises(Forbidden):
        camera_review_record(camera=camera_a, by=auditor, decision=ReviewDecision.KEEP, reason="x", as_of=AS_OF)


# API


def test_api_register_lists_overdue_cameras_with_their_figures(review_urls, estate, og_member):
    response = client_for(og_member).get(f"{API}/register", {"overdue": "true", "today": "2025-07-15"})
    assert response.status_code == 200
    body = response.json()
    assert [row["asset_ref"] for row in body] == ["R-NEVER", "R-OLD", "R-DPIA"]
    assert body[0]["never_reviewed"] and body[0]["figures"]["faults_by_priority"] == {"p1": 0, "p2": 0, "p3": 0,
                                                                                       "p4": 0}


def test_api_figures_match_the_hand_count(review_urls, camera_a, camera_a_history, cctv_manager):
    response = client_for(cctv_manager).get(f"{API}/cameras/{camera_a.pk}/figures", {"as_of": "2025-07-15"})
    assert response.status_code == 200
    body = response.json()
    assert (body["incidents_in_view"], body["requests_using_footage"], body["requests_released"]) == (3, 2, 1)
    assert body["faults_total"] == 3 and body["availability_pct"] == 90.0


def test_api_relocate_returns_the_review_linked_to_its_draft_proposal(review_urls, camera_a, cctv_manager):
    response = post_json(client_for(cctv_manager), f"{API}/cameras/{camera_a.pk}/reviews",
                         {"decision": "relocate", "reason": "Better site 40 m east."})
    assert response.status_code == 201, response.content
    body = response.json()
    proposal = Proposal.objects.get(pk=body["proposal_id"])
    assert proposal.status == ProposalStatus.DRAFT
    assert proposal.items.get().camera_id == camera_a.pk


def test_api_decision_without_a_reason_is_400_and_writes_nothing(review_urls, camera_a, cctv_manager):
    response = post_json(client_for(cctv_manager), f"{API}/cameras/{camera_a.pk}/reviews",
                         {"decision": "relocate", "reason": " "})
    assert response.status_code == 400
    assert "reason" in response.json()["detail"]
    assert CameraReview.objects.count() == 0 and Proposal.objects.count() == 0


def test_api_unknown_decision_is_400_naming_the_choices(review_urls, camera_a, cctv_manager):
    response = post_json(client_for(cctv_manager), f"{API}/cameras/{camera_a.pk}/reviews",
                         {"decision": "demolish", "reason": "x"})
    assert response.status_code == 400
    assert "keep, relocate, decommission" in response.json()["detail"]


def test_api_og_member_can_record_a_review(review_urls, camera_a, og_member):
    response = post_json(client_for(og_member), f"{API}/cameras/{camera_a.pk}/reviews",
                         {"decision": "keep", "reason": "Covers the station forecourt."})
    assert response.status_code == 201
    assert CameraReview.objects.get().reviewer == og_member


@pytest.mark.parametrize("role", ["officer", "engineer", "operator"])
def test_api_police_engineers_and_operators_are_refused(review_urls, camera_a, role, request):
    client = client_for(request.getfixturevalue(role))
    assert client.get(f"{API}/register").status_code == 403
    assert client.get(f"{API}/cameras/{camera_a.pk}/figures").status_code == 403
    response = post_json(client, f"{API}/cameras/{camera_a.pk}/reviews", {"decision": "keep", "reason": "x"})
    assert response.status_code == 403
    assert CameraReview.objects.count() == 0


def test_api_another_councils_camera_is_not_found(review_urls, cctv_manager):
    camera = CameraFactory(owner=OrganisationFactory(name="Bridgend Council"))
    assert client_for(cctv_manager).get(f"{API}/cameras/{camera.pk}/figures").status_code == 404


def test_api_auditor_may_read_but_not_record(review_urls, camera_a, auditor):
    client = client_for(auditor)
    assert client.get(f"{API}/cameras/{camera_a.pk}/reviews").status_code == 200
    response = post_json(client, f"{API}/cameras/{camera_a.pk}/reviews", {"decision": "keep", "reason": "x"})
    assert response.status_code == 403


# pages


def test_register_page_lists_cameras_and_filters_overdue(review_urls, council, cctv_manager):
    """The page judges 'overdue' on today's date, so this arrangement is relative to today."""
    reviewed_on = timezone.localdate() - dt.timedelta(days=30)
    recent = CameraFactory(owner=council, asset_ref="P-RECENT")
    CameraReview.objects.create(camera=recent, reviewed_on=reviewed_on, reviewer=cctv_manager,
                                decision=ReviewDecision.KEEP, reason="Still justified.", figures={},
                                next_review_on=reviewed_on + dt.timedelta(days=365))
    CameraFactory(owner=council, asset_ref="P-NEVER")
    CameraFactory(owner=council, asset_ref="P-GONE", status=CameraStatus.DECOMMISSIONED)
    client = client_for(cctv_manager)
    page = client.get("/reviews/").content.decode()
    assert "P-NEVER" in page and "P-RECENT" in page and "P-GONE" not in page
    overdue = client.get("/reviews/?overdue=1").content.decode()
    assert "P-NEVER" in overdue and "Never reviewed" in overdue and "P-RECENT" not in overdue


def test_camera_review_page_shows_figures_and_records_a_decision(review_urls, camera_a, camera_a_history,
                                                                 cctv_manager):
    client = client_for(cctv_manager)
    page = client.get(f"/reviews/cameras/{camera_a.pk}/").content.decode()
    assert "Night-time economy, Holton Road." in page and "does <strong>not</strong> change the camera" in page
    response = client.post(f"/reviews/cameras/{camera_a.pk}/", {"decision": "decommission", "reason": "Unneeded."})
    assert response.status_code == 302
    assert CameraReview.objects.get().decision == ReviewDecision.DECOMMISSION
    follow = client.get(response.url).content.decode()
    assert "Unneeded." in follow


def test_camera_review_page_without_a_reason_shows_the_error(review_urls, camera_a, cctv_manager):
    response = client_for(cctv_manager).post(f"/reviews/cameras/{camera_a.pk}/", {"decision": "keep", "reason": ""})
    assert response.status_code == 400
    assert "Give a reason" in response.content.decode()
    assert CameraReview.objects.count() == 0


@pytest.mark.parametrize("role", ["officer", "engineer"])
def test_review_pages_are_forbidden_to_police_and_engineers(review_urls, camera_a, role, request):
    client = client_for(request.getfixturevalue(role))
    assert client.get("/reviews/").status_code == 403
    assert client.get(f"/reviews/cameras/{camera_a.pk}/").status_code == 403
