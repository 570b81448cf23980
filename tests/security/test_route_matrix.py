"""The permission matrix over every route: each page and API operation, for every actor, as designed.

Routes are not listed here: they are enumerated from Django's URL resolver (every pattern, through every
include) and from the OpenAPI schema of config.api (every path and method). What each role should get is
written by hand in route_expectations.py; a route with no line there fails, naming it, and so does a line
for a route that no longer exists.

Each route is requested by ten actors: the seven roles of DESIGN.md section 1 (side 1: the council, its
monitoring contractor and its force), nobody, and the second council's manager and the second force's
officer (side 2), each with objects of its own side (tests/security/conftest.py builds one of every kind on
both sides). A route that takes an organisation's object is then requested again, with the other side's
object, by every actor it serves on its own side: anyone but an administrator must be refused (404),
whatever they may do with their own. Unsafe methods carry a valid body, so "allowed" is a real success
(201, 200, or a redirect with no error) and a refusal is the permission's, not a 422's. Every request runs
in a savepoint that is rolled back, so each sees the world as built.

A leak is a success where the design says no (2xx, a redirect to the page, or a non-empty list), or any 5xx;
the summary at the end counts the checks and the leaks (0).
"""

from __future__ import annotations

import datetime as dt
import json
import re
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from django.apps import apps
from django.contrib import admin
from django.contrib.messages import constants as message_levels
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.utils import timezone

from accounts.choices import Role
from tests.security.conftest import ACTOR_ROLE, ACTORS, ANONYMOUS, MANAGER_2, MatrixSide, MatrixWorld, png_bytes
from tests.security.route_expectations import (
    ADMIN_SITE,
    ADMIN_SITE_EXCEPTIONS,
    API,
    EMPTY,
    FORBIDDEN,
    INVALID,
    LOGIN,
    NOT_FOUND,
    OK,
    PAGES,
    SERVER_ERROR,
    Expect,
)

EXPECTATIONS_FILE = "tests/security/route_expectations.py"
STREET_CRIME_CSV = (Path(__file__).parents[1] / "fixtures" / "street_crime" / "2024-01-hand-written.csv").read_bytes()
SIGN_IN_PATHS = ("/accounts/login/", "/admin/login/")
UNSAFE = ("POST", "PUT", "PATCH", "DELETE")

# --- the routes, from the resolver and the schema ----------------------------------------------------


@dataclass(frozen=True)
class Route:
    key: str  # the expectation key: "namespace:name", or the pattern when it has no name
    pattern: str  # the full pattern, prefixes included ("cameras/<int:camera_id>/edit/")
    namespace: str
    callback: Callable

    @property
    def params(self) -> list[str]:
        return [a or b for a, b in re.findall(r"<(?:\w+:)?(\w+)>|\(\?P<(\w+)>", self.pattern)]


def _walk(patterns, prefix: str = "", namespace: str = "") -> list[Route]:
    routes = []
    for entry in patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}:{entry.namespace}" if namespace and entry.namespace else (
                entry.namespace or namespace)
            routes += _walk(entry.url_patterns, prefix + str(entry.pattern), inner or "")
        elif isinstance(entry, URLPattern):
            pattern = prefix + str(entry.pattern)
            key = f"{namespace}:{entry.name}" if namespace and entry.name else (entry.name or pattern)
            routes.append(Route(key=key, pattern=pattern, namespace=namespace, callback=entry.callback))
    return routes


def _openapi_path(pattern: str) -> str:
    return "/" + re.sub(r"<(?:\w+:)?(\w+)>", r"{\1}", pattern)


def _schema_operations() -> dict[str, list[str]]:
    """ "METHOD /api/path" -> its path parameters, for every operation of the OpenAPI schema."""
    from config.api import api

    operations = {}
    for path, methods in api.get_openapi_schema()["paths"].items():
        for method, operation in methods.items():
            operations[f"{method.upper()} {path}"] = [
                parameter["name"] for parameter in operation.get("parameters", []) if parameter["in"] == "path"]
    return operations


ALL_ROUTES = _walk(get_resolver().url_patterns)
OPERATIONS = _schema_operations()
SCHEMA_PATHS = {key.split(" ", 1)[1] for key in OPERATIONS}
ADMIN_ROUTES = [route for route in ALL_ROUTES if route.namespace.split(":")[0] == "admin"]
# The ninja patterns are the schema's operations; those not in the schema (its docs) are pages.
PAGE_ROUTES = [route for route in ALL_ROUTES if route not in ADMIN_ROUTES and not (
    route.namespace == "api" and _openapi_path(route.pattern) in SCHEMA_PATHS)]


# --- how each route is driven -------------------------------------------------------------------------


@dataclass
class Ctx:
    world: MatrixWorld
    actor: str
    side: MatrixSide  # whose objects the request names (the actor's own, or the other side's)
    cross: bool

    def id(self, name: str) -> int:
        return self.side.ids[name]

    @property
    def council_id(self) -> int:
        return self.side.council.pk


