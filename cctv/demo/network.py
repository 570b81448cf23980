"""The demo network: cabinets, hubs, the viewing platform and the monitoring centre, and their links.

The 2020-23 programme renewed "the fibre and connectivity links" (Safer Vale Partnership
Strategy 2023-2028). Here every camera reaches the Cardiff control room through a street
cabinet and a hub. The Barry hub has two routes to the centre (Openreach direct, and the
council's own fibre to Penarth, then Openreach), so one cut there takes no camera off air;
Sully hangs on one radio link and the western Vale on one Openreach circuit, so a fault on
either does. Routes are drawn as 2-4 vertex lines along plausible roads; their length is
measured from the line (cctv.services.network), never typed.

Positions are illustrative places in the Vale and Cardiff (lon/lat, WGS84). The control room
is placed at Cardiff Council's County Hall, Atlantic Wharf, at the data.police.uk point "On or
near Schooner Way" (street-level crime, January 2024, Open Government Licence v3.0); the viewing
platform at the point "On or near Police Station" in Barry, which is Barry Police Station.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field

from django.contrib.gis.geos import LineString, Point

from accounts.models import Organisation, User
from cctv.choices import LinkKind, NodeKind
from cctv.models import Link, Node
from cctv.services.network import link_create, node_create

logger = logging.getLogger(__name__)

MONITORING_CENTRE = "Cardiff Council CCTV Control Room"
VIEWING_PLATFORM = "Barry Police Station viewing platform"
BARRY_HUB = "Barry hub (Civic Offices)"
PENARTH_HUB = "Penarth hub (West House)"
LLANTWIT_HUB = "Llantwit Major hub (Town Hall)"
# The cabinets and links the demo's faults are about (cctv.demo.history).
BARRY_ISLAND_CABINET = "Barry Island cabinet"
COWBRIDGE_CABINET = "Cowbridge cabinet"
ESPLANADE_CABINET = "Esplanade cabinet"
SULLY_CABINET = "Sully cabinet"
SULLY_RADIO_LINK = "VOG/RL/001"
BARRY_DIRECT_LINK = "OR/EAD/VOG/0001"
COWBRIDGE_LINK = "OR/EAD/VOG/0006"

OPENREACH = "Openreach"
OWN_FIBRE = "Vale of Glamorgan Council own fibre"
OWN_RADIO = "Vale of Glamorgan Council point-to-point radio"
MOBILE_4G = "EE (4G router, VPN to the hub)"


@dataclass(frozen=True)
class NodeSpec:
    name: str
    kind: str
    lon: float
    lat: float
    notes: str = ""


@dataclass(frozen=True)
class LinkSpec:
    """A link from `a` to `b` (node names); `via` are the bends of its route, lon/lat."""

    circuit_ref: str
    a: str
    b: str
    kind: str
    provider: str
    via: tuple[tuple[float, float], ...] = ()


def _cabinet(name: str, lon: float, lat: float) -> NodeSpec:
    return NodeSpec(name, NodeKind.CABINET, lon, lat)


NODES: tuple[NodeSpec, ...] = (
    NodeSpec(MONITORING_CENTRE, NodeKind.MONITORING_CENTRE, -3.165889, 51.472381,
             "Monitoring centre of contract VOG-CCTV-2023, County Hall, Atlantic Wharf, Cardiff."),
    NodeSpec(VIEWING_PLATFORM, NodeKind.VIEWING_PLATFORM, -3.261303, 51.410659,
             "South Wales Police viewing platform, Barry Police Station, Gladstone Road (live view and review)."),
    NodeSpec(BARRY_HUB, NodeKind.HUB, -3.266000, 51.406800,
             "Head end for Barry: two routes to the monitoring centre."),
    NodeSpec(PENARTH_HUB, NodeKind.HUB, -3.180000, 51.435500, "Head end for Penarth and Dinas Powys."),
    NodeSpec(LLANTWIT_HUB, NodeKind.HUB, -3.486200, 51.408600,
             "Head end for Llantwit Major, Cowbridge and St Athan."),
    _cabinet("King Square cabinet", -3.267200, 51.406600),
    _cabinet("Holton Road east cabinet", -3.259800, 51.406800),
    _cabinet("Thompson Street cabinet", -3.268800, 51.404500),
    _cabinet("Barry Waterfront cabinet", -3.266000, 51.401200),
    _cabinet("Broad Street cabinet", -3.282000, 51.400100),
    _cabinet(BARRY_ISLAND_CABINET, -3.274000, 51.391800),
    _cabinet("Cadoxton cabinet", -3.253000, 51.411800),
    _cabinet("Port Road cabinet", -3.282600, 51.410800),
    _cabinet("Windsor Road cabinet", -3.180200, 51.440800),
    _cabinet("Albert Road cabinet", -3.175000, 51.436800),
    _cabinet(ESPLANADE_CABINET, -3.168500, 51.433500),
    _cabinet("Penarth Marina cabinet", -3.179000, 51.445200),
    _cabinet("Dinas Powys cabinet", -3.214000, 51.436000),
    _cabinet(COWBRIDGE_CABINET, -3.448500, 51.461500),
    _cabinet("Llantwit Major town cabinet", -3.485000, 51.409200),
    _cabinet("Boverton cabinet", -3.477000, 51.408000),
    _cabinet("Rhoose cabinet", -3.351000, 51.388500),
    _cabinet("St Athan cabinet", -3.415000, 51.401500),
    _cabinet("St Athan aerospace park cabinet", -3.405800, 51.387600),
    _cabinet(SULLY_CABINET, -3.215000, 51.407000),
)

LINKS: tuple[LinkSpec, ...] = (
    # The backbone: Barry's two routes to the centre, Penarth's own, the viewing platform, the west.
    LinkSpec(BARRY_DIRECT_LINK, BARRY_HUB, MONITORING_CENTRE, LinkKind.FIBRE, OPENREACH,
             via=((-3.245000, 51.416000), (-3.215000, 51.440000), (-3.190000, 51.462000))),
    LinkSpec("OR/EAD/VOG/0002", PENARTH_HUB, MONITORING_CENTRE, LinkKind.FIBRE, OPENREACH,
             via=((-3.190000, 51.448000), (-3.175000, 51.462000))),
    LinkSpec("VOG/OF/001", BARRY_HUB, PENARTH_HUB, LinkKind.FIBRE, OWN_FIBRE,
             via=((-3.230000, 51.412000), (-3.205000, 51.417000), (-3.187000, 51.430000))),
    LinkSpec("VOG/OF/002", BARRY_HUB, VIEWING_PLATFORM, LinkKind.FIBRE, OWN_FIBRE),
    LinkSpec("OR/EAD/VOG/0003", LLANTWIT_HUB, "Rhoose cabinet", LinkKind.FIBRE, OPENREACH,
             via=((-3.415000, 51.404000), (-3.380000, 51.395000))),
    LinkSpec("OR/EAD/VOG/0004", "Rhoose cabinet", "Port Road cabinet", LinkKind.FIBRE, OPENREACH,
             via=((-3.320000, 51.400000), (-3.300000, 51.406000))),
    LinkSpec("VOG/OF/017", "Port Road cabinet", BARRY_HUB, LinkKind.FIBRE, OWN_FIBRE, via=((-3.275000, 51.409000),)),
    # Barry cabinets
    LinkSpec("VOG/OF/010", "King Square cabinet", BARRY_HUB, LinkKind.FIBRE, OWN_FIBRE),
    LinkSpec("VOG/OF/011", "Holton Road east cabinet", BARRY_HUB, LinkKind.FIBRE, OWN_FIBRE),
    LinkSpec("VOG/OF/012", "Thompson Street cabinet", BARRY_HUB, LinkKind.FIBRE, OWN_FIBRE),
    LinkSpec("VOG/OF/013", "Barry Waterfront cabinet", "Thompson Street cabinet", LinkKind.FIBRE, OWN_FIBRE),
    LinkSpec("VOG/OF/014", "Broad Street cabinet", BARRY_HUB, LinkKind.FIBRE, OWN_FIBRE,
             via=((-3.275000, 51.403000),)),
    LinkSpec("VOG/OF/015", "Barry Island cabinet", "Broad Street cabinet", LinkKind.FIBRE, OWN_FIBRE,
             via=((-3.279000, 51.396000),)),
    LinkSpec("VOG/OF/016", "Cadoxton cabinet", "Holton Road east cabinet", LinkKind.FIBRE, OWN_FIBRE),
    # Penarth and Dinas Powys
    LinkSpec("VOG/OF/020", "Windsor Road cabinet", PENARTH_HUB, LinkKind.FIBRE, OWN_FIBRE),
    LinkSpec("VOG/OF/021", "Albert Road cabinet", PENARTH_HUB, LinkKind.FIBRE, OWN_FIBRE),
    LinkSpec("VOG/OF/022", "Esplanade cabinet", "Albert Road cabinet", LinkKind.FIBRE, OWN_FIBRE),
    LinkSpec("VOG/OF/023", "Penarth Marina cabinet", "Windsor Road cabinet", LinkKind.FIBRE, OWN_FIBRE),
    LinkSpec("OR/EAD/VOG/0005", "Dinas Powys cabinet", PENARTH_HUB, LinkKind.FIBRE, OPENREACH,
             via=((-3.200000, 51.438000),)),
    # The western Vale
    LinkSpec(COWBRIDGE_LINK, COWBRIDGE_CABINET, LLANTWIT_HUB, LinkKind.FIBRE, OPENREACH,
             via=((-3.470000, 51.440000),)),
    LinkSpec("VOG/OF/030", "Llantwit Major town cabinet", LLANTWIT_HUB, LinkKind.FIBRE, OWN_FIBRE),
    LinkSpec("VOG/OF/031", "Boverton cabinet", LLANTWIT_HUB, LinkKind.FIBRE, OWN_FIBRE),
    # Remote cameras: two radio links and one 4G link where there is no fibre.
    LinkSpec(SULLY_RADIO_LINK, SULLY_CABINET, "Cadoxton cabinet", LinkKind.WIRELESS, OWN_RADIO),
    LinkSpec("VOG/RL/002", "St Athan cabinet", LLANTWIT_HUB, LinkKind.WIRELESS, OWN_RADIO),
    LinkSpec("EE/4G/VOG/001", "St Athan aerospace park cabinet", LLANTWIT_HUB, LinkKind.CELLULAR_4G, MOBILE_4G),
)


def bng(lon: float, lat: float) -> Point:
    """A WGS84 position on the British National Grid (27700, metres), where geometry is stored."""
    return Point(lon, lat, srid=4326).transform(27700, clone=True)


@dataclass
class DemoNetwork:
    """The demo's nodes by name and links by circuit id, and which of them this run created."""

    nodes: dict[str, Node] = field(default_factory=dict)
    links: dict[str, Link] = field(default_factory=dict)
    nodes_created: set[str] = field(default_factory=set)
    links_created: set[str] = field(default_factory=set)

    def nearest_cabinet(self, location: Point) -> Node:
        """The cabinet a camera at `location` is wired to: the nearest (ties to the first listed)."""
        cabinets = [self.nodes[spec.name] for spec in NODES if spec.kind == NodeKind.CABINET]
        return min(cabinets, key=lambda node: node.location.distance(location))


