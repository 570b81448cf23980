-- Staff-entered candidate sites for placement suggestions (maps.placement).
-- Bound parameters in order: those of <sites> (the caller's visible CandidateSites: id, name,
-- location); those of <nodes> (in-service network nodes the caller may see: id, location); then
-- max_distance_to_network_m (NULL: anywhere) and the row cap.
WITH sites AS NOT MATERIALIZED ({sites}),
nodes AS MATERIALIZED ({nodes}),
params AS (SELECT %s::float8 AS network_m)
SELECT s.id, s.name, ST_X(s.location), ST_Y(s.location),
       ST_X(ST_Transform(s.location, 4326)), ST_Y(ST_Transform(s.location, 4326))
FROM sites s CROSS JOIN params p
WHERE p.network_m IS NULL OR EXISTS (SELECT 1 FROM nodes n WHERE ST_DWithin(n.location, s.location, p.network_m))
ORDER BY s.id
LIMIT %s
