"""Vector tiles: /tiles/<layer>/<z>/<x>/<y>.mvt, decoded with mapbox_vector_tile.

Which tile holds a point is the slippy-map formula over spherical Mercator (as mercantile
computes it): for longitude λ and latitude φ at zoom z, with n = 2^z,
    x = floor((λ + 180) / 360 · n)
    y = floor((1 − asinh(tan φ) / π) / 2 · n)
and the point sits at ((fx − x) · 4096, (fy − y) · 4096) in the tile's 4096-unit grid, counted
from the tile's top-left corner (fx, fy: the same without the floor).

By hand for Barry (λ = −3.27, φ = 51.40) at z14: (176.73 / 360) · 16384 = 8043.18, so x = 8043;
tan φ = 1.25268, asinh(1.25268) = ln(1.25268 + 1.60287) = 1.04927, 1.04927 / π = 0.33399,
(1 − 0.33399) / 2 · 16384 = 5455.94, so y = 5455.
"""

import datetime as dt
import hashlib
import math

import mapbox_vector_tile
import pytest
from django.contrib.gis.geos import Point
from django.test import Client

from accounts.services import api_token_create
from cctv.choices import CameraStatus
from cctv.models import Camera
from maps import queries
from maps.models import Incident
from maps.tiles import tile_address
from tests.cctv.factories import CameraFactory, LinkFactory
from tests.maps.test_coverage import incident, maps_routes  # noqa: F401 (maps_routes: a fixture)

MVT = "application/vnd.mapbox-vector-tile"

