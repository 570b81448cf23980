-- The candidate configurations' view polygons as a temporary table with a GiST index, so that
-- the coverage pairs are one indexed spatial join (maps.placement). Statements run one by one;
-- the only bound parameter is the array of polygons as WKB (EPSG:27700), in configuration order.
-- The table lives for the transaction: a second build in the same transaction replaces it.
DROP TABLE IF EXISTS placement_configuration;
CREATE TEMP TABLE placement_configuration (
    config_index integer PRIMARY KEY,
    view_polygon geometry(Polygon, 27700) NOT NULL
) ON COMMIT DROP;
INSERT INTO placement_configuration (config_index, view_polygon)
SELECT (t.n - 1)::integer, ST_GeomFromWKB(t.wkb, 27700)
FROM unnest(%s::bytea[]) WITH ORDINALITY AS t(wkb, n);
CREATE INDEX ON placement_configuration USING gist (view_polygon);
ANALYZE placement_configuration
