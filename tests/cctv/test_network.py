r"""Network trace and impact, on a small network drawn by hand so every answer can be checked on paper.

Coordinates are metres east (x) and north (y) of E 311000 N 167000 (Barry) on the British
National Grid, so a link's length is the length of the lines drawn here (not to scale below).

    +------------------------ L1 ------------------------- M (0,0) monitoring centre
    | (-1000,0)                                             \
    L1  L1 winds west, south, then east:                     \  L2 500 m, straight to H2
    |   1000 + 400 + 700 = 2100 m                              \  (300 E, 400 S: a 3-4-5)
    +------ L1 ------ H1 ---- L7 400 m ---- C4 ---- L8 200 m ---- H2
    (-1000,-400)  (-300,-400)           (100,-400)             (300,-400)
                      |                  camera W                  |
                      L3 400 m                                     L4 400 m
                      |                                            |
                      C1 (-300,-800) ---------- L5 600 m --------- C2 (300,-800)
                      camera X
                      |
                      L6 300 m
                      |
                      C3 (-300,-1100)
                      camera Y

The answers:
- X at C1 has two routes: C1-L3-H1-L1-M (2 hops, 2500 m) and C1-L5-C2-L4-H2-L2-M (3 hops,
  1500 m). The trace takes the fewest hops even though that route is longer.
- Y at C3 hangs off C1 by L6 alone: C1's two routes are Y's too, but L6 or C3 failing cuts Y off.
- W at C4 has two routes of 2 hops: via L8-H2-L2 (700 m) and via L7-H1-L1 (2500 m). Length
  breaks the tie: via H2, although L7 was created first (lower id).
"""

import io
import json
import random
import threading
from dataclasses import dataclass

import pytest
from django.contrib.gis.geos import LineString, Point
from django.core.management import call_command
from django.db import connection, transaction
from django.test.utils import CaptureQueriesContext

from accounts.choices import OrganisationKind
from accounts.exceptions import InvalidInput
from cctv.choices import NetworkStatus, NodeKind
from cctv.models import Camera, CameraPath, Link, Node
from cctv.queries import CentreRoutes, NetworkGraph, camera_trace, cameras_cut_off_by, cameras_routed_through
from cctv.services.network import (
    NETWORK_LOCK_NAMESPACE,
    link_create,
    link_status_set,
    link_update,
    node_create,
    node_status_set,
    node_update,
)
from tests.accounts.factories import OrganisationFactory
from tests.cctv.factories import CameraFactory, LinkFactory, NodeFactory

E0, N0 = 311000.0, 167000.0
DOWN = NetworkStatus.DOWN


def at(x: float, y: float) -> Point:
    return Point(E0 + x, N0 + y, srid=27700)


def line(*points: tuple[float, float]) -> LineString:
    return LineString([(E0 + x, N0 + y) for x, y in points], srid=27700)


@dataclass
class Net:
    nodes: dict[str, Node]
    links: dict[str, Link]
    cameras: dict[str, Camera]


NODES = {
    "M": (NodeKind.MONITORING_CENTRE, (0, 0)),
    "H1": (NodeKind.HUB, (-300, -400)),
    "H2": (NodeKind.HUB, (300, -400)),
    "C1": (NodeKind.CABINET, (-300, -800)),
    "C2": (NodeKind.CABINET, (300, -800)),
    "C3": (NodeKind.CABINET, (-300, -1100)),
    "C4": (NodeKind.CABINET, (100, -400)),
}
LINKS = {  # circuit ref: (a node, b node, route drawn from a to b)
    "L1": ("M", "H1", [(0, 0), (-1000, 0), (-1000, -400), (-300, -400)]),
    "L2": ("M", "H2", [(0, 0), (300, -400)]),
    "L3": ("H1", "C1", [(-300, -400), (-300, -800)]),
    "L4": ("H2", "C2", [(300, -400), (300, -800)]),
    "L5": ("C1", "C2", [(-300, -800), (300, -800)]),
    "L6": ("C1", "C3", [(-300, -800), (-300, -1100)]),
    "L7": ("H1", "C4", [(-300, -400), (100, -400)]),
    "L8": ("C4", "H2", [(100, -400), (300, -400)]),
}
CAMERAS = {"X": "C1", "Y": "C3", "W": "C4"}


