"""The estate pages: dashboard figures, camera list filters, camera detail, status change by form."""

import datetime as dt

import pytest
from django.utils import timezone

from cctv.choices import CameraStatus, FaultPriority
from cctv.geometry import point_from_input
from cctv.models import Fault
from cctv.services.cameras import camera_create, camera_status_record


def make_camera(owner, asset_ref, status=CameraStatus.OPERATIONAL, town="Barry", **fields):
    at = timezone.now() - dt.timedelta(days=3)
    return camera_create(owner=owner, by=None, asset_ref=asset_ref, name=f"Camera {asset_ref}",
                         location=point_from_input(-3.2727, 51.3915), bearing_deg=90, view_angle_deg=60,
                         view_range_m=80, status=status, town=town, status_at=at, **fields)


@pytest.fixture
def estate(council):
    cameras = [
        make_camera(council, "VOG-001"),
        make_camera(council, "VOG-002", town="Penarth"),
        make_camera(council, "VOG-003", status=CameraStatus.OFFLINE),
    ]
    now = timezone.now()
    Fault.objects.create(owner=council, reference="F-2026-00001", camera=cameras[2], priority=FaultPriority.P1,
                         summary="No picture", reported_at=now, fix_due_at=now - dt.timedelta(minutes=1),
                         fix_breached_at=now)
    Fault.objects.create(owner=council, reference="F-2026-00002", camera=cameras[1], priority=FaultPriority.P3,
                         summary="Dirty dome", reported_at=now)
    return cameras


def test_dashboard_counts_cameras_faults_and_breaches(client, og_member, estate):
    client.force_login(og_member)
    page = client.get("/estate/").content.decode()
    assert 'data-figure="cameras-total">3<' in page
    assert 'data-figure="open-faults">2<' in page
    assert 'data-figure="sla-breaches">1<' in page
    assert 'data-status-count="offline">1<' in page
    assert 'data-priority-count="p1">1<' in page


def test_dashboard_shows_this_months_availability(client, og_member, estate):
    client.force_login(og_member)
    page = client.get("/estate/").content.decode()
    # Two of three cameras up all month so far, one offline all month: 66.67%.
    assert 'data-figure="availability">66.67%<' in page


def test_camera_list_filters_by_status_and_search(client, operator, estate):
    client.force_login(operator)
    assert 'data-count>3<' in client.get("/cameras/").content.decode()
    offline = client.get("/cameras/?status=offline").content.decode()
    assert "VOG-003" in offline and "VOG-001" not in offline
    htmx = client.get("/cameras/?q=penarth", HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in htmx and "VOG-002" in htmx and "VOG-001" not in htmx


def test_police_of_another_force_see_no_cameras(client, officer_other_force, estate):
    client.force_login(officer_other_force)
    assert 'data-count>0<' in client.get("/cameras/").content.decode()
    assert client.get(f"/cameras/{estate[0].pk}/").status_code == 404


def test_camera_detail_shows_record_timeline_and_history(client, cctv_manager, estate):
    camera = estate[0]
    camera_status_record(camera=camera, status=CameraStatus.DEGRADED, by=cctv_manager, note="focus drift")
    client.force_login(cctv_manager)
    page = client.get(f"/cameras/{camera.pk}/").content.decode()
    assert "VOG-001" in page and "focus drift" in page
    assert 'id="map-data"' in page and "<script>" not in page  # no inline script
    assert "Edit or relocate" in page


def test_status_form_records_a_change_and_returns_the_timeline_fragment(client, operator, estate):
    camera = estate[0]
    client.force_login(operator)
    response = client.post(f"/cameras/{camera.pk}/status/", {"status": "faulty", "note": "lens cracked"},
                           HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    fragment = response.content.decode()
    assert "lens cracked" in fragment and "<html" not in fragment
    camera.refresh_from_db()
    assert camera.status == CameraStatus.FAULTY


def test_engineer_cannot_post_a_status_change(client, engineer, estate):
    client.force_login(engineer)
    assert client.post(f"/cameras/{estate[0].pk}/status/", {"status": "offline"}).status_code == 403


def test_relocation_form_requires_a_reason_and_refuses_out_of_area(client, cctv_manager, estate):
    camera = estate[0]
    client.force_login(cctv_manager)
    response = client.post(f"/cameras/{camera.pk}/relocate/", {"longitude": -2.28, "latitude": 53.46,
                                                               "reason": "moved"})
    assert response.status_code == 400
    assert "outside the service area" in response.content.decode()
    response = client.post(f"/cameras/{camera.pk}/relocate/", {"longitude": -3.2700, "latitude": 51.3930,
                                                               "reason": "Column replaced"})
    assert response.status_code == 302
    camera.refresh_from_db()
    assert camera.location.transform(4326, clone=True).x == pytest.approx(-3.27, abs=1e-6)
