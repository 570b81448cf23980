"""PostGIS is really there and answers spatial questions with known answers."""

import pytest
from django.db import connection

pytestmark = pytest.mark.django_db


def scalar(sql: str, params: list | None = None):
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.fetchone()[0]


def test_distance_in_british_national_grid_is_metres():
    # A 300-400-500 triangle drawn on the grid.
    distance = scalar(
        "SELECT ST_Distance(ST_SetSRID(ST_MakePoint(%s, %s), 27700), ST_SetSRID(ST_MakePoint(%s, %s), 27700))",
        [310000, 168000, 310300, 168400],
    )
    assert distance == pytest.approx(500.0)


def test_one_degree_of_latitude_at_the_equator_on_the_wgs84_spheroid():
    # 110,574.389 m is the textbook length of the first degree of latitude on WGS84.
    distance = scalar(
        "SELECT ST_Distance(ST_GeogFromText('SRID=4326;POINT(0 0)'), ST_GeogFromText('SRID=4326;POINT(0 1)'))"
    )
    assert distance == pytest.approx(110574.389, abs=0.01)


@pytest.mark.parametrize(
    ("easting", "northing", "inside"),
    [(310050, 168050, True), (310150, 168050, False), (310100, 168100, False)],
)
def test_point_in_polygon_with_a_hand_drawn_square(easting, northing, inside):
    square = "SRID=27700;POLYGON((310000 168000, 310100 168000, 310100 168100, 310000 168100, 310000 168000))"
    contained = scalar(
        "SELECT ST_Contains(ST_GeomFromEWKT(%s), ST_SetSRID(ST_MakePoint(%s, %s), 27700))",
        [square, easting, northing],
    )
    assert contained is inside  # a point on the boundary is not contained


def test_postgis_extension_version_is_reported():
    assert scalar("SELECT extversion FROM pg_extension WHERE extname = 'postgis'").startswith("3.")
