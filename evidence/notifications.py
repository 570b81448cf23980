"""Alerts before evidence deadlines: who is told, what they are told, and never twice.

`deadline_alerts_send` runs every few minutes (config/schedule.py). For each open deadline and
each lead time (settings.EVIDENCE_ALERT_LEAD_MINUTES) whose moment has come, it claims a
DeadlineAlert row with INSERT ... ON CONFLICT DO NOTHING: the unique (deadline, lead_minutes,
due_at) constraint lets exactly one run win, so two workers or a re-run never send the same alert
twice, and a deadline whose due date is recomputed gets fresh alerts. Email goes out after the
claim commits; an email that fails releases its claim so the next run tries again (as the fault
breach emails do in cctv.services.faults).

Emails name the request by reference and carry the deadline's rule; no personal data (the
requester, the description of a person) goes into an email.
"""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass
from functools import partial

from django.conf import settings
from django.core.mail import send_mail
from django.db import connection, transaction
from django.db.models import Q
from django.utils import timezone

from accounts.choices import OrganisationKind, Role
from accounts.models import User
from accounts.permissions import can
from cctv.sla import LONDON
from evidence.choices import REQUEST_STATES_FINAL, REQUEST_STATES_FOOTAGE_AT_RISK, DeadlineKind
from evidence.models import Deadline, DeadlineAlert, EvidenceRequest, SarClockPause

logger = logging.getLogger(__name__)

DEFAULT_ALERT_LEAD_MINUTES = {
    DeadlineKind.OVERWRITE: [1440, 240],
    DeadlineKind.SAR_DUE: [7 * 1440, 1440],
    DeadlineKind.POLICE_TARGET: [240],
}

DEADLINE_PHRASE = {
    DeadlineKind.OVERWRITE: "footage is overwritten",
    DeadlineKind.SAR_DUE: "the SAR response is due",
    DeadlineKind.POLICE_TARGET: "the police service target falls",
}


def alert_lead_minutes() -> dict[str, list[int]]:
    configured = getattr(settings, "EVIDENCE_ALERT_LEAD_MINUTES", DEFAULT_ALERT_LEAD_MINUTES)
    return {kind: sorted({int(m) for m in configured.get(kind, ())}, reverse=True) for kind in DeadlineKind.values}


def lead_text(minutes: int) -> str:
    if minutes % 1440 == 0:
        days = minutes // 1440
        return f"{days} day{'s' if days != 1 else ''}"
    if minutes % 60 == 0:
        return f"{minutes // 60} h"
    return f"{minutes} min"


def _local(moment: dt.datetime) -> str:
    return moment.astimezone(LONDON).strftime("%a %d %b %Y %H:%M %Z")


# --- who is told ----------------------------------------------------------------------------

def deadline_alert_recipients(request: EvidenceRequest) -> list[str]:
    """The people working the request: its assigned operator, or else the owner council's CCTV
    managers and its monitoring contractor's operators. Only people who can see the request."""
    if request.assigned_to_id:
        people = [request.assigned_to]
    else:
        contractors = request.owner.shares_with.filter(kind=OrganisationKind.CONTRACTOR)
        people = list(User.objects.filter(
            Q(role=Role.CCTV_MANAGER, organisation=request.owner_id)
            | Q(role=Role.OPERATOR, organisation__in=contractors)
        ).order_by("username"))
    return [person.email for person in people if person.is_active and person.email and can(person, "view", request)]


def deadline_alert_email_send(*, deadline: Deadline, lead_minutes: int) -> int:
    """One email about one deadline coming up; returns the number of emails sent (0 or 1)."""
    request = deadline.request
    recipients = deadline_alert_recipients(request)
    if not recipients:
        logger.warning("deadline alert not emailed: nobody to tell deadline=%s", deadline.pk)
        return 0
    phrase = DEADLINE_PHRASE[deadline.kind]
    subject = f"{request.reference}: {phrase} within {lead_text(lead_minutes)} ({_local(deadline.due_at)})"
    facts = [
        ("Request", request.reference),
        ("Kind", request.get_kind_display()),
        ("State", request.get_state_display()),
        ("Deadline", deadline.get_kind_display()),
        ("Due", _local(deadline.due_at)),
        ("Rule", deadline.rule),
    ]
    body = "\n".join([
        f"On request {request.reference} {phrase} at {_local(deadline.due_at)}.",
        "",
        *(f"{label + ':':<10}{value}" for label, value in facts),
        "",
        "You receive this because you work on this request. Each alert is sent once.",
    ])
    sent = send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, recipients)
    logger.info("deadline alert emailed deadline=%s lead=%s", deadline.pk, lead_minutes)
    return sent


