"""PostGIS-heavy reads for maps: coverage joins, map layers, vector tiles.

One function per query, its SQL in maps/sql/<function>.sql, parameters always bound. Each takes
the caller's querysets (cameras, incidents, links) already scoped by accounts.permissions and
filtered by maps.coverage: their own SQL and bound parameters become the inner queries, so the
permission scope decided there is the one applied here (the pattern of cctv/geojson.py).
Callers should go through maps.coverage and maps.tiles, which check access and input first.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.core.exceptions import EmptyResultSet
from django.db import connection, transaction
from django.db.models import QuerySet

SQL_DIR = Path(__file__).resolve().parent / "sql"

COVERAGE_CAMERA_COLUMNS = ("id", "asset_ref", "name", "status", "view_polygon")
INCIDENT_COVERAGE_COLUMNS = ("id", "category", "location")
INCIDENT_LAYER_COLUMNS = ("id", "category", "month", "source", "crime_ref", "location_text", "outcome",
                          "lsoa_name", "falls_within", "location")
INCIDENT_TILE_COLUMNS = ("id", "category", "month", "source", "location_text", "outcome", "location")
CAMERA_TILE_COLUMNS = ("id", "asset_ref", "name", "status", "kind", "bearing_deg", "view_angle_deg", "view_range_m",
                       "location", "view_polygon")
LINK_TILE_COLUMNS = ("id", "kind", "status", "provider", "circuit_ref", "length_m", "route")


# PostgreSQL's JIT compiler switches on above a planner cost of 100,000, and the planner cannot
# judge a spatial join: it costs a year's coverage at ten million (0.8 s in fact), so every call
# paid 0.4-1.5 s compiling code that saved nothing (bench/coverage.py prints both). These queries
# turn it off for their own transaction only; a deployment may rather set jit = off for the database.
NO_JIT = "SET LOCAL jit = off"


@cache
def _sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


def _inner(queryset: QuerySet, columns: tuple[str, ...]) -> tuple[str, tuple]:
    """The queryset's SQL and bound parameters, selecting `columns`.

    A queryset known to be empty (`.none()`, as visible_to returns for a role without 'view')
    has no SQL in Django; it becomes a query of the same columns that matches no row.
    """
    try:
        return queryset.order_by().values(*columns).query.sql_with_params()
    except EmptyResultSet:
        nothing = queryset.model._base_manager.filter(pk__isnull=True)
        return nothing.order_by().values(*columns).query.sql_with_params()


def _execute(name: str, inner: dict[str, tuple[QuerySet, tuple[str, ...]]], params: tuple = ()) -> list[tuple]:
    """Run maps/sql/<name>.sql with each inner query formatted in, in the order given.

    Positional parameters are bound in the order they appear in the SQL text: each file puts
    its inner queries first (in the order of `inner`) and its own parameters after them.
    """
    parts, bound = {}, []
    for placeholder, (queryset, columns) in inner.items():
        sql, inner_params = _inner(queryset, columns)
        parts[placeholder] = sql
        bound.extend(inner_params)
    if "{bounds}" in _sql(name):
        parts["bounds"] = _sql("_tile_bounds")
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(NO_JIT)
        cursor.execute(_sql(name).format(**parts), [*bound, *params])
        return cursor.fetchall()


# coverage


@dataclass(frozen=True)
class CategoryCounts:
    category: str
    total: int
    covered: int


def coverage_counts_by_category(cameras: QuerySet, incidents: QuerySet) -> tuple[int, list[CategoryCounts]]:
    """How many cameras counted, and per category the incidents and those in any camera's view."""
    rows = _execute("coverage_counts_by_category", {
        "cameras": (cameras, ("id", "view_polygon")),
        "incidents": (incidents, INCIDENT_COVERAGE_COLUMNS),
    })
    return rows[0][3], [CategoryCounts(category=r[0], total=r[1], covered=r[2]) for r in rows if r[0] is not None]


def coverage_counts_by_camera(cameras: QuerySet, incidents: QuerySet) -> list[tuple]:
    """(id, asset_ref, name, status, in_view, only_in_this_view) per camera, most incidents first."""
    return _execute("coverage_counts_by_camera", {
        "cameras": (cameras, COVERAGE_CAMERA_COLUMNS),
        "incidents": (incidents, ("id", "location")),
    })


def uncovered_incident_cells(cameras: QuerySet, incidents: QuerySet, *, cell_m: float, limit: int) -> list[tuple]:
    """(i, j, incidents, uncovered, cell GeoJSON in WGS84) for the cells with most uncovered incidents."""
    return _execute("uncovered_incident_cells", {
        "cameras": (cameras, ("id", "view_polygon")),
        "incidents": (incidents, ("id", "location")),
    }, (cell_m, cell_m, cell_m, limit))


# map layers (GeoJSON)


def incidents_geojson(incidents: QuerySet, *, max_features: int) -> tuple[int, str | None]:
    """(features, FeatureCollection text), or (max_features + 1, None) when there are more."""
    rows = _execute("incidents_geojson", {"incidents": (incidents, INCIDENT_LAYER_COLUMNS)},
                    (max_features + 1, max_features))
    return rows[0][0], rows[0][1]


def incident_grid_geojson(incidents: QuerySet, *, cell_m: float, max_cells: int) -> tuple[int, str | None]:
    """(cells, FeatureCollection of cell squares with counts), the collection None over the cap."""
    rows = _execute("incident_grid_geojson", {"incidents": (incidents, ("id", "location"))}, (cell_m, max_cells))
    return rows[0][0], rows[0][1]


# vector tiles


def _tile(name: str, placeholder: str, queryset: QuerySet, columns: tuple[str, ...], z: int, x: int, y: int) -> bytes:
    rows = _execute(name, {placeholder: (queryset, columns)}, (z, x, y))
    return bytes(rows[0][0])


def incidents_tile(incidents: QuerySet, *, z: int, x: int, y: int) -> bytes:
    return _tile("incidents_tile", "incidents", incidents, INCIDENT_TILE_COLUMNS, z, x, y)


def cameras_tile(cameras: QuerySet, *, z: int, x: int, y: int) -> bytes:
    return _tile("cameras_tile", "cameras", cameras, CAMERA_TILE_COLUMNS, z, x, y)


def views_tile(cameras: QuerySet, *, z: int, x: int, y: int) -> bytes:
    return _tile("views_tile", "cameras", cameras, CAMERA_TILE_COLUMNS, z, x, y)


def links_tile(links: QuerySet, *, z: int, x: int, y: int) -> bytes:
    return _tile("links_tile", "links", links, LINK_TILE_COLUMNS, z, x, y)
