-- The hops of a traced path with their geometry for the map, in path order
-- (cctv.queries.camera_trace). Node and link ids arrive as arrays in the order of the path;
-- a link walked from its b end to its a end is drawn reversed so the line runs along the path.
-- Geometry is stored in 27700 and sent as WGS84 GeoJSON.
SELECT 'node' AS hop_type, h.position, n.id, n.name, n.kind, n.status, NULL::double precision AS length_m,
       ST_AsGeoJSON(ST_Transform(n.location, 4326), 7) AS geometry
FROM unnest(%(node_ids)s::bigint[]) WITH ORDINALITY AS h (node_id, position)
JOIN cctv_node AS n ON n.id = h.node_id
UNION ALL
SELECT 'link', h.position, l.id, coalesce(nullif(l.circuit_ref, ''), '#' || l.id), l.kind, l.status, l.length_m,
       ST_AsGeoJSON(ST_Transform(CASE WHEN h.reversed THEN ST_Reverse(l.route) ELSE l.route END, 4326), 7)
FROM unnest(%(link_ids)s::bigint[], %(reversed)s::boolean[]) WITH ORDINALITY AS h (link_id, reversed, position)
JOIN cctv_link AS l ON l.id = h.link_id
ORDER BY 2, 1 DESC
