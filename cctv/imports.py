"""Estate import: a CSV or GeoJSON file of cameras, written all-or-nothing.

Why all-or-nothing: the register is the council's record of what it operates, read in court and
by the Surveillance Camera Code's annual review. A half-applied file would leave it saying something
nobody decided, so every row is read and validated first, every problem is reported with its row and
column, and only a clean file is written, in one transaction.

CSV columns (header names are case-insensitive, in any order; other columns are ignored with a warning):

    asset_ref           required; the owner's reference. A camera with this ref is updated, else created
    name                required
    longitude, latitude WGS84 degrees
    easting, northing   EPSG:27700 metres. One pair is needed; when a row gives both, easting/northing are
                        the location and longitude/latitude must agree with them within 5 cm
    kind                fixed, ptz, dome, anpr
    mounting            column, wall, building, pole, other
    status              planned, operational, degraded, faulty, offline, decommissioned
    town, ward          text
    bearing_deg         degrees clockwise from grid north, 0 up to (not including) 360
    view_angle_deg      more than 0, up to 360
    view_range_m        more than 0, up to 1000
    retention_days      whole days, 1 to 366
    make, model         text
    installed_on        date, YYYY-MM-DD
    purpose, dpia_ref   text
    dpia_review_due_on  date, YYYY-MM-DD
    has_signage         yes/no, true/false, y/n, 1/0

Aliases, for Trafford Council's open data: camera_id -> asset_ref, location -> name, lon -> longitude,
lat -> latitude, area_name -> ward. Choices may be given by value or label, in any case ("PTZ").

A missing column leaves that field alone (a new camera takes the model's default). A blank cell clears
the field, except in kind, mounting, status, retention_days and has_signage, which cannot be empty: there
a blank means "not given". A leading apostrophe before = + - @ or ' is dropped: the export adds it so that
a spreadsheet does not run a cell as a formula.

Rows are numbered as a spreadsheet shows them: the header is row 1, the first camera row 2. Files must be
UTF-8 (a byte-order mark is fine); CRLF and quoted fields with commas or line breaks are read as CSV allows.

GeoJSON: a FeatureCollection of Point features in WGS84 (RFC 7946) whose properties are the columns above;
errors name the feature by its position, counting from 1, in `row`. A `crs` member other than WGS84 is
refused; coordinate properties are ignored (the geometry is the location).

Updates go through the camera services: camera_update for descriptive fields, camera_relocate (reason
"estate import <filename>") when the location moves by more than 1 cm, and camera_status_record for a new
status. A camera with no field of view is accepted with a warning: it covers nothing until surveyed.
"""

from __future__ import annotations

import codecs
import copy
import csv
import io
import json
import logging
import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, datetime
from pathlib import PurePath
from typing import Any

from django.conf import settings
from django.contrib.gis.gdal import GDALException
from django.contrib.gis.geos import GEOSException, GEOSGeometry, Point
from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone

from accounts.exceptions import Forbidden, InvalidInput
from accounts.models import Organisation, User
from accounts.permissions import authorize, can
from cctv.choices import CameraKind, CameraStatus, Mounting, StatusSource
from cctv.exceptions import ImportRejected
from cctv.geometry import STORAGE_SRID, field_of_view, point_from_input
from cctv.models import Camera
from cctv.services.cameras import camera_create, camera_relocate, camera_status_record, camera_update

logger = logging.getLogger(__name__)

MAX_IMPORT_BYTES = 10 * 1024 * 1024
# WGS84 at 7 decimals cannot say where a point is better than ~1 cm: a smaller move is rounding, not a
# relocation, so re-importing an export does not relocate every camera by a millimetre.
RELOCATION_TOLERANCE_M = 0.01
COORDINATE_AGREEMENT_M = 0.05
NO_FIELD_OF_VIEW = "no field of view: covers nothing until surveyed"
ROW_CONVENTION = "Rows are numbered as in a spreadsheet: the header is row 1, the first camera row 2."
FEATURE_CONVENTION = "Features are numbered from 1 in the order of the file."
FORMATS = ("csv", "geojson")
WGS84_CRS_NAMES = {
    "urn:ogc:def:crs:ogc:1.3:crs84", "urn:ogc:def:crs:ogc::crs84", "crs84", "epsg:4326", "urn:ogc:def:crs:epsg::4326",
}
FORMULA_GUARDED = ("=", "+", "-", "@", "'")
ALIASES = {"camera_id": "asset_ref", "location": "name", "lon": "longitude", "lat": "latitude", "area_name": "ward"}
LOCATION_COLUMNS = ("longitude", "latitude", "easting", "northing")


