"""GET /tiles/<layer>/<z>/<x>/<y>.mvt: one vector tile, for the browser's map or a GIS client.

The incidents layer takes ?month_from=YYYY-MM&month_to=YYYY-MM&category=... (maps.tiles).

A plain Django view rather than a ninja endpoint: the body is binary protobuf and the work is
HTTP caching. Authentication is the browser session or an API bearer token, as for the API.

Caching: tiles are built from permission-scoped data, so `Cache-Control: private, max-age=60`
(a browser may keep a tile for a minute; a shared cache must not keep it at all) with
`Vary: Cookie, Authorization`. The ETag is the SHA-256 of the tile's bytes; a request whose
If-None-Match holds it gets 304 and no body (the tile is still built to compare: the saving is
bandwidth, not database time). A tile with no features is 200 with an empty body, which map
clients (MapLibre, Leaflet.VectorGrid) draw as empty, and which caches and revalidates like any
other tile; 204 would carry no representation for an ETag to describe.

Errors are JSON {"detail": ...} as from the API: 400 bad z/x/y, 401 not signed in, 403 role
may not see the layer, 404 no such layer.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils.cache import get_conditional_response, patch_vary_headers
from django.utils.http import quote_etag
from django.views.decorators.http import require_safe

from accounts.exceptions import DomainError, Forbidden, NotVisible
from accounts.services import api_token_authenticate
from maps.tiles import tile_build

MVT_CONTENT_TYPE = "application/vnd.mapbox-vector-tile"
CACHE_CONTROL = "private, max-age=60"


def _user(request: HttpRequest):
    """The signed-in user (session) or the owner of a valid bearer token; None otherwise."""
    user = request.user
    if user.is_authenticated and user.is_active and user.role:
        return user
    scheme, _, token = request.headers.get("Authorization", "").partition(" ")
    if scheme.lower() == "bearer" and token:
        return api_token_authenticate(token)
    return None


def _error(status: int, detail: str) -> JsonResponse:
    response = JsonResponse({"detail": detail}, status=status)
    if status == 401:
        response["WWW-Authenticate"] = "Bearer"
    return response


@require_safe
def tile(request: HttpRequest, layer: str, z: str, x: str, y: str) -> HttpResponse:
    user = _user(request)
    if user is None:
        return _error(401, "Authentication required: sign in or send a valid bearer token.")
    try:
        built = tile_build(user, layer=layer, z=z, x=x, y=y, month_from=request.GET.get("month_from"),
                           month_to=request.GET.get("month_to"), categories=request.GET.getlist("category"))
    except NotVisible as exc:
        return _error(404, exc.detail)
    except Forbidden as exc:
        return _error(403, exc.detail)
    except DomainError as exc:
        return _error(exc.status_code, exc.detail)
    response = HttpResponse(built.content, content_type=MVT_CONTENT_TYPE)
    response["Cache-Control"] = CACHE_CONTROL
    response["ETag"] = quote_etag(built.etag)
    patch_vary_headers(response, ("Cookie", "Authorization"))
    return get_conditional_response(request, etag=response["ETag"], response=response)
