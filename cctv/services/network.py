"""Rules that change the network: nodes, links, their status, and every camera's stored path.

Every change that can move a path retraces the owner's stored paths inline, in the same
transaction, rather than after commit or in a task. The network is small (a council has
hundreds of links: a retrace of 500 links and 300 cameras measured about 25 ms), and inline
means nobody ever reads a network change beside paths that predate it, and a failed retrace
rolls the change back with it. Two changes to one
owner's network could still each retrace without seeing the other's uncommitted change, and
the later commit would store paths that ignore the earlier one; so every change first takes a
transaction-level advisory lock on the owner's network, which makes them take turns.
"""

from __future__ import annotations

import logging
from dataclasses import astuple, dataclass
from typing import Any

import pghistory
from django.contrib.gis.geos import GEOSGeometry, LineString, Point
from django.core.exceptions import ValidationError
from django.db import connection, transaction
from django.db.models import Model, Q

from accounts.exceptions import InvalidInput
from accounts.models import Organisation, User
from cctv.choices import LinkKind, NetworkStatus
from cctv.geometry import to_storage
from cctv.models import Camera, CameraPath, Link, Node
from cctv.queries import CentreRoutes, network_graph
from cctv.services.fields import nulls_refused
from cctv.services.history import history_actor

logger = logging.getLogger(__name__)

# A route is drawn from a/b node to b/a node; its ends may sit this far from the nodes' points
# (cabinet footprint, duct entry, survey error) but no farther.
ROUTE_END_TOLERANCE_M = 50.0
# Namespace of the advisory lock that serialises changes to one owner's network (see above).
NETWORK_LOCK_NAMESPACE = 0x4E455457  # "NETW"

NODE_EDITABLE_FIELDS = {"name", "kind", "location", "notes"}
LINK_EDITABLE_FIELDS = {"kind", "provider", "circuit_ref", "a_node", "b_node", "route"}


def _network_lock(owner_id: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [NETWORK_LOCK_NAMESPACE, owner_id])


def _clean(obj: Model) -> None:
    """Model validation (choices, lengths, constraints) as one InvalidInput naming each field."""
    try:
        obj.full_clean()
    except ValidationError as exc:
        messages = [f"{name}: {' '.join(errors)}" if name != "__all__" else " ".join(errors)
                    for name, errors in exc.message_dict.items()]
        raise InvalidInput("; ".join(messages)) from None


def _status_checked(status: str) -> str:
    if status not in NetworkStatus.values:
        raise InvalidInput(f"Unknown status {status!r}; use one of {', '.join(NetworkStatus.values)}.")
    return status


def _point(location: GEOSGeometry) -> Point:
    stored = to_storage(location, what="node location")
    if stored.geom_type != "Point":
        raise InvalidInput("A node's location is a point.")
    return stored


# --- nodes ----------------------------------------------------------------------------------

@transaction.atomic
def node_create(*, owner: Organisation, by: User | None, name: str, kind: str, location: GEOSGeometry,
                status: str = NetworkStatus.IN_SERVICE, notes: str = "") -> Node:
    """Add a node to the owner's network.

    No retrace: a new node has no links and no cameras yet, so it cannot be on any path.
    """
    node = Node(owner=owner, name=(name or "").strip(), kind=kind, location=_point(location),
                status=_status_checked(status), notes=notes)
    _clean(node)
    with pghistory.context(**history_actor(by), action="node_create"):
        node.save()
    logger.info("node created id=%s owner=%s kind=%s", node.pk, owner.pk, node.kind)
    return node


@transaction.atomic
def node_update(*, node: Node, by: User | None, reason: str = "", **changes: Any) -> Node:
    """Edit a node's name, kind, location or notes. Status changes go through node_status_set.

    A node may move only as far as its links' route ends allow (ROUTE_END_TOLERANCE_M): a
    cabinet moved further is in practice a new cabinet, so add a node, re-point the links
    (link_update with the new node and route) and retire the old one.
    """
    unknown = set(changes) - NODE_EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(f"These node fields cannot be changed here: {', '.join(sorted(unknown))}.")
    nulls_refused(Node, changes)
    _network_lock(node.owner_id)
    node = Node.objects.select_for_update().get(pk=node.pk)
    if "location" in changes:
        changes["location"] = _point(changes["location"])
    if "name" in changes:
        changes["name"] = (changes["name"] or "").strip()
    for name, value in changes.items():
        setattr(node, name, value)
    _clean(node)
    if "location" in changes:
        _links_still_reach(node)
    with pghistory.context(**history_actor(by), action="node_update", reason=reason):
        node.save()
    if "kind" in changes:  # becoming or ceasing to be a monitoring centre moves paths; a name or place does not
        paths_retrace(owner=node.owner)
    return node


