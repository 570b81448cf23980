"""Estate import (CSV, GeoJSON) all-or-nothing with named rows, and export as CSV, GeoJSON and OSM.

Points used, with their EPSG:27700 position as PostGIS (PROJ 9.1) gives it:
  Barry    -3.27, 51.40   -> E 311748.6, N 167539.8
  Penarth  -3.169, 51.435 -> E 318836.6, N 171315.3
  Bristol  -2.59, 51.45   -> E 359097.3, N 172500.2 (outside the Vale's E 280000-330000)
"""

import csv
import io
import json
import xml.etree.ElementTree as ET
from pathlib import Path

import pytest
from django.apps import apps
from django.contrib.gis.geos import Point
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from accounts.choices import OrganisationKind
from accounts.exceptions import InvalidInput
from accounts.models import AccessLogEntry, User
from cctv.choices import CameraKind, CameraStatus, Mounting, StatusSource
from cctv.exceptions import ImportRejected
from cctv.exports import OSM_CAMERA_TYPE, OSM_MOUNT, OSM_SURVEILLANCE_TYPE, OSM_ZONE, estate_csv, estate_geojson
from cctv.imports import COLUMNS, NO_FIELD_OF_VIEW, estate_import
from cctv.models import Camera
from cctv.services.cameras import camera_create
from tests.accounts.factories import OrganisationFactory

TRAFFORD = Path(__file__).resolve().parent.parent / "fixtures" / "trafford_cctv_cameras.csv"
# The cameras' real extent is E 370804-382822, N 386699-397109 (PostGIS), so this box holds all 163.
TRAFFORD_BBOX = (370000.0, 386000.0, 383000.0, 398000.0)
HEADER = "asset_ref,name,longitude,latitude,kind,mounting,status,bearing_deg,view_angle_deg,view_range_m"
CameraEvent = apps.get_model("cctv", "CameraEvent")


def csv_file(*rows: str, header: str = HEADER) -> bytes:
    return ("\n".join([header, *rows]) + "\n").encode("utf-8")


def upload(client, user, content: bytes, name: str = "estate.csv", **form):
    client.force_login(user)
    return client.post("/api/estate/import", {"file": SimpleUploadedFile(name, content), **form})


@pytest.fixture
def bridgend(db):
    return OrganisationFactory(name="Bridgend County Borough Council", kind=OrganisationKind.COUNCIL)


# --- CSV import: all or nothing -------------------------------------------------------------------

def test_a_csv_with_one_bad_row_imports_nothing_and_names_that_row(client, cctv_manager):
    content = csv_file(
        "VG001,Holton Road,-3.27,51.40,fixed,column,operational,90,60,80",
        "VG002,Barry Island,-3.27,51.39,fixed,column,operational,north,60,80",
        "VG003,Penarth Pier,-3.169,51.435,ptz,pole,operational,,,120",
    )
    response = upload(client, cctv_manager, content)
    assert response.status_code == 400
    assert response.json() == {
        "detail": "1 row has errors; nothing was imported. Rows are numbered as in a spreadsheet: "
                  "the header is row 1, the first camera row 2.",
        "errors": [{"row": 3, "field": "bearing_deg", "message": "bearing_deg: 'north' is not a number; expected "
                    "degrees clockwise from grid north, 0 up to but not including 360."}],
    }
    assert Camera.objects.count() == 0


