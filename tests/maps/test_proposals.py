"""Relocation and new-install proposals: figures counted by hand, the workflow, applying to the estate.

The scene, in British National Grid metres around Barry. Cameras are the factory's fixed
camera: a 60-degree sector, 50 m deep, about its bearing (0 = grid north).

    camera A  (311000, 167000) looking north: sees y 167000-167050 near x 311000
    camera B  (311000, 167080) looking south: sees y 167030-167080 near x 311000
    the proposal moves A to (311200, 167000), still looking north

    incident   where               month    category                before        after
    a_old      (311000, 167010)    2024-05  Anti-social behaviour   A             -        lost
    both       (311000, 167040)    2024-05  Anti-social behaviour   A and B       B
    b_only     (311000, 167070)    2024-06  Burglary                B             B
    new_asb    (311200, 167010)    2024-06  Anti-social behaviour   -             new A    gained
    new_burg   (311200, 167030)    2024-05  Burglary                -             new A    gained
    nowhere    (311300, 167000)    2024-05  Vehicle crime           -             -
    too_old    (311200, 167020)    2023-06  Anti-social behaviour   (outside the default period)

Default period: the latest month with incidents is 2024-06, so 2023-07 to 2024-06; too_old is
left out. By hand: 6 incidents, 3 covered before, 4 after, 2 gained, 1 lost.
    ASB:      3 incidents, before 2 (a_old, both), after 2 (both, new_asb), gained 1, lost 1
    Burglary: 2 incidents, before 1 (b_only), after 2, gained 1, lost 0
    Vehicle:  1 incident,  0 / 0 / 0 / 0

Network: the council's in-service cabinet N at (311230, 166960) is 50 m from A's new place
(a 30-40-50 triangle). Closer nodes that don't count: a DOWN cabinet 10 m away, and another
council's cabinet 10 m away. Fibre: 50 x 1.3 = 65.0 m at £85/m = £5,525.00.
"""

import datetime as dt
import json
import math
import time
from decimal import Decimal

import pytest
from django.contrib.gis.geos import Point
from django.test import Client

from accounts.exceptions import Forbidden, InvalidInput, WrongState
from cctv.choices import CameraKind, CameraStatus, NetworkStatus
from cctv.models import Camera
from maps.choices import IncidentSource, ProposalItemKind, ProposalStatus
from maps.models import Incident
from maps.proposal_figures import proposal_figures, proposal_preview
from maps.proposals import (
    proposal_apply,
    proposal_create,
    proposal_decide,
    proposal_item_add,
    proposal_item_update,
    proposal_submit,
)
from tests.cctv.factories import CameraFactory, CouncilFactory, NodeFactory

ASB, BURGLARY, VEHICLE = "Anti-social behaviour", "Burglary", "Vehicle crime"
MAY, JUNE = dt.date(2024, 5, 1), dt.date(2024, 6, 1)
NEW_A = {"x": 311200, "y": 167000, "srid": 27700}


def incident(x: float, y: float, *, month: dt.date = MAY, category: str = ASB, owner=None) -> Incident:
    return Incident.objects.create(
        source=IncidentSource.LOCAL if owner else IncidentSource.POLICE_OPEN_DATA, month=month,
        location=Point(x, y, srid=27700), category=category, falls_within="South Wales Police", owner=owner)


