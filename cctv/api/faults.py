"""Faults and the contract, under /api/faults.

    GET  /api/faults                      list (filters: status, priority, camera, breached; limit/offset)
    POST /api/faults                      open a fault on one camera, node or link
    GET  /api/faults/{id}                 one fault with its SLA clocks, notes and the cameras it takes down
    POST /api/faults/{id}/acknowledge     open -> acknowledged (stops the response clock)
    POST /api/faults/{id}/fix             acknowledged -> fixed (stops the fix clock); optional note
    POST /api/faults/{id}/close           fixed -> closed
    POST /api/faults/{id}/cancel          open or acknowledged -> cancelled; needs a reason
    POST /api/faults/{id}/assign          give it to an engineer of the contractor
    POST /api/faults/{id}/notes           add a note
    GET  /api/faults/contracts            contracts with their SLA terms
    GET  /api/faults/contracts/{id}       one contract with its SLA terms

A move the workflow does not allow is a 409 whose body lists the moves that are allowed.
Clock seconds are elapsed time; on a working-hours term the due time already skips nights,
weekends and bank holidays.
"""

from dataclasses import asdict
from datetime import date, datetime, time
from decimal import Decimal
from typing import Annotated

from django.db.models import Q
from django.http import HttpRequest
from ninja import Field, FilterSchema, Query, Router, Schema, Status
from ninja.pagination import paginate
from pydantic import WithJsonSchema

from accounts.exceptions import InvalidInput, NotVisible
from accounts.models import User
from accounts.permissions import authorize, visible_to
from cctv.choices import FaultPriority, FaultStatus
from cctv.exceptions import CameraNotFound
from cctv.models import Camera, Contract, Fault, Link, Node
from cctv.notifications import fault_subject_text
from cctv.pagination import LimitOffsetPagination
from cctv.selectors import fault_cameras_taken_down, fault_clocks
from cctv.services.faults import (
    fault_acknowledge,
    fault_assign,
    fault_cancel,
    fault_close,
    fault_fix,
    fault_note_add,
    fault_open,
    fault_transitions_allowed,
)
from cctv.sla import sla_rule_text

router = Router(tags=["faults"])

FAULT_RELATED = ("camera", "node", "link", "assigned_to", "acknowledged_by", "fixed_by", "closed_by", "contract")


# --- Schemas --------------------------------------------------------------------------------

class FaultIn(Schema):
    camera_id: int | None = None
    node_id: int | None = None
    link_id: int | None = None
    priority: str
    summary: str
    description: str = ""
    reported_at: datetime | None = Field(None, description="When reported (ISO 8601 with offset); default now.")


class FixIn(Schema):
    note: str = ""


class CancelIn(Schema):
    reason: str


class AssignIn(Schema):
    assignee_id: int = Field(..., description="A user id: an engineer of the fault's contractor.")


class NoteIn(Schema):
    text: str


class NoteOut(Schema):
    id: int
    at: datetime
    author: str | None
    text: str

    @staticmethod
    def resolve_author(note) -> str | None:
        return note.author.username if note.author_id else None


class SubjectOut(Schema):
    kind: str
    id: int
    label: str


class ClockOut(Schema):
    state: str = Field(..., description="no_sla, running, overdue, met, missed or stopped (cancelled)")
    due_at: datetime | None
    stopped_at: datetime | None
    seconds_remaining: int | None
    seconds_overdue: int | None
    breached_at: datetime | None
    breach_notified_at: datetime | None


class CameraRefOut(Schema):
    id: int
    asset_ref: str
    name: str


def _username(user: User | None) -> str | None:
    return user.username if user is not None else None


def _clock(fault: Fault, kind: str) -> dict:
    reading = getattr(fault_clocks(fault), kind)
    return {**asdict(reading), "breached_at": getattr(fault, f"{kind}_breached_at"),
            "breach_notified_at": getattr(fault, f"{kind}_breach_notified_at")}


class FaultListOut(Schema):
    id: int
    reference: str
    status: str
    priority: str
    source: str
    summary: str
    subject: SubjectOut
    reported_at: datetime
    assigned_to: str | None
    response_due_at: datetime | None
    fix_due_at: datetime | None
    response_breached: bool
    fix_breached: bool

    @staticmethod
    def resolve_subject(fault) -> dict:
        kind = "camera" if fault.camera_id else "node" if fault.node_id else "link"
        return {"kind": kind, "id": fault.subject.pk, "label": fault_subject_text(fault)}

    @staticmethod
    def resolve_assigned_to(fault) -> str | None:
        return _username(fault.assigned_to)

    @staticmethod
    def resolve_response_breached(fault) -> bool:
        return fault.response_breached_at is not None

    @staticmethod
    def resolve_fix_breached(fault) -> bool:
        return fault.fix_breached_at is not None


