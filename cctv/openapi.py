"""OpenAPI descriptions of answers that ninja's `response=` can only call JSON (used as `openapi_extra`).

Without them the schema promised JSON where the service sends GeoJSON, CSV, OSM XML, images or ZIPs,
and a client (or the schema fuzzer in tests/security) could not check what it received.
"""

from __future__ import annotations

FEATURE_COLLECTION = {
    "type": "object", "required": ["type", "features"],
    "properties": {
        "type": {"type": "string", "enum": ["FeatureCollection"]},
        "features": {"type": "array", "items": {
            "type": "object", "required": ["type", "geometry", "properties"],
            "properties": {"type": {"type": "string", "enum": ["Feature"]},
                           "geometry": {"type": ["object", "null"]},
                           "properties": {"type": ["object", "null"]}},
        }},
    },
}


def file_openapi(description: str, *media_types: str) -> dict:
    """A 200 whose body is a file of one of `media_types`."""
    return {"responses": {200: {"description": description, "content": {
        media_type: {"schema": {"type": "string", "format": "binary"}} for media_type in media_types}}}}


GEOJSON_OPENAPI = {"responses": {200: {"description": "A GeoJSON FeatureCollection (RFC 7946), WGS84",
                                       "content": {"application/geo+json": {"schema": FEATURE_COLLECTION}}}}}
