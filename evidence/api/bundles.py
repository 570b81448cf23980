"""Release bundles, releases and the disclosure log under /api/evidence/bundles/.

POST and GET on /{id} share one path because Django routes by pattern, not by method: for
POST the id is the evidence request's (build a bundle of it), for GET the bundle's own.
"""

from __future__ import annotations

import datetime as dt

from django.http import FileResponse, HttpRequest
from ninja import Path, Router, Schema, Status
from ninja.pagination import paginate

from accounts.exceptions import InvalidInput, NotVisible
from accounts.models import Organisation
from accounts.permissions import authorize, visible_to
from cctv.openapi import file_openapi
from cctv.pagination import LimitOffsetPagination
from evidence.choices import BundleStatus
from evidence.models import Disclosure, EvidenceRequest, ReleaseBundle
from evidence.services.release import (
    bundle_download_record,
    bundle_for_download,
    bundle_request,
    disclosures_visible_to,
    release_receipt_text,
    request_release,
)
from evidence.signing import signer_name, signing_key_fingerprint, signing_private_key, signing_public_key_pem

router = Router(tags=["evidence: bundles"])


class BundleIn(Schema):
    exhibit_ids: list[int] | None = None  # None: every exhibit not disposed of (a SAR must choose)


class BundleOut(Schema):
    id: int
    request_id: int
    request_reference: str
    status: str
    requested_at: dt.datetime
    built_at: dt.datetime | None
    size_bytes: int | None
    sha256: str
    chain_head: str
    error: str
    download_url: str | None

    @staticmethod
    def resolve_request_reference(bundle: ReleaseBundle) -> str:
        return bundle.request.reference

    @staticmethod
    def resolve_download_url(bundle: ReleaseBundle) -> str | None:
        return f"/api/evidence/bundles/{bundle.pk}/download" if bundle.status == BundleStatus.READY else None


class ReleaseIn(Schema):
    recipient_name: str
    recipient_organisation_id: int | None = None  # None: the requesting organisation
    method: str = "download"
    exhibit_ids: list[int] | None = None  # None: those in the latest ready bundle


class ExhibitRefOut(Schema):
    id: int
    reference: str
    size_bytes: int
    sha256: str


class DisclosureOut(Schema):
    id: int
    request_id: int
    request_reference: str
    recipient_name: str
    recipient_organisation: str | None
    legal_basis: str
    released_at: dt.datetime
    released_by: str
    approved_by: str
    method: str
    chain_head: str
    exhibits: list[ExhibitRefOut]

    @staticmethod
    def resolve_request_reference(disclosure: Disclosure) -> str:
        return disclosure.request.reference

    @staticmethod
    def resolve_recipient_organisation(disclosure: Disclosure) -> str | None:
        return disclosure.recipient_organisation.name if disclosure.recipient_organisation_id else None

    @staticmethod
    def resolve_released_by(disclosure: Disclosure) -> str:
        return disclosure.released_by.username

    @staticmethod
    def resolve_approved_by(disclosure: Disclosure) -> str:
        return disclosure.approved_by.username

    @staticmethod
    def resolve_exhibits(disclosure: Disclosure) -> list:
        return sorted(disclosure.exhibits.all(), key=lambda exhibit: exhibit.reference)


class ReleaseOut(DisclosureOut):
    receipt: str

    @staticmethod
    def resolve_receipt(disclosure: Disclosure) -> str:
        return release_receipt_text(disclosure)


class PublicKeyOut(Schema):
    signer: str
    algorithm: str
    fingerprint: str
    public_key_pem: str


def _evidence_request(request: HttpRequest, request_id: int) -> EvidenceRequest:
    found = visible_to(request.auth, EvidenceRequest.objects.all()).filter(pk=request_id).first()
    if found is None:
        raise NotVisible(f"Evidence request {request_id} was not found.")
    return found


@router.get("/public-key", response=PublicKeyOut, summary="The council's public key that signs bundle manifests")
def signing_key_public(request: HttpRequest):
    key = signing_private_key()
    return {"signer": signer_name(), "algorithm": "Ed25519", "fingerprint": signing_key_fingerprint(key),
            "public_key_pem": signing_public_key_pem(key).decode("ascii")}


@router.get("/disclosures", response=list[DisclosureOut], summary="The disclosure log: every release, newest first")
@paginate(LimitOffsetPagination)
def disclosure_list(request: HttpRequest):
    return disclosures_visible_to(request.auth)


@router.post("/{id}", response={202: BundleOut}, summary="Build a release bundle of an evidence request")
def bundle_create(request: HttpRequest, payload: BundleIn | None = None,
                  id: int = Path(..., description="The evidence request's id")):  # noqa: A002, B008
    evidence_request = _evidence_request(request, id)
    bundle = bundle_request(request=evidence_request, by=request.auth,
                            exhibit_ids=payload.exhibit_ids if payload else None)
    return Status(202, bundle)


@router.get("/{id}", response=BundleOut, summary="A release bundle's status")
def bundle_detail(request: HttpRequest, id: int = Path(..., description="The bundle's id")):  # noqa: A002, B008
    bundle = ReleaseBundle.objects.select_related("request").filter(pk=id).first()
    if bundle is None:
        raise NotVisible(f"Bundle {id} was not found.")
    authorize(request.auth, "view", bundle.request)
    return bundle


@router.get("/{bundle_id}/download", summary="Download a ready bundle (streamed; logged in access and custody logs)",
            response={200: None}, openapi_extra=file_openapi("The bundle, a ZIP", "application/zip"))
def bundle_download(request: HttpRequest, bundle_id: int):
    bundle = bundle_for_download(bundle_id=bundle_id, user=request.auth)
    stream = bundle.file.open("rb")
    try:
        bundle_download_record(bundle=bundle, user=request.auth, ip_address=request.META.get("REMOTE_ADDR"))
    except Exception:
        stream.close()
        raise
    response = FileResponse(stream, as_attachment=True, filename=bundle.file.name.rsplit("/", 1)[-1],
                            content_type="application/zip")
    response["X-Bundle-SHA256"] = bundle.sha256
    return response


@router.post("/{request_id}/release", response={201: ReleaseOut},
             summary="Release an evidence request's footage: the disclosure and its receipt")
def release_create(request: HttpRequest, request_id: int, payload: ReleaseIn):
    evidence_request = _evidence_request(request, request_id)
    organisation = None
    if payload.recipient_organisation_id is not None:
        organisation = Organisation.objects.filter(pk=payload.recipient_organisation_id).first()
        if organisation is None:
            raise InvalidInput(f"recipient_organisation_id: organisation {payload.recipient_organisation_id} does "
                               "not exist.")
    disclosure = request_release(request=evidence_request, by=request.auth, recipient_name=payload.recipient_name,
                                 recipient_organisation=organisation, method=payload.method,
                                 exhibits=payload.exhibit_ids)
    return Status(201, disclosure)
