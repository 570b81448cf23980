"""Server-rendered pages for issue 6: a police street-crime import with live progress, and placement suggestions.

Each view checks access, calls the same function as the API (maps.imports, maps.placement) and renders,
so the page and the API share every rule. The import page polls a small partial with htmx while a
Celery worker runs the import; the partial stops asking once the import is done or failed.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, QueryDict
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods, require_POST

from accounts.exceptions import DomainError, Forbidden, InvalidInput
from accounts.permissions import authorize, role_may
from cctv.views.cameras import map_settings
from config.queue import QueueUnavailable
from maps.choices import ImportStatus
from maps.imports import (
    import_visible,
    max_import_bytes,
    may_import_incidents,
    skipped_counts,
    skipped_rows,
    street_crime_import_queue,
)
from maps.models import IncidentImport, Proposal
from maps.placement import CANDIDATES, AdoptedCamera, Suggestion, placement_adopt, placement_suggest
from maps.services import POLICE_CATEGORIES, incident_record, month_parse

FINISHED = (ImportStatus.DONE, ImportStatus.FAILED)


# --- incident import -----------------------------------------------------------------------------

class IncidentImportForm(forms.Form):
    file = forms.FileField(label="Street-level crime CSV (data.police.uk)")


@dataclass(frozen=True)
class SkipLine:
    reason: str
    count: int
    rows: list[int]  # the first row numbers, header = row 1

    @property
    def more(self) -> bool:
        return self.count > len(self.rows)


def _progress_context(batch: IncidentImport) -> dict:
    rows = skipped_rows(batch)
    percent = 100 if batch.status == ImportStatus.DONE else (
        min(100, 100 * batch.rows_done // batch.rows_total) if batch.rows_total else 0)
    return {
        "batch": batch, "percent": percent, "finished": batch.status in FINISHED,
        "done": batch.status == ImportStatus.DONE,
        "skips": [SkipLine(reason, count, rows[reason]) for reason, count in skipped_counts(batch).items()],
    }


@login_required
@require_http_methods(["GET", "POST"])
def incident_import(request: HttpRequest) -> HttpResponse:
    """Upload a police file; it is checked whole now (400 if not the police format) and imported by a worker."""
    if not may_import_incidents(request.user):
        raise Forbidden("Your role may not import incidents.")
    form = IncidentImportForm(request.POST, request.FILES) if request.method == "POST" else IncidentImportForm()
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            upload = form.cleaned_data["file"]
            limit = max_import_bytes()
            if upload.size > limit:
                status = 413
                form.add_error("file", f"The file is {upload.size:,} bytes; the import limit is {limit:,} bytes. "
                                       "Import a force's months one file at a time.")
            else:
                try:
                    batch = street_crime_import_queue(upload=upload, file_name=upload.name or "upload.csv",
                                                      by=request.user)
                except InvalidInput as exc:
                    form.add_error("file", exc.detail)
                except QueueUnavailable as exc:
                    status = 503
                    form.add_error(None, exc.detail)
                else:
                    return redirect("maps_pages:incident_import_detail", import_id=batch.pk)
    return render(request, "maps/incident_import.html", {"form": form}, status=status)


@login_required
def incident_import_detail(request: HttpRequest, import_id: int) -> HttpResponse:
    batch = import_visible(request.user, import_id)
    return render(request, "maps/incident_import.html", {"form": None, **_progress_context(batch)})


@login_required
def incident_import_progress(request: HttpRequest, import_id: int) -> HttpResponse:
    """The htmx partial: polled every second until the import is done or failed."""
    batch = import_visible(request.user, import_id)
    return render(request, "maps/partials/_import_progress.html", _progress_context(batch))


# --- placement suggestions ----------------------------------------------------------------------

class PlacementForm(forms.Form):
    """Input shape only: ranges and rules are maps.placement's, shown as form errors when broken."""

    k = forms.IntegerField(label="New cameras (k)", initial=3)
    candidates = forms.ChoiceField(choices=[(c, c) for c in CANDIDATES], initial="grid")
    grid_spacing_m = forms.FloatField(label="Grid spacing (m)", initial=100.0)
    max_distance_to_network_m = forms.FloatField(label="Max distance to network (m)", required=False)
    bearings = forms.IntegerField(initial=8)
    angle_deg = forms.FloatField(label="Angle (°)", initial=60.0)
    range_m = forms.FloatField(label="Range (m)", initial=50.0)
    full_circle = forms.BooleanField(label="Full circle (PTZ)", required=False)
    month_from = forms.CharField(label="From (YYYY-MM)", max_length=7)
    month_to = forms.CharField(label="To (YYYY-MM)", max_length=7)


def _suggest(user, data: dict) -> Suggestion:
    return placement_suggest(
        user, k=data["k"], candidates=data["candidates"], grid_spacing_m=data["grid_spacing_m"],
        max_distance_to_network_m=data["max_distance_to_network_m"], bearings=data["bearings"],
        angle_deg=data["angle_deg"], range_m=data["range_m"], full_circle=data["full_circle"],
        month_from=month_parse(data["month_from"], name="month_from"),
        month_to=month_parse(data["month_to"], name="month_to"),
    )


def _camera_value(camera) -> str:
    """One suggested camera as the adopt form posts it back."""
    return json.dumps({"longitude": camera.site.longitude, "latitude": camera.site.latitude,
                       "bearing_deg": camera.bearing_deg, "angle_deg": camera.angle_deg, "range_m": camera.range_m,
                       "name": camera.site.name if camera.site.candidate_site_id else ""})


