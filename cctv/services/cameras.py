"""Rules that change cameras: create, edit, relocate, record a status."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.exceptions import InvalidInput
from accounts.models import Organisation, User
from cctv.choices import CameraKind, CameraStatus, StatusSource
from cctv.geometry import field_of_view
from cctv.models import Camera, CameraStatusChange
from cctv.services.fields import nulls_refused
from cctv.services.history import history_actor

logger = logging.getLogger(__name__)

FOV_FIELDS = {"location", "bearing_deg", "view_angle_deg", "view_range_m", "kind"}
EDITABLE_FIELDS = {
    "asset_ref", "name", "mounting", "kind", "make", "model_name", "installed_on", "upgraded_on", "town",
    "ward", "bearing_deg", "view_angle_deg", "view_range_m", "retention_days", "purpose", "dpia_ref",
    "dpia_review_due_on", "has_signage", "privacy_masking_notes", "publish_field_of_view", "node",
}


def camera_view_polygon_refresh(camera: Camera) -> None:
    """Rebuild the stored field of view from location, bearing, angle and range."""
    camera.view_polygon = field_of_view(
        camera.location, bearing_deg=camera.bearing_deg, angle_deg=camera.view_angle_deg,
        range_m=camera.view_range_m, full_circle=camera.kind == CameraKind.PTZ,
    )


def _validate(camera: Camera) -> None:
    try:
        camera.full_clean(exclude=["view_polygon"])
    except ValidationError as exc:
        messages = [f"{field}: {' '.join(errs)}" if field != "__all__" else " ".join(errs)
                    for field, errs in exc.message_dict.items()]
        raise InvalidInput("; ".join(messages)) from None


@transaction.atomic
def camera_create(*, owner: Organisation, by: User | None, status_at: datetime | None = None,
                  source: str | None = None, **fields: Any) -> Camera:
    """Register a camera. Its first status becomes the first entry of its timeline."""
    unknown = set(fields) - EDITABLE_FIELDS - {"location", "status"}
    if unknown:
        raise InvalidInput(f"Unknown camera fields: {', '.join(sorted(unknown))}.")
    camera = Camera(owner=owner, **fields)
    camera.status_changed_at = status_at or timezone.now()
    camera_view_polygon_refresh(camera)
    _validate(camera)
    with pghistory.context(**history_actor(by), action="camera_create"):
        camera.save()
    CameraStatusChange.objects.create(
        camera=camera, status=camera.status, changed_at=camera.status_changed_at,
        source=source or (StatusSource.MANUAL if by else StatusSource.SYSTEM), changed_by=by, note="registered",
    )
    if camera.node_id:
        _path_refresh(camera)
    logger.info("camera created id=%s asset=%s", camera.pk, camera.asset_ref)
    return camera


def _path_refresh(camera: Camera) -> None:
    # Imported here: the network services build on this module (history_actor, cameras).
    from cctv.services.network import camera_path_refresh

    camera_path_refresh(camera=camera)


@transaction.atomic
def camera_update(*, camera: Camera, by: User | None, reason: str = "", **changes: Any) -> Camera:
    """Edit descriptive fields and the field of view. Location changes go through camera_relocate."""
    unknown = set(changes) - EDITABLE_FIELDS
    if unknown:
        raise InvalidInput(f"These fields cannot be changed here: {', '.join(sorted(unknown))}.")
    nulls_refused(Camera, changes)
    camera = Camera.objects.select_for_update().get(pk=camera.pk)
    for name, value in changes.items():
        setattr(camera, name, value)
    if FOV_FIELDS & set(changes):
        camera_view_polygon_refresh(camera)
    _validate(camera)
    with pghistory.context(**history_actor(by), action="camera_update", reason=reason):
        camera.save()
    if "node" in changes:
        _path_refresh(camera)
    return camera


@dataclass(frozen=True)
class Relocation:
    camera: Camera
    moved_m: float


@transaction.atomic
def camera_relocate(*, camera: Camera, by: User | None, location, reason: str, relocated_on=None,
                    **view: Any) -> Relocation:
    """Move a camera. A relocation is a change of location with a reason and a date (DESIGN 2A)."""
    reason = (reason or "").strip()
    if not reason:
        raise InvalidInput("A relocation needs a reason.")
    unknown = set(view) - {"bearing_deg", "view_angle_deg", "view_range_m"}
    if unknown:
        raise InvalidInput(f"Only the view can change with a relocation, not {', '.join(sorted(unknown))}.")
    camera = Camera.objects.select_for_update().get(pk=camera.pk)
    moved_m = camera.location.distance(location)
    camera.location = location
    for name, value in view.items():
        setattr(camera, name, value)
    camera_view_polygon_refresh(camera)
    _validate(camera)
    on = (relocated_on or timezone.localdate()).isoformat()
    with pghistory.context(**history_actor(by), action="camera_relocate", reason=reason, relocated_on=on):
        camera.save()
    logger.info("camera relocated id=%s moved_m=%.1f", camera.pk, moved_m)
    return Relocation(camera=camera, moved_m=moved_m)


@transaction.atomic
def camera_status_record(*, camera: Camera, status: str, at: datetime | None = None, source: str = StatusSource.MANUAL,
                         by: User | None = None, note: str = "") -> CameraStatusChange:
    """Add an entry to the camera's timeline at `at` (now by default), in time order.

    The camera's current status is the status of the latest entry by time, so an entry that
    arrives late (an out-of-order health event) takes its place in the past without
    overwriting a newer status.
    """
    if status not in CameraStatus.values:
        raise InvalidInput(f"Unknown camera status {status!r}.")
    at = at or timezone.now()
    if at > timezone.now() + timezone.timedelta(minutes=5):
        raise InvalidInput("A status cannot be recorded in the future.")
    camera = Camera.objects.select_for_update().get(pk=camera.pk)
    change = CameraStatusChange.objects.create(
        camera=camera, status=status, changed_at=at, source=source, changed_by=by, note=note[:500]
    )
    current, since = _current_run(camera)
    if (current, since) != (camera.status, camera.status_changed_at):
        camera.status = current
        camera.status_changed_at = since
        with pghistory.context(**history_actor(by), action="camera_status", source=source):
            camera.save(update_fields=["status", "status_changed_at", "updated_at"])
    return change


def _current_run(camera: Camera) -> tuple[str, datetime]:
    """The status of the latest timeline entry and when that unbroken run of it began.

    A late entry can split the current run (online 09:00, then online 11:00, then a late
    offline at 10:00 arrives): the camera has been online since 11:00, not 09:00.
    """
    timeline = camera.status_changes.order_by("-changed_at", "-id")
    latest = timeline.first()
    different = timeline.exclude(status=latest.status).first()
    run = camera.status_changes.filter(status=latest.status)
    if different is not None:
        run = run.filter(Q(changed_at__gt=different.changed_at)
                         | Q(changed_at=different.changed_at, id__gt=different.id))
    return latest.status, run.order_by("changed_at", "id").values_list("changed_at", flat=True).first()
