"""Geometry at the edges of the estate: input points, the service area, field-of-view sectors.

Storage is British National Grid (EPSG:27700, metres). Input arrives in an SRID from the
allow-list (settings.ALLOWED_INPUT_SRIDS) and is transformed here with an integer EPSG code,
never an SRS string (see README, gis.W001). Sectors are built with shapely in 27700.
"""

from __future__ import annotations

import math
import threading

from django.conf import settings
from django.contrib.gis.gdal import CoordTransform, SpatialReference
from django.contrib.gis.geos import GEOSGeometry, LineString, Point, Polygon
from shapely.geometry import Point as ShapelyPoint
from shapely.geometry import Polygon as ShapelyPolygon

from accounts.exceptions import InvalidInput

STORAGE_SRID = 27700
# One arc vertex every 2.5 degrees keeps a 120 m cone's edge within 0.03 m of the true arc.
ARC_STEP_DEG = 2.5


_transforms = threading.local()


def _transform_to_storage(srid: int) -> CoordTransform:
    """One GDAL transform per source SRID and thread: building one costs ~20 ms, using it ~0.07 ms.

    GDAL transformation objects are not safe to share between threads, hence thread-local.
    """
    cache = getattr(_transforms, "by_srid", None)
    if cache is None:
        cache = _transforms.by_srid = {}
    if srid not in cache:
        cache[srid] = CoordTransform(SpatialReference(srid), SpatialReference(STORAGE_SRID))
    return cache[srid]


def check_srid(srid: int) -> int:
    try:
        code = int(srid)
    except (TypeError, ValueError):
        raise InvalidInput(f"SRID must be an EPSG code number, not {srid!r}.") from None
    if code not in settings.ALLOWED_INPUT_SRIDS:
        allowed = ", ".join(str(c) for c in settings.ALLOWED_INPUT_SRIDS)
        raise InvalidInput(f"SRID {code} is not accepted; use one of {allowed}.")
    return code


def in_service_area(geometry: GEOSGeometry) -> bool:
    min_e, min_n, max_e, max_n = settings.SERVICE_AREA_BBOX_27700
    x0, y0, x1, y1 = geometry.extent
    return min_e <= x0 and x1 <= max_e and min_n <= y0 and y1 <= max_n


def to_storage(geometry: GEOSGeometry, *, what: str = "location") -> GEOSGeometry:
    """Transform input geometry to 27700 and refuse invalid or out-of-area geometry."""
    if geometry.srid is None:
        raise InvalidInput(f"The {what} has no SRID; give coordinates with an EPSG code.")
    check_srid(geometry.srid)
    if geometry.empty:
        raise InvalidInput(f"The {what} is empty.")
    if not geometry.valid:
        raise InvalidInput(f"The {what} is not valid geometry: {geometry.valid_reason}.")
    if geometry.srid == STORAGE_SRID:
        stored = geometry.clone()
    else:
        stored = geometry.transform(_transform_to_storage(geometry.srid), clone=True)
        stored.srid = STORAGE_SRID
    if not in_service_area(stored):
        raise InvalidInput(f"The {what} is outside the service area.")
    return stored


def point_from_lon_lat(longitude: float, latitude: float) -> Point:
    if not (-180 <= longitude <= 180 and -90 <= latitude <= 90):
        raise InvalidInput(f"({longitude}, {latitude}) is not a longitude/latitude pair.")
    return to_storage(Point(float(longitude), float(latitude), srid=4326))


def point_from_input(x: float, y: float, srid: int = 4326) -> Point:
    """A point given as lon/lat (4326) or easting/northing (27700), stored in 27700."""
    code = check_srid(srid)
    if not all(math.isfinite(v) for v in (x, y)):
        raise InvalidInput("Coordinates must be finite numbers.")
    if code == 4326:
        return point_from_lon_lat(x, y)
    return to_storage(Point(float(x), float(y), srid=code))


def line_from_input(coordinates: list[list[float]], srid: int = 4326) -> LineString:
    code = check_srid(srid)
    if len(coordinates) < 2:
        raise InvalidInput("A route needs at least two points.")
    try:
        points = [(float(x), float(y)) for x, y, *_ in coordinates]
    except (TypeError, ValueError):
        raise InvalidInput("A route is a list of [x, y] pairs.") from None
    # Checked here as point_from_input checks a point: GDAL cannot transform a longitude of 1e200,
    # and its failure was a 500 rather than the caller's mistake.
    if not all(math.isfinite(v) for point in points for v in point):
        raise InvalidInput("Coordinates must be finite numbers.")
    if code == 4326 and not all(-180 <= x <= 180 and -90 <= y <= 90 for x, y in points):
        raise InvalidInput("A route in SRID 4326 is a list of [longitude, latitude] pairs within -180..180, -90..90.")
    return to_storage(LineString(points, srid=code), what="route")


def field_of_view(
    location: Point, *, bearing_deg: float | None, angle_deg: float | None, range_m: float | None,
    full_circle: bool = False,
) -> Polygon | None:
    """The area a camera sees: a sector of `range_m` about `bearing_deg`, `angle_deg` wide.

    Bearings are degrees clockwise from grid north. A PTZ camera (`full_circle`) or an angle of
    360 covers the disc. Returns None when the camera has no range, or a fixed camera has no
    bearing or angle (an import may hold such cameras; they cover nothing until surveyed).
    """
    if location.srid != STORAGE_SRID:
        raise ValueError("field_of_view works in EPSG:27700")
    if not range_m or range_m <= 0:
        return None
    centre = ShapelyPoint(location.x, location.y)
    if full_circle or (angle_deg is not None and angle_deg >= 360):
        shape = centre.buffer(range_m, quad_segs=36)
    else:
        if bearing_deg is None or not angle_deg:
            return None
        steps = max(2, math.ceil(angle_deg / ARC_STEP_DEG))
        start = bearing_deg - angle_deg / 2
        arc = []
        for i in range(steps + 1):
            theta = math.radians(start + angle_deg * i / steps)
            arc.append((location.x + range_m * math.sin(theta), location.y + range_m * math.cos(theta)))
        shape = ShapelyPolygon([(location.x, location.y), *arc, (location.x, location.y)])
    if not shape.is_valid:  # cannot happen for a positive range; a guard, not a branch we expect
        raise InvalidInput("The field of view does not form a valid polygon.")
    return GEOSGeometry(memoryview(shape.wkb), srid=STORAGE_SRID)
