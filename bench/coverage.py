"""Benchmark (issue 6): coverage analysis and vector tiles against the same raw SQL, in one run.

Data: 1,000,000 incidents over the twelve months of 2024 and 5,000 cameras in 50 groups (the
Vale's eight towns and 42 more places in the Vale's box), built with generate_series in the
bench database. 70% of incidents fall near a camera group (normal spread, sigma 400 m), the
rest anywhere in the box; categories are weighted like the police open data. 80% of cameras
are operational or degraded (they count for coverage); the rest are faulty or offline; every
tenth is a PTZ (a disc). Deterministic (setseed), so runs are comparable.

Prints, median of --repeat runs after one warm-up, the sides of each comparison interleaved:
  * coverage_share for the year through the service function (maps.coverage), through the API
    with Django's test client (session, middleware, ninja), and the same statement written by
    hand as raw SQL, with the ratios (aim: within 1.2x); then, once each for reference, the raw
    SQL with PostgreSQL's default jit=on, and the EXISTS-per-incident form the SQL avoids;
  * coverage_by_camera and uncovered_hotspots through the service, for scale;
  * the vector tiles over Barry at z14 (lon -3.27, lat 51.40 is x 8043, y 5455, see tile_of) and
    z13, incidents and cameras, through /tiles (session, permission scope, ETag) against the
    same ST_AsMVT SQL by hand, and whether the bytes are identical.

Run: .venv/bin/python bench/coverage.py [--incidents 1000000] [--cameras 5000] [--repeat 5]
(BENCH_DATABASE_URL picks the database; the default is vale_bench on DATABASE_URL's server. The
first run builds the data, about 20 s; later runs reuse it.)
"""

import argparse
import datetime as dt
import math
import statistics
import time

from _setup import django_setup, synthetic_cameras_sql, timed

ORG_NAME = "Coverage Bench Council"
BENCH_MARK = "coverage bench"  # falls_within of the generated incidents, so a rebuild finds them
YEAR_FROM, YEAR_TO = dt.date(2024, 1, 1), dt.date(2024, 12, 1)
GROUPS = 50
TOWNS = [  # (easting, northing) of the Vale's towns, the first eight camera groups
    (311500, 167500), (318500, 171500), (299500, 174500), (296800, 168600),
    (315000, 171700), (306500, 166300), (301500, 168000), (315500, 168500),
]
CATEGORIES = (
    ["Violence and sexual offences"] * 4 + ["Anti-social behaviour"] * 4 + ["Criminal damage and arson"] * 2
    + ["Public order"] * 2 + ["Shoplifting"] * 2
    + ["Other theft", "Vehicle crime", "Burglary", "Drugs", "Other crime", "Bicycle theft",
       "Theft from the person", "Possession of weapons", "Robbery"]
)

# The same question as maps.coverage.coverage_share, written by hand against the tables: the
# operational and degraded cameras (with a view) of one council; the incidents of the year that
# the council may see (police open data, and local records of the council and those sharing with
# it); each covered incident counted once. The same statement as maps/sql/coverage_counts_by_category.sql,
# so the ratio is what Django, the permission scope and the service add.
RAW_COVERAGE_SQL = """
WITH cameras AS MATERIALIZED (
    SELECT id, view_polygon FROM cctv_camera
    WHERE owner_id IN (SELECT %(owner)s UNION SELECT from_organisation_id FROM accounts_organisation_shares_with
                       WHERE to_organisation_id = %(owner)s)
      AND status IN ('operational', 'degraded') AND view_polygon IS NOT NULL
),
incidents AS NOT MATERIALIZED (
    SELECT id, category, location FROM maps_incident
    WHERE month BETWEEN %(month_from)s AND %(month_to)s
      AND (owner_id IS NULL OR owner_id IN (
          SELECT %(owner)s UNION SELECT from_organisation_id FROM accounts_organisation_shares_with
          WHERE to_organisation_id = %(owner)s))
),
covered AS (
    SELECT DISTINCT i.id, i.category FROM cameras c JOIN incidents i ON ST_Intersects(c.view_polygon, i.location)
),
totals AS (SELECT category, count(*) AS total FROM incidents GROUP BY category),
covered_totals AS (SELECT category, count(*) AS covered FROM covered GROUP BY category)
SELECT t.category, t.total, coalesce(ct.covered, 0) AS covered
FROM totals t LEFT JOIN covered_totals ct ON ct.category = t.category
ORDER BY t.category
"""

