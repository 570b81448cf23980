-- Grid cells with the most incidents outside every counted camera's view (maps.queries).
-- Bound parameters in order: those of <cameras> (scoped cameras: id, view_polygon); those of
-- <incidents> (scoped, filtered incidents: id, location); the cell size in metres twice (for the
-- two counts), once more (for the cell squares); the row limit.
--
-- Cells are squares of the British National Grid (EPSG:27700) anchored at its origin, numbered
-- as ST_SquareGrid numbers them: cell (i, j) spans [i * cell_m, (i + 1) * cell_m) eastwards and
-- [j * cell_m, (j + 1) * cell_m) northwards, so a point on a cell's west or south edge belongs
-- to that cell and each incident to exactly one.
--
-- Uncovered = all incidents in the cell less the covered ones, counted separately: the covered
-- ones are found from the cameras (one GiST probe of incidents.location per view, as in
-- coverage_counts_by_category.sql) and each counted once per cell (DISTINCT), while the totals
-- are one pass over the incidents. Joining every incident to the covered set instead took twice
-- as long on a year of a million incidents (2.2 s against 1.1 s, same answer). The cell size is
-- bound as a one-row subquery rather than a shared CTE, which the planner folds to a constant.
WITH cameras AS MATERIALIZED ({cameras}),
incidents AS NOT MATERIALIZED ({incidents}),
cell_totals AS (
    SELECT floor(ST_X(i.location) / s.cell_m)::bigint AS i,
           floor(ST_Y(i.location) / s.cell_m)::bigint AS j,
           count(*) AS incidents
    FROM incidents i
    CROSS JOIN (SELECT %s::float8 AS cell_m) AS s
    GROUP BY 1, 2
),
cell_covered AS (
    SELECT floor(ST_X(i.location) / s.cell_m)::bigint AS i,
           floor(ST_Y(i.location) / s.cell_m)::bigint AS j,
           count(DISTINCT i.id) AS covered
    FROM cameras c
    JOIN incidents i ON ST_Intersects(c.view_polygon, i.location)
    CROSS JOIN (SELECT %s::float8 AS cell_m) AS s
    GROUP BY 1, 2
)
SELECT t.i, t.j, t.incidents, t.incidents - coalesce(c.covered, 0) AS uncovered,
       ST_AsGeoJSON(ST_Transform(
           ST_MakeEnvelope(t.i * s.cell_m, t.j * s.cell_m, (t.i + 1) * s.cell_m, (t.j + 1) * s.cell_m, 27700),
           4326), 6) AS cell_geojson
FROM cell_totals t
LEFT JOIN cell_covered c ON c.i = t.i AND c.j = t.j
CROSS JOIN (SELECT %s::float8 AS cell_m) AS s
WHERE t.incidents > coalesce(c.covered, 0)
ORDER BY uncovered DESC, t.incidents DESC, t.i, t.j
LIMIT %s
