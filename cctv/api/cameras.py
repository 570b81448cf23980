"""Cameras: CRUD, filtered lists, GeoJSON, relocation, status, timeline, history, snapshots."""


from django.contrib.gis.db.models.functions import Transform
from django.db.models import ProtectedError
from django.http import FileResponse, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404
from ninja import File, Form, Query, Router, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from accounts.exceptions import InvalidInput, WrongState
from accounts.permissions import authorize, visible_to
from cctv.choices import StatusSource
from cctv.geojson import cameras_geojson
from cctv.geometry import point_from_input
from cctv.models import Camera, CameraSnapshot, Node
from cctv.openapi import GEOJSON_OPENAPI, file_openapi
from cctv.pagination import LimitOffsetPagination
from cctv.schemas import (
    CameraFilter,
    CameraIn,
    CameraOut,
    CameraPatch,
    HistoryEntryOut,
    RelocateIn,
    SnapshotOut,
    StatusChangeOut,
    StatusIn,
)
from cctv.selectors import CameraFilterValues, camera_history, camera_timeline, cameras_filtered, cameras_visible_to
from cctv.services.cameras import camera_create, camera_relocate, camera_status_record, camera_update
from cctv.services.snapshots import snapshot_add

router = Router(tags=["cameras"])


def _filters(filters: CameraFilter) -> CameraFilterValues:
    bbox = None
    if filters.bbox:
        try:
            parts = tuple(float(part) for part in filters.bbox.split(","))
        except ValueError:
            raise InvalidInput("bbox must be four numbers: min_lon,min_lat,max_lon,max_lat.") from None
        if len(parts) != 4:
            raise InvalidInput("bbox must be four numbers: min_lon,min_lat,max_lon,max_lat.")
        bbox = parts
    return CameraFilterValues(status=filters.status, kind=filters.kind, town=filters.town, q=filters.q, bbox=bbox)


def _camera(request: HttpRequest, camera_id: int, action: str = "view") -> Camera:
    camera = get_object_or_404(cameras_visible_to(request.auth).select_related("owner"), pk=camera_id)
    authorize(request.auth, action, camera)
    return camera


def _node(request: HttpRequest, node_id: int | None) -> Node | None:
    if node_id is None:
        return None
    node = visible_to(request.auth, Node.objects.all()).filter(pk=node_id).first()
    if node is None:
        raise InvalidInput(f"Node {node_id} does not exist or is not yours.")
    return node


@router.get("", response=list[CameraOut], summary="List cameras")
@paginate(LimitOffsetPagination)
def camera_list(request: HttpRequest, filters: Query[CameraFilter]):
    cameras = cameras_filtered(request.auth, _filters(filters)).select_related("owner")
    return cameras.annotate(location_wgs84=Transform("location", 4326)).order_by("asset_ref")


@router.get("/geojson", summary="Cameras as a GeoJSON FeatureCollection (built in PostGIS)", url_name="camera_geojson",
            response={200: None}, openapi_extra=GEOJSON_OPENAPI)
def camera_geojson(request: HttpRequest, filters: Query[CameraFilter], geometry: str = "location"):
    if geometry not in ("location", "view"):
        raise InvalidInput("geometry is 'location' (points) or 'view' (field-of-view polygons).")
    body = cameras_geojson(cameras_filtered(request.auth, _filters(filters)), geometry=geometry)
    return HttpResponse(body, content_type="application/geo+json")


@router.get("/{camera_id}", response=CameraOut, summary="One camera")
def camera_get(request: HttpRequest, camera_id: int):
    return _camera(request, camera_id)


@router.post("", response={201: CameraOut}, summary="Register a camera")
def camera_create_endpoint(request: HttpRequest, payload: CameraIn):
    authorize(request.auth, "add", Camera)
    owner = request.auth.organisation
    if owner is None:
        raise InvalidInput("Only a user of a council can register cameras (administrators: use the admin site).")
    fields = payload.dict(exclude_unset=True, exclude={"location", "node_id"})
    fields = {name: value for name, value in fields.items() if value is not None}
    camera = camera_create(
        owner=owner, by=request.auth, location=point_from_input(payload.location.x, payload.location.y,
                                                                payload.location.srid),
        node=_node(request, payload.node_id), **fields,
    )
    return Status(201, camera)


