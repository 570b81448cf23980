"""Which cameras could have recorded an incident: a location and a time window in, reasons out.

DESIGN.md 2C: "given a location and a time window, the system proposes the cameras whose field of
view covers it and which were recording then". Every camera of the owner near the location comes
back, suggested or left out, with the reason in words an operator can check against the map and
the camera's status history. The spatial test and the status timeline are one query
(evidence/sql/cameras_suggest.sql); this module only words the answer.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import cache
from pathlib import Path

from django.conf import settings
from django.contrib.gis.geos import Point
from django.contrib.gis.measure import D
from django.db import connection

from accounts.models import Organisation, User
from accounts.permissions import visible_to
from cctv.choices import CAMERA_STATUSES_UP, CameraStatus
from cctv.geometry import STORAGE_SRID
from cctv.models import Camera
from cctv.sla import LONDON
from evidence.services.requests import incident_window_check, request_owner_check

SQL_DIR = Path(__file__).resolve().parent / "sql"
DEFAULT_SUGGEST_RADIUS_M = 500


@cache
def _sql(name: str) -> str:
    return (SQL_DIR / f"{name}.sql").read_text()


@dataclass(frozen=True)
class Span:
    status: str
    starts_at: dt.datetime
    ends_at: dt.datetime


@dataclass(frozen=True)
class Suggestion:
    camera_id: int
    asset_ref: str
    name: str
    distance_m: float
    suggested: bool
    reason: str


def _clock(moment: dt.datetime, *, same_day: bool) -> str:
    local = moment.astimezone(LONDON)
    return local.strftime("%H:%M") if same_day else local.strftime("%d %b %H:%M")


def _gaps(spans: list[Span], starts_at: dt.datetime, ends_at: dt.datetime) -> list[tuple[dt.datetime, dt.datetime]]:
    """Parts of the window no timeline entry covers (before the camera's first entry)."""
    covered_from = spans[0].starts_at if spans else ends_at
    return [(starts_at, covered_from)] if covered_from > starts_at else []


def _status_reason(ref: str, spans: list[Span], starts_at: dt.datetime, ends_at: dt.datetime) -> str | None:
    """Why the camera was not recording throughout the window, or None when it was."""
    same_day = starts_at.astimezone(LONDON).date() == ends_at.astimezone(LONDON).date()
    gaps = _gaps(spans, starts_at, ends_at)
    if gaps:
        (gap_from, gap_to), = gaps
        return (f"{ref} has no status record for {_clock(gap_from, same_day=same_day)}–"
                f"{_clock(gap_to, same_day=same_day)} of the window")
    down = [span for span in spans if span.status not in CAMERA_STATUSES_UP]
    if not down:
        return None
    if len(down) == 1 and (down[0].starts_at, down[0].ends_at) == (starts_at, ends_at):
        return f"{ref} was {CameraStatus(down[0].status).label.lower()} throughout the window"
    parts = [f"{CameraStatus(span.status).label.lower()} {_clock(span.starts_at, same_day=same_day)}–"
             f"{_clock(span.ends_at, same_day=same_day)}" for span in down]
    listed = parts[0] if len(parts) == 1 else ", ".join(parts[:-1]) + " and " + parts[-1]
    return f"{ref} was {listed} during the window"


def _suggestion(row: tuple, *, starts_at: dt.datetime, ends_at: dt.datetime) -> Suggestion:
    camera_id, ref, name, distance_m, has_view, sees, outside_m, statuses, span_starts, span_ends = row
    spans = [Span(*values) for values in zip(statuses or (), span_starts or (), span_ends or (), strict=True)]
    if not has_view:
        reason = f"{ref} has no surveyed field of view"
    elif not sees:
        reason = f"{ref} looks away: the location is {max(round(outside_m), 1)} m outside its view"
    else:
        reason = _status_reason(ref, spans, starts_at, ends_at)
    suggested = reason is None
    if suggested:
        reason = f"{ref} sees the location ({round(distance_m)} m away) and was recording throughout the window"
    return Suggestion(camera_id=camera_id, asset_ref=ref, name=name, distance_m=round(distance_m, 1),
                      suggested=suggested, reason=reason)


def cameras_suggest(*, owner: Organisation, location: Point, starts_at: dt.datetime, ends_at: dt.datetime,
                    user: User) -> list[Suggestion]:
    """Every camera of `owner` visible to `user` within the search radius, suggested first, nearest first.

    Suggested: its field of view covers the location and it was operational or degraded
    throughout the window (CAMERA_STATUSES_UP). The radius is settings.EVIDENCE_SUGGEST_RADIUS_M.
    """
    if location.srid != STORAGE_SRID:
        raise ValueError("cameras_suggest takes a location in EPSG:27700 (cctv.geometry.point_from_input).")
    incident_window_check(starts_at=starts_at, ends_at=ends_at)
    request_owner_check(by=user, owner=owner)
    radius_m = getattr(settings, "EVIDENCE_SUGGEST_RADIUS_M", DEFAULT_SUGGEST_RADIUS_M)
    nearby = Camera.objects.filter(owner=owner, location__dwithin=(location, D(m=radius_m)))
    scoped = visible_to(user, nearby).order_by().values("id", "asset_ref", "name", "location", "view_polygon")
    inner_sql, inner_params = scoped.query.sql_with_params()
    with connection.cursor() as cursor:
        cursor.execute(_sql("cameras_suggest").format(scoped=inner_sql),
                       [location.x, location.y, starts_at, ends_at, *inner_params])
        rows = cursor.fetchall()
    suggestions = [_suggestion(row, starts_at=starts_at, ends_at=ends_at) for row in rows]
    return sorted(suggestions, key=lambda s: (not s.suggested, s.distance_m, s.asset_ref))
