"""The camera register through the API: create, list, GeoJSON, relocate, status, history."""

import json

import pytest

from cctv.choices import CameraStatus
from cctv.geometry import point_from_input
from cctv.models import Camera, CameraStatusChange
from cctv.services.cameras import camera_create

BARRY_ISLAND = {"x": -3.2727, "y": 51.3915, "srid": 4326}


def make_camera(owner, asset_ref="VOG-001", **fields):
    defaults = dict(name="Barry Island promenade", location=point_from_input(-3.2727, 51.3915),
                    bearing_deg=180, view_angle_deg=70, view_range_m=90, status=CameraStatus.OPERATIONAL,
                    town="Barry")
    defaults.update(fields)
    return camera_create(owner=owner, by=None, asset_ref=asset_ref, **defaults)


def post_json(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_manager_registers_a_camera_with_its_view_cone(client, cctv_manager):
    client.force_login(cctv_manager)
    response = post_json(client, "/api/cameras", {
        "asset_ref": "VOG-101", "name": "Holton Road / Main Street", "location": BARRY_ISLAND,
        "kind": "fixed", "bearing_deg": 45, "view_angle_deg": 60, "view_range_m": 100, "status": "operational",
        "purpose": "Town centre night-time economy", "retention_days": 31,
    })
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["has_field_of_view"] is True
    assert body["longitude"] == pytest.approx(-3.2727, abs=1e-6)
    camera = Camera.objects.get(asset_ref="VOG-101")
    assert camera.owner == cctv_manager.organisation
    assert camera.view_polygon.area == pytest.approx(3.14159 * 100**2 / 6, rel=0.003)
    assert list(camera.status_changes.values_list("status", flat=True)) == ["operational"]


@pytest.mark.parametrize(
    ("change", "fragment"),
    [
        ({"location": {"x": -2.2848, "y": 53.4645, "srid": 4326}}, "outside the service area"),
        ({"location": {"x": 312000, "y": 167500, "srid": 2157}}, "SRID 2157 is not accepted"),
        ({"bearing_deg": 400}, "bearing_deg"),
        ({"asset_ref": "   "}, "asset_ref"),
        ({"kind": "laser"}, "kind"),
    ],
)
def test_bad_camera_input_is_refused_and_nothing_is_written(client, cctv_manager, change, fragment):
    client.force_login(cctv_manager)
    body = {"asset_ref": "VOG-102", "name": "x", "location": BARRY_ISLAND, **change}
    response = post_json(client, "/api/cameras", body)
    assert 400 <= response.status_code < 500
    assert fragment in response.json()["detail"]
    assert Camera.objects.count() == 0


def test_duplicate_asset_reference_is_refused(client, cctv_manager, council):
    make_camera(council, "VOG-001")
    client.force_login(cctv_manager)
    response = post_json(client, "/api/cameras", {"asset_ref": "VOG-001", "name": "x", "location": BARRY_ISLAND})
    assert response.status_code == 400
    assert "already exists" in response.json()["detail"]


@pytest.mark.parametrize("role", ["operator", "og_member", "police_requester", "engineer", "auditor"])
def test_only_managers_and_admins_register_cameras(client, people, role):
    client.force_login(people[role])
    response = post_json(client, "/api/cameras", {"asset_ref": "X", "name": "x", "location": BARRY_ISLAND})
    assert response.status_code == 403


def test_list_is_scoped_filtered_and_paginated(client, council, other_force, officer_other_force, operator):
    make_camera(council, "VOG-001", town="Barry")
    make_camera(council, "VOG-002", town="Penarth", status=CameraStatus.OFFLINE)
    client.force_login(operator)  # the contractor: the council shares its estate with it
    listing = client.get("/api/cameras?limit=1").json()
    assert listing["count"] == 2 and len(listing["items"]) == 1
    assert [c["asset_ref"] for c in client.get("/api/cameras?status=offline").json()["items"]] == ["VOG-002"]
    assert [c["asset_ref"] for c in client.get("/api/cameras?q=penarth").json()["items"]] == ["VOG-002"]
    assert client.get("/api/cameras?status=sleeping").status_code == 400
    client.force_login(officer_other_force)  # Gwent Police: not shared with
    assert client.get("/api/cameras").json()["count"] == 0


def test_camera_of_another_council_is_not_found(client, council, officer_other_force):
    camera = make_camera(council)
    client.force_login(officer_other_force)
    assert client.get(f"/api/cameras/{camera.pk}").status_code == 404


def test_geojson_is_a_feature_collection_in_wgs84(client, council, operator):
    make_camera(council, "VOG-001")
    make_camera(council, "VOG-002", location=point_from_input(-3.1780, 51.4380))  # Penarth
    client.force_login(operator)
    response = client.get("/api/cameras/geojson")
    assert response["Content-Type"] == "application/geo+json"
    collection = json.loads(response.content)
    assert collection["type"] == "FeatureCollection"
    assert [f["properties"]["asset_ref"] for f in collection["features"]] == ["VOG-001", "VOG-002"]
    lon, lat = collection["features"][0]["geometry"]["coordinates"]
    assert (lon, lat) == (pytest.approx(-3.2727, abs=1e-6), pytest.approx(51.3915, abs=1e-6))
    cones = json.loads(client.get("/api/cameras/geojson?geometry=view").content)
    assert cones["features"][0]["geometry"]["type"] == "Polygon"
    inside_barry = json.loads(client.get("/api/cameras/geojson?bbox=-3.30,51.38,-3.25,51.40").content)
    assert [f["properties"]["asset_ref"] for f in inside_barry["features"]] == ["VOG-001"]


def test_relocation_needs_a_reason_and_is_kept_in_history(client, council, cctv_manager):
    camera = make_camera(council)
    client.force_login(cctv_manager)
    new_place = {"x": -3.2700, "y": 51.3930, "srid": 4326}
    refused = post_json(client, f"/api/cameras/{camera.pk}/relocate", {"location": new_place, "reason": ""})
    assert refused.status_code == 422
    moved = post_json(client, f"/api/cameras/{camera.pk}/relocate",
                      {"location": new_place, "reason": "Column replaced after collision", "bearing_deg": 200})
    assert moved.status_code == 200, moved.content
    history = client.get(f"/api/cameras/{camera.pk}/history").json()
    latest = history[0]
    assert latest["action"] == "camera_relocate"
    assert latest["reason"] == "Column replaced after collision"
    assert latest["username"] == "manager"
    assert {change["field"] for change in latest["changes"]} >= {"location", "bearing_deg"}


def test_status_change_goes_on_the_timeline_with_who_did_it(client, council, operator):
    camera = make_camera(council)
    client.force_login(operator)
    response = post_json(client, f"/api/cameras/{camera.pk}/status", {"status": "faulty", "note": "picture rolling"})
    assert response.status_code == 200
    camera.refresh_from_db()
    assert camera.status == CameraStatus.FAULTY
    timeline = client.get(f"/api/cameras/{camera.pk}/timeline").json()
    assert [entry["status"] for entry in timeline] == ["faulty", "operational"]
    assert timeline[0]["changed_by"] == "operator"


def test_engineer_may_not_change_a_cameras_status(client, council, engineer):
    camera = make_camera(council)
    client.force_login(engineer)
    response = post_json(client, f"/api/cameras/{camera.pk}/status", {"status": "offline"})
    assert response.status_code == 403
    assert CameraStatusChange.objects.filter(camera=camera).count() == 1


def test_a_late_event_that_splits_the_current_run_moves_its_start(council):
    import datetime as dt

    from django.utils import timezone

    from cctv.services.cameras import camera_status_record

    nine = timezone.now().replace(microsecond=0) - dt.timedelta(hours=3)
    camera = make_camera(council, status_at=nine)  # operational since 09:00
    camera_status_record(camera=camera, status=CameraStatus.OPERATIONAL, at=nine + dt.timedelta(hours=2))
    camera_status_record(camera=camera, status=CameraStatus.OFFLINE, at=nine + dt.timedelta(hours=1))  # late
    camera.refresh_from_db()
    assert camera.status == CameraStatus.OPERATIONAL
    assert camera.status_changed_at == nine + dt.timedelta(hours=2)


def test_a_camera_registered_on_a_node_gets_its_stored_path(council):
    from django.contrib.gis.geos import Point

    from cctv.choices import NodeKind
    from tests.cctv.factories import LinkFactory, NodeFactory

    centre = NodeFactory(owner=council, kind=NodeKind.MONITORING_CENTRE, location=Point(311500, 167000, srid=27700))
    cabinet = NodeFactory(owner=council, location=Point(311550, 166600, srid=27700))
    link = LinkFactory(owner=council, a_node=cabinet, b_node=centre)
    camera = make_camera(council, node=cabinet)
    assert camera.path.is_complete
    assert camera.path.node_ids == [cabinet.pk, centre.pk] and camera.path.link_ids == [link.pk]


def test_two_changes_in_one_transaction_keep_their_own_who_and_why(council, cctv_manager):
    from django.db import transaction

    from cctv.services.cameras import camera_relocate, camera_update
    from tests.cctv.factories import CameraFactory

    moved, renamed = CameraFactory(owner=council), CameraFactory(owner=council)
    with transaction.atomic():  # as an import does
        camera_relocate(camera=moved, by=cctv_manager, location=point_from_input(-3.27, 51.393), reason="moved")
        camera_update(camera=renamed, by=cctv_manager, name="Renamed", reason="typo")

    def latest_context(camera):
        return Camera.pgh_event_model.objects.filter(pgh_obj_id=camera.pk).latest("pgh_id").pgh_context.metadata

    assert (latest_context(moved)["action"], latest_context(moved)["reason"]) == ("camera_relocate", "moved")
    assert (latest_context(renamed)["action"], latest_context(renamed)["reason"]) == ("camera_update", "typo")
    assert "relocated_on" not in latest_context(renamed)
