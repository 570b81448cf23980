-- Incidents of a period, and those inside any camera's view, per category (maps.queries).
-- <cameras>: the caller's permission-scoped cameras (id, view_polygon), bound parameters first;
-- <incidents>: the caller's scoped, filtered incidents (id, category, location), parameters next.
--
-- The join is driven from the cameras: one probe of the incidents' GiST index (location) per
-- camera view, then each covered incident is counted once (DISTINCT). The cameras are
-- materialised on purpose: the other way round (EXISTS per incident against the cameras'
-- GiST index on view_polygon) makes a million index probes for a year of incidents, and the
-- planner, misjudging the spatial join, picks it. Measured on 1,000,000 incidents and 4,000
-- camera views (bench/coverage.py), on a quiet machine: about 7 s per incident, 0.8 s per camera.
WITH cameras AS MATERIALIZED ({cameras}),
incidents AS NOT MATERIALIZED ({incidents}),
covered AS (
    SELECT DISTINCT i.id, i.category
    FROM cameras c
    JOIN incidents i ON ST_Intersects(c.view_polygon, i.location)
),
totals AS (SELECT category, count(*) AS total FROM incidents GROUP BY category),
covered_totals AS (SELECT category, count(*) AS covered FROM covered GROUP BY category)
-- The camera count comes first so that a period with no incidents still returns one row
-- (category NULL) saying how many cameras were counted.
SELECT t.category, t.total, coalesce(ct.covered, 0) AS covered, k.cameras
FROM (SELECT count(*) AS cameras FROM cameras) AS k
LEFT JOIN totals t ON true
LEFT JOIN covered_totals ct ON ct.category = t.category
ORDER BY t.category
