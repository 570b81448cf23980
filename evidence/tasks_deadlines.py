"""Celery tasks for evidence deadlines (loaded by evidence.tasks), run every five minutes by beat.

Both are safe to run twice or on two workers (each claims rows; see the services), hence
acks_late: a worker that dies mid-run leaves the message to be redelivered. `now_iso` fixes the
clock for tests and catch-up runs.
"""

from __future__ import annotations

import datetime as dt

from celery import shared_task

# Imported for its side effect too: it registers the export precondition and the deadline marks
# with evidence.workflow, so a move made in a worker checks and marks as one made in the API does.
import evidence.services.requests  # noqa: F401
from evidence.deadlines import footage_lost_mark
from evidence.notifications import deadline_alerts_send


def _now(now_iso: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(now_iso) if now_iso else None


@shared_task(name="evidence.tasks_deadlines.deadline_alerts_send_task", acks_late=True)
def deadline_alerts_send_task(now_iso: str | None = None) -> dict[str, int]:
    claims = deadline_alerts_send(now=_now(now_iso))
    return {"deadlines": len(claims), "alerts": sum(len(claim.lead_minutes) for claim in claims)}


@shared_task(name="evidence.tasks_deadlines.footage_lost_mark_task", acks_late=True)
def footage_lost_mark_task(now_iso: str | None = None) -> dict[str, list[str]]:
    return {"requests": [lost.reference for lost in footage_lost_mark(now=_now(now_iso))]}