def test_every_bad_row_is_named_with_its_column(cctv_manager):
    content = csv_file(
        "VG1,Kind,-3.27,51.40,bullet,column,operational,90,60,80",
        "VG2,Bearing,-3.27,51.40,fixed,column,operational,360,60,80",
        "VG3,Range,-3.27,51.40,fixed,column,operational,90,60,far",
        "VG1,Duplicate,-3.27,51.40,fixed,column,operational,90,60,80",
        "VG5,Bristol,-2.59,51.45,fixed,column,operational,90,60,80",
        "VG6,Status,-3.27,51.40,fixed,column,broken,90,60,80",
        "VG7,,-3.27,51.40,fixed,column,operational,90,60,80",
        "VG8,Half a location,-3.27,,fixed,column,operational,90,60,80",
        "VG9,Too many cells,-3.27,51.40,fixed,column,operational,90,60,80,extra",
    )
    with pytest.raises(ImportRejected) as rejected:
        estate_import(data=content, filename="bad.csv", file_format="csv", owner=cctv_manager.organisation,
                      by=cctv_manager)
    errors = rejected.value.errors
    assert [(e["row"], e["field"]) for e in errors] == [
        (2, "kind"), (3, "bearing_deg"), (4, "view_range_m"), (5, "asset_ref"), (6, "longitude/latitude"),
        (7, "status"), (8, "name"), (9, "longitude/latitude"), (10, None),
    ]
    assert errors[0]["message"] == "kind: unknown kind 'bullet'; use one of fixed, ptz, dome, anpr."
    assert errors[1]["message"] == ("bearing_deg: 360 is out of range; expected degrees clockwise from grid north, "
                                    "0 up to but not including 360.")
    assert errors[3]["message"] == "asset_ref 'VG1' is also on row 2."
    assert errors[4]["message"] == (
        "The location is outside the service area. Given (-2.59, 51.45), which is E 359097, N 172500; "
        "the service area is E 280000–330000, N 160000–190000."
    )
    assert errors[6]["message"] == "name is empty."
    assert errors[7]["message"] == "latitude is empty."
    assert errors[8]["message"].startswith("has 11 cells but the header has 10")
    assert rejected.value.detail.startswith("9 rows have errors; nothing was imported.")
    assert Camera.objects.count() == 0


def test_dates_numbers_and_yes_no_are_checked_per_cell(cctv_manager):
    header = "asset_ref,name,easting,northing,retention_days,installed_on,dpia_review_due_on,has_signage"
    content = csv_file(
        "VG1,Good,311000,167000,31,2024-01-31,2026-02-28,yes",
        "VG2,UK date,311000,167000,31,31/01/2024,,no",
        "VG3,No such day,311000,167000,31,,2026-02-30,no",
        "VG4,Too long kept,311000,167000,400,,,no",
        "VG5,Unsure,311000,167000,31,,,maybe",
        header=header,
    )
    with pytest.raises(ImportRejected) as rejected:
        estate_import(data=content, filename="x.csv", file_format="csv", owner=cctv_manager.organisation,
                      by=cctv_manager)
    assert rejected.value.errors == [
        {"row": 3, "field": "installed_on", "message": "installed_on: '31/01/2024' is not a date written YYYY-MM-DD."},
        {"row": 4, "field": "dpia_review_due_on", "message": "dpia_review_due_on: '2026-02-30' is not a real date."},
        {"row": 5, "field": "retention_days",
         "message": "retention_days: '400' is not a whole number of days from 1 to 366."},
        {"row": 6, "field": "has_signage", "message": "has_signage: 'maybe' is not yes or no."},
    ]


def test_rules_of_the_model_itself_are_named_per_row(cctv_manager):
    content = csv_file(f"VG1,{'x' * 201},-3.27,51.40,fixed,column,operational,,,",
                       f"{'R' * 41},Barry,-3.27,51.40,fixed,column,operational,,,")
    with pytest.raises(ImportRejected) as rejected:
        estate_import(data=content, filename="x.csv", file_format="csv", owner=cctv_manager.organisation,
                      by=cctv_manager)
    assert rejected.value.errors == [
        {"row": 2, "field": "name", "message": "Ensure this value has at most 200 characters (it has 201)."},
        {"row": 3, "field": "asset_ref", "message": "Ensure this value has at most 40 characters (it has 41)."},
    ]


def test_a_quote_left_open_is_refused_with_its_line(cctv_manager):
    content = csv_file('VG1,"Holton Road,-3.27,51.40,fixed,column,operational,,,')
    with pytest.raises(InvalidInput, match="The file is not valid CSV near line 2: unexpected end of data"):
        estate_import(data=content, filename="x.csv", file_format="csv", owner=cctv_manager.organisation,
                      by=cctv_manager)


def test_a_file_with_no_cameras_says_so(cctv_manager):
    for content, name in ((csv_file(), "x.csv"), (geojson_file(), "x.geojson")):
        with pytest.raises(InvalidInput, match="The file holds no cameras."):
            estate_import(data=content, filename=name, file_format=None, owner=cctv_manager.organisation,
                          by=cctv_manager)


def test_a_file_without_a_location_column_is_refused_at_the_header(cctv_manager):
    content = csv_file("VG1,Barry", header="asset_ref,name")
    with pytest.raises(ImportRejected) as rejected:
        estate_import(data=content, filename="x.csv", file_format="csv", owner=cctv_manager.organisation,
                      by=cctv_manager)
    assert rejected.value.errors == [
        {"row": 1, "field": None, "message": "no longitude and latitude (or easting and northing) column."},
    ]


