-- A FeatureCollection of cameras, assembled by PostGIS (DESIGN.md 5: map payloads are built in SQL).
-- The inner query is the caller's filtered, permission-scoped camera query (bound parameters, no values
-- interpolated); the geometry is the location point or the field-of-view polygon.
SELECT json_build_object(
    'type', 'FeatureCollection',
    'features', coalesce(json_agg(json_build_object(
        'type', 'Feature',
        'id', c.id,
        'geometry', ST_AsGeoJSON(ST_Transform(c.{geometry_column}, 4326), 6)::json,
        'properties', json_build_object(
            'asset_ref', c.asset_ref,
            'name', c.name,
            'status', c.status,
            'kind', c.kind,
            'town', c.town,
            'bearing_deg', c.bearing_deg,
            'view_angle_deg', c.view_angle_deg,
            'view_range_m', c.view_range_m,
            'url', '/cameras/' || c.id || '/'
        )
    ) ORDER BY c.asset_ref), '[]'::json)
)::text
FROM ({scoped}) AS c
WHERE c.{geometry_column} IS NOT NULL
