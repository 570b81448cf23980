-- Cameras near a location, whether each sees it, and its status timeline during a time window.
-- One query for every candidate camera (evidence.suggest.cameras_suggest).
--
-- Parameters, in this order: the location's easting and northing (EPSG:27700, the storage SRID, so
-- no column is transformed), the window's start and end (timestamptz), then the bound parameters of
-- the scoped CTE: the caller's permission-scoped camera query, already limited to the owner and to
-- the search radius (ST_DWithin on the indexed location column), columns id, asset_ref, name,
-- location, view_polygon. No value is ever interpolated into the text.
--
-- sees: ST_Covers rather than ST_Contains, so a location exactly on the edge of a view counts.
-- outside_m: how far the location is from the view (0 when it sees it).
-- The timeline is the entry in force at the start (the last at or before it) and every entry inside
-- the window, each cut to the window: statuses[i] held from span_starts[i] to span_ends[i]. Both
-- lookups use camera_status_timeline_idx (camera_id, changed_at). Time before a camera's first entry
-- has no status and yields no span.
WITH params AS NOT MATERIALIZED (
    SELECT ST_SetSRID(ST_MakePoint(%s, %s), 27700) AS point, %s::timestamptz AS starts_at, %s::timestamptz AS ends_at
),
scoped AS NOT MATERIALIZED (
    {scoped}
)
SELECT
    c.id,
    c.asset_ref,
    c.name,
    ST_Distance(c.location, p.point) AS distance_m,
    c.view_polygon IS NOT NULL AS has_view,
    COALESCE(ST_Covers(c.view_polygon, p.point), false) AS sees,
    ST_Distance(c.view_polygon, p.point) AS outside_m,
    timeline.statuses,
    timeline.span_starts,
    timeline.span_ends
FROM scoped AS c
CROSS JOIN params AS p
CROSS JOIN LATERAL (
    SELECT
        array_agg(t.status ORDER BY t.changed_at, t.id) AS statuses,
        array_agg(GREATEST(t.changed_at, p.starts_at) ORDER BY t.changed_at, t.id) AS span_starts,
        array_agg(LEAST(COALESCE(t.next_changed_at, p.ends_at), p.ends_at) ORDER BY t.changed_at, t.id) AS span_ends
    FROM (
        SELECT
            e.id,
            e.status,
            e.changed_at,
            LEAD(e.changed_at) OVER (ORDER BY e.changed_at, e.id) AS next_changed_at
        FROM cctv_camerastatuschange AS e
        WHERE e.camera_id = c.id
            AND e.changed_at >= COALESCE(
                (SELECT max(f.changed_at) FROM cctv_camerastatuschange AS f
                 WHERE f.camera_id = c.id AND f.changed_at <= p.starts_at),
                '-infinity'::timestamptz)
            AND e.changed_at < p.ends_at
    ) AS t
    WHERE LEAST(COALESCE(t.next_changed_at, p.ends_at), p.ends_at) > GREATEST(t.changed_at, p.starts_at)
) AS timeline
ORDER BY distance_m, c.asset_ref
