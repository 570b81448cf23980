"""Estate export: CSV in the importer's own columns, GeoJSON built in PostGIS, OpenStreetMap tags.

Every export holds only the cameras the user may see (accounts.permissions.visible_to), so the
contractor and the force get the council's shared estate and nobody gets another council's.

* CSV: the columns of cctv.imports.CSV_COLUMNS, UTF-8 with a byte-order mark (so Excel reads £ and
  accents) and CRLF. Both location pairs are written: easting/northing exactly as stored (Python's
  shortest round-tripping float), longitude/latitude to 7 decimals (~1 cm). Re-importing the file
  changes nothing. Text cells starting with = + - @ or ' get a leading apostrophe so a spreadsheet
  shows them rather than running them as formulas; the importer drops it again.
* GeoJSON (RFC 7946): one FeatureCollection aggregated in SQL, WGS84 coordinates to 9 decimals,
  properties named as the CSV columns.
* OSM XML (API 0.6 format, as JOSM opens it): one new node (negative id) per camera that is in
  service or awaiting repair (operational, degraded, faulty, offline; not planned or decommissioned),
  tagged per the OSM wiki's surveillance and camera:* keys. camera:direction is the compass bearing
  from true north, so the stored grid bearing is corrected by the grid convergence at the camera
  (about -1 degree in the Vale); it is left out for PTZ cameras, which have no fixed direction.
"""

from __future__ import annotations

import codecs
import csv
import io
import math
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from datetime import date

from django.contrib.gis.db.models.functions import Transform
from django.db import connection
from django.db.models import QuerySet
from django.utils import timezone

from accounts.models import User
from accounts.permissions import authorize, visible_to
from cctv.choices import CameraKind, CameraStatus, Mounting
from cctv.imports import COLUMNS, CSV_COLUMNS, FORMULA_GUARDED
from cctv.models import Camera

# Cameras that exist on the street: OSM maps what is there, not what is planned or removed.
OSM_STATUSES = (CameraStatus.OPERATIONAL, CameraStatus.DEGRADED, CameraStatus.FAULTY, CameraStatus.OFFLINE)
OSM_CAMERA_TYPE = {
    CameraKind.FIXED: "fixed",
    CameraKind.PTZ: "panning",
    CameraKind.DOME: "dome",
    CameraKind.ANPR: "fixed",
}
OSM_SURVEILLANCE_TYPE = {
    CameraKind.FIXED: "camera",
    CameraKind.PTZ: "camera",
    CameraKind.DOME: "camera",
    CameraKind.ANPR: "ALPR",
}
# ANPR watches vehicles on the road (the wiki's zone for ALPR); the rest watch the town centre.
OSM_ZONE = {
    CameraKind.FIXED: "town",
    CameraKind.PTZ: "town",
    CameraKind.DOME: "town",
    CameraKind.ANPR: "traffic",
}
# camera:mount values on the OSM wiki: wall, pole, ceiling, street_lamp. A CCTV column is a pole;
# a building mount is on its wall; "other" has no honest OSM value, so the tag is left out.
OSM_MOUNT = {
    Mounting.COLUMN: "pole",
    Mounting.POLE: "pole",
    Mounting.WALL: "wall",
    Mounting.BUILDING: "wall",
    Mounting.OTHER: None,
}

GEOJSON_SQL = """
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', COALESCE(json_agg(json_build_object(
        'type', 'Feature',
        'geometry', ST_AsGeoJSON(ST_Transform(c.location, 4326), 9)::json,
        'properties', json_build_object(
            'asset_ref', c.asset_ref, 'name', c.name, 'kind', c.kind, 'mounting', c.mounting,
            'status', c.status, 'town', c.town, 'ward', c.ward, 'bearing_deg', c.bearing_deg,
            'view_angle_deg', c.view_angle_deg, 'view_range_m', c.view_range_m,
            'retention_days', c.retention_days, 'make', c.make, 'model', c.model_name,
            'installed_on', c.installed_on, 'purpose', c.purpose, 'dpia_ref', c.dpia_ref,
            'dpia_review_due_on', c.dpia_review_due_on, 'has_signage', c.has_signage
        )
    ) ORDER BY c.asset_ref, c.id), '[]'::json)
)::text, count(c.id)
FROM cctv_camera AS c
WHERE c.id = ANY(%(ids)s)
"""

