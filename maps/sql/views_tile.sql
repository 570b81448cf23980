-- The "views" layer of one vector tile: cameras' field-of-view polygons (maps.queries).
-- <cameras>: the caller's permission-scoped cameras (bound parameters first), then z, x, y
-- (<bounds>: _tile_bounds.sql). The filter uses the GiST index on view_polygon; cameras with no
-- view (not surveyed) have none to draw. Feature id: the camera's id.
WITH cameras AS NOT MATERIALIZED ({cameras}),
{bounds}
SELECT coalesce(ST_AsMVT(t, 'views', 4096, 'geom', 'id'), ''::bytea)
FROM (
    SELECT c.id, c.asset_ref, c.status, c.kind,
           ST_AsMVTGeom(ST_Transform(c.view_polygon, 3857), b.envelope, 4096, 64, true) AS geom
    FROM cameras c
    CROSS JOIN bounds b
    WHERE c.view_polygon && (SELECT box FROM bounds)
) AS t
WHERE t.geom IS NOT NULL
