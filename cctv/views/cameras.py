"""Server-rendered estate pages: check access, call a selector or service, render."""


from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.views.decorators.http import require_POST

from accounts.exceptions import DomainError
from accounts.permissions import actions_allowed, authorize, can
from cctv.choices import CAMERA_STATUS_COLOUR, StatusSource
from cctv.forms import CameraFilterForm, CameraForm, CameraRelocateForm, CameraStatusForm, SnapshotForm
from cctv.geometry import point_from_lon_lat
from cctv.models import Camera, Contract, Fault, Node
from cctv.queries import camera_trace
from cctv.selectors import (
    CameraFilterValues,
    camera_history,
    camera_timeline,
    camera_towns,
    cameras_filtered,
    cameras_visible_to,
    estate_availability_this_month,
    estate_summary,
)
from cctv.services.cameras import camera_relocate, camera_status_record, camera_update
from cctv.services.snapshots import snapshot_add

CAMERA_ACTIONS = ("change", "change_status")


def basemap_settings() -> dict:
    """What every map page's background needs (static/js/basemap.js)."""
    return {"tileUrl": settings.MAP_TILE_URL, "tileAttribution": settings.MAP_TILE_ATTRIBUTION}


def map_settings() -> dict:
    return {**basemap_settings(), "statusColours": CAMERA_STATUS_COLOUR}


@login_required
def estate_dashboard(request: HttpRequest) -> HttpResponse:
    # The dashboard is the estate's staff view (faults, SLA): those who may see faults.
    authorize(request.user, "view", Fault)
    summary = estate_summary(request.user)
    context = {
        "summary": summary,
        "status_colours": CAMERA_STATUS_COLOUR,
        # Availability is judged against the contract, so it shows to those who may see the contract.
        "availability": estate_availability_this_month(request.user) if can(request.user, "view", Contract) else [],
        "shows_availability": can(request.user, "view", Contract),
    }
    return render(request, "cctv/dashboard.html", context)


@login_required
def camera_list(request: HttpRequest) -> HttpResponse:
    authorize(request.user, "view", Camera)
    form = CameraFilterForm(request.GET or None, towns=camera_towns(request.user))
    filters = CameraFilterValues()
    if form.is_valid():
        data = form.cleaned_data
        filters = CameraFilterValues(status=data["status"] or None, kind=data["kind"] or None,
                                     town=data["town"] or None, q=data["q"] or None)
    cameras = cameras_filtered(request.user, filters).select_related("node").order_by("asset_ref")
    page = Paginator(cameras, 50).get_page(request.GET.get("page"))
    context = {"form": form, "page": page, "status_colours": CAMERA_STATUS_COLOUR,
               "querystring": _querystring(request)}
    template = "cctv/partials/_camera_table.html" if request.headers.get("HX-Request") else "cctv/camera_list.html"
    return render(request, template, context)


def _querystring(request: HttpRequest) -> str:
    params = request.GET.copy()
    params.pop("page", None)
    return params.urlencode()


def _camera_for(request: HttpRequest, camera_id: int, action: str = "view") -> Camera:
    camera = get_object_or_404(cameras_visible_to(request.user).select_related("owner", "node"), pk=camera_id)
    authorize(request.user, action, camera)
    return camera


@login_required
def camera_detail(request: HttpRequest, camera_id: int) -> HttpResponse:
    camera = _camera_for(request, camera_id)
    allowed = actions_allowed(request.user, camera, CAMERA_ACTIONS)
    map_data = {
        **map_settings(),
        "camerasUrl": reverse("api:camera_geojson") + "?" + urlencode({"q": camera.asset_ref}),
        "viewsUrl": reverse("api:camera_geojson") + "?" + urlencode({"q": camera.asset_ref, "geometry": "view"}),
        "focusAssetRef": camera.asset_ref,
    }
    context = {
        "camera": camera,
        "allowed": allowed,
        "trace": camera_trace(camera) if can(request.user, "view", Node) else None,
        "timeline": camera_timeline(camera, limit=50),
        "history": camera_history(camera, limit=20),
        "faults": camera.faults.order_by("-reported_at")[:20],
        "snapshots": camera.snapshots.all()[:12],
        "status_form": CameraStatusForm(initial={"status": camera.status}),
        "snapshot_form": SnapshotForm(),
        "status_colours": CAMERA_STATUS_COLOUR,
        "map_data": map_data,
    }
    return render(request, "cctv/camera_detail.html", context)