class CellError(ValueError):
    """A cell that cannot be read; the message says what was expected."""


REQUIRED = object()  # a blank cell is an error
NOT_GIVEN = object()  # a blank cell leaves the field alone


@dataclass(frozen=True)
class Column:
    field: str
    parse: Callable[[str], Any]
    blank: Any = ""


def _text(cell: str) -> str:
    return cell[1:] if len(cell) > 1 and cell[0] == "'" and cell[1] in FORMULA_GUARDED else cell


def _number(expected: str, within: Callable[[float], bool]) -> Callable[[str], float]:
    def parse(cell: str) -> float:
        try:
            value = float(cell)
        except ValueError:
            raise CellError(f"{cell!r} is not a number; expected {expected}.") from None
        if not math.isfinite(value) or not within(value):
            raise CellError(f"{cell} is out of range; expected {expected}.")
        return value

    return parse


def _retention_days(cell: str) -> int:
    if not re.fullmatch(r"\d+", cell) or not 1 <= int(cell) <= 366:
        raise CellError(f"{cell!r} is not a whole number of days from 1 to 366.")
    return int(cell)


def _date(cell: str) -> date:
    try:
        if re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell):
            return date.fromisoformat(cell)
    except ValueError:
        raise CellError(f"{cell!r} is not a real date.") from None
    raise CellError(f"{cell!r} is not a date written YYYY-MM-DD.")


def _yes_no(cell: str) -> bool:
    answer = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False, "0": False}
    try:
        return answer[cell.lower()]
    except KeyError:
        raise CellError(f"{cell!r} is not yes or no.") from None


def _choice(choices: type[models.TextChoices], what: str) -> Callable[[str], str]:
    names = {str(value).lower(): value for value in choices.values}
    names.update({str(label).lower(): value for value, label in choices.choices})

    def parse(cell: str) -> str:
        try:
            return names[cell.lower()]
        except KeyError:
            raise CellError(f"unknown {what} {cell!r}; use one of {', '.join(choices.values)}.") from None

    return parse


COLUMNS: dict[str, Column] = {
    "asset_ref": Column("asset_ref", _text, REQUIRED),
    "name": Column("name", _text, REQUIRED),
    "kind": Column("kind", _choice(CameraKind, "kind"), NOT_GIVEN),
    "mounting": Column("mounting", _choice(Mounting, "mounting"), NOT_GIVEN),
    "status": Column("status", _choice(CameraStatus, "status"), NOT_GIVEN),
    "town": Column("town", _text),
    "ward": Column("ward", _text),
    "bearing_deg": Column("bearing_deg", _number(
        "degrees clockwise from grid north, 0 up to but not including 360", lambda v: 0 <= v < 360), None),
    "view_angle_deg": Column("view_angle_deg", _number("degrees, more than 0 and at most 360", lambda v: 0 < v <= 360),
                             None),
    "view_range_m": Column("view_range_m", _number("metres, more than 0 and at most 1000", lambda v: 0 < v <= 1000),
                           None),
    "retention_days": Column("retention_days", _retention_days, NOT_GIVEN),
    "make": Column("make", _text),
    "model": Column("model_name", _text),
    "installed_on": Column("installed_on", _date, None),
    "purpose": Column("purpose", _text),
    "dpia_ref": Column("dpia_ref", _text),
    "dpia_review_due_on": Column("dpia_review_due_on", _date, None),
    "has_signage": Column("has_signage", _yes_no, NOT_GIVEN),
}
# The export writes these, in this order; the importer reads them back.
CSV_COLUMNS = ("asset_ref", "name", *LOCATION_COLUMNS, *[c for c in COLUMNS if c not in ("asset_ref", "name")])
COLUMN_FOR_FIELD = {column.field: name for name, column in COLUMNS.items()}


def _problem(row: int | None, field_name: str | None, message: str) -> dict:
    return {"row": row, "field": field_name, "message": message}