def _render_placement(request: HttpRequest, form: PlacementForm, *, suggestion: Suggestion | None = None,
                      query: str = "", adopt_error: str | None = None, status: int = 200) -> HttpResponse:
    rows = [(camera, _camera_value(camera)) for camera in suggestion.cameras] if suggestion else []
    data = form.cleaned_data if form.is_bound and form.is_valid() else {}
    title = f"{data['k']} suggested cameras, {data['month_from']} to {data['month_to']}" if data else ""
    return render(request, "maps/placement.html", {
        "placement_data": _map_data(suggestion) if suggestion else None,
        "form": form, "suggestion": suggestion, "rows": rows, "adopt_error": adopt_error,
        "query": query, "title": title,
        "shortfall": None if not suggestion or suggestion.ilp is None
        else suggestion.ilp.objective - suggestion.greedy.objective,
    }, status=status)


def _map_data(suggestion: Suggestion) -> dict:
    """The suggested cameras for the page's map: where, which way, and what each gains."""
    return {
        **map_settings(),
        "cameras": [
            {"lon": camera.site.longitude, "lat": camera.site.latitude, "bearing_deg": camera.bearing_deg,
             "view_angle_deg": camera.angle_deg, "view_range_m": camera.range_m, "gained": camera.incidents_gained}
            for camera in suggestion.cameras
        ],
    }


@login_required
def placement(request: HttpRequest) -> HttpResponse:
    """GET with the form's fields runs the suggestion (a read: it changes nothing, so it can be bookmarked)."""
    authorize(request.user, "suggest", Proposal)
    if "k" not in request.GET:
        return _render_placement(request, PlacementForm())
    form = PlacementForm(request.GET)
    if not form.is_valid():
        return _render_placement(request, form, status=400)
    try:
        suggestion = _suggest(request.user, form.cleaned_data)
    except DomainError as exc:
        form.add_error(None, exc.detail)
        return _render_placement(request, form, status=400)
    return _render_placement(request, form, suggestion=suggestion, query=request.GET.urlencode())


def _adopted_cameras(values: list[str]) -> list[AdoptedCamera]:
    """The ticked cameras, back from the page; anything unreadable is refused rather than guessed."""
    cameras = []
    for value in values:
        try:
            data = json.loads(value)
            bearing = data["bearing_deg"]
            numbers = [float(data["longitude"]), float(data["latitude"]), float(data["angle_deg"]),
                       float(data["range_m"]), *([] if bearing is None else [float(bearing)])]
            name = str(data.get("name", ""))[:200]
        except (ValueError, KeyError, TypeError):
            raise InvalidInput("A ticked camera could not be read; run the suggestion again.") from None
        if not all(map(math.isfinite, numbers)):
            raise InvalidInput("A ticked camera has a position or view that is not a number; run the suggestion again.")
        cameras.append(AdoptedCamera(longitude=numbers[0], latitude=numbers[1], angle_deg=numbers[2],
                                     range_m=numbers[3], bearing_deg=None if bearing is None else numbers[4],
                                     name=name))
    return cameras


@login_required
@require_POST
def placement_adopt_page(request: HttpRequest) -> HttpResponse:
    """Turn the ticked suggestions into a draft proposal (maps.placement.placement_adopt) and show it."""
    authorize(request.user, "suggest", Proposal)
    try:
        title = request.POST.get("title", "").strip()
        if not title:
            raise InvalidInput("Give the proposal a title.")
        proposal = placement_adopt(request.user, title=title[:200], rationale=request.POST.get("rationale", ""),
                                   cameras=_adopted_cameras(request.POST.getlist("camera")))
    except DomainError as exc:
        # Show the form as it was asked, without solving again: the suggestion can take seconds.
        query = QueryDict(request.POST.get("query", ""))
        form = PlacementForm(query) if "k" in query else PlacementForm()
        return _render_placement(request, form, query=query.urlencode(), adopt_error=exc.detail, status=400)
    return redirect("maps_proposals:detail", proposal_id=proposal.pk)


class IncidentForm(forms.Form):
    category = forms.ChoiceField(choices=[(category, category) for category in POLICE_CATEGORIES])
    occurred_at = forms.DateTimeField(widget=forms.DateTimeInput(attrs={"type": "datetime-local"}),
                                      label="When it happened")
    longitude = forms.FloatField(min_value=-180, max_value=180)
    latitude = forms.FloatField(min_value=-90, max_value=90)
    location_text = forms.CharField(required=False, max_length=200, label="Where (in words)")
    description = forms.CharField(required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))


@login_required
def incident_new(request: HttpRequest) -> HttpResponse:
    """A council's staff record a local incident (e.g. ASB reported to the council) for coverage analysis."""
    if not role_may(request.user, "add", "maps.incident"):
        raise Forbidden("Your role may not record incidents.")
    form = IncidentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            incident = incident_record(by=request.user, category=data["category"], occurred_at=data["occurred_at"],
                                       location=(data["longitude"], data["latitude"], 4326),
                                       location_text=data["location_text"], description=data["description"])
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, f"Incident recorded: {incident.category}, {incident.month:%B %Y}.")
            return redirect("maps_pages:incident_new")
    return render(request, "maps/incident_form.html", {"form": form},
                  status=400 if request.method == "POST" else 200)