@pytest.fixture
def net(council, cctv_manager) -> Net:
    nodes = {name: node_create(owner=council, by=cctv_manager, name=name, kind=kind, location=at(*xy))
             for name, (kind, xy) in NODES.items()}
    cameras = {name: CameraFactory(owner=council, asset_ref=f"VOG-{name}", name=f"Camera {name}",
                                   location=at(*NODES[node][1]), node=nodes[node])
               for name, node in CAMERAS.items()}
    links = {ref: link_create(a_node=nodes[a], b_node=nodes[b], route=line(*points), by=cctv_manager,
                              circuit_ref=ref)
             for ref, (a, b, points) in LINKS.items()}
    return Net(nodes=nodes, links=links, cameras=cameras)


def refs(cameras) -> list[str]:
    return [camera.asset_ref.removeprefix("VOG-") for camera in cameras]


def trace_names(camera: Camera) -> list[str]:
    """Hops as drawn above: node names, and links by circuit ref (which the trace shows as their name)."""
    return [hop.name for hop in camera_trace(camera).hops]


def stored_path_names(net: Net, camera_name: str) -> tuple[list[str], list[str], bool]:
    path = CameraPath.objects.get(camera=net.cameras[camera_name])
    node_names = {node.pk: name for name, node in net.nodes.items()}
    link_names = {link.pk: name for name, link in net.links.items()}
    return [node_names[i] for i in path.node_ids], [link_names[i] for i in path.link_ids], path.is_complete


# --- length from geometry ---------------------------------------------------------------------

def test_link_length_is_measured_from_its_route_in_metres(net):
    assert net.links["L2"].length_m == pytest.approx(500.0)  # 300 E, 400 S
    assert net.links["L1"].length_m == pytest.approx(2100.0)  # 1000 + 400 + 700


def test_a_route_drawn_from_b_to_a_is_stored_from_a_to_b(net, cctv_manager):
    link = link_create(a_node=net.nodes["C2"], b_node=net.nodes["C4"], route=line((100, -400), (300, -800)),
                       by=cctv_manager)  # drawn from C4 to C2
    assert link.route.coords == ((E0 + 300, N0 - 800), (E0 + 100, N0 - 400))  # stored from C2, its a node
    assert link.length_m == pytest.approx((200**2 + 400**2) ** 0.5)


def test_a_route_ending_far_from_its_node_is_refused(net, cctv_manager):
    with pytest.raises(InvalidInput, match="within 50 m of its two nodes: this one starts 0 m from M and ends 200 m"):
        link_create(a_node=net.nodes["M"], b_node=net.nodes["C2"], route=line((0, 0), (300, -600)), by=cctv_manager)


def test_a_route_ending_within_the_tolerance_is_accepted(net, cctv_manager):
    link = link_create(a_node=net.nodes["M"], b_node=net.nodes["C2"], route=line((0, 0), (300, -760)),
                       by=cctv_manager)  # 40 m short of C2
    assert link.length_m == pytest.approx((300**2 + 760**2) ** 0.5)


def test_a_link_between_two_owners_networks_is_refused(net, cctv_manager):
    other = OrganisationFactory(name="Bridgend County Borough Council", kind=OrganisationKind.COUNCIL)
    theirs = NodeFactory(owner=other, location=at(0, -50))
    with pytest.raises(InvalidInput, match="two nodes of the organisation that owns it"):
        link_create(a_node=net.nodes["M"], b_node=theirs, route=line((0, 0), (0, -50)), by=cctv_manager)


def test_a_new_route_re_measures_the_length(net, cctv_manager):
    link = link_update(link=net.links["L2"], by=cctv_manager, reason="re-surveyed",
                       route=line((0, 0), (300, 0), (300, -400)))
    assert link.length_m == pytest.approx(700.0)


def test_moving_a_node_away_from_its_links_is_refused(net, cctv_manager):
    with pytest.raises(InvalidInput, match="leaves the routes of Fibre L3, Fibre L5, Fibre L6 ending more than 50 m"):
        node_update(node=net.nodes["C1"], by=cctv_manager, location=at(-300, -900))
    node_update(node=net.nodes["C1"], by=cctv_manager, location=at(-300, -810))  # 10 m: still on its links


# --- trace ------------------------------------------------------------------------------------

