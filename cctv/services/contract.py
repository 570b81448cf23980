"""The monitoring contract: setting one up with its SLA terms, and finding the one in force.

Only one contract of an owner may be in force on any date, so "the contract that covers
this fault" always has one answer: contract_create refuses overlapping terms, holding a
lock on the owner's row so two overlapping contracts cannot be created side by side.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any

import pghistory
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Model

from accounts.exceptions import InvalidInput
from accounts.models import Organisation, User
from accounts.permissions import authorize
from cctv.models import Contract, SlaTerm
from cctv.sla import LONDON

logger = logging.getLogger(__name__)

CONTRACT_FIELDS = {
    "monitored_hours", "availability_target_pct", "camera_availability_target_pct", "monthly_fee_gbp",
    "credit_per_response_breach_gbp", "credit_per_fix_breach_gbp", "availability_credit_pct_per_point",
    "working_day_starts_at", "working_day_ends_at",
}


@dataclass(frozen=True)
class SlaTermSpec:
    """One priority's terms as given to contract_create."""

    priority: str
    response_minutes: int
    fix_minutes: int
    clock: str


def _validate(instance: Model, *, exclude: list[str] | None = None) -> None:
    try:
        instance.full_clean(exclude=exclude)
    except ValidationError as exc:
        messages = [f"{field}: {' '.join(errs)}" if field != "__all__" else " ".join(errs)
                    for field, errs in exc.message_dict.items()]
        raise InvalidInput("; ".join(messages)) from None


@transaction.atomic
def contract_create(*, owner: Organisation, contractor: Organisation, contract_owner: User, by: User | None,
                    reference: str, title: str, starts_on: dt.date, ends_on: dt.date,
                    sla_terms: list[SlaTermSpec], **fields: Any) -> Contract:
    """Record a contract and its SLA terms together: a contract without terms has no clocks."""
    if by is not None:
        authorize(by, "change", Contract(owner=owner))
    unknown = set(fields) - CONTRACT_FIELDS
    if unknown:
        raise InvalidInput(f"Unknown contract fields: {', '.join(sorted(unknown))}.")
    if ends_on <= starts_on:
        raise InvalidInput("A contract must end after it starts.")
    if not sla_terms:
        raise InvalidInput("A contract needs at least one SLA term.")
    for spec in sla_terms:
        if spec.fix_minutes < spec.response_minutes:
            raise InvalidInput(f"{spec.priority.upper()}: the fix time cannot be shorter than the response time.")
    priorities = [spec.priority for spec in sla_terms]
    if len(set(priorities)) != len(priorities):
        raise InvalidInput("Each priority may have only one SLA term.")
    if not contract_owner.email:
        raise InvalidInput("The contract owner needs an email address: SLA breaches are sent there.")
    # Serialises contract creation per owner, so the overlap check below cannot race.
    Organisation.objects.select_for_update().get(pk=owner.pk)
    overlapping = Contract.objects.filter(owner=owner, starts_on__lte=ends_on, ends_on__gte=starts_on).first()
    if overlapping is not None:
        raise InvalidInput(
            f"The term {starts_on:%Y-%m-%d} to {ends_on:%Y-%m-%d} overlaps contract {overlapping.reference} "
            f"({overlapping.starts_on:%Y-%m-%d} to {overlapping.ends_on:%Y-%m-%d}); one contract at a time."
        )
    contract = Contract(owner=owner, contractor=contractor, contract_owner=contract_owner, reference=reference,
                        title=title, starts_on=starts_on, ends_on=ends_on, **fields)
    if contract.working_day_ends_at <= contract.working_day_starts_at:
        raise InvalidInput("The working day must end after it starts.")
    _validate(contract)
    actor = {"user": by.pk, "username": by.username} if by is not None else {"user": None}
    with pghistory.context(**actor, action="contract_create"):
        contract.save()
        for spec in sla_terms:
            term = SlaTerm(contract=contract, priority=spec.priority, response_minutes=spec.response_minutes,
                           fix_minutes=spec.fix_minutes, clock=spec.clock)
            _validate(term, exclude=["contract"])
            term.save()
    logger.info("contract created id=%s owner=%s terms=%s", contract.pk, owner.pk, len(sla_terms))
    return contract


def contract_in_force(*, owner_id: int, at: dt.datetime) -> Contract | None:
    """The owner's contract whose term (both dates inclusive, London dates) covers `at`."""
    on = at.astimezone(LONDON).date()
    return (Contract.objects.select_related("contract_owner")
            .filter(owner_id=owner_id, starts_on__lte=on, ends_on__gte=on).first())


def sla_term_for(*, contract: Contract, priority: str) -> SlaTerm | None:
    return contract.sla_terms.filter(priority=priority).first()