@dataclass(frozen=True)
class Drive:
    ids: dict[str, str] = field(default_factory=dict)  # path parameter -> the world's id of that name
    values: dict[str, str] = field(default_factory=dict)  # path parameter -> a fixed value
    query: Callable[[Ctx], dict] | None = None
    body: Callable[[Ctx], Any] | None = None
    # API bodies are JSON unless "form" (multipart, as Django's test client sends a dict); pages always get forms.
    encoding: str = "json"
    scoped: bool = False  # the query or body names an organisation's object
    unavailable_ok: bool = False  # a health report: 503 (no worker here) is its answer, not an error
    # A 200 that refuses inside its body (the health feed answers each event on its own): when this says so
    # of the JSON body, the outcome is "invalid", not "ok".
    refused_in_body: Callable[[Any], bool] | None = None
    # A form page answers a valid POST with a redirect; a 200 page is the form again, with its errors, unless
    # this says the page is the success (the token page shows a new token once, on the page itself).
    succeeded_on_page: Callable[[bytes], bool] | None = None
    # The admin's sign-out sends anyone not staff to the admin's index, which asks them to sign in.
    admin_index_is_sign_in: bool = False


def _when(days: float = 2, hours: float = 0) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days, hours=hours)


def _point(ctx: Ctx, east: float = 10, north: float = 10) -> dict:
    lon, lat = ctx.side.lon_lat(east, north)
    return {"x": lon, "y": lat, "srid": 4326}


def _png(name: str = "view.png") -> SimpleUploadedFile:
    return SimpleUploadedFile(name, png_bytes(), content_type="image/png")


def _camera_form(ctx: Ctx) -> dict:
    from django.forms.models import model_to_dict

    from cctv.forms import CameraForm
    from cctv.models import Camera

    camera = Camera.objects.get(pk=ctx.id("camera_id"))
    data = {}
    for name, value in model_to_dict(camera, fields=CameraForm._meta.fields).items():
        if isinstance(value, bool):
            if value:
                data[name] = "on"
        else:
            data[name] = "" if value is None else str(value)
    return {**data, "name": f"{camera.name} (renamed)", "reason": "The street sign changed."}


def _request_form(ctx: Ctx) -> dict:
    lon, lat = ctx.side.lon_lat(0, 20)
    return {"owner": ctx.council_id, "kind": "police_investigation", "legal_basis": "dpa2018_sch2_para2",
            "crime_reference": "62/55555/26", "incident_starts_at": f"{_when(2, 1):%Y-%m-%dT%H:%M}",
            "incident_ends_at": f"{_when(2):%Y-%m-%dT%H:%M}", "longitude": lon, "latitude": lat,
            "reason": "Theft from a parked car.", "urgency": "routine"}


def _request_json(ctx: Ctx) -> dict:
    return {"owner_id": ctx.council_id, "kind": "police_investigation", "incident_starts_at": _when(2, 1).isoformat(),
            "incident_ends_at": _when(2).isoformat(), "reason": "Theft from a parked car.",
            "crime_reference": "62/55556/26", "location": _point(ctx, 0, 20)}


def _estate_csv(ctx: Ctx) -> dict:
    lon, lat = ctx.side.lon_lat(150, 150)
    content = f"asset_ref,name,longitude,latitude\nMX-IMP-{ctx.side.number},Imported camera,{lon},{lat}\n"
    return {"file": SimpleUploadedFile("estate.csv", content.encode(), content_type="text/csv"),
            "owner": ctx.council_id}


def _months(ctx: Ctx) -> dict:
    return {"month_from": ctx.world.month, "month_to": ctx.world.this_month}


def _owner(ctx: Ctx) -> dict:
    return {"owner": ctx.council_id}


def _route_wgs84(ctx: Ctx) -> list[list[float]]:
    from cctv.models import Node

    ends = [Node.objects.get(pk=ctx.id(name)).location.transform(4326, clone=True) for name in ("node_id",
                                                                                                 "centre_node_id")]
    return [[round(point.x, 7), round(point.y, 7)] for point in ends]


def _tile_values(layer: str) -> dict:
    # The z15 tile over Barry town centre (311000, 167000).
    return {"layer": layer, "z": "15", "x": "16085", "y": "10912"}


