"""Hostile input across the service (issue 9): each is refused with a 4xx that says what is wrong, and
the database holds exactly what it held before.

"Exactly" is checked, not assumed: `unchanged` takes the row count and an order-independent checksum
of every row of every table in the database (minus a few Django bookkeeping tables and the columns
that record a sign-in or a token's last use) before the hostile requests and again after them, and the
files under MEDIA_ROOT too. The world is the populated one of fixtures_fuzz.py, so ids hit real rows.

Free text that is accepted (SQL or HTML in a name) must come back verbatim and be escaped on every
page that shows it.
"""

from __future__ import annotations

import io
import json
import re
import zipfile
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection
from django.test import Client, override_settings
from PIL import Image

from accounts.choices import Role
from tests.evidence.factories_exhibits import multipart_body, upload_url
from tests.security.fixtures_fuzz import fuzz_world  # noqa: F401 (fixture)

# Tables whose rows are Django's own bookkeeping, not the service's data, and columns that a request
# may legitimately touch on its way to being refused (a token's last use, a sign-in).
UNTRACKED_TABLES = {"spatial_ref_sys", "django_migrations", "django_session", "accounts_usersession",
                    "django_content_type", "auth_permission"}
VOLATILE_COLUMNS = {"accounts_apitoken": ["last_used_at"], "accounts_user": ["last_login"]}

SQL_INJECTION = "Robert'); DROP TABLE cctv_camera; -- ' OR '1'='1"
SCRIPT = "<script>alert('vale')</script>"
ESCAPED_SCRIPT = "&lt;script&gt;alert(&#x27;vale&#x27;)&lt;/script&gt;"


# --- the checks -------------------------------------------------------------------------------

