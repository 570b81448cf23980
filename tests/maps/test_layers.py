"""Map layers built in PostGIS: /api/maps/layers/incidents and /api/maps/layers/incident-grid.

Hand-placed incidents (British National Grid metres):
    barry_may     (311000, 167000)  2024-05  Anti-social behaviour
    barry_june    (311050, 167020)  2024-06  Burglary
    penarth_may   (318500, 171500)  2024-05  Anti-social behaviour
A WGS84 box around Barry (-3.30, 51.38, -3.24, 51.42) holds the first two and not Penarth
(about -3.17, 51.44).
"""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.db import connection
from django.test import Client

from accounts.exceptions import InvalidInput
from maps.coverage import incident_grid_layer, incidents_layer
from maps.models import Incident
from tests.maps.test_coverage import ASB, BURGLARY, incident, maps_routes  # noqa: F401 (maps_routes: a fixture)

JUNE = dt.date(2024, 6, 1)
BARRY_BOX = "-3.30,51.38,-3.24,51.42"

pytestmark = pytest.mark.usefixtures("maps_routes")  # the API and tile URLs (see test_coverage)


@pytest.fixture
def placed(db):
    return {
        "barry_may": incident(311000, 167000),
        "barry_june": incident(311050, 167020, month=JUNE, category=BURGLARY),
        "penarth_may": incident(318500, 171500),
    }


@pytest.fixture
def client(cctv_manager):
    client = Client()
    client.force_login(cctv_manager)
    return client


def features(response) -> dict[int, dict]:
    assert response.status_code == 200, response.content
    assert response["Content-Type"] == "application/geo+json"
    body = response.json()
    assert body["type"] == "FeatureCollection"
    return {feature["id"]: feature for feature in body["features"]}


def test_incidents_layer_sends_each_incident_as_a_wgs84_point_with_its_details(placed, client):
    found = features(client.get("/api/maps/layers/incidents"))

    assert set(found) == {placed[name].pk for name in placed}
    june = found[placed["barry_june"].pk]
    expected = Point(311050, 167020, srid=27700).transform(4326, clone=True)
    assert june["geometry"]["type"] == "Point"
    assert june["geometry"]["coordinates"] == pytest.approx([expected.x, expected.y], abs=1e-6)
    assert june["properties"] == {
        "category": BURGLARY, "month": "2024-06", "source": "police_open_data", "crime_ref": "",
        "location_text": "On or near Holton Road", "outcome": "", "lsoa_name": "", "falls_within": "South Wales Police",
    }


def test_incidents_layer_filters_by_months_category_and_box(placed, client):
    in_may = features(client.get("/api/maps/layers/incidents", {"month_from": "2024-05", "month_to": "2024-05"}))
    burglary = features(client.get("/api/maps/layers/incidents", {"category": BURGLARY}))
    in_barry = features(client.get("/api/maps/layers/incidents", {"bbox": BARRY_BOX}))
    in_barry_in_may = features(client.get("/api/maps/layers/incidents", {"bbox": BARRY_BOX, "month_to": "2024-05"}))

    assert set(in_may) == {placed["barry_may"].pk, placed["penarth_may"].pk}
    assert set(burglary) == {placed["barry_june"].pk}
    assert set(in_barry) == {placed["barry_may"].pk, placed["barry_june"].pk}
    assert set(in_barry_in_may) == {placed["barry_may"].pk}


def test_a_box_outside_great_britain_holds_no_incidents(placed, client):
    assert features(client.get("/api/maps/layers/incidents", {"bbox": "2.2,48.8,2.5,48.9"})) == {}  # Paris


def test_incidents_layer_hides_local_records_of_a_council_you_cannot_see(placed, client, cctv_manager):
    from tests.cctv.factories import CameraFactory, CouncilFactory

    stranger = CouncilFactory(name="Bridgend County Borough Council")
    CameraFactory(owner=stranger)
    theirs = incident(311010, 167010, owner=stranger)
    ours = incident(311020, 167010, owner=cctv_manager.organisation)
    CameraFactory(owner=cctv_manager.organisation)

    found = features(client.get("/api/maps/layers/incidents"))

    assert ours.pk in found and theirs.pk not in found


