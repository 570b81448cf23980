"""Dragging a proposed camera on the map re-computes its figures for the new position."""

import datetime as dt

import pytest
from django.contrib.gis.geos import Point

from cctv.geometry import point_from_input
from maps.choices import IncidentSource
from maps.models import Incident
from maps.proposal_figures import proposal_preview
from maps.proposals import proposal_create, proposal_item_add

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def proposal(council, og_member):
    # Twelve incidents in a row running east of the proposed camera: a PTZ camera of 60 m
    # range sees the nearer ones; dragged east it sees others.
    Incident.objects.bulk_create([
        Incident(source=IncidentSource.POLICE_OPEN_DATA, month=dt.date(2026, 10, 1), category="Burglary",
                 location=Point(311500 + 20 * i, 167000, srid=27700), falls_within="South Wales Police")
        for i in range(12)
    ])
    draft = proposal_create(by=og_member, title="Holton Road east end", owner=council)
    proposal_item_add(proposal=draft, by=og_member, kind="add", location=Point(311500, 167000, srid=27700),
                      name="New PTZ", camera_kind="ptz", view_range_m=60)
    return draft


def test_dragging_a_proposed_camera_updates_its_figures(page, proposal, og_member, password):
    page.goto("/accounts/login/")
    page.fill("#id_username", "og")
    page.fill("#id_password", password)
    page.click("button[type=submit]")
    page.wait_for_selector("h1")
    page.goto(f"/maps/proposals/{proposal.pk}/")
    page.wait_for_selector('#proposal-map[data-loaded="true"]')
    page.locator("#proposal-map").scroll_into_view_if_needed()
    marker = page.locator(".proposal-item").bounding_box()  # viewport coordinates, now on screen
    x, y = marker["x"] + marker["width"] / 2, marker["y"] + marker["height"] / 2
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 60, y, steps=10)
    page.mouse.up()
    page.wait_for_selector('#preview-figures[data-previews="1"]:not([data-busy])')

    lon = float(page.get_attribute("#preview-figures", "data-lon"))
    lat = float(page.get_attribute("#preview-figures", "data-lat"))
    moved = point_from_input(lon, lat, 4326)
    assert moved.x > 311500 + 5  # it really moved east
    expected = proposal_preview(og_member, owner_id=proposal.owner_id, kind="add", name="New PTZ",
                                camera_kind="ptz", view_range_m=60, location=moved)
    shown = page.inner_text('[data-preview="covered_after"]')
    assert shown == f"{expected.coverage.covered_after} of {expected.coverage.incidents}"
    before_drag = proposal_preview(og_member, owner_id=proposal.owner_id, kind="add", name="New PTZ",
                                   camera_kind="ptz", view_range_m=60, location=Point(311500, 167000, srid=27700))
    assert expected.coverage.covered_after != before_drag.coverage.covered_after  # the figures really changed
