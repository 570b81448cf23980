-- Shared by the *_tile.sql files (maps.queries formats it in as <bounds>); binds z, x, y in
-- that order. Two shapes of the one tile:
--   envelope: the tile in Web Mercator (EPSG:3857), for ST_AsMVTGeom;
--   box: the same tile, widened by the 64-pixel clipping buffer, in British National Grid, for
--        the && filter on the stored (GiST-indexed) 27700 geometry: the box is transformed, never
--        the column. It is first cut to EPSG:27700's area of use (Great Britain, 9 W to 2 E,
--        49.75 N to 61 N), since a low-zoom tile spans the globe and a transverse Mercator
--        projection of that is nonsense (a degenerate box that would match nothing), and densified
--        (16 vertices an edge) so its bounding box follows the curve a Mercator edge makes in
--        27700. An empty box (a tile outside Great Britain) matches nothing.
address AS (SELECT %s::int AS z, %s::int AS x, %s::int AS y),
bounds AS (
    SELECT ST_TileEnvelope(a.z, a.x, a.y) AS envelope,
           ST_Transform(ST_Segmentize(ST_Intersection(
               ST_TileEnvelope(a.z, a.x, a.y, margin => 64.0 / 4096),
               ST_Transform(ST_MakeEnvelope(-9.0, 49.75, 2.0, 61.0, 4326), 3857)
           ), 2 * 20037508.342789244 / 2 ^ a.z / 16), 27700) AS box
    FROM address a
)
