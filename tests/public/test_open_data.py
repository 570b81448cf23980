"""The open data: only allow-listed fields, only public cameras, the field of view only where published.

The expected field sets are written out here by hand, not read from cctv.open_data, so adding a field
to the allow-list (or leaking one past it) fails until someone decides it here too.
"""

import csv
import io
import json
import xml.etree.ElementTree as ET

import pytest
from django.test import Client

from cctv.open_data import PUBLIC_CAMERA_FIELDS
from tests.public.conftest import INSTALLED_ON, LICENCE, PRIVATE

pytestmark = pytest.mark.django_db

PROPERTIES = {"asset_ref", "name", "town", "kind", "mounting", "purpose", "retention_days", "operator", "scheme",
              "field_of_view_published", "direction_deg", "view_angle_deg", "view_range_m"}
CSV_HEADER = ["longitude", "latitude", "asset_ref", "name", "town", "kind", "mounting", "purpose", "retention_days",
              "operator", "scheme", "field_of_view_published", "direction_deg", "view_angle_deg", "view_range_m",
              "licence"]
OSM_TAG_KEYS = {"man_made", "surveillance", "surveillance:type", "surveillance:zone", "camera:type", "camera:mount",
                "camera:direction", "operator", "ref", "description"}
IN_SERVICE = {"PUB-1", "PUB-2", "PUB-3", "PUB-4"}
FEEDS = ("/public/cameras.geojson", "/public/cameras.geojson?geometry=view", "/public/cameras.csv",
         "/public/cameras.osm")


@pytest.fixture
def anonymous():
    return Client()


def geojson(client, query=""):
    response = client.get(f"/public/cameras.geojson{query}")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    return json.loads(response.content)


