-- Nodes as a GeoJSON FeatureCollection for the map, assembled by PostGIS (cctv.queries.nodes_geojson).
-- The inner query is the caller's filtered, permission-scoped node query (its own bound parameters,
-- no values interpolated). Stored in 27700, sent as WGS84.
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', coalesce(json_agg(json_build_object(
        'type', 'Feature',
        'id', n.id,
        'geometry', ST_AsGeoJSON(ST_Transform(n.location, 4326), 7)::json,
        'properties', json_build_object(
            'name', n.name,
            'kind', n.kind,
            'status', n.status,
            'owner_id', n.owner_id,
            'url', '/api/network/nodes/' || n.id
        )
    ) ORDER BY n.name, n.id), '[]'::json)
)::text
FROM ({scoped}) AS n
