"""GeoJSON of the estate built in PostGIS, never feature by feature in Python."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.db import connection
from django.db.models import QuerySet

SQL_DIR = Path(__file__).resolve().parent / "sql"
CAMERA_COLUMNS = ("id", "asset_ref", "name", "status", "kind", "town", "bearing_deg", "view_angle_deg",
                  "view_range_m")
GEOMETRY_COLUMNS = {"location": "location", "view": "view_polygon"}


@cache
def _sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


def cameras_geojson(cameras: QuerySet, *, geometry: str = "location") -> str:
    """The cameras of a (scoped, filtered) queryset as a FeatureCollection string.

    The queryset's own SQL, with its bound parameters, becomes the inner query, so the
    permission scope decided by accounts.permissions is the one applied here too.
    """
    column = GEOMETRY_COLUMNS[geometry]
    inner = cameras.order_by().values(*CAMERA_COLUMNS, column)
    inner_sql, params = inner.query.sql_with_params()
    sql = _sql("cameras_geojson").format(scoped=inner_sql, geometry_column=column)
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchone()[0]