def test_trace_takes_the_fewest_hops_even_when_another_route_is_shorter(net):
    trace = camera_trace(net.cameras["X"])
    assert trace.is_complete
    assert trace_names(net.cameras["X"]) == ["C1", "L3", "H1", "L1", "M"]
    assert (trace.hop_count, trace.length_m) == (2, pytest.approx(2500.0))
    assert trace.monitoring_centre.name == "M"


def test_trace_of_a_camera_with_one_route(net):
    trace = camera_trace(net.cameras["Y"])
    assert [hop.name for hop in trace.hops] == ["C3", "L6", "C1", "L3", "H1", "L1", "M"]
    assert [hop.type for hop in trace.hops] == ["node", "link"] * 3 + ["node"]
    assert (trace.hop_count, trace.length_m) == (3, pytest.approx(2800.0))


def test_equal_hop_routes_are_decided_by_length_not_by_which_link_came_first(net):
    trace = camera_trace(net.cameras["W"])
    assert [hop.name for hop in trace.hops] == ["C4", "L8", "H2", "L2", "M"]
    assert trace.length_m == pytest.approx(700.0)


def test_trace_draws_each_link_in_the_direction_it_is_walked(net):
    # X walks L1 from H1 to M, against the way it was drawn (M to H1).
    l1 = next(hop for hop in camera_trace(net.cameras["X"]).hops if hop.name == "L1")
    coordinates = json.loads(l1.geometry)["coordinates"]
    h1 = at(-300, -400).transform(4326, clone=True)
    m = at(0, 0).transform(4326, clone=True)
    assert coordinates[0] == pytest.approx([h1.x, h1.y], abs=1e-6)
    assert coordinates[-1] == pytest.approx([m.x, m.y], abs=1e-6)


def test_a_down_link_is_skipped(net, cctv_manager):
    link_status_set(link=net.links["L3"], status=DOWN, by=cctv_manager, reason="fibre cut by roadworks")
    assert trace_names(net.cameras["X"]) == ["C1", "L5", "C2", "L4", "H2", "L2", "M"]


def test_a_down_node_is_skipped(net, cctv_manager):
    node_status_set(node=net.nodes["H1"], status=DOWN, by=cctv_manager, reason="power failure")
    assert trace_names(net.cameras["X"]) == ["C1", "L5", "C2", "L4", "H2", "L2", "M"]
    assert trace_names(net.cameras["Y"]) == ["C3", "L6", "C1", "L5", "C2", "L4", "H2", "L2", "M"]
    assert trace_names(net.cameras["W"]) == ["C4", "L8", "H2", "L2", "M"]


def test_a_degraded_link_still_carries(net, cctv_manager):
    link_status_set(link=net.links["L3"], status=NetworkStatus.DEGRADED, by=cctv_manager)
    assert trace_names(net.cameras["X"]) == ["C1", "L3", "H1", "L1", "M"]


def test_a_camera_with_no_route_has_an_incomplete_trace_holding_only_its_node(net, cctv_manager):
    link_status_set(link=net.links["L6"], status=DOWN, by=cctv_manager)
    trace = camera_trace(net.cameras["Y"])
    assert (trace.is_complete, [hop.name for hop in trace.hops], trace.length_m) == (False, ["C3"], None)
    assert trace.monitoring_centre is None


def test_a_camera_on_no_node_has_an_empty_trace(council):
    trace = camera_trace(CameraFactory(owner=council, node=None))
    assert (trace.is_complete, trace.hops) == (False, [])


# --- stored paths -----------------------------------------------------------------------------

def test_stored_paths_match_the_trace(net):
    assert stored_path_names(net, "X") == (["C1", "H1", "M"], ["L3", "L1"], True)
    assert stored_path_names(net, "Y") == (["C3", "C1", "H1", "M"], ["L6", "L3", "L1"], True)
    assert stored_path_names(net, "W") == (["C4", "H2", "M"], ["L8", "L2"], True)


def test_a_status_change_retraces_the_stored_paths_in_the_same_transaction(net, cctv_manager):
    link_status_set(link=net.links["L3"], status=DOWN, by=cctv_manager)
    assert stored_path_names(net, "X") == (["C1", "C2", "H2", "M"], ["L5", "L4", "L2"], True)
    link_status_set(link=net.links["L5"], status=DOWN, by=cctv_manager)
    assert stored_path_names(net, "X") == (["C1"], [], False)
    link_status_set(link=net.links["L3"], status=NetworkStatus.IN_SERVICE, by=cctv_manager)
    assert stored_path_names(net, "X") == (["C1", "H1", "M"], ["L3", "L1"], True)


