"""Emails about faults. Sent only after the transaction that decided to send them commits.

Times are written in London time with the zone named, because the reader is a person
comparing them with a contract written in local time.
"""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Literal

from django.conf import settings
from django.core.mail import send_mail

from cctv.models import Fault
from cctv.sla import LONDON

logger = logging.getLogger(__name__)

BreachKind = Literal["response", "fix"]


def _local(moment: datetime | None) -> str:
    return moment.astimezone(LONDON).strftime("%a %d %b %Y %H:%M %Z") if moment else "not set"


def fault_subject_text(fault: Fault) -> str:
    if fault.camera_id:
        return f"camera {fault.camera.asset_ref} {fault.camera.name}"
    if fault.node_id:
        return f"node {fault.node.name}"
    return f"link {fault.link}"


def sla_breach_email_send(*, fault: Fault, kind: BreachKind) -> int:
    """Tell the contract owner one SLA deadline has passed; returns the number of emails sent."""
    recipient = fault.contract.contract_owner.email if fault.contract_id else ""
    if not recipient:
        logger.warning("sla breach not emailed: no contract owner email fault=%s kind=%s", fault.pk, kind)
        return 0
    due_at = fault.response_due_at if kind == "response" else fault.fix_due_at
    assignee = (fault.assigned_to.get_full_name() or fault.assigned_to.username) if fault.assigned_to_id else "nobody"
    subject = f"SLA breach: {fault.reference} {kind} overdue ({fault.priority.upper()})"
    facts = [
        ("Fault", f"{fault.reference} {fault.summary}"),
        ("About", fault_subject_text(fault)),
        ("Priority", fault.get_priority_display()),
        ("Status", fault.get_status_display()),
        ("Assigned to", assignee),
        ("Reported", _local(fault.reported_at)),
        (f"{kind.capitalize()} due", _local(due_at)),
        ("SLA rule", fault.sla_rule),
    ]
    body = "\n".join([
        f"The {kind} deadline for fault {fault.reference} has passed.",
        "",
        *(f"{label + ':':<14}{value}" for label, value in facts),
        "",
        "You receive this because you are the contract owner. This breach will not be emailed again.",
    ])
    sent = send_mail(subject, body, settings.DEFAULT_FROM_EMAIL, [recipient])
    logger.info("sla breach emailed fault=%s kind=%s", fault.pk, kind)
    return sent