@dataclass
class Record:
    """One camera as read from the file: text cells keyed by column, before any parsing."""

    row: int
    cells: dict[str, str]
    location_error: str | None = None  # GeoJSON: what is wrong with the feature's geometry


@dataclass
class Sheet:
    """What a reader found: the records, the file's own names for columns, and file-level findings."""

    records: list[Record] = field(default_factory=list)
    labels: dict[str, str] = field(default_factory=dict)
    problems: list[dict] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)
    unit: str = "row"
    unreadable: bool = False  # the header lacks a column every row needs: rows are not worth reading


@dataclass
class ParsedRow:
    row: int
    asset_ref: str
    location: Point
    values: dict[str, Any]  # Camera field -> value, only for what the file gives


@dataclass
class Planned:
    parsed: ParsedRow
    camera: Camera | None  # the camera to update; None for a new one
    changes: dict[str, Any]
    relocate: bool = False
    status: str | None = None  # a new status for an existing camera


@dataclass
class ImportResult:
    filename: str
    format: str
    dry_run: bool
    rows: int
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)  # every camera changed, relocated ones included
    relocated: list[dict] = field(default_factory=list)  # {"asset_ref", "moved_m"}
    unchanged: list[str] = field(default_factory=list)
    warnings: list[dict] = field(default_factory=list)


def _utf8(data: bytes) -> str:
    bom = len(codecs.BOM_UTF8) if data.startswith(codecs.BOM_UTF8) else 0
    try:
        text = data[bom:].decode("utf-8")
    except UnicodeDecodeError as exc:
        offset = bom + exc.start
        line = data[:offset].count(b"\n") + 1
        raise InvalidInput(
            f"The file is not UTF-8 at byte {offset + 1} (line {line}, byte 0x{data[offset]:02X}): save it as "
            "UTF-8 (in Excel, 'CSV UTF-8') and upload it again."
        ) from None
    if "\x00" in text:
        raise InvalidInput("The file holds binary data (a spreadsheet workbook?): save it as CSV UTF-8.")
    return text


def _csv_sheet(data: bytes) -> Sheet:
    reader = csv.reader(io.StringIO(_utf8(data), newline=""), strict=True)
    sheet = Sheet()
    try:
        header = next(reader, None)
        if not header:
            raise InvalidInput("The file is empty: the first row must name the columns.")
        names = _csv_header(header, sheet)
        for row, cells in enumerate(reader, start=2):
            if not any(cell.strip() for cell in cells):
                continue
            if len(cells) != len(header):
                sheet.problems.append(_problem(row, None, (
                    f"has {len(cells)} cells but the header has {len(header)}: "
                    "is a value with a comma missing its quotes?")))
                continue
            sheet.records.append(Record(row, {n: c.strip() for n, c in zip(names, cells, strict=True) if n}))
    except csv.Error as exc:
        raise InvalidInput(f"The file is not valid CSV near line {reader.line_num}: {exc}.") from None
    return sheet


def _csv_header(header: list[str], sheet: Sheet) -> list[str | None]:
    names: list[str | None] = []
    for raw in header:
        label = raw.strip()
        key = label.lower().replace(" ", "_")
        name = ALIASES.get(key, key)
        if name not in COLUMNS and name not in LOCATION_COLUMNS:
            if label:
                sheet.warnings.append(_problem(1, label, "column not recognised; ignored."))
            names.append(None)
        elif name in sheet.labels:
            sheet.problems.append(_problem(1, label, f"gives {name} again (also column {sheet.labels[name]})."))
            names.append(None)
        else:
            sheet.labels[name] = label
            names.append(name)
    missing = [name for name in ("asset_ref", "name") if name not in sheet.labels]
    missing += _half_pairs(set(sheet.labels))
    if not any({a, b} <= set(sheet.labels) for a, b in (("longitude", "latitude"), ("easting", "northing"))):
        missing.append("longitude and latitude (or easting and northing)")
    for name in missing:
        sheet.problems.append(_problem(1, None, f"no {name} column."))
    sheet.unreadable = bool(missing)
    return names


def _half_pairs(present: set[str]) -> list[str]:
    pairs = (("longitude", "latitude"), ("easting", "northing"))
    return [b if a in present else a for a, b in pairs if (a in present) != (b in present)]


