"""Camera suggestions on a hand-drawn street, checked on paper.

The incident is at P = (311500, 166500) in EPSG:27700, between 22:00 and 22:30 GMT on Monday
2 March 2026. Every camera below is a 60-degree sector (bearing clockwise from grid north):

    VOG-001  50 m south of P looking north, range 100: sees P; operational all along.
    VOG-002  50 m north of P looking south, range 100: sees P; degraded all along (still recording).
    VOG-004  50 m west of P looking east, range 100: sees P; offline 22:10-22:20, inside the window.
    VOG-007  40 m south of P looking SOUTH: its apex is the nearest point of its view, so P is 40 m outside.
    VOG-009  28 m from P with no surveyed range: no field of view.
    VOG-010  100 m south of P looking north, range 150: sees P; still planned (not installed).
    VOG-011  100 m west of P looking east, range 150: sees P; decommissioned at 22:15.
    VOG-012  70 m north-east, a PTZ (full circle) of 100 m: sees P; its first record is at 22:05.
    VOG-020  600 m east: outside the 500 m search radius, so not listed.
    GWE-001  a camera of another council 10 m from P: not the owner's, not listed.
"""

import datetime as dt
import json

import pytest
from django.contrib.gis.geos import Point

from accounts.exceptions import InvalidInput
from cctv.choices import CameraKind, CameraStatus
from cctv.services.cameras import camera_status_record
from evidence.suggest import cameras_suggest
from tests.cctv.factories import CameraFactory, CouncilFactory

UTC = dt.UTC
P = Point(311500, 166500, srid=27700)
STARTS = dt.datetime(2026, 3, 2, 22, 0, tzinfo=UTC)
ENDS = dt.datetime(2026, 3, 2, 22, 30, tzinfo=UTC)
SINCE = dt.datetime(2026, 3, 1, 8, 0, tzinfo=UTC)


def at(hh_mm: str) -> dt.datetime:
    hour, minute = map(int, hh_mm.split(":"))
    return dt.datetime(2026, 3, 2, hour, minute, tzinfo=UTC)


def camera(owner, ref, x, y, *, bearing=0.0, range_m=100.0, status=CameraStatus.OPERATIONAL, since=SINCE, **extra):
    return CameraFactory(owner=owner, asset_ref=ref, location=Point(x, y, srid=27700), bearing_deg=bearing,
                         view_angle_deg=60.0, view_range_m=range_m, status=status, status_changed_at=since, **extra)


@pytest.fixture
def street(council):
    cameras = {
        "VOG-001": camera(council, "VOG-001", 311500, 166450, bearing=0),
        "VOG-002": camera(council, "VOG-002", 311500, 166550, bearing=180, status=CameraStatus.DEGRADED),
        "VOG-004": camera(council, "VOG-004", 311450, 166500, bearing=90),
        "VOG-007": camera(council, "VOG-007", 311500, 166460, bearing=180),
        "VOG-009": camera(council, "VOG-009", 311520, 166480, range_m=None),
        "VOG-010": camera(council, "VOG-010", 311500, 166400, range_m=150, status=CameraStatus.PLANNED),
        "VOG-011": camera(council, "VOG-011", 311400, 166500, bearing=90, range_m=150),
        "VOG-012": camera(council, "VOG-012", 311550, 166550, kind=CameraKind.PTZ, since=at("22:05")),
        "VOG-020": camera(council, "VOG-020", 312100, 166500, bearing=270, range_m=1000),
    }
    camera(CouncilFactory(name="Newport City Council"), "GWE-001", 311510, 166500, bearing=270)
    camera_status_record(camera=cameras["VOG-004"], status=CameraStatus.OFFLINE, at=at("22:10"))
    camera_status_record(camera=cameras["VOG-004"], status=CameraStatus.OPERATIONAL, at=at("22:20"))
    camera_status_record(camera=cameras["VOG-011"], status=CameraStatus.DECOMMISSIONED, at=at("22:15"))
    return cameras


EXPECTED = [
    ("VOG-001", True, "VOG-001 sees the location (50 m away) and was recording throughout the window"),
    ("VOG-002", True, "VOG-002 sees the location (50 m away) and was recording throughout the window"),
    ("VOG-009", False, "VOG-009 has no surveyed field of view"),
    ("VOG-007", False, "VOG-007 looks away: the location is 40 m outside its view"),
    ("VOG-004", False, "VOG-004 was offline 22:10–22:20 during the window"),
    ("VOG-012", False, "VOG-012 has no status record for 22:00–22:05 of the window"),
    ("VOG-010", False, "VOG-010 was planned throughout the window"),
    ("VOG-011", False, "VOG-011 was decommissioned 22:15–22:30 during the window"),
]


def test_every_nearby_camera_is_suggested_or_left_out_with_its_reason(street, operator):
    suggestions = cameras_suggest(owner=street["VOG-001"].owner, location=P, starts_at=STARTS, ends_at=ENDS,
                                  user=operator)
    assert [(s.asset_ref, s.suggested, s.reason) for s in suggestions] == EXPECTED
    assert [s.distance_m for s in suggestions] == [50.0, 50.0, 28.3, 40.0, 50.0, 70.7, 100.0, 100.0]


