-- The public cameras as one FeatureCollection, assembled by PostGIS (cctv.open_data.public_cameras_geojson).
-- The inner query is sql/public_cameras.sql; the properties selected are the allow-list's columns, so
-- ST_AsGeoJSON(row) turns exactly those into each feature's properties and nothing else. The geometry is the
-- location point or the field-of-view polygon (NULL unless the council publishes it, so those cameras drop out
-- of the view layer). The licence travels in the document: "licence" (the wording), "attribution" (per scheme).
SELECT json_build_object(
    'type', 'FeatureCollection',
    'licence', (SELECT string_agg(DISTINCT s.open_data_licence, E'\n') FROM cctv_scheme AS s WHERE s.published),
    'attribution', (
        SELECT coalesce(json_agg(json_build_object(
            'scheme', s.name, 'operator', o.name, 'licence', s.open_data_licence
        ) ORDER BY s.name, s.id), '[]'::json)
        FROM cctv_scheme AS s
        JOIN accounts_organisation AS o ON o.id = s.owner_id
        WHERE s.published
    ),
    'features', coalesce(json_agg(ST_AsGeoJSON(f.*, 'geom', 6)::json ORDER BY f.operator, f.asset_ref), '[]'::json)
)::text
FROM (
    SELECT {properties}, p.{geometry} AS geom
    FROM ({public_cameras}) AS p
    WHERE p.{geometry} IS NOT NULL
) AS f
