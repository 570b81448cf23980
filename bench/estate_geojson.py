"""Benchmark (issue 4): the cameras GeoJSON endpoint against raw SQL, and the impact of a trunk cut.

Estate: 50,000 cameras and 10,000 links (2,001 nodes: one monitoring centre, 200 hubs on a
ring, 1,800 cabinets with two uplinks each... see build()). Prints, in one run:
  * GET /api/cameras/geojson through Django (middleware, session auth, permission scope,
    ninja) vs the hand-written SQL that builds the same FeatureCollection in PostGIS;
  * the impact query for a trunk link (cameras that lose every path) over the same estate.

Run: .venv/bin/python bench/estate_geojson.py [--cameras 50000] [--links 10000] [--repeat 5]
"""

import argparse
import hashlib
import json

from _setup import django_setup, timed

RAW_SQL = """
SELECT json_build_object('type', 'FeatureCollection', 'features', coalesce(json_agg(json_build_object(
    'type', 'Feature', 'id', c.id,
    'geometry', ST_AsGeoJSON(ST_Transform(c.location, 4326), 6)::json,
    'properties', json_build_object('asset_ref', c.asset_ref, 'name', c.name, 'status', c.status,
        'kind', c.kind, 'town', c.town, 'bearing_deg', c.bearing_deg, 'view_angle_deg', c.view_angle_deg,
        'view_range_m', c.view_range_m, 'url', '/cameras/' || c.id || '/')
) ORDER BY c.asset_ref), '[]'::json))::text
FROM cctv_camera c WHERE c.owner_id = %s AND c.location IS NOT NULL
"""


