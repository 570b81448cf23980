-- The "cameras" layer of one vector tile: camera locations with their status, for colouring
-- (maps.queries). <cameras>: the caller's permission-scoped cameras (bound parameters first),
-- then z, x, y (<bounds>: _tile_bounds.sql). Feature id: the camera's id.
WITH cameras AS NOT MATERIALIZED ({cameras}),
{bounds}
SELECT coalesce(ST_AsMVT(t, 'cameras', 4096, 'geom', 'id'), ''::bytea)
FROM (
    SELECT c.id, c.asset_ref, c.name, c.status, c.kind, c.bearing_deg, c.view_angle_deg, c.view_range_m,
           ST_AsMVTGeom(ST_Transform(c.location, 3857), b.envelope, 4096, 64, true) AS geom
    FROM cameras c
    CROSS JOIN bounds b
    WHERE c.location && (SELECT box FROM bounds)
) AS t
WHERE t.geom IS NOT NULL
