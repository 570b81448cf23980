"""The maps API, mounted at /api/maps/: incidents and their imports (issue 6).

POST /incidents/import takes a multipart upload (`file`, a police street-level crime CSV). The whole
file is checked at once (400 if it is not the police format, 413 if too large), stored, and imported
by a worker; the answer (202) is the import's record, whose progress GET /incidents/imports/{id}
shows. GET /incidents lists incidents (months YYYY-MM, category, source, bbox in WGS84), paginated;
POST /incidents records a local incident, PATCH /incidents/{id} changes one.
"""

from datetime import date, datetime

from django.contrib.gis.db.models.functions import Transform
from django.http import HttpRequest
from ninja import Field, File, Query, Router, Schema, Status
from ninja.files import UploadedFile
from ninja.pagination import paginate

from accounts.exceptions import InvalidInput
from cctv.pagination import LimitOffsetPagination
from cctv.schemas import PointIn
from maps.imports import (
    import_visible,
    max_import_bytes,
    may_import_incidents,
    skipped_counts,
    skipped_rows,
    street_crime_import_queue,
)
from maps.services import (
    IncidentFilterValues,
    incident_record,
    incident_update,
    incident_visible,
    incidents_filtered,
    month_parse,
)

router = Router(tags=["incidents"])

MAX_PAGE = 1000


class DetailOut(Schema):
    detail: str


class ImportOut(Schema):
    id: int
    file_name: str
    file_sha256: str
    status: str
    rows_total: int
    rows_done: int
    imported: int
    skipped: dict[str, int] = Field(description="reason -> rows skipped for it")
    skipped_rows: dict[str, list[int]] = Field(
        description="reason -> the first row numbers skipped for it (the header is row 1)")
    months: list[str] = Field(description="months (YYYY-MM) whose police open data this import replaced")
    error: str
    created_by: str | None
    created_at: datetime
    finished_at: datetime | None

    @staticmethod
    def resolve_skipped(batch) -> dict[str, int]:
        return skipped_counts(batch)

    @staticmethod
    def resolve_skipped_rows(batch) -> dict[str, list[int]]:
        return skipped_rows(batch)

    @staticmethod
    def resolve_created_by(batch) -> str | None:
        return batch.created_by.username if batch.created_by_id else None


class IncidentOut(Schema):
    id: int
    source: str
    crime_ref: str
    month: date
    occurred_at: datetime | None
    category: str
    outcome: str
    location_text: str
    lsoa_code: str
    lsoa_name: str
    reported_by: str
    falls_within: str
    context: str
    description: str
    owner: str | None
    longitude: float
    latitude: float
    easting: float
    northing: float

    @staticmethod
    def _wgs84(incident):
        cached = getattr(incident, "location_wgs84", None)
        if cached is None:
            cached = incident.location_wgs84 = incident.location.transform(4326, clone=True)
        return cached

    @staticmethod
    def resolve_owner(incident) -> str | None:
        return incident.owner.name if incident.owner_id else None

    @staticmethod
    def resolve_longitude(incident) -> float:
        return round(IncidentOut._wgs84(incident).x, 7)

    @staticmethod
    def resolve_latitude(incident) -> float:
        return round(IncidentOut._wgs84(incident).y, 7)

    @staticmethod
    def resolve_easting(incident) -> float:
        return round(incident.location.x, 2)

    @staticmethod
    def resolve_northing(incident) -> float:
        return round(incident.location.y, 2)


class IncidentFilter(Schema):
    month_from: str | None = Field(None, description="YYYY-MM, inclusive")
    month_to: str | None = Field(None, description="YYYY-MM, inclusive")
    category: str | None = Field(None, max_length=100)
    source: str | None = None
    bbox: str | None = Field(None, description="min_lon,min_lat,max_lon,max_lat (WGS84)")


