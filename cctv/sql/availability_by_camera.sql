-- Availability of each scoped camera over the period: one row per camera, cameras with no monitored
-- time included (pct NULL). See availability_spans.sql for the parameters and the timeline rule.
{spans}
SELECT
    camera_id,
    owner_id,
    asset_ref,
    name,
    up_seconds,
    monitored_seconds,
    round(100 * up_seconds / NULLIF(monitored_seconds, 0), 3) AS pct
FROM per_camera
ORDER BY asset_ref, camera_id