@pytest.fixture
def scene(council):
    stranger = CouncilFactory(name="Bridgend County Borough Council")
    cameras = {
        "A": CameraFactory(owner=council, asset_ref="VOG-A", location=Point(311000, 167000, srid=27700)),
        "B": CameraFactory(owner=council, asset_ref="VOG-B", location=Point(311000, 167080, srid=27700),
                           bearing_deg=180.0),
    }
    incidents = {
        "a_old": incident(311000, 167010),
        "both": incident(311000, 167040),
        "b_only": incident(311000, 167070, month=JUNE, category=BURGLARY),
        "new_asb": incident(311200, 167010, month=JUNE),
        "new_burg": incident(311200, 167030, category=BURGLARY),
        "nowhere": incident(311300, 167000, category=VEHICLE),
        "too_old": incident(311200, 167020, month=dt.date(2023, 6, 1)),
        # Another council's local record in A's new view: never counted for this council's proposal.
        "stranger_local": incident(311200, 167015, owner=stranger),
    }
    nodes = {
        "N": NodeFactory(owner=council, name="Cabinet N", location=Point(311230, 166960, srid=27700)),
        "down": NodeFactory(owner=council, name="Cabinet down", location=Point(311210, 167000, srid=27700),
                            status=NetworkStatus.DOWN),
        "stranger": NodeFactory(owner=stranger, name="Bridgend cabinet",
                                location=Point(311200, 166990, srid=27700)),
    }
    return cameras, incidents, nodes


def new_a_location() -> Point:
    return Point(311200, 167000, srid=27700)


@pytest.fixture
def move_a(scene, council, cctv_manager):
    """A draft proposal moving A to (311200, 167000), still looking north."""
    proposal = proposal_create(by=cctv_manager, title="Move A to the station", owner=council)
    proposal_item_add(proposal=proposal, by=cctv_manager, kind=ProposalItemKind.MOVE, camera_id=scene[0]["A"].pk,
                      location=new_a_location())
    return proposal


def by_category(figures) -> dict[str, tuple[int, int, int, int, int]]:
    return {c.category: (c.incidents, c.covered_before, c.covered_after, c.gained, c.lost)
            for c in figures.coverage.by_category}


# figures


def test_moving_a_camera_gains_and_loses_the_incidents_counted_by_hand(move_a, cctv_manager):
    figures = proposal_figures(cctv_manager, proposal=move_a)
    coverage = figures.coverage

    assert (coverage.month_from, coverage.month_to) == (dt.date(2023, 7, 1), JUNE)
    assert (coverage.incidents, coverage.covered_before, coverage.covered_after, coverage.gained, coverage.lost) == (
        6, 3, 4, 2, 1)
    assert by_category(figures) == {ASB: (3, 2, 2, 1, 1), BURGLARY: (2, 1, 2, 1, 0), VEHICLE: (1, 0, 0, 0, 0)}


def test_figures_count_only_the_months_and_categories_asked_for(move_a, cctv_manager):
    figures = proposal_figures(cctv_manager, proposal=move_a, month_from=JUNE, month_to=JUNE,
                               categories=[ASB, "Robbery"])

    assert by_category(figures) == {ASB: (1, 0, 1, 1, 0), "Robbery": (0, 0, 0, 0, 0)}


def test_figures_are_the_same_for_everyone_who_may_see_the_proposal(move_a, cctv_manager, og_member, admin_user):
    """The admin can see the other council's local record, but it is not this council's to count."""
    seen = [proposal_figures(user, proposal=move_a).coverage for user in (cctv_manager, og_member, admin_user)]

    assert seen[0] == seen[1] == seen[2]


def test_nearest_in_service_node_of_the_owner_and_fibre_cost_are_as_by_hand(move_a, cctv_manager, scene):
    item = proposal_figures(cctv_manager, proposal=move_a).items[0]

    assert (item.nearest_node_id, item.nearest_node_name) == (scene[2]["N"].pk, "Cabinet N")
    assert item.node_distance_m == 50.0
    assert item.fibre_length_m == 65.0
    assert item.fibre_cost_gbp == Decimal("5525.00")