def test_a_bom_crlf_and_quoted_commas_and_line_breaks_are_read(cctv_manager):
    content = (
        "\ufeffasset_ref,name,longitude,latitude,purpose\r\n"
        'VG1,"Holton Road, Barry",-3.27,51.40,"Night-time economy, £5m scheme\r\nsecond line"\r\n'
    ).encode("utf-8")
    result = estate_import(data=content, filename="excel.csv", file_format=None, owner=cctv_manager.organisation,
                           by=cctv_manager)
    assert result.created == ["VG1"]
    camera = Camera.objects.get(asset_ref="VG1")
    assert camera.name == "Holton Road, Barry"
    assert camera.purpose == "Night-time economy, £5m scheme\r\nsecond line"
    assert camera.location.distance(Point(311748.62595259206, 167539.82093405147, srid=27700)) < 0.001


def test_a_cp1252_file_is_refused_naming_the_byte(client, cctv_manager):
    # Header is 42 bytes; "VG1,Barry,-3.27,51.40,Costs " is 28 more, so the £ (0xA3 in cp1252) is byte 71.
    content = "asset_ref,name,longitude,latitude,purpose\nVG1,Barry,-3.27,51.40,Costs £5\n".encode("cp1252")
    response = upload(client, cctv_manager, content)
    assert response.status_code == 400
    assert response.json() == {"detail": "The file is not UTF-8 at byte 71 (line 2, byte 0xA3): save it as UTF-8 "
                                         "(in Excel, 'CSV UTF-8') and upload it again."}
    assert Camera.objects.count() == 0


def test_lon_lat_that_disagree_with_easting_northing_are_refused(cctv_manager):
    header = "asset_ref,name,longitude,latitude,easting,northing"
    content = csv_file("VG1,Barry,-3.27,51.40,311748.626,167539.821", "VG2,Barry,-3.27,51.40,311748.626,167549.821",
                       header=header)
    with pytest.raises(ImportRejected) as rejected:
        estate_import(data=content, filename="x.csv", file_format="csv", owner=cctv_manager.organisation,
                      by=cctv_manager)
    assert rejected.value.errors == [{
        "row": 3, "field": "easting/northing",
        "message": "longitude/latitude and easting/northing are 10.00 m apart; they must agree within 5 cm "
                   "(clear one pair to choose the other).",
    }]


# --- Re-import: update, relocate, status ----------------------------------------------------------

def test_reimport_updates_rather_than_duplicates(cctv_manager):
    owner = cctv_manager.organisation
    first = csv_file("VG1,Holton Road,-3.27,51.40,fixed,column,operational,,,",
                     "VG2,Penarth Pier,-3.169,51.435,ptz,pole,operational,,,120")
    estate_import(data=first, filename="a.csv", file_format="csv", owner=owner, by=cctv_manager)
    second = csv_file("VG1,Holton Road East,-3.27,51.40,fixed,column,operational,90,60,80",
                      "VG2,Penarth Pier,-3.169,51.435,ptz,pole,operational,,,120")
    result = estate_import(data=second, filename="b.csv", file_format="csv", owner=owner, by=cctv_manager)
    assert (result.created, result.updated, result.unchanged, result.relocated) == ([], ["VG1"], ["VG2"], [])
    assert Camera.objects.count() == 2
    camera = Camera.objects.get(asset_ref="VG1")
    assert (camera.name, camera.bearing_deg, camera.view_angle_deg, camera.view_range_m) == (
        "Holton Road East", 90.0, 60.0, 80.0)
    # A 60 degree sector of 80 m: pi * 80^2 / 6 = 3351.0 m^2; the 24-step arc is within 0.2 % of it.
    assert camera.view_polygon.area == pytest.approx(3351.0, rel=0.002)


def test_relocation_by_import_is_recorded_with_its_reason(client, cctv_manager):
    header = "asset_ref,name,easting,northing"
    assert upload(client, cctv_manager, csv_file("VG1,Holton Road,311000,167000", header=header)).status_code == 200
    # Moved 30 m east and 40 m north: 50 m by Pythagoras.
    response = upload(client, cctv_manager, csv_file("VG1,Holton Road,311030,167040", header=header),
                      name="moved.csv")
    assert response.status_code == 200
    assert response.json()["relocated"] == [{"asset_ref": "VG1", "moved_m": 50.0}]
    camera = Camera.objects.get(asset_ref="VG1")
    assert (camera.location.x, camera.location.y) == (311030.0, 167040.0)
    event = CameraEvent.objects.filter(pgh_obj=camera, pgh_label="update").latest("pgh_id")
    assert (event.location.x, event.location.y) == (311030.0, 167040.0)
    assert event.pgh_context.metadata["reason"] == "estate import moved.csv"
    assert event.pgh_context.metadata["user"] == cctv_manager.pk


