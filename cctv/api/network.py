"""The network: nodes and links (with GeoJSON for the map), a camera's trace, a failure's impact.

Mounted at /api/network. Every endpoint first asks whether the user's role may see the network
at all (police may see cameras but not the network: 403), then finds the object among those
the user may see (another council's node is 404), then asks about the action.
"""

import json

from django.contrib.gis.db.models.functions import Transform
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import Field, Query, Router, Schema, Status
from ninja.pagination import paginate

from accounts.exceptions import InvalidInput
from accounts.models import Organisation
from accounts.permissions import authorize, visible_to
from cctv.choices import LinkKind, NetworkStatus, NodeKind
from cctv.geometry import line_from_input, point_from_input
from cctv.models import Camera, Link, Node
from cctv.openapi import GEOJSON_OPENAPI
from cctv.pagination import LimitOffsetPagination
from cctv.queries import (
    Hop,
    camera_trace,
    cameras_cut_off_by,
    cameras_routed_through,
    links_geojson,
    nodes_geojson,
)
from cctv.schemas import PointIn
from cctv.services.network import (
    link_create,
    link_status_set,
    link_update,
    node_create,
    node_status_set,
    node_update,
)

router = Router(tags=["network"])


# --- schemas --------------------------------------------------------------------------------

class NodeIn(Schema):
    name: str = Field(..., min_length=1, max_length=200)
    kind: NodeKind
    location: PointIn
    status: NetworkStatus = NetworkStatus.IN_SERVICE
    notes: str = Field("", max_length=5000)
    owner_id: int | None = Field(None, description="Owning organisation; defaults to your own.")


class NodePatch(Schema):
    name: str | None = Field(None, min_length=1, max_length=200)
    kind: NodeKind | None = None
    location: PointIn | None = None
    notes: str | None = Field(None, max_length=5000)
    reason: str = Field("", max_length=500)


class NodeOut(Schema):
    id: int
    name: str
    kind: str
    status: str
    owner_id: int
    longitude: float
    latitude: float
    easting: float
    northing: float
    notes: str

    @staticmethod
    def resolve_longitude(node) -> float:
        return round(node.location_wgs84.x, 7)

    @staticmethod
    def resolve_latitude(node) -> float:
        return round(node.location_wgs84.y, 7)

    @staticmethod
    def resolve_easting(node) -> float:
        return round(node.location.x, 2)

    @staticmethod
    def resolve_northing(node) -> float:
        return round(node.location.y, 2)


class LinkIn(Schema):
    a_node_id: int
    b_node_id: int
    route: list[list[float]] = Field(..., description="[[x, y], ...] from the a node to the b node")
    srid: int = Field(4326, description="4326 (longitude, latitude) or 27700 (easting, northing)")
    kind: LinkKind = LinkKind.FIBRE
    provider: str = Field("", max_length=100)
    circuit_ref: str = Field("", max_length=60)
    status: NetworkStatus = NetworkStatus.IN_SERVICE


class LinkPatch(Schema):
    a_node_id: int | None = None
    b_node_id: int | None = None
    route: list[list[float]] | None = None
    srid: int = 4326
    kind: LinkKind | None = None
    provider: str | None = Field(None, max_length=100)
    circuit_ref: str | None = Field(None, max_length=60)
    reason: str = Field("", max_length=500)


class LinkOut(Schema):
    id: int
    kind: str
    provider: str
    circuit_ref: str
    a_node_id: int
    b_node_id: int
    length_m: float
    status: str
    owner_id: int
    route: list[list[float]] = Field(..., description="WGS84 [longitude, latitude] pairs, a node to b node")

    @staticmethod
    def resolve_length_m(link) -> float:
        return round(link.length_m, 1)

    @staticmethod
    def resolve_route(link) -> list[list[float]]:
        return [[round(x, 7), round(y, 7)] for x, y in link.route_wgs84.coords]


class StatusSetIn(Schema):
    status: NetworkStatus
    reason: str = Field("", max_length=500)


class NetworkFilter(Schema):
    kind: str | None = None
    status: str | None = None


class CameraBriefOut(Schema):
    id: int
    asset_ref: str
    name: str
    status: str


class HopOut(Schema):
    type: str
    id: int
    name: str
    kind: str
    status: str
    length_m: float | None
    geometry: dict


class TraceOut(Schema):
    camera: CameraBriefOut
    is_complete: bool
    hop_count: int
    length_m: float | None
    monitoring_centre: HopOut | None
    hops: list[HopOut]


class ImpactOut(Schema):
    subject: str
    id: int
    name: str
    cut_off_count: int
    cut_off: list[CameraBriefOut] = Field(..., description="Cameras left with no route to a monitoring centre")
    routed_through: list[CameraBriefOut] = Field(
        ..., description="Cameras whose current path uses it (those not cut off have another route)"
    )