def test_fibre_is_costed_at_the_rate_the_proposal_was_created_with(scene, council, cctv_manager, settings):
    settings.PROPOSAL_FIBRE_COST_GBP_PER_M = "120.50"
    proposal = proposal_create(by=cctv_manager, title="Dearer fibre", owner=council)
    proposal_item_add(proposal=proposal, by=cctv_manager, kind=ProposalItemKind.MOVE, camera_id=scene[0]["A"].pk,
                      location=new_a_location())
    settings.PROPOSAL_FIBRE_COST_GBP_PER_M = "1"

    figures = proposal_figures(cctv_manager, proposal=proposal)

    assert figures.fibre_cost_gbp_per_m == Decimal("120.50")
    assert figures.items[0].fibre_cost_gbp == Decimal("7832.50")  # 65.0 m x £120.50
    assert "× 1.3" in figures.fibre_rule and "£120.50/m" in figures.fibre_rule


def test_an_added_camera_half_overlapping_another_overlaps_by_half_its_area(council, cctv_manager):
    """E looks south (150-210 degrees); the new camera at the same pole looks 210 (180-240): they share 180-210.

    By hand: a 30-degree sector of 50 m is pi x 50^2 / 12 = 654.5 m2, half of the 60-degree cone (1309.0 m2).
    """
    CameraFactory(owner=council, asset_ref="VOG-E", location=Point(311500, 167500, srid=27700), bearing_deg=180.0)
    proposal = proposal_create(by=cctv_manager, title="Second camera on E's pole", owner=council)
    proposal_item_add(proposal=proposal, by=cctv_manager, kind=ProposalItemKind.ADD, name="E west",
                      location=Point(311500, 167500, srid=27700), bearing_deg=210, view_angle_deg=60, view_range_m=50)

    item = proposal_figures(cctv_manager, proposal=proposal).items[0]

    assert item.view_area_m2 == pytest.approx(math.pi * 50**2 / 6, rel=0.01)
    assert item.overlap_m2 == pytest.approx(math.pi * 50**2 / 12, rel=0.01)
    assert item.overlap_pct == 50.0


def test_a_moved_camera_does_not_overlap_its_own_old_view(scene, council, cctv_manager):
    """A's new 20 m view lies wholly inside its old 50 m one, and short of B's (which starts 30 m ahead)."""
    proposal = proposal_create(by=cctv_manager, title="Shorten A", owner=council)
    proposal_item_add(proposal=proposal, by=cctv_manager, kind=ProposalItemKind.MOVE, camera_id=scene[0]["A"].pk,
                      location=Point(311000, 167000, srid=27700), view_range_m=20)

    item = proposal_figures(cctv_manager, proposal=proposal).items[0]

    assert (item.overlap_m2, item.overlap_pct) == (0.0, 0.0)


def test_a_ptz_camera_sees_the_full_circle_of_its_range(council, cctv_manager):
    proposal = proposal_create(by=cctv_manager, title="Dome", owner=council)
    proposal_item_add(proposal=proposal, by=cctv_manager, kind=ProposalItemKind.ADD, name="Dome", camera_kind="ptz",
                      location=Point(311700, 167700, srid=27700), view_range_m=40)

    item = proposal_figures(cctv_manager, proposal=proposal).items[0]

    assert item.view_area_m2 == pytest.approx(math.pi * 40**2, rel=0.01)
    assert item.nearest_node_id is None and item.fibre_cost_gbp is None  # the council has no node here at all


def test_preview_gives_the_same_figures_as_a_saved_single_item_proposal(move_a, cctv_manager, scene):
    saved = proposal_figures(cctv_manager, proposal=move_a)
    preview = proposal_preview(cctv_manager, kind=ProposalItemKind.MOVE, camera_id=scene[0]["A"].pk,
                               location=new_a_location())

    assert preview.coverage == saved.coverage
    assert [item.__dict__ | {"item_id": None} for item in preview.items] == [
        item.__dict__ | {"item_id": None} for item in saved.items]


# items


def test_a_fixed_camera_needs_a_bearing_and_angle(council, cctv_manager):
    proposal = proposal_create(by=cctv_manager, title="x", owner=council)

    with pytest.raises(InvalidInput, match="needs a bearing_deg and a view_angle_deg"):
        proposal_item_add(proposal=proposal, by=cctv_manager, kind=ProposalItemKind.ADD, name="New",
                          location=new_a_location(), view_range_m=50)