pytestmark = pytest.mark.usefixtures("maps_routes")  # the API and tile URLs (see test_coverage)


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int, float, float]:
    """(x, y) of the tile holding the point, and the point's position in it (0-4096, y down)."""
    n = 2 ** z
    fx = (lon + 180.0) / 360.0 * n
    fy = (1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n
    x, y = math.floor(fx), math.floor(fy)
    return x, y, (fx - x) * 4096, (fy - y) * 4096


def lon_lat(easting: float, northing: float) -> tuple[float, float]:
    point = Point(easting, northing, srid=27700).transform(4326, clone=True)
    return point.x, point.y


def decode(response) -> dict:
    assert response.status_code == 200, response.content
    return mapbox_vector_tile.decode(response.content, default_options={"y_coord_down": True})


def test_the_tile_formula_agrees_with_the_hand_calculation_for_barry():
    x, y, _, _ = tile_of(-3.27, 51.40, 14)

    assert (x, y) == (8043, 5455)


@pytest.fixture
def camera(council):
    """A council camera on Holton Road, Barry, looking east."""
    return CameraFactory(owner=council, asset_ref="VOG-HR1", name="Holton Road east",
                         location=Point(311500, 167500, srid=27700), bearing_deg=90.0, status=CameraStatus.DEGRADED)


@pytest.fixture
def client(cctv_manager):
    client = Client()
    client.force_login(cctv_manager)
    return client


def url(layer: str, z: int, x: int, y: int) -> str:
    return f"/tiles/{layer}/{z}/{x}/{y}.mvt"


def test_camera_tile_holds_the_camera_where_it_stands_with_its_status(camera, client):
    x, y, px, py = tile_of(*lon_lat(311500, 167500), 16)

    layer = decode(client.get(url("cameras", 16, x, y)))["cameras"]

    assert layer["extent"] == 4096
    [feature] = layer["features"]
    assert feature["id"] == camera.pk
    assert feature["geometry"]["type"] == "Point"
    assert feature["geometry"]["coordinates"] == pytest.approx([px, py], abs=1)
    assert feature["properties"] == {
        "asset_ref": "VOG-HR1", "name": "Holton Road east", "status": "degraded", "kind": "fixed",
        "bearing_deg": 90.0, "view_angle_deg": 60.0, "view_range_m": 50.0,
    }


def test_views_tile_holds_the_cameras_field_of_view_polygon(camera, client):
    x, y, px, py = tile_of(*lon_lat(311500, 167500), 16)

    [feature] = decode(client.get(url("views", 16, x, y)))["views"]["features"]

    assert feature["id"] == camera.pk
    assert feature["properties"] == {"asset_ref": "VOG-HR1", "status": "degraded", "kind": "fixed"}
    assert feature["geometry"]["type"] == "Polygon"
    ring = feature["geometry"]["coordinates"][0]
    # The sector's apex is the camera, and it reaches 50 m east of it. A ground metre at latitude φ
    # is 4096 · 2^z / (40,075,017 m · cos φ) tile units: 10.73 at z16 in Barry, so 50 m is ~537 units
    # (within 1%: grid north and true north differ by about a degree here).
    assert any(abs(cx - px) <= 1 and abs(cy - py) <= 1 for cx, cy in ring)
    _, lat = lon_lat(311500, 167500)
    units_per_metre = 4096 * 2 ** 16 / (40_075_016.686 * math.cos(math.radians(lat)))
    assert max(cx for cx, _ in ring) - px == pytest.approx(50 * units_per_metre, rel=0.01)


def test_incident_tile_holds_incidents_with_category_and_month(db, client):
    near = incident(311500, 167500, category="Burglary")
    x, y, px, py = tile_of(*lon_lat(311500, 167500), 15)

    [feature] = decode(client.get(url("incidents", 15, x, y)))["incidents"]["features"]

    assert feature["id"] == near.pk
    assert feature["geometry"]["coordinates"] == pytest.approx([px, py], abs=1)
    assert feature["properties"] == {"category": "Burglary", "month": "2024-05", "source": "police_open_data",
                                     "location_text": "On or near Holton Road", "outcome": ""}


def test_links_tile_draws_each_link_as_a_line(council, client):
    link = LinkFactory(owner=council, circuit_ref="VOG-F1")
    x, y, _, _ = tile_of(*lon_lat(*link.route.coords[0]), 14)

    [feature] = decode(client.get(url("links", 14, x, y)))["links"]["features"]

    assert feature["id"] == link.pk
    assert feature["geometry"]["type"] == "LineString"
    assert feature["properties"]["circuit_ref"] == "VOG-F1"
    assert feature["properties"]["length_m"] == pytest.approx(round(link.length_m, 1))


def test_the_whole_world_tile_still_finds_the_vale(camera, client):
    """At z0 the tile spans the globe; its 27700 box is cut to Great Britain before transforming."""
    [feature] = decode(client.get(url("cameras", 0, 0, 0)))["cameras"]["features"]

    assert feature["id"] == camera.pk


def test_tile_response_is_cached_privately_for_a_minute_under_an_etag_of_its_bytes(camera, client):
    x, y, _, _ = tile_of(*lon_lat(311500, 167500), 16)

    response = client.get(url("cameras", 16, x, y))

    assert response.status_code == 200
    assert response["Content-Type"] == MVT
    assert response["Cache-Control"] == "private, max-age=60"
    assert response["ETag"] == f'"{hashlib.sha256(response.content).hexdigest()}"'
    assert {"Cookie", "Authorization"} <= {v.strip() for v in response["Vary"].split(",")}


def test_a_tile_whose_etag_the_client_holds_is_not_sent_again(camera, client):
    x, y, _, _ = tile_of(*lon_lat(311500, 167500), 16)
    first = client.get(url("cameras", 16, x, y))

    again = client.get(url("cameras", 16, x, y), HTTP_IF_NONE_MATCH=first["ETag"])
    changed = client.get(url("cameras", 16, x, y), HTTP_IF_NONE_MATCH='"0000"')

    assert again.status_code == 304 and again.content == b""
    assert again["ETag"] == first["ETag"] and again["Cache-Control"] == "private, max-age=60"
    assert changed.status_code == 200 and changed.content == first.content


def test_a_camera_change_changes_the_etag(camera, client):
    x, y, _, _ = tile_of(*lon_lat(311500, 167500), 16)
    before = client.get(url("cameras", 16, x, y))
    camera.status = CameraStatus.OFFLINE
    camera.save()

    after = client.get(url("cameras", 16, x, y), HTTP_IF_NONE_MATCH=before["ETag"])

    assert after.status_code == 200 and after["ETag"] != before["ETag"]
    assert decode(after)["cameras"]["features"][0]["properties"]["status"] == "offline"


def test_a_tile_with_nothing_in_it_is_200_with_an_empty_body(camera, client):
    x, y, _, _ = tile_of(-0.1276, 51.5072, 14)  # London

    response = client.get(url("cameras", 14, x, y))

    assert response.status_code == 200 and response.content == b""
    assert response["ETag"] == f'"{hashlib.sha256(b"").hexdigest()}"'
    assert client.get(url("cameras", 14, x, y), HTTP_IF_NONE_MATCH=response["ETag"]).status_code == 304


@pytest.mark.parametrize(("address", "message"), [
    ("23/0/0", "Zoom z must be between 0 and 22; got 23."),
    ("14/16384/5455", "At zoom 14, x must be between 0 and 16383; got 16384."),
    ("14/8043/-1", "At zoom 14, y must be between 0 and 16383; got -1."),
    ("0/0/1", "At zoom 0, y must be between 0 and 0; got 1."),
    ("fourteen/1/1", "A tile address is three whole numbers z/x/y; got fourteen/1/1."),
])
def test_a_bad_tile_address_is_400_saying_what_is_wrong(client, address, message):
    response = client.get(f"/tiles/cameras/{address}.mvt")

    assert response.status_code == 400
    assert response.json() == {"detail": message}


def test_incident_tile_takes_the_months_and_categories_of_the_incident_layers(db, client):
    may_burglary = incident(311500, 167500, category="Burglary")
    incident(311510, 167500, category="Vehicle crime")
    june = incident(311520, 167500, month=dt.date(2024, 6, 1), category="Burglary")
    x, y, _, _ = tile_of(*lon_lat(311500, 167500), 15)

    def ids(params: dict) -> set[int]:
        return {f["id"] for f in decode(client.get(url("incidents", 15, x, y), params))["incidents"]["features"]}

    assert ids({"category": "Burglary"}) == {may_burglary.pk, june.pk}
    assert ids({"month_from": "2024-06", "month_to": "2024-06"}) == {june.pk}
    assert ids({"month_to": "2024-05", "category": ["Burglary", "Robbery"]}) == {may_burglary.pk}


@pytest.mark.parametrize(("address", "params", "message"), [
    ("incidents/12/2010/1363", {}, "Incident tiles start at zoom 13; below it use the incident grid layer"),
    ("incidents/15/16087/10911", {"month_from": "June"}, "month_from must be a month written YYYY-MM"),
    ("cameras/15/16087/10911", {"category": "Burglary"}, "month_from, month_to and category filter the incidents "
                                                         "layer only."),
])
def test_incident_tile_filters_and_zoom_are_checked(db, client, address, params, message):
    response = client.get(f"/tiles/{address}.mvt", params)

    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_an_unknown_layer_is_404(client):
    response = client.get(url("faults", 14, 8043, 5455))

    assert response.status_code == 404
    assert response.json()["detail"] == (
        "There is no tile layer 'faults'; the layers are incidents, cameras, views, links.")


def test_tiles_need_a_signed_in_user_or_a_token(camera, cctv_manager):
    x, y, _, _ = tile_of(*lon_lat(311500, 167500), 16)
    token = api_token_create(user=cctv_manager, name="QGIS").plaintext

    anonymous = Client().get(url("cameras", 16, x, y))
    with_token = Client().get(url("cameras", 16, x, y), HTTP_AUTHORIZATION=f"Bearer {token}")
    bad_token = Client().get(url("cameras", 16, x, y), HTTP_AUTHORIZATION="Bearer vcctv_nope_nope")

    assert anonymous.status_code == 401 and "Authentication required" in anonymous.json()["detail"]
    assert [f["id"] for f in decode(with_token)["cameras"]["features"]] == [camera.pk]
    assert bad_token.status_code == 401


def test_police_of_a_force_the_council_shares_with_see_its_cameras(camera, officer):
    client = Client()
    client.force_login(officer)
    x, y, _, _ = tile_of(*lon_lat(311500, 167500), 16)

    assert [f["id"] for f in decode(client.get(url("cameras", 16, x, y)))["cameras"]["features"]] == [camera.pk]


def test_police_of_another_force_get_no_cameras_in_the_tile(camera, officer_other_force):
    client = Client()
    client.force_login(officer_other_force)
    x, y, _, _ = tile_of(*lon_lat(311500, 167500), 16)

    cameras = client.get(url("cameras", 16, x, y))
    views = client.get(url("views", 16, x, y))

    assert (cameras.status_code, cameras.content) == (200, b"")
    assert (views.status_code, views.content) == (200, b"")


def test_police_see_incidents_but_not_links(council, officer_other_force):
    LinkFactory(owner=council)
    near = incident(311500, 167500)
    client = Client()
    client.force_login(officer_other_force)
    x, y, _, _ = tile_of(*lon_lat(311500, 167500), 15)

    incidents = client.get(url("incidents", 15, x, y))
    links = client.get(url("links", 15, x, y))

    assert [f["id"] for f in decode(incidents)["incidents"]["features"]] == [near.pk]
    assert links.status_code == 403
    assert links.json() == {"detail": "Your role may not view this link."}


def test_tile_address_accepts_the_corners_of_the_grid():
    assert tile_address("0", "0", "0") == (0, 0, 0)
    assert tile_address(22, 2 ** 22 - 1, 2 ** 22 - 1) == (22, 4194303, 4194303)


def test_a_scope_that_holds_nothing_gives_an_empty_tile_and_no_coverage(camera):
    """visible_to answers `.none()` for a role without 'view'; the SQL then wraps a query of no rows."""
    incident(311500, 167500)

    assert queries.cameras_tile(Camera.objects.none(), z=0, x=0, y=0) == b""
    cameras_counted, rows = queries.coverage_counts_by_category(Camera.objects.none(), Incident.objects.all())
    assert (cameras_counted, [(r.category, r.total, r.covered) for r in rows]) == (0, [("Anti-social behaviour", 1, 0)])