def csv_rows(client):
    response = client.get("/public/cameras.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    return list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))


def osm_root(client):
    response = client.get("/public/cameras.osm")
    assert response.status_code == 200
    return ET.fromstring(response.content)


def test_the_allow_list_is_the_one_written_out_here():
    assert set(PUBLIC_CAMERA_FIELDS) == PROPERTIES


def test_geojson_features_carry_exactly_the_allow_listed_properties(anonymous, estate, unpublished):
    collection = geojson(anonymous)
    assert set(collection) == {"type", "licence", "attribution", "features"}
    assert {frozenset(feature) for feature in collection["features"]} == {frozenset({"type", "geometry",
                                                                                      "properties"})}
    for feature in collection["features"]:
        assert set(feature["properties"]) == PROPERTIES
        assert feature["geometry"]["type"] == "Point"


def test_geojson_holds_only_in_service_cameras_of_published_schemes(anonymous, estate, unpublished):
    features = geojson(anonymous)["features"]
    assert {f["properties"]["asset_ref"] for f in features} == IN_SERVICE


def test_geojson_location_is_wgs84_in_the_vale(anonymous, estate):
    feature = next(f for f in geojson(anonymous)["features"] if f["properties"]["asset_ref"] == "PUB-1")
    lon, lat = feature["geometry"]["coordinates"]
    # (311000, 167000) on the British National Grid is in Barry, about 3.28 W 51.40 N.
    assert -3.30 < lon < -3.25 and 51.38 < lat < 51.42


def test_field_of_view_appears_only_where_the_council_publishes_it(anonymous, estate):
    by_ref = {f["properties"]["asset_ref"]: f["properties"] for f in geojson(anonymous)["features"]}
    assert by_ref["PUB-1"]["field_of_view_published"] is True
    assert by_ref["PUB-1"]["view_angle_deg"] == 60.0 and by_ref["PUB-1"]["view_range_m"] == 50.0
    # Grid bearing 90 becomes a compass bearing: grid north is about a degree west of true north here.
    assert 88.0 < by_ref["PUB-1"]["direction_deg"] < 90.0
    assert by_ref["PUB-4"]["field_of_view_published"] is True and by_ref["PUB-4"]["direction_deg"] is None  # PTZ
    for ref in ("PUB-2", "PUB-3"):
        assert by_ref[ref]["field_of_view_published"] is False
        assert (by_ref[ref]["direction_deg"], by_ref[ref]["view_angle_deg"], by_ref[ref]["view_range_m"]) == (
            None, None, None)
    views = geojson(anonymous, "?geometry=view")["features"]
    assert sorted(f["properties"]["asset_ref"] for f in views) == ["PUB-1", "PUB-4"]
    assert {f["geometry"]["type"] for f in views} == {"Polygon"}


def test_geojson_names_its_licence_at_the_top(anonymous, estate):
    collection = geojson(anonymous)
    assert collection["licence"] == LICENCE
    assert collection["attribution"] == [{"scheme": "Vale public-space CCTV", "operator": "Vale of Glamorgan Council",
                                          "licence": LICENCE}]


def test_an_unknown_geometry_is_refused_with_a_detail(anonymous, estate):
    response = anonymous.get("/public/cameras.geojson?geometry=network")
    assert response.status_code == 400
    assert response.json() == {"detail": "geometry must be one of location, view; not 'network'."}


def test_csv_has_exactly_the_allow_listed_columns_and_a_licence_on_every_row(anonymous, estate, unpublished):
    rows = csv_rows(anonymous)
    assert rows[0] == CSV_HEADER
    body = [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]
    assert {row["asset_ref"] for row in body} == IN_SERVICE
    assert {row["licence"] for row in body} == {LICENCE}
    pub1 = next(row for row in body if row["asset_ref"] == "PUB-1")
    assert (pub1["kind"], pub1["mounting"], pub1["field_of_view_published"], pub1["retention_days"]) == (
        "fixed", "wall", "yes", "31")
    pub2 = next(row for row in body if row["asset_ref"] == "PUB-2")
    assert (pub2["direction_deg"], pub2["view_angle_deg"], pub2["view_range_m"]) == ("", "", "")


def test_osm_nodes_carry_only_surveillance_tags_and_the_licence(anonymous, estate, unpublished):
    root = osm_root(anonymous)
    assert root.tag == "osm" and root.get("version") == "0.6"
    assert root.get("license") == LICENCE and root.get("copyright") == "Vale of Glamorgan Council"
    nodes = root.findall("node")
    assert all(int(node.get("id")) < 0 for node in nodes)
    tags = {node.find("tag[@k='ref']").get("v"): {t.get("k"): t.get("v") for t in node.findall("tag")}
            for node in nodes}
    assert set(tags) == IN_SERVICE
    assert set().union(*(set(t) for t in tags.values())) == OSM_TAG_KEYS
    assert tags["PUB-1"]["camera:direction"] == "89"
    assert tags["PUB-1"]["camera:type"] == "fixed" and tags["PUB-1"]["camera:mount"] == "wall"
    assert tags["PUB-1"]["operator"] == "Vale of Glamorgan Council"
    assert tags["PUB-1"]["description"] == "Purpose of Holton Road east"
    assert tags["PUB-2"]["camera:type"] == "dome" and "camera:direction" not in tags["PUB-2"]
    assert tags["PUB-4"]["camera:type"] == "panning" and "camera:direction" not in tags["PUB-4"]
    assert tags["PUB-3"]["surveillance:type"] == "ALPR" and tags["PUB-3"]["surveillance:zone"] == "traffic"
    assert {t["man_made"] for t in tags.values()} == {"surveillance"}
    assert {t["surveillance"] for t in tags.values()} == {"public"}


def test_no_public_response_reveals_a_private_value(anonymous, estate, unpublished, signing_key):
    scheme_id = estate["PUB-1"].owner.scheme.pk
    urls = ["/public/", *FEEDS, f"/public/subject-access/{scheme_id}/", "/public/signing-key.pem"]
    for url in urls:
        response = anonymous.get(url)
        assert response.status_code == 200, url
        text = response.content.decode("utf-8")
        for name, secret in PRIVATE.items():
            assert secret not in text, f"{name} leaked in {url}"
        assert INSTALLED_ON.isoformat() not in text, url
        # No status value is published, not even as a property or tag.
        for status in ("faulty", "offline", "degraded", "planned", "decommissioned"):
            assert f'"{status}"' not in text and f">{status}<" not in text, (status, url)


def test_an_unpublished_scheme_publishes_nothing(anonymous, unpublished):
    assert geojson(anonymous)["features"] == []
    assert csv_rows(anonymous) == [CSV_HEADER]
    assert osm_root(anonymous).findall("node") == []
    page = anonymous.get("/public/").content.decode()
    assert "No scheme has published its information yet." in page
    assert anonymous.get(f"/public/subject-access/{unpublished[0].scheme.pk}/").status_code == 404


def test_feeds_refuse_writes(anonymous, estate):
    for url in FEEDS:
        assert anonymous.post(url).status_code == 405
