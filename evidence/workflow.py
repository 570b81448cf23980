"""The evidence request workflow: states, allowed moves, and the one function that makes them.

Who may make each move is decided in accounts.permissions (the action of the same name on
"evidence.evidencerequest"); which moves a state allows is decided here. A move is made in one
transaction with its custody event, after locking the request row.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from accounts.exceptions import InvalidInput
from accounts.models import User
from accounts.permissions import authorize, can
from evidence.choices import CustodyEventType, RequestState
from evidence.custody import custody_event_append
from evidence.exceptions import ReasonRequired, TransitionNotAllowed
from evidence.models import EvidenceRequest

logger = logging.getLogger(__name__)

S = RequestState


@dataclass(frozen=True)
class Move:
    sources: tuple[str, ...]
    target: str
    event_type: str
    reason_field: str | None = None  # the request field that must hold a reason
    # A move with more to record than the state (a release records its disclosure) is made
    # only by the service named here, which calls transition(..., by_service=True).
    only_through: str | None = None


MOVES: dict[str, Move] = {
    "accept": Move((S.SUBMITTED,), S.ACCEPTED, CustodyEventType.ACCEPTED),
    "refuse": Move((S.SUBMITTED, S.ACCEPTED), S.REFUSED, CustodyEventType.REFUSED, "refusal_reason"),
    "start_search": Move((S.ACCEPTED,), S.SEARCHING, CustodyEventType.SEARCHING),
    "footage_found": Move((S.SEARCHING,), S.FOOTAGE_FOUND, CustodyEventType.FOOTAGE_FOUND),
    "none_found": Move((S.SEARCHING,), S.NONE_FOUND, CustodyEventType.NONE_FOUND, "none_found_reason"),
    "export": Move((S.FOOTAGE_FOUND,), S.EXPORTED, CustodyEventType.EXPORTED),
    "ready_for_collection": Move((S.EXPORTED,), S.READY_FOR_COLLECTION, CustodyEventType.READY_FOR_COLLECTION),
    "release": Move((S.EXPORTED, S.READY_FOR_COLLECTION), S.RELEASED, CustodyEventType.RELEASED,
                    only_through="the release (POST /api/evidence/bundles/{request_id}/release), which records "
                                 "the disclosure"),
    "close": Move((S.RELEASED, S.NONE_FOUND, S.REFUSED), S.CLOSED, CustodyEventType.CLOSED),
    "withdraw": Move(
        (S.SUBMITTED, S.ACCEPTED, S.SEARCHING, S.FOOTAGE_FOUND, S.EXPORTED, S.READY_FOR_COLLECTION),
        S.WITHDRAWN, CustodyEventType.WITHDRAWN, "withdrawal_reason",
    ),
}


def moves_from(state: str) -> list[str]:
    """The moves the workflow allows from this state, whoever asks."""
    return [name for name, move in MOVES.items() if state in move.sources]


def moves_for(user: User, request: EvidenceRequest) -> list[str]:
    """The moves this user may make now: allowed by the state and by their role and organisation."""
    return [name for name in moves_from(request.state) if can(user, name, request)]


Precondition = Any  # a callable(request) raising a DomainError when the move cannot happen yet
PRECONDITIONS: dict[str, list[Precondition]] = {}


def precondition(move: str):
    """Register a check that must pass before `move` (e.g. export needs a master exhibit)."""
    def register(check):
        PRECONDITIONS.setdefault(move, []).append(check)
        return check
    return register


@transaction.atomic
def transition(*, request: EvidenceRequest, move: str, by: User, reason: str = "", place: str = "",
               detail: dict[str, Any] | None = None, by_service: bool = False) -> EvidenceRequest:
    """Make a workflow move: lock, check role and state, record the custody event, save."""
    if move not in MOVES:
        raise TransitionNotAllowed(f"There is no move called {move!r}.", allowed=moves_from(request.state))
    if MOVES[move].only_through and not by_service:
        raise InvalidInput(f"'{move}' is made through {MOVES[move].only_through}.")
    request = EvidenceRequest.objects.select_for_update().get(pk=request.pk)
    authorize(by, move, request)
    spec = MOVES[move]
    if request.state not in spec.sources:
        raise TransitionNotAllowed(
            f"Request {request.reference} is {request.get_state_display().lower()}; it cannot be moved by "
            f"'{move}'.",
            allowed=moves_for(by, request),
        )
    reason = (reason or "").strip()
    if spec.reason_field:
        if not reason:
            raise ReasonRequired(f"Give a reason to {move.replace('_', ' ')} request {request.reference}.")
        setattr(request, spec.reason_field, reason[:5000])
    for check in PRECONDITIONS.get(move, []):
        check(request)
    before = request.state
    request.state = spec.target
    request.state_changed_at = timezone.now()
    request.save()
    event_detail = {"from": before, "to": spec.target, **(detail or {})}
    if reason:
        event_detail["reason"] = reason[:1000]
    custody_event_append(request=request, event_type=spec.event_type, actor=by, place=place, detail=event_detail)
    logger.info("request=%s %s->%s user=%s", request.pk, before, spec.target, by.pk)
    return request