def demo_network_ensure(*, owner: Organisation, by: User | None) -> DemoNetwork:
    """Create the nodes and links that are missing, by name and circuit id; leave existing ones alone."""
    network = DemoNetwork()
    existing_nodes = {node.name: node for node in Node.objects.filter(owner=owner, name__in=[n.name for n in NODES])}
    for spec in NODES:
        node = existing_nodes.get(spec.name)
        if node is None:
            node = node_create(owner=owner, by=by, name=spec.name, kind=spec.kind, location=bng(spec.lon, spec.lat),
                               notes=spec.notes)
            network.nodes_created.add(spec.name)
        network.nodes[spec.name] = node
    existing_links = {link.circuit_ref: link for link in
                      Link.objects.filter(owner=owner, circuit_ref__in=[spec.circuit_ref for spec in LINKS])}
    for spec in LINKS:
        link = existing_links.get(spec.circuit_ref)
        if link is None:
            a_node, b_node = network.nodes[spec.a], network.nodes[spec.b]
            route = LineString([a_node.location.coords, *(bng(*bend).coords for bend in spec.via),
                                b_node.location.coords], srid=27700)
            link = link_create(a_node=a_node, b_node=b_node, route=route, by=by, kind=spec.kind,
                               provider=spec.provider, circuit_ref=spec.circuit_ref)
            network.links_created.add(spec.circuit_ref)
        network.links[spec.circuit_ref] = link
    logger.info("demo network nodes_created=%s links_created=%s", len(network.nodes_created),
                len(network.links_created))
    return network