def database_state() -> dict[str, tuple[int, str]]:
    """{table: (rows, checksum)} for every table, in one round trip."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename")
        tables = [name for (name,) in cursor.fetchall() if name not in UNTRACKED_TABLES]
        parts, params = [], []
        for table in tables:
            parts.append(
                f"SELECT %s, count(*), md5(coalesce(string_agg(h, ',' ORDER BY h), '')) FROM "
                f"(SELECT md5((to_jsonb(t) - %s::text[])::text) AS h FROM {connection.ops.quote_name(table)} t) s"
            )
            params += [table, VOLATILE_COLUMNS.get(table, [])]
        cursor.execute(" UNION ALL ".join(parts), params)
        return {table: (count, digest) for table, count, digest in cursor.fetchall()}


def media_files() -> set[str]:
    root = Path(settings.MEDIA_ROOT)
    return {str(path.relative_to(root)) for path in root.rglob("*") if path.is_file()} if root.exists() else set()


@contextmanager
def unchanged():
    """Assert that nothing in the database or the file store changed inside the block."""
    before, files_before = database_state(), media_files()
    yield
    after, files_after = database_state(), media_files()
    changed = {table: (before.get(table), after.get(table)) for table in before.keys() | after.keys()
               if before.get(table) != after.get(table)}
    assert not changed, f"a refused request changed the database: {changed}"
    assert files_after == files_before, f"a refused request left files: {sorted(files_after - files_before)}"


def refused(response, status: int, *phrases: str) -> str:
    """The response is `status` with a {"detail"} that contains each phrase (case-insensitive)."""
    assert response.status_code == status, (response.status_code, response.content[:500])
    assert response["Content-Type"].startswith("application/json"), response["Content-Type"]
    detail = response.json().get("detail")
    assert isinstance(detail, str) and detail.strip(), response.json()
    for phrase in phrases:
        assert phrase.lower() in detail.lower(), (phrase, detail)
    return detail


# --- fixtures ---------------------------------------------------------------------------------

@pytest.fixture
def ids(fuzz_world):  # noqa: F811
    return fuzz_world.ids


@pytest.fixture
def api(fuzz_world, db):  # noqa: F811
    """A client speaking JSON to the API with a bearer token of the given role (default: the manager)."""

    class Api:
        def __init__(self):
            self.client, self.tokens = Client(), fuzz_world.tokens

        def call(self, method, path, body=None, *, role=Role.CCTV_MANAGER, raw=None, content_type="application/json",
                 **extra):
            data = raw if raw is not None else (json.dumps(body) if body is not None else "")
            return self.client.generic(method, path, data, content_type=content_type,
                                       HTTP_AUTHORIZATION=f"Bearer {fuzz_world.tokens[role]}", **extra)

        def post(self, path, body=None, **kw):
            return self.call("POST", path, body, **kw)

        def patch(self, path, body=None, **kw):
            return self.call("PATCH", path, body, **kw)

        def get(self, path, *, role=Role.CCTV_MANAGER, **extra):
            return self.client.get(path, HTTP_AUTHORIZATION=f"Bearer {fuzz_world.tokens[role]}", **extra)

        def upload(self, path, files: dict, fields: dict | None = None, *, role=Role.CCTV_MANAGER):
            return self.client.post(path, {**(fields or {}), **files},
                                    HTTP_AUTHORIZATION=f"Bearer {fuzz_world.tokens[role]}")

    return Api()


@pytest.fixture
def pages(fuzz_world, db):  # noqa: F811
    """A browser session signed in as the given role."""

    def signed_in(role=Role.CCTV_MANAGER) -> Client:
        client = Client()
        client.force_login(fuzz_world.users[role])
        return client

    return signed_in


def camera_body(**changes) -> dict:
    return {"asset_ref": "VOG-HOSTILE-1", "name": "Harbour Road", "location": {"x": -3.2660, "y": 51.4040},
            "kind": "fixed", "bearing_deg": 90, "view_angle_deg": 60, "view_range_m": 80, **changes}


def _file(content: bytes, name: str):
    handle = io.BytesIO(content)
    handle.name = name
    return handle


def test_the_unchanged_check_sees_one_changed_value_and_one_stray_file(ids, db):
    """The check every test below relies on is not vacuous: one field of one row, or one file, is enough."""
    from cctv.models import Camera

    with pytest.raises(AssertionError, match="cctv_camera"), unchanged():
        Camera.objects.filter(pk=ids["camera_id"]).update(ward="Baruc")
    stray = Path(settings.MEDIA_ROOT) / "incoming" / "upload-stray.part"
    with pytest.raises(AssertionError, match="upload-stray.part"), unchanged():
        stray.parent.mkdir(parents=True, exist_ok=True)
        stray.write_bytes(b"half a file")
    stray.unlink()


# --- JSON: malformed, oversized, the wrong shape ------------------------------------------------

JSON_POSTS = ["/api/cameras", "/api/faults", "/api/evidence/requests", "/api/maps/incidents", "/api/maps/proposals",
              "/api/network/nodes", "/api/health/events"]


@pytest.mark.parametrize("path", JSON_POSTS)
def test_malformed_json_is_a_400_that_says_where_and_writes_nothing(api, path):
    with unchanged():
        refused(api.post(path, raw='{"name": "Harbour Road",'), 400, "not valid JSON", "line 1")
        refused(api.post(path, raw="{'name': 'single quotes'}"), 400, "not valid JSON")
        refused(api.post(path, raw='{"name": "Caf\xe9"}'.encode("latin-1")), 400, "not UTF-8")
        refused(api.post(path, raw='{"name": "Harbour Road"}'.encode("utf-16")), 400, "not UTF-8")
        refused(api.post(path, raw="[" * 200_000), 400, "nested too deeply")


@pytest.mark.parametrize("path", ["/api/cameras", "/api/health/events"])
def test_a_json_body_over_the_upload_limit_is_a_413(api, path):
    padding = "x" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 1)
    body = camera_body(purpose=padding) if path == "/api/cameras" else [{"asset_ref": padding}]
    with unchanged():
        refused(api.post(path, body, role=Role.OPERATOR if "health" in path else Role.CCTV_MANAGER), 413, "larger")


@pytest.mark.parametrize("raw", ["[]", '"Harbour Road"', "5", "null", "true"])
def test_a_body_that_is_not_an_object_is_refused_not_read_as_empty(api, ids, raw):
    """An all-optional body (a PATCH, a fix note) used to take `[]` as `{}` and make the change."""
    with unchanged():
        refused(api.patch(f"/api/cameras/{ids['camera_id']}", raw=raw), 422, "must be a JSON object")
        refused(api.patch(f"/api/network/links/{ids['link_id']}", raw=raw), 422, "must be a JSON object")
        refused(api.post(f"/api/faults/{ids['fault_id']}/fix", raw=raw, role=Role.ENGINEER), 422,
                "must be a JSON object")


def test_the_health_feed_takes_its_array_and_refuses_anything_else(api):
    """The one body that is an array: the object-only rule must not catch it, and an object is its 422."""
    accepted = api.post("/api/health/events", [{"asset_ref": "VOG-001", "state": "online",
                                                "observed_at": "2026-03-16T11:00:00Z"}], role=Role.OPERATOR)
    assert accepted.status_code == 200 and len(accepted.json()["results"]) == 1, accepted.content
    with unchanged():
        refused(api.post("/api/health/events", {"asset_ref": "VOG-001", "state": "online"}, role=Role.OPERATOR), 422)
        refused(api.post("/api/health/events", raw='"online"', role=Role.OPERATOR), 422)


@pytest.mark.parametrize(("method", "path", "body", "phrases"), [
    # pydantic's lax mode would read each of these as something else: organisation 1, a longitude of 1
    # degree, a legal hold switched on by "t", a retention of "31" days, an incident at 1970 + n seconds.
    ("POST", "/api/maps/proposals", {"title": "Cover the pier", "owner_id": True}, ["owner_id", "not boolean"]),
    ("POST", "/api/cameras", camera_body(location={"x": True, "y": 51.4}), ["location.x", "not boolean"]),
    ("PATCH", "/api/cameras/{camera_id}", {"retention_days": "31"}, ["retention_days", "not string"]),
    ("POST", "/api/evidence/exhibits/{exhibit_id}/legal-hold", {"on": "t", "reason": "Crown Court trial"},
     ["on: must be boolean", "not string"]),
    ("POST", "/api/maps/incidents", {"category": "Burglary", "occurred_at": 1_700_000_000,
                                     "location": {"x": -3.266, "y": 51.404}}, ["occurred_at", "not integer"]),
])
def test_a_value_of_the_wrong_json_type_is_refused_not_converted(api, ids, method, path, body, phrases):
    with unchanged():
        refused(api.call(method, path.format(**ids), body), 422, *phrases)


def test_a_parameter_given_twice_is_refused_rather_than_one_of_them_chosen(api):
    refused(api.get("/api/cameras?status=operational&status=offline"), 400, "'status'", "more than once")
    refused(api.get("/api/maps/proposals?status=draft&status=applied"), 400, "more than once")


def test_nul_characters_are_refused_before_they_reach_postgresql(api, ids):
    with unchanged():
        refused(api.post("/api/cameras", camera_body(name="Harbour\x00Road")), 400, "NUL")
        refused(api.patch(f"/api/network/nodes/{ids['node_id']}", {"notes": "\x00"}), 400, "NUL")
        refused(api.get("/api/maps/layers/incidents?category=Burglary%00"), 400, "NUL", "'category'")
        refused(api.get("/api/cameras?q=%00"), 400, "NUL")


def test_numbers_past_what_postgresql_holds_are_refused(api, ids):
    with unchanged():
        refused(api.get(f"/api/cameras?offset={2**70}"), 422, "offset")
        refused(api.get(f"/api/evidence/bundles/disclosures?limit={2**64}"), 422, "limit")
        refused(api.get(f"/api/cameras/{2**70}"), 404)
        refused(api.patch(f"/api/cameras/{ids['camera_id']}", {"retention_days": 2**64}), 422, "retention_days")


def test_a_path_that_matches_no_endpoint_answers_json_not_a_page(api):
    refused(api.get("/api/faults/not-a-number"), 404, "No API endpoint")
    refused(api.get("/api/no-such-thing"), 404, "No API endpoint")
    refused(api.get("/api/cameras/not-a-number/timeline"), 422, "camera_id")


# --- geometry ---------------------------------------------------------------------------------

PARIS = {"x": 2.3522, "y": 48.8566}


@pytest.mark.parametrize(("location", "status", "phrase"), [
    (PARIS, 400, "outside the service area"),
    ({"x": 200.0, "y": 95.0}, 400, "not a longitude/latitude pair"),
    ({"x": 530000.0, "y": 180000.0, "srid": 27700}, 400, "outside the service area"),  # London, in metres
    ({"x": -3.266, "y": 51.404, "srid": 3857}, 400, "SRID 3857 is not accepted"),
    ({"x": -3.266, "y": 51.404, "srid": 4258}, 400, "SRID 4258 is not accepted"),
    ({"x": -3.266, "y": 51.404, "srid": "+proj=longlat +datum=WGS84 +no_defs"}, 422, "srid"),
    ({"x": -3.266, "y": 51.404, "srid": "EPSG:4326"}, 422, "srid"),
])
def test_every_endpoint_that_takes_a_point_refuses_a_bad_one(api, ids, location, status, phrase):
    bodies = [
        ("POST", "/api/cameras", camera_body(location=location)),
        ("POST", f"/api/cameras/{ids['camera_id']}/relocate", {"location": location, "reason": "Pole replaced"}),
        ("POST", "/api/network/nodes", {"name": "Cabinet 99", "kind": "cabinet", "location": location}),
        ("PATCH", f"/api/network/nodes/{ids['node_id']}", {"location": location}),
        ("POST", "/api/maps/incidents", {"category": "Burglary", "occurred_at": "2026-03-01T22:00:00Z",
                                         "location": location}),
        ("POST", f"/api/maps/proposals/{ids['proposal_id']}/items", {"kind": "add", "name": "New mast",
                                                                     "location": location}),
        ("POST", "/api/evidence/requests", _request_body(ids["council_id"], location=location)),
    ]
    with unchanged():
        for method, path, body in bodies:
            role = Role.POLICE_REQUESTER if "evidence" in path else Role.CCTV_MANAGER
            refused(api.call(method, path, body, role=role), status, phrase)


@pytest.mark.parametrize(("route", "phrase"), [
    ([[-3.266, 51.404]], "at least two points"),
    ([[-3.266, 51.404], [-3.266, 51.404]], "not valid geometry"),  # a route of no length
    ([[-3.266, 51.404], [2.3522, 48.8566]], "outside the service area"),
    ([[-3.266, 51.404], [1e200, 51.41]], "longitude, latitude"),
    ([[-3.266, 51.404], ["east", 51.41]], "route"),
])
def test_a_link_route_that_is_not_a_usable_line_is_refused(api, ids, route, phrase):
    with unchanged():
        response = api.patch(f"/api/network/links/{ids['link_id']}", {"route": route})
        assert response.status_code in (400, 422), response.content
        refused(response, response.status_code, phrase)


def test_a_route_with_nan_or_infinity_is_refused(api, ids):
    """Python's JSON reader accepts NaN and Infinity; GEOS and GDAL must never see them."""
    with unchanged():
        refused(api.patch(f"/api/network/links/{ids['link_id']}", raw='{"route": [[NaN, 51.4], [-3.2, 51.41]]}'),
                400, "finite")
        refused(api.post("/api/cameras", raw=json.dumps(camera_body()).replace("-3.266", "Infinity")), 400, "finite")


