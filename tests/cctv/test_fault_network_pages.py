"""Fault, network and contract pages: clocks, workflow buttons, impact lists, access."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point
from django.utils import timezone

from cctv.choices import FaultPriority, FaultStatus, NodeKind
from cctv.models import Fault
from tests.cctv.factories import CameraFactory, ContractFactory, FaultFactory, LinkFactory, NodeFactory, SlaTermFactory


@pytest.fixture
def network(council):
    """centre ── trunk ── hub ── spur ── cabinet ─ camera A (one route only)."""
    centre = NodeFactory(owner=council, name="Control room", kind=NodeKind.MONITORING_CENTRE,
                         location=Point(312000, 170000, srid=27700))
    hub = NodeFactory(owner=council, name="Barry hub", kind=NodeKind.HUB, location=Point(311000, 168000, srid=27700))
    cabinet = NodeFactory(owner=council, name="Holton Road cabinet", location=Point(311000, 167500, srid=27700))
    trunk = LinkFactory(owner=council, a_node=hub, b_node=centre, circuit_ref="TRUNK-1")
    spur = LinkFactory(owner=council, a_node=cabinet, b_node=hub, circuit_ref="SPUR-1")
    camera = CameraFactory(owner=council, asset_ref="VOG-001", node=cabinet,
                           location=Point(311010, 167510, srid=27700))
    return {"centre": centre, "hub": hub, "cabinet": cabinet, "trunk": trunk, "spur": spur, "camera": camera}


def test_link_page_lists_the_cameras_a_cut_would_take_down(client, og_member, network):
    client.force_login(og_member)
    page = client.get(f"/network/links/{network['spur'].pk}/").content.decode()
    assert "1 camera cut off" in page and "VOG-001" in page


def test_camera_page_shows_its_path_to_the_monitoring_centre(client, og_member, network):
    client.force_login(og_member)
    page = client.get(f"/cameras/{network['camera'].pk}/").content.decode()
    trace = page[page.index('id="trace"'):]
    assert trace.index("Holton Road cabinet") < trace.index("SPUR-1") < trace.index("Barry hub") \
        < trace.index("TRUNK-1") < trace.index("Control room")


def test_police_cannot_open_the_network_pages(client, officer, network):
    client.force_login(officer)
    assert client.get("/network/").status_code == 403
    assert client.get(f"/network/links/{network['spur'].pk}/").status_code == 404


def test_link_fault_page_shows_the_cameras_it_takes_down(client, operator, network, council):
    fault = FaultFactory(owner=council, camera=None, link=network["spur"], priority=FaultPriority.P1)
    client.force_login(operator)
    page = client.get(f"/faults/{fault.pk}/").content.decode()
    assert "Cameras taken down (1)" in page and "VOG-001" in page


def test_fault_list_shows_an_overdue_clock(client, operator, council):
    now = timezone.now()
    FaultFactory(owner=council, reference="F-2026-00009", response_due_at=now - dt.timedelta(hours=1),
                 fix_due_at=now + dt.timedelta(hours=5))
    client.force_login(operator)
    page = client.get("/faults/").content.decode()
    assert "F-2026-00009" in page
    assert 'data-clock="overdue"' in page and 'data-clock="running"' in page


def test_operator_acknowledges_a_fault_from_its_page(client, operator, council):
    fault = FaultFactory(owner=council)
    client.force_login(operator)
    response = client.post(f"/faults/{fault.pk}/acknowledge/")
    assert response.status_code == 302
    fault.refresh_from_db()
    assert fault.status == FaultStatus.ACKNOWLEDGED and fault.acknowledged_by == operator


def test_closing_an_open_fault_is_refused_with_a_message(client, operator, council):
    fault = FaultFactory(owner=council)
    client.force_login(operator)
    response = client.post(f"/faults/{fault.pk}/close/", follow=True)
    fault.refresh_from_db()
    assert fault.status == FaultStatus.OPEN
    assert "acknowledge" in response.content.decode().lower()


def test_report_a_fault_page_opens_one_with_due_times(client, operator, council):
    contract = ContractFactory(owner=council, contractor=operator.organisation)
    SlaTermFactory(contract=contract, priority=FaultPriority.P2)
    camera = CameraFactory(owner=council)
    client.force_login(operator)
    response = client.post("/faults/new/", {"camera": camera.pk, "priority": "p2", "summary": "Picture frozen"})
    assert response.status_code == 302, response.content[:500]
    fault = Fault.objects.get(summary="Picture frozen")
    assert fault.fix_due_at - fault.reported_at == dt.timedelta(hours=16)
    refused = client.post("/faults/new/", {"camera": camera.pk, "priority": "p2", "summary": " "})
    assert refused.status_code == 400 and "summary" in refused.content.decode()


def test_contract_page_lists_the_sla_terms(client, og_member, council):
    contract = ContractFactory(owner=council, reference="VOG-CCTV-2023")
    SlaTermFactory(contract=contract, priority=FaultPriority.P1, response_minutes=60, fix_minutes=240)
    client.force_login(og_member)
    page = client.get("/contract/").content.decode()
    assert "VOG-CCTV-2023" in page and "60 min" in page and "240 min" in page


def test_engineer_sees_only_faults_assigned_to_them(client, engineer, council):
    mine = FaultFactory(owner=council, assigned_to=engineer, reference="F-2026-00100")
    FaultFactory(owner=council, reference="F-2026-00101")
    client.force_login(engineer)
    page = client.get("/faults/").content.decode()
    assert "F-2026-00100" in page and "F-2026-00101" not in page
    assert client.get(f"/faults/{mine.pk}/").status_code == 200