PAGE_DRIVES: dict[tuple[str, str], Drive] = {
    ("accounts:tokens", "POST"): Drive(body=lambda ctx: {"name": "matrix page token"},
                                       succeeded_on_page=lambda page: b"vcctv_" in page),
    ("accounts:sessions_end", "POST"): Drive(body=lambda ctx: {"session": "all-others"}),
    ("cctv:camera_edit", "POST"): Drive(body=_camera_form),
    ("cctv:camera_relocate", "POST"): Drive(body=lambda ctx: {
        "longitude": _point(ctx)["x"], "latitude": _point(ctx)["y"], "reason": "A tree grew in front of it."}),
    ("cctv:camera_status", "POST"): Drive(body=lambda ctx: {"status": "degraded", "note": "Picture flickers."}),
    ("cctv:scheme_edit", "GET"): Drive(query=_owner, scoped=True),
    ("cctv:scheme_edit", "POST"): Drive(query=_owner, scoped=True, body=lambda ctx: {
        "name": f"{ctx.side.council.name} public-space CCTV", "statement": "Cameras in the town centres.",
        "controller_contact": "cctv@example.gov.uk", "sar_instructions": "Use the form.",
        "open_data_licence": "Open Government Licence v3.0", "published": "on", "sar_intake_enabled": "on"}),
    ("evidence:request_identity_verify", "POST"): Drive(ids={"request_id": "sar_request_id"},
                                                        body=lambda ctx: {"note": "Passport, seen at reception."}),
    ("cctv:camera_snapshot_upload", "POST"): Drive(body=lambda ctx: {"image": _png(), "caption": "After cleaning"}),
    ("cctv:fault_new", "POST"): Drive(body=lambda ctx: {"camera": ctx.id("camera_id"), "priority": "p3",
                                                        "summary": "Picture rolling"}, scoped=True),
    ("cctv:fault_move", "POST acknowledge"): Drive(values={"move": "acknowledge"}),
    ("cctv:fault_move", "POST fix"): Drive(values={"move": "fix"}, ids={"fault_id": "acked_fault_id"}),
    ("cctv:fault_move", "POST close"): Drive(values={"move": "close"}, ids={"fault_id": "fixed_fault_id"}),
    ("cctv:fault_move", "POST cancel"): Drive(values={"move": "cancel"},
                                              body=lambda ctx: {"reason": "Logged twice."}),
    ("cctv:fault_move", "POST assign"): Drive(values={"move": "assign"},
                                              body=lambda ctx: {"assignee": ctx.side.engineer.pk}),
    ("cctv:fault_move", "POST note"): Drive(values={"move": "note"},
                                            body=lambda ctx: {"text": "Engineer on the way."}),
    ("evidence:request_new", "POST"): Drive(body=_request_form, scoped=True),
    ("evidence:request_move", "POST accept"): Drive(values={"move": "accept"}),
    ("evidence:request_move", "POST withdraw"): Drive(values={"move": "withdraw"},
                                                      body=lambda ctx: {"reason": "Suspect charged."}),
    ("evidence:request_move", "POST refuse"): Drive(values={"move": "refuse"},
                                                    body=lambda ctx: {"reason": "No camera covers the place."}),
    ("evidence:request_bundle", "POST"): Drive(ids={"request_id": "exported_request_id"}),
    ("evidence:request_release", "POST"): Drive(ids={"request_id": "exported_request_id"},
                                                body=lambda ctx: {"recipient_name": "DC Jones"}),
    ("api/evidence/exhibits/upload/<int:request_id>/", "POST"): Drive(
        ids={"request_id": "searching_request_id"},
        body=lambda ctx: {"file": SimpleUploadedFile("export.mp4", b"footage bytes\n" * 64, "video/mp4"),
                          "kind": "footage"}),
    ("exhibit_upload", "POST"): Drive(
        ids={"request_id": "searching_request_id"},
        body=lambda ctx: {"file": SimpleUploadedFile("export.mp4", b"footage bytes\n" * 64, "video/mp4"),
                          "kind": "footage"}),
    ("maps_tiles:tile", "GET incidents"): Drive(values=_tile_values("incidents")),
    ("maps_tiles:tile", "GET cameras"): Drive(values=_tile_values("cameras")),
    ("maps_tiles:tile", "GET views"): Drive(values=_tile_values("views")),
    ("maps_tiles:tile", "GET links"): Drive(values=_tile_values("links")),
    ("maps_pages:incident_import", "POST"): Drive(body=lambda ctx: {
        "file": SimpleUploadedFile("2024-01-street.csv", STREET_CRIME_CSV, "text/csv")}),
    ("maps_pages:incident_new", "POST"): Drive(body=lambda ctx: {
        "category": "Anti-social behaviour", "occurred_at": f"{_when(1):%Y-%m-%dT%H:%M}",
        "longitude": _point(ctx)["x"], "latitude": _point(ctx)["y"], "location_text": "By the library"}),
    ("maps_pages:placement_adopt", "POST"): Drive(body=lambda ctx: {
        "title": "Cover the library steps", "camera": json.dumps({
            "longitude": _point(ctx)["x"], "latitude": _point(ctx)["y"], "bearing_deg": 90.0, "angle_deg": 60.0,
            "range_m": 50.0, "name": "Library steps"})}),
    ("maps_proposals:move", "POST submit"): Drive(values={"move": "submit"}),
    ("maps_proposals:move", "POST approve"): Drive(values={"move": "approve"},
                                                   ids={"proposal_id": "submitted_proposal_id"}),
    ("maps_proposals:move", "POST reject"): Drive(values={"move": "reject"},
                                                  ids={"proposal_id": "submitted_proposal_id"},
                                                  body=lambda ctx: {"reason": "Outside the budget."}),
    ("maps_proposals:move", "POST apply"): Drive(values={"move": "apply"}, ids={"proposal_id": "approved_proposal_id"}),
    ("reviews:camera", "POST"): Drive(body=lambda ctx: {
        "decision": "keep", "reason": "Still covers the taxi rank."}),
    ("reports:monthly", "GET"): Drive(query=_owner, scoped=True),
    ("reports:monthly_csv", "GET"): Drive(query=_owner, scoped=True),
    ("reports:monthly_pdf", "GET"): Drive(query=_owner, scoped=True),
    ("reports:monthly_records", "GET"): Drive(query=_owner, scoped=True, values={"key": "requests_received"}),
    ("reports:monthly_generate", "POST"): Drive(query=_owner, scoped=True),
    ("healthz", "GET"): Drive(unavailable_ok=True),
}

