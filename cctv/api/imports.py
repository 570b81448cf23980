"""Estate import and export, mounted at /api/estate.

POST /import takes a multipart upload (`file`, with `format` csv|geojson, else taken from the file's
extension; `dry_run`; `owner`, an organisation id, which only an administrator needs). A rejected file
answers 400 with {"detail", "errors": [{"row", "field", "message"}]}; a file over the limit 413.
GET /export.csv, /export.geojson and /export.osm (OpenStreetMap XML, as JOSM opens it) return the cameras
the user may see, optionally one owner's (`?owner=<id>`). cctv.imports and cctv.exports say why each
format is shaped as it is.
"""

from typing import Literal

from django.http import HttpRequest, HttpResponse
from ninja import File, Form, Query, Router, Schema, Status
from ninja.files import UploadedFile

from accounts.choices import AccessEvent
from accounts.services import access_log_record
from cctv.exceptions import ImportRejected
from cctv.exports import Export, estate_csv, estate_geojson, estate_osm
from cctv.imports import MAX_IMPORT_BYTES, estate_import, import_owner_resolve, too_large_message
from cctv.openapi import GEOJSON_OPENAPI, file_openapi

router = Router(tags=["estate import and export"])


class ImportForm(Schema):
    format: Literal["csv", "geojson"] | None = None
    dry_run: bool = False
    owner: int | None = None


class ImportProblemOut(Schema):
    row: int | None
    field: str | None
    message: str


class RelocationOut(Schema):
    asset_ref: str
    moved_m: float


class ImportResultOut(Schema):
    filename: str
    format: str
    dry_run: bool
    rows: int
    created: list[str]
    updated: list[str]
    relocated: list[RelocationOut]
    unchanged: list[str]
    warnings: list[ImportProblemOut]


class ImportRejectedOut(Schema):
    detail: str
    errors: list[ImportProblemOut]


class DetailOut(Schema):
    detail: str


class ExportFilter(Schema):
    owner: int | None = None


@router.post("/import", response={200: ImportResultOut, 400: ImportRejectedOut | DetailOut, 413: DetailOut},
             summary="Import cameras from CSV or GeoJSON, all rows or none")
def estate_import_endpoint(request: HttpRequest, file: File[UploadedFile], form: Form[ImportForm]):
    owner = import_owner_resolve(user=request.auth, owner_id=form.owner)
    if file.size > MAX_IMPORT_BYTES:
        return Status(413, {"detail": too_large_message(file.size)})
    try:
        return estate_import(data=file.read(), filename=file.name, file_format=form.format, owner=owner,
                             by=request.auth, dry_run=form.dry_run)
    except ImportRejected as exc:  # the one error whose body carries more than "detail"
        return Status(400, {"detail": exc.detail, "errors": exc.errors})


def _download(request: HttpRequest, export: Export) -> HttpResponse:
    access_log_record(event=AccessEvent.DOWNLOADED, user=request.auth, object_label="cctv.camera",
                      object_ref=export.filename, ip_address=request.META.get("REMOTE_ADDR"),
                      detail=f"estate export, {export.count} cameras")
    response = HttpResponse(export.content, content_type=export.content_type)
    response["Content-Disposition"] = f'attachment; filename="{export.filename}"'
    return response


@router.get("/export.csv", response={200: None}, openapi_extra=file_openapi("The estate as CSV", "text/csv"),
            summary="The estate as CSV (the import's own columns)")
def estate_export_csv(request: HttpRequest, filters: Query[ExportFilter]):
    return _download(request, estate_csv(user=request.auth, owner_id=filters.owner))


@router.get("/export.geojson", response={200: None}, openapi_extra=GEOJSON_OPENAPI,
            summary="The estate as a GeoJSON FeatureCollection in WGS84")
def estate_export_geojson(request: HttpRequest, filters: Query[ExportFilter]):
    return _download(request, estate_geojson(user=request.auth, owner_id=filters.owner))


@router.get("/export.osm", response={200: None},
            openapi_extra=file_openapi("OpenStreetMap XML", "application/vnd.openstreetmap.data+xml"),
            summary="Cameras in service as OpenStreetMap XML nodes with surveillance tags")
def estate_export_osm(request: HttpRequest, filters: Query[ExportFilter]):
    return _download(request, estate_osm(user=request.auth, owner_id=filters.owner))
