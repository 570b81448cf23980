"""Coverage analysis and the incident map layers: what the API and the map page both call.

Questions answered in PostGIS (maps.queries), never by looping in Python (DESIGN.md 2D):
what share of a period's incidents fell inside any camera's view, per category; how many each
camera saw; where the most incidents fell outside every view. The API (maps/api_layers.py) and
the page call these same functions, so they agree.

Who may read: incidents are police open data and the council's own records, shown on the map
to everyone who may see cameras (police included: DESIGN.md 2D, "police see the map and
incidents"). Until accounts.permissions has a "maps.incident" rule, that is
role_may(user, "view", "maps.incident"); which incidents is maps.services.incidents_visible_to,
the one definition the incidents API uses too (local records: their council and its partners).
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Sequence
from dataclasses import dataclass

from django.contrib.gis.geos import Polygon
from django.db.models import QuerySet

from accounts.exceptions import Forbidden, InvalidInput
from accounts.permissions import role_may, visible_to
from cctv.choices import CAMERA_STATUSES_UP
from cctv.models import Camera
from maps import queries
from maps.models import Incident
from maps.services import incidents_visible_to

MAX_LAYER_FEATURES = 20_000  # beyond this a GeoJSON payload is too heavy for a browser: use tiles
CELL_M_MIN, CELL_M_MAX = 25, 10_000
HOTSPOT_LIMIT_MAX = 100
MAX_CATEGORIES = 30
MAX_CAMERA_IDS = 1_000
# EPSG:27700's area of use (Great Britain, WGS84): a box is cut to it before it is transformed.
BNG_AREA_WGS84 = (-9.0, 49.75, 2.0, 61.0)


# input


def parse_bbox(text: str) -> tuple[float, float, float, float]:
    """A WGS84 box given as min_lon,min_lat,max_lon,max_lat (as /api/cameras takes it)."""
    message = "bbox must be four numbers: min_lon,min_lat,max_lon,max_lat (WGS84 degrees)."
    try:
        parts = tuple(float(part) for part in text.split(","))
    except ValueError:
        raise InvalidInput(message) from None
    if len(parts) != 4 or not all(math.isfinite(part) for part in parts):
        raise InvalidInput(message)
    min_lon, min_lat, max_lon, max_lat = parts
    if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
        raise InvalidInput("bbox is min_lon,min_lat,max_lon,max_lat with min < max, longitudes within ±180 and "
                           "latitudes within ±90.")
    return parts


def _check_period(month_from: dt.date | None, month_to: dt.date | None) -> None:
    for name, month in (("month_from", month_from), ("month_to", month_to)):
        if month is not None and month.day != 1:
            raise InvalidInput(f"{name} must be the first day of a month, not {month.isoformat()}.")
    if month_from and month_to and month_from > month_to:
        raise InvalidInput(f"month_from ({month_from:%Y-%m}) is after month_to ({month_to:%Y-%m}).")


def _check_categories(categories: Sequence[str]) -> tuple[str, ...]:
    cleaned = tuple(dict.fromkeys(category.strip() for category in categories))
    if len(cleaned) > MAX_CATEGORIES:
        raise InvalidInput(f"At most {MAX_CATEGORIES} categories at a time; {len(cleaned)} were given.")
    if any(not category or len(category) > 100 for category in cleaned):
        raise InvalidInput("Each category is a non-empty name of at most 100 characters, e.g. Burglary.")
    return cleaned


def _check_cell(cell_m: int) -> None:
    if not CELL_M_MIN <= cell_m <= CELL_M_MAX:
        raise InvalidInput(f"cell_m must be between {CELL_M_MIN} and {CELL_M_MAX} metres; got {cell_m}.")


# who sees what


def _require_reader(user) -> None:
    if not role_may(user, "view", "maps.incident"):
        raise Forbidden("Your role may not see incidents or coverage.")


def incidents_readable_by(user) -> QuerySet[Incident]:
    """The incidents the user may see (maps.services decides which), or Forbidden for a role without the map."""
    _require_reader(user)
    return incidents_visible_to(user)


def incidents_selected(
    user, *, month_from: dt.date | None = None, month_to: dt.date | None = None, categories: Sequence[str] = (),
    bbox: tuple[float, float, float, float] | None = None,
) -> QuerySet[Incident]:
    """The incidents the user may see, in the months (inclusive), categories and WGS84 box given."""
    _check_period(month_from, month_to)
    categories = _check_categories(categories)
    incidents = incidents_readable_by(user)
    if month_from:
        incidents = incidents.filter(month__gte=month_from)
    if month_to:
        incidents = incidents.filter(month__lte=month_to)
    if categories:
        incidents = incidents.filter(category__in=categories)
    if bbox:
        incidents = incidents.filter(location__intersects=_box_filter(bbox))
    return incidents


def _box_filter(bbox: tuple[float, float, float, float]) -> Polygon:
    """The WGS84 box to filter stored 27700 points with, transformed in SQL (never the column).

    The box is cut to 27700's area of use first (a transverse Mercator of the whole world is
    meaningless) and densified so its edges follow the curve they make in 27700.
    """
    min_lon, min_lat, max_lon, max_lat = bbox
    area = BNG_AREA_WGS84
    cut = (max(min_lon, area[0]), max(min_lat, area[1]), min(max_lon, area[2]), min(max_lat, area[3]))
    if cut[0] >= cut[2] or cut[1] >= cut[3]:
        return Polygon(srid=4326)  # an empty box: nothing in it
    steps = 8
    xs = [cut[0] + (cut[2] - cut[0]) * k / steps for k in range(steps + 1)]
    ys = [cut[1] + (cut[3] - cut[1]) * k / steps for k in range(steps + 1)]
    ring = ([(x, cut[1]) for x in xs] + [(cut[2], y) for y in ys[1:]] + [(x, cut[3]) for x in reversed(xs[:-1])]
            + [(cut[0], y) for y in reversed(ys[:-1])])
    # Left in 4326: GeoDjango then binds it as ST_Transform(box, 27700), which PostGIS folds to a
    # constant before planning, so the filter is `location && <27700 box>` on the GiST index.
    return Polygon(ring, srid=4326)


def coverage_cameras(user, *, camera_ids: Sequence[int] = ()) -> QuerySet[Camera]:
    """The cameras whose views count: the ones asked for, or every visible camera that is recording.

    By default: the user's visible cameras that are operational or degraded (recording usable
    footage, cctv.choices.CAMERA_STATUSES_UP). Cameras asked for by id count whatever their
    status (to see what a faulty camera would cover), but must be visible to the user. A
    camera without a view polygon (not surveyed) covers nothing.
    """
    _require_reader(user)
    cameras = visible_to(user, Camera.objects.all())
    if camera_ids:
        wanted = set(camera_ids)
        if len(wanted) > MAX_CAMERA_IDS:
            raise InvalidInput(f"At most {MAX_CAMERA_IDS} cameras at a time; {len(wanted)} were given.")
        found = set(cameras.filter(pk__in=wanted).values_list("pk", flat=True))
        missing = sorted(wanted - found)
        if missing:
            listed = ", ".join(str(pk) for pk in missing[:10]) + (" ..." if len(missing) > 10 else "")
            raise InvalidInput(f"Camera(s) {listed} do not exist or are not visible to you.")
        cameras = cameras.filter(pk__in=wanted)
    else:
        cameras = cameras.filter(status__in=CAMERA_STATUSES_UP)
    return cameras.filter(view_polygon__isnull=False)


# coverage


def _share_pct(part: int, whole: int) -> float | None:
    return round(100 * part / whole, 1) if whole else None


@dataclass(frozen=True)
class CategoryShare:
    category: str
    incidents: int
    covered: int

    @property
    def share_pct(self) -> float | None:
        """Per cent of the incidents inside a camera's view, to one decimal; None when there were none."""
        return _share_pct(self.covered, self.incidents)


