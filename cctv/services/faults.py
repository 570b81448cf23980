"""Fault tickets: open, acknowledge, fix, close or cancel, assign, note; and the breach check.

Every change locks the fault's row and checks the move after taking the lock, so two
people pressing "acknowledge" at once get one acknowledgement and one 409. A fault's
SLA due times are fixed when it opens, from the contract in force on the report date;
the rule that produced them is stored beside them so they can be explained later.

The breach check (run every minute by cctv.tasks.sla_breaches_check_task) works in two
steps, as healthchecks' sendalerts does: it stamps each newly overdue clock with a
conditional update that only one worker can win, then claims each stamped but unnotified
breach the same way and emails it after commit. A breach is therefore stamped once and
emailed once however many workers run the check, and an email that fails to send is
released to be retried by the next run.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass, field
from functools import partial
from typing import Any, NamedTuple

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from accounts.exceptions import Forbidden, InvalidInput, WrongState
from accounts.models import User
from accounts.permissions import authorize, can, may_be_assigned
from accounts.references import yearly_reference_next
from cctv.choices import FAULT_STATUSES_ACTIVE, FaultPriority, FaultSource, FaultStatus
from cctv.exceptions import FaultTransitionNotAllowed
from cctv.models import Camera, Fault, FaultNote, Link, Node
from cctv.notifications import BreachKind, sla_breach_email_send
from cctv.services.contract import contract_in_force, sla_term_for
from cctv.services.history import history_actor
from cctv.sla import LONDON, fault_due_times

logger = logging.getLogger(__name__)

# First key of pg_advisory_xact_lock(int, int) for fault references ("FLT"); the year is the second.
FAULT_REFERENCE_LOCK = 0x464C54
# How far ahead of the server clock a reported time may be (a client's clock a little fast).
CLOCK_SKEW = dt.timedelta(minutes=5)
NOTE_MAX_CHARS = 5000


class Transition(NamedTuple):
    sources: tuple[str, ...]
    target: str
    past_tense: str


# The workflow: open -> acknowledged -> fixed -> closed, or cancelled while still active.
FAULT_TRANSITIONS: dict[str, Transition] = {
    "acknowledge": Transition((FaultStatus.OPEN,), FaultStatus.ACKNOWLEDGED, "acknowledged"),
    "fix": Transition((FaultStatus.ACKNOWLEDGED,), FaultStatus.FIXED, "marked fixed"),
    "close": Transition((FaultStatus.FIXED,), FaultStatus.CLOSED, "closed"),
    "cancel": Transition(FAULT_STATUSES_ACTIVE, FaultStatus.CANCELLED, "cancelled"),
}


def fault_transitions_allowed(status: str) -> list[str]:
    """The workflow moves open from `status`, whatever the user's role."""
    return [name for name, move in FAULT_TRANSITIONS.items() if status in move.sources]


def _transition_check(fault: Fault, action: str) -> None:
    if fault.status in FAULT_TRANSITIONS[action].sources:
        return
    allowed = fault_transitions_allowed(fault.status)
    then = f"allowed now: {', '.join(allowed)}" if allowed else "nothing more can be done to it"
    raise FaultTransitionNotAllowed(
        f"Fault {fault.reference} is {fault.get_status_display().lower()}, so it cannot be "
        f"{FAULT_TRANSITIONS[action].past_tense}; {then}.", allowed=allowed,
    )


def _actor(user: User | None, action: str, **extra: Any) -> dict[str, Any]:
    return {**history_actor(user), "action": action, **extra}


def _when(at: dt.datetime | None, *, not_before: dt.datetime | None, what: str) -> dt.datetime:
    """The time of an event: now unless given, never in the future, never before the last step."""
    now = timezone.now()
    at = at or now
    if timezone.is_naive(at):
        raise InvalidInput(f"The time a fault was {what} needs a timezone.")
    if at > now + CLOCK_SKEW:
        raise InvalidInput(f"A fault cannot be {what} in the future.")
    if not_before is not None and at < not_before:
        raise InvalidInput(
            f"A fault cannot be {what} before {not_before.astimezone(LONDON):%Y-%m-%d %H:%M %Z}, "
            "the time of its previous step."
        )
    return at


def _fault_locked(fault: Fault, *, by: User, action: str) -> Fault:
    """Lock the row, then ask permissions about the row as it is now (its assignee may have changed)."""
    locked = Fault.objects.select_for_update().get(pk=fault.pk)
    authorize(by, action, locked)
    return locked