def test_a_cabinet_made_a_monitoring_centre_takes_the_cameras_now_nearer_to_it(net, cctv_manager):
    node_update(node=net.nodes["C2"], by=cctv_manager, kind=NodeKind.MONITORING_CENTRE, reason="new control room")
    assert stored_path_names(net, "X") == (["C1", "C2"], ["L5"], True)  # 1 hop beats 2
    # W: 2 hops to either centre; C2 by L8-L4 is 600 m, M by L8-L2 is 700 m.
    assert stored_path_names(net, "W") == (["C4", "H2", "C2"], ["L8", "L4"], True)


@pytest.mark.django_db(transaction=True)
def test_two_changes_at_once_take_turns_so_the_later_retrace_sees_the_earlier_change(net, cctv_manager):
    """The race the advisory lock closes.

    A takes L3 down and holds its transaction open; B takes L5 down meanwhile. Unlocked, B would
    retrace from a network where L3 still carries, store X's path through L3 after A commits,
    and leave X shown as connected with both its routes down.
    """
    a_changed, a_may_commit = threading.Event(), threading.Event()
    errors = []

    def in_thread(work):
        def run():
            try:
                work()
            except Exception as exc:  # handed to the test thread, which fails on it
                errors.append(exc)
            finally:
                connection.close()
        return threading.Thread(target=run)

    def a():
        with transaction.atomic():
            link_status_set(link=net.links["L3"], status=DOWN, by=cctv_manager)
            a_changed.set()
            assert a_may_commit.wait(timeout=10)

    def b():
        assert a_changed.wait(timeout=10)
        link_status_set(link=net.links["L5"], status=DOWN, by=cctv_manager)

    threads = [in_thread(a), in_thread(b)]
    for thread in threads:
        thread.start()
    assert a_changed.wait(timeout=10)
    _wait_until_a_session_waits_for_an_advisory_lock()
    a_may_commit.set()
    for thread in threads:
        thread.join(timeout=10)
    assert errors == []
    assert stored_path_names(net, "X") == (["C1"], [], False)


def _wait_until_a_session_waits_for_an_advisory_lock(attempts: int = 200) -> None:
    with connection.cursor() as cursor:
        for _ in range(attempts):
            cursor.execute(
                "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted AND classid = %s"
                " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
                [NETWORK_LOCK_NAMESPACE],
            )
            if cursor.fetchone()[0]:
                return
            threading.Event().wait(0.05)
    raise AssertionError("B never queued behind A's lock on the network")


def test_a_status_change_is_kept_in_history_with_who_and_why(net, cctv_manager):
    link_status_set(link=net.links["L6"], status=DOWN, by=cctv_manager, reason="fibre cut by roadworks")
    event = Link.pgh_event_model.objects.filter(pgh_obj_id=net.links["L6"].pk).order_by("-pgh_id").first()
    assert event.status == DOWN
    assert event.pgh_context.metadata["reason"] == "fibre cut by roadworks"
    assert event.pgh_context.metadata["username"] == cctv_manager.username


def test_retrace_paths_command_prints_its_counts(net, council):
    CameraFactory(owner=council, asset_ref="VOG-V", node=None)
    CameraPath.objects.all().delete()
    out = io.StringIO()
    call_command("retrace_paths", stdout=out)
    assert out.getvalue().strip() == (
        "Retraced 4 cameras: 3 with a path to a monitoring centre, 1 without (1 not attached to a node); "
        "4 paths changed."
    )
    assert CameraPath.objects.count() == 4
    out = io.StringIO()
    call_command("retrace_paths", f"--owner={council.pk}", stdout=out)
    assert out.getvalue().strip().endswith("; 0 paths changed.")


# --- impact -----------------------------------------------------------------------------------

def test_cutting_the_link_on_ys_only_route_cuts_y_off_but_not_x(net):
    assert refs(cameras_cut_off_by(link=net.links["L6"])) == ["Y"]


def test_cutting_one_of_xs_two_routes_leaves_x_connected(net):
    assert refs(cameras_cut_off_by(link=net.links["L3"])) == []
    assert refs(cameras_cut_off_by(link=net.links["L1"])) == []


def test_cutting_both_of_xs_routes_cuts_x_off(net, cctv_manager):
    link_status_set(link=net.links["L3"], status=DOWN, by=cctv_manager)
    assert refs(cameras_cut_off_by(link=net.links["L5"])) == ["X", "Y"]


