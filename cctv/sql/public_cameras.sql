-- The cameras the public may see (cctv.open_data): those of a published scheme, in service (every status but
-- planned and decommissioned). The first columns are the allow-list, cctv.open_data.PUBLIC_CAMERA_FIELDS,
-- written in by the code from its constants, never from input; the others are for building the outputs
-- (location, the field of view where published, the scheme's licence) and are never copied into them whole.
-- ST_Transform is only in the SELECT list, never on an indexed column in a filter.
SELECT {columns},
       ST_X(w.location) AS longitude,
       ST_Y(w.location) AS latitude,
       w.location AS location_wgs84,
       CASE WHEN c.publish_field_of_view THEN ST_Transform(c.view_polygon, 4326) END AS view_wgs84,
       s.open_data_licence AS licence
FROM cctv_camera AS c
JOIN cctv_scheme AS s ON s.owner_id = c.owner_id AND s.published
JOIN accounts_organisation AS o ON o.id = c.owner_id
CROSS JOIN LATERAL (SELECT ST_Transform(c.location, 4326) AS location) AS w
-- The azimuth of grid north at the camera turns the stored grid bearing into a compass bearing (about -1
-- degree in the Vale), as cctv.exports does for the staff OSM export.
CROSS JOIN LATERAL (
    SELECT degrees(ST_Azimuth(w.location::geography,
                              ST_Transform(ST_Translate(c.location, 0, 100), 4326)::geography)) AS grid_north_deg
) AS g
WHERE c.status = ANY(%(statuses)s)