class FaultOut(FaultListOut):
    description: str
    contract_reference: str | None
    sla_rule: str
    response: ClockOut
    fix: ClockOut
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    fixed_at: datetime | None
    fixed_by: str | None
    closed_at: datetime | None
    closed_by: str | None
    transitions_allowed: list[str]
    notes: list[NoteOut]
    cameras_taken_down: list[CameraRefOut] | None = Field(
        None, description="Link and node faults, on GET only: cameras with no path to the monitoring centre."
    )

    @staticmethod
    def resolve_contract_reference(fault) -> str | None:
        return fault.contract.reference if fault.contract_id else None

    @staticmethod
    def resolve_response(fault) -> dict:
        return _clock(fault, "response")

    @staticmethod
    def resolve_fix(fault) -> dict:
        return _clock(fault, "fix")

    @staticmethod
    def resolve_acknowledged_by(fault) -> str | None:
        return _username(fault.acknowledged_by)

    @staticmethod
    def resolve_fixed_by(fault) -> str | None:
        return _username(fault.fixed_by)

    @staticmethod
    def resolve_closed_by(fault) -> str | None:
        return _username(fault.closed_by)

    @staticmethod
    def resolve_transitions_allowed(fault) -> list[str]:
        return fault_transitions_allowed(fault.status)

    @staticmethod
    def resolve_notes(fault) -> list:
        return list(fault.notes.select_related("author"))

    @staticmethod
    def resolve_cameras_taken_down(fault) -> list | None:
        return getattr(fault, "cameras_taken_down", None)


class FaultFilter(FilterSchema):
    status: FaultStatus | None = None
    priority: FaultPriority | None = None
    camera: int | None = Field(None, description="A camera id.")
    breached: bool | None = Field(None, description="true: a response or fix deadline was breached.")

    def filter_breached(self, value: bool | None) -> Q:
        if value is None:
            return Q()
        breached = Q(response_breached_at__isnull=False) | Q(fix_breached_at__isnull=False)
        return breached if value else ~breached


class SlaTermOut(Schema):
    priority: str
    response_minutes: int
    fix_minutes: int
    clock: str
    rule: str

    @staticmethod
    def resolve_rule(term) -> str:
        return sla_rule_text(term, term.contract)


# The working day is a wall-clock time in Europe/London, which has no fixed offset: OpenAPI's "time"
# format (RFC 3339) requires one, so the schema states what is sent instead ("08:00:00").
LocalTime = Annotated[time, WithJsonSchema({"type": "string", "pattern": r"^\d{2}:\d{2}:\d{2}(\.\d+)?$",
                                            "description": "Wall-clock time in Europe/London, HH:MM:SS"})]


class ContractOut(Schema):
    id: int
    reference: str
    title: str
    owner: str
    contractor: str
    contract_owner: str
    starts_on: date
    ends_on: date
    monitored_hours: str
    availability_target_pct: Decimal
    camera_availability_target_pct: Decimal
    monthly_fee_gbp: Decimal
    credit_per_response_breach_gbp: Decimal
    credit_per_fix_breach_gbp: Decimal
    availability_credit_pct_per_point: Decimal
    working_day_starts_at: LocalTime
    working_day_ends_at: LocalTime
    sla_terms: list[SlaTermOut]

    @staticmethod
    def resolve_owner(contract) -> str:
        return contract.owner.name

    @staticmethod
    def resolve_contractor(contract) -> str:
        return contract.contractor.name

    @staticmethod
    def resolve_contract_owner(contract) -> str:
        return contract.contract_owner.get_full_name() or contract.contract_owner.username

    @staticmethod
    def resolve_sla_terms(contract) -> list:
        return list(contract.sla_terms.all())


# --- Lookups ----------------------------------------------------------------------------------

def _fault(request: HttpRequest, fault_id: int) -> Fault:
    fault = visible_to(request.auth, Fault.objects.select_related(*FAULT_RELATED)).filter(pk=fault_id).first()
    if fault is None:
        raise NotVisible(f"Fault {fault_id} not found.")
    return fault


