"""PostGIS-heavy reads of the estate: one function per query, its SQL in cctv/sql/<function>.sql.

Parameters are always bound. Where a query takes a caller's queryset (GeoJSON of what a user may
see), that queryset's own SQL and parameters become the inner query, so the permission scope
decided by accounts.permissions is the one applied here too.
"""

from __future__ import annotations

import heapq
from collections import defaultdict, deque
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.db import connection
from django.db.models import QuerySet

from accounts.models import Organisation
from cctv.choices import NETWORK_STATUSES_CARRYING, NodeKind
from cctv.models import Camera, Link, Node

SQL_DIR = Path(__file__).resolve().parent / "sql"


@cache
def _sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


def _wrapped(name: str, queryset: QuerySet, columns: tuple[str, ...]) -> str:
    """Run the SQL file `name` around the queryset (as `{scoped}`) and return its one text value."""
    inner_sql, params = queryset.order_by().values(*columns).query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_sql(name).format(scoped=inner_sql), params)
        return cursor.fetchone()[0]


# network
#
# Two questions, answered two ways on purpose:
#
# * The trace (which way does this camera's picture go?) is the fewest-hops path to the nearest
#   monitoring centre, ties broken by length. It is found in Python: one query loads the carrying
#   part of the owner's network (hundreds of links, a few kilobytes), and a multi-source Dijkstra
#   from the centres costs O(E log V) and answers every camera at once, which is what
#   paths_retrace needs. A recursive CTE would have to enumerate every simple path to rank them,
#   and on a meshed network with rings that grows exponentially.
# * The impact (who loses every route if this fails?) is plain reachability: two breadth-first
#   walks from the centres over the same graph, with and without the failed element, O(V + E)
#   each. A recursive CTE gave the same answer but re-joined the whole edge list at every level
#   of the walk: 4 s for a survivable cut on a 10,000-link ring network (bench/estate_geojson.py),
#   against milliseconds here.
#
# Both read the same statuses (cctv.choices.NETWORK_STATUSES_CARRYING) and tests check they agree.

CARRYING = [str(status) for status in NETWORK_STATUSES_CARRYING]


@dataclass(frozen=True)
class NetworkGraph:
    """The carrying part of one owner's network.

    adjacency: node id -> [(link id, node at the other end, link length in metres)], both ways.
    link_ends: link id -> (a node id, b node id), to draw a link in the direction it is walked.
    centres: the monitoring centres that carry traffic.
    """

    adjacency: dict[int, list[tuple[int, int, float]]]
    link_ends: dict[int, tuple[int, int]]
    centres: frozenset[int]


@dataclass(frozen=True)
class Route:
    """A path from a node to its nearest monitoring centre: nodes and links in path order."""

    node_ids: tuple[int, ...]
    link_ids: tuple[int, ...]
    length_m: float

    @property
    def hop_count(self) -> int:
        return len(self.link_ids)


class CentreRoutes:
    """Every node's best route to a monitoring centre, from one multi-source Dijkstra.

    A route's cost is (hops, metres) compared in that order: fewest hops first (each hop is a
    cabinet or hub that can fail), then the shorter route. Costs only grow along a path, so
    Dijkstra holds for this ordered pair as for a number. Equal costs keep the first route
    found; nodes are taken in (cost, id) order and links in id order, so the answer is the same
    on every run.
    """

    def __init__(self, graph: NetworkGraph):
        self.cost: dict[int, tuple[int, float]] = {centre: (0, 0.0) for centre in graph.centres}
        # node -> (link to take, next node), or None at a centre
        self.toward: dict[int, tuple[int, int] | None] = {centre: None for centre in graph.centres}
        heap = [(0, 0.0, centre) for centre in sorted(graph.centres)]
        settled: set[int] = set()
        while heap:
            hops, length_m, node = heapq.heappop(heap)
            if node in settled:
                continue
            settled.add(node)
            for link_id, other, link_length_m in graph.adjacency.get(node, ()):
                candidate = (hops + 1, length_m + link_length_m)
                if other not in self.cost or candidate < self.cost[other]:
                    self.cost[other] = candidate
                    self.toward[other] = (link_id, node)
                    heapq.heappush(heap, (*candidate, other))

    def route(self, node_id: int | None) -> Route | None:
        """The route from this node, or None when it reaches no monitoring centre."""
        if node_id is None or node_id not in self.cost:
            return None
        node_ids, link_ids = [node_id], []
        step = self.toward[node_id]
        while step is not None:
            link_id, node_id = step
            link_ids.append(link_id)
            node_ids.append(node_id)
            step = self.toward[node_id]
        return Route(node_ids=tuple(node_ids), link_ids=tuple(link_ids), length_m=self.cost[node_ids[0]][1])


