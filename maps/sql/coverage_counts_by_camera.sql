-- Incidents in each camera's view, and those no other counted camera sees (maps.queries).
-- <cameras>: scoped cameras (id, asset_ref, name, status, view_polygon), bound parameters first;
-- <incidents>: scoped, filtered incidents (id, location), parameters next.
-- One probe of the incidents' GiST index (location) per camera view, as in
-- coverage_counts_by_category.sql. An incident seen by two cameras counts for each of them;
-- "only here" counts it for neither. Every camera is listed, those that see nothing with 0.
WITH cameras AS MATERIALIZED ({cameras}),
incidents AS NOT MATERIALIZED ({incidents}),
pairs AS MATERIALIZED (
    SELECT c.id AS camera_id, i.id AS incident_id
    FROM cameras c
    JOIN incidents i ON ST_Intersects(c.view_polygon, i.location)
),
seen_by AS (SELECT incident_id, count(*) AS cameras FROM pairs GROUP BY incident_id)
SELECT c.id, c.asset_ref, c.name, c.status,
       count(p.incident_id) AS in_view,
       count(p.incident_id) FILTER (WHERE s.cameras = 1) AS only_in_this_view
FROM cameras c
LEFT JOIN pairs p ON p.camera_id = c.id
LEFT JOIN seen_by s ON s.incident_id = p.incident_id
GROUP BY c.id, c.asset_ref, c.name, c.status
ORDER BY in_view DESC, c.asset_ref, c.id
