"""The map page: cameras, their views, the network and incidents, with filters (DESIGN.md 2D)."""


from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse

from accounts.permissions import authorize, can
from cctv.choices import CameraStatus
from cctv.models import Link
from cctv.selectors import camera_towns
from cctv.views.cameras import map_settings
from maps.models import Incident
from maps.services import incidents_visible_to


@login_required
def map_page(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "view", Incident)
    incidents = incidents_visible_to(request.user).order_by()
    months = sorted(incidents.values_list("month", flat=True).distinct())
    categories = sorted(incidents.values_list("category", flat=True).distinct())
    data = {
        **map_settings(),
        "camerasUrl": reverse("api:camera_geojson"),
        "viewsUrl": reverse("api:camera_geojson") + "?geometry=view",
        "incidentsUrl": reverse("api:incidents_layer"),
        "incidentGridUrl": reverse("api:incident_grid_layer"),
        "linksUrl": "/api/network/links/geojson" if can(request.user, "view", Link) else None,
        "nodesUrl": "/api/network/nodes/geojson" if can(request.user, "view", Link) else None,
        "incidentTilesUrl": "/tiles/incidents/{z}/{x}/{y}.mvt",
        "tileZoom": 15,  # incidents from vector tiles at and above this zoom (tiles start at 13)
        "pointZoom": 15,  # GeoJSON points, if the tile library is missing; a grid below
    }
    return render(request, "maps/map.html", {
        "map_data": data,
        "statuses": CameraStatus.choices,
        "towns": camera_towns(request.user),
        "categories": categories,
        "months": [month.strftime("%Y-%m") for month in months],
    })
