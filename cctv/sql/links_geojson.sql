-- Links as a GeoJSON FeatureCollection for the map, assembled by PostGIS (cctv.queries.links_geojson).
-- The inner query is the caller's filtered, permission-scoped link query (its own bound parameters,
-- no values interpolated). Stored in 27700, sent as WGS84; the length is the stored one, in metres.
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', coalesce(json_agg(json_build_object(
        'type', 'Feature',
        'id', l.id,
        'geometry', ST_AsGeoJSON(ST_Transform(l.route, 4326), 7)::json,
        'properties', json_build_object(
            'kind', l.kind,
            'provider', l.provider,
            'circuit_ref', l.circuit_ref,
            'a_node_id', l.a_node_id,
            'b_node_id', l.b_node_id,
            'length_m', round(l.length_m::numeric, 1),
            'status', l.status,
            'owner_id', l.owner_id,
            'url', '/api/network/links/' || l.id
        )
    ) ORDER BY l.id), '[]'::json)
)::text
FROM ({scoped}) AS l
