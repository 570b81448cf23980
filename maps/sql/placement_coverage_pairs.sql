-- Coverage pairs for the maximal covering problem (maps.placement), already grouped: one row per
-- set of configurations and category, with how many uncovered incidents are inside exactly those
-- configurations' views. Incidents seen by the same configurations are interchangeable in the
-- problem, so the solver gets one variable per group instead of one per incident.
-- <cameras>: the caller's counted cameras (id, view_polygon), bound parameters first;
-- <incidents>: the caller's scoped, filtered incidents (id, category, location), parameters next.
-- Reads the temporary table placement_configuration (placement_configurations_load.sql).
--
-- Demand is the incidents no counted camera already sees: the covered ones are found from the
-- cameras (one probe of the incidents' GiST index per view, as coverage_counts_by_category.sql
-- does) and removed with a hash anti-join. The pairs are one spatial join between the
-- configurations and the incidents, on whichever GiST index the planner prefers (the
-- configurations' own, or the incidents' location): never a loop over incidents x polygons.
WITH cameras AS MATERIALIZED ({cameras}),
incidents AS NOT MATERIALIZED ({incidents}),
covered AS MATERIALIZED (
    SELECT DISTINCT i.id
    FROM cameras c
    JOIN incidents i ON ST_Intersects(c.view_polygon, i.location)
),
pairs AS (
    SELECT i.id, i.category, array_agg(p.config_index ORDER BY p.config_index) AS configs
    FROM placement_configuration p
    JOIN incidents i ON ST_Intersects(p.view_polygon, i.location)
    WHERE NOT EXISTS (SELECT 1 FROM covered cv WHERE cv.id = i.id)
    GROUP BY i.id, i.category
)
SELECT configs, category, count(*) AS incidents
FROM pairs
GROUP BY configs, category
ORDER BY configs, category