def _geojson_sheet(data: bytes) -> Sheet:
    try:
        document = json.loads(_utf8(data))
    except json.JSONDecodeError as exc:
        raise InvalidInput(f"The file is not valid JSON: {exc.msg} at line {exc.lineno}, column {exc.colno}.") from None
    except RecursionError:
        raise InvalidInput("The file is nested too deeply to be GeoJSON.") from None
    if not (isinstance(document, dict) and document.get("type") == "FeatureCollection"
            and isinstance(document.get("features"), list)):
        raise InvalidInput("A GeoJSON import is a FeatureCollection with a list of features.")
    sheet = Sheet(labels={name: name for name in (*COLUMNS, "longitude", "latitude")}, unit="feature")
    if (crs := _foreign_crs(document)) is not None:
        sheet.problems.append(_problem(None, "crs", crs))
    ignored: set[str] = set()
    for number, feature in enumerate(document["features"], start=1):
        record = _feature_record(number, feature, sheet, ignored)
        if record is not None:
            sheet.records.append(record)
    sheet.warnings += [_problem(None, name, "property not recognised; ignored.") for name in sorted(ignored)]
    return sheet


def _foreign_crs(member: dict) -> str | None:
    if "crs" not in member or member["crs"] is None:
        return None
    crs = member["crs"]
    name = crs.get("properties", {}).get("name") if isinstance(crs, dict) else None
    if isinstance(name, str) and name.lower() in WGS84_CRS_NAMES:
        return None
    return (f"crs {name or crs!r} is not WGS84: GeoJSON coordinates are longitude/latitude in WGS84 (RFC 7946); "
            "reproject the file, or import a CSV with easting and northing.")


def _feature_record(number: int, feature: Any, sheet: Sheet, ignored: set[str]) -> Record | None:
    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        sheet.problems.append(_problem(number, None, "is not a GeoJSON Feature."))
        return None
    properties = feature.get("properties") or {}
    if not isinstance(properties, dict):
        sheet.problems.append(_problem(number, "properties", "properties must be an object."))
        return None
    cells: dict[str, str] = {}
    for key, value in properties.items():
        name = ALIASES.get(key.lower(), key.lower())
        if name in LOCATION_COLUMNS:
            continue  # the geometry is the location
        if name not in COLUMNS:
            ignored.add(key)
        elif isinstance(value, dict | list):
            sheet.problems.append(_problem(number, key, "must be text, a number, true/false or null."))
        else:
            cells[name] = _property_cell(value)
    record = Record(number, cells)
    geometry = feature.get("geometry")
    try:
        cells["longitude"], cells["latitude"] = _point_coordinates(geometry)
    except CellError as exc:
        record.location_error = str(exc)
    for member in (feature, geometry if isinstance(geometry, dict) else {}):
        if (crs := _foreign_crs(member)) is not None:
            record.location_error = crs
    return record


def _property_cell(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, bool):
        return "yes" if value else "no"
    return repr(value) if isinstance(value, float) else str(value).strip()


def _point_coordinates(geometry: Any) -> tuple[str, str]:
    if not isinstance(geometry, dict) or not geometry.get("type"):
        raise CellError("the feature has no geometry; give a Point with [longitude, latitude].")
    kind = geometry["type"]
    if kind != "Point":
        raise CellError(f"the geometry is a {kind}{_validity(geometry)}; only Point features can be imported.")
    coordinates = geometry.get("coordinates")
    if not coordinates:
        raise CellError("the Point has no coordinates; give [longitude, latitude].")
    if not (isinstance(coordinates, list) and len(coordinates) in (2, 3)
            and all(isinstance(v, int | float) and not isinstance(v, bool) for v in coordinates)):
        raise CellError(f"coordinates {coordinates!r} are not [longitude, latitude] numbers.")
    return repr(float(coordinates[0])), repr(float(coordinates[1]))


def _validity(geometry: dict) -> str:
    """Say why a non-point geometry is also invalid (a self-intersecting polygon, say), when GEOS can tell."""
    # Only type and coordinates reach GDAL: a `crs` member must never be parsed as a spatial reference.
    try:
        shape = GEOSGeometry(json.dumps({"type": geometry["type"], "coordinates": geometry.get("coordinates")}))
    except (GEOSException, GDALException, ValueError, TypeError):
        return " that cannot be read"
    return "" if shape.valid else f" and not valid ({shape.valid_reason})"