class IncidentIn(Schema):
    category: str = Field(..., min_length=1, max_length=100)
    occurred_at: datetime = Field(..., description="ISO 8601; without an offset it is London time")
    location: PointIn
    location_text: str = Field("", max_length=200)
    description: str = Field("", max_length=5000)
    outcome: str = Field("", max_length=200)


class IncidentPatch(Schema):
    category: str | None = Field(None, min_length=1, max_length=100)
    occurred_at: datetime | None = None
    location: PointIn | None = None
    location_text: str | None = Field(None, max_length=200)
    description: str | None = Field(None, max_length=5000)
    outcome: str | None = Field(None, max_length=200)


def _filter_values(filters: IncidentFilter) -> IncidentFilterValues:
    bbox = None
    if filters.bbox:
        try:
            parts = tuple(float(part) for part in filters.bbox.split(","))
        except ValueError:
            parts = ()
        if len(parts) != 4:
            raise InvalidInput("bbox must be four numbers: min_lon,min_lat,max_lon,max_lat.")
        bbox = parts
    return IncidentFilterValues(
        month_from=month_parse(filters.month_from, name="month_from") if filters.month_from else None,
        month_to=month_parse(filters.month_to, name="month_to") if filters.month_to else None,
        category=filters.category or None, source=filters.source or None, bbox=bbox,
    )


@router.post("/incidents/import", response={202: ImportOut, 400: DetailOut, 403: DetailOut, 413: DetailOut},
             summary="Upload a police street-level crime CSV; a worker imports it")
def incident_import_endpoint(request: HttpRequest, file: File[UploadedFile]):
    limit = max_import_bytes()
    if may_import_incidents(request.auth) and file.size > limit:
        return Status(413, {"detail": f"The file is {file.size:,} bytes; the import limit is {limit:,} bytes. "
                                      "Import a force's months one file at a time."})
    batch = street_crime_import_queue(upload=file, file_name=file.name or "upload.csv", by=request.auth)
    return Status(202, batch)


@router.get("/incidents/imports/{import_id}", response=ImportOut, summary="An import's progress and counts")
def incident_import_get(request: HttpRequest, import_id: int):
    return import_visible(request.auth, import_id)


@router.get("/incidents", response=list[IncidentOut], summary="List incidents")
@paginate(LimitOffsetPagination, max_limit=MAX_PAGE)
def incident_list(request: HttpRequest, filters: Query[IncidentFilter]):
    incidents = incidents_filtered(request.auth, _filter_values(filters)).select_related("owner")
    return incidents.annotate(location_wgs84=Transform("location", 4326)).order_by("-month", "id")


@router.post("/incidents", response={201: IncidentOut}, summary="Record a local incident")
def incident_record_endpoint(request: HttpRequest, payload: IncidentIn):
    location = (payload.location.x, payload.location.y, payload.location.srid)
    incident = incident_record(by=request.auth, category=payload.category, occurred_at=payload.occurred_at,
                               location=location, location_text=payload.location_text,
                               description=payload.description, outcome=payload.outcome)
    return Status(201, incident)


@router.get("/incidents/{incident_id}", response=IncidentOut, summary="One incident")
def incident_get(request: HttpRequest, incident_id: int):
    return incident_visible(request.auth, incident_id)


@router.patch("/incidents/{incident_id}", response=IncidentOut, summary="Change a local incident")
def incident_update_endpoint(request: HttpRequest, incident_id: int, payload: IncidentPatch):
    incident = incident_visible(request.auth, incident_id)
    changes = payload.dict(exclude_unset=True)
    if "location" in changes:
        if payload.location is None:
            raise InvalidInput("location cannot be removed, only moved.")
        changes["location"] = (payload.location.x, payload.location.y, payload.location.srid)
    for name in ("category", "occurred_at"):
        if name in changes and changes[name] is None:
            raise InvalidInput(f"{name} cannot be removed.")
    return incident_update(incident=incident, by=request.auth, **changes)
