"""Reads of the estate, already scoped to the user through accounts.permissions."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.gis.geos import Polygon
from django.db.models import Q, QuerySet

from accounts.exceptions import InvalidInput
from accounts.models import User
from accounts.permissions import visible_to
from cctv.choices import CameraKind, CameraStatus
from cctv.models import Camera, CameraStatusChange


@dataclass(frozen=True)
class CameraFilterValues:
    status: str | None = None
    kind: str | None = None
    town: str | None = None
    q: str | None = None
    bbox: tuple[float, float, float, float] | None = None  # WGS84 min lon, min lat, max lon, max lat


def cameras_visible_to(user: User) -> QuerySet[Camera]:
    return visible_to(user, Camera.objects.all())


def cameras_filtered(user: User, filters: CameraFilterValues) -> QuerySet[Camera]:
    cameras = cameras_visible_to(user)
    if filters.status:
        if filters.status not in CameraStatus.values:
            raise InvalidInput(f"Unknown status {filters.status!r}; use one of {', '.join(CameraStatus.values)}.")
        cameras = cameras.filter(status=filters.status)
    if filters.kind:
        if filters.kind not in CameraKind.values:
            raise InvalidInput(f"Unknown kind {filters.kind!r}; use one of {', '.join(CameraKind.values)}.")
        cameras = cameras.filter(kind=filters.kind)
    if filters.town:
        cameras = cameras.filter(town__iexact=filters.town)
    if filters.q:
        term = filters.q.strip()[:100]
        cameras = cameras.filter(Q(asset_ref__icontains=term) | Q(name__icontains=term) | Q(town__icontains=term))
    if filters.bbox:
        min_lon, min_lat, max_lon, max_lat = filters.bbox
        if not (min_lon < max_lon and min_lat < max_lat):
            raise InvalidInput("bbox is min_lon,min_lat,max_lon,max_lat with min < max.")
        # Transform the box, not the indexed column, so the GiST index on location is used.
        box = Polygon.from_bbox(filters.bbox)
        box.srid = 4326
        cameras = cameras.filter(location__bboverlaps=box.transform(27700, clone=True))
    return cameras


def camera_towns(user: User) -> list[str]:
    return list(cameras_visible_to(user).exclude(town="").values_list("town", flat=True).distinct().order_by("town"))


def camera_timeline(camera: Camera, *, limit: int = 200) -> QuerySet[CameraStatusChange]:
    return camera.status_changes.select_related("changed_by").order_by("-changed_at", "-id")[:limit]


def camera_history(camera: Camera, *, limit: int = 100) -> list[dict]:
    """Changes to the camera's record (django-pghistory events), newest first, with who and why."""
    events = (
        Camera.pgh_event_model.objects.filter(pgh_obj_id=camera.pk)
        .select_related("pgh_context")
        .order_by("-pgh_created_at", "-pgh_id")[: limit + 1]
    )
    rows = list(events)
    out = []
    tracked = [f.name for f in Camera._meta.concrete_fields if f.name not in {"view_polygon", "updated_at"}]
    for index, event in enumerate(rows[:limit]):
        previous = rows[index + 1] if index + 1 < len(rows) else None
        changed = []
        if previous is not None:
            for name in tracked:
                attname = Camera._meta.get_field(name).attname
                before, after = getattr(previous, attname, None), getattr(event, attname, None)
                if before != after:
                    changed.append({"field": name, "before": _plain(before), "after": _plain(after)})
        context = event.pgh_context.metadata if event.pgh_context_id else {}
        out.append({
            "at": event.pgh_created_at,
            "label": event.pgh_label,
            "username": context.get("username") or "",
            "action": context.get("action") or "",
            "reason": context.get("reason") or "",
            "changes": changed,
        })
    return out


def _plain(value):
    if hasattr(value, "wkt"):
        return f"E {value.x:.1f} N {value.y:.1f}" if value.geom_type == "Point" else value.geom_type
    return value if value is None or isinstance(value, (int, float, str, bool)) else str(value)