def test_a_move_under_a_centimetre_is_not_a_relocation(cctv_manager):
    header = "asset_ref,name,easting,northing"
    owner = cctv_manager.organisation
    estate_import(data=csv_file("VG1,Barry,311000,167000", header=header), filename="a.csv", file_format="csv",
                  owner=owner, by=cctv_manager)
    result = estate_import(data=csv_file("VG1,Barry,311000.003,167000.004", header=header), filename="b.csv",
                           file_format="csv", owner=owner, by=cctv_manager)
    assert (result.unchanged, result.relocated) == (["VG1"], [])


def test_a_status_change_by_import_goes_on_the_timeline_as_an_import(cctv_manager):
    owner = cctv_manager.organisation
    estate_import(data=csv_file("VG1,Barry,-3.27,51.40,fixed,column,operational,,,"), filename="a.csv",
                  file_format="csv", owner=owner, by=cctv_manager)
    estate_import(data=csv_file("VG1,Barry,-3.27,51.40,fixed,column,faulty,,,"), filename="b.csv",
                  file_format="csv", owner=owner, by=cctv_manager)
    camera = Camera.objects.get(asset_ref="VG1")
    assert camera.status == CameraStatus.FAULTY
    timeline = list(camera.status_changes.values_list("status", "source", "note"))
    assert timeline[-1] == (CameraStatus.FAULTY, StatusSource.IMPORT, "estate import b.csv")
    assert [status for status, _, _ in timeline] == [CameraStatus.OPERATIONAL, CameraStatus.FAULTY]


def test_a_dry_run_reports_what_would_happen_and_writes_nothing(client, cctv_manager):
    response = upload(client, cctv_manager, csv_file("VG1,Barry,-3.27,51.40,fixed,column,operational,,,"),
                      dry_run="true")
    assert response.status_code == 200
    body = response.json()
    assert (body["dry_run"], body["created"], body["rows"]) == (True, ["VG1"], 1)
    assert body["warnings"] == [{"row": 2, "field": "bearing_deg", "message": NO_FIELD_OF_VIEW}]
    assert Camera.objects.count() == 0
    assert CameraEvent.objects.count() == 0


# --- The Trafford file ----------------------------------------------------------------------------

def test_the_trafford_file_is_refused_as_out_of_area_naming_every_row(client, cctv_manager):
    response = upload(client, cctv_manager, TRAFFORD.read_bytes(), name="trafford_cctv_cameras.csv")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("163 rows have errors; nothing was imported.")
    assert [e["row"] for e in body["errors"]] == list(range(2, 165))
    assert {e["field"] for e in body["errors"]} == {"lon/lat"}
    assert body["errors"][0]["message"].startswith(
        "The location is outside the service area. Given (-2.284777, 53.464515), which is E 381191, N 396457;")
    assert Camera.objects.count() == 0


def test_the_trafford_file_imports_163_cameras_with_163_warnings_when_the_area_covers_it(
        client, cctv_manager, settings):
    settings.SERVICE_AREA_BBOX_27700 = TRAFFORD_BBOX
    response = upload(client, cctv_manager, TRAFFORD.read_bytes(), name="trafford_cctv_cameras.csv")
    assert response.status_code == 200
    body = response.json()
    assert len(body["created"]) == 163
    no_view = [w for w in body["warnings"] if w["message"] == NO_FIELD_OF_VIEW]
    assert [w["row"] for w in no_view] == list(range(2, 165))
    # The one other warning is about the column the register has no place for.
    assert [w for w in body["warnings"] if w not in no_view] == [
        {"row": 1, "field": "area_code", "message": "column not recognised; ignored."}]
    assert Camera.objects.filter(owner=cctv_manager.organisation).count() == 163
    quadrant = Camera.objects.get(asset_ref="1009")
    assert (quadrant.name, quadrant.ward, quadrant.status) == ("The Quadrant, Old Trafford", "Longford", "planned")
    assert quadrant.view_polygon is None
    # Camera 1006's longitude is written -2.2880219999999998, a float artefact: the same double as -2.288022.
    chester_road = Camera.objects.get(asset_ref="1006").location
    assert chester_road.coords == Point(-2.288022, 53.461151, srid=4326).transform(27700, clone=True).coords