def _fault_reference_next(year: int) -> str:
    """Next F-<year>-<nnnnn> (accounts.references explains why this is safe under concurrency)."""
    return yearly_reference_next(records=Fault.objects.all(), letters="F", year=year,
                                 lock_namespace=FAULT_REFERENCE_LOCK)


def _sla_clocks_set(fault: Fault) -> None:
    """Due times from the owner's contract in force on the report date, and the rule in words."""
    contract = contract_in_force(owner_id=fault.owner_id, at=fault.reported_at)
    fault.contract = contract
    if contract is None:
        fault.sla_rule = "No contract in force on the report date: no SLA clock."
        return
    term = sla_term_for(contract=contract, priority=fault.priority)
    if term is None:
        fault.sla_rule = f"Contract {contract.reference} has no {fault.priority.upper()} term: no SLA clock."
        return
    fault.response_due_at, fault.fix_due_at, fault.sla_rule = fault_due_times(fault.reported_at, term, contract)


def _health_feed_duplicate_refuse(camera: Camera | None) -> None:
    """One active health-feed fault per camera (a partial unique constraint backs this up)."""
    if camera is None:
        raise InvalidInput("The health feed opens faults on cameras only.")
    active = Fault.objects.filter(camera=camera, source=FaultSource.HEALTH_FEED,
                                  status__in=FAULT_STATUSES_ACTIVE).first()
    if active is not None:
        raise WrongState(f"Camera {camera.asset_ref} already has an active health-feed fault, {active.reference}.")


@transaction.atomic
def fault_open(*, by: User | None, priority: str, summary: str, camera: Camera | None = None,
               node: Node | None = None, link: Link | None = None, description: str = "",
               reported_at: dt.datetime | None = None, source: str = FaultSource.MANUAL) -> Fault:
    """Open a fault on one camera, node or link of an owner; `by` None is the system (health feed)."""
    subjects = [subject for subject in (camera, node, link) if subject is not None]
    if len(subjects) != 1:
        raise InvalidInput("A fault is about exactly one camera, node or link.")
    if priority not in FaultPriority.values:
        raise InvalidInput(f"Unknown priority {priority!r}; use one of {', '.join(FaultPriority.values)}.")
    if source not in FaultSource.values:
        raise InvalidInput(f"Unknown source {source!r}.")
    summary = (summary or "").strip()
    if not summary:
        raise InvalidInput("A fault needs a summary.")
    reported_at = _when(reported_at, not_before=None, what="reported")
    fault = Fault(owner_id=subjects[0].owner_id, camera=camera, node=node, link=link, priority=priority,
                  source=source, summary=summary, description=(description or "").strip(),
                  reported_at=reported_at, reported_by=by)
    if by is not None:
        authorize(by, "add", fault)
    if source == FaultSource.HEALTH_FEED:
        _health_feed_duplicate_refuse(camera)
    _sla_clocks_set(fault)
    fault.reference = _fault_reference_next(reported_at.astimezone(LONDON).year)
    try:
        fault.full_clean(exclude=["camera", "node", "link", "contract", "owner", "reported_by"])
    except ValidationError as exc:
        messages = (f"{name}: {' '.join(errors)}" for name, errors in exc.message_dict.items())
        raise InvalidInput("; ".join(messages)) from None
    with pghistory.context(**_actor(by, "fault_open", source=source)):
        fault.save()
    logger.info("fault opened id=%s ref=%s priority=%s source=%s", fault.pk, fault.reference, priority, source)
    return fault


def _breach_stamp_if_late(fault: Fault, *, kind: BreachKind, at: dt.datetime) -> None:
    """A clock stopped after its deadline is a breach even if the check had not yet run."""
    due_at = getattr(fault, f"{kind}_due_at")
    if due_at is not None and at > due_at and getattr(fault, f"{kind}_breached_at") is None:
        setattr(fault, f"{kind}_breached_at", at)


@transaction.atomic
def fault_acknowledge(*, fault: Fault, by: User, at: dt.datetime | None = None) -> Fault:
    """The contractor has responded: stops the response clock."""
    fault = _fault_locked(fault, by=by, action="change")
    _transition_check(fault, "acknowledge")
    fault.acknowledged_at = _when(at, not_before=fault.reported_at, what="acknowledged")
    fault.acknowledged_by = by
    fault.status = FaultStatus.ACKNOWLEDGED
    _breach_stamp_if_late(fault, kind="response", at=fault.acknowledged_at)
    with pghistory.context(**_actor(by, "fault_acknowledge")):
        fault.save()
    logger.info("fault id=%s open->acknowledged user=%s", fault.pk, by.pk)
    return fault


