"""Confirming a subject access requester's identity, under /api/evidence/requests.

    POST /api/evidence/requests/{id}/identity/verify   {note, proof_received_on?}: staff have seen proof of
                                                       identity; the SAR clock runs from the day it arrived

400 when the request is not a SAR or the note is missing, 409 when the identity is already verified or
the request is answered or closed, 403 for a role that may not verify (police, the Operational Group),
404 for another council's request.
"""

from datetime import date, datetime

from django.http import HttpRequest
from ninja import Field, Router, Schema

from evidence.choices import DeadlineKind
from evidence.selectors import request_for
from evidence.services.public_sar import NOTE_LIMIT, sar_identity_verify

router = Router(tags=["evidence: requests"])


class IdentityVerifyIn(Schema):
    note: str = Field(..., max_length=NOTE_LIMIT, description="The proof of identity seen, e.g. 'passport, by post'.")
    proof_received_on: date | None = Field(
        None, description="The day the proof arrived (default today, London); the SAR clock runs from it.")


class IdentityOut(Schema):
    id: int
    reference: str
    kind: str
    identity_verified_at: datetime | None
    identity_verification_pending: bool
    sar_due_at: datetime | None

    @staticmethod
    def resolve_identity_verification_pending(request) -> bool:
        return request.identity_verified_at is None

    @staticmethod
    def resolve_sar_due_at(request) -> datetime | None:
        return next((d.due_at for d in request.deadlines.all() if d.kind == DeadlineKind.SAR_DUE), None)


@router.post("/{int:request_id}/identity/verify", response=IdentityOut,
             summary="Record that a SAR requester's identity is verified")
def request_identity_verify(request: HttpRequest, request_id: int, payload: IdentityVerifyIn):
    sar_identity_verify(request=request_for(request.auth, request_id), by=request.auth, note=payload.note,
                        proof_received_on=payload.proof_received_on)
    return request_for(request.auth, request_id)