def test_a_camera_of_another_council_cannot_be_moved(council, cctv_manager):
    theirs = CameraFactory(owner=CouncilFactory(), location=Point(311000, 167500, srid=27700))
    proposal = proposal_create(by=cctv_manager, title="x", owner=council)

    with pytest.raises(InvalidInput, match=f"Camera {theirs.pk} is not in the estate of"):
        proposal_item_add(proposal=proposal, by=cctv_manager, kind=ProposalItemKind.MOVE, camera_id=theirs.pk,
                          location=new_a_location())


def test_one_camera_is_moved_at_most_once_per_proposal(move_a, cctv_manager, scene):
    with pytest.raises(InvalidInput, match=f"Camera {scene[0]['A'].pk} is already moved"):
        proposal_item_add(proposal=move_a, by=cctv_manager, kind=ProposalItemKind.MOVE, camera_id=scene[0]["A"].pk,
                          location=Point(311300, 167000, srid=27700))


def test_a_submitted_proposal_cannot_be_edited(move_a, cctv_manager):
    proposal_submit(proposal=move_a, by=cctv_manager)

    with pytest.raises(WrongState) as refused:
        proposal_item_update(item=move_a.items.get(), by=cctv_manager, bearing_deg=90)
    assert refused.value.allowed == ["approve", "reject"]


# workflow and apply


def test_manager_may_not_approve(move_a, cctv_manager):
    proposal_submit(proposal=move_a, by=cctv_manager)

    with pytest.raises(Forbidden):
        proposal_decide(proposal=move_a, by=cctv_manager, approve=True)


def test_a_rejection_needs_a_reason(move_a, cctv_manager, og_member):
    proposal_submit(proposal=move_a, by=cctv_manager)

    with pytest.raises(InvalidInput, match="A rejection needs a reason"):
        proposal_decide(proposal=move_a, by=og_member, approve=False, reason="  ")
    rejected = proposal_decide(proposal=move_a, by=og_member, approve=False, reason="Station already covered")
    assert (rejected.status, rejected.decision_reason, rejected.decided_by) == (
        ProposalStatus.REJECTED, "Station already covered", og_member)


def test_applying_moves_the_camera_with_history_and_creates_planned_cameras(move_a, cctv_manager, og_member, scene):
    proposal_item_add(proposal=move_a, by=cctv_manager, kind=ProposalItemKind.ADD, name="Station forecourt",
                      location=Point(311250, 167000, srid=27700), bearing_deg=90, view_angle_deg=60, view_range_m=50)
    proposal_submit(proposal=move_a, by=cctv_manager)
    proposal_decide(proposal=move_a, by=og_member, approve=True)
    at = dt.datetime(2024, 7, 1, 10, 0, tzinfo=dt.UTC)

    done = proposal_apply(proposal=move_a, by=cctv_manager, at=at)

    camera_a = Camera.objects.get(pk=scene[0]["A"].pk)
    assert (done.status, done.applied_by, done.applied_at) == (ProposalStatus.DONE, cctv_manager, at)
    assert (camera_a.location.x, camera_a.location.y) == (311200, 167000)
    assert camera_a.view_polygon.contains(Point(311200, 167030, srid=27700))
    event = Camera.pgh_event_model.objects.filter(pgh_obj_id=camera_a.pk).latest("pgh_id")
    context = event.pgh_context.metadata
    assert (context["action"], context["reason"], context["proposal"], context["relocated_on"]) == (
        "camera_relocate", f"Proposal {move_a.pk}: Move A to the station", move_a.pk, "2024-07-01")
    assert context["username"] == "manager"
    added = move_a.items.get(kind=ProposalItemKind.ADD)
    created = added.created_camera
    assert (created.status, created.name, created.kind, created.owner_id) == (
        CameraStatus.PLANNED, "Station forecourt", CameraKind.FIXED, move_a.owner_id)
    assert created.view_polygon.equals_exact(added.view_polygon, tolerance=1e-6)