def test_a_service_area_that_misses_the_south_of_trafford_names_just_those_rows(cctv_manager, settings):
    # The rough box E 370000-390000, N 390000-400000 leaves out the 32 cameras south of N 390000.
    settings.SERVICE_AREA_BBOX_27700 = (370000.0, 390000.0, 390000.0, 400000.0)
    with pytest.raises(ImportRejected) as rejected:
        estate_import(data=TRAFFORD.read_bytes(), filename="t.csv", file_format="csv",
                      owner=cctv_manager.organisation, by=cctv_manager)
    assert len(rejected.value.errors) == 32
    assert rejected.value.detail.startswith("32 rows have errors")


# --- GeoJSON import -------------------------------------------------------------------------------

def feature(geometry, **properties):
    return {"type": "Feature", "geometry": geometry, "properties": {"name": "Camera", **properties}}


def point(lon, lat):
    return {"type": "Point", "coordinates": [lon, lat]}


def geojson_file(*features, **members) -> bytes:
    return json.dumps({"type": "FeatureCollection", "features": list(features), **members}).encode()


def test_geojson_points_import_with_typed_properties(cctv_manager):
    content = geojson_file(feature(point(-3.27, 51.40), asset_ref="VG1", kind="PTZ", view_range_m=120,
                                   has_signage=True, installed_on="2023-05-01", bearing_deg=None))
    result = estate_import(data=content, filename="estate.geojson", file_format=None,
                           owner=cctv_manager.organisation, by=cctv_manager)
    assert (result.format, result.created, result.warnings) == ("geojson", ["VG1"], [])
    camera = Camera.objects.get(asset_ref="VG1")
    assert (camera.kind, camera.view_range_m, camera.has_signage, str(camera.installed_on)) == (
        CameraKind.PTZ, 120.0, True, "2023-05-01")


def test_geojson_with_a_self_intersecting_polygon_is_refused(client, cctv_manager):
    bow_tie = {"type": "Polygon", "coordinates": [[[-3.27, 51.40], [-3.26, 51.41], [-3.26, 51.40], [-3.27, 51.41],
                                                   [-3.27, 51.40]]]}
    content = geojson_file(feature(point(-3.27, 51.40), asset_ref="VG1"), feature(bow_tie, asset_ref="VG2"))
    response = upload(client, cctv_manager, content, name="estate.geojson")
    assert response.status_code == 400
    body = response.json()
    assert body["detail"].startswith("1 feature has errors; nothing was imported. Features are numbered from 1")
    [error] = body["errors"]
    assert (error["row"], error["field"]) == (2, "geometry")
    assert error["message"].startswith("the geometry is a Polygon and not valid (Self-intersection[")
    assert error["message"].endswith("only Point features can be imported.")
    assert Camera.objects.count() == 0


def test_geojson_problems_are_named_per_feature(cctv_manager):
    british_grid = {"type": "name", "properties": {"name": "urn:ogc:def:crs:EPSG::27700"}}
    content = geojson_file(
        feature({"type": "LineString", "coordinates": [[-3.27, 51.40], [-3.26, 51.41]]}, asset_ref="VG1"),
        feature({"type": "Point", "coordinates": []}, asset_ref="VG2"),
        {**feature(point(311000, 167000), asset_ref="VG3"), "crs": british_grid},
        feature(None, asset_ref="VG4"),
        feature(point("-3.27", 51.40), asset_ref="VG5"),
        feature(point(-3.27, 51.40), asset_ref="VG6"),
    )
    with pytest.raises(ImportRejected) as rejected:
        estate_import(data=content, filename="x.geojson", file_format="geojson", owner=cctv_manager.organisation,
                      by=cctv_manager)
    assert rejected.value.errors == [
        {"row": 1, "field": "geometry",
         "message": "the geometry is a LineString; only Point features can be imported."},
        {"row": 2, "field": "geometry", "message": "the Point has no coordinates; give [longitude, latitude]."},
        {"row": 3, "field": "geometry",
         "message": "crs 'urn:ogc:def:crs:EPSG::27700' is not WGS84: GeoJSON coordinates are longitude/latitude "
                    "in WGS84 (RFC 7946); reproject the file, or import a CSV with easting and northing."},
        {"row": 4, "field": "geometry",
         "message": "the feature has no geometry; give a Point with [longitude, latitude]."},
        {"row": 5, "field": "geometry",
         "message": "coordinates ['-3.27', 51.4] are not [longitude, latitude] numbers."},
    ]
    assert Camera.objects.count() == 0