@router.patch("/{camera_id}", response=CameraOut, summary="Change a camera's details or view")
def camera_update_endpoint(request: HttpRequest, camera_id: int, payload: CameraPatch):
    camera = _camera(request, camera_id, "change")
    changes = payload.dict(exclude_unset=True, exclude={"reason", "node_id"})
    if "node_id" in payload.model_fields_set:
        changes["node"] = _node(request, payload.node_id)
    camera = camera_update(camera=camera, by=request.auth, reason=payload.reason, **changes)
    return camera


@router.delete("/{camera_id}", response={204: None}, summary="Delete a camera (admins; only if unreferenced)")
def camera_delete(request: HttpRequest, camera_id: int):
    camera = _camera(request, camera_id, "delete")
    try:
        camera.delete()
    except ProtectedError:
        raise WrongState("This camera has faults or other records; decommission it instead.") from None
    return Status(204, None)


@router.post("/{camera_id}/relocate", response=CameraOut, summary="Move a camera, with a reason")
def camera_relocate_endpoint(request: HttpRequest, camera_id: int, payload: RelocateIn):
    camera = _camera(request, camera_id, "change")
    view = {name: getattr(payload, name) for name in ("bearing_deg", "view_angle_deg", "view_range_m")
            if name in payload.model_fields_set}
    location = point_from_input(payload.location.x, payload.location.y, payload.location.srid)
    result = camera_relocate(camera=camera, by=request.auth, location=location, reason=payload.reason,
                             relocated_on=payload.relocated_on, **view)
    return result.camera


@router.post("/{camera_id}/status", response=StatusChangeOut, summary="Record a status change")
def camera_status_endpoint(request: HttpRequest, camera_id: int, payload: StatusIn):
    camera = _camera(request, camera_id, "change_status")
    change = camera_status_record(camera=camera, status=payload.status, source=StatusSource.MANUAL,
                                  by=request.auth, note=payload.note)
    return _status_out(change)


@router.get("/{camera_id}/timeline", response=list[StatusChangeOut], summary="Status timeline, newest first")
def camera_timeline_endpoint(request: HttpRequest, camera_id: int):
    return [_status_out(change) for change in camera_timeline(_camera(request, camera_id))]


@router.get("/{camera_id}/history", response=list[HistoryEntryOut], summary="Who changed what, when, why")
def camera_history_endpoint(request: HttpRequest, camera_id: int):
    return camera_history(_camera(request, camera_id))


@router.get("/{camera_id}/snapshots", response=list[SnapshotOut], summary="Snapshots of the camera's view")
def snapshot_list(request: HttpRequest, camera_id: int):
    camera = _camera(request, camera_id)
    return [_snapshot_out(snapshot) for snapshot in camera.snapshots.all()]


@router.post("/{camera_id}/snapshots", response={201: SnapshotOut}, summary="Upload a snapshot (JPEG or PNG)")
def snapshot_upload(request: HttpRequest, camera_id: int, image: File[UploadedFile], caption: Form[str] = ""):
    camera = _camera(request, camera_id, "change")
    snapshot = snapshot_add(camera=camera, data=image.read(), by=request.auth, caption=caption)
    return Status(201, _snapshot_out(snapshot))


@router.get("/{camera_id}/snapshots/{snapshot_id}/{variant}", summary="Snapshot image or thumbnail",
            response={200: None}, openapi_extra=file_openapi("The image", "image/jpeg", "image/png"))
def snapshot_file(request: HttpRequest, camera_id: int, snapshot_id: int, variant: str):
    camera = _camera(request, camera_id)
    snapshot = get_object_or_404(CameraSnapshot, pk=snapshot_id, camera=camera)
    if variant not in ("image", "thumbnail"):
        raise InvalidInput("variant is 'image' or 'thumbnail'.")
    field = snapshot.image if variant == "image" else snapshot.thumbnail
    return FileResponse(field.open("rb"), content_type="image/jpeg" if field.name.endswith(".jpg") else "image/png")


def _status_out(change) -> dict:
    return {
        "status": change.status, "changed_at": change.changed_at, "recorded_at": change.recorded_at,
        "source": change.source, "note": change.note,
        "changed_by": change.changed_by.username if change.changed_by_id else None,
    }


def _snapshot_out(snapshot: CameraSnapshot) -> dict:
    base = f"/api/cameras/{snapshot.camera_id}/snapshots/{snapshot.pk}"
    return {
        "id": snapshot.pk, "width_px": snapshot.width_px, "height_px": snapshot.height_px,
        "sha256": snapshot.sha256, "caption": snapshot.caption, "uploaded_at": snapshot.uploaded_at,
        "image_url": f"{base}/image", "thumbnail_url": f"{base}/thumbnail",
    }
