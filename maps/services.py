"""Incidents kept by the council itself (local ASB and other records), and who may see which incident.

Police open data is public: everyone who may see the map sees it, and it is changed only by importing
the police's file again (maps.imports). A local record belongs to the council whose staff recorded it
and is seen, like the estate, by that council and the organisations it shares its estate with.

accounts.permissions has no "maps.*" rules yet. Until it has, the checks here stand in for them,
through its own functions: seeing incidents needs what seeing cameras needs; recording or changing a
local record needs what adding a camera needs (CCTV manager, administrator). The rules to add are
written in the report of issue 6.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.contrib.gis.geos import Point, Polygon
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from accounts.exceptions import Forbidden, InvalidInput, NotVisible, WrongState
from accounts.models import User
from accounts.permissions import role_may, visible_to
from cctv.geometry import STORAGE_SRID, point_from_input
from maps.choices import IncidentSource
from maps.imports import GRID_AREA_WGS84
from maps.models import Incident

logger = logging.getLogger(__name__)

# The police's categories ("Crime type"), so that a local record typed "anti-social behaviour" joins
# the police's "Anti-social behaviour" in coverage by category.
POLICE_CATEGORIES = (
    "Anti-social behaviour", "Bicycle theft", "Burglary", "Criminal damage and arson", "Drugs", "Other crime",
    "Other theft", "Possession of weapons", "Public order", "Robbery", "Shoplifting", "Theft from the person",
    "Vehicle crime", "Violence and sexual offences",
)
# A clock a few minutes fast on the recorder's device is not an incident from the future.
FUTURE_TOLERANCE = timedelta(minutes=5)
BOX_EDGE_POINTS = 16
EDITABLE_FIELDS = ("category", "occurred_at", "location", "location_text", "description", "outcome")


# --- who may see and do what ----------------------------------------------------------------------

def incidents_visible_to(user: User) -> QuerySet[Incident]:
    """Police open data for anyone who may see the map; local records for their council and its partners."""
    return visible_to(user, Incident.objects.all())


def _authorize_record(user: User, incident: Incident | None = None) -> None:
    """Raise NotVisible for a record the user cannot see, Forbidden when they may not record or change."""
    if incident is not None and not incidents_visible_to(user).filter(pk=incident.pk).exists():
        raise NotVisible()
    action = "record" if incident is None else "change"
    if not role_may(user, "add" if incident is None else "change", "maps.incident"):
        raise Forbidden(f"Your role may not {action} incidents.")


# --- local records ------------------------------------------------------------------------------

def _category(value: str) -> str:
    text = " ".join(value.split())
    if not text:
        raise InvalidInput("category must not be blank.")
    for known in POLICE_CATEGORIES:
        if known.casefold() == text.casefold():
            return known
    return text


def _occurred_at(value: datetime, *, now: datetime) -> datetime:
    """An aware time; a time without an offset is taken as London time, as staff would mean it."""
    if timezone.is_naive(value):
        value = timezone.make_aware(value)
    if value > now + FUTURE_TOLERANCE:
        raise InvalidInput(f"occurred_at ({timezone.localtime(value):%Y-%m-%d %H:%M}) is in the future.")
    return value


def _month_of(moment: datetime) -> date:
    """The calendar month in London: 23:30 UTC on 30 June is already July there."""
    return timezone.localdate(moment).replace(day=1)


def _check_lengths(incident: Incident) -> None:
    for name in ("category", "location_text", "outcome"):
        limit = Incident._meta.get_field(name).max_length
        if len(getattr(incident, name)) > limit:
            raise InvalidInput(f"{name} is longer than {limit} characters.")


def _point(location: tuple[float, float, int]) -> Point:
    x, y, srid = location
    return point_from_input(x, y, srid)


@transaction.atomic
def incident_record(*, by: User, category: str, occurred_at: datetime, location: tuple[float, float, int],
                    description: str = "", location_text: str = "", outcome: str = "",
                    now: datetime | None = None) -> Incident:
    """Record a local incident for the recorder's council.

    `location` is (x, y, EPSG code): longitude/latitude (4326) or easting/northing (27700), checked
    and transformed by cctv.geometry like a camera's, so it must lie in the service area.
    """
    _authorize_record(by)
    if by.organisation_id is None:
        raise InvalidInput("Only a council's user can record incidents: an administrator belongs to no council.")
    now = now or timezone.now()
    when = _occurred_at(occurred_at, now=now)
    incident = Incident(
        source=IncidentSource.LOCAL, category=_category(category), occurred_at=when, month=_month_of(when),
        location=_point(location), location_text=location_text.strip(), description=description.strip(),
        outcome=outcome.strip(), owner_id=by.organisation_id, recorded_by=by,
    )
    _check_lengths(incident)
    incident.save()
    logger.info("incident=%s recorded user=%s", incident.pk, by.pk)
    return incident


@transaction.atomic
def incident_update(*, incident: Incident, by: User, now: datetime | None = None, **changes) -> Incident:
    """Change a local record (`location` as for incident_record).

    Police open data is refused: the next import of its month would undo the change.
    """
    unknown = set(changes) - set(EDITABLE_FIELDS)
    if unknown:
        raise InvalidInput(f"These incident fields cannot be changed: {', '.join(sorted(unknown))}.")
    _authorize_record(by, incident)
    incident = Incident.objects.select_for_update().get(pk=incident.pk)
    if incident.source != IncidentSource.LOCAL:
        raise WrongState("Police open data is changed by importing the police's file for its month again, "
                         "not by editing here.")
    if "category" in changes:
        incident.category = _category(changes["category"])
    if "occurred_at" in changes:
        incident.occurred_at = _occurred_at(changes["occurred_at"], now=now or timezone.now())
        incident.month = _month_of(incident.occurred_at)
    if "location" in changes:
        incident.location = _point(changes["location"])
    for name in ("location_text", "description", "outcome"):
        if name in changes:
            setattr(incident, name, (changes[name] or "").strip())
    _check_lengths(incident)
    incident.save()
    logger.info("incident=%s updated fields=%s user=%s", incident.pk, ",".join(sorted(changes)), by.pk)
    return incident


# --- lists --------------------------------------------------------------------------------------

@dataclass(frozen=True)
class IncidentFilterValues:
    month_from: date | None = None  # first day of a month, inclusive
    month_to: date | None = None  # first day of a month, inclusive
    category: str | None = None
    source: str | None = None
    bbox: tuple[float, float, float, float] | None = None  # WGS84 min lon, min lat, max lon, max lat


def month_parse(value: str, *, name: str) -> date:
    """'2024-01' -> 1 January 2024."""
    parts = value.strip().split("-")
    if len(parts) == 2 and all(part.isdigit() for part in parts) and len(parts[0]) == 4 and 1 <= int(parts[1]) <= 12:
        return date(int(parts[0]), int(parts[1]), 1)
    raise InvalidInput(f"{name} must be a month written YYYY-MM, like 2024-01; not {value!r}.")


def incidents_filtered(user: User, filters: IncidentFilterValues) -> QuerySet[Incident]:
    incidents = incidents_visible_to(user)
    if filters.month_from and filters.month_to and filters.month_from > filters.month_to:
        raise InvalidInput("month_from is after month_to.")
    if filters.month_from:
        incidents = incidents.filter(month__gte=filters.month_from)
    if filters.month_to:
        incidents = incidents.filter(month__lte=filters.month_to)
    if filters.category:
        incidents = incidents.filter(category__iexact=filters.category.strip())
    if filters.source:
        if filters.source not in IncidentSource.values:
            raise InvalidInput(f"Unknown source {filters.source!r}; use one of {', '.join(IncidentSource.values)}.")
        incidents = incidents.filter(source=filters.source)
    if filters.bbox:
        incidents = _within_box(incidents, filters.bbox)
    return incidents


def _within_box(incidents: QuerySet[Incident], bbox: tuple[float, float, float, float]) -> QuerySet[Incident]:
    """Incidents inside a WGS84 box, through the GiST index: the box is transformed, never the column.

    The box is first cut to where the national grid means anything (a map zoomed out to the world
    sends one that PROJ would fold into a line), and its edges get intermediate points so that the
    lines of longitude and latitude, curved on the grid, are followed to well under a metre.
    """
    min_lon, min_lat, max_lon, max_lat = bbox
    if not (-180 <= min_lon < max_lon <= 180 and -90 <= min_lat < max_lat <= 90):
        raise InvalidInput("bbox is min_lon,min_lat,max_lon,max_lat in degrees, with min < max.")
    grid_min_lon, grid_min_lat, grid_max_lon, grid_max_lat = GRID_AREA_WGS84
    west, south = max(min_lon, grid_min_lon), max(min_lat, grid_min_lat)
    east, north = min(max_lon, grid_max_lon), min(max_lat, grid_max_lat)
    if west >= east or south >= north:
        return incidents.none()
    steps = range(BOX_EDGE_POINTS)
    ring = ([(west + (east - west) * i / BOX_EDGE_POINTS, south) for i in steps]
            + [(east, south + (north - south) * i / BOX_EDGE_POINTS) for i in steps]
            + [(east - (east - west) * i / BOX_EDGE_POINTS, north) for i in steps]
            + [(west, north - (north - south) * i / BOX_EDGE_POINTS) for i in steps] + [(west, south)])
    box = Polygon(ring, srid=4326).transform(STORAGE_SRID, clone=True)
    return incidents.filter(location__intersects=box)


def incident_visible(user: User, incident_id: int) -> Incident:
    incident = incidents_visible_to(user).select_related("owner").filter(pk=incident_id).first()
    if incident is None:
        raise NotVisible(f"There is no incident {incident_id} that you can see.")
    return incident