API_DRIVES: dict[tuple[str, str], Drive] = {
    ("GET /api/system/health", ""): Drive(unavailable_ok=True),
    ("POST /api/accounts/tokens", ""): Drive(body=lambda ctx: {"name": "matrix api token"}),
    ("POST /api/cameras", ""): Drive(body=lambda ctx: {
        "asset_ref": f"MX{ctx.side.number}-NEW", "name": "New camera on the promenade", "location": _point(ctx)}),
    ("PATCH /api/cameras/{camera_id}", ""): Drive(body=lambda ctx: {"name": "Renamed camera", "reason": "New sign"}),
    ("DELETE /api/cameras/{camera_id}", ""): Drive(ids={"camera_id": "spare_camera_id"}),
    ("POST /api/cameras/{camera_id}/relocate", ""): Drive(body=lambda ctx: {
        "location": _point(ctx), "reason": "A tree grew in front of it."}),
    ("POST /api/cameras/{camera_id}/status", ""): Drive(body=lambda ctx: {"status": "degraded", "note": "Flicker"}),
    ("POST /api/cameras/{camera_id}/snapshots", ""): Drive(encoding="form", body=lambda ctx: {
        "image": _png(), "caption": "After cleaning"}),
    ("GET /api/cameras/{camera_id}/snapshots/{snapshot_id}/{variant}", ""): Drive(values={"variant": "thumbnail"}),
    ("POST /api/network/nodes", ""): Drive(scoped=True, body=lambda ctx: {
        "name": "New hub", "kind": "hub", "location": _point(ctx, -200, 0), "owner_id": ctx.council_id}),
    ("PATCH /api/network/nodes/{node_id}", ""): Drive(body=lambda ctx: {"name": "Renamed cabinet",
                                                                       "reason": "Relabelled"}),
    ("POST /api/network/nodes/{node_id}/status", ""): Drive(body=lambda ctx: {"status": "down", "reason": "Flood"}),
    ("POST /api/network/links", ""): Drive(scoped=True, body=lambda ctx: {
        "a_node_id": ctx.id("node_id"), "b_node_id": ctx.id("centre_node_id"), "route": _route_wgs84(ctx),
        "kind": "wireless", "provider": "Openreach"}),
    ("PATCH /api/network/links/{link_id}", ""): Drive(body=lambda ctx: {"provider": "BT", "reason": "Renewed"}),
    ("POST /api/network/links/{link_id}/status", ""): Drive(body=lambda ctx: {"status": "down", "reason": "Cut"}),
    ("POST /api/faults", ""): Drive(scoped=True, body=lambda ctx: {
        "camera_id": ctx.id("camera_id"), "priority": "p3", "summary": "Picture rolling"}),
    ("POST /api/faults/{fault_id}/fix", ""): Drive(ids={"fault_id": "acked_fault_id"}, body=lambda ctx: {
        "note": "Cleaned the lens."}),
    ("POST /api/faults/{fault_id}/close", ""): Drive(ids={"fault_id": "fixed_fault_id"}),
    ("POST /api/faults/{fault_id}/cancel", ""): Drive(body=lambda ctx: {"reason": "Logged twice."}),
    ("POST /api/faults/{fault_id}/assign", ""): Drive(body=lambda ctx: {"assignee_id": ctx.side.engineer.pk}),
    ("POST /api/faults/{fault_id}/notes", ""): Drive(body=lambda ctx: {"text": "Engineer on the way."}),
    ("POST /api/estate/import", ""): Drive(encoding="form", scoped=True, body=_estate_csv),
    ("POST /api/health/events", ""): Drive(
        scoped=True, body=lambda ctx: [{"asset_ref": ctx.side.asset_ref, "state": "offline",
                                        "observed_at": (timezone.now() - dt.timedelta(minutes=1)).isoformat()}],
        refused_in_body=lambda body: body["accepted"] == 0 and all(
            result["outcome"] == "error" and "unknown camera" in result["reason"].lower()
            for result in body["results"])),
    ("POST /api/evidence/requests", ""): Drive(scoped=True, body=_request_json),
    ("POST /api/evidence/requests/suggest", ""): Drive(scoped=True, body=lambda ctx: {
        "owner_id": ctx.council_id, "location": _point(ctx, 0, 20), "starts_at": _when(2, 1).isoformat(),
        "ends_at": _when(2).isoformat()}),
    ("POST /api/evidence/requests/{request_id}/moves/{move}", "accept"): Drive(values={"move": "accept"}),
    ("POST /api/evidence/requests/{request_id}/moves/{move}", "withdraw"): Drive(
        values={"move": "withdraw"}, body=lambda ctx: {"reason": "Suspect charged."}),
    ("POST /api/evidence/requests/{request_id}/moves/{move}", "refuse"): Drive(
        values={"move": "refuse"}, body=lambda ctx: {"reason": "No camera covers the place."}),
    ("POST /api/evidence/requests/{request_id}/sar/pause", ""): Drive(
        ids={"request_id": "sar_request_id"}, body=lambda ctx: {"reason": "Waiting for proof of identity."}),
    ("POST /api/evidence/requests/{request_id}/identity/verify", ""): Drive(
        ids={"request_id": "sar_request_id"}, body=lambda ctx: {"note": "Passport, seen at reception."}),
    ("POST /api/evidence/requests/{request_id}/sar/resume", ""): Drive(ids={"request_id": "paused_sar_request_id"}),
    ("POST /api/evidence/requests/{request_id}/sar/extend", ""): Drive(
        ids={"request_id": "sar_request_id"}, body=lambda ctx: {"reason": "Many cameras to search."}),
    ("GET /api/evidence/exhibits/", ""): Drive(scoped=True, query=lambda ctx: {
        "request_id": ctx.id("exported_request_id")}),
    ("GET /api/evidence/exhibits/{exhibit_id}/download", ""): Drive(ids={"exhibit_id": "released_exhibit_id"}),
    ("POST /api/evidence/exhibits/{exhibit_id}/redact", ""): Drive(
        ids={"exhibit_id": "still_exhibit_id"},
        body=lambda ctx: {"rectangles": [{"x": 4, "y": 4, "width": 16, "height": 12, "mode": "block"}]}),
    ("POST /api/evidence/exhibits/{exhibit_id}/legal-hold", ""): Drive(body=lambda ctx: {
        "on": True, "reason": "Civil claim pending."}),
    ("POST /api/evidence/bundles/{id}", ""): Drive(ids={"id": "exported_request_id"}),
    ("GET /api/evidence/bundles/{id}", ""): Drive(ids={"id": "bundle_id"}),
    ("POST /api/evidence/bundles/{request_id}/release", ""): Drive(ids={"request_id": "exported_request_id"},
                                                                 body=lambda ctx: {"recipient_name": "DC Jones"}),
    ("POST /api/maps/incidents/import", ""): Drive(encoding="form", body=lambda ctx: {
        "file": SimpleUploadedFile("2024-01-street.csv", STREET_CRIME_CSV, "text/csv")}),
    ("POST /api/maps/incidents", ""): Drive(body=lambda ctx: {
        "category": "Anti-social behaviour", "occurred_at": _when(1).isoformat(), "location": _point(ctx)}),
    ("PATCH /api/maps/incidents/{incident_id}", ""): Drive(body=lambda ctx: {"description": "Group of six."}),
    ("GET /api/maps/coverage", ""): Drive(query=_months),
    ("GET /api/maps/coverage/cameras", ""): Drive(query=_months),
    ("GET /api/maps/coverage/hotspots", ""): Drive(query=_months),
    ("POST /api/maps/placement/suggest", ""): Drive(body=lambda ctx: {
        "k": 1, "grid_spacing_m": 50.0, "bearings": 4, "time_limit_s": 5.0, **_months(ctx)}),
    ("POST /api/maps/placement/adopt", ""): Drive(scoped=True, body=lambda ctx: {
        "title": "Cover the library steps", "owner_id": ctx.council_id, "cameras": [{
            "longitude": _point(ctx)["x"], "latitude": _point(ctx)["y"], "bearing_deg": 90.0}]}),
    ("POST /api/maps/proposals/preview", ""): Drive(scoped=True, body=lambda ctx: {
        "kind": "add", "name": "Library steps", "camera_kind": "fixed", "location": _point(ctx), "bearing_deg": 90.0,
        "view_angle_deg": 60.0, "view_range_m": 50.0, "owner_id": ctx.council_id, **_months(ctx)}),
    ("POST /api/maps/proposals", ""): Drive(scoped=True, body=lambda ctx: {
        "title": "Cover the library steps", "owner_id": ctx.council_id}),
    ("PATCH /api/maps/proposals/{proposal_id}", ""): Drive(body=lambda ctx: {"title": "Cover the station steps"}),
    ("POST /api/maps/proposals/{proposal_id}/items", ""): Drive(body=lambda ctx: {
        "kind": "add", "name": "Station steps", "camera_kind": "fixed", "location": _point(ctx, 30, 30),
        "bearing_deg": 180.0, "view_angle_deg": 60.0, "view_range_m": 50.0}),
    ("PATCH /api/maps/proposals/{proposal_id}/items/{item_id}", ""): Drive(body=lambda ctx: {"bearing_deg": 45.0}),
    ("GET /api/maps/proposals/{proposal_id}/figures", ""): Drive(query=_months),
    ("POST /api/maps/proposals/{proposal_id}/approve", ""): Drive(ids={"proposal_id": "submitted_proposal_id"},
                                                                body=lambda ctx: {"reason": "Agreed."}),
    ("POST /api/maps/proposals/{proposal_id}/reject", ""): Drive(ids={"proposal_id": "submitted_proposal_id"},
                                                               body=lambda ctx: {"reason": "Outside the budget."}),
    ("POST /api/maps/proposals/{proposal_id}/apply", ""): Drive(ids={"proposal_id": "approved_proposal_id"}),
    ("POST /api/reports/reviews/cameras/{camera_id}/reviews", ""): Drive(body=lambda ctx: {
        "decision": "keep", "reason": "Still covers the taxi rank."}),
    ("GET /api/reports/monthly/{month}", ""): Drive(query=_owner, scoped=True),
    ("POST /api/reports/reviews/summaries", ""): Drive(scoped=True, body=lambda ctx: {
        "owner_id": ctx.council_id, "year": timezone.localdate().year - 1,
        "summary": "Every camera was reviewed; two were moved to where incidents now happen."}),
}