@transaction.atomic
def fault_fix(*, fault: Fault, by: User, at: dt.datetime | None = None, note: str = "") -> Fault:
    """The contractor says it is fixed: stops the fix clock. Closing is the council's check."""
    note = _note_text_clean(note) if note.strip() else ""
    fault = _fault_locked(fault, by=by, action="change")
    _transition_check(fault, "fix")
    fault.fixed_at = _when(at, not_before=fault.acknowledged_at, what="fixed")
    fault.fixed_by = by
    fault.status = FaultStatus.FIXED
    _breach_stamp_if_late(fault, kind="fix", at=fault.fixed_at)
    with pghistory.context(**_actor(by, "fault_fix")):
        fault.save()
        if note:
            FaultNote.objects.create(fault=fault, author=by, text=note)
    logger.info("fault id=%s acknowledged->fixed user=%s", fault.pk, by.pk)
    return fault


@transaction.atomic
def fault_close(*, fault: Fault, by: User, at: dt.datetime | None = None) -> Fault:
    """The fix is confirmed (the picture is back): the ticket is finished."""
    fault = _fault_locked(fault, by=by, action="close")
    _transition_check(fault, "close")
    fault.closed_at = _when(at, not_before=fault.fixed_at, what="closed")
    fault.closed_by = by
    fault.status = FaultStatus.CLOSED
    with pghistory.context(**_actor(by, "fault_close")):
        fault.save()
    logger.info("fault id=%s fixed->closed user=%s", fault.pk, by.pk)
    return fault


@transaction.atomic
def fault_cancel(*, fault: Fault, by: User, reason: str) -> Fault:
    """Withdraw a fault logged in error or a duplicate. The reason is kept as a note.

    closed_at/closed_by record when and by whom it left the active list; the status says how.
    Cancelled faults raise no breach emails.
    """
    if not (reason or "").strip():
        raise InvalidInput("Cancelling a fault needs a reason (for example, a duplicate of another fault).")
    reason = _note_text_clean(reason)
    fault = _fault_locked(fault, by=by, action="close")
    _transition_check(fault, "cancel")
    before = fault.status
    fault.closed_at = timezone.now()
    fault.closed_by = by
    fault.status = FaultStatus.CANCELLED
    with pghistory.context(**_actor(by, "fault_cancel", reason=reason[:200])):
        fault.save()
        FaultNote.objects.create(fault=fault, author=by, text=f"Cancelled: {reason}")
    logger.info("fault id=%s %s->cancelled user=%s", fault.pk, before, by.pk)
    return fault


def _assignee_check(fault: Fault, assignee: User) -> None:
    """Faults go to an active engineer of the contractor that holds the fault's contract.

    This is about who may receive a fault, not about what the acting user may do (that is
    asked of accounts.permissions): engineers are the role that sees faults by assignment.
    """
    if fault.contract_id is None:
        raise InvalidInput(f"Fault {fault.reference} has no contract, so there is no contractor to assign it to.")
    if not (may_be_assigned(assignee, fault) and assignee.organisation_id == fault.contract.contractor_id):
        raise InvalidInput(
            f"{assignee.username} is not an active engineer of {fault.contract.contractor}, "
            "the contractor for this fault."
        )


@transaction.atomic
def fault_assign(*, fault: Fault, by: User, assignee: User) -> Fault:
    """Give the fault to one of the contractor's engineers; they then see and update it.

    Assigning is dispatching, done by the control room or the CCTV manager, so engineers
    cannot pass faults between themselves.
    """
    fault = _fault_locked(fault, by=by, action="change")
    if not can(by, "assign", fault):
        raise Forbidden("Your role may not assign faults; the control room or the CCTV manager does.")
    if fault.status not in FAULT_STATUSES_ACTIVE:
        allowed = fault_transitions_allowed(fault.status)
        raise FaultTransitionNotAllowed(
            f"Fault {fault.reference} is {fault.get_status_display().lower()}; only an open or acknowledged "
            "fault can be assigned.", allowed=allowed,
        )
    _assignee_check(fault, assignee)
    previous = fault.assigned_to_id
    fault.assigned_to = assignee
    with pghistory.context(**_actor(by, "fault_assign")):
        fault.save(update_fields=["assigned_to"])
    logger.info("fault id=%s assigned user=%s->%s by=%s", fault.pk, previous, assignee.pk, by.pk)
    return fault


def _note_text_clean(text: str) -> str:
    text = (text or "").strip()
    if not text:
        raise InvalidInput("A note needs some text.")
    if len(text) > NOTE_MAX_CHARS:
        raise InvalidInput(f"A note can be at most {NOTE_MAX_CHARS} characters; this one is {len(text)}.")
    return text


