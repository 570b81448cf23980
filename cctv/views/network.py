"""The network view: nodes and links on a map, a link's impact, a camera's trace."""


from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse

from accounts.permissions import authorize, visible_to
from cctv.choices import CAMERA_STATUS_COLOUR
from cctv.models import Link, Node
from cctv.queries import cameras_cut_off_by, cameras_routed_through
from cctv.views.cameras import map_settings


@login_required
def network_overview(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "view", Link)
    links = visible_to(request.user, Link.objects.select_related("a_node", "b_node")).order_by("a_node__name")
    nodes = visible_to(request.user, Node.objects.all()).order_by("kind", "name")
    map_data = {**map_settings(), "nodesUrl": "/api/network/nodes/geojson", "linksUrl": "/api/network/links/geojson",
                "camerasUrl": reverse("api:camera_geojson")}
    return render(request, "cctv/network.html", {"links": links, "nodes": nodes, "map_data": map_data})


@login_required
def link_detail(request: HttpRequest, link_id: int) -> HttpResponse:
    link = get_object_or_404(visible_to(request.user, Link.objects.select_related("a_node", "b_node")), pk=link_id)
    authorize(request.user, "view", link)
    return render(request, "cctv/link_detail.html", {
        "link": link,
        "cut_off": cameras_cut_off_by(link=link),
        "routed_through": cameras_routed_through(link=link),
        "faults": link.faults.order_by("-reported_at")[:20],
        "status_colours": CAMERA_STATUS_COLOUR,
    })


@login_required
def node_detail(request: HttpRequest, node_id: int) -> HttpResponse:
    node = get_object_or_404(visible_to(request.user, Node.objects.all()), pk=node_id)
    authorize(request.user, "view", node)
    return render(request, "cctv/node_detail.html", {
        "node": node, "cut_off": cameras_cut_off_by(node=node), "attached": node.cameras.order_by("asset_ref"),
    })