# Path parameters that name an object of one organisation: a route with one is also asked with the
# other side's object. (An import's record belongs to no organisation; a token belongs to one user.)
SCOPED_PARAMETERS = {"camera_id", "node_id", "link_id", "contract_id", "fault_id", "request_id", "exhibit_id",
                     "snapshot_id", "incident_id", "proposal_id", "item_id", "bundle_id", "id", "token_id"}


def _parameter(name: str, ctx: Ctx, drive: Drive) -> str:
    if name in drive.values:
        return drive.values[name]
    if name == "token_id":
        # Your own token; with another organisation's objects, someone else's (the other side's manager's).
        owner = ctx.actor
        if ctx.cross:
            owner = MANAGER_2 if ctx.side.number == 2 else "cctv_manager"
        return str(ctx.world.tokens.get(owner, ctx.world.tokens["cctv_manager"]))
    if name == "import_id":
        return str(ctx.world.import_id)
    if name == "month":
        return ctx.world.month
    if name == "variant":
        return "image"
    return str(ctx.side.ids[drive.ids.get(name, name)])


def _fill_pattern(pattern: str, values: dict[str, str]) -> str:
    """A URL for a resolver pattern (path converters or regex groups) with these parameter values."""
    path = re.sub(r"\(\?P<(\w+)>[^()]*\)", lambda match: values[match.group(1)], pattern)
    path = re.sub(r"<(?:\w+:)?(\w+)>", lambda match: values[match.group(1)], path)
    return "/" + path.replace("^", "").replace("$", "").replace("\\.", ".")


