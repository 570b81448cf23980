"""Coverage analysis (maps.coverage) on a scene small enough to count by hand.

The scene, in British National Grid metres around Barry. Every camera is the factory's fixed
camera: a 60-degree sector, 50 m deep, about its bearing (0 = grid north).

    camera A  (311000, 167000) looking north: sees y 167000-167050 near x 311000
    camera B  (311000, 167080) looking south: sees y 167030-167080 near x 311000
    camera C  (311000, 166950) looking north, OFFLINE: sees (311000, 166990)
    camera D  (311100, 166960) looking north, of a council that shares with nobody: sees (311100, 167000)

    incident         where               month    category                in view of
    a_only           (311000, 167010)    2024-05  Anti-social behaviour   A (10 m ahead)
    a_only_burglary  (311005, 167020)    2024-06  Burglary                A (20.6 m, 14 degrees off)
    both             (311000, 167040)    2024-05  Anti-social behaviour   A (40 m) and B (40 m)
    b_only           (311000, 167070)    2024-05  Burglary                B (10 m; 70 m from A)
    east             (311100, 167000)    2024-05  Anti-social behaviour   D only (90 degrees off A)
    behind_a         (311000, 166990)    2024-06  Anti-social behaviour   C only (behind A)
    vehicle          (311001, 167015)    2024-05  Vehicle crime           A
    april            (311000, 167012)    2024-04  Anti-social behaviour   A, but outside May-June

For the council's CCTV manager over May-June 2024, the counted cameras are A and B (C is
offline, D is not theirs): 7 incidents, 5 in view (a_only, a_only_burglary, both, b_only,
vehicle), 71.4%. Per camera: A sees 4 (3 only it sees), B sees 2 (1 only it sees): 6 sightings
of 5 incidents, because `both` is seen twice and counted once in the share.
"""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point, Polygon
from django.test import Client

from accounts.exceptions import Forbidden, InvalidInput
from accounts.models import User
from cctv.choices import CameraStatus
from maps.choices import IncidentSource
from maps.coverage import coverage_by_camera, coverage_share, uncovered_hotspots
from maps.models import Incident
from tests.cctv.factories import CameraFactory, CouncilFactory

MAY, JUNE, APRIL = dt.date(2024, 5, 1), dt.date(2024, 6, 1), dt.date(2024, 4, 1)
ASB, BURGLARY, VEHICLE = "Anti-social behaviour", "Burglary", "Vehicle crime"
PERIOD = {"month_from": MAY, "month_to": JUNE}


@pytest.fixture
def maps_routes():
    """The maps API and tiles are mounted by config; kept as a name the tests already use."""
    return None


def incident(x: float, y: float, *, month: dt.date = MAY, category: str = ASB, owner=None) -> Incident:
    return Incident.objects.create(
        source=IncidentSource.LOCAL if owner else IncidentSource.POLICE_OPEN_DATA, month=month,
        location=Point(x, y, srid=27700), category=category, falls_within="South Wales Police", owner=owner,
        location_text="On or near Holton Road",
    )


@pytest.fixture
def stranger_council(db):
    return CouncilFactory(name="Bridgend County Borough Council")


@pytest.fixture
def scene(council, stranger_council):
    cameras = {
        "A": CameraFactory(owner=council, asset_ref="VOG-A", location=Point(311000, 167000, srid=27700)),
        "B": CameraFactory(owner=council, asset_ref="VOG-B", location=Point(311000, 167080, srid=27700),
                           bearing_deg=180.0),
        "C": CameraFactory(owner=council, asset_ref="VOG-C", location=Point(311000, 166950, srid=27700),
                           status=CameraStatus.OFFLINE),
        "D": CameraFactory(owner=stranger_council, asset_ref="BCB-D", location=Point(311100, 166960, srid=27700)),
    }
    incidents = {
        "a_only": incident(311000, 167010),
        "a_only_burglary": incident(311005, 167020, month=JUNE, category=BURGLARY),
        "both": incident(311000, 167040),
        "b_only": incident(311000, 167070, category=BURGLARY),
        "east": incident(311100, 167000),
        "behind_a": incident(311000, 166990, month=JUNE),
        "vehicle": incident(311001, 167015, category=VEHICLE),
        "april": incident(311000, 167012, month=APRIL),
    }
    return cameras, incidents


def shares(result) -> dict[str, tuple[int, int, float | None]]:
    return {row.category: (row.incidents, row.covered, row.share_pct) for row in result.by_category}