def test_a_collection_in_another_crs_is_refused_as_a_whole(cctv_manager):
    content = geojson_file(feature(point(-3.27, 51.40), asset_ref="VG1"),
                           crs={"type": "name", "properties": {"name": "EPSG:27700"}})
    with pytest.raises(ImportRejected) as rejected:
        estate_import(data=content, filename="x.geojson", file_format="geojson", owner=cctv_manager.organisation,
                      by=cctv_manager)
    assert [(e["row"], e["field"]) for e in rejected.value.errors] == [(None, "crs")]
    assert rejected.value.detail.startswith("The file has errors; nothing was imported.")


def test_a_file_over_10_mb_is_refused_with_413(client, cctv_manager):
    content = csv_file("VG1,Barry,-3.27,51.40,fixed,column,operational,,,") + b" " * (10 * 1024 * 1024)
    response = upload(client, cctv_manager, content)
    assert response.status_code == 413
    assert response.json() == {"detail": "The file is 10.0 MB; the import limit is 10 MB. Split it into smaller files."}
    assert Camera.objects.count() == 0


# --- Who may import -------------------------------------------------------------------------------

@pytest.mark.parametrize("role", ["operator", "og_member", "police_requester", "police_other", "engineer", "auditor"])
def test_only_cctv_managers_and_administrators_may_import(client, people, role):
    response = upload(client, people[role], csv_file("VG1,Barry,-3.27,51.40,fixed,column,operational,,,"))
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role may not add this camera."}
    assert Camera.objects.count() == 0


def test_an_administrator_imports_into_the_organisation_they_name(client, admin_user, council):
    content = csv_file("VG1,Barry,-3.27,51.40,fixed,column,operational,,,")
    assert upload(client, admin_user, content).json() == {
        "detail": "Say which organisation's estate to import into (owner)."}
    assert upload(client, admin_user, content, owner=council.pk).status_code == 200
    assert Camera.objects.get().owner == council


def test_a_manager_may_not_import_into_another_councils_estate(client, cctv_manager, bridgend):
    response = upload(client, cctv_manager, csv_file("VG1,Barry,-3.27,51.40,fixed,column,operational,,,"),
                      owner=bridgend.pk)
    assert response.status_code == 403
    assert response.json() == {"detail": "You may not add cameras to the estate of Bridgend County Borough Council."}


# --- Exports --------------------------------------------------------------------------------------

FULL_HEADER = ",".join(["asset_ref", "name", "longitude", "latitude", *[c for c in COLUMNS
                                                                         if c not in ("asset_ref", "name")]])


@pytest.fixture
def estate(cctv_manager):
    """Four cameras with every column filled in some row, including awkward text."""
    rows = [
        'VG1,"=HYPERLINK(""http://x"")",-3.27,51.40,fixed,column,operational,Barry,Buttrills,45.3,60,80,31,Axis,'
        'Q1615,2021-04-01,"Night-time economy, £ and ""quotes""\nline two",DPIA-7,2026-04-01,yes',
        "VG2,Penarth Pier,-3.169,51.435,ptz,pole,operational,Penarth,St Augustine's,,,120,28,,,,,,,no",
        "VG3,Cowbridge ANPR,-3.447,51.461,anpr,wall,faulty,Cowbridge,,10,30,60,90,,,,,,,no",
        "VG4,'-planned,-3.27,51.39,dome,building,planned,Barry,,200,90,50,31,,,,,,,",
        "VG5,Old camera,-3.27,51.41,fixed,other,decommissioned,Barry,,0.4,60,50,31,,,,,,,no",
    ]
    result = estate_import(data=csv_file(*rows, header=FULL_HEADER), filename="estate.csv", file_format="csv",
                           owner=cctv_manager.organisation, by=cctv_manager)
    assert len(result.created) == 5
    return Camera.objects.filter(owner=cctv_manager.organisation)


def download(client, user, path):
    client.force_login(user)
    return client.get(f"/api/estate/{path}")


