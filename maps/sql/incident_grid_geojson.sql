-- Incidents counted per grid cell, as a GeoJSON FeatureCollection of cell squares (maps.queries).
-- <incidents>: the caller's scoped, filtered incidents (id, location), bound parameters first;
-- then the cell size in metres and the most cells to return. Cells are numbered and bounded as
-- in uncovered_incident_cells.sql (British National Grid squares from its origin, ST_SquareGrid's
-- (i, j)), so the heat layer and the hotspots agree. Over the cap the first column says how
-- many cells there are and no collection is built.
WITH incidents AS NOT MATERIALIZED ({incidents}),
settings AS (SELECT %s::float8 AS cell_m, %s::int AS max_cells),
cells AS MATERIALIZED (
    SELECT floor(ST_X(i.location) / s.cell_m)::bigint AS i,
           floor(ST_Y(i.location) / s.cell_m)::bigint AS j,
           count(*) AS incidents
    FROM incidents i
    CROSS JOIN settings s
    GROUP BY 1, 2
)
SELECT (SELECT count(*) FROM cells) AS cells,
       CASE WHEN (SELECT count(*) FROM cells) > (SELECT max_cells FROM settings) THEN NULL ELSE json_build_object(
           'type', 'FeatureCollection',
           'cell_m', (SELECT cell_m FROM settings),
           'features', coalesce((
               SELECT json_agg(json_build_object(
                   'type', 'Feature',
                   'geometry', ST_AsGeoJSON(ST_Transform(ST_MakeEnvelope(
                       c.i * s.cell_m, c.j * s.cell_m, (c.i + 1) * s.cell_m, (c.j + 1) * s.cell_m, 27700),
                       4326), 6)::json,
                   'properties', json_build_object('i', c.i, 'j', c.j, 'incidents', c.incidents)
               ) ORDER BY c.i, c.j)
               FROM cells c CROSS JOIN settings s
           ), '[]'::json)
       )::text END AS collection