def test_share_counts_each_incident_in_view_once(scene, cctv_manager):
    result = coverage_share(cctv_manager, **PERIOD)

    assert (result.cameras_counted, result.incidents, result.covered, result.share_pct) == (2, 7, 5, 71.4)
    assert shares(result) == {ASB: (4, 2, 50.0), BURGLARY: (2, 2, 100.0), VEHICLE: (1, 1, 100.0)}


def test_share_counts_only_the_months_asked_for(scene, cctv_manager):
    april_only = coverage_share(cctv_manager, month_from=APRIL, month_to=APRIL)
    april_to_june = coverage_share(cctv_manager, month_from=APRIL, month_to=JUNE)

    assert (april_only.incidents, april_only.covered) == (1, 1)
    assert (april_to_june.incidents, april_to_june.covered) == (8, 6)


def test_share_counts_only_the_categories_asked_for(scene, cctv_manager):
    result = coverage_share(cctv_manager, categories=[ASB, BURGLARY], **PERIOD)

    assert (result.incidents, result.covered, result.share_pct) == (6, 4, 66.7)
    assert shares(result) == {ASB: (4, 2, 50.0), BURGLARY: (2, 2, 100.0)}


def test_a_category_with_no_incidents_is_listed_with_no_share(scene, cctv_manager):
    result = coverage_share(cctv_manager, categories=["Robbery"], **PERIOD)

    assert (result.incidents, result.covered, result.share_pct) == (0, 0, None)
    assert shares(result) == {"Robbery": (0, 0, None)}


def test_per_camera_counts_an_incident_seen_twice_for_each_camera(scene, cctv_manager):
    rows = coverage_by_camera(cctv_manager, **PERIOD)

    assert [(r.asset_ref, r.incidents_in_view, r.incidents_only_in_this_view) for r in rows] == [
        ("VOG-A", 4, 3),
        ("VOG-B", 2, 1),
    ]
    assert rows[0].camera_id == scene[0]["A"].pk and rows[0].status == CameraStatus.OPERATIONAL


def test_per_camera_lists_a_camera_that_saw_nothing_with_zero(scene, cctv_manager):
    rows = coverage_by_camera(cctv_manager, categories=[VEHICLE], **PERIOD)

    assert [(r.asset_ref, r.incidents_in_view, r.incidents_only_in_this_view) for r in rows] == [
        ("VOG-A", 1, 1),
        ("VOG-B", 0, 0),
    ]


def test_an_offline_camera_counts_only_when_asked_for_by_id(scene, cctv_manager):
    cameras, _ = scene

    result = coverage_share(cctv_manager, camera_ids=[cameras["C"].pk], **PERIOD)
    with_a = coverage_share(cctv_manager, camera_ids=[cameras["A"].pk, cameras["C"].pk], **PERIOD)

    assert (result.cameras_counted, result.incidents, result.covered) == (1, 7, 1)  # behind_a
    assert (with_a.cameras_counted, with_a.covered) == (2, 5)  # a_only, a_only_burglary, both, vehicle, behind_a


def test_a_camera_without_a_surveyed_view_covers_nothing(scene, council, cctv_manager):
    CameraFactory(owner=council, asset_ref="VOG-NEW", location=Point(311000, 167000, srid=27700), view_range_m=None)

    result = coverage_share(cctv_manager, **PERIOD)

    assert (result.cameras_counted, result.covered) == (2, 5)


def test_a_camera_that_is_not_visible_to_you_cannot_be_asked_for(scene, cctv_manager):
    cameras, _ = scene

    with pytest.raises(InvalidInput, match=rf"Camera\(s\) {cameras['D'].pk} do not exist or are not visible"):
        coverage_share(cctv_manager, camera_ids=[cameras["A"].pk, cameras["D"].pk], **PERIOD)


def test_cameras_of_a_council_that_does_not_share_do_not_cover_your_incidents(scene, cctv_manager, admin_user):
    """The admin sees every estate, so D's view covers `east` for them; the council's manager does not see D."""
    assert coverage_share(cctv_manager, **PERIOD).covered == 5
    assert (coverage_share(admin_user, **PERIOD).cameras_counted, coverage_share(admin_user, **PERIOD).covered) == (
        3, 6)