# --- one request, and what came of it -----------------------------------------------------------------


@dataclass
class Result:
    route: str
    case: str
    actor: str
    cross: bool
    status: int
    outcome: str
    expected: frozenset[str]
    detail: str = ""
    shows: tuple[str, ...] = ()  # what of the other organisation's the response held

    @property
    def leak(self) -> bool:
        return self.outcome == SERVER_ERROR or (self.outcome == OK and OK not in self.expected) or bool(self.shows)

    @property
    def passed(self) -> bool:
        return self.outcome in self.expected and not self.detail and not self.shows

    def describe(self) -> str:
        whose = "another organisation's object" if self.cross else "its own side's objects"
        return (f"{self.route} [{self.case}] as {self.actor} with {whose}: got {self.outcome} (HTTP {self.status}), "
                f"expected {' or '.join(sorted(self.expected))}{'; ' + self.detail if self.detail else ''}"
                + (f"; the response shows the other organisation's {', '.join(self.shows)}" if self.shows else ""))


def _body(response) -> bytes:
    """The response's bytes, streamed ones included (read to the end, which closes the file behind them).

    The test client closes a streamed response when its iterator is exhausted, with the hook that would
    close the database connection unplugged; closing it here by hand would drop the world's transaction.
    """
    if not hasattr(response, "matrix_body"):
        if response.streaming:
            response.matrix_body = b"".join(response.streaming_content)
        else:
            response.matrix_body = response.content
    return response.matrix_body


def _classify(response, drive: Drive, *, form_post: bool = False) -> str:
    status = response.status_code
    if status == 503 and drive.unavailable_ok:
        return OK
    if status >= 500:
        return SERVER_ERROR
    if 300 <= status < 400:
        if response["Location"].startswith(SIGN_IN_PATHS) or (
                drive.admin_index_is_sign_in and response["Location"] == "/admin/"):
            return LOGIN
        storage = getattr(response.wsgi_request, "_messages", None)
        queued = getattr(storage, "_queued_messages", [])
        return INVALID if any(message.level >= message_levels.ERROR for message in queued) else OK
    if 200 <= status < 300:
        if _body(response) and response.get("Content-Type", "").startswith("application/json"):
            body = json.loads(_body(response))
            if body == [] or (isinstance(body, dict) and body.get("items") == [] and body.get("count") == 0):
                return EMPTY
            if drive.refused_in_body and drive.refused_in_body(body):
                return INVALID
        if form_post and response.get("Content-Type", "").startswith("text/html"):
            return OK if drive.succeeded_on_page and drive.succeeded_on_page(_body(response)) else INVALID
        return OK
    return {401: LOGIN, 403: FORBIDDEN, 404: NOT_FOUND}.get(status, INVALID if status in (400, 409, 413, 415, 422)
                                                              else f"HTTP {status}")


def _error_detail_problem(response) -> str:
    """The API's error bodies are {"detail": "<a sentence>"}; a refusal must say so too."""
    if response.status_code < 400:
        return ""
    try:
        detail = json.loads(_body(response)).get("detail")
    except (ValueError, AttributeError):
        return "the error body is not JSON with a 'detail'"
    return "" if isinstance(detail, str) and detail.strip() else "the error body has no 'detail' sentence"


def _send(client, method: str, path: str, query: dict | None, body: Any, encoding: str):
    if query:
        from urllib.parse import urlencode

        path = f"{path}?{urlencode(query, doseq=True)}"
    if method == "GET":
        return client.get(path)
    if encoding == "form":
        return getattr(client, method.lower())(path, body or {})
    data = "" if body is None else json.dumps(body)
    return client.generic(method, path, data, content_type="application/json")