def test_a_down_links_impact_is_the_cameras_it_took_down(net, cctv_manager):
    link_status_set(link=net.links["L6"], status=DOWN, by=cctv_manager)
    assert refs(cameras_cut_off_by(link=net.links["L6"])) == ["Y"]


def test_a_cabinet_failure_cuts_off_its_own_cameras(net):
    assert refs(cameras_cut_off_by(node=net.nodes["C3"])) == ["Y"]
    assert refs(cameras_cut_off_by(node=net.nodes["C1"])) == ["X", "Y"]  # Y's only way out is through C1


def test_a_hub_failure_cuts_off_no_camera_with_another_route(net):
    assert refs(cameras_cut_off_by(node=net.nodes["H1"])) == []
    assert refs(cameras_cut_off_by(node=net.nodes["H2"])) == []


def test_a_monitoring_centre_failure_cuts_off_every_camera(net):
    assert refs(cameras_cut_off_by(node=net.nodes["M"])) == ["W", "X", "Y"]


def test_a_down_node_counts_in_the_impact_of_another_failure(net, cctv_manager):
    node_status_set(node=net.nodes["H2"], status=DOWN, by=cctv_manager)
    assert refs(cameras_cut_off_by(link=net.links["L3"])) == ["X", "Y"]
    assert refs(cameras_cut_off_by(node=net.nodes["H1"])) == ["W", "X", "Y"]


def test_routed_through_reads_stored_paths_and_is_not_the_impact(net):
    assert refs(cameras_routed_through(link=net.links["L1"])) == ["X", "Y"]
    assert refs(cameras_cut_off_by(link=net.links["L1"])) == []
    assert refs(cameras_routed_through(link=net.links["L2"])) == ["W"]
    assert refs(cameras_routed_through(node=net.nodes["C1"])) == ["X", "Y"]


def test_routed_through_is_an_index_lookup_on_the_gin_arrays(net):
    sql, params = cameras_routed_through(link=net.links["L1"]).query.sql_with_params()
    with connection.cursor() as cursor:
        # A table of three rows is cheaper to scan; take the scans away to see which index can answer.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute(f"EXPLAIN {sql}", params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "camera_path_links_gin" in plan


def test_impact_leaves_out_another_councils_cameras(net, cctv_manager):
    other = OrganisationFactory(name="Bridgend County Borough Council", kind=OrganisationKind.COUNCIL)
    CameraFactory(owner=other, node=NodeFactory(owner=other, location=at(0, -50)))
    assert refs(cameras_cut_off_by(node=net.nodes["M"])) == ["W", "X", "Y"]


def test_impact_agrees_with_the_trace_on_a_random_meshed_network(council):
    """Every link of a random network: cut off == had a route, has none without it (by Dijkstra)."""
    rng = random.Random(20240612)
    centre = NodeFactory(owner=council, kind=NodeKind.MONITORING_CENTRE)
    nodes = [centre] + [NodeFactory(owner=council, status=rng.choice([NetworkStatus.IN_SERVICE] * 6 + [DOWN]))
                        for _ in range(24)]
    links = [LinkFactory(owner=council, a_node=nodes[i], b_node=rng.choice(nodes[:i]),
                         status=rng.choice([NetworkStatus.IN_SERVICE] * 5 + [DOWN])) for i in range(1, 25)]
    links += [LinkFactory(owner=council, a_node=a, b_node=b)
              for a, b in (rng.sample(nodes, 2) for _ in range(10))]
    cameras = [CameraFactory(owner=council, node=node) for node in nodes]
    for link in links:
        expected = {camera.pk for camera in cameras
                    if _reaches(links, camera.node, forced_up=link) and not _reaches(links, camera.node, removed=link)}
        assert set(cameras_cut_off_by(link=link).values_list("pk", flat=True)) == expected, link


