"""The open data under /public/ (no sign-in): the public cameras as GeoJSON, CSV and OSM XML.

Each view calls cctv.open_data, which decides what is public; none reads a camera itself.
"""

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.utils import timezone
from django.views.decorators.http import require_GET

from cctv.open_data import GEOMETRIES, public_cameras_csv, public_cameras_geojson, public_cameras_osm

# Open data changes when the register does; a few minutes of caching spares the database a crawler's
# repeated fetches without hiding a change for long.
CACHE_SECONDS = 300


def _response(content: bytes | str, content_type: str, extension: str, *, attachment: bool) -> HttpResponse:
    response = HttpResponse(content, content_type=content_type)
    response["Cache-Control"] = f"public, max-age={CACHE_SECONDS}"
    response["Access-Control-Allow-Origin"] = "*"  # open data: any site may read it
    if attachment:
        filename = f"vale-cctv-public-cameras-{timezone.localdate().isoformat()}.{extension}"
        response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_GET
def cameras_geojson(request: HttpRequest) -> HttpResponse:
    geometry = request.GET.get("geometry", "location")
    if geometry not in GEOMETRIES:
        return JsonResponse({"detail": f"geometry must be one of {', '.join(GEOMETRIES)}; not {geometry[:40]!r}."},
                            status=400)
    return _response(public_cameras_geojson(geometry=geometry), "application/geo+json", "geojson",
                     attachment=False)


@require_GET
def cameras_csv(request: HttpRequest) -> HttpResponse:
    return _response(public_cameras_csv(), "text/csv; charset=utf-8", "csv", attachment=True)


@require_GET
def cameras_osm(request: HttpRequest) -> HttpResponse:
    return _response(public_cameras_osm(), "application/vnd.openstreetmap.data+xml", "osm", attachment=True)