GEOJSON_BOW_TIE = {"type": "FeatureCollection", "features": [{
    "type": "Feature", "properties": {"asset_ref": "VOG-BOW", "name": "Bow tie"},
    "geometry": {"type": "Polygon", "coordinates": [[[-3.27, 51.40], [-3.26, 51.41], [-3.26, 51.40], [-3.27, 51.41],
                                                     [-3.27, 51.40]]]},
}]}


def test_an_estate_geojson_with_a_self_intersecting_polygon_is_refused_naming_it(api):
    with unchanged():
        response = api.upload("/api/estate/import", {"file": _file(json.dumps(GEOJSON_BOW_TIE).encode(), "e.geojson")})
        refused(response, 400)
        messages = " ".join(error["message"] for error in response.json()["errors"])
        assert "Polygon" in messages and "Self-intersection" in messages, messages


def test_an_estate_geojson_naming_a_crs_by_url_is_refused_without_reading_it(api):
    collection = {"type": "FeatureCollection",
                  "crs": {"type": "name", "properties": {"name": "+init=/etc/passwd +proj=longlat"}},
                  "features": [{"type": "Feature", "properties": {"asset_ref": "VOG-CRS", "name": "Pier"},
                                "geometry": {"type": "Point", "coordinates": [-3.266, 51.404]}}]}
    with unchanged():
        response = api.upload("/api/estate/import", {"file": _file(json.dumps(collection).encode(), "e.geojson")})
        detail = refused(response, 400)
        assert "crs" in (detail + json.dumps(response.json().get("errors", []))).lower()