def build(*, cameras: int, links: int) -> tuple:
    """Bulk-load a synthetic estate with SQL (generate_series): seconds, not minutes."""
    from django.db import connection

    from accounts.choices import OrganisationKind, Role
    from accounts.models import Organisation, User

    council, _ = Organisation.objects.get_or_create(name="Bench Council", defaults={"kind": OrganisationKind.COUNCIL})
    user, _ = User.objects.get_or_create(username="bench-manager",
                                         defaults={"role": Role.CCTV_MANAGER, "organisation": council})
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM cctv_camera WHERE owner_id = %s", [council.pk])
        if cursor.fetchone()[0] == cameras:
            return council, user
        print(f"building the estate: {cameras:,} cameras, {links:,} links ...", flush=True)
        cursor.execute("ALTER TABLE cctv_camera DISABLE TRIGGER USER")  # history triggers: not what we measure
        cursor.execute("ALTER TABLE cctv_link DISABLE TRIGGER USER")
        cursor.execute("ALTER TABLE cctv_node DISABLE TRIGGER USER")
        cursor.execute("DELETE FROM cctv_camerapath; DELETE FROM cctv_camera WHERE owner_id = %s", [council.pk])
        cursor.execute("DELETE FROM cctv_link WHERE owner_id = %s; DELETE FROM cctv_node WHERE owner_id = %s",
                       [council.pk, council.pk])
        hubs = 200
        cabinets = max(1, (links - hubs - 2) // 2)
        cursor.execute("""
            INSERT INTO cctv_node (owner_id, name, kind, location, status, notes)
            SELECT %(owner)s, 'Monitoring centre', 'monitoring_centre', ST_SetSRID(ST_MakePoint(318000, 176000), 27700),
                   'in_service', ''
            UNION ALL
            SELECT %(owner)s, 'Hub ' || g, 'hub',
                   ST_SetSRID(ST_MakePoint(305000 + 12000 * cos(2 * pi() * g / %(hubs)s),
                                           172000 + 9000 * sin(2 * pi() * g / %(hubs)s)), 27700), 'in_service', ''
            FROM generate_series(1, %(hubs)s) g
            UNION ALL
            SELECT %(owner)s, 'Cabinet ' || g, 'cabinet',
                   ST_SetSRID(ST_MakePoint(290000 + (g * 7919) %% 30000, 162000 + (g * 104729) %% 22000), 27700),
                   'in_service', ''
            FROM generate_series(1, %(cabinets)s) g
        """, {"owner": council.pk, "hubs": hubs, "cabinets": cabinets})
        # Links: each hub to the next (a ring) and the first hub to the centre (the trunk);
        # each cabinet to two hubs (redundant uplinks).
        cursor.execute("""
            WITH n AS (SELECT id, name, kind, location FROM cctv_node WHERE owner_id = %(owner)s),
            centre AS (SELECT id, location FROM n WHERE kind = 'monitoring_centre'),
            hub AS (SELECT id, location, row_number() OVER (ORDER BY id) AS i FROM n WHERE kind = 'hub'),
            cab AS (SELECT id, location, row_number() OVER (ORDER BY id) AS i FROM n WHERE kind = 'cabinet'),
            pairs AS (
                SELECT h1.id AS a, h2.id AS b FROM hub h1 JOIN hub h2 ON h2.i = h1.i %% %(hubs)s + 1
                UNION ALL SELECT (SELECT id FROM hub WHERE i = 1), (SELECT id FROM centre)
                UNION ALL SELECT c.id, h.id FROM cab c JOIN hub h ON h.i = c.i %% %(hubs)s + 1
                UNION ALL SELECT c.id, h.id FROM cab c JOIN hub h ON h.i = (c.i + 7) %% %(hubs)s + 1
            )
            INSERT INTO cctv_link (owner_id, kind, provider, circuit_ref, a_node_id, b_node_id, route, length_m, status)
            SELECT %(owner)s, 'fibre', 'Bench', 'B-' || row_number() OVER (),
                   p.a, p.b, ST_MakeLine(na.location, nb.location), ST_Distance(na.location, nb.location), 'in_service'
            FROM pairs p JOIN n na ON na.id = p.a JOIN n nb ON nb.id = p.b
        """, {"owner": council.pk, "hubs": hubs})
        cursor.execute("""
            WITH cab AS (SELECT id, location, row_number() OVER (ORDER BY id) AS i, count(*) OVER () AS total
                         FROM cctv_node WHERE owner_id = %(owner)s AND kind = 'cabinet')
            INSERT INTO cctv_camera (owner_id, asset_ref, name, location, mounting, kind, make, model_name, status,
                town, ward, bearing_deg, view_angle_deg, view_range_m, view_polygon, retention_days, purpose, dpia_ref,
                has_signage, privacy_masking_notes, publish_field_of_view, node_id, created_at, updated_at,
                status_changed_at)
            SELECT %(owner)s, 'B-' || lpad(g::text, 6, '0'), 'Bench camera ' || g,
                   ST_Translate(cab.location, (g %% 97) - 48, (g %% 89) - 44),
                   'column', 'fixed', 'Axis', 'Q1800', (ARRAY['operational','operational','operational','degraded',
                   'offline'])[1 + g %% 5], 'Town ' || (g %% 40), '', (g * 37) %% 360, 60, 80,
                   ST_Buffer(ST_Translate(cab.location, (g %% 97) - 48, (g %% 89) - 44), 40, 4), 31, '', '',
                   true, '', false, cab.id, now(), now(), now()
            FROM generate_series(1, %(cameras)s) g JOIN cab ON cab.i = 1 + g %% cab.total
        """, {"owner": council.pk, "cameras": cameras})
        cursor.execute("ALTER TABLE cctv_camera ENABLE TRIGGER USER")
        cursor.execute("ALTER TABLE cctv_link ENABLE TRIGGER USER")
        cursor.execute("ALTER TABLE cctv_node ENABLE TRIGGER USER")
        cursor.execute("ANALYZE cctv_camera; ANALYZE cctv_link; ANALYZE cctv_node")
    return council, user


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--cameras", type=int, default=50_000)
    parser.add_argument("--links", type=int, default=10_000)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    django_setup()
    from django.db import connection
    from django.test import Client

    council, user = build(cameras=args.cameras, links=args.links)
    client = Client()
    client.force_login(user)

    def through_service() -> bytes:
        response = client.get("/api/cameras/geojson")
        assert response.status_code == 200, response.status_code
        return response.content

    def raw_sql() -> bytes:
        with connection.cursor() as cursor:
            cursor.execute(RAW_SQL, [council.pk])
            return cursor.fetchone()[0].encode()

    service_s, service_body = timed(through_service, repeat=args.repeat)
    raw_s, raw_body = timed(raw_sql, repeat=args.repeat)
    features = len(json.loads(service_body)["features"])
    same = hashlib.sha256(service_body).hexdigest() == hashlib.sha256(raw_body).hexdigest()
    print(f"cameras GeoJSON, {features:,} features, {len(service_body) / 1e6:.1f} MB (median of {args.repeat}):")
    print(f"  through the service  {service_s * 1000:8.1f} ms")
    print(f"  raw SQL (baseline)   {raw_s * 1000:8.1f} ms")
    print(f"  ratio                {service_s / raw_s:8.2f}x   (aim: within 1.3x)   identical bytes: {same}")
    impact(council, repeat=args.repeat)


def impact(council, *, repeat: int) -> None:
    try:
        from cctv.queries import cameras_cut_off_by
    except ImportError:
        print("impact: cctv.queries.cameras_cut_off_by is not available in this build")
        return
    from cctv.models import Link, Node

    centre = Node.objects.get(owner=council, kind="monitoring_centre")
    trunk = Link.objects.filter(owner=council).filter(a_node=centre).first() or \
        Link.objects.filter(owner=council, b_node=centre).first()
    def cut_off_ids(link) -> list[int]:
        return list(cameras_cut_off_by(link=link, owner=council).values_list("id", flat=True))

    seconds, cut = timed(lambda: cut_off_ids(trunk), repeat=repeat)
    count = len(cut)
    print(f"impact of cutting the trunk link {trunk.circuit_ref}: {count:,} cameras lose every path, "
          f"{seconds * 1000:.1f} ms (median of {repeat})")
    hub = Node.objects.get(owner=council, name="Hub 100")
    ring = Link.objects.filter(owner=council, a_node=hub, b_node__kind="hub").first()
    seconds, cut = timed(lambda: cut_off_ids(ring), repeat=repeat)
    count = len(cut)
    print(f"impact of cutting ring link {ring.circuit_ref} (every cabinet has two uplinks): {count:,} cameras "
          f"lose every path, {seconds * 1000:.1f} ms (median of {repeat})")


if __name__ == "__main__":
    main()
