"""Demo evidence requests in every workflow state (DESIGN.md section 6), made through the services.

Every request, move, exhibit and release goes through the same functions as real work, so the
demo's custody chains, deadlines and disclosures are real ones. Idempotent: requests are keyed by
their crime reference (62/DEMO-NN/26); a rerun adds nothing.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.utils import timezone

from accounts.models import User
from cctv.models import Camera
from evidence.choices import LegalBasis, RequestKind, RequestState, Urgency
from evidence.models import EvidenceRequest
from evidence.services.exhibits import NewExhibit, exhibit_register
from evidence.services.release import request_release
from evidence.services.requests import request_submit
from evidence.uploads import hashed_upload_from_chunks
from evidence.workflow import transition

# target state -> the moves that reach it from 'submitted' (None: the exhibit upload goes here)
PATHS: dict[str, list[str | None]] = {
    RequestState.SUBMITTED: [],
    RequestState.ACCEPTED: ["accept"],
    RequestState.REFUSED: ["refuse"],
    RequestState.SEARCHING: ["accept", "start_search"],
    RequestState.FOOTAGE_FOUND: ["accept", "start_search", "footage_found"],
    RequestState.NONE_FOUND: ["accept", "start_search", "none_found"],
    RequestState.EXPORTED: ["accept", "start_search", "footage_found", None, "export"],
    RequestState.READY_FOR_COLLECTION: ["accept", "start_search", "footage_found", None, "export",
                                        "ready_for_collection"],
    RequestState.RELEASED: ["accept", "start_search", "footage_found", None, "export", "release"],
    RequestState.CLOSED: ["accept", "start_search", "footage_found", None, "export", "release", "close"],
    RequestState.WITHDRAWN: ["accept", "withdraw"],
}
REASONS = {
    "refuse": "The request names no offence and no time window narrower than a week.",
    "none_found": "The camera was pointing away from the location throughout the window.",
    "withdraw": "Suspect identified from witness statements; footage no longer needed.",
}


@dataclass(frozen=True)
class EvidenceDemoSummary:
    requests: int
    created: int

    def lines(self) -> list[str]:
        return [f"  evidence requests: {self.requests} ({self.created} created by this run)"]


def vale_demo_evidence_load(*, today: dt.datetime | None = None) -> EvidenceDemoSummary:
    today = today or timezone.now()
    officer = User.objects.get(username="officer")
    operator = User.objects.get(username="operator")
    manager = User.objects.get(username="manager")
    cameras = list(Camera.objects.filter(owner=manager.organisation, asset_ref__startswith="VOG-")
                   .order_by("asset_ref")[: len(PATHS)])
    created = 0
    for index, moves in enumerate(PATHS.values()):
        reference = f"62/DEMO-{index + 1:02d}/26"
        if EvidenceRequest.objects.filter(crime_reference=reference).exists():
            continue
        camera = cameras[index % len(cameras)]
        ends = today - dt.timedelta(days=index + 1, hours=2)
        request = request_submit(
            by=officer, owner=manager.organisation, kind=RequestKind.POLICE_INVESTIGATION,
            legal_basis=LegalBasis.DPA_SCH2_PARA2, incident_starts_at=ends - dt.timedelta(minutes=40),
            incident_ends_at=ends, reason="Assault outside licensed premises; identify those involved.",
            urgency=Urgency.URGENT if index % 3 == 0 else Urgency.ROUTINE, location=camera.location,
            cameras=[camera], crime_reference=reference, location_description=f"Near {camera.name}",
        )
        for move in moves:
            if move is None:
                _export_upload(request, camera=camera, by=operator, starts=ends - dt.timedelta(minutes=40),
                               ends=ends)
            elif move == "release":
                request_release(request=request, by=manager, recipient_name="DC Rhian Evans")
            else:
                actor = {"refuse": manager, "withdraw": officer}.get(move, operator)
                transition(request=request, move=move, by=actor, reason=REASONS.get(move, ""),
                           place="Cardiff Council CCTV Control Room")
            request.refresh_from_db()
        created += 1
    return EvidenceDemoSummary(requests=EvidenceRequest.objects.filter(crime_reference__startswith="62/DEMO-")
                               .count(), created=created)


def _export_upload(request: EvidenceRequest, *, camera: Camera, by: User, starts: dt.datetime,
                   ends: dt.datetime) -> None:
    """A small stand-in for an exported clip: deterministic bytes through the real upload path."""
    body = hashlib.sha256(request.crime_reference.encode()).digest() * 4096  # 128 KiB
    upload = hashed_upload_from_chunks([body], name="export.mp4", content_type="video/mp4")
    exhibit_register(request=request, upload=upload, by=by, new=NewExhibit(
        description=f"Export from {camera.asset_ref}, demo data", camera=camera, recorded_from=starts,
        recorded_to=ends, is_master_copy=True,
    ))
