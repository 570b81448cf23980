-- Incidents as a GeoJSON FeatureCollection for the map, assembled by PostGIS (maps.queries).
-- <incidents>: the caller's scoped, filtered incidents, bound parameters first; then the cap
-- plus one, then the cap. At most cap + 1 rows are read: over the cap, the first column says
-- so and no collection is built (the map should ask for vector tiles instead).
WITH capped AS MATERIALIZED (SELECT * FROM ({incidents}) AS i LIMIT %s),
settings AS (SELECT %s::int AS max_features)
SELECT (SELECT count(*) FROM capped) AS features,
       CASE WHEN (SELECT count(*) FROM capped) > (SELECT max_features FROM settings) THEN NULL ELSE (
           SELECT json_build_object(
               'type', 'FeatureCollection',
               'features', coalesce(json_agg(json_build_object(
                   'type', 'Feature',
                   'id', c.id,
                   'geometry', ST_AsGeoJSON(ST_Transform(c.location, 4326), 6)::json,
                   'properties', json_build_object(
                       'category', c.category,
                       'month', to_char(c.month, 'YYYY-MM'),
                       'source', c.source,
                       'crime_ref', c.crime_ref,
                       'location_text', c.location_text,
                       'outcome', c.outcome,
                       'lsoa_name', c.lsoa_name,
                       'falls_within', c.falls_within
                   )
               ) ORDER BY c.month, c.id), '[]'::json)
           )::text
           FROM capped c
       ) END AS collection