def _rows_parse(sheet: Sheet) -> tuple[list[ParsedRow], list[dict]]:
    parsed: list[ParsedRow] = []
    problems: list[dict] = []
    first_row: dict[str, int] = {}
    for record in sheet.records:
        row, row_problems = _row_parse(record, sheet)
        problems += row_problems
        ref = _text(record.cells.get("asset_ref", ""))
        if ref and ref in first_row:
            problems.append(_problem(record.row, sheet.labels["asset_ref"],
                                     f"asset_ref {ref!r} is also on {sheet.unit} {first_row[ref]}."))
        first_row.setdefault(ref, record.row)
        if row is not None and not row_problems:
            parsed.append(row)
    return parsed, problems


def _row_parse(record: Record, sheet: Sheet) -> tuple[ParsedRow | None, list[dict]]:
    labels = sheet.labels
    problems: list[dict] = []
    values: dict[str, Any] = {}
    for name, cell in record.cells.items():
        column = COLUMNS.get(name)
        if column is None:
            continue
        if cell == "":
            if column.blank is REQUIRED:
                problems.append(_problem(record.row, labels[name], f"{labels[name]} is empty."))
            elif column.blank is not NOT_GIVEN:
                values[column.field] = column.blank
            continue
        try:
            values[column.field] = column.parse(cell)
        except CellError as exc:
            problems.append(_problem(record.row, labels[name], f"{labels[name]}: {exc}"))
    try:
        location = _location_parse(record, labels)
    except CellError as exc:
        problems.append(_problem(record.row, _location_label(record, sheet), str(exc)))
        location = None
    if problems:
        return None, problems
    return ParsedRow(record.row, values["asset_ref"], location, values), []


def _location_label(record: Record, sheet: Sheet) -> str:
    labels = sheet.labels
    if sheet.unit == "feature":
        return "geometry"
    gives_grid = record.cells.get("easting") or record.cells.get("northing")
    if "easting" in labels and (gives_grid or "longitude" not in labels):
        return f"{labels['easting']}/{labels['northing']}"
    return f"{labels['longitude']}/{labels['latitude']}"


def _location_parse(record: Record, labels: dict[str, str]) -> Point:
    if record.location_error is not None:
        raise CellError(record.location_error)
    grid = _pair(record, "easting", "northing", labels)
    wgs84 = _pair(record, "longitude", "latitude", labels)
    if grid is None and wgs84 is None:
        raise CellError("no location: give longitude and latitude (WGS84) or easting and northing (EPSG:27700).")
    x, y, srid = (*grid, STORAGE_SRID) if grid is not None else (*wgs84, 4326)
    try:
        point = point_from_input(x, y, srid)
    except InvalidInput as exc:
        raise CellError(f"{exc.detail} {_whereabouts(x, y, srid)}") from None
    if grid is not None and wgs84 is not None:
        other = _to_grid(*wgs84, 4326)
        gap = "an unknown distance" if other is None else f"{point.distance(other):.2f} m"
        if other is None or point.distance(other) > COORDINATE_AGREEMENT_M:
            raise CellError(f"longitude/latitude and easting/northing are {gap} apart; they must agree within "
                            f"{COORDINATE_AGREEMENT_M * 100:.0f} cm (clear one pair to choose the other).")
    return point


def _pair(record: Record, first: str, second: str, labels: dict[str, str]) -> tuple[float, float] | None:
    a, b = record.cells.get(first, ""), record.cells.get(second, "")
    if not a and not b:
        return None
    if not a or not b:
        raise CellError(f"{labels[first if not a else second]} is empty.")
    try:
        return float(a), float(b)
    except ValueError:
        raise CellError(f"{a!r}, {b!r} are not numbers ({labels[first]}, {labels[second]}).") from None


def _to_grid(x: float, y: float, srid: int) -> Point | None:
    """The point in EPSG:27700 with no area check, or None when it is not a real position."""
    if not (math.isfinite(x) and math.isfinite(y)) or srid == 4326 and not (-180 <= x <= 180 and -90 <= y <= 90):
        return None
    point = Point(x, y, srid=srid)
    return point.transform(STORAGE_SRID, clone=True) if srid != STORAGE_SRID else point