def _reaches(links: list[Link], node: Node, *, forced_up: Link | None = None, removed: Link | None = None) -> bool:
    """The Python side of the comparison: CentreRoutes over the links that would carry."""
    carrying = {NetworkStatus.IN_SERVICE, NetworkStatus.DEGRADED}
    adjacency, centres = {}, set()
    for link in links:
        ends = (link.a_node, link.b_node)
        centres.update(end.pk for end in ends if end.kind == NodeKind.MONITORING_CENTRE and end.status in carrying)
        if link == removed or not all(end.status in carrying for end in ends):
            continue
        if link.status in carrying or link == forced_up:
            adjacency.setdefault(link.a_node_id, []).append((link.pk, link.b_node_id, link.length_m))
            adjacency.setdefault(link.b_node_id, []).append((link.pk, link.a_node_id, link.length_m))
    graph = NetworkGraph(adjacency=adjacency, link_ends={}, centres=frozenset(centres))
    return CentreRoutes(graph).route(node.pk) is not None


# --- API --------------------------------------------------------------------------------------

def lon_lat(x: float, y: float) -> list[float]:
    point = at(x, y).transform(4326, clone=True)
    return [point.x, point.y]


def test_trace_endpoint_gives_the_hops_in_order_with_wgs84_geometry(client, net, engineer):
    client.force_login(engineer)
    response = client.get(f"/api/network/cameras/{net.cameras['X'].pk}/trace")
    assert response.status_code == 200
    body = response.json()
    assert [(hop["type"], hop["name"]) for hop in body["hops"]] == [
        ("node", "C1"), ("link", "L3"), ("node", "H1"), ("link", "L1"), ("node", "M"),
    ]
    assert (body["is_complete"], body["hop_count"], body["length_m"]) == (True, 2, 2500.0)
    assert body["monitoring_centre"]["id"] == net.nodes["M"].pk
    assert body["camera"]["asset_ref"] == "VOG-X"
    m = body["hops"][-1]["geometry"]
    assert m["type"] == "Point" and m["coordinates"] == pytest.approx(lon_lat(0, 0), abs=1e-6)
    l3 = body["hops"][1]["geometry"]
    assert l3["type"] == "LineString"
    start, end = l3["coordinates"]  # C1 to H1, the way X walks it
    assert start == pytest.approx(lon_lat(-300, -800), abs=1e-6) and end == pytest.approx(lon_lat(-300, -400), abs=1e-6)


def test_link_impact_endpoint_lists_cameras_cut_off_and_cameras_routed_through(client, net, operator):
    client.force_login(operator)
    body = client.get(f"/api/network/links/{net.links['L6'].pk}/impact").json()
    assert (body["subject"], body["cut_off_count"]) == ("link", 1)
    assert [camera["asset_ref"] for camera in body["cut_off"]] == ["VOG-Y"]
    body = client.get(f"/api/network/links/{net.links['L1'].pk}/impact").json()
    assert body["cut_off"] == []
    assert [camera["asset_ref"] for camera in body["routed_through"]] == ["VOG-X", "VOG-Y"]


def test_node_impact_endpoint_counts_the_cabinets_own_cameras(client, net, og_member):
    client.force_login(og_member)
    body = client.get(f"/api/network/nodes/{net.nodes['C1'].pk}/impact").json()
    assert [camera["asset_ref"] for camera in body["cut_off"]] == ["VOG-X", "VOG-Y"]


