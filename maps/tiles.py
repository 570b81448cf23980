"""Vector tiles (Mapbox Vector Tile, ST_AsMVT) of the map's layers, scoped to the user.

A tile is addressed as z/x/y in the XYZ ("slippy map") scheme over Web Mercator (EPSG:3857):
x from west, y from north, 0 <= x, y < 2^z. The SQL is in maps/sql/<layer>_tile.sql; each layer
takes a queryset already limited by accounts.permissions, as the GeoJSON payloads do.

Layers:
  incidents  points: category, month, source, location_text, outcome. Filtered like the GeoJSON
             layer by ?month_from=YYYY-MM&month_to=YYYY-MM&category=... (repeatable). From zoom
             13: at bench scale (bench/coverage.py) a z12 tile over Barry holds 55,000 points for
             a year (1.4 MB); below 13 use the incident grid layer.
  cameras    points: asset_ref, name, status, kind, bearing and view (every status, for colouring)
  views      cameras' field-of-view polygons: asset_ref, status, kind
  links      network links: kind, status, provider, circuit_ref, length_m (staff roles only)

A tile with no features is zero bytes (served as 200 with an empty body, see maps.views_tiles).
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from accounts.exceptions import InvalidInput, NotVisible
from accounts.permissions import authorize, visible_to
from cctv.models import Camera, Link
from maps import queries
from maps.coverage import incidents_selected
from maps.services import month_parse

MAX_ZOOM = 22
INCIDENTS_MIN_ZOOM = 13


@dataclass(frozen=True)
class Tile:
    layer: str
    z: int
    x: int
    y: int
    content: bytes

    @property
    def etag(self) -> str:
        """The SHA-256 of the bytes: equal tiles have equal tags, whoever asked and whenever."""
        return hashlib.sha256(self.content).hexdigest()


def tile_address(z: str | int, x: str | int, y: str | int) -> tuple[int, int, int]:
    """z, x, y as integers, or InvalidInput saying which is out of range."""
    try:
        z, x, y = int(z), int(x), int(y)
    except (TypeError, ValueError):
        raise InvalidInput(f"A tile address is three whole numbers z/x/y; got {z}/{x}/{y}.") from None
    if not 0 <= z <= MAX_ZOOM:
        raise InvalidInput(f"Zoom z must be between 0 and {MAX_ZOOM}; got {z}.")
    side = 2 ** z
    for name, value in (("x", x), ("y", y)):
        if not 0 <= value < side:
            raise InvalidInput(f"At zoom {z}, {name} must be between 0 and {side - 1}; got {value}.")
    return z, x, y


def _incidents(user, z: int, x: int, y: int, **filters) -> bytes:
    incidents = incidents_selected(user, **filters)
    if z < INCIDENTS_MIN_ZOOM:
        raise InvalidInput(f"Incident tiles start at zoom {INCIDENTS_MIN_ZOOM}; below it use the incident grid "
                           "layer (/api/maps/layers/incident-grid).")
    return queries.incidents_tile(incidents, z=z, x=x, y=y)


def _cameras(user, z: int, x: int, y: int) -> bytes:
    authorize(user, "view", Camera)
    return queries.cameras_tile(visible_to(user, Camera.objects.all()), z=z, x=x, y=y)


def _views(user, z: int, x: int, y: int) -> bytes:
    authorize(user, "view", Camera)
    return queries.views_tile(visible_to(user, Camera.objects.all()), z=z, x=x, y=y)


def _links(user, z: int, x: int, y: int) -> bytes:
    authorize(user, "view", Link)
    return queries.links_tile(visible_to(user, Link.objects.all()), z=z, x=x, y=y)


LAYERS: dict[str, Callable[..., bytes]] = {
    "incidents": _incidents,
    "cameras": _cameras,
    "views": _views,
    "links": _links,
}


def tile_build(
    user, *, layer: str, z: str | int, x: str | int, y: str | int, month_from: str | None = None,
    month_to: str | None = None, categories: Sequence[str] = (),
) -> Tile:
    """One layer's tile for this user: Forbidden if their role may not see the layer at all.

    month_from, month_to (YYYY-MM) and categories filter the incidents layer and no other.
    """
    build = LAYERS.get(layer)
    if build is None:
        raise NotVisible(f"There is no tile layer {layer!r}; the layers are {', '.join(LAYERS)}.")
    z, x, y = tile_address(z, x, y)
    if layer != "incidents":
        if month_from or month_to or categories:
            raise InvalidInput("month_from, month_to and category filter the incidents layer only.")
        return Tile(layer=layer, z=z, x=x, y=y, content=build(user, z, x, y))
    filters = {
        "month_from": month_parse(month_from, name="month_from") if month_from else None,
        "month_to": month_parse(month_to, name="month_to") if month_to else None,
        "categories": categories,
    }
    return Tile(layer=layer, z=z, x=x, y=y, content=build(user, z, x, y, **filters))
