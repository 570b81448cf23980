-- The part of one owner's network that carries traffic, in one round trip (cctv.queries.network_graph).
-- Rows of kind 'link': every carrying link whose two nodes also carry, with its length.
-- Rows of kind 'centre': every carrying monitoring centre (a centre may have no link yet).
-- %(include_link_id)s / %(include_node_id)s (or NULL) count as carrying whatever their status: the
-- impact of an element that is already down is what it took down.
SELECT 'link' AS row_kind, l.id, l.a_node_id, l.b_node_id, l.length_m
FROM cctv_link AS l
JOIN cctv_node AS a ON a.id = l.a_node_id
JOIN cctv_node AS b ON b.id = l.b_node_id
WHERE l.owner_id = %(owner_id)s
  AND (l.status = ANY(%(carrying)s::text[]) OR l.id = %(include_link_id)s)
  AND (a.status = ANY(%(carrying)s::text[]) OR a.id = %(include_node_id)s)
  AND (b.status = ANY(%(carrying)s::text[]) OR b.id = %(include_node_id)s)
UNION ALL
SELECT 'centre', n.id, NULL, NULL, NULL
FROM cctv_node AS n
WHERE n.owner_id = %(owner_id)s
  AND n.kind = %(centre)s
  AND (n.status = ANY(%(carrying)s::text[]) OR n.id = %(include_node_id)s)
ORDER BY 1, 2
