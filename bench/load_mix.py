"""The load test's mix (bench/load.py): each route, how often it is asked for, and what counts as success.

Weights are shares of all requests (they add up to 100), chosen from how the service is used:
the map is the busiest screen (one view is a dozen tiles and a few layers), officers keep the
request queue and their cases open, the monitoring software pushes health batches every few
seconds, and footage exports arrive a few at a time.

  map layers 50    tiles 32 (cameras 10, views 8, links 4, incidents 10) at zooms 12-15 over the Vale
                   (incidents from 13, where tiles start), GeoJSON 18 (camera points 5, fields of view 4,
                   links 2, nodes 2, incident grid 3, incident points in a street-sized box 2)
  camera list 16   the page (officer's session) 8, the API (CCTV manager's token) 8
  evidence 22      the officer's request queue 10 and request pages 12
  health feed 9    POST /api/health/events, 20 events, the operator's token (the monitoring software)
  uploads 3        a 2, 3 or 4 MiB footage export streamed to a request that takes exhibits, the
                   operator's token (the export station); the returned SHA-256 is checked

Every call names the one status that is success; anything else, a failed check of the body, an
exception or a timeout is an error. Pages are fetched without following redirects, so a session
that has lost its sign-in (a 302 to the sign-in page) is an error, not a quiet success.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import math
import random
from collections.abc import Callable
from dataclasses import dataclass, field

import requests

MiB = 1024 * 1024
UPLOAD_STATES = ("searching", "footage_found", "exported")
HEALTH_STATES = (("online", 70), ("offline", 15), ("video_loss", 10), ("tamper", 5))
UNMONITORED_STATUSES = ("planned", "decommissioned")
BOUNDARY = "----vale-load-boundary-5d1e"


@dataclass(frozen=True)
class Call:
    """One request as the runner sends it; `auth` picks the client's session or one of its tokens."""

    route: str
    method: str
    path: str
    auth: str  # "session", "operator" or "manager"
    expect: int = 200
    body: bytes | None = None
    headers: dict[str, str] = field(default_factory=dict)
    check: Callable[[requests.Response], str] | None = None
    evidence_request_id: int | None = None  # an upload's request, whose custody chain is counted after the run


@dataclass(frozen=True)
class Upload:
    content: bytes
    sha256: str


@dataclass(frozen=True)
class Estate:
    """What the run found in the service before the clock started (bench/load.py discover)."""

    camera_ids: list[int]
    monitored_refs: list[str]
    officer_request_ids: list[int]
    upload_request_ids: list[int]
    tiles: dict[int, list[tuple[int, int]]]
    month_from: str
    month_to: str
    centre_points: list[tuple[float, float]]
    uploads: list[Upload]


def tiles_over(*, west: float, south: float, east: float, north: float, zooms: range) -> dict[int, list[tuple]]:
    """Every XYZ tile (x, y) per zoom that touches the box, in Web Mercator's slippy-map numbering."""

    def tile_x(lon: float, z: int) -> int:
        return int((lon + 180) / 360 * 2 ** z)

    def tile_y(lat: float, z: int) -> int:
        rad = math.radians(lat)
        return int((1 - math.log(math.tan(rad) + 1 / math.cos(rad)) / math.pi) / 2 * 2 ** z)

    return {z: [(x, y) for x in range(tile_x(west, z), tile_x(east, z) + 1)
                for y in range(tile_y(north, z), tile_y(south, z) + 1)] for z in zooms}


def uploads_make(seed: int) -> list[Upload]:
    """Three exports of seeded random bytes (incompressible, like video), hashed here to check the server's."""
    rng = random.Random(seed)
    made = []
    for size in (2 * MiB, 3 * MiB, 4 * MiB):
        content = rng.randbytes(size)
        made.append(Upload(content=content, sha256=hashlib.sha256(content).hexdigest()))
    return made


# --- checks of a successful response's body --------------------------------------------------------

def _content_type(expected: str) -> Callable[[requests.Response], str]:
    def check(response: requests.Response) -> str:
        got = response.headers.get("Content-Type", "")
        return "" if got.startswith(expected) else f"Content-Type {got!r}, expected {expected}"
    return check


def _health_check(sent: int) -> Callable[[requests.Response], str]:
    def check(response: requests.Response) -> str:
        body = response.json()
        if body["accepted"] + body["duplicates"] + body["rejected"] != sent:
            return f"batch of {sent} answered with {body['accepted']}+{body['duplicates']}+{body['rejected']}"
        refused = [result["reason"] for result in body["results"] if result["outcome"] == "error"]
        return f"{len(refused)} events refused, e.g. {refused[0]}" if refused else ""
    return check


def _upload_check(upload: Upload) -> Callable[[requests.Response], str]:
    def check(response: requests.Response) -> str:
        body = response.json()
        if body["sha256"] != upload.sha256 or body["size_bytes"] != len(upload.content):
            return f"stored {body['size_bytes']} bytes with SHA-256 {body['sha256'][:12]}, sent {upload.sha256[:12]}"
        return ""
    return check


# --- the calls -----------------------------------------------------------------------------------

MVT = "application/vnd.mapbox-vector-tile"
GEOJSON = "application/geo+json"
HTML = "text/html"


