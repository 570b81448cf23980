"""The camera estate as the public may see it: the transparency page's map and the open data.

Surveillance Camera Code of Practice, principle 3: be open about where the cameras are, why, and who
runs them. A camera is public when its council's Scheme is published and it is in service (every
status except planned and decommissioned). Its status is never published, whichever it is: a fault
or an offline camera is the council's business and, told to the world, an invitation.

One allow-list, PUBLIC_CAMERA_FIELDS, says what of a camera is public. The GeoJSON properties,
the CSV columns and the OSM tags are all built from it, so a field is published everywhere or
nowhere, and nothing outside it (DPIA, privacy masking, make and model, dates, the network node,
faults) can reach an output by accident. The field of view (the compass direction, angle, range and
the polygon) is public only for the cameras whose council chose to publish it
(Camera.publish_field_of_view).

Each output carries the licence wording the council configured (Scheme.open_data_licence):

* GeoJSON: top-level members "licence" (the wording) and "attribution" (scheme, operator, wording);
* CSV: a `licence` column on every row, so a row copied into another sheet keeps its terms (a
  comment block above the header would not be CSV any more, and an HTTP header is lost on save);
* OSM XML: the root element's `copyright` and `license` attributes, as the OSM API's own files do.
"""

from __future__ import annotations

import csv
import io
import xml.etree.ElementTree as ET
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db import connection
from django.db.models import Count, Max, Min
from django.utils import timezone

from cctv.choices import CAMERA_STATUSES_UNMONITORED, CameraKind, CameraStatus
from cctv.exports import csv_cell, osm_tags
from cctv.models import Camera, Contract, Scheme

SQL_DIR = Path(__file__).resolve().parent / "sql"

# In service: on the street and recording, or awaiting repair. Planned and decommissioned cameras are not.
PUBLIC_STATUSES = tuple(str(status) for status in CameraStatus if status not in CAMERA_STATUSES_UNMONITORED)

# The allow-list: public name -> SQL over c (cctv_camera), o (the council), s (its scheme) and g (the azimuth
# of grid north at the camera). The field-of-view columns are NULL unless the council publishes the view.
_VIEW_PUBLISHED = "c.publish_field_of_view"
PUBLIC_CAMERA_FIELDS: dict[str, str] = {
    "asset_ref": "c.asset_ref",
    "name": "c.name",
    "town": "c.town",
    "kind": "c.kind",
    "mounting": "c.mounting",
    "purpose": "c.purpose",
    "retention_days": "c.retention_days",
    "operator": "o.name",
    "scheme": "s.name",
    "field_of_view_published": _VIEW_PUBLISHED,
    # Degrees clockwise from true north (not the stored grid bearing); none for a PTZ camera, which turns.
    "direction_deg": (f"CASE WHEN {_VIEW_PUBLISHED} AND c.kind <> %(ptz)s AND c.bearing_deg IS NOT NULL "
                      "THEN mod(round((c.bearing_deg + g.grid_north_deg + 360)::numeric, 1), 360)::float END"),
    "view_angle_deg": f"CASE WHEN {_VIEW_PUBLISHED} THEN c.view_angle_deg END",
    "view_range_m": f"CASE WHEN {_VIEW_PUBLISHED} THEN c.view_range_m END",
}
CSV_COLUMNS = ("longitude", "latitude", *PUBLIC_CAMERA_FIELDS, "licence")
GEOMETRIES = {"location": "location_wgs84", "view": "view_wgs84"}


@cache
def _sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


@cache
def _public_cameras_sql() -> str:
    columns = ",\n       ".join(f"{expression} AS {name}" for name, expression in PUBLIC_CAMERA_FIELDS.items())
    return _sql("public_cameras").format(columns=columns)


def _params() -> dict:
    return {"statuses": list(PUBLIC_STATUSES), "ptz": str(CameraKind.PTZ)}


def public_cameras_geojson(*, geometry: str = "location") -> str:
    """Every public camera as one FeatureCollection (WGS84), built in PostGIS in one query.

    geometry="view" gives the field-of-view polygons instead, only of the cameras that publish them.
    """
    properties = ", ".join(f"p.{name}" for name in PUBLIC_CAMERA_FIELDS)
    sql = _sql("public_cameras_geojson").format(
        public_cameras=_public_cameras_sql(), properties=properties, geometry=GEOMETRIES[geometry])
    with connection.cursor() as cursor:
        cursor.execute(sql, _params())
        return cursor.fetchone()[0]


def public_camera_rows() -> list[dict]:
    """Every public camera as a dict: the allow-list's fields, longitude, latitude and the licence wording."""
    with connection.cursor() as cursor:
        cursor.execute(_public_cameras_sql() + "\nORDER BY o.name, c.asset_ref", _params())
        names = [column.name for column in cursor.description]
        return [dict(zip(names, row, strict=True)) for row in cursor.fetchall()]