def medians(*functions, repeat: int) -> tuple[list[float], list[object]]:
    """Median seconds of each function, run in turn (rotating who goes first) after one warm-up each.

    Interleaving keeps a busy machine's slow spells from landing on one side of a comparison.
    """
    results = [function() for function in functions]
    samples: list[list[float]] = [[] for _ in functions]
    for run in range(repeat):
        order = list(range(len(functions)))
        order = order[run % len(order):] + order[:run % len(order)]
        for index in order:
            start = time.perf_counter()
            results[index] = functions[index]()
            samples[index].append(time.perf_counter() - start)
    return [statistics.median(s) for s in samples], results


def tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    """The slippy-map tile (x, y) holding a WGS84 point at zoom z (spherical Mercator)."""
    n = 2 ** z
    x = math.floor((lon + 180.0) / 360.0 * n)
    y = math.floor((1.0 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2.0 * n)
    return x, y


def build(*, incidents: int, cameras: int) -> tuple:
    """Bulk-load cameras and incidents with SQL (generate_series): a minute, not hours."""
    from django.db import connection

    from accounts.choices import OrganisationKind, Role
    from accounts.models import Organisation, User

    council, _ = Organisation.objects.get_or_create(name=ORG_NAME, defaults={"kind": OrganisationKind.COUNCIL})
    user, _ = User.objects.get_or_create(username="coverage-bench-manager",
                                         defaults={"role": Role.CCTV_MANAGER, "organisation": council})
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cctv_camera WHERE owner_id = %s", [council.pk])
        have_cameras = cursor.fetchone()[0]
        cursor.execute("SELECT count(*) FROM maps_incident WHERE falls_within = %s", [BENCH_MARK])
        have_incidents = cursor.fetchone()[0]
        if (have_cameras, have_incidents) == (cameras, incidents):
            return council, user
        print(f"building: {cameras:,} cameras in {GROUPS} groups, {incidents:,} incidents ...", flush=True)
        cursor.execute("SELECT setseed(0.4242)")
        cursor.execute("DROP TABLE IF EXISTS bench_camera_group")
        # Group centres: the towns, then places spread over the Vale's box by two co-prime strides.
        cursor.execute("""
            CREATE TEMP TABLE bench_camera_group AS
            SELECT g, CASE WHEN g <= %(towns)s THEN (%(town_e)s::float8[])[g]
                           ELSE 290000 + (g * 7919) %% 35000 END AS e,
                      CASE WHEN g <= %(towns)s THEN (%(town_n)s::float8[])[g]
                           ELSE 163000 + (g * 104729) %% 17000 END AS n
            FROM generate_series(1, %(groups)s) g
        """, {"towns": len(TOWNS), "town_e": [t[0] for t in TOWNS], "town_n": [t[1] for t in TOWNS],
              "groups": GROUPS})
        cursor.execute("ALTER TABLE cctv_camera DISABLE TRIGGER USER")  # history triggers: not what we measure
        cursor.execute("DELETE FROM cctv_camerastatuschange WHERE camera_id IN "
                       "(SELECT id FROM cctv_camera WHERE owner_id = %s)", [council.pk])
        cursor.execute("DELETE FROM cctv_camera WHERE owner_id = %s", [council.pk])
        cursor.execute(synthetic_cameras_sql(ref_prefix="CB", name_prefix="Coverage bench camera",
                                             groups="bench_camera_group"),
                       {"owner": council.pk, "cameras": cameras, "groups": GROUPS})
        cursor.execute("ALTER TABLE cctv_camera ENABLE TRIGGER USER")
        cursor.execute("DELETE FROM maps_incident WHERE falls_within = %s", [BENCH_MARK])
        # Incidents: 70% near a group (Box-Muller normal offsets, sigma 400 m), 30% anywhere in
        # the box; twelve months; categories drawn from the weighted list. Ordered by month, as
        # monthly imports would lay them down.
        cursor.execute("""
            INSERT INTO maps_incident (source, crime_ref, month, reported_by, falls_within, location, location_text,
                lsoa_code, lsoa_name, category, outcome, context, description)
            SELECT 'generated', '', r.month, 'South Wales Police', %(mark)s,
                   ST_SetSRID(ST_MakePoint(r.e, r.n), 27700), 'On or near Bench Street', '', '',
                   (%(categories)s::text[])[1 + floor(r.u_cat * %(n_categories)s)::int], '', '', ''
            FROM (
                SELECT make_date(2024, 1 + floor(random() * 12)::int, 1) AS month, random() AS u_cat,
                       CASE WHEN z.near THEN g.e + 400 * z.r * cos(z.t) ELSE 288000 + random() * 39000 END AS e,
                       CASE WHEN z.near THEN g.n + 400 * z.r * sin(z.t) ELSE 162000 + random() * 20000 END AS n
                FROM (
                    SELECT k, random() < 0.7 AS near, 1 + floor(random() * %(groups)s)::int AS g,
                           sqrt(-2 * ln(1 - random())) AS r, 2 * pi() * random() AS t
                    FROM generate_series(1, %(incidents)s) k
                ) z JOIN bench_camera_group g ON g.g = z.g
            ) r
            ORDER BY r.month
        """, {"mark": BENCH_MARK, "categories": CATEGORIES, "n_categories": len(CATEGORIES), "groups": GROUPS,
              "incidents": incidents})
        cursor.execute("ANALYZE cctv_camera; ANALYZE maps_incident")
    return council, user


def _mount_maps_urls() -> None:
    """Route /api/maps/ and /tiles/ here if config does not mount them yet (as tests/maps does)."""
    import types

    from django.conf import settings
    from django.urls import Resolver404, clear_url_caches, include, path, resolve

    try:
        resolve("/api/maps/coverage")
        resolve("/tiles/cameras/0/0/0.mvt")
        return
    except Resolver404:
        pass
    from ninja import NinjaAPI

    from accounts.auth import API_AUTH
    from config import urls as site_urls
    from config.api import api as site_api
    from maps.api_layers import router

    bench_api = NinjaAPI(auth=API_AUTH, urls_namespace="maps-bench-api", docs_url=None, openapi_url=None)
    bench_api._exception_handlers.update(site_api._exception_handlers)
    bench_api.add_router("/", router)
    urlconf = types.ModuleType("maps_bench_urls")
    urlconf.urlpatterns = [*site_urls.urlpatterns, path("api/maps/", bench_api.urls),
                           path("", include("maps.urls_tiles"))]
    settings.ROOT_URLCONF = urlconf
    clear_url_caches()


def _raw_tile_sql(layer: str) -> str:
    """The tile SQL written out by hand: the same bounds as maps/sql/_tile_bounds.sql, one owner."""
    bounds = """
        WITH a AS (SELECT %(z)s::int AS z, %(x)s::int AS x, %(y)s::int AS y),
        b AS (SELECT ST_TileEnvelope(a.z, a.x, a.y) AS env,
                     ST_Transform(ST_Segmentize(ST_Intersection(ST_TileEnvelope(a.z, a.x, a.y, margin => 64.0 / 4096),
                         ST_Transform(ST_MakeEnvelope(-9.0, 49.75, 2.0, 61.0, 4326), 3857)),
                         2 * 20037508.342789244 / 2 ^ a.z / 16), 27700) AS box FROM a)
    """
    if layer == "incidents":
        return bounds + """
            SELECT coalesce(ST_AsMVT(t, 'incidents', 4096, 'geom', 'id'), ''::bytea) FROM (
                SELECT i.id, i.category, to_char(i.month, 'YYYY-MM') AS month, i.source, i.location_text, i.outcome,
                       ST_AsMVTGeom(ST_Transform(i.location, 3857), b.env, 4096, 64, true) AS geom
                FROM maps_incident i CROSS JOIN b
                WHERE i.location && (SELECT box FROM b)
                  AND (i.owner_id IS NULL OR i.owner_id IN (SELECT %(owner)s UNION SELECT from_organisation_id
                       FROM accounts_organisation_shares_with WHERE to_organisation_id = %(owner)s))
            ) t WHERE t.geom IS NOT NULL
        """
    return bounds + """
        SELECT coalesce(ST_AsMVT(t, 'cameras', 4096, 'geom', 'id'), ''::bytea) FROM (
            SELECT c.id, c.asset_ref, c.name, c.status, c.kind, c.bearing_deg, c.view_angle_deg, c.view_range_m,
                   ST_AsMVTGeom(ST_Transform(c.location, 3857), b.env, 4096, 64, true) AS geom
            FROM cctv_camera c CROSS JOIN b
            WHERE c.location && (SELECT box FROM b) AND c.owner_id = %(owner)s
        ) t WHERE t.geom IS NOT NULL
    """


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--incidents", type=int, default=1_000_000)
    parser.add_argument("--cameras", type=int, default=5_000)
    parser.add_argument("--repeat", type=int, default=5)
    parser.add_argument("--skip-exists", action="store_true",
                        help="skip the one timing of the EXISTS-per-incident form the SQL does not use")
    args = parser.parse_args()
    django_setup()
    from django.db import connection, transaction
    from django.test import Client

    from maps.coverage import coverage_by_camera, coverage_share, uncovered_hotspots

    council, user = build(incidents=args.incidents, cameras=args.cameras)
    _mount_maps_urls()
    client = Client()
    client.force_login(user)
    period = {"month_from": YEAR_FROM, "month_to": YEAR_TO}
    print(f"{args.incidents:,} incidents, {args.cameras:,} cameras; median of {args.repeat} after one warm-up "
          "each, the sides interleaved; jit off for both sides (as maps.queries runs)")

    def through_function():
        return coverage_share(user, **period)

    def through_api() -> dict:
        response = client.get("/api/maps/coverage", {"month_from": "2024-01", "month_to": "2024-12"})
        assert response.status_code == 200, response.content
        return response.json()

    def raw_sql(jit: str = "off") -> list[tuple]:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(f"SET LOCAL jit = {jit}")  # as maps.queries runs it (off), or the server's default
            cursor.execute(RAW_COVERAGE_SQL, {"owner": council.pk, "month_from": YEAR_FROM, "month_to": YEAR_TO})
            return cursor.fetchall()

    (raw_s, function_s, api_s), (rows, result, body) = medians(raw_sql, through_function, through_api,
                                                               repeat=args.repeat)
    same = ((result.incidents, result.covered) == (sum(r[1] for r in rows), sum(r[2] for r in rows))
            == (body["incidents"], body["covered"])
            and [(c.category, c.incidents, c.covered) for c in result.by_category] == rows)
    print(f"coverage_share, 2024: {result.incidents:,} incidents, {result.covered:,} in view of "
          f"{result.cameras_counted:,} cameras ({result.share_pct}%), {len(result.by_category)} categories")
    print(f"  raw SQL (baseline)        {raw_s:7.3f} s")
    print(f"  service function          {function_s:7.3f} s   ratio {function_s / raw_s:5.2f}x   (aim: within 1.2x)")
    print(f"  API (Django test client)  {api_s:7.3f} s   ratio {api_s / raw_s:5.2f}x   same answer: {same}")
    jit_s, _ = timed(lambda: raw_sql(jit="on"), repeat=1, warmup=0)
    print(f"  for reference, the raw SQL with jit on (the server default): {jit_s:.3f} s, once")
    if not args.skip_exists:
        exists_s, _ = timed(lambda: _exists_form(connection, council.pk), repeat=1, warmup=0)
        print(f"  for reference, EXISTS per incident (not used): {exists_s:.3f} s, once")

    seconds, cameras = timed(lambda: coverage_by_camera(user, **period), repeat=args.repeat)
    print(f"coverage_by_camera, 2024: {len(cameras):,} cameras, top {cameras[0].asset_ref} with "
          f"{cameras[0].incidents_in_view:,} in view: {seconds:.3f} s")
    seconds, spots = timed(lambda: uncovered_hotspots(user, **period), repeat=args.repeat)
    print(f"uncovered_hotspots, 2024, 250 m cells: top cell ({spots[0].i}, {spots[0].j}) with "
          f"{spots[0].uncovered:,} uncovered: {seconds:.3f} s")
    tiles(client, council, repeat=args.repeat)


def _exists_form(connection, owner_id: int) -> list[tuple]:
    from django.db import transaction

    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL jit = off")
        cursor.execute("""
            SELECT i.category, count(*), count(*) FILTER (WHERE EXISTS (
                SELECT 1 FROM cctv_camera c WHERE c.owner_id = %(owner)s AND c.status IN ('operational', 'degraded')
                AND ST_Intersects(c.view_polygon, i.location)))
            FROM maps_incident i WHERE i.month BETWEEN %(month_from)s AND %(month_to)s GROUP BY ROLLUP (i.category)
        """, {"owner": owner_id, "month_from": YEAR_FROM, "month_to": YEAR_TO})
        return cursor.fetchall()


def tiles(client, council, *, repeat: int) -> None:
    import mapbox_vector_tile
    from django.db import connection, transaction

    for z in (14, 13):
        x, y = tile_of(-3.27, 51.40, z)
        for layer in ("incidents", "cameras"):
            def through_view(layer=layer, z=z, x=x, y=y) -> bytes:
                response = client.get(f"/tiles/{layer}/{z}/{x}/{y}.mvt")
                assert response.status_code == 200, response.content
                return response.content

            def raw(layer=layer, z=z, x=x, y=y) -> bytes:
                with transaction.atomic(), connection.cursor() as cursor:
                    cursor.execute("SET LOCAL jit = off")
                    cursor.execute(_raw_tile_sql(layer), {"z": z, "x": x, "y": y, "owner": council.pk})
                    return bytes(cursor.fetchone()[0])

            (view_s, raw_s), (body, raw_body) = medians(through_view, raw, repeat=repeat)
            features = len(mapbox_vector_tile.decode(body)[layer]["features"]) if body else 0
            print(f"tile {layer} z{z}/{x}/{y} over Barry: {features:,} features, {len(body) / 1024:,.0f} KiB; "
                  f"/tiles {view_s * 1000:7.1f} ms, raw SQL {raw_s * 1000:7.1f} ms, ratio {view_s / raw_s:4.2f}x, "
                  f"identical bytes: {body == raw_body}")


if __name__ == "__main__":
    main()