def test_police_see_coverage_by_the_cameras_shared_with_their_force(scene, officer, officer_other_force):
    shared = coverage_share(officer, **PERIOD)
    stranger = coverage_share(officer_other_force, **PERIOD)

    assert (shared.cameras_counted, shared.incidents, shared.covered) == (2, 7, 5)
    # Police open data is public: the other force sees the incidents, but none of the council's cameras.
    assert (stranger.cameras_counted, stranger.incidents, stranger.covered) == (0, 7, 0)


def test_local_records_count_only_for_their_council_and_its_partners(
    scene, cctv_manager, stranger_council, admin_user,
):
    incident(311000, 167005, owner=stranger_council)  # in A's view; a local record of the other council
    incident(311000, 167006, owner=scene[0]["A"].owner)  # in A's view; the council's own local record

    assert (coverage_share(cctv_manager, **PERIOD).incidents, coverage_share(cctv_manager, **PERIOD).covered) == (
        8, 6)
    assert coverage_share(admin_user, **PERIOD).incidents == 9


def test_a_user_without_a_role_may_not_read_coverage(scene, council):
    no_role = User.objects.create(username="no-role", organisation=council, role="")

    with pytest.raises(Forbidden):
        coverage_share(no_role, **PERIOD)


def test_a_period_that_ends_before_it_starts_is_refused(cctv_manager):
    with pytest.raises(InvalidInput, match=r"month_from \(2024-06\) is after month_to \(2024-05\)"):
        coverage_share(cctv_manager, month_from=JUNE, month_to=MAY)


# hotspots
#
# With 100 m cells, cell (i, j) spans eastings 100i to 100(i+1) and northings 100j to 100(j+1).
#   cell (3115, 1675): three incidents, none in view
#   cell (3120, 1675): three incidents, one in camera E's view (E at (312080, 167540) looking north)
#   cell (3115, 1676): one incident
#   cell (3116, 1675): one incident, on its west edge at easting 311600 (a cell owns its west edge)


@pytest.fixture
def grid_scene(council):
    CameraFactory(owner=council, asset_ref="VOG-E", location=Point(312080, 167540, srid=27700))
    for x, y in [(311510, 167510), (311550, 167550), (311590, 167590),  # cell (3115, 1675)
                 (312010, 167510), (312050, 167520), (312080, 167570),  # cell (3120, 1675); the last in view
                 (311520, 167610),  # cell (3115, 1676)
                 (311600, 167550)]:  # cell (3116, 1675)
        incident(x, y)
    incident(311510, 167520, month=APRIL)  # outside the period


def test_hotspots_rank_cells_by_incidents_outside_every_view(grid_scene, cctv_manager):
    spots = uncovered_hotspots(cctv_manager, cell_m=100, **PERIOD)

    assert [(s.rank, s.i, s.j, s.incidents, s.uncovered) for s in spots] == [
        (1, 3115, 1675, 3, 3),
        (2, 3120, 1675, 3, 2),
        (3, 3115, 1676, 1, 1),  # ties: west to east, then south to north
        (4, 3116, 1675, 1, 1),
    ]


def test_hotspots_return_each_cell_as_a_wgs84_square(grid_scene, cctv_manager):
    top = uncovered_hotspots(cctv_manager, cell_m=100, limit=1, **PERIOD)

    assert len(top) == 1
    expected = Polygon.from_bbox((311500, 167500, 311600, 167600))
    expected.srid = 27700
    expected.transform(4326)
    assert top[0].cell["type"] == "Polygon"
    corners = sorted(tuple(c) for c in top[0].cell["coordinates"][0][:-1])
    for got, want in zip(corners, sorted(expected.coords[0][:-1]), strict=True):
        assert got == pytest.approx(want, abs=1e-6)


@pytest.mark.parametrize(("arguments", "message"), [
    ({"cell_m": 5}, "cell_m must be between 25 and 10000 metres; got 5"),
    ({"limit": 0}, "limit must be between 1 and 100; got 0"),
])
def test_hotspots_refuse_a_cell_or_limit_out_of_range(cctv_manager, arguments, message):
    with pytest.raises(InvalidInput, match=message):
        uncovered_hotspots(cctv_manager, **arguments, **PERIOD)


# the API returns what the functions return


@pytest.fixture
def manager_client(maps_routes, cctv_manager):
    client = Client()
    client.force_login(cctv_manager)
    return client