def network_graph(*, owner_id: int, include_link_id: int | None = None,
                  include_node_id: int | None = None) -> NetworkGraph:
    """Load the carrying links and monitoring centres of one owner's network in one query.

    A council's network is its own nodes and links (link_create refuses a link between two
    owners' nodes), so the walk never needs another owner's rows. `include_*` counts one link or
    node as carrying whatever its status (the "before" picture of an impact).
    """
    adjacency: dict[int, list[tuple[int, int, float]]] = defaultdict(list)
    link_ends: dict[int, tuple[int, int]] = {}
    centres = set()
    with connection.cursor() as cursor:
        cursor.execute(
            _sql("network_graph"),
            {"owner_id": owner_id, "carrying": CARRYING, "centre": str(NodeKind.MONITORING_CENTRE),
             "include_link_id": include_link_id, "include_node_id": include_node_id},
        )
        for row_kind, row_id, a_node_id, b_node_id, length_m in cursor.fetchall():
            if row_kind == "centre":
                centres.add(row_id)
                continue
            adjacency[a_node_id].append((row_id, b_node_id, length_m))
            adjacency[b_node_id].append((row_id, a_node_id, length_m))
            link_ends[row_id] = (a_node_id, b_node_id)
    return NetworkGraph(adjacency=dict(adjacency), link_ends=link_ends, centres=frozenset(centres))


@dataclass(frozen=True)
class Hop:
    """One step of a trace: a node or a link, with its geometry as WGS84 GeoJSON for the map."""

    type: str  # "node" or "link"
    id: int
    name: str
    kind: str
    status: str
    length_m: float | None
    geometry: str  # GeoJSON text, built by PostGIS


@dataclass(frozen=True)
class Trace:
    """A camera's path to the nearest monitoring centre as it stands now.

    An incomplete trace (no carrying route) holds only the camera's own node, or nothing when
    the camera is attached to no node.
    """

    camera: Camera
    is_complete: bool
    hops: list[Hop]
    length_m: float | None

    @property
    def hop_count(self) -> int:
        return sum(1 for hop in self.hops if hop.type == "link")

    @property
    def monitoring_centre(self) -> Hop | None:
        return self.hops[-1] if self.is_complete else None


def camera_trace(camera: Camera) -> Trace:
    """The fewest-hops (then shortest) path from the camera's node to a monitoring centre.

    Computed from the network as it is now, not read from the stored CameraPath, so a trace is
    right even before a retrace has run. Two queries: the owner's network, then the hops'
    geometry (sql/camera_trace.sql).
    """
    if camera.node_id is None:
        return Trace(camera=camera, is_complete=False, hops=[], length_m=None)
    graph = network_graph(owner_id=camera.owner_id)
    route = CentreRoutes(graph).route(camera.node_id)
    if route is None:
        return Trace(camera=camera, is_complete=False, hops=_hops((camera.node_id,), (), graph), length_m=None)
    return Trace(camera=camera, is_complete=True, hops=_hops(route.node_ids, route.link_ids, graph),
                 length_m=route.length_m)