def test_apply_is_all_or_nothing(move_a, cctv_manager, og_member, scene, council):
    add = proposal_item_add(proposal=move_a, by=cctv_manager, kind=ProposalItemKind.ADD, name="Clash",
                            location=Point(311250, 167000, srid=27700), bearing_deg=90, view_angle_deg=60,
                            view_range_m=50)
    # A camera already holds the asset reference the new one would get: the add fails after the move ran.
    CameraFactory(owner=council, asset_ref=f"P{move_a.pk}-{add.pk}", location=Point(311800, 167800, srid=27700))
    proposal_submit(proposal=move_a, by=cctv_manager)
    proposal_decide(proposal=move_a, by=og_member, approve=True)

    with pytest.raises(InvalidInput):
        proposal_apply(proposal=move_a, by=cctv_manager)

    move_a.refresh_from_db()
    assert move_a.status == ProposalStatus.APPROVED
    assert Camera.objects.get(pk=scene[0]["A"].pk).location.x == 311000


# API


def api_post(client: Client, url: str, body: dict | None = None):
    return client.post(url, json.dumps(body or {}), content_type="application/json")


def logged_in(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


def test_the_workflow_through_the_api(scene, council, cctv_manager, og_member):
    manager, og = logged_in(cctv_manager), logged_in(og_member)
    created = api_post(manager, "/api/maps/proposals", {"title": "Move A"})
    assert created.status_code == 201, created.content
    pid = created.json()["id"]
    item = api_post(manager, f"/api/maps/proposals/{pid}/items",
                    {"kind": "move", "camera_id": scene[0]["A"].pk, "location": NEW_A})
    assert item.status_code == 201, item.content
    assert (item.json()["easting"], item.json()["northing"]) == (311200, 167000)

    figures = manager.get(f"/api/maps/proposals/{pid}/figures", {"month_from": "2024-05", "month_to": "2024-06"})
    assert figures.status_code == 200, figures.content
    body = figures.json()
    assert [body["coverage"][k] for k in ("incidents", "covered_before", "covered_after", "gained", "lost")] == [
        6, 3, 4, 2, 1]
    assert (body["items"][0]["fibre_length_m"], Decimal(body["items"][0]["fibre_cost_gbp"])) == (65.0, Decimal(5525))

    assert api_post(manager, f"/api/maps/proposals/{pid}/submit").json()["status"] == "submitted"
    edit = manager.patch(f"/api/maps/proposals/{pid}", json.dumps({"title": "x"}), content_type="application/json")
    assert edit.status_code == 409 and edit.json()["allowed"] == ["approve", "reject"]
    assert api_post(manager, f"/api/maps/proposals/{pid}/approve").status_code == 403
    assert api_post(og, f"/api/maps/proposals/{pid}/reject", {"reason": ""}).status_code == 400
    assert api_post(og, f"/api/maps/proposals/{pid}/approve").json()["status"] == "approved"
    again = api_post(og, f"/api/maps/proposals/{pid}/approve")
    assert again.status_code == 409 and again.json()["allowed"] == ["apply"], again.content
    applied = api_post(manager, f"/api/maps/proposals/{pid}/apply")
    assert applied.status_code == 200 and applied.json()["status"] == "done", applied.content
    assert Camera.objects.get(pk=scene[0]["A"].pk).location.x == 311200


def test_police_get_403_on_proposals_and_404_on_one(move_a, officer):
    police = logged_in(officer)

    assert police.get("/api/maps/proposals").status_code == 403
    assert api_post(police, "/api/maps/proposals", {"title": "x"}).status_code == 403
    assert api_post(police, "/api/maps/proposals/preview",
                    {"kind": "add", "name": "x", "location": NEW_A, "view_range_m": 30,
                     "camera_kind": "ptz"}).status_code == 403
    assert police.get(f"/api/maps/proposals/{move_a.pk}").status_code == 404
    assert police.get(f"/api/maps/proposals/{move_a.pk}/figures").status_code == 404


def test_bad_item_input_says_what_is_wrong(move_a, cctv_manager):
    response = api_post(logged_in(cctv_manager), f"/api/maps/proposals/{move_a.pk}/items",
                        {"kind": "add", "name": "New", "location": NEW_A, "view_range_m": 5000, "bearing_deg": 0,
                         "view_angle_deg": 60})

    assert response.status_code == 400
    assert response.json()["detail"] == "view_range_m must be between 1 and 1000 metres; got 5000.0."


def test_preview_through_the_api_matches_the_saved_figures_and_is_fast(move_a, cctv_manager, scene):
    client = logged_in(cctv_manager)
    saved = client.get(f"/api/maps/proposals/{move_a.pk}/figures").json()
    body = {"kind": "move", "camera_id": scene[0]["A"].pk, "location": NEW_A}

    started = time.perf_counter()
    preview = api_post(client, "/api/maps/proposals/preview", body)
    elapsed = time.perf_counter() - started

    assert preview.status_code == 200, preview.content
    assert preview.json()["coverage"] == saved["coverage"]
    assert preview.json()["items"][0] | {"item_id": None} == saved["items"][0] | {"item_id": None}
    assert elapsed < 0.5


# pages


def test_the_detail_page_shows_the_figures_and_only_the_moves_you_may_make(move_a, cctv_manager, og_member):
    proposal_submit(proposal=move_a, by=cctv_manager)

    as_manager = logged_in(cctv_manager).get(f"/maps/proposals/{move_a.pk}/")
    as_og = logged_in(og_member).get(f"/maps/proposals/{move_a.pk}/")

    assert as_manager.status_code == 200
    page = as_manager.content.decode()
    assert "covered before 3, after 4 (gained 2, lost 1)" in page
    assert "5525.00" in page and 'data-move="approve"' not in page
    assert 'data-move="approve"' in as_og.content.decode() and 'data-move="reject"' in as_og.content.decode()


def test_rejecting_from_the_page_needs_a_reason(move_a, cctv_manager, og_member):
    proposal_submit(proposal=move_a, by=cctv_manager)
    og = logged_in(og_member)

    og.post(f"/maps/proposals/{move_a.pk}/reject/", {"reason": ""})
    move_a.refresh_from_db()
    assert move_a.status == ProposalStatus.SUBMITTED
    og.post(f"/maps/proposals/{move_a.pk}/reject/", {"reason": "Covered by B already"})
    move_a.refresh_from_db()
    assert (move_a.status, move_a.decision_reason) == (ProposalStatus.REJECTED, "Covered by B already")


def test_police_cannot_open_the_proposal_pages(move_a, officer):
    police = logged_in(officer)

    assert police.get("/maps/proposals/").status_code == 403
    assert police.get(f"/maps/proposals/{move_a.pk}/").status_code == 404


def test_an_operators_proposal_belongs_to_the_council_whose_estate_the_contractor_monitors(operator, council,
                                                                                            contractor):
    from maps.proposals import proposal_owner_for

    assert proposal_owner_for(operator, None) == council
    with pytest.raises(InvalidInput, match="not a council"):
        proposal_owner_for(operator, contractor.pk)


def test_a_contractor_monitoring_two_councils_must_name_one(operator, council, contractor):
    from accounts.choices import OrganisationKind
    from accounts.models import Organisation
    from maps.proposals import proposal_owner_for

    second = Organisation.objects.create(name="Second council", kind=OrganisationKind.COUNCIL)
    second.shares_with.add(contractor)

    with pytest.raises(InvalidInput, match="Give owner_id"):
        proposal_owner_for(operator, None)
    assert proposal_owner_for(operator, second.pk) == second