def test_incidents_layer_refuses_more_than_20000_features_and_says_what_to_do(db, client):
    with connection.cursor() as cursor:  # 20,001 incidents in May, one metre apart along a line
        cursor.execute("""
            INSERT INTO maps_incident (source, crime_ref, month, reported_by, falls_within, location, location_text,
                lsoa_code, lsoa_name, category, outcome, context, description)
            SELECT 'police_open_data', '', '2024-05-01', '', '', ST_SetSRID(ST_MakePoint(300000 + g, 167000), 27700),
                   '', '', '', 'Anti-social behaviour', '', '', ''
            FROM generate_series(1, 20001) g
        """)
    incident(311000, 167000, category=BURGLARY)

    response = client.get("/api/maps/layers/incidents")
    narrowed = client.get("/api/maps/layers/incidents", {"category": BURGLARY})

    assert response.status_code == 400
    assert response.json()["detail"].startswith("Too many incidents for one GeoJSON layer: more than 20,000 match.")
    assert "/tiles/incidents/{z}/{x}/{y}.mvt" in response.json()["detail"]
    assert len(features(narrowed)) == 1


def test_incidents_layer_function_counts_up_to_its_cap(placed, cctv_manager):
    with pytest.raises(InvalidInput, match="more than 2 match"):
        incidents_layer(cctv_manager, max_features=2)
    assert '"features"' in incidents_layer(cctv_manager, max_features=3)


@pytest.mark.parametrize(("params", "message"), [
    ({"bbox": "-3.3,51.38,-3.24"}, "bbox must be four numbers: min_lon,min_lat,max_lon,max_lat (WGS84 degrees)."),
    ({"bbox": "-3.24,51.38,-3.30,51.42"}, "bbox is min_lon,min_lat,max_lon,max_lat with min < max"),
    ({"bbox": "a,b,c,d"}, "bbox must be four numbers"),
    ({"month_from": "2024/05"}, "month_from must be a month written YYYY-MM"),
    ({"category": ""}, "Each category is a non-empty name"),
])
def test_layers_explain_bad_input_with_400(db, client, params, message):
    response = client.get("/api/maps/layers/incidents", params)

    assert response.status_code == 400
    assert message in response.json()["detail"]


def test_layers_need_a_signed_in_user(db):
    assert Client().get("/api/maps/layers/incidents").status_code == 401


# the grid (heat) layer
#
# 100 m cells: barry_may (311000, 167000) is in cell (3110, 1670), on its south-west corner;
# barry_june (311050, 167020) is in the same cell; penarth_may in (3185, 1715).


def test_grid_layer_counts_incidents_per_cell_as_squares(placed, client):
    found = client.get("/api/maps/layers/incident-grid", {"cell_m": 100})

    assert found.status_code == 200, found.content
    body = found.json()
    assert body["cell_m"] == 100
    cells = [(f["properties"]["i"], f["properties"]["j"], f["properties"]["incidents"]) for f in body["features"]]
    assert cells == [(3110, 1670, 2), (3185, 1715, 1)]
    square = body["features"][0]["geometry"]
    corner = Point(311000, 167000, srid=27700).transform(4326, clone=True)
    assert square["type"] == "Polygon"
    assert any(c == pytest.approx([corner.x, corner.y], abs=1e-6) for c in square["coordinates"][0])


def test_grid_layer_takes_the_same_filters_as_the_incidents_layer(placed, client):
    body = client.get("/api/maps/layers/incident-grid", {"cell_m": 100, "month_to": "2024-05"}).json()

    assert [(f["properties"]["i"], f["properties"]["incidents"]) for f in body["features"]] == [(3110, 1), (3185, 1)]


def test_grid_layer_of_no_incidents_is_an_empty_collection(db, client):
    body = client.get("/api/maps/layers/incident-grid").json()

    assert body == {"type": "FeatureCollection", "cell_m": 250, "features": []}


def test_grid_layer_refuses_too_many_cells_and_says_what_to_do(placed, cctv_manager):
    with pytest.raises(InvalidInput, match="2 cells of 100 m hold incidents, and the most is 1. Use a larger cell_m"):
        incident_grid_layer(cctv_manager, cell_m=100, max_cells=1)


def test_grid_layer_refuses_a_cell_size_out_of_range(db, client):
    response = client.get("/api/maps/layers/incident-grid", {"cell_m": 10})

    assert response.status_code == 400
    assert response.json()["detail"] == "cell_m must be between 25 and 10000 metres; got 10."


def test_grid_layer_counts_agree_with_the_incidents_layer(placed, client):
    grid = client.get("/api/maps/layers/incident-grid", {"cell_m": 1000}).json()
    points = client.get("/api/maps/layers/incidents").json()

    assert sum(f["properties"]["incidents"] for f in grid["features"]) == len(points["features"]) == 3
    assert Incident.objects.count() == 3