@dataclass(frozen=True)
class CoverageShare:
    month_from: dt.date
    month_to: dt.date
    categories: tuple[str, ...]  # as asked; empty means every category
    cameras_counted: int
    incidents: int
    covered: int
    by_category: tuple[CategoryShare, ...]

    @property
    def share_pct(self) -> float | None:
        return _share_pct(self.covered, self.incidents)


def coverage_share(
    user, *, month_from: dt.date, month_to: dt.date, categories: Sequence[str] = (), camera_ids: Sequence[int] = (),
) -> CoverageShare:
    """The share of a period's incidents inside any counted camera's view, overall and per category.

    Each incident counts once however many views it is in. A category asked for that had no
    incidents is listed with zero, so a misspelt name shows as empty rather than vanishing.
    """
    categories = _check_categories(categories)
    incidents = incidents_selected(user, month_from=month_from, month_to=month_to, categories=categories)
    cameras = coverage_cameras(user, camera_ids=camera_ids)
    cameras_counted, rows = queries.coverage_counts_by_category(cameras, incidents)
    by_category = {row.category: CategoryShare(row.category, row.total, row.covered) for row in rows}
    for category in categories:
        by_category.setdefault(category, CategoryShare(category, 0, 0))
    return CoverageShare(
        month_from=month_from, month_to=month_to, categories=categories, cameras_counted=cameras_counted,
        incidents=sum(row.total for row in rows), covered=sum(row.covered for row in rows),
        by_category=tuple(sorted(by_category.values(), key=lambda share: share.category)),
    )