# --- CSV imports: the wrong encoding, binary, the wrong columns -----------------------------------

ESTATE_CSV = "asset_ref,name,longitude,latitude\nVOG-CSV-1,Café on the Pier,-3.2660,51.4040\n"
POLICE_CSV = Path(__file__).resolve().parent.parent / "fixtures" / "street_crime" / "2024-01-hand-written.csv"


def png_bytes(size=(64, 48), colour=(40, 90, 160)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, colour).save(buffer, format="PNG")
    return buffer.getvalue()


def zip_bytes() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("../../etc/cron.d/vale", "* * * * * root sh -c 'id'\n")
        archive.writestr("cameras.csv", ESTATE_CSV)
    return buffer.getvalue()


BAD_FILES = [
    ("utf16", ESTATE_CSV.encode("utf-16"), "not UTF-8"),
    ("latin1", ESTATE_CSV.encode("latin-1"), "not UTF-8"),
    ("binary", png_bytes(), "not UTF-8"),
    ("zip", zip_bytes(), "not UTF-8"),
    ("empty", b"", "empty"),
]


@pytest.mark.parametrize(("label", "content", "phrase"), BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_an_estate_import_in_a_wrong_encoding_or_not_text_is_refused(api, label, content, phrase):
    with unchanged():
        refused(api.upload("/api/estate/import", {"file": _file(content, "cameras.csv")}), 400, phrase)


@pytest.mark.parametrize(("label", "content", "phrase"), BAD_FILES, ids=[case[0] for case in BAD_FILES])
def test_an_incident_import_in_a_wrong_encoding_or_not_text_is_refused(api, label, content, phrase):
    if label in ("utf16", "latin1"):
        content = POLICE_CSV.read_text(encoding="utf-8-sig").replace("Holton Road", "Heol y Cwm Café").encode(
            "utf-16" if label == "utf16" else "latin-1")
    with unchanged():
        refused(api.upload("/api/maps/incidents/import", {"file": _file(content, "2024-01-street.csv")}), 400, phrase)


@pytest.mark.parametrize(("content", "phrases"), [
    ("name,longitude,latitude\nPier Head,-3.2660,51.4040\n", ["asset_ref"]),
    ("asset_ref,name\nVOG-CSV-2,Pier Head\n", ["longitude", "easting"]),
    ("camera,where,x,y\n1,Pier,-3.2,51.4\n", ["asset_ref"]),
    ("asset_ref,name,longitude,latitude\nVOG-CSV-3,Pier Head,-3.2660\n", ["3 cells", "header has 4"]),
])
def test_an_estate_csv_with_missing_or_wrong_columns_is_refused_naming_them(api, content, phrases):
    with unchanged():
        response = api.upload("/api/estate/import", {"file": _file(content.encode(), "cameras.csv")})
        refused(response, 400)
        said = (response.json()["detail"] + json.dumps(response.json().get("errors", []))).lower()
        assert all(phrase in said for phrase in phrases), said


def test_an_incident_csv_with_its_columns_renamed_is_refused_naming_them(api):
    content = POLICE_CSV.read_text(encoding="utf-8-sig").replace("Crime type", "Offence")
    with unchanged():
        refused(api.upload("/api/maps/incidents/import", {"file": _file(content.encode(), "2024-01.csv")}), 400,
                "'Crime type'", "Nothing was imported")


# --- images that are not images -------------------------------------------------------------------

def png_claiming(width: int, height: int) -> bytes:
    """A tiny valid PNG whose header declares `width` x `height` pixels: a decompression bomb's signature."""
    import struct
    import zlib

    data = bytearray(png_bytes((1, 1)))
    ihdr = bytearray(data[12:29])  # b"IHDR" + 13 bytes
    ihdr[4:12] = struct.pack(">II", width, height)
    data[12:29] = ihdr
    data[29:33] = struct.pack(">I", zlib.crc32(bytes(ihdr)))
    return bytes(data)


def noise_png(side: int) -> bytes:
    buffer = io.BytesIO()
    Image.frombytes("RGB", (side, side), bytes(range(256)) * (side * side * 3 // 256 + 1)).save(buffer, "PNG")
    return buffer.getvalue()


@pytest.mark.parametrize(("label", "content", "phrase"), [
    ("pdf", b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\n%%EOF\n", "JPEG or PNG"),
    ("truncated", png_bytes((640, 480))[:200], "truncated"),
    ("bomb", png_claiming(100_000, 100_000), "pixels"),
    ("gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "JPEG or PNG"),
    ("empty", b"", "empty"),
])
def test_a_snapshot_that_is_not_a_usable_image_is_refused(api, ids, label, content, phrase):
    with unchanged():
        response = api.upload(f"/api/cameras/{ids['camera_id']}/snapshots", {"image": _file(content, f"{label}.png")},
                              {"caption": "Forecourt"})
        refused(response, 400, phrase)


def test_a_snapshot_over_the_size_limit_is_refused(api, ids):
    content = noise_png(400)
    with override_settings(SNAPSHOT_MAX_BYTES=len(content) - 1), unchanged():
        response = api.upload(f"/api/cameras/{ids['camera_id']}/snapshots", {"image": _file(content, "big.png")})
        refused(response, 400, "bytes")


# --- exhibit uploads: truncated, oversized, malformed ---------------------------------------------

def _exhibit_post(api, request_id: int, *, content: bytes = b"footage " * 512, filename="export.mp4",
                  fields: dict | None = None, cut_to: int | None = None, declared: int | None = None,
                  role=Role.OPERATOR):
    """A multipart upload as the export station sends it; `cut_to` ends the body early (a dropped connection)."""
    body = multipart_body(file_blocks=[content], file_size=len(content), filename=filename, fields=fields or {})
    raw = b"".join(body)
    sent = raw if cut_to is None else raw[:cut_to]
    return api.client.generic("POST", upload_url(request_id), sent, content_type=body.content_type,
                              HTTP_AUTHORIZATION=f"Bearer {api.tokens[role]}",
                              **{"CONTENT_LENGTH": str(declared or len(raw)), "wsgi.input": io.BytesIO(sent)})


def test_an_exhibit_upload_cut_short_is_refused_and_leaves_no_file(api, ids):
    with unchanged():
        refused(_exhibit_post(api, ids["request_id"], cut_to=300), 400, "cut short", "nothing was kept")


def test_an_exhibit_over_the_limit_is_refused_as_it_streams(api, ids):
    with override_settings(EXHIBIT_MAX_BYTES=1000), unchanged():
        refused(_exhibit_post(api, ids["request_id"], content=b"x" * 5000), 413, "1,000")


def test_an_exhibit_declaring_more_than_the_limit_is_refused_before_the_body_is_read(api, ids):
    with unchanged():
        refused(_exhibit_post(api, ids["request_id"], declared=30 * 1024**3, cut_to=100), 413, "limit")


def test_an_exhibit_sent_as_json_is_refused_as_the_wrong_media_type(api, ids):
    with unchanged():
        response = api.post(upload_url(ids["request_id"]), {"file": "Zm9vdGFnZQ=="}, role=Role.OPERATOR)
        refused(response, 415, "multipart/form-data")


@pytest.mark.parametrize(("fields", "phrase"), [
    ({"recorded_from": "last tuesday"}, "recorded_from"),
    ({"camera_id": "99999999999999999999"}, "no camera"),
    ({"camera_id": "1 OR 1=1"}, "no camera"),
    ({"is_master_copy": "perhaps"}, "is_master_copy"),
    ({"kind": "<script>"}, "kind"),
    ({"description": "Export\x00from VOG-004"}, "NUL"),
    ({"description": "x" * 20_000}, "at most 300"),
])
def test_an_exhibit_with_a_bad_field_is_refused_and_its_file_removed(api, ids, fields, phrase):
    with unchanged():
        refused(_exhibit_post(api, ids["request_id"], fields=fields), 400, phrase)


def test_an_exhibit_for_a_request_not_yet_searching_is_refused_before_the_body_is_read(api, ids):
    with unchanged():
        refused(_exhibit_post(api, ids["submitted_request_id"]), 409, "submitted")


# --- ZIP bundles: no endpoint accepts a ZIP; the bundle builder names every member itself ----------

HOSTILE_NAMES = ["../../etc/passwd", "..\\..\\Windows\\System32\\evil.exe", "/etc/cron.d/vale.mp4",
                 "C:\\Users\\Public\\clip.MP4", "clip\u202egpj.exe", "....//....//x.mp4", "con.mp4 ", "..\x00.mp4"]
SAFE_MEMBER = r"(exhibits/[A-Za-z0-9_-]+\.[a-z0-9]{1,10}|manifest\.json|manifest\.sig|custody\.json|continuity\.txt|" \
              r"public-key\.pem)"


def test_exhibit_file_names_from_uploads_never_become_paths_inside_a_release_bundle(api, ids,
                                                                                  fuzz_world):  # noqa: F811
    """Uploaded names are metadata only: the bundle's members are named from exhibit references."""
    from evidence.bundles import bundle_build
    from evidence.choices import BundleStatus
    from evidence.models import EvidenceRequest
    from evidence.services.release import bundle_request

    for number, name in enumerate(HOSTILE_NAMES, start=1):
        response = _exhibit_post(api, ids["request_id"], filename=name, content=name.encode() * 64,
                                 fields={"is_master_copy": "false", "description": f"Working copy {number}"})
        assert response.status_code == 201, response.content
        assert "/" not in response.json()["original_filename"] and "\\" not in response.json()["original_filename"]
    request = EvidenceRequest.objects.get(pk=ids["request_id"])
    bundle = bundle_build(bundle_request(request=request, by=fuzz_world.users[Role.CCTV_MANAGER]))
    assert bundle.status == BundleStatus.READY, bundle.error
    with bundle.file.open("rb") as stored, zipfile.ZipFile(stored) as archive:
        names = archive.namelist()
        manifest = json.loads(archive.read("manifest.json"))
    assert len([name for name in names if name.startswith("exhibits/")]) == request.exhibits.count() >= 9
    unsafe = [name for name in names if not re.fullmatch(SAFE_MEMBER, name)]
    assert not unsafe, unsafe
    assert {entry["name"] for entry in manifest["files"]} <= set(names)


def test_a_zip_sent_to_the_file_imports_is_refused_unopened(api):
    """The only endpoints that take a file and are not images or exhibits are the two imports: a ZIP is binary."""
    with unchanged():
        refused(api.upload("/api/estate/import", {"file": _file(zip_bytes(), "cameras.zip")}), 400)
        refused(api.upload("/api/estate/import", {"file": _file(zip_bytes(), "cameras.csv")}), 400, "not UTF-8")
        refused(api.upload("/api/maps/incidents/import", {"file": _file(zip_bytes(), "crime.csv")}), 400,
                "not UTF-8")


# --- strings longer than their fields --------------------------------------------------------------

def _request_body(owner_id: int, **changes) -> dict:
    return {"owner_id": owner_id, "kind": "police_investigation", "incident_starts_at": "2026-03-10T21:00:00Z",
            "incident_ends_at": "2026-03-10T22:00:00Z", "reason": "Assault outside the Ship Inn",
            "location": {"x": -3.266, "y": 51.404}, "crime_reference": "62/88/26", **changes}


def _long_cases(ids) -> list[tuple]:
    long = "W" * 20_000
    camera, fault, node = ids["camera_id"], ids["fault_id"], ids["node_id"]
    return [
        ("POST", "/api/cameras", camera_body(name=long), "name", Role.CCTV_MANAGER),
        ("POST", "/api/cameras", camera_body(asset_ref="A" * 41), "asset_ref", Role.CCTV_MANAGER),
        ("PATCH", f"/api/cameras/{camera}", {"town": long}, "town", Role.CCTV_MANAGER),
        ("PATCH", f"/api/cameras/{camera}", {"dpia_ref": long}, "dpia_ref", Role.CCTV_MANAGER),
        ("POST", f"/api/cameras/{camera}/status", {"status": "faulty", "note": long}, "note", Role.OPERATOR),
        ("POST", "/api/faults", {"camera_id": camera, "priority": "p2", "summary": long}, "summary", Role.OPERATOR),
        ("POST", f"/api/faults/{fault}/cancel", {"reason": long}, "at most 5000 characters", Role.CCTV_MANAGER),
        ("POST", "/api/network/nodes", {"name": long, "kind": "cabinet", "location": {"x": -3.266, "y": 51.404}},
         "name", Role.CCTV_MANAGER),
        ("PATCH", f"/api/network/nodes/{node}", {"notes": long}, "notes", Role.CCTV_MANAGER),
        ("PATCH", f"/api/network/links/{ids['link_id']}", {"circuit_ref": long}, "circuit_ref", Role.CCTV_MANAGER),
        *[("POST", "/api/evidence/requests", _request_body(ids["council_id"], **{name: long}), name,
           Role.POLICE_REQUESTER) for name in ("crime_reference", "location_description", "requester_contact")],
        ("POST", f"/api/evidence/requests/{ids['submitted_request_id']}/moves/accept", {"place": long}, "place",
         Role.OPERATOR),
        ("POST", "/api/maps/incidents", {"category": long, "occurred_at": "2026-03-01T22:00:00Z",
                                         "location": {"x": -3.266, "y": 51.404}}, "category", Role.CCTV_MANAGER),
        ("POST", "/api/maps/proposals", {"title": long}, "title", Role.CCTV_MANAGER),
        ("POST", f"/api/maps/proposals/{ids['proposal_id']}/items", {"kind": "add", "name": long,
                                                                     "location": {"x": -3.266, "y": 51.404}},
         "name", Role.CCTV_MANAGER),
        ("POST", f"/api/reports/reviews/cameras/{camera}/reviews", {"decision": "keep", "reason": long}, "reason",
         Role.CCTV_MANAGER),
    ]


def test_strings_longer_than_their_fields_are_refused_naming_the_field(api, ids):
    with unchanged():
        for method, path, body, phrase, role in _long_cases(ids):
            response = api.call(method, path, body, role=role)
            assert response.status_code in (400, 422), (path, phrase, response.status_code, response.content[:300])
            refused(response, response.status_code, phrase)


# --- SQL and HTML in free text: stored as text, escaped wherever it is shown ------------------------

HOSTILE_TEXT = f"{SCRIPT} {SQL_INJECTION}"
BREAKOUT = "</script><script>alert(1)</script>"  # 34 characters: fits an asset_ref


def assert_escaped(html: str, *, where: str) -> None:
    assert SCRIPT not in html and BREAKOUT not in html, f"unescaped script on {where}"
    assert "<script>alert" not in html, f"unescaped script on {where}"


def test_search_parameters_carrying_sql_are_only_text(api):
    everything = api.get("/api/cameras?limit=1000").json()["count"]
    assert everything > 80
    response = api.get(f"/api/cameras?q={SQL_INJECTION}")
    assert response.status_code == 200 and response.json()["count"] == 0
    refused(api.get("/api/cameras?bbox=-3.3,51.3,-3.1,51.5);DROP TABLE cctv_camera;--"), 400, "bbox")
    assert api.get("/api/cameras?limit=1000").json()["count"] == everything


def test_estate_text_with_sql_and_html_is_stored_verbatim_and_escaped_on_every_page(api, pages, ids):
    fields = {"name": HOSTILE_TEXT, "town": SCRIPT, "ward": SQL_INJECTION, "make": SCRIPT, "model_name": SCRIPT,
              "purpose": HOSTILE_TEXT, "dpia_ref": SCRIPT[:60], "privacy_masking_notes": HOSTILE_TEXT}
    response = api.post("/api/cameras", camera_body(asset_ref=BREAKOUT, **fields))
    assert response.status_code == 201, response.content
    camera = response.json()
    assert {name: camera[name] for name in fields} == fields and camera["asset_ref"] == BREAKOUT
    node = api.post("/api/network/nodes", {"name": HOSTILE_TEXT[:200], "kind": "cabinet", "notes": HOSTILE_TEXT,
                                           "location": {"x": -3.2655, "y": 51.4045}})
    assert node.status_code == 201, node.content
    fault = api.post("/api/faults", {"camera_id": camera["id"], "priority": "p3", "summary": HOSTILE_TEXT[:200],
                                     "description": HOSTILE_TEXT}, role=Role.OPERATOR)
    assert fault.status_code == 201, fault.content
    note = api.post(f"/api/faults/{fault.json()['id']}/notes", {"text": HOSTILE_TEXT}, role=Role.OPERATOR)
    assert note.status_code == 201, note.content
    review = api.post(f"/api/reports/reviews/cameras/{camera['id']}/reviews",
                      {"decision": "keep", "reason": HOSTILE_TEXT})
    assert review.status_code == 201, review.content
    for method, path, body, role in [
        ("POST", f"/api/cameras/{camera['id']}/status", {"status": "faulty", "note": HOSTILE_TEXT[:500]},
         Role.OPERATOR),
        ("POST", f"/api/cameras/{camera['id']}/relocate", {"location": {"x": -3.2661, "y": 51.4041},
                                                           "reason": HOSTILE_TEXT[:500]}, Role.CCTV_MANAGER),
        ("PATCH", f"/api/network/links/{ids['link_id']}", {"provider": SCRIPT, "circuit_ref": SCRIPT[:60]},
         Role.CCTV_MANAGER),
        ("POST", "/api/accounts/tokens", {"name": SCRIPT}, Role.CCTV_MANAGER),
    ]:
        response = api.call(method, path, body, role=role)
        assert response.status_code in (200, 201), (path, response.content)
    snapshot = api.upload(f"/api/cameras/{camera['id']}/snapshots", {"image": _file(png_bytes(), "s.png")},
                          {"caption": HOSTILE_TEXT})
    assert snapshot.status_code == 201, snapshot.content

    browser = pages(Role.CCTV_MANAGER)
    for url in [f"/cameras/{camera['id']}/", "/cameras/", f"/cameras/{camera['id']}/edit/", "/network/",
                f"/network/nodes/{node.json()['id']}/", f"/faults/{fault.json()['id']}/", "/faults/",
                f"/reviews/cameras/{camera['id']}/", "/reviews/", "/map/", f"/network/links/{ids['link_id']}/",
                "/accounts/tokens/", "/accounts/access-log/"]:
        page = browser.get(url)
        assert page.status_code == 200, (url, page.status_code)
        html = page.content.decode()
        assert_escaped(html, where=url)
    detail = browser.get(f"/cameras/{camera['id']}/").content.decode()
    assert ESCAPED_SCRIPT in detail and "Robert&#x27;); DROP TABLE cctv_camera;" in detail


def test_evidence_and_proposal_text_with_sql_and_html_is_escaped_on_every_page(api, pages, ids):
    submitted = api.post("/api/evidence/requests", _request_body(
        ids["council_id"], reason=HOSTILE_TEXT, location_description=HOSTILE_TEXT[:300], crime_reference=SCRIPT[:60],
        requester_contact=SQL_INJECTION), role=Role.POLICE_REQUESTER)
    assert submitted.status_code == 201, submitted.content
    request_id = submitted.json()["id"]
    refusal = api.post(f"/api/evidence/requests/{request_id}/moves/refuse", {"reason": HOSTILE_TEXT})
    assert refusal.status_code == 200, refusal.content
    exhibit = _exhibit_post(api, ids["request_id"], filename=f"{SCRIPT}.mp4",
                            fields={"description": HOSTILE_TEXT[:300], "is_master_copy": "false"})
    assert exhibit.status_code == 201, exhibit.content
    proposal = api.post("/api/maps/proposals", {"title": HOSTILE_TEXT[:200], "rationale": HOSTILE_TEXT})
    assert proposal.status_code == 201, proposal.content
    item = api.post(f"/api/maps/proposals/{proposal.json()['id']}/items",
                    {"kind": "add", "name": BREAKOUT, "location": {"x": -3.2655, "y": 51.4045},
                     "bearing_deg": 90, "view_angle_deg": 60, "view_range_m": 50})
    assert item.status_code == 201, item.content

    for role, urls in {
        Role.CCTV_MANAGER: [f"/evidence/{request_id}/", f"/evidence/{ids['request_id']}/", "/evidence/",
                            "/evidence/audit/",
                            f"/maps/proposals/{proposal.json()['id']}/", "/maps/proposals/"],
        Role.POLICE_REQUESTER: [f"/evidence/{request_id}/", "/evidence/"],
    }.items():
        browser = pages(role)
        for url in urls:
            page = browser.get(url)
            assert page.status_code == 200, (role, url, page.status_code)
            assert_escaped(page.content.decode(), where=url)


def test_an_import_file_name_with_html_is_escaped_on_its_progress_page(api, pages):
    content = POLICE_CSV.read_bytes()
    response = api.upload("/api/maps/incidents/import", {"file": _file(content, f"{SCRIPT}.csv")})
    assert response.status_code == 202, response.content
    from django.utils.html import escape

    from maps.models import IncidentImport

    stored_name = IncidentImport.objects.get(pk=response.json()["id"]).file_name
    assert "<" in stored_name or ">" in stored_name  # what the upload's name kept after Django took its path off
    page = pages(Role.CCTV_MANAGER).get(f"/incidents/imports/{response.json()['id']}/")
    assert page.status_code == 200
    assert stored_name not in page.content.decode() and escape(stored_name) in page.content.decode()


# --- pages: the same refusals through the forms ----------------------------------------------------

def test_the_public_sar_form_refuses_nul_and_overlong_text_and_escapes_what_it_keeps(ids, pages):
    """The one form anyone on the internet can post to."""
    import datetime as dt

    from django.utils import timezone

    from cctv.models import Scheme
    from evidence.models import EvidenceRequest

    scheme, _ = Scheme.objects.update_or_create(owner_id=ids["council_id"], defaults={
        "name": "Vale public-space CCTV", "published": True, "sar_intake_enabled": True,
        "statement": "Cameras keep the town centres safe.", "controller_contact": "dpo@vale.example",
        "sar_instructions": "Use the form.", "open_data_licence": "OGL v3.0"})
    ends = timezone.localtime(timezone.now() - dt.timedelta(days=2))
    good = {"requester_name": "Alys Jenkins", "email": "alys@example.org", "postal_address": "",
            "window_starts_at": (ends - dt.timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M"),
            "window_ends_at": ends.strftime("%Y-%m-%dT%H:%M"), "location_description": "Holton Road",
            "camera_id": "", "description_of_person": "Red coat", "consent": "on"}
    anonymous, url = Client(), f"/public/subject-access/{scheme.pk}/"
    with override_settings(PUBLIC_SAR_PER_ADDRESS_PER_HOUR=100):
        with unchanged():
            for changes, message in [({"requester_name": "Alys\x00Jenkins"}, "Null characters are not allowed"),
                                     ({"description_of_person": "x" * 20_000}, "at most"),
                                     ({"location_description": SQL_INJECTION * 100}, "at most")]:
                page = anonymous.post(url, {**good, **changes})
                assert page.status_code == 400 and message in page.content.decode(), (changes.keys(), page.status_code)
        kept = anonymous.post(url, {**good, "requester_name": SCRIPT, "description_of_person": HOSTILE_TEXT,
                                    "location_description": SQL_INJECTION})
    assert kept.status_code == 302, kept.content[:500]
    request = EvidenceRequest.objects.get(requester_name=SCRIPT)
    assert request.description_of_person == HOSTILE_TEXT and request.location_description == SQL_INJECTION
    for url in [f"/evidence/{request.pk}/", "/evidence/"]:
        page = pages(Role.CCTV_MANAGER).get(url)
        assert page.status_code == 200
        assert_escaped(page.content.decode(), where=url)


def test_a_camera_form_with_an_overlong_name_shows_the_error_and_changes_nothing(pages, ids):
    browser = pages(Role.CCTV_MANAGER)
    with unchanged():
        page = browser.post(f"/cameras/{ids['camera_id']}/edit/", {"name": "N" * 5000, "reason": "tidy"})
        assert page.status_code in (200, 400)
        assert "at most 200 characters" in page.content.decode()


# --- dates at the ends of the calendar ------------------------------------------------------------

FIRST_MOMENT, LAST_MOMENT = "0001-01-01T00:00:00Z", "9999-12-31T23:59:59Z"


def _calendar_end_cases(ids, moment: str) -> list[tuple]:
    day = moment[:10]
    camera = ids["camera_id"]
    return [
        ("POST", "/api/maps/incidents", {"category": "Burglary", "occurred_at": moment,
                                         "location": {"x": -3.266, "y": 51.404}}, Role.CCTV_MANAGER),
        ("POST", "/api/evidence/requests", _request_body(ids["council_id"], incident_starts_at=moment,
                                                         incident_ends_at=moment), Role.POLICE_REQUESTER),
        ("POST", "/api/evidence/requests", _request_body(ids["council_id"], received_at=moment),
         Role.POLICE_REQUESTER),
        ("POST", "/api/faults", {"camera_id": camera, "priority": "p2", "summary": "Dark", "reported_at": moment},
         Role.OPERATOR),
        ("GET", f"/api/health/availability?start={day}&end={day}", None, Role.CCTV_MANAGER),
        ("GET", f"/api/health/availability?start={moment}", None, Role.CCTV_MANAGER),
        ("GET", f"/api/reports/reviews/cameras/{camera}/figures?as_of={day}", None, Role.CCTV_MANAGER),
        ("GET", f"/api/reports/reviews/register?today={day}", None, Role.CCTV_MANAGER),
        ("POST", f"/api/reports/reviews/cameras/{camera}/reviews", {"decision": "keep", "reason": "Fine",
                                                                    "reviewed_on": day}, Role.CCTV_MANAGER),
        ("GET", f"/api/reports/monthly/{day[:7]}", None, Role.CCTV_MANAGER),
        ("GET", f"/api/maps/incidents?month_from={day[:7]}&month_to={day[:7]}", None, Role.CCTV_MANAGER),
        ("GET", f"/api/maps/coverage?month_from={day[:7]}", None, Role.CCTV_MANAGER),
        ("POST", "/api/health/events", [{"asset_ref": "VOG-001", "state": "offline", "observed_at": moment}],
         Role.OPERATOR),
    ]


@pytest.mark.parametrize("moment", [FIRST_MOMENT, LAST_MOMENT])
def test_dates_at_the_ends_of_the_calendar_are_answered_not_crashed_on(api, ids, moment):
    """Year 1 and year 9999 overflow as soon as they are moved to London time or a deadline is added."""
    api.client.raise_request_exception = False  # every endpoint is tried; the crashes are listed together
    responses = {f"{method} {path}": api.call(method, path, body, role=role)
                 for method, path, body, role in _calendar_end_cases(ids, moment)}
    responses["exhibit upload"] = _exhibit_post(api, ids["request_id"], fields={
        "recorded_from": moment, "recorded_to": moment, "is_master_copy": "false"})
    crashed = [what for what, response in responses.items() if response.status_code >= 500]
    assert not crashed, crashed
    for response in responses.values():
        if response.status_code >= 400:
            refused(response, response.status_code)
