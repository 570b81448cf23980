"""Exhibits API under /api/evidence/exhibits: list, get, download, working copy, redact, legal hold.

The upload itself is a plain Django view at /api/evidence/exhibits/upload/<request_id>
(evidence.views_upload), so the body streams through the hashing handler.
"""

from __future__ import annotations

import base64
from datetime import date, datetime

from django.http import FileResponse, HttpRequest
from ninja import Field, Router, Schema, Status

from accounts.exceptions import NotVisible
from cctv.openapi import file_openapi
from evidence.models import EvidenceRequest, Exhibit
from evidence.services.exhibits import (
    exhibit_download_open,
    exhibit_for,
    exhibit_redact,
    exhibit_working_copy_make,
    exhibits_of,
)
from evidence.services.retention import exhibit_legal_hold_set

router = Router(tags=["evidence: exhibits"])

DOWNLOAD_BLOCK_BYTES = 1024 * 1024


class ExhibitOut(Schema):
    id: int
    request_id: int
    reference: str
    kind: str
    description: str
    is_master_copy: bool
    camera_id: int | None
    recorded_from: datetime | None
    recorded_to: datetime | None
    original_filename: str
    content_type: str
    size_bytes: int
    sha256: str
    derived_from: str | None = Field(None, description="Reference of the exhibit this was made from")
    created_by: str
    created_at: datetime
    disposal_on: date | None
    legal_hold: bool
    disposed_at: datetime | None
    download_url: str | None


class RectangleIn(Schema):
    x: int
    y: int
    width: int
    height: int
    mode: str = Field("block", description="'block' (solid black) or 'blur'")


class RedactIn(Schema):
    rectangles: list[RectangleIn]


class LegalHoldIn(Schema):
    on: bool
    reason: str = Field(..., max_length=1000)


def exhibit_out(exhibit: Exhibit) -> dict:
    return {
        "id": exhibit.pk, "request_id": exhibit.request_id, "reference": exhibit.reference, "kind": exhibit.kind,
        "description": exhibit.description, "is_master_copy": exhibit.is_master_copy, "camera_id": exhibit.camera_id,
        "recorded_from": exhibit.recorded_from, "recorded_to": exhibit.recorded_to,
        "original_filename": exhibit.original_filename, "content_type": exhibit.content_type,
        "size_bytes": exhibit.size_bytes, "sha256": exhibit.sha256,
        "derived_from": exhibit.derived_from.reference if exhibit.derived_from_id else None,
        "created_by": exhibit.created_by.username, "created_at": exhibit.created_at,
        "disposal_on": exhibit.disposal_on, "legal_hold": exhibit.legal_hold, "disposed_at": exhibit.disposed_at,
        "download_url": None if exhibit.disposed_at else f"/api/evidence/exhibits/{exhibit.pk}/download",
    }


@router.get("/", response=list[ExhibitOut], summary="Exhibits of a request, oldest first")
def exhibit_list(request: HttpRequest, request_id: int):
    evidence_request = EvidenceRequest.objects.filter(pk=request_id).first()
    if evidence_request is None:
        raise NotVisible("No such request.")
    return [exhibit_out(exhibit) for exhibit in exhibits_of(request=evidence_request, by=request.auth)]


@router.get("/{int:exhibit_id}", response=ExhibitOut, summary="One exhibit")
def exhibit_get(request: HttpRequest, exhibit_id: int):
    return exhibit_out(exhibit_for(request.auth, exhibit_id))


@router.get("/{int:exhibit_id}/download", response={200: None}, summary="Download the exhibit's bytes (streamed)",
            openapi_extra=file_openapi("The exhibit, in the media type it was uploaded with", "*/*"))
def exhibit_download(request: HttpRequest, exhibit_id: int):
    download = exhibit_download_open(exhibit_for(request.auth, exhibit_id), by=request.auth,
                                     ip_address=request.META.get("REMOTE_ADDR"))
    response = FileResponse(download.stream, as_attachment=True, filename=download.filename,
                            content_type=download.content_type)
    response.block_size = DOWNLOAD_BLOCK_BYTES
    sha256 = download.exhibit.sha256
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "no-store"
    response["X-Exhibit-SHA256"] = sha256
    response["Repr-Digest"] = f"sha-256=:{base64.b64encode(bytes.fromhex(sha256)).decode()}:"  # RFC 9530
    return response


@router.post("/{int:exhibit_id}/working-copy", response={201: ExhibitOut}, summary="Make a working copy of a master")
def exhibit_working_copy(request: HttpRequest, exhibit_id: int):
    copy = exhibit_working_copy_make(exhibit_for(request.auth, exhibit_id), by=request.auth)
    return Status(201, exhibit_out(copy))


@router.post("/{int:exhibit_id}/redact", response={201: ExhibitOut}, summary="Make a redacted copy of a still")
def exhibit_redact_endpoint(request: HttpRequest, exhibit_id: int, payload: RedactIn):
    redacted = exhibit_redact(exhibit_for(request.auth, exhibit_id),
                              rectangles=[rectangle.model_dump() for rectangle in payload.rectangles], by=request.auth)
    return Status(201, exhibit_out(redacted))


@router.post("/{int:exhibit_id}/legal-hold", response=ExhibitOut, summary="Set or release a legal hold")
def exhibit_legal_hold(request: HttpRequest, exhibit_id: int, payload: LegalHoldIn):
    exhibit = exhibit_legal_hold_set(exhibit_for(request.auth, exhibit_id), on=payload.on, by=request.auth,
                                     reason=payload.reason)
    return exhibit_out(exhibit)