def _whereabouts(x: float, y: float, srid: int) -> str:
    """Where the point fell, in grid metres beside the area's bounds: shows swapped columns or a wrong grid."""
    min_e, min_n, max_e, max_n = settings.SERVICE_AREA_BBOX_27700
    area = f"the service area is E {min_e:.0f}–{max_e:.0f}, N {min_n:.0f}–{max_n:.0f}"
    grid = _to_grid(x, y, srid)
    if grid is None:
        return f"Given ({x}, {y}); {area}."
    return f"Given ({x}, {y}), which is E {grid.x:.0f}, N {grid.y:.0f}; {area}."


def _plan(rows: list[ParsedRow], *, owner: Organisation, by: User,
          labels: dict[str, str]) -> tuple[list[Planned], list[dict], list[dict]]:
    """Decide what each row does, and check the resulting camera as the services will, before writing."""
    existing = {c.asset_ref: c for c in Camera.objects.filter(owner=owner, asset_ref__in=[r.asset_ref for r in rows])}
    plans: list[Planned] = []
    problems: list[dict] = []
    warnings: list[dict] = []
    for parsed in rows:
        camera = existing.get(parsed.asset_ref)
        if camera is None:
            plan = Planned(parsed, None, dict(parsed.values))
            candidate = Camera(owner=owner, location=parsed.location, **parsed.values)
        else:
            if not can(by, "change", camera):
                problems.append(_problem(parsed.row, labels["asset_ref"], "you may not change this camera."))
                continue
            plan, candidate = _plan_update(parsed, camera)
        problems += _model_problems(candidate, parsed.row, labels)
        if field_of_view(candidate.location, bearing_deg=candidate.bearing_deg, angle_deg=candidate.view_angle_deg,
                         range_m=candidate.view_range_m, full_circle=candidate.kind == CameraKind.PTZ) is None:
            warnings.append(_problem(parsed.row, "bearing_deg", NO_FIELD_OF_VIEW))
        plans.append(plan)
    return plans, problems, warnings


def _plan_update(parsed: ParsedRow, camera: Camera) -> tuple[Planned, Camera]:
    values = dict(parsed.values)
    status = values.pop("status", None)
    changes = {name: value for name, value in values.items() if getattr(camera, name) != value}
    relocate = camera.location.distance(parsed.location) > RELOCATION_TOLERANCE_M
    candidate = copy.copy(camera)
    for name, value in changes.items():
        setattr(candidate, name, value)
    if relocate:
        candidate.location = parsed.location
    new_status = status if status not in (None, camera.status) else None
    return Planned(parsed, camera, changes, relocate, new_status), candidate


def _model_problems(candidate: Camera, row: int, labels: dict[str, str]) -> list[dict]:
    try:
        candidate.full_clean(exclude=["owner", "node", "view_polygon"], validate_unique=False,
                             validate_constraints=False)
    except ValidationError as exc:
        return [_problem(row, labels.get(COLUMN_FOR_FIELD.get(name, name), name), " ".join(messages))
                for name, messages in exc.message_dict.items()]
    return []


def _apply(plan: Planned, result: ImportResult, *, owner: Organisation, by: User, reason: str,
           now: datetime) -> None:
    parsed = plan.parsed
    if plan.camera is None:
        camera_create(owner=owner, by=by, status_at=now, location=parsed.location, **plan.changes)
        result.created.append(parsed.asset_ref)
        return
    if not (plan.changes or plan.relocate or plan.status):
        result.unchanged.append(parsed.asset_ref)
        return
    camera = plan.camera
    if plan.changes:
        camera = camera_update(camera=camera, by=by, reason=reason, **plan.changes)
    if plan.relocate:
        moved = camera_relocate(camera=camera, by=by, location=parsed.location, reason=reason,
                                relocated_on=timezone.localdate(now))
        result.relocated.append({"asset_ref": parsed.asset_ref, "moved_m": round(moved.moved_m, 2)})
        camera = moved.camera
    if plan.status:
        camera_status_record(camera=camera, status=plan.status, at=now, source=StatusSource.IMPORT, by=by,
                             note=reason)
    result.updated.append(parsed.asset_ref)


