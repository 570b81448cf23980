"""Field-of-view sectors: drawn on paper first, then checked in shapely and in PostGIS.

The test camera stands at E 312000 N 167500 looking due east (bearing 90°), 60° wide, 100 m.
So its cone spans bearings 60°..120° out to 100 m:
  * 50 m due east (312050, 167500)              inside
  * 99 m due east (312099, 167500)              inside
  * 101 m due east                             outside (beyond range)
  * 50 m at bearing 65°  (inside the 60° edge)   inside
  * 50 m at bearing 55°  (outside the edge)     outside
  * 50 m due west / due north                  outside
"""

import math

import pytest
from django.contrib.gis.geos import Point
from django.db import connection

from accounts.exceptions import InvalidInput
from cctv.geometry import field_of_view, point_from_input

CENTRE = Point(312000, 167500, srid=27700)


def at(bearing_deg: float, distance_m: float) -> Point:
    theta = math.radians(bearing_deg)
    return Point(CENTRE.x + distance_m * math.sin(theta), CENTRE.y + distance_m * math.cos(theta), srid=27700)


@pytest.mark.parametrize(
    ("point", "inside"),
    [
        (at(90, 50), True), (at(90, 99), True), (at(90, 101), False), (at(65, 50), True), (at(115, 50), True),
        (at(55, 50), False), (at(125, 50), False), (at(270, 50), False), (at(0, 50), False),
    ],
)
def test_fixed_camera_cone_contains_and_excludes_known_points(point, inside):
    cone = field_of_view(CENTRE, bearing_deg=90, angle_deg=60, range_m=100)
    assert cone.valid
    assert cone.contains(point) is inside


def test_cone_area_matches_the_sector_formula():
    cone = field_of_view(CENTRE, bearing_deg=90, angle_deg=60, range_m=100)
    sector = math.pi * 100**2 * 60 / 360  # 5235.99 m²
    assert cone.area == pytest.approx(sector, rel=0.002)


def test_cone_across_north_wraps_correctly():
    cone = field_of_view(CENTRE, bearing_deg=350, angle_deg=40, range_m=100)
    assert cone.contains(at(5, 50)) and cone.contains(at(335, 50))
    assert not cone.contains(at(20, 50))


def test_ptz_camera_covers_the_full_circle_of_its_range():
    disc = field_of_view(CENTRE, bearing_deg=None, angle_deg=None, range_m=80, full_circle=True)
    for bearing in (0, 90, 180, 270):
        assert disc.contains(at(bearing, 79))
        assert not disc.contains(at(bearing, 81))
    assert disc.area == pytest.approx(math.pi * 80**2, rel=0.002)


def test_camera_without_a_surveyed_view_covers_nothing():
    assert field_of_view(CENTRE, bearing_deg=None, angle_deg=60, range_m=100) is None
    assert field_of_view(CENTRE, bearing_deg=90, angle_deg=60, range_m=None) is None


def test_postgis_agrees_with_shapely_on_the_stored_cone(db):
    cone = field_of_view(CENTRE, bearing_deg=90, angle_deg=60, range_m=100)
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT ST_Contains(ST_GeomFromEWKB(decode(%s, 'hex')), ST_SetSRID(ST_MakePoint(%s, %s), 27700)),"
            " ST_Contains(ST_GeomFromEWKB(decode(%s, 'hex')), ST_SetSRID(ST_MakePoint(%s, %s), 27700))",
            [cone.ewkb.hex(), 312050, 167500, cone.ewkb.hex(), 311950, 167500],
        )
        assert cursor.fetchone() == (True, False)


def test_wgs84_input_is_stored_in_british_national_grid():
    # Barry Island promenade, lon/lat → about E 311,5xx N 166,5xx.
    point = point_from_input(-3.2727, 51.3915, 4326)
    assert point.srid == 27700
    assert 311000 < point.x < 312000 and 166000 < point.y < 167000


@pytest.mark.parametrize(
    ("x", "y", "srid", "message"),
    [
        (-2.2848, 53.4645, 4326, "outside the service area"),   # Trafford, Greater Manchester
        (312000, 167500, 3857, "SRID 3857 is not accepted"),
        (200.0, 51.4, 4326, "not a longitude/latitude pair"),
        (float("nan"), 51.4, 4326, "finite"),
    ],
)
def test_bad_input_points_are_refused_with_a_reason(x, y, srid, message):
    with pytest.raises(InvalidInput, match=message):
        point_from_input(x, y, srid)