# --- lookups --------------------------------------------------------------------------------

def _node(request: HttpRequest, node_id: int, action: str = "view") -> Node:
    authorize(request.auth, "view", Node)
    node = get_object_or_404(_nodes_out(visible_to(request.auth, Node.objects.all())), pk=node_id)
    authorize(request.auth, action, node)
    return node


def _link(request: HttpRequest, link_id: int, action: str = "view") -> Link:
    authorize(request.auth, "view", Link)
    link = get_object_or_404(_links_out(visible_to(request.auth, Link.objects.all())), pk=link_id)
    authorize(request.auth, action, link)
    return link


def _referenced_node(request: HttpRequest, node_id: int) -> Node:
    node = visible_to(request.auth, Node.objects.all()).filter(pk=node_id).first()
    if node is None:
        raise InvalidInput(f"Node {node_id} does not exist or is not yours.")
    return node


def _nodes_out(nodes):
    return nodes.annotate(location_wgs84=Transform("location", 4326))


def _links_out(links):
    return links.annotate(route_wgs84=Transform("route", 4326))


def _filtered(queryset, filters: NetworkFilter, kinds: type, what: str):
    if filters.kind:
        if filters.kind not in kinds.values:
            raise InvalidInput(f"Unknown {what} kind {filters.kind!r}; use one of {', '.join(kinds.values)}.")
        queryset = queryset.filter(kind=filters.kind)
    if filters.status:
        if filters.status not in NetworkStatus.values:
            raise InvalidInput(f"Unknown status {filters.status!r}; use one of {', '.join(NetworkStatus.values)}.")
        queryset = queryset.filter(status=filters.status)
    return queryset


def _nodes_filtered(request: HttpRequest, filters: NetworkFilter):
    authorize(request.auth, "view", Node)
    return _filtered(visible_to(request.auth, Node.objects.all()), filters, NodeKind, "node")


def _links_filtered(request: HttpRequest, filters: NetworkFilter):
    authorize(request.auth, "view", Link)
    return _filtered(visible_to(request.auth, Link.objects.all()), filters, LinkKind, "link")


def _reloaded_node(node: Node) -> Node:
    return _nodes_out(Node.objects.all()).get(pk=node.pk)


def _reloaded_link(link: Link) -> Link:
    return _links_out(Link.objects.all()).get(pk=link.pk)


def _impact(subject: str, element, name: str, cut_off, routed_through, user) -> dict:
    cut_off = list(visible_to(user, cut_off))
    return {
        "subject": subject, "id": element.pk, "name": name, "cut_off_count": len(cut_off), "cut_off": cut_off,
        "routed_through": list(visible_to(user, routed_through)),
    }


def _hop_out(hop: Hop) -> dict:
    return {"type": hop.type, "id": hop.id, "name": hop.name, "kind": hop.kind, "status": hop.status,
            "length_m": None if hop.length_m is None else round(hop.length_m, 1),
            "geometry": json.loads(hop.geometry)}


# --- nodes ----------------------------------------------------------------------------------

@router.get("/nodes", response=list[NodeOut], summary="List nodes")
@paginate(LimitOffsetPagination)
def node_list(request: HttpRequest, filters: Query[NetworkFilter]):
    return _nodes_out(_nodes_filtered(request, filters)).order_by("name", "id")


@router.get("/nodes/geojson", response={200: None}, summary="Nodes as a GeoJSON FeatureCollection (built in PostGIS)",
            openapi_extra=GEOJSON_OPENAPI)
def node_geojson(request: HttpRequest, filters: Query[NetworkFilter]):
    return HttpResponse(nodes_geojson(_nodes_filtered(request, filters)), content_type="application/geo+json")


@router.post("/nodes", response={201: NodeOut}, summary="Add a node")
def node_create_endpoint(request: HttpRequest, payload: NodeIn):
    authorize(request.auth, "add", Node)
    owner_id = payload.owner_id or request.auth.organisation_id
    if owner_id is None:
        raise InvalidInput("Say which organisation owns the node (owner_id).")
    owner = Organisation.objects.filter(pk=owner_id).first()
    if owner is None:
        raise InvalidInput(f"Organisation {owner_id} does not exist.")
    authorize(request.auth, "add", Node(owner=owner))
    location = point_from_input(payload.location.x, payload.location.y, payload.location.srid)
    node = node_create(owner=owner, by=request.auth, name=payload.name, kind=payload.kind, location=location,
                       status=payload.status, notes=payload.notes)
    return Status(201, _reloaded_node(node))


@router.get("/nodes/{node_id}", response=NodeOut, summary="One node")
def node_get(request: HttpRequest, node_id: int):
    return _node(request, node_id)