def _rejected(problems: list[dict], unit: str) -> ImportRejected:
    rows = len({p["row"] for p in problems if p["row"] is not None})
    whole_file = any(p["row"] is None for p in problems)
    if rows:
        what = f"{rows} {unit}{'s have' if rows != 1 else ' has'} errors"
    else:
        what = "The file has errors"
    if rows and whole_file:
        what += ", and so does the file as a whole"
    convention = ROW_CONVENTION if unit == "row" else FEATURE_CONVENTION
    problems = sorted(problems, key=lambda p: (p["row"] or 0))
    return ImportRejected(f"{what}; nothing was imported. {convention}", errors=problems)


def import_format_for(filename: str, given: str | None = None) -> str:
    """The format named, or the one the file's extension implies."""
    if given:
        if given.lower() not in FORMATS:
            raise InvalidInput(f"Unknown import format {given!r}; use csv or geojson.")
        return given.lower()
    suffix = PurePath(filename).suffix.lower()
    if suffix in (".csv", ".txt"):
        return "csv"
    if suffix in (".geojson", ".json"):
        return "geojson"
    raise InvalidInput(f"Cannot tell the format of {filename!r} from its name; say format=csv or format=geojson.")


def import_owner_resolve(*, user: User, owner_id: int | None = None) -> Organisation:
    """Whose estate the file goes into: the user's own organisation unless an administrator names one."""
    authorize(user, "add", Camera)
    if owner_id is None:
        if user.organisation_id is None:
            raise InvalidInput("Say which organisation's estate to import into (owner).")
        return user.organisation
    owner = Organisation.objects.filter(pk=owner_id).first()
    if owner is None:
        raise InvalidInput(f"There is no organisation with id {owner_id}.")
    if not can(user, "add", Camera(owner=owner)):
        raise Forbidden(f"You may not add cameras to the estate of {owner.name}.")
    return owner


def too_large_message(size: int) -> str:
    return (f"The file is {size / 1024 / 1024:.1f} MB; the import limit is {MAX_IMPORT_BYTES // 1024 // 1024} MB. "
            "Split it into smaller files.")


def estate_import(*, data: bytes, filename: str, file_format: str | None, owner: Organisation, by: User,
                  dry_run: bool = False, now: datetime | None = None) -> ImportResult:
    """Create or update the owner's cameras from a file, all rows or none.

    Raises ImportRejected naming every bad row (nothing written), or InvalidInput when the file as a
    whole cannot be read. A dry run does the same work in a transaction that is rolled back, so it
    reports exactly what a real run would, including errors only the database would find.
    """
    if len(data) > MAX_IMPORT_BYTES:
        raise InvalidInput(too_large_message(len(data)))
    file_format = import_format_for(filename, file_format)
    sheet = _csv_sheet(data) if file_format == "csv" else _geojson_sheet(data)
    if sheet.unreadable:
        raise _rejected(sheet.problems, sheet.unit)
    rows, problems = _rows_parse(sheet)
    problems = sheet.problems + problems
    if not sheet.records and not problems:
        raise InvalidInput("The file holds no cameras.")
    result = ImportResult(filename=filename, format=file_format, dry_run=dry_run, rows=len(sheet.records),
                          warnings=list(sheet.warnings))
    now = now or timezone.now()
    reason = f"estate import {filename}"
    with transaction.atomic():
        plans, plan_problems, plan_warnings = _plan(rows, owner=owner, by=by, labels=sheet.labels)
        problems += plan_problems
        if problems:
            raise _rejected(problems, sheet.unit)
        result.warnings += plan_warnings
        for plan in plans:
            try:
                _apply(plan, result, owner=owner, by=by, reason=reason, now=now)
            except (InvalidInput, IntegrityError) as exc:
                problems.append(_problem(plan.parsed.row, None, getattr(exc, "detail", None) or str(exc)))
        if problems:  # raising inside the block rolls back every row already written
            raise _rejected(problems, sheet.unit)
        if dry_run:
            transaction.set_rollback(True)
    logger.info("estate import file=%r owner=%s dry_run=%s created=%d updated=%d relocated=%d unchanged=%d",
                filename, owner.pk, dry_run, len(result.created), len(result.updated), len(result.relocated),
                len(result.unchanged))
    return result