def _subject(request: HttpRequest, payload: FaultIn) -> dict:
    given = {name: getattr(payload, name) for name in ("camera_id", "node_id", "link_id")
             if getattr(payload, name) is not None}
    if len(given) != 1:
        raise InvalidInput("Give exactly one of camera_id, node_id or link_id.")
    (name, pk), = given.items()
    model = {"camera_id": Camera, "node_id": Node, "link_id": Link}[name]
    subject = visible_to(request.auth, model.objects.all()).filter(pk=pk).first()
    if subject is None:
        error = CameraNotFound if model is Camera else InvalidInput
        raise error(f"{model._meta.verbose_name.capitalize()} {pk} does not exist or is not visible to you.")
    return {name.removesuffix("_id"): subject}


# --- Endpoints ---------------------------------------------------------------------------------

@router.get("/contracts", response=list[ContractOut], summary="Contracts with their SLA terms")
def contract_list(request: HttpRequest):
    contracts = visible_to(request.auth, Contract.objects.all())
    return contracts.select_related("owner", "contractor", "contract_owner").prefetch_related("sla_terms__contract")


@router.get("/contracts/{int:contract_id}", response=ContractOut, summary="One contract with its SLA terms")
def contract_get(request: HttpRequest, contract_id: int):
    contracts = visible_to(request.auth, Contract.objects.select_related("owner", "contractor", "contract_owner"))
    contract = contracts.prefetch_related("sla_terms__contract").filter(pk=contract_id).first()
    if contract is None:
        raise NotVisible(f"Contract {contract_id} not found.")
    return contract


@router.get("", response=list[FaultListOut], summary="List faults")
@paginate(LimitOffsetPagination)
def fault_list(request: HttpRequest, filters: Query[FaultFilter]):
    faults = visible_to(request.auth, Fault.objects.select_related("camera", "node", "link", "assigned_to"))
    return filters.filter(faults).order_by("-reported_at", "-id")


@router.post("", response={201: FaultOut}, summary="Open a fault")
def fault_open_endpoint(request: HttpRequest, payload: FaultIn):
    authorize(request.auth, "add", Fault)
    fault = fault_open(by=request.auth, priority=payload.priority, summary=payload.summary,
                       description=payload.description, reported_at=payload.reported_at,
                       **_subject(request, payload))
    return Status(201, _fault(request, fault.pk))


@router.get("/{int:fault_id}", response=FaultOut, summary="One fault with its SLA clocks")
def fault_get(request: HttpRequest, fault_id: int):
    fault = _fault(request, fault_id)
    taken_down = fault_cameras_taken_down(fault)
    fault.cameras_taken_down = list(taken_down) if taken_down is not None else None
    return fault


@router.post("/{int:fault_id}/acknowledge", response=FaultOut, summary="Acknowledge (respond to) a fault")
def fault_acknowledge_endpoint(request: HttpRequest, fault_id: int):
    fault_acknowledge(fault=_fault(request, fault_id), by=request.auth)
    return _fault(request, fault_id)


@router.post("/{int:fault_id}/fix", response=FaultOut, summary="Mark a fault fixed")
def fault_fix_endpoint(request: HttpRequest, fault_id: int, payload: FixIn | None = None):
    fault_fix(fault=_fault(request, fault_id), by=request.auth, note=payload.note if payload else "")
    return _fault(request, fault_id)


@router.post("/{int:fault_id}/close", response=FaultOut, summary="Close a fixed fault")
def fault_close_endpoint(request: HttpRequest, fault_id: int):
    fault_close(fault=_fault(request, fault_id), by=request.auth)
    return _fault(request, fault_id)


@router.post("/{int:fault_id}/cancel", response=FaultOut, summary="Cancel a fault logged in error")
def fault_cancel_endpoint(request: HttpRequest, fault_id: int, payload: CancelIn):
    fault_cancel(fault=_fault(request, fault_id), by=request.auth, reason=payload.reason)
    return _fault(request, fault_id)


@router.post("/{int:fault_id}/assign", response=FaultOut, summary="Assign a fault to an engineer")
def fault_assign_endpoint(request: HttpRequest, fault_id: int, payload: AssignIn):
    fault = _fault(request, fault_id)
    assignee = User.objects.filter(pk=payload.assignee_id, is_active=True).first()
    if assignee is None:
        raise InvalidInput(f"No active user {payload.assignee_id}.")
    fault_assign(fault=fault, by=request.auth, assignee=assignee)
    return _fault(request, fault_id)


@router.post("/{int:fault_id}/notes", response={201: NoteOut}, summary="Add a note to a fault")
def fault_note_add_endpoint(request: HttpRequest, fault_id: int, payload: NoteIn):
    note = fault_note_add(fault=_fault(request, fault_id), by=request.auth, text=payload.text)
    return Status(201, note)
