"""Celery tasks for evidence custody (loaded by evidence.tasks)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from evidence.digest import custody_digest_send

__all__ = ["custody_digest_send_task"]


@shared_task(name="evidence.tasks_custody.custody_digest_send_task", acks_late=True)
def custody_digest_send_task(day_iso: str | None = None) -> dict[str, object]:
    """Run daily at 06:00 by beat (config/schedule.py); `day_iso` (YYYY-MM-DD) sends a missed day.

    acks_late: a worker that dies mid-run leaves the message to be redelivered, which is safe
    because the digest file is the once-per-day claim (evidence.digest).
    """
    day = dt.date.fromisoformat(day_iso) if day_iso else timezone.localdate()
    result = custody_digest_send(day)
    return {"day": result.day.isoformat(), "already_sent": result.already_sent, "emails": result.emails}