def _run(world: MatrixWorld, isolated, *, route: str, case: str, method: str, build_path, drive: Drive,
         expected_for, api: bool, scoped: bool, errors_have_detail: bool | None = None) -> list[Result]:
    """Every actor on its own side's objects; then, if the route names an organisation's object, every actor
    the route serves on its own side (refused ones stay refused) on the other side's."""
    results = []
    public = OK in expected_for(ANONYMOUS, False)
    variants = [False, True] if scoped else [False]
    for cross in variants:
        for actor in ACTORS:
            if cross and (actor == ANONYMOUS or not expected_for(actor, False) & {OK, EMPTY, INVALID}):
                continue
            ctx = Ctx(world=world, actor=actor, side=world.side_of(actor, cross=cross), cross=cross)
            path = build_path(ctx)
            query = drive.query(ctx) if drive.query else None
            body = drive.body(ctx) if drive.body else None
            client = world.client_for(actor)
            encoding = drive.encoding if api else "form"
            response = isolated(lambda: _send(client, method, path, query, body, encoding))  # noqa: B023
            _body(response)
            outcome = _classify(response, drive, form_post=not api and method in UNSAFE)
            expected = expected_for(actor, cross)
            detail = ""
            if outcome == SERVER_ERROR and getattr(response, "exc_info", None):
                detail = f"{response.exc_info[0].__name__}: {response.exc_info[1]}"
            elif (api if errors_have_detail is None else errors_have_detail) and outcome != OK:
                detail = _error_detail_problem(response)
            if outcome not in expected and not detail and response.status_code >= 300:
                detail = _short(response)
            shows = () if public or cross or actor == Role.ADMIN else _other_side_shown(response, world.side_of(
                actor, cross=True))
            results.append(Result(route=route, case=case or method, actor=actor, cross=cross,
                                  status=response.status_code, outcome=outcome, expected=expected, detail=detail,
                                  shows=shows))
    world.results.extend(results)
    return results


def _other_side_shown(response, other: MatrixSide) -> tuple[str, ...]:
    """The other organisation's names and references found in what an actor of this side was sent.

    Public pages show every published scheme, so they are not asked; nor are administrators, who see all.
    Every asset, request and exhibit reference of side n starts "MXn-" (conftest), so one marker finds them.
    """
    if response.get("Content-Type", "").startswith(("application/pdf", "image/")):
        return ()
    body = _body(response)
    markers = (f"MX{other.number}-", other.council.name, other.contractor.name, other.force.name)
    return tuple(marker for marker in markers if marker.encode() in body)


def _short(response) -> str:
    if 300 <= response.status_code < 400:
        return f"to {response['Location']}"
    text = _body(response)[:300].decode(errors="replace")
    if response.get("Content-Type", "").startswith("text/html"):
        title = re.search(r"<title>(.*?)</title>", text, re.S)
        match = re.search(r'class="detail[^"]*">(.*?)<', _body(response).decode(errors="replace"), re.S)
        text = (match.group(1) if match else title.group(1) if title else text).strip()
    return " ".join(text.split())[:200]


def _expected(expect: Expect) -> Callable[[str, bool], frozenset[str]]:
    def expected_for(actor: str, cross: bool) -> frozenset[str]:
        if actor == ANONYMOUS:
            return frozenset({expect.anonymous})
        role = ACTOR_ROLE[actor]
        return expect.cross_outcomes(role) if cross else frozenset({expect.outcome(role)})

    return expected_for


def _assert_all_passed(results: list[Result]) -> None:
    failures = [result.describe() for result in results if not result.passed]
    assert not failures, f"{len(failures)} of {len(results)} checks failed:\n" + "\n".join(failures)


# --- the tests ----------------------------------------------------------------------------------------


@pytest.mark.parametrize("route", PAGE_ROUTES, ids=[route.key for route in PAGE_ROUTES])
def test_every_page_answers_every_actor_as_designed(matrix, matrix_isolated, route):
    cases = PAGES.get(route.key)
    assert cases, (f"add an expectation for page {route.key!r} (/{route.pattern}) to {EXPECTATIONS_FILE}: "
                   "which roles may use it, and how are the others refused?")
    results = []
    for case, expect in cases.items():
        method = case.split(" ", 1)[0]
        drive = PAGE_DRIVES.get((route.key, case), Drive())

        def build_path(ctx, drive=drive):
            return _fill_pattern(route.pattern, {name: _parameter(name, ctx, drive) for name in route.params})

        scoped = drive.scoped or bool(set(route.params) & SCOPED_PARAMETERS)
        # Views under /api/ that are not ninja's (the streamed upload) answer errors as the API does.
        results += _run(matrix, matrix_isolated, route=route.key, case=case, method=method, build_path=build_path,
                        drive=drive, expected_for=_expected(expect), api=False, scoped=scoped,
                        errors_have_detail=route.pattern.startswith("api/"))
    _assert_all_passed(results)


@pytest.mark.parametrize("operation", sorted(OPERATIONS))
def test_every_api_operation_answers_every_actor_as_designed(matrix, matrix_isolated, operation):
    cases = API.get(operation)
    assert cases, (f"add an expectation for {operation!r} to {EXPECTATIONS_FILE}: which roles may call it, "
                   "and how are the others refused?")
    method, path = operation.split(" ", 1)
    params = OPERATIONS[operation]
    results = []
    for case, expect in cases.items():
        drive = API_DRIVES.get((operation, case), Drive())

        def build_path(ctx, drive=drive):
            return path.format(**{name: _parameter(name, ctx, drive) for name in params})

        scoped = drive.scoped or bool(set(params) & SCOPED_PARAMETERS)
        results += _run(matrix, matrix_isolated, route=operation, case=case, method=method, build_path=build_path,
                        drive=drive, expected_for=_expected(expect), api=True, scoped=scoped)
    _assert_all_passed(results)


