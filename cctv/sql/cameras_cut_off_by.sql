-- Cameras of one owner that reach a monitoring centre while the given link or node carries
-- traffic, and reach none once it fails (cctv.queries.cameras_cut_off_by).
--
-- Reachability is walked outwards from the monitoring centres over carrying links and nodes.
-- "Before" counts the failed link or node as carrying whatever its status, so the answer is
-- the same whether it is still up (what would a cut take down?) or already down (what did it
-- take down?). UNION (not UNION ALL) keeps each node once, which is what ends the recursion on
-- a ring. Exactly one of %(link_id)s and %(node_id)s is a number; the other is NULL.
WITH RECURSIVE
carrying_node AS (
    SELECT n.id, n.kind
    FROM cctv_node AS n
    WHERE n.owner_id = %(owner_id)s
      AND (n.status = ANY(%(carrying)s::text[]) OR n.id = %(node_id)s)
),
carrying_link AS (
    SELECT l.id, l.a_node_id, l.b_node_id
    FROM cctv_link AS l
    JOIN carrying_node AS a ON a.id = l.a_node_id
    JOIN carrying_node AS b ON b.id = l.b_node_id
    WHERE l.owner_id = %(owner_id)s
      AND (l.status = ANY(%(carrying)s::text[]) OR l.id = %(link_id)s)
),
edge AS (  -- traffic flows both ways: each link is an edge in each direction
    SELECT id AS link_id, a_node_id AS from_id, b_node_id AS to_id FROM carrying_link
    UNION ALL
    SELECT id, b_node_id, a_node_id FROM carrying_link
),
reach_before (node_id) AS (
    SELECT id FROM carrying_node WHERE kind = %(centre)s
    UNION
    SELECT e.to_id FROM reach_before AS r JOIN edge AS e ON e.from_id = r.node_id
),
reach_after (node_id) AS (
    SELECT id FROM carrying_node WHERE kind = %(centre)s AND id IS DISTINCT FROM %(node_id)s
    UNION
    SELECT e.to_id
    FROM reach_after AS r
    JOIN edge AS e ON e.from_id = r.node_id
    WHERE e.link_id IS DISTINCT FROM %(link_id)s
      AND e.to_id IS DISTINCT FROM %(node_id)s
)
SELECT c.id
FROM cctv_camera AS c
WHERE c.owner_id = %(owner_id)s
  AND c.node_id IN (SELECT node_id FROM reach_before)
  AND c.node_id NOT IN (SELECT node_id FROM reach_after)