def test_coverage_api_returns_the_functions_numbers(scene, manager_client, cctv_manager):
    response = manager_client.get("/api/maps/coverage", {"month_from": "2024-05", "month_to": "2024-06"})

    assert response.status_code == 200, response.content
    body = response.json()
    result = coverage_share(cctv_manager, **PERIOD)
    assert body == {
        "month_from": "2024-05", "month_to": "2024-06", "categories": [], "cameras_counted": 2,
        "incidents": 7, "covered": 5, "share_pct": 71.4,
        "by_category": [
            {"category": ASB, "incidents": 4, "covered": 2, "share_pct": 50.0},
            {"category": BURGLARY, "incidents": 2, "covered": 2, "share_pct": 100.0},
            {"category": VEHICLE, "incidents": 1, "covered": 1, "share_pct": 100.0},
        ],
    }
    assert (body["incidents"], body["covered"], body["share_pct"]) == (result.incidents, result.covered,
                                                                       result.share_pct)


def test_coverage_api_takes_repeated_categories_and_cameras(scene, manager_client):
    cameras, _ = scene
    response = manager_client.get("/api/maps/coverage", {
        "month_from": "2024-05", "month_to": "2024-06", "category": [ASB, BURGLARY],
        "camera": [cameras["A"].pk, cameras["C"].pk],
    })

    assert response.status_code == 200, response.content
    body = response.json()
    # A sees a_only, a_only_burglary, both; C sees behind_a; b_only is B's, not counted here.
    assert (body["categories"], body["cameras_counted"], body["incidents"], body["covered"]) == (
        [ASB, BURGLARY], 2, 6, 4)


def test_per_camera_api_returns_the_functions_rows(scene, manager_client, cctv_manager):
    response = manager_client.get("/api/maps/coverage/cameras", {"month_from": "2024-05", "month_to": "2024-06"})

    assert response.status_code == 200, response.content
    assert response.json() == [
        {"camera_id": r.camera_id, "asset_ref": r.asset_ref, "name": r.name, "status": r.status,
         "incidents_in_view": r.incidents_in_view, "incidents_only_in_this_view": r.incidents_only_in_this_view}
        for r in coverage_by_camera(cctv_manager, **PERIOD)
    ]
    assert [row["incidents_in_view"] for row in response.json()] == [4, 2]


def test_hotspots_api_returns_the_functions_cells(grid_scene, manager_client, cctv_manager):
    response = manager_client.get("/api/maps/coverage/hotspots", {
        "month_from": "2024-05", "month_to": "2024-06", "cell_m": 100, "limit": 2})

    assert response.status_code == 200, response.content
    body = response.json()
    assert [(c["rank"], c["i"], c["j"], c["incidents"], c["uncovered"]) for c in body] == [
        (1, 3115, 1675, 3, 3), (2, 3120, 1675, 3, 2)]
    spots = uncovered_hotspots(cctv_manager, cell_m=100, limit=2, **PERIOD)
    assert [c["cell"] for c in body] == [s.cell for s in spots]


def test_coverage_api_answers_in_a_bounded_number_of_queries(scene, manager_client, django_assert_max_num_queries):
    # The session and the user; the user's visible organisations; the coverage query in its own
    # transaction (savepoint, SET LOCAL jit, query, release); the session's sliding expiry
    # (savepoint, update, release). Nothing here grows with the number of cameras or incidents.
    with django_assert_max_num_queries(10):
        response = manager_client.get("/api/maps/coverage", {"month_from": "2024-05", "month_to": "2024-06"})
    assert response.status_code == 200


@pytest.mark.parametrize(("params", "message"), [
    ({"month_from": "2024-13", "month_to": "2024-06"}, "month_from must be a month written YYYY-MM, like 2024-01; "
                                                       "not '2024-13'."),
    ({"month_from": "May", "month_to": "2024-06"}, "month_from must be a month written YYYY-MM"),
    ({"month_from": "2024-06", "month_to": "2024-05"}, "month_from (2024-06) is after month_to (2024-05)."),
    ({"month_from": "2024-05", "month_to": "2024-06", "camera": 999999}, "Camera(s) 999999 do not exist or are not "
                                                                         "visible to you."),
])
def test_coverage_api_explains_bad_input_with_400(manager_client, params, message):
    response = manager_client.get("/api/maps/coverage", params)

    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_coverage_api_needs_the_period(manager_client):
    response = manager_client.get("/api/maps/coverage", {"month_from": "2024-05"})

    assert response.status_code == 422
    assert "month_to" in response.json()["detail"]


def test_coverage_api_needs_a_signed_in_user(maps_routes, db):
    response = Client().get("/api/maps/coverage", {"month_from": "2024-05", "month_to": "2024-06"})

    assert response.status_code == 401