@transaction.atomic
def fault_note_add(*, fault: Fault, by: User, text: str) -> FaultNote:
    """Add to the fault's running log. Notes are never edited or deleted."""
    text = _note_text_clean(text)
    fault = _fault_locked(fault, by=by, action="change")
    return FaultNote.objects.create(fault=fault, author=by, text=text)


# --- Breach detection ----------------------------------------------------------------------

@dataclass(frozen=True)
class BreachCheck:
    """What one run did: clocks it stamped as breached, breaches it claimed to email."""

    checked_at: dt.datetime
    stamped: list[tuple[int, BreachKind]] = field(default_factory=list)
    notified: list[tuple[int, BreachKind]] = field(default_factory=list)


# Which rows each clock breaches: the filters match the partial indexes on Fault
# (fault_open_response_due_idx: status = open; fault_active_fix_due_idx: status in active).
_OVERDUE = {
    "response": lambda now: Q(status=FaultStatus.OPEN, response_due_at__lt=now, response_breached_at__isnull=True),
    "fix": lambda now: Q(status__in=FAULT_STATUSES_ACTIVE, fix_due_at__lt=now, fix_breached_at__isnull=True),
}


def _overdue_stamp(*, now: dt.datetime) -> list[tuple[int, BreachKind]]:
    """Stamp clocks whose deadline has passed. At the deadline itself the clock is still met."""
    stamped: list[tuple[int, BreachKind]] = []
    for kind, overdue in _OVERDUE.items():
        for fault_id in Fault.objects.filter(overdue(now)).order_by(f"{kind}_due_at").values_list("pk", flat=True):
            # The same conditions again in the UPDATE: a worker that loses the race, or a fault
            # acknowledged in the meantime, updates nothing.
            if Fault.objects.filter(overdue(now), pk=fault_id).update(**{f"{kind}_breached_at": now}):
                stamped.append((fault_id, kind))
                logger.info("sla breach fault=%s kind=%s", fault_id, kind)
    return stamped


def _breach_email_deliver(fault_id: int, kind: BreachKind, claimed_at: dt.datetime) -> None:
    """After commit: send, or release the claim so the next run tries again."""
    fault = Fault.objects.select_related("contract__contract_owner", "camera", "node", "link", "assigned_to").get(
        pk=fault_id
    )
    try:
        sla_breach_email_send(fault=fault, kind=kind)
    except (smtplib.SMTPException, OSError):
        logger.exception("sla breach email failed fault=%s kind=%s; will retry", fault_id, kind)
        Fault.objects.filter(pk=fault_id, **{f"{kind}_breach_notified_at": claimed_at}).update(
            **{f"{kind}_breach_notified_at": None}
        )


def _breaches_notify(*, now: dt.datetime) -> list[tuple[int, BreachKind]]:
    """Claim every stamped, unnotified breach (conditional update) and email it after commit."""
    pending = (Fault.objects.exclude(status=FaultStatus.CANCELLED)
               .filter(Q(response_breached_at__isnull=False, response_breach_notified_at__isnull=True)
                       | Q(fix_breached_at__isnull=False, fix_breach_notified_at__isnull=True))
               .order_by("pk").values_list("pk", "response_breach_notified_at", "response_breached_at",
                                           "fix_breach_notified_at", "fix_breached_at"))
    notified: list[tuple[int, BreachKind]] = []
    for fault_id, response_notified, response_breached, fix_notified, fix_breached in pending:
        kinds: list[BreachKind] = []
        if response_breached and not response_notified:
            kinds.append("response")
        if fix_breached and not fix_notified:
            kinds.append("fix")
        for kind in kinds:
            with transaction.atomic():
                claimed = Fault.objects.filter(
                    pk=fault_id, **{f"{kind}_breached_at__isnull": False, f"{kind}_breach_notified_at__isnull": True}
                ).update(**{f"{kind}_breach_notified_at": now})
                if claimed:
                    transaction.on_commit(partial(_breach_email_deliver, fault_id, kind, now))
                    notified.append((fault_id, kind))
    return notified


def sla_breaches_check(*, now: dt.datetime | None = None) -> BreachCheck:
    """Flag every SLA deadline that has passed and email each breach once to the contract owner.

    Safe to run twice or on two workers at once: every write is a conditional update.
    `now` lets tests and catch-up runs fix the clock.
    """
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must be timezone-aware.")
    stamped = _overdue_stamp(now=now)
    notified = _breaches_notify(now=now)
    return BreachCheck(checked_at=now, stamped=stamped, notified=notified)