def test_a_link_posted_in_wgs84_gets_its_length_from_the_route_not_from_the_request(client, net, cctv_manager):
    client.force_login(cctv_manager)
    response = client.post("/api/network/links", {
        "a_node_id": net.nodes["M"].pk, "b_node_id": net.nodes["H2"].pk,
        "route": [lon_lat(0, 0), lon_lat(300, -400)], "length_m": 1, "kind": "wireless", "circuit_ref": "L9",
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["length_m"] == pytest.approx(500.0, abs=0.1)
    assert body["route"][0] == pytest.approx(lon_lat(0, 0), abs=1e-6)
    assert Link.objects.get(pk=body["id"]).length_m == pytest.approx(500.0, abs=0.01)


def test_a_route_far_from_its_nodes_is_refused_with_400_and_nothing_is_written(client, net, cctv_manager):
    client.force_login(cctv_manager)
    before = Link.objects.count()
    response = client.post("/api/network/links", {
        "a_node_id": net.nodes["M"].pk, "b_node_id": net.nodes["C2"].pk,
        "route": [[E0, N0], [E0 + 300, N0 - 600]], "srid": 27700,
    }, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "A route must start and end within 50 m of its two nodes: this one starts "
                                         "0 m from M and ends 200 m from C2."}
    assert Link.objects.count() == before


def test_a_route_in_an_unaccepted_srid_is_refused_with_400(client, net, cctv_manager):
    client.force_login(cctv_manager)
    response = client.post("/api/network/links", {
        "a_node_id": net.nodes["M"].pk, "b_node_id": net.nodes["H2"].pk, "route": [[0, 0], [1, 1]], "srid": 3857,
    }, content_type="application/json")
    assert response.status_code == 400
    assert response.json()["detail"] == "SRID 3857 is not accepted; use one of 4326, 27700."


def test_setting_a_link_down_through_the_api_reroutes_the_trace(client, net, cctv_manager):
    client.force_login(cctv_manager)
    response = client.post(f"/api/network/links/{net.links['L3'].pk}/status",
                           {"status": "down", "reason": "fibre cut by roadworks"}, content_type="application/json")
    assert response.status_code == 200 and response.json()["status"] == "down"
    hops = client.get(f"/api/network/cameras/{net.cameras['X'].pk}/trace").json()["hops"]
    assert [hop["name"] for hop in hops] == ["C1", "L5", "C2", "L4", "H2", "L2", "M"]


def test_an_unknown_status_is_refused_with_422(client, net, cctv_manager):
    client.force_login(cctv_manager)
    response = client.post(f"/api/network/nodes/{net.nodes['H1'].pk}/status", {"status": "broken"},
                           content_type="application/json")
    assert response.status_code == 422
    assert response.json()["detail"].startswith("status: Input should be")


def test_a_manager_adds_a_node_in_wgs84_for_their_council(client, net, cctv_manager, council):
    client.force_login(cctv_manager)
    response = client.post("/api/network/nodes", {
        "name": "Barry Police Station", "kind": "viewing_platform",
        "location": {"x": lon_lat(50, 50)[0], "y": lon_lat(50, 50)[1]},
    }, content_type="application/json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["owner_id"], body["kind"], body["status"]) == (council.pk, "viewing_platform", "in_service")
    assert (body["easting"], body["northing"]) == pytest.approx((E0 + 50, N0 + 50), abs=0.01)


def test_a_duplicate_node_name_is_refused_with_400(client, net, cctv_manager):
    client.force_login(cctv_manager)
    response = client.post("/api/network/nodes", {"name": "M", "kind": "hub", "location": {
        "x": E0, "y": N0, "srid": 27700}}, content_type="application/json")
    assert response.status_code == 400
    assert "already exists" in response.json()["detail"]


def test_an_administrator_must_say_which_organisation_owns_a_new_node(client, net, admin_user, council):
    client.force_login(admin_user)
    payload = {"name": "Hub 3", "kind": "hub", "location": {"x": E0 + 10, "y": N0 + 10, "srid": 27700}}
    response = client.post("/api/network/nodes", payload, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": "Say which organisation owns the node (owner_id)."}
    response = client.post("/api/network/nodes", {**payload, "owner_id": council.pk}, content_type="application/json")
    assert response.status_code == 201


def test_nodes_geojson_is_a_feature_collection_in_wgs84(client, net, engineer):
    client.force_login(engineer)
    response = client.get("/api/network/nodes/geojson")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/geo+json"
    body = json.loads(response.content)
    assert body["type"] == "FeatureCollection" and len(body["features"]) == 7
    m = next(feature for feature in body["features"] if feature["properties"]["name"] == "M")
    assert m["geometry"]["coordinates"] == pytest.approx(lon_lat(0, 0), abs=1e-6)
    assert m["properties"]["kind"] == "monitoring_centre"
    hubs = json.loads(client.get("/api/network/nodes/geojson?kind=hub").content)
    assert [feature["properties"]["name"] for feature in hubs["features"]] == ["H1", "H2"]


def test_links_geojson_carries_length_and_status(client, net, cctv_manager):
    link_status_set(link=net.links["L6"], status=DOWN, by=cctv_manager)
    client.force_login(cctv_manager)
    body = json.loads(client.get("/api/network/links/geojson").content)
    assert len(body["features"]) == 8
    l2 = next(feature for feature in body["features"] if feature["properties"]["circuit_ref"] == "L2")
    assert (l2["geometry"]["type"], l2["properties"]["length_m"]) == ("LineString", 500.0)
    down = json.loads(client.get("/api/network/links/geojson?status=down").content)
    assert [feature["properties"]["circuit_ref"] for feature in down["features"]] == ["L6"]


def test_an_empty_selection_is_an_empty_feature_collection(client, net, engineer):
    client.force_login(engineer)
    body = json.loads(client.get("/api/network/links/geojson?status=planned").content)
    assert body == {"type": "FeatureCollection", "features": []}


def test_lists_take_the_same_few_queries_however_many_rows(client, net, engineer, council):
    """Session, user, the user's organisations, count, rows: 5."""
    client.force_login(engineer)
    client.get("/")  # the session's activity stamp is written on the first request, then once a minute
    urls = ["/api/network/nodes", "/api/network/links", "/api/network/nodes/geojson", "/api/network/links/geojson"]
    counts = []
    for _ in range(2):
        for url in urls:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(url).status_code == 200
            counts.append(len(queries))
        LinkFactory.create_batch(10, owner=council)
    assert counts[:4] == counts[4:]
    assert max(counts) <= 5


# --- who may do what --------------------------------------------------------------------------

def _reads(net: Net) -> list[str]:
    return [
        "/api/network/nodes", "/api/network/links", "/api/network/nodes/geojson", "/api/network/links/geojson",
        f"/api/network/nodes/{net.nodes['M'].pk}", f"/api/network/links/{net.links['L1'].pk}",
        f"/api/network/nodes/{net.nodes['C1'].pk}/impact", f"/api/network/links/{net.links['L6'].pk}/impact",
        f"/api/network/cameras/{net.cameras['X'].pk}/trace",
    ]


@pytest.mark.parametrize("role, status", [
    ("cctv_manager", 200), ("operator", 200), ("og_member", 200), ("engineer", 200), ("auditor", 200),
    ("admin_user", 200), ("officer", 403), ("officer_other_force", 403),
])
def test_who_may_read_the_network(client, net, request, role, status):
    client.force_login(request.getfixturevalue(role))
    assert {url: client.get(url).status_code for url in _reads(net)} == {url: status for url in _reads(net)}


@pytest.mark.parametrize("role, status", [
    ("cctv_manager", 200), ("admin_user", 200), ("operator", 403), ("og_member", 403), ("engineer", 403),
    ("auditor", 403), ("officer", 403), ("officer_other_force", 403),
])
def test_who_may_change_the_network(client, net, request, role, status):
    client.force_login(request.getfixturevalue(role))
    response = client.post(f"/api/network/links/{net.links['L6'].pk}/status", {"status": "down"},
                           content_type="application/json")
    assert response.status_code == status
    assert Link.objects.get(pk=net.links["L6"].pk).status == (DOWN if status == 200 else NetworkStatus.IN_SERVICE)


def test_the_police_are_told_they_may_not_rather_than_not_found(client, net, officer):
    client.force_login(officer)
    response = client.get(f"/api/network/nodes/{net.nodes['M'].pk}")
    assert response.status_code == 403
    assert response.json() == {"detail": "Your role may not view this node."}


@pytest.fixture
def other_council_network(db):
    other = OrganisationFactory(name="Bridgend County Borough Council", kind=OrganisationKind.COUNCIL)
    link = LinkFactory(owner=other)
    camera = CameraFactory(owner=other, node=link.a_node)
    return link, camera


@pytest.mark.parametrize("role", ["cctv_manager", "engineer", "auditor"])
def test_another_councils_network_is_not_found(client, net, other_council_network, request, role):
    link, camera = other_council_network
    client.force_login(request.getfixturevalue(role))
    for url in (f"/api/network/nodes/{link.a_node_id}", f"/api/network/links/{link.pk}",
                f"/api/network/nodes/{link.a_node_id}/impact", f"/api/network/links/{link.pk}/impact",
                f"/api/network/cameras/{camera.pk}/trace"):
        assert client.get(url).status_code == 404, url
    names = [f["properties"]["name"] for f in json.loads(client.get("/api/network/nodes/geojson").content)["features"]]
    assert link.a_node.name not in names and len(names) == 7


def test_a_link_to_another_councils_node_is_refused_as_unknown(client, net, other_council_network, cctv_manager):
    link, _ = other_council_network
    client.force_login(cctv_manager)
    response = client.post("/api/network/links", {
        "a_node_id": net.nodes["M"].pk, "b_node_id": link.a_node_id, "route": [[E0, N0], [E0, N0 - 10]],
        "srid": 27700,
    }, content_type="application/json")
    assert response.status_code == 400
    assert response.json() == {"detail": f"Node {link.a_node_id} does not exist or is not yours."}
