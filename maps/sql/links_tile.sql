-- The "links" layer of one vector tile: the network's links as lines (maps.queries).
-- <links>: the caller's permission-scoped links (bound parameters first), then z, x, y
-- (<bounds>: _tile_bounds.sql). Length in metres as stored. Feature id: the link's id.
WITH links AS NOT MATERIALIZED ({links}),
{bounds}
SELECT coalesce(ST_AsMVT(t, 'links', 4096, 'geom', 'id'), ''::bytea)
FROM (
    SELECT l.id, l.kind, l.status, l.provider, l.circuit_ref, round(l.length_m::numeric, 1)::float8 AS length_m,
           ST_AsMVTGeom(ST_Transform(l.route, 3857), b.envelope, 4096, 64, true) AS geom
    FROM links l
    CROSS JOIN bounds b
    WHERE l.route && (SELECT box FROM bounds)
) AS t
WHERE t.geom IS NOT NULL
