"""Evidence requests, under /api/evidence/requests.

    GET  /api/evidence/requests                     list (filters: state, kind; limit/offset); staff see the
                                                    nearest open deadline first, requesters newest first
    POST /api/evidence/requests                     submit a request (location as lon/lat or easting/northing)
    POST /api/evidence/requests/suggest             cameras for a location and window, each with its reason
    GET  /api/evidence/requests/{id}                one request with its deadlines and their rules, cameras,
                                                    SAR clock pauses and the moves the caller may make now
    POST /api/evidence/requests/{id}/moves/{move}   a workflow move, optional {reason, place}
    POST /api/evidence/requests/{id}/sar/pause      stop the SAR clock {reason, paused_on?}
    POST /api/evidence/requests/{id}/sar/resume     restart it {resumed_on?}
    POST /api/evidence/requests/{id}/sar/extend     two further months {reason}

A move the state does not allow is a 409 whose body lists the moves the caller may make
(config/api.py). Another organisation's request is a 404, never a 403.
"""

from django.http import HttpRequest
from ninja import Query, Router, Status
from ninja.pagination import paginate

from accounts.exceptions import InvalidInput
from accounts.models import Organisation
from accounts.permissions import authorize
from cctv.geometry import point_from_input
from cctv.pagination import LimitOffsetPagination
from evidence.choices import DEFAULT_LEGAL_BASIS, RequestKind
from evidence.models import EvidenceRequest
from evidence.schemas import (
    ExtendIn,
    MoveIn,
    PauseIn,
    RequestFilter,
    RequestIn,
    RequestListOut,
    RequestOut,
    ResumeIn,
    SuggestIn,
    SuggestionOut,
)
from evidence.selectors import request_for, requests_listed_for
from evidence.services.requests import request_submit, sar_clock_pause, sar_clock_resume, sar_deadline_extend
from evidence.suggest import cameras_suggest
from evidence.workflow import moves_for, transition

router = Router(tags=["evidence: requests"])


def _detail(request: HttpRequest, request_id: int) -> EvidenceRequest:
    evidence_request = request_for(request.auth, request_id)
    evidence_request.moves_allowed = moves_for(request.auth, evidence_request)
    return evidence_request


def _owner(owner_id: int) -> Organisation:
    owner = Organisation.objects.filter(pk=owner_id).first()
    if owner is None:
        raise InvalidInput(f"Organisation {owner_id} does not exist.")
    return owner


@router.get("", response=list[RequestListOut], summary="List evidence requests")
@paginate(LimitOffsetPagination)
def request_list(request: HttpRequest, filters: Query[RequestFilter]):
    return requests_listed_for(request.auth, state=filters.state, kind=filters.kind)


@router.post("", response={201: RequestOut}, summary="Submit an evidence request")
def request_submit_endpoint(request: HttpRequest, payload: RequestIn):
    authorize(request.auth, "add", EvidenceRequest)
    location = None
    if payload.location is not None:
        location = point_from_input(payload.location.x, payload.location.y, payload.location.srid)
    legal_basis = payload.legal_basis
    if not legal_basis and payload.kind in RequestKind.values:
        legal_basis = DEFAULT_LEGAL_BASIS[RequestKind(payload.kind)]
    created = request_submit(
        by=request.auth, owner=_owner(payload.owner_id), kind=payload.kind, legal_basis=legal_basis or "",
        incident_starts_at=payload.incident_starts_at, incident_ends_at=payload.incident_ends_at,
        reason=payload.reason, urgency=payload.urgency, location=location,
        cameras=payload.camera_ids, crime_reference=payload.crime_reference,
        requester_name=payload.requester_name, requester_contact=payload.requester_contact,
        description_of_person=payload.description_of_person, location_description=payload.location_description,
        received_at=payload.received_at,
    )
    return Status(201, _detail(request, created.pk))


@router.post("/suggest", response=list[SuggestionOut], summary="Suggest cameras for a location and time window")
def request_cameras_suggest(request: HttpRequest, payload: SuggestIn):
    location = point_from_input(payload.location.x, payload.location.y, payload.location.srid)
    return cameras_suggest(owner=_owner(payload.owner_id), location=location, starts_at=payload.starts_at,
                           ends_at=payload.ends_at, user=request.auth)


@router.get("/{int:request_id}", response=RequestOut, summary="One evidence request with its deadlines")
def request_get(request: HttpRequest, request_id: int):
    return _detail(request, request_id)


@router.post("/{int:request_id}/moves/{move}", response=RequestOut, summary="Move a request through the workflow")
def request_move(request: HttpRequest, request_id: int, move: str, payload: MoveIn | None = None):
    payload = payload or MoveIn()
    transition(request=request_for(request.auth, request_id), move=move, by=request.auth, reason=payload.reason,
               place=payload.place)
    return _detail(request, request_id)


@router.post("/{int:request_id}/sar/pause", response=RequestOut, summary="Pause the SAR clock")
def request_sar_pause(request: HttpRequest, request_id: int, payload: PauseIn):
    sar_clock_pause(request=request_for(request.auth, request_id), by=request.auth, reason=payload.reason,
                    paused_on=payload.paused_on)
    return _detail(request, request_id)


@router.post("/{int:request_id}/sar/resume", response=RequestOut, summary="Resume the SAR clock")
def request_sar_resume(request: HttpRequest, request_id: int, payload: ResumeIn | None = None):
    sar_clock_resume(request=request_for(request.auth, request_id), by=request.auth,
                     resumed_on=payload.resumed_on if payload else None)
    return _detail(request, request_id)


@router.post("/{int:request_id}/sar/extend", response=RequestOut, summary="Extend the SAR deadline by two months")
def request_sar_extend(request: HttpRequest, request_id: int, payload: ExtendIn):
    sar_deadline_extend(request=request_for(request.auth, request_id), by=request.auth, reason=payload.reason)
    return _detail(request, request_id)
