-- The status in force for each (camera, instant) pair: the camera's last timeline entry at or before the
-- instant (NULL when the instant is before the camera's first entry). One indexed lookup per pair on
-- camera_status_timeline_idx (camera_id, changed_at). Parameters: camera ids (bigint[]) and instants
-- (timestamptz[]) of equal length; rows come back in the order given.
SELECT (
    SELECT s.status
    FROM cctv_camerastatuschange AS s
    WHERE s.camera_id = pair.camera_id AND s.changed_at <= pair.at
    ORDER BY s.changed_at DESC, s.id DESC
    LIMIT 1
) AS status
FROM unnest(%s::bigint[], %s::timestamptz[]) WITH ORDINALITY AS pair (camera_id, at, position)
ORDER BY pair.position