def _hops(node_ids: tuple[int, ...], link_ids: tuple[int, ...], graph: NetworkGraph) -> list[Hop]:
    # A link walked from its b end towards its a end is drawn reversed, so lines follow the path.
    reversed_flags = [graph.link_ends[link_id][1] == node_ids[i] for i, link_id in enumerate(link_ids)]
    with connection.cursor() as cursor:
        cursor.execute(
            _sql("camera_trace"),
            {"node_ids": list(node_ids), "link_ids": list(link_ids), "reversed": reversed_flags},
        )
        return [Hop(type=row[0], id=row[2], name=row[3], kind=row[4], status=row[5], length_m=row[6],
                    geometry=row[7]) for row in cursor.fetchall()]


def reachable_nodes(graph: NetworkGraph, *, without_link: int | None = None,
                    without_node: int | None = None) -> set[int]:
    """Nodes with some route to a monitoring centre, optionally with one link or node removed."""
    seen = {centre for centre in graph.centres if centre != without_node}
    frontier = deque(seen)
    while frontier:
        node = frontier.popleft()
        for link_id, other, _length_m in graph.adjacency.get(node, ()):
            if link_id == without_link or other == without_node or other in seen:
                continue
            seen.add(other)
            frontier.append(other)
    return seen


def cameras_cut_off_by(*, link: Link | None = None, node: Node | None = None,
                       owner: Organisation | None = None) -> QuerySet[Camera]:
    """Cameras that lose every route to a monitoring centre when this link or node fails.

    Reachability with the element removed, not the stored paths: a camera whose current path
    runs through a failed link but which has a second route is not cut off. A node failure
    cuts off the cameras attached to that node. The failed element counts as carrying in the
    "before" network even when it is already down, so a down link's impact is the cameras it
    took down. `owner` defaults to the element's owner, whose network it is.
    """
    if (link is None) == (node is None):
        raise TypeError("cameras_cut_off_by takes exactly one of link= or node=.")
    element = link if link is not None else node
    owner_id = owner.pk if owner is not None else element.owner_id
    link_id = link.pk if link is not None else None
    node_id = node.pk if node is not None else None
    graph = network_graph(owner_id=owner_id, include_link_id=link_id, include_node_id=node_id)
    cut_nodes = reachable_nodes(graph) - reachable_nodes(graph, without_link=link_id, without_node=node_id)
    return Camera.objects.filter(owner_id=owner_id, node_id__in=cut_nodes).order_by("asset_ref")


def cameras_routed_through(*, link: Link | None = None, node: Node | None = None) -> QuerySet[Camera]:
    """Cameras whose stored current path runs through this link or node.

    One containment lookup (`link_ids @> ARRAY[id]`) on the GIN-indexed CameraPath arrays. This
    is where traffic flows today, not the impact of a failure: a camera listed here may have
    a second route (see cameras_cut_off_by).
    """
    if (link is None) == (node is None):
        raise TypeError("cameras_routed_through takes exactly one of link= or node=.")
    if link is not None:
        return Camera.objects.filter(path__link_ids__contains=[link.pk]).order_by("asset_ref")
    return Camera.objects.filter(path__node_ids__contains=[node.pk]).order_by("asset_ref")


NODE_COLUMNS = ("id", "name", "kind", "status", "owner_id", "location")
LINK_COLUMNS = ("id", "kind", "provider", "circuit_ref", "a_node_id", "b_node_id", "length_m", "status",
                "owner_id", "route")


def nodes_geojson(nodes: QuerySet[Node]) -> str:
    """The nodes of a (scoped, filtered) queryset as a FeatureCollection string, built in PostGIS."""
    return _wrapped("nodes_geojson", nodes, NODE_COLUMNS)


def links_geojson(links: QuerySet[Link]) -> str:
    """The links of a (scoped, filtered) queryset as a FeatureCollection string, built in PostGIS."""
    return _wrapped("links_geojson", links, LINK_COLUMNS)