def _tile(layer: str, zooms: tuple[int, ...]) -> Callable[[random.Random, Estate], Call]:
    def build(rng: random.Random, estate: Estate) -> Call:
        z = rng.choice(zooms)
        x, y = rng.choice(estate.tiles[z])
        query = f"?month_from={estate.month_from}&month_to={estate.month_to}" if layer == "incidents" else ""
        return Call(f"GET /tiles/{layer}/{{z}}/{{x}}/{{y}}.mvt", "GET", f"/tiles/{layer}/{z}/{x}/{y}.mvt{query}",
                    "manager", check=_content_type(MVT))
    return build


def _geojson(route: str, path: str) -> Callable[[random.Random, Estate], Call]:
    def build(rng: random.Random, estate: Estate) -> Call:
        return Call(route, "GET", path, "operator", check=_content_type(GEOJSON))
    return build


def incident_grid(rng: random.Random, estate: Estate) -> Call:
    return Call("GET /api/maps/layers/incident-grid", "GET",
                f"/api/maps/layers/incident-grid?month_from={estate.month_from}&month_to={estate.month_to}&cell_m=250",
                "operator", check=_content_type(GEOJSON))


def incident_points(rng: random.Random, estate: Estate) -> Call:
    lon, lat = rng.choice(estate.centre_points)
    bbox = f"{lon - 0.01:.5f},{lat - 0.006:.5f},{lon + 0.01:.5f},{lat + 0.006:.5f}"
    return Call("GET /api/maps/layers/incidents?bbox", "GET",
                f"/api/maps/layers/incidents?month_from={estate.month_from}&month_to={estate.month_to}&bbox={bbox}",
                "operator", check=_content_type(GEOJSON))


def camera_list_page(rng: random.Random, estate: Estate) -> Call:
    query = rng.choice(("", "?page=2", "?status=operational", "?q=Barry"))
    return Call("GET /cameras/", "GET", f"/cameras/{query}", "session", check=_content_type(HTML))


def camera_list_api(rng: random.Random, estate: Estate) -> Call:
    return Call("GET /api/cameras", "GET", f"/api/cameras?limit=50&offset={rng.choice((0, 50))}", "manager",
                check=_content_type("application/json"))


def request_queue(rng: random.Random, estate: Estate) -> Call:
    return Call("GET /evidence/", "GET", rng.choice(("/evidence/", "/evidence/?show=all")), "session",
                check=_content_type(HTML))


def request_detail(rng: random.Random, estate: Estate) -> Call:
    return Call("GET /evidence/{id}/", "GET", f"/evidence/{rng.choice(estate.officer_request_ids)}/", "session",
                check=_content_type(HTML))


def health_batch(rng: random.Random, estate: Estate, *, events: int = 20) -> Call:
    now = dt.datetime.now(dt.UTC)
    states, weights = zip(*HEALTH_STATES, strict=True)
    batch = [{"asset_ref": rng.choice(estate.monitored_refs), "state": rng.choices(states, weights)[0],
              # Microseconds make each event new; the feed's idempotency is tested elsewhere.
              "observed_at": (now - dt.timedelta(seconds=rng.uniform(1, 1800))).isoformat()}
             for _ in range(events)]
    return Call("POST /api/health/events", "POST", "/api/health/events", "operator",
                body=json.dumps(batch).encode(), headers={"Content-Type": "application/json"},
                check=_health_check(events))


def exhibit_upload(rng: random.Random, estate: Estate) -> Call:
    upload = rng.choice(estate.uploads)
    ends = dt.datetime.now(dt.UTC) - dt.timedelta(hours=rng.randint(2, 48))
    fields = {"kind": "footage", "camera_id": str(rng.choice(estate.camera_ids)),
              "recorded_from": (ends - dt.timedelta(minutes=30)).isoformat(), "recorded_to": ends.isoformat(),
              "description": "load test export", "is_master_copy": "true"}
    head = b"".join(f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'.encode()
                    for name, value in fields.items())
    head += (f'--{BOUNDARY}\r\nContent-Disposition: form-data; name="file"; filename="export.mp4"\r\n'
             f"Content-Type: video/mp4\r\n\r\n").encode()
    body = head + upload.content + f"\r\n--{BOUNDARY}--\r\n".encode()
    request_id = rng.choice(estate.upload_request_ids)
    return Call("POST /api/evidence/exhibits/upload/{id}/", "POST", f"/api/evidence/exhibits/upload/{request_id}/",
                "operator", expect=201, body=body,
                headers={"Content-Type": f"multipart/form-data; boundary={BOUNDARY}"},
                check=_upload_check(upload), evidence_request_id=request_id)


MAP_ZOOMS = (12, 13, 14, 15)
INCIDENT_ZOOMS = (13, 14, 15)

# (weight, builder); each builder makes the calls of one route.
MIX: list[tuple[int, Callable[[random.Random, Estate], Call]]] = [
    (10, _tile("cameras", MAP_ZOOMS)),
    (8, _tile("views", MAP_ZOOMS)),
    (4, _tile("links", MAP_ZOOMS)),
    (10, _tile("incidents", INCIDENT_ZOOMS)),
    (5, _geojson("GET /api/cameras/geojson", "/api/cameras/geojson")),
    (4, _geojson("GET /api/cameras/geojson?geometry=view", "/api/cameras/geojson?geometry=view")),
    (2, _geojson("GET /api/network/links/geojson", "/api/network/links/geojson")),
    (2, _geojson("GET /api/network/nodes/geojson", "/api/network/nodes/geojson")),
    (3, incident_grid),
    (2, incident_points),
    (8, camera_list_page),
    (8, camera_list_api),
    (10, request_queue),
    (12, request_detail),
    (9, health_batch),
    (3, exhibit_upload),
]
assert sum(weight for weight, _ in MIX) == 100