def public_cameras_csv() -> bytes:
    """UTF-8 with a byte-order mark and CRLF, as the staff export (Excel reads accents; formulas are defused)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for row in public_camera_rows():
        cells = {"longitude": f"{row['longitude']:.6f}", "latitude": f"{row['latitude']:.6f}"}
        writer.writerow([cells.get(name) or csv_cell(row[name]) for name in CSV_COLUMNS])
    return "\ufeff".encode() + out.getvalue().encode("utf-8")


def public_cameras_osm() -> bytes:
    """OSM XML (API 0.6 format): one new node (negative id) per public camera, surveillance tags.

    The tags are cctv.exports.osm_tags (the same rules as the staff export) plus description=<purpose>;
    camera:direction only where the field of view is published.
    """
    rows = public_camera_rows()
    schemes = list(Scheme.objects.filter(published=True).select_related("owner").order_by("name", "pk"))
    root = ET.Element("osm", version="0.6", generator="Vale CCTV public open data",
                      copyright="; ".join(scheme.owner.name for scheme in schemes),
                      license="\n".join(dict.fromkeys(scheme.open_data_licence for scheme in schemes)))
    for number, row in enumerate(rows, start=1):
        node = ET.SubElement(root, "node", id=str(-number), lat=f"{row['latitude']:.7f}",
                             lon=f"{row['longitude']:.7f}")
        tags = osm_tags(asset_ref=row["asset_ref"], kind=row["kind"], mounting=row["mounting"],
                        compass_bearing_deg=row["direction_deg"], operator=row["operator"])
        if row["purpose"]:
            tags["description"] = row["purpose"]
        for key, value in tags.items():
            ET.SubElement(node, "tag", k=key, v=value)
    ET.indent(root)
    return ET.tostring(root, encoding="UTF-8", xml_declaration=True)


# --- the schemes ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class PublicScheme:
    """What the transparency page says about one published scheme, read from the register itself."""

    scheme: Scheme
    operator: str
    contractor: str | None
    monitored_hours: str | None
    camera_count: int
    retention_min_days: int | None
    retention_max_days: int | None

    @property
    def retention_text(self) -> str:
        if self.retention_min_days is None:
            return ""
        if self.retention_min_days == self.retention_max_days:
            return f"{self.retention_min_days} days"
        return f"{self.retention_min_days} to {self.retention_max_days} days, depending on the camera"


def published_schemes(*, sar_intake_only: bool = False) -> list[PublicScheme]:
    """Every published scheme with its monitoring contractor (the contract in force today) and retention.

    Three queries whatever the number of schemes or cameras: the schemes, the contracts in force, and
    the cameras' count and retention range per council.
    """
    schemes = Scheme.objects.filter(published=True).select_related("owner").order_by("name", "pk")
    if sar_intake_only:
        schemes = schemes.filter(sar_intake_enabled=True)
    schemes = list(schemes)
    owner_ids = [scheme.owner_id for scheme in schemes]
    if not owner_ids:
        return []
    today = timezone.localdate()
    contracts: dict[int, Contract] = {}
    for contract in (Contract.objects.filter(owner_id__in=owner_ids, starts_on__lte=today, ends_on__gte=today)
                     .select_related("contractor").order_by("owner_id", "-starts_on")):
        contracts.setdefault(contract.owner_id, contract)
    cameras = {row["owner_id"]: row for row in (
        Camera.objects.filter(owner_id__in=owner_ids, status__in=PUBLIC_STATUSES).values("owner_id")
        .annotate(count=Count("id"), low=Min("retention_days"), high=Max("retention_days")).order_by())}
    listed = []
    for scheme in schemes:
        contract = contracts.get(scheme.owner_id)
        figures = cameras.get(scheme.owner_id, {})
        listed.append(PublicScheme(
            scheme=scheme, operator=scheme.owner.name,
            contractor=contract.contractor.name if contract else None,
            monitored_hours=contract.monitored_hours if contract else None,
            camera_count=figures.get("count", 0), retention_min_days=figures.get("low"),
            retention_max_days=figures.get("high"),
        ))
    return listed


def scheme_public_cameras(scheme: Scheme) -> list[Camera]:
    """The scheme's public cameras, for a member of the public to point at (the SAR form's list)."""
    if not scheme.published:
        return []
    return list(Camera.objects.filter(owner_id=scheme.owner_id, status__in=PUBLIC_STATUSES)
                .only("id", "asset_ref", "name", "town", "retention_days").order_by("asset_ref"))