@router.patch("/nodes/{node_id}", response=NodeOut, summary="Change a node's name, kind, location or notes")
def node_update_endpoint(request: HttpRequest, node_id: int, payload: NodePatch):
    node = _node(request, node_id, "change")
    changes = payload.model_dump(exclude_unset=True, exclude={"reason", "location"})
    if payload.location is not None:
        changes["location"] = point_from_input(payload.location.x, payload.location.y, payload.location.srid)
    return _reloaded_node(node_update(node=node, by=request.auth, reason=payload.reason, **changes))


@router.post("/nodes/{node_id}/status", response=NodeOut, summary="Put a node in or out of service")
def node_status_endpoint(request: HttpRequest, node_id: int, payload: StatusSetIn):
    node = _node(request, node_id, "change")
    return _reloaded_node(node_status_set(node=node, status=payload.status, by=request.auth, reason=payload.reason))


@router.get("/nodes/{node_id}/impact", response=ImpactOut, summary="Cameras cut off if this node fails")
def node_impact(request: HttpRequest, node_id: int):
    node = _node(request, node_id)
    return _impact("node", node, node.name, cameras_cut_off_by(node=node), cameras_routed_through(node=node),
                   request.auth)


# --- links ----------------------------------------------------------------------------------

@router.get("/links", response=list[LinkOut], summary="List links")
@paginate(LimitOffsetPagination)
def link_list(request: HttpRequest, filters: Query[NetworkFilter]):
    return _links_out(_links_filtered(request, filters)).order_by("id")


@router.get("/links/geojson", response={200: None}, summary="Links as a GeoJSON FeatureCollection (built in PostGIS)",
            openapi_extra=GEOJSON_OPENAPI)
def link_geojson(request: HttpRequest, filters: Query[NetworkFilter]):
    return HttpResponse(links_geojson(_links_filtered(request, filters)), content_type="application/geo+json")


@router.post("/links", response={201: LinkOut}, summary="Add a link (its length comes from the route)")
def link_create_endpoint(request: HttpRequest, payload: LinkIn):
    authorize(request.auth, "add", Link)
    a_node = _referenced_node(request, payload.a_node_id)
    b_node = _referenced_node(request, payload.b_node_id)
    authorize(request.auth, "add", Link(owner_id=a_node.owner_id))
    link = link_create(a_node=a_node, b_node=b_node, route=line_from_input(payload.route, payload.srid),
                       by=request.auth, kind=payload.kind, provider=payload.provider,
                       circuit_ref=payload.circuit_ref, status=payload.status)
    return Status(201, _reloaded_link(link))


@router.get("/links/{link_id}", response=LinkOut, summary="One link")
def link_get(request: HttpRequest, link_id: int):
    return _link(request, link_id)


@router.patch("/links/{link_id}", response=LinkOut, summary="Change a link's nodes, route or details")
def link_update_endpoint(request: HttpRequest, link_id: int, payload: LinkPatch):
    link = _link(request, link_id, "change")
    changes = payload.model_dump(exclude_unset=True, exclude={"reason", "route", "srid", "a_node_id", "b_node_id"})
    for end in ("a_node", "b_node"):
        if getattr(payload, f"{end}_id") is not None:
            changes[end] = _referenced_node(request, getattr(payload, f"{end}_id"))
    if payload.route is not None:
        changes["route"] = line_from_input(payload.route, payload.srid)
    return _reloaded_link(link_update(link=link, by=request.auth, reason=payload.reason, **changes))


@router.post("/links/{link_id}/status", response=LinkOut, summary="Put a link in or out of service")
def link_status_endpoint(request: HttpRequest, link_id: int, payload: StatusSetIn):
    link = _link(request, link_id, "change")
    return _reloaded_link(link_status_set(link=link, status=payload.status, by=request.auth, reason=payload.reason))


@router.get("/links/{link_id}/impact", response=ImpactOut, summary="Cameras cut off if this link fails")
def link_impact(request: HttpRequest, link_id: int):
    link = _link(request, link_id)
    return _impact("link", link, str(link), cameras_cut_off_by(link=link), cameras_routed_through(link=link),
                   request.auth)


# --- trace ----------------------------------------------------------------------------------

@router.get("/cameras/{camera_id}/trace", response=TraceOut, summary="A camera's path to the monitoring centre")
def camera_trace_endpoint(request: HttpRequest, camera_id: int):
    authorize(request.auth, "view", Node)
    authorize(request.auth, "view", Link)
    camera = get_object_or_404(visible_to(request.auth, Camera.objects.all()), pk=camera_id)
    trace = camera_trace(camera)
    hops = [_hop_out(hop) for hop in trace.hops]
    return {
        "camera": camera, "is_complete": trace.is_complete, "hop_count": trace.hop_count,
        "length_m": None if trace.length_m is None else round(trace.length_m, 1),
        "monitoring_centre": hops[-1] if trace.is_complete else None, "hops": hops,
    }
