-- Per item of a proposal: its view's area, how much of it other views already cover, and the
-- nearest network node (maps.proposal_figures).
-- <cameras>: the owner's counted cameras (id, view_polygon), bound parameters first;
-- <nodes>: the owner's in-service nodes (id, name, location), parameters next;
-- then the items as three parallel arrays: view polygon and location (hex EWKB, EPSG:27700)
-- and the camera moved (NULL for a new camera). Rows come back in the arrays' order.
--
-- "Other views" are the estate after the proposal apart from the item itself: counted cameras
-- that the proposal does not move (a moved camera's old view is gone) and the other items.
-- The overlap is the area of the item's view inside their union, so a patch seen by two other
-- cameras counts once. Only views that touch the item are unioned (GiST on view_polygon).
-- The nearest node is a KNN probe (<->) of the nodes' GiST index on location.
WITH cameras AS MATERIALIZED ({cameras}),
nodes AS NOT MATERIALIZED ({nodes}),
items AS MATERIALIZED (
    SELECT t.ord, t.view_hex::geometry AS view_polygon, t.location_hex::geometry AS location, t.camera_id
    FROM unnest(%s::text[], %s::text[], %s::bigint[]) WITH ORDINALITY AS t(view_hex, location_hex, camera_id, ord)
),
others AS (
    SELECT it.ord, c.view_polygon
    FROM items it
    JOIN cameras c ON ST_Intersects(c.view_polygon, it.view_polygon)
    WHERE NOT EXISTS (SELECT 1 FROM items m WHERE m.camera_id = c.id)
    UNION ALL
    SELECT it.ord, o.view_polygon
    FROM items it
    JOIN items o ON o.ord <> it.ord AND ST_Intersects(o.view_polygon, it.view_polygon)
),
overlap AS (SELECT ord, ST_Union(view_polygon) AS other_views FROM others GROUP BY ord)
SELECT it.ord,
       ST_Area(it.view_polygon) AS view_area_m2,
       coalesce(ST_Area(ST_Intersection(it.view_polygon, ov.other_views)), 0) AS overlap_m2,
       n.id AS node_id,
       n.name AS node_name,
       n.distance_m
FROM items it
LEFT JOIN overlap ov ON ov.ord = it.ord
LEFT JOIN LATERAL (
    SELECT nd.id, nd.name, ST_Distance(nd.location, it.location) AS distance_m
    FROM nodes nd
    ORDER BY nd.location <-> it.location, nd.id
    LIMIT 1
) n ON true
ORDER BY it.ord
