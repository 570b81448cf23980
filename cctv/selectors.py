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


@dataclass(frozen=True)
class EstateSummary:
    cameras_by_status: dict[str, int]
    cameras_total: int
    open_faults_by_priority: dict[str, int]
    open_faults_total: int
    breached_open_faults: int


def estate_summary(user: User) -> EstateSummary:
    """The counts at the top of the Operational Group's dashboard, in two grouped queries."""
    from django.db.models import Count

    from cctv.choices import FAULT_STATUSES_ACTIVE, FaultPriority
    from cctv.models import Fault

    by_status = dict(cameras_visible_to(user).order_by().values_list("status").annotate(n=Count("id")))
    faults = visible_to(user, Fault.objects.filter(status__in=FAULT_STATUSES_ACTIVE))
    rows = faults.order_by().values("priority").annotate(
        n=Count("id"),
        breached=Count("id", filter=Q(response_breached_at__isnull=False) | Q(fix_breached_at__isnull=False)),
    )
    by_priority = {priority: 0 for priority in FaultPriority.values}
    breached = 0
    for row in rows:
        by_priority[row["priority"]] = row["n"]
        breached += row["breached"]
    return EstateSummary(
        cameras_by_status={status: by_status.get(status, 0) for status in CameraStatus.values},
        cameras_total=sum(by_status.values()),
        open_faults_by_priority=by_priority,
        open_faults_total=sum(by_priority.values()),
        breached_open_faults=breached,
    )


def month_bounds(day) -> tuple:
    """The calendar month holding `day`, as aware datetimes at London midnight (DST-correct)."""
    import datetime as dt

    from django.utils import timezone

    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    zone = timezone.get_default_timezone()
    start_at = dt.datetime.combine(first, dt.time(0), tzinfo=zone)
    return start_at, dt.datetime.combine(following, dt.time(0), tzinfo=zone)


def estate_availability_this_month(user: User) -> list:
    """Each visible council estate's availability so far this month, against its contract target."""
    from django.utils import timezone

    from cctv.availability import availability_period, estate_availability

    start_at, end_at = month_bounds(timezone.localdate())
    period = availability_period(start_at=start_at, end_at=end_at)
    return estate_availability(cameras=cameras_visible_to(user), period=period)


@dataclass(frozen=True)
class FaultClocks:
    response: object  # cctv.sla.ClockReading
    fix: object


def fault_clocks(fault, *, now=None) -> FaultClocks:
    """The response and fix clocks of a fault as they read now (cctv.sla.clock_read)."""
    from django.utils import timezone

    from cctv.choices import FaultStatus
    from cctv.sla import clock_read

    now = now or timezone.now()
    cancelled_at = fault.closed_at if fault.status == FaultStatus.CANCELLED else None
    return FaultClocks(
        response=clock_read(due_at=fault.response_due_at, done_at=fault.acknowledged_at, cancelled_at=cancelled_at,
                            now=now),
        fix=clock_read(due_at=fault.fix_due_at, done_at=fault.fixed_at, cancelled_at=cancelled_at, now=now),
    )


def fault_cameras_taken_down(fault) -> QuerySet[Camera] | None:
    """For a link or node fault, the cameras that lose every route while it lasts; None otherwise."""
    from cctv.queries import cameras_cut_off_by

    if fault.link_id:
        return cameras_cut_off_by(link=fault.link)
    if fault.node_id:
        return cameras_cut_off_by(node=fault.node)
    return None


def faults_visible_to(user: User) -> QuerySet:
    from cctv.models import Fault

    return visible_to(user, Fault.objects.select_related("camera", "node", "link", "assigned_to"))