def test_the_suggestion_is_one_query_for_all_cameras(street, operator, django_assert_num_queries):
    owner = street["VOG-001"].owner
    cameras_suggest(owner=owner, location=P, starts_at=STARTS, ends_at=ENDS, user=operator)  # warms the org cache
    with django_assert_num_queries(1):
        cameras_suggest(owner=owner, location=P, starts_at=STARTS, ends_at=ENDS, user=operator)


def test_a_window_outside_the_outage_suggests_the_camera(street, operator):
    suggestions = cameras_suggest(owner=street["VOG-001"].owner, location=P, starts_at=at("22:20"),
                                  ends_at=at("22:40"), user=operator)
    assert {s.asset_ref: s.suggested for s in suggestions}["VOG-004"] is True


def test_an_outage_in_two_statuses_lists_both(street, operator):
    camera_status_record(camera=street["VOG-001"], status=CameraStatus.OFFLINE, at=at("22:01"))
    camera_status_record(camera=street["VOG-001"], status=CameraStatus.FAULTY, at=at("22:03"))
    camera_status_record(camera=street["VOG-001"], status=CameraStatus.OPERATIONAL, at=at("22:06"))
    suggestions = cameras_suggest(owner=street["VOG-001"].owner, location=P, starts_at=STARTS, ends_at=ENDS,
                                  user=operator)
    assert {s.asset_ref: s.reason for s in suggestions}["VOG-001"] == (
        "VOG-001 was offline 22:01–22:03 and faulty 22:03–22:06 during the window")


def test_a_window_over_midnight_names_the_days(street, operator):
    camera_status_record(camera=street["VOG-001"], status=CameraStatus.OFFLINE, at=at("23:50"))
    suggestions = cameras_suggest(owner=street["VOG-001"].owner, location=P, starts_at=at("23:00"),
                                  ends_at=at("23:00") + dt.timedelta(hours=2), user=operator)
    assert {s.asset_ref: s.reason for s in suggestions}["VOG-001"] == (
        "VOG-001 was offline 02 Mar 23:50–03 Mar 01:00 during the window")


def test_the_police_see_the_same_suggestions_from_a_council_that_shares_with_them(street, officer):
    suggestions = cameras_suggest(owner=street["VOG-001"].owner, location=P, starts_at=STARTS, ends_at=ENDS,
                                  user=officer)
    assert [(s.asset_ref, s.suggested, s.reason) for s in suggestions] == EXPECTED


def test_another_force_cannot_ask_a_council_that_does_not_share_with_it(street, officer_other_force):
    with pytest.raises(InvalidInput, match="cannot send requests to Vale of Glamorgan Council"):
        cameras_suggest(owner=street["VOG-001"].owner, location=P, starts_at=STARTS, ends_at=ENDS,
                        user=officer_other_force)


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_api_takes_lon_lat_or_grid_and_returns_the_reasons(client, street, officer):
    client.force_login(officer)
    body = {"owner_id": street["VOG-001"].owner_id, "location": {"x": 311500, "y": 166500, "srid": 27700},
            "starts_at": "2026-03-02T22:00:00Z", "ends_at": "2026-03-02T22:30:00Z"}
    response = post_json(client, "/api/evidence/requests/suggest", body)
    assert response.status_code == 200, response.content
    assert [(s["asset_ref"], s["suggested"], s["reason"]) for s in response.json()] == EXPECTED
    wgs84 = P.transform(4326, clone=True)
    body["location"] = {"x": wgs84.x, "y": wgs84.y}
    response = post_json(client, "/api/evidence/requests/suggest", body)
    assert [s["asset_ref"] for s in response.json()][:2] == ["VOG-001", "VOG-002"]


@pytest.mark.parametrize(("change", "fragment"), [
    ({"ends_at": "2026-03-02T21:00:00Z"}, "must end after it starts"),
    ({"starts_at": "2026-02-20T22:00:00Z"}, "narrow it to 7 days"),
    ({"ends_at": "2999-01-01T00:00:00Z"}, "ends in the future"),
    ({"location": {"x": 0.0, "y": 51.5}}, "outside the service area"),
    ({"location": {"x": 311500, "y": 166500, "srid": 3857}}, "SRID 3857 is not accepted"),
    ({"starts_at": "2026-03-02T22:00:00"}, "needs a UTC offset"),
])
def test_bad_suggestion_input_is_a_400_saying_what_is_wrong(client, street, officer, change, fragment):
    client.force_login(officer)
    body = {"owner_id": street["VOG-001"].owner_id, "location": {"x": 311500, "y": 166500, "srid": 27700},
            "starts_at": "2026-03-02T22:00:00Z", "ends_at": "2026-03-02T22:30:00Z", **change}
    response = post_json(client, "/api/evidence/requests/suggest", body)
    assert response.status_code == 400, response.content
    assert fragment in response.json()["detail"]