def test_the_exported_csv_reimports_to_identical_cameras(client, cctv_manager, admin_user, estate, bridgend):
    response = download(client, cctv_manager, "export.csv")
    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    exported = response.content
    assert exported.startswith(b"\xef\xbb\xbf") and b"\r\n" in exported
    assert b"'=HYPERLINK" in exported  # a spreadsheet shows it rather than running it

    copy = upload(client, admin_user, exported, name="export.csv", owner=bridgend.pk)
    assert copy.status_code == 200 and len(copy.json()["created"]) == 5
    fields = [column.field for column in COLUMNS.values()]
    for original in estate:
        twin = Camera.objects.get(owner=bridgend, asset_ref=original.asset_ref)
        assert [getattr(twin, f) for f in fields] == [getattr(original, f) for f in fields]
        assert (twin.location.x, twin.location.y) == (original.location.x, original.location.y)
        assert twin.view_polygon == original.view_polygon
    assert Camera.objects.get(owner=bridgend, asset_ref="VG1").name == '=HYPERLINK("http://x")'
    assert Camera.objects.get(owner=bridgend, asset_ref="VG4").name == "-planned"

    events_before = CameraEvent.objects.count()
    again = upload(client, cctv_manager, exported, name="export.csv")
    assert (again.json()["unchanged"], again.json()["updated"]) == (["VG1", "VG2", "VG3", "VG4", "VG5"], [])
    assert CameraEvent.objects.count() == events_before


