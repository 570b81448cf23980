"""The chain of custody of a request, under /api/evidence/custody.

    GET /api/evidence/custody/{request_id}          the request's custody log, oldest event first
    GET /api/evidence/custody/{request_id}/verify   recompute the chain: ok, length, head, first broken link

A request the user may not see is "not found" (police see only their own force's requests).
"""

from datetime import datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from accounts.exceptions import NotVisible
from accounts.permissions import authorize, visible_to
from evidence.models import CustodyEvent, EvidenceRequest
from evidence.models.custody import GENESIS_HASH
from evidence.verification import chain_verify

router = Router(tags=["evidence: custody"])


class CustodyEventOut(Schema):
    sequence: int
    at: datetime
    event_type: str
    actor_name: str
    actor_organisation: str
    place: str
    exhibit_reference: str
    exhibit_sha256: str
    from_person: str
    to_person: str
    detail: dict
    prev_hash: str
    hash: str


class CustodyLogOut(Schema):
    request_id: int
    reference: str
    head: str = Field(..., description="The latest event's hash (the genesis hash, all zeros, when there is none).")
    events: list[CustodyEventOut]


class BrokenLinkOut(Schema):
    sequence: int
    reason: str


class ChainVerifyOut(Schema):
    ok: bool
    events: int
    head: str = Field(..., description="The stored hash of the latest event: compare it with a receipt or digest.")
    first_broken: BrokenLinkOut | None


def _request(request: HttpRequest, request_id: int, action: str) -> EvidenceRequest:
    # Looked up through visible_to so an unknown id and another force's request read the same.
    evidence_request = visible_to(request.auth, EvidenceRequest.objects.all()).filter(pk=request_id).first()
    if evidence_request is None:
        raise NotVisible(f"Evidence request {request_id} not found.")
    authorize(request.auth, action, evidence_request)
    return evidence_request


@router.get("/{int:request_id}", response=CustodyLogOut, summary="The custody log of a request")
def custody_log_get(request: HttpRequest, request_id: int):
    evidence_request = _request(request, request_id, "view_custody")
    events = list(CustodyEvent.objects.filter(request=evidence_request).order_by("sequence"))
    return {"request_id": evidence_request.pk, "reference": evidence_request.reference,
            "head": events[-1].hash if events else GENESIS_HASH, "events": events}


@router.get("/{int:request_id}/verify", response=ChainVerifyOut, summary="Recompute a request's custody chain")
def custody_verify(request: HttpRequest, request_id: int):
    report = chain_verify(_request(request, request_id, "verify_custody"))
    broken = report.first_broken
    return {"ok": report.ok, "events": report.events, "head": report.head,
            "first_broken": {"sequence": broken.sequence, "reason": broken.reason} if broken else None}
