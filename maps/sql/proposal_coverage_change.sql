-- Incidents a proposal would gain and lose, per category (maps.proposal_figures).
-- <cameras>: the owner's counted cameras (id, view_polygon), bound parameters first;
-- <incidents>: the scoped, filtered incidents (id, category, location), parameters next;
-- then the proposal's items as two parallel arrays: each item's view polygon (hex EWKB,
-- EPSG:27700) and the camera it moves (NULL for a new camera).
--
-- "After" is the estate without the old view of every moved camera, plus every item's view.
-- Only an incident inside a changed view (an item's view, or a moved camera's old one) can
-- change from covered to not or back, so only those are judged: a handful of probes of the
-- incidents' GiST index (location), then for each candidate an EXISTS against the cameras'
-- GiST index (view_polygon). The totals and "covered before" come from
-- coverage_counts_by_category.sql, the query the coverage page uses; after = before + gained - lost.
WITH cameras AS NOT MATERIALIZED ({cameras}),
incidents AS NOT MATERIALIZED ({incidents}),
items AS MATERIALIZED (
    SELECT t.view_hex::geometry AS view_polygon, t.camera_id
    FROM unnest(%s::text[], %s::bigint[]) AS t(view_hex, camera_id)
),
moved AS MATERIALIZED (SELECT camera_id FROM items WHERE camera_id IS NOT NULL),
changed_views AS MATERIALIZED (
    SELECT view_polygon FROM items
    UNION ALL
    SELECT c.view_polygon FROM cameras c WHERE c.id IN (SELECT camera_id FROM moved)
),
candidates AS MATERIALIZED (
    SELECT DISTINCT i.id, i.category, i.location
    FROM changed_views v
    JOIN incidents i ON ST_Intersects(v.view_polygon, i.location)
),
judged AS (
    SELECT k.category,
           EXISTS (SELECT 1 FROM cameras c WHERE ST_Intersects(c.view_polygon, k.location)) AS covered_before,
           EXISTS (SELECT 1 FROM cameras c WHERE ST_Intersects(c.view_polygon, k.location)
                   AND c.id NOT IN (SELECT camera_id FROM moved))
           OR EXISTS (SELECT 1 FROM items m WHERE ST_Intersects(m.view_polygon, k.location)) AS covered_after
    FROM candidates k
)
SELECT category,
       count(*) FILTER (WHERE covered_after AND NOT covered_before) AS gained,
       count(*) FILTER (WHERE covered_before AND NOT covered_after) AS lost
FROM judged
GROUP BY category
ORDER BY category