def test_the_geojson_export_is_wgs84_matching_the_input_within_a_millionth_of_a_degree(client, operator, estate):
    response = download(client, operator, "export.geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    document = json.loads(response.content)
    assert document["type"] == "FeatureCollection"
    given = {"VG1": (-3.27, 51.40), "VG2": (-3.169, 51.435), "VG3": (-3.447, 51.461), "VG4": (-3.27, 51.39),
             "VG5": (-3.27, 51.41)}
    for item in document["features"]:
        lon, lat = item["geometry"]["coordinates"]
        assert item["geometry"]["type"] == "Point"
        expected = given[item["properties"]["asset_ref"]]
        assert abs(lon - expected[0]) < 1e-6 and abs(lat - expected[1]) < 1e-6
    assert [f["properties"]["asset_ref"] for f in document["features"]] == list(given)
    vg2 = document["features"][1]["properties"]
    assert (vg2["kind"], vg2["view_range_m"], vg2["bearing_deg"], vg2["has_signage"], vg2["ward"]) == (
        "ptz", 120.0, None, False, "St Augustine's")


def test_the_geojson_export_reimports_without_change(cctv_manager, estate):
    export = estate_geojson(user=cctv_manager)
    result = estate_import(data=export.content, filename="e.geojson", file_format=None,
                           owner=cctv_manager.organisation, by=cctv_manager)
    assert (len(result.unchanged), result.updated, result.relocated) == (5, [], [])


def test_osm_export_tags_cameras_in_service_only(client, cctv_manager, estate):
    response = download(client, cctv_manager, "export.osm")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/vnd.openstreetmap.data+xml"
    root = ET.fromstring(response.content)
    assert (root.tag, root.get("version")) == ("osm", "0.6")
    nodes = {n.find("tag[@k='ref']").get("v"): n for n in root.iter("node")}
    assert sorted(nodes) == ["VG1", "VG2", "VG3"]  # VG4 planned and VG5 decommissioned are left out
    tags = {ref: {t.get("k"): t.get("v") for t in node.iter("tag")} for ref, node in nodes.items()}
    operator = "Vale of Glamorgan Council"
    common = {"man_made": "surveillance", "surveillance": "public", "operator": operator}
    # Grid north at Barry is 0.99 degrees west of true north, so grid bearing 45.3 is compass 44.3.
    assert tags["VG1"] == {**common, "surveillance:type": "camera", "surveillance:zone": "town",
                           "camera:type": "fixed", "camera:direction": "44", "camera:mount": "pole", "ref": "VG1"}
    assert tags["VG2"] == {**common, "surveillance:type": "camera", "surveillance:zone": "town",
                           "camera:type": "panning", "camera:mount": "pole", "ref": "VG2"}
    assert tags["VG3"] == {**common, "surveillance:type": "ALPR", "surveillance:zone": "traffic",
                           "camera:type": "fixed", "camera:direction": "9", "camera:mount": "wall", "ref": "VG3"}
    assert (nodes["VG1"].get("id"), nodes["VG1"].get("lat"), nodes["VG1"].get("lon")) == (
        "-1", "51.4000000", "-3.2700000")


def test_a_bearing_just_east_of_grid_north_is_just_west_of_true_north(client, cctv_manager):
    estate_import(data=csv_file("VG1,Barry,-3.27,51.40,fixed,column,operational,0.4,60,80"), filename="x.csv",
                  file_format="csv", owner=cctv_manager.organisation, by=cctv_manager)
    root = ET.fromstring(download(client, cctv_manager, "export.osm").content)
    # 0.4 - 0.99 = -0.59, which is 359.41 on the compass.
    assert root.find("node/tag[@k='camera:direction']").get("v") == "359"


def test_every_camera_kind_and_mounting_has_an_osm_mapping():
    for mapping in (OSM_CAMERA_TYPE, OSM_SURVEILLANCE_TYPE, OSM_ZONE):
        assert set(mapping) == set(CameraKind.values)
    assert set(OSM_MOUNT) == set(Mounting.values)


def exported_refs(client, user) -> list[str]:
    content = download(client, user, "export.csv").content.decode("utf-8-sig")
    return [row["asset_ref"] for row in csv.DictReader(io.StringIO(content))]


def test_exports_hold_only_the_cameras_the_user_may_see(client, people, council, bridgend):
    camera_create(owner=council, by=None, asset_ref="VG1", name="Barry", location=Point(311000, 167000, srid=27700))
    camera_create(owner=bridgend, by=None, asset_ref="BR1", name="Porthcawl", location=Point(282000, 177000,
                                                                                            srid=27700))
    assert exported_refs(client, people["cctv_manager"]) == ["VG1"]
    assert exported_refs(client, people["operator"]) == ["VG1"]  # the contractor the council shares with
    assert exported_refs(client, people["police_requester"]) == ["VG1"]
    assert exported_refs(client, people["police_other"]) == []
    assert exported_refs(client, people["admin"]) == ["BR1", "VG1"]
    client.force_login(people["admin"])
    assert json.loads(client.get(f"/api/estate/export.geojson?owner={bridgend.pk}").content)["features"][0][
        "properties"]["asset_ref"] == "BR1"


def test_an_export_is_recorded_in_the_access_log(client, auditor, estate):
    download(client, auditor, "export.geojson")
    entry = AccessLogEntry.objects.get(event="downloaded")
    assert (entry.username, entry.object_label, entry.detail) == ("auditor", "cctv.camera", "estate export, 5 cameras")


def test_exports_take_the_same_number_of_queries_for_two_cameras_or_five(cctv_manager, council):
    counts = []
    for refs in (["A1", "A2"], ["B1", "B2", "B3", "B4", "B5"]):
        for n, ref in enumerate(refs):
            camera_create(owner=council, by=None, asset_ref=ref, name=ref,
                          location=Point(311000 + n, 167000, srid=27700))
        user = User.objects.get(pk=cctv_manager.pk)  # fresh: no cached organisations
        with CaptureQueriesContext(connection) as queries:
            estate_csv(user=user)
            estate_geojson(user=user)
        counts.append(len(queries))
    # The user's organisations, the CSV rows; the visible ids, the GeoJSON aggregate.
    assert counts == [4, 4]


# --- Commands -------------------------------------------------------------------------------------

def test_the_commands_import_a_file_and_export_it_again(cctv_manager, tmp_path):
    source = tmp_path / "estate.csv"
    source.write_bytes(csv_file("VG1,Barry,-3.27,51.40,fixed,column,operational,90,60,80"))
    out = io.StringIO()
    call_command("import_estate", str(source), user="manager", stdout=out)
    assert out.getvalue().startswith("Imported estate.csv into Vale of Glamorgan Council: 1 created, 0 updated")
    target = tmp_path / "estate.osm"
    call_command("export_estate", user="manager", format="osm", output=str(target), stderr=io.StringIO())
    assert ET.fromstring(target.read_bytes()).find("node/tag[@k='ref']").get("v") == "VG1"


def test_the_import_command_lists_every_error_and_fails(cctv_manager, tmp_path):
    source = tmp_path / "bad.csv"
    source.write_bytes(csv_file("VG1,Barry,-3.27,51.40,bullet,column,operational,,,"))
    err = io.StringIO()
    with pytest.raises(CommandError, match="1 row has errors; nothing was imported."):
        call_command("import_estate", str(source), user="manager", stderr=err)
    assert "row 2: kind: unknown kind 'bullet'; use one of fixed, ptz, dome, anpr." in err.getvalue()
    assert Camera.objects.count() == 0