def _links_still_reach(node: Node) -> None:
    """Refuse a move that leaves a link's route ending more than the tolerance from the node."""
    stranded = [
        str(link) for link in Link.objects.filter(Q(a_node=node) | Q(b_node=node)).order_by("id")
        if Point(link.route.coords[0 if link.a_node_id == node.pk else -1], srid=27700).distance(node.location)
        > ROUTE_END_TOLERANCE_M
    ]
    if stranded:
        raise InvalidInput(
            f"Moving {node.name} there leaves the routes of {', '.join(stranded)} ending more than "
            f"{ROUTE_END_TOLERANCE_M:.0f} m from it. Move the node by less, or add a new node and "
            "re-point those links to it."
        )


@transaction.atomic
def node_status_set(*, node: Node, status: str, by: User | None, reason: str = "") -> Node:
    """Put a node in or out of service. A node that does not carry breaks every path through it."""
    _status_checked(status)
    _network_lock(node.owner_id)
    node = Node.objects.select_for_update().get(pk=node.pk)
    if node.status == status:
        return node
    before = node.status
    node.status = status
    with pghistory.context(**history_actor(by), action="node_status", reason=reason):
        node.save(update_fields=["status"])
    paths_retrace(owner=node.owner)
    logger.info("node status id=%s %s->%s", node.pk, before, status)
    return node


# --- links ----------------------------------------------------------------------------------

def _route_between(route: GEOSGeometry, a_node: Node, b_node: Node) -> LineString:
    """The route in 27700, running from a_node to b_node; refused when its ends are off the nodes.

    A route drawn the other way round (from b to a) is accepted and reversed, so every stored
    route starts at its a node and a trace can draw each link in the direction it is walked.
    """
    stored = to_storage(route, what="route")
    if stored.geom_type != "LineString":
        raise InvalidInput("A route is a line (LineString).")
    start, end = Point(stored.coords[0], srid=27700), Point(stored.coords[-1], srid=27700)
    forward = (start.distance(a_node.location), end.distance(b_node.location))
    backward = (start.distance(b_node.location), end.distance(a_node.location))
    if max(forward) <= ROUTE_END_TOLERANCE_M:
        return stored
    if max(backward) <= ROUTE_END_TOLERANCE_M:
        return LineString(list(reversed(stored.coords)), srid=27700)
    raise InvalidInput(
        f"A route must start and end within {ROUTE_END_TOLERANCE_M:.0f} m of its two nodes: this one starts "
        f"{forward[0]:.0f} m from {a_node.name} and ends {forward[1]:.0f} m from {b_node.name}."
    )


def _nodes_checked(a_node: Node, b_node: Node, owner_id: int) -> None:
    if a_node.pk == b_node.pk:
        raise InvalidInput("A link joins two different nodes.")
    if a_node.owner_id != owner_id or b_node.owner_id != owner_id:
        raise InvalidInput("A link joins two nodes of the organisation that owns it.")


@transaction.atomic
def link_create(*, a_node: Node, b_node: Node, route: GEOSGeometry, by: User | None, kind: str = LinkKind.FIBRE,
                provider: str = "", circuit_ref: str = "", status: str = NetworkStatus.IN_SERVICE) -> Link:
    """Add a link between two nodes of one owner. Its length is measured from the route, in metres."""
    owner_id = a_node.owner_id
    _nodes_checked(a_node, b_node, owner_id)
    _network_lock(owner_id)
    stored = _route_between(route, a_node, b_node)
    link = Link(owner_id=owner_id, a_node=a_node, b_node=b_node, route=stored, length_m=stored.length, kind=kind,
                provider=provider, circuit_ref=circuit_ref, status=_status_checked(status))
    _clean(link)
    with pghistory.context(**history_actor(by), action="link_create"):
        link.save()
    paths_retrace(owner=link.owner)
    logger.info("link created id=%s owner=%s length_m=%.1f", link.pk, owner_id, link.length_m)
    return link


@transaction.atomic
def link_update(*, link: Link, by: User | None, reason: str = "", **changes: Any) -> Link:
    """Edit a link. A new route or node is checked as at creation and the length re-measured.

    Changing a node without a route keeps the old route only if it still ends on the nodes.
    """
    unknown = set(changes) - LINK_EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(f"These link fields cannot be changed here: {', '.join(sorted(unknown))}.")
    nulls_refused(Link, changes)
    _network_lock(link.owner_id)
    link = Link.objects.select_for_update().select_related("a_node", "b_node").get(pk=link.pk)
    for name, value in changes.items():
        setattr(link, name, value)
    if {"a_node", "b_node", "route"} & set(changes):
        _nodes_checked(link.a_node, link.b_node, link.owner_id)
        link.route = _route_between(link.route, link.a_node, link.b_node)
        link.length_m = link.route.length
    _clean(link)
    with pghistory.context(**history_actor(by), action="link_update", reason=reason):
        link.save()
    if {"a_node", "b_node", "route"} & set(changes):  # ends and length decide paths; provider and kind do not
        paths_retrace(owner=link.owner)
    return link