@login_required
@require_POST
def camera_status_change(request: HttpRequest, camera_id: int) -> HttpResponse:
    camera = _camera_for(request, camera_id, "change_status")
    form = CameraStatusForm(request.POST)
    error = None
    if form.is_valid():
        try:
            camera_status_record(camera=camera, status=form.cleaned_data["status"], source=StatusSource.MANUAL,
                                 by=request.user, note=form.cleaned_data["note"])
        except DomainError as exc:
            error = exc.detail
    else:
        error = "Choose a status."
    if request.headers.get("HX-Request"):
        camera.refresh_from_db()
        return render(request, "cctv/partials/_status_panel.html", {
            "camera": camera, "timeline": camera_timeline(camera, limit=50), "error": error,
            "status_form": CameraStatusForm(initial={"status": camera.status}),
            "allowed": actions_allowed(request.user, camera, CAMERA_ACTIONS), "status_colours": CAMERA_STATUS_COLOUR,
        })
    if error:
        messages.error(request, error)
    else:
        messages.success(request, "Status recorded.")
    return redirect("cctv:camera_detail", camera_id=camera.pk)


@login_required
def camera_edit(request: HttpRequest, camera_id: int) -> HttpResponse:
    camera = _camera_for(request, camera_id, "change")
    form = CameraForm(request.POST or None, instance=Camera.objects.get(pk=camera.pk))
    wgs = camera.location.transform(4326, clone=True)
    relocate_form = CameraRelocateForm(initial={"longitude": round(wgs.x, 6), "latitude": round(wgs.y, 6)})
    if request.method == "POST" and form.is_valid():
        changes = {name: form.cleaned_data[name] for name in form.changed_data if name != "reason"}
        try:
            camera_update(camera=camera, by=request.user, reason=form.cleaned_data["reason"], **changes)
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, "Camera updated.")
            return redirect("cctv:camera_detail", camera_id=camera.pk)
    return render(request, "cctv/camera_form.html", {"camera": camera, "form": form, "relocate_form": relocate_form})


@login_required
@require_POST
def camera_relocate_view(request: HttpRequest, camera_id: int) -> HttpResponse:
    camera = _camera_for(request, camera_id, "change")
    form = CameraRelocateForm(request.POST)
    if form.is_valid():
        try:
            location = point_from_lon_lat(form.cleaned_data["longitude"], form.cleaned_data["latitude"])
            result = camera_relocate(camera=camera, by=request.user, location=location,
                                     reason=form.cleaned_data["reason"], relocated_on=form.cleaned_data["relocated_on"])
        except DomainError as exc:
            form.add_error(None, exc.detail)
        else:
            messages.success(request, f"Camera moved {result.moved_m:.0f} m.")
            return redirect("cctv:camera_detail", camera_id=camera.pk)
    edit_form = CameraForm(instance=Camera.objects.get(pk=camera.pk))
    return render(request, "cctv/camera_form.html",
                  {"camera": camera, "form": edit_form, "relocate_form": form}, status=400)


@login_required
@require_POST
def camera_snapshot_upload(request: HttpRequest, camera_id: int) -> HttpResponse:
    camera = _camera_for(request, camera_id, "change")
    form = SnapshotForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            snapshot_add(camera=camera, data=form.cleaned_data["image"].read(), by=request.user,
                         caption=form.cleaned_data["caption"])
        except DomainError as exc:
            messages.error(request, exc.detail)
        else:
            messages.success(request, "Snapshot added.")
    else:
        messages.error(request, "Choose an image file to upload.")
    return redirect("cctv:camera_detail", camera_id=camera.pk)