# The azimuth of grid north at the camera (geodesic, from true north) turns a grid bearing into a
# compass bearing. Only the SELECT list transforms; the filter is on the primary key.
OSM_SQL = """
SELECT c.asset_ref, c.kind, c.mounting, c.bearing_deg, o.name, ST_X(w.geom), ST_Y(w.geom),
       degrees(ST_Azimuth(w.geom::geography, ST_Transform(ST_Translate(c.location, 0, 100), 4326)::geography))
FROM cctv_camera AS c
JOIN accounts_organisation AS o ON o.id = c.owner_id
CROSS JOIN LATERAL (SELECT ST_Transform(c.location, 4326) AS geom) AS w
WHERE c.id = ANY(%(ids)s)
ORDER BY c.asset_ref, c.id
"""


@dataclass(frozen=True)
class Export:
    content: bytes
    content_type: str
    filename: str
    count: int


def cameras_for_export(*, user: User, owner_id: int | None = None) -> QuerySet[Camera]:
    authorize(user, "view", Camera)
    cameras = visible_to(user, Camera.objects.all())
    if owner_id is not None:
        cameras = cameras.filter(owner_id=owner_id)
    return cameras.order_by("asset_ref", "pk")


def _filename(extension: str, today: date | None) -> str:
    return f"vale-cctv-estate-{(today or timezone.localdate()).isoformat()}.{extension}"


def csv_cell(value: object) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, date):
        return value.isoformat()
    text = str(value)
    return "'" + text if text.startswith(FORMULA_GUARDED) else text


def estate_csv(*, user: User, owner_id: int | None = None, today: date | None = None) -> Export:
    cameras = cameras_for_export(user=user, owner_id=owner_id).annotate(wgs84=Transform("location", 4326))
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    count = 0
    for camera in cameras:
        location = {
            "longitude": f"{camera.wgs84.x:.7f}", "latitude": f"{camera.wgs84.y:.7f}",
            "easting": repr(camera.location.x), "northing": repr(camera.location.y),
        }
        writer.writerow([location[name] if name in location else csv_cell(getattr(camera, COLUMNS[name].field))
                         for name in CSV_COLUMNS])
        count += 1
    return Export(codecs.BOM_UTF8 + out.getvalue().encode("utf-8"), "text/csv; charset=utf-8",
                  _filename("csv", today), count)


def estate_geojson(*, user: User, owner_id: int | None = None, today: date | None = None) -> Export:
    ids = list(cameras_for_export(user=user, owner_id=owner_id).values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(GEOJSON_SQL, {"ids": ids})
        document, count = cursor.fetchone()
    return Export(document.encode("utf-8"), "application/geo+json", _filename("geojson", today), count)


def osm_tags(*, asset_ref: str, kind: str, mounting: str, compass_bearing_deg: float | None,
             operator: str) -> dict[str, str]:
    """The OSM tags of one camera (wiki: Tag:man_made=surveillance, Key:camera:*)."""
    tags = {
        "man_made": "surveillance",
        "surveillance": "public",
        "surveillance:type": OSM_SURVEILLANCE_TYPE[kind],
        "surveillance:zone": OSM_ZONE[kind],
        "camera:type": OSM_CAMERA_TYPE[kind],
    }
    if compass_bearing_deg is not None and kind != CameraKind.PTZ:
        tags["camera:direction"] = str(math.floor(compass_bearing_deg + 0.5) % 360)
    if OSM_MOUNT[mounting]:
        tags["camera:mount"] = OSM_MOUNT[mounting]
    tags["operator"] = operator
    tags["ref"] = asset_ref
    return tags


def estate_osm(*, user: User, owner_id: int | None = None, today: date | None = None) -> Export:
    cameras = cameras_for_export(user=user, owner_id=owner_id).filter(status__in=OSM_STATUSES)
    ids = list(cameras.values_list("pk", flat=True))
    with connection.cursor() as cursor:
        cursor.execute(OSM_SQL, {"ids": ids})
        rows = cursor.fetchall()
    root = ET.Element("osm", version="0.6", generator="Vale CCTV estate export")
    for number, (asset_ref, kind, mounting, bearing, operator, lon, lat, grid_north) in enumerate(rows, start=1):
        node = ET.SubElement(root, "node", id=str(-number), lat=f"{lat:.7f}", lon=f"{lon:.7f}")
        compass = None if bearing is None else (bearing + grid_north) % 360
        tags = osm_tags(asset_ref=asset_ref, kind=kind, mounting=mounting, compass_bearing_deg=compass,
                        operator=operator)
        for key, value in tags.items():
            ET.SubElement(node, "tag", k=key, v=value)
    ET.indent(root)
    content = ET.tostring(root, encoding="UTF-8", xml_declaration=True)
    return Export(content, "application/vnd.openstreetmap.data+xml", _filename("osm", today), len(rows))