@dataclass(frozen=True)
class CameraCoverage:
    camera_id: int
    asset_ref: str
    name: str
    status: str
    incidents_in_view: int
    incidents_only_in_this_view: int  # no other counted camera sees them: what moving it would lose


def coverage_by_camera(
    user, *, month_from: dt.date, month_to: dt.date, categories: Sequence[str] = (), camera_ids: Sequence[int] = (),
) -> list[CameraCoverage]:
    """Incidents in each counted camera's view over the period, most first (every camera listed)."""
    incidents = incidents_selected(user, month_from=month_from, month_to=month_to, categories=categories)
    cameras = coverage_cameras(user, camera_ids=camera_ids)
    return [CameraCoverage(*row) for row in queries.coverage_counts_by_camera(cameras, incidents)]


@dataclass(frozen=True)
class Hotspot:
    """One grid square (British National Grid, cell (i, j) from the grid's origin) and its counts."""

    rank: int
    i: int
    j: int
    cell_m: int
    incidents: int
    uncovered: int  # incidents in the cell outside every counted camera's view
    cell: dict  # the square as a GeoJSON Polygon in WGS84


def uncovered_hotspots(
    user, *, month_from: dt.date, month_to: dt.date, categories: Sequence[str] = (), camera_ids: Sequence[int] = (),
    cell_m: int = 250, limit: int = 10,
) -> list[Hotspot]:
    """The grid cells with the most incidents that no counted camera saw, most first.

    Ties are broken by all incidents in the cell, then west to east and south to north, so the
    order is the same on every run.
    """
    _check_cell(cell_m)
    if not 1 <= limit <= HOTSPOT_LIMIT_MAX:
        raise InvalidInput(f"limit must be between 1 and {HOTSPOT_LIMIT_MAX}; got {limit}.")
    incidents = incidents_selected(user, month_from=month_from, month_to=month_to, categories=categories)
    cameras = coverage_cameras(user, camera_ids=camera_ids)
    rows = queries.uncovered_incident_cells(cameras, incidents, cell_m=cell_m, limit=limit)
    return [
        Hotspot(rank=rank, i=i, j=j, cell_m=cell_m, incidents=total, uncovered=uncovered, cell=json.loads(cell))
        for rank, (i, j, total, uncovered, cell) in enumerate(rows, start=1)
    ]


# map layers


def incidents_layer(
    user, *, month_from: dt.date | None = None, month_to: dt.date | None = None, categories: Sequence[str] = (),
    bbox: tuple[float, float, float, float] | None = None, max_features: int = MAX_LAYER_FEATURES,
) -> str:
    """The incidents as a GeoJSON FeatureCollection (WGS84), refused past `max_features`."""
    incidents = incidents_selected(user, month_from=month_from, month_to=month_to, categories=categories, bbox=bbox)
    count, collection = queries.incidents_geojson(incidents, max_features=max_features)
    if collection is None:
        raise InvalidInput(
            f"Too many incidents for one GeoJSON layer: more than {max_features:,} match. Narrow the months, "
            "categories or bbox, or use the vector tiles (/tiles/incidents/{z}/{x}/{y}.mvt) or the "
            "incident grid (/api/maps/layers/incident-grid)."
        )
    return collection


def incident_grid_layer(
    user, *, month_from: dt.date | None = None, month_to: dt.date | None = None, categories: Sequence[str] = (),
    bbox: tuple[float, float, float, float] | None = None, cell_m: int = 250, max_cells: int = MAX_LAYER_FEATURES,
) -> str:
    """Incidents counted per grid square, as a GeoJSON FeatureCollection of squares, for heat display."""
    _check_cell(cell_m)
    incidents = incidents_selected(user, month_from=month_from, month_to=month_to, categories=categories, bbox=bbox)
    cells, collection = queries.incident_grid_geojson(incidents, cell_m=cell_m, max_cells=max_cells)
    if collection is None:
        raise InvalidInput(
            f"Too many grid cells for one layer: {cells:,} cells of {cell_m} m hold incidents, and the most is "
            f"{max_cells:,}. Use a larger cell_m or a smaller bbox."
        )
    return collection
