-- The "incidents" layer of one vector tile (maps.queries). <incidents>: the caller's scoped
-- incidents (bound parameters first), then z, x, y (<bounds>: _tile_bounds.sql). Points, 4096
-- units a side, clipped with a 64-unit buffer; the feature id is the incident's id.
WITH incidents AS NOT MATERIALIZED ({incidents}),
{bounds}
SELECT coalesce(ST_AsMVT(t, 'incidents', 4096, 'geom', 'id'), ''::bytea)
FROM (
    SELECT i.id, i.category, to_char(i.month, 'YYYY-MM') AS month, i.source, i.location_text, i.outcome,
           ST_AsMVTGeom(ST_Transform(i.location, 3857), b.envelope, 4096, 64, true) AS geom
    FROM incidents i
    CROSS JOIN bounds b
    WHERE i.location && (SELECT box FROM bounds)
) AS t
WHERE t.geom IS NOT NULL
