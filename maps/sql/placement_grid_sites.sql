-- Candidate sites on a square grid for placement suggestions (maps.placement).
-- Bound parameters in order: those of <incidents> (the caller's scoped, filtered incidents: id,
-- location); those of <nodes> (in-service network nodes the caller may see: id, location); then
-- spacing_m, reach_m (the cameras' range), max_distance_to_network_m (NULL: anywhere), the service
-- area (min E, min N, max E, max N) and the row cap.
--
-- The grid is anchored at the British National Grid's origin (points at multiples of spacing_m)
-- and spans the incidents' extent widened by the range, cut to the service area. A point is kept
-- only if some incident lies within reach of it (a camera there could see something: one probe of
-- the incidents' GiST index per point) and, when asked, if an in-service node is within the
-- distance (the cost of fibre). The cap is one more than the caller allows, so it can refuse.
WITH incidents AS NOT MATERIALIZED ({incidents}),
nodes AS MATERIALIZED ({nodes}),
params AS (
    SELECT %s::float8 AS spacing_m, %s::float8 AS reach_m, %s::float8 AS network_m,
           %s::float8 AS area_min_e, %s::float8 AS area_min_n, %s::float8 AS area_max_e, %s::float8 AS area_max_n
),
extent AS (
    SELECT greatest(ST_XMin(e) - p.reach_m, p.area_min_e) AS min_e, greatest(ST_YMin(e) - p.reach_m, p.area_min_n) AS min_n,
           least(ST_XMax(e) + p.reach_m, p.area_max_e) AS max_e, least(ST_YMax(e) + p.reach_m, p.area_max_n) AS max_n
    FROM (SELECT ST_Extent(location) AS e FROM incidents) AS x CROSS JOIN params p
    WHERE x.e IS NOT NULL
),
grid AS (
    SELECT ST_SetSRID(ST_MakePoint(gx * p.spacing_m, gy * p.spacing_m), 27700) AS location
    FROM extent x CROSS JOIN params p,
         generate_series(ceil(x.min_e / p.spacing_m)::bigint, floor(x.max_e / p.spacing_m)::bigint) AS gx,
         generate_series(ceil(x.min_n / p.spacing_m)::bigint, floor(x.max_n / p.spacing_m)::bigint) AS gy
)
SELECT ST_X(g.location), ST_Y(g.location),
       ST_X(ST_Transform(g.location, 4326)), ST_Y(ST_Transform(g.location, 4326))
FROM grid g CROSS JOIN params p
WHERE EXISTS (SELECT 1 FROM incidents i WHERE ST_DWithin(i.location, g.location, p.reach_m))
  AND (p.network_m IS NULL OR EXISTS (SELECT 1 FROM nodes n WHERE ST_DWithin(n.location, g.location, p.network_m)))
ORDER BY 1, 2
LIMIT %s