# --- when, once ---------------------------------------------------------------------------------

@dataclass(frozen=True)
class AlertClaim:
    deadline_id: int
    lead_minutes: tuple[int, ...]


def _claim(deadline: Deadline, lead_minutes: int) -> int | None:
    """Insert the alert row unless it exists; the id when this run won the claim."""
    with connection.cursor() as cursor:
        cursor.execute(
            "INSERT INTO evidence_deadlinealert (deadline_id, lead_minutes, due_at, claimed_at) "
            "VALUES (%s, %s, %s, now()) ON CONFLICT ON CONSTRAINT deadline_alert_once DO NOTHING RETURNING id",
            [deadline.pk, lead_minutes, deadline.due_at],
        )
        row = cursor.fetchone()
    return row[0] if row else None


def _deliver(deadline_id: int, alert_ids: list[int], lead_minutes: int) -> None:
    """After commit: send, then stamp the alerts; on a mail failure release them for the next run."""
    deadline = Deadline.objects.select_related("request__owner", "request__assigned_to").get(pk=deadline_id)
    try:
        deadline_alert_email_send(deadline=deadline, lead_minutes=lead_minutes)
    except (smtplib.SMTPException, OSError):
        logger.exception("deadline alert failed deadline=%s; will retry", deadline_id)
        DeadlineAlert.objects.filter(pk__in=alert_ids, sent_at__isnull=True).delete()
        return
    DeadlineAlert.objects.filter(pk__in=alert_ids).update(sent_at=timezone.now())


def _deadlines_watched(now: dt.datetime, longest_lead: int):
    """Open deadlines due within the longest lead time, on requests still working towards them.

    The filter on met_at/missed_at/due_at matches the partial index deadline_open_due_idx.
    """
    horizon = now + dt.timedelta(minutes=longest_lead)
    return (Deadline.objects
            .filter(met_at__isnull=True, missed_at__isnull=True, due_at__gt=now, due_at__lte=horizon)
            .exclude(request__state__in=REQUEST_STATES_FINAL)
            .exclude(Q(kind=DeadlineKind.OVERWRITE) & ~Q(request__state__in=REQUEST_STATES_FOOTAGE_AT_RISK))
            # A paused SAR clock is not running: its due date is not yet known.
            .exclude(kind=DeadlineKind.SAR_DUE,
                     request_id__in=SarClockPause.objects.filter(resumed_on__isnull=True).values("request_id"))
            .order_by("due_at", "pk"))


def deadline_alerts_send(*, now: dt.datetime | None = None) -> list[AlertClaim]:
    """Claim and email every alert whose lead time has come; safe to run twice or on two workers.

    When a run finds several lead times of one deadline due at once (a request that arrives four
    hours before its footage goes), it claims them all and sends one email naming the nearest.
    """
    now = now or timezone.now()
    if timezone.is_naive(now):
        raise ValueError("now must be timezone-aware.")
    leads = alert_lead_minutes()
    longest = max((m for minutes in leads.values() for m in minutes), default=0)
    claims: list[AlertClaim] = []
    for deadline in _deadlines_watched(now, longest):
        due_leads = [m for m in leads[deadline.kind] if now >= deadline.due_at - dt.timedelta(minutes=m)]
        if not due_leads:
            continue
        with transaction.atomic():
            won = {m: alert_id for m in due_leads if (alert_id := _claim(deadline, m)) is not None}
            if won:
                transaction.on_commit(partial(_deliver, deadline.pk, list(won.values()), min(won)))
        if won:
            claims.append(AlertClaim(deadline_id=deadline.pk, lead_minutes=tuple(sorted(won, reverse=True))))
    return claims
