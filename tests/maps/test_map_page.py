"""The map page is for everyone who may see incidents; network layers only for those who may see the network."""

import json
import re


def map_data(page: str) -> dict:
    return json.loads(re.search(r'<script id="map-data" type="application/json">(.*?)</script>', page, re.S).group(1))


def test_staff_map_carries_every_layer(client, og_member):
    client.force_login(og_member)
    page = client.get("/map/").content.decode()
    data = map_data(page)
    assert data["camerasUrl"] == "/api/cameras/geojson" and data["linksUrl"] and data["nodesUrl"]
    assert "<script>" not in page


def test_police_map_has_no_network_layers(client, officer):
    client.force_login(officer)
    data = map_data(client.get("/map/").content.decode())
    assert data["linksUrl"] is None and data["nodesUrl"] is None


def test_anonymous_visitor_is_sent_to_sign_in(client, db):
    assert client.get("/map/").status_code == 302