@transaction.atomic
def link_status_set(*, link: Link, status: str, by: User | None, reason: str = "") -> Link:
    """Put a link in or out of service. Cameras routed over it move to their next route, if any."""
    _status_checked(status)
    _network_lock(link.owner_id)
    link = Link.objects.select_for_update().get(pk=link.pk)
    if link.status == status:
        return link
    before = link.status
    link.status = status
    with pghistory.context(**history_actor(by), action="link_status", reason=reason):
        link.save(update_fields=["status"])
    paths_retrace(owner=link.owner)
    logger.info("link status id=%s %s->%s", link.pk, before, status)
    return link


# --- stored paths ---------------------------------------------------------------------------

@dataclass(frozen=True)
class RetraceCounts:
    """What a retrace found: cameras traced, with and without a path, and paths that changed."""

    cameras: int = 0
    complete: int = 0
    without_path: int = 0
    without_node: int = 0
    changed: int = 0

    def __add__(self, other: RetraceCounts) -> RetraceCounts:
        return RetraceCounts(*(a + b for a, b in zip(astuple(self), astuple(other), strict=True)))


@transaction.atomic
def paths_retrace(*, owner: Organisation | None = None) -> RetraceCounts:
    """Recompute and store every camera's path (of one owner, or of all), like NetBox's trace_paths.

    Per owner: the advisory lock, one query for the network, one for its cameras, one for the
    paths as stored (to count changes), one bulk upsert. Every camera gets a row, so "no path"
    is stored too.
    """
    owner_ids = [owner.pk] if owner is not None else sorted(
        Camera.objects.order_by().values_list("owner_id", flat=True).distinct()
    )
    return sum((_owner_paths_retrace(owner_id) for owner_id in owner_ids), RetraceCounts())


@transaction.atomic
def camera_path_refresh(*, camera: Camera) -> CameraPath:
    """Store one camera's path after it is registered or moved to another node.

    Takes the owner's network lock like a full retrace, so it never stores a path computed
    from a network another transaction is changing.
    """
    _network_lock(camera.owner_id)
    route = CentreRoutes(network_graph(owner_id=camera.owner_id)).route(camera.node_id)
    if route is not None:
        fields = {"node_ids": list(route.node_ids), "link_ids": list(route.link_ids), "is_complete": True}
    else:
        fields = {"node_ids": [camera.node_id] if camera.node_id else [], "link_ids": [], "is_complete": False}
    path, _ = CameraPath.objects.update_or_create(camera=camera, defaults=fields)
    return path


def _owner_paths_retrace(owner_id: int) -> RetraceCounts:
    _network_lock(owner_id)
    routes = CentreRoutes(network_graph(owner_id=owner_id))
    cameras = list(Camera.objects.filter(owner_id=owner_id).order_by("id").values_list("id", "node_id"))
    stored = {row[0]: row[1:] for row in CameraPath.objects.filter(camera__owner_id=owner_id)
              .values_list("camera_id", "node_ids", "link_ids", "is_complete")}
    paths, complete, without_node, changed = [], 0, 0, 0
    for camera_id, node_id in cameras:
        route = routes.route(node_id)
        if route is not None:
            path = CameraPath(camera_id=camera_id, node_ids=list(route.node_ids), link_ids=list(route.link_ids),
                              is_complete=True)
            complete += 1
        else:
            path = CameraPath(camera_id=camera_id, node_ids=[node_id] if node_id else [], link_ids=[],
                              is_complete=False)
            without_node += node_id is None
        changed += stored.get(camera_id) != (path.node_ids, path.link_ids, path.is_complete)
        paths.append(path)
    CameraPath.objects.bulk_create(
        paths, update_conflicts=True, unique_fields=["camera"],
        update_fields=["node_ids", "link_ids", "is_complete", "computed_at"],
    )
    if changed:
        logger.info("paths retraced owner=%s cameras=%s changed=%s", owner_id, len(cameras), changed)
    return RetraceCounts(cameras=len(cameras), complete=complete, without_path=len(cameras) - complete,
                         without_node=without_node, changed=changed)