def _admin_values(route: Route, world: MatrixWorld) -> dict[str, str]:
    """Real ids for an admin pattern: an object of the model its path names, the admin user, a content type."""
    from django.contrib.contenttypes.models import ContentType

    admin_user = world.users["admin"]
    values = {"id": str(admin_user.pk), "pk": str(world.totp_device_id), "app_label": "accounts",
              "url": "no-such-page/", "content_type_id": str(ContentType.objects.get_for_model(admin_user).pk),
              "object_id": str(admin_user.pk)}
    parts = route.pattern.split("/")
    if len(parts) > 3 and "<" in route.pattern:
        try:
            model = apps.get_model(parts[1], parts[2])
        except (LookupError, ValueError):
            model = None
        if model is not None:
            first = model._default_manager.order_by("pk").first()
            values["object_id"] = str(first.pk if first else 0)
    return values


@pytest.mark.parametrize("route", ADMIN_ROUTES, ids=[route.pattern for route in ADMIN_ROUTES])
def test_only_administrators_get_into_the_admin_site(matrix, matrix_isolated, route):
    assert route.callback.__module__.startswith(("django.contrib", "django.views", "django_otp", "axes")) or (
        route.key in ADMIN_SITE_EXCEPTIONS), (
        f"{route.pattern} is not a page of Django's admin site: add an expectation for {route.key!r} to "
        f"{EXPECTATIONS_FILE}")
    expect = ADMIN_SITE_EXCEPTIONS.get(route.key, ADMIN_SITE)
    values = _admin_values(route, matrix)
    drive = Drive(admin_index_is_sign_in=route.key == "admin:logout")
    results = _run(matrix, matrix_isolated, route=route.key, case="GET", method="GET",
                   build_path=lambda ctx: _fill_pattern(route.pattern, values), drive=drive,
                   expected_for=_admin_expected(expect), api=False, scoped=False)
    _assert_all_passed(results)


def _admin_expected(expect: Expect) -> Callable[[str, bool], frozenset[str]]:
    """An administrator inside the admin site may also meet its own 404 (no such object) or 405."""
    base = _expected(expect)

    def expected_for(actor: str, cross: bool) -> frozenset[str]:
        outcomes = base(actor, cross)
        return outcomes | {NOT_FOUND, "HTTP 405"} if OK in outcomes else outcomes

    return expected_for


def test_every_expectation_names_a_route_that_exists():
    page_keys = {route.key for route in PAGE_ROUTES}
    stale = sorted({key for key in PAGES if key not in page_keys} | {key for key in API if key not in OPERATIONS}
                   | {key for key in ADMIN_SITE_EXCEPTIONS if key not in {route.key for route in ADMIN_ROUTES}})
    assert not stale, f"{EXPECTATIONS_FILE} has expectations for routes that no longer exist: {stale}"
    drives = sorted({key for key, _ in PAGE_DRIVES if key not in page_keys}
                    | {key for key, _ in API_DRIVES if key not in OPERATIONS}
                    | {f"{key} {case}" for key, case in PAGE_DRIVES if case not in PAGES.get(key, {})}
                    | {f"{key} {case}" for key, case in API_DRIVES if case not in API.get(key, {})})
    assert not drives, f"requests are built for routes or cases with no expectation: {drives}"


def test_every_enumerated_route_resolves_to_itself():
    """The URL each pattern is filled into reaches that pattern's view (the matrix asks the right page)."""
    wrong = []
    for route in PAGE_ROUTES:
        values = {name: "1" for name in route.params} | {"layer": "cameras", "month": "2026-01", "move": "submit",
                                                          "key": "incidents"}
        path = _fill_pattern(route.pattern, values)
        if resolve(path).func is not route.callback:
            wrong.append(f"{route.key}: {path} reaches {resolve(path).func}")
    assert not wrong, wrong


def test_the_enumeration_found_the_whole_service():
    """A guard against the walk silently missing a branch: the apps and the admin site are all there."""
    keys = {route.key for route in PAGE_ROUTES}
    assert {"cctv:camera_detail", "evidence:request_detail", "maps:map", "reports:monthly", "accounts:tokens"} <= keys
    assert {"GET /api/cameras", "POST /api/evidence/requests", "GET /api/maps/proposals"} <= set(OPERATIONS)
    registered = {f"admin:{model._meta.app_label}_{model._meta.model_name}_changelist"
                  for model in admin.site._registry}
    assert registered <= {route.key for route in ADMIN_ROUTES}


def test_zz_summary_routes_by_actors_checked_and_no_leaks(matrix):
    """The figure for the issue's note, from the checks this run made (the route tests above run first)."""
    results = matrix.results
    routes = {result.route for result in results}
    pairs = {(result.route, result.actor) for result in results}
    leaks = [result for result in results if result.leak]
    cross = sum(1 for result in results if result.cross)
    print(f"\nroute matrix: {len(routes)} routes ({len(PAGE_ROUTES)} pages, {len(OPERATIONS)} API operations, "
          f"{len(ADMIN_ROUTES)} admin patterns) x {len(ACTORS)} actors = {len(pairs)} route x actor pairs; "
          f"{len(results)} requests ({cross} with another organisation's objects); "
          f"{sum(not result.passed for result in results)} not as designed; {len(leaks)} leaks; "
          f"{time.perf_counter() - matrix.started_at:.1f} s from building the world to here")
    assert not leaks, "leaks:\n" + "\n".join(result.describe() for result in leaks)

