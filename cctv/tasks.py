"""Celery tasks of the estate: each loads what it needs and calls a service."""

from __future__ import annotations

import datetime as dt

from celery import shared_task

# Celery autodiscovery imports only <app>.tasks: importing the health-feed tasks here registers
# them with every worker (they live apart so the two can change independently).
import cctv.tasks_health  # noqa: F401
from cctv.services.faults import sla_breaches_check


@shared_task(name="cctv.tasks.sla_breaches_check_task", acks_late=True)
def sla_breaches_check_task(now_iso: str | None = None) -> dict[str, int]:
    """Run every minute by beat (config/schedule.py). `now_iso` fixes the clock for tests and catch-up runs.

    acks_late: a worker that dies mid-run leaves the message to be redelivered, which is safe
    because the check claims every row with a conditional update.
    """
    now = dt.datetime.fromisoformat(now_iso) if now_iso else None
    result = sla_breaches_check(now=now)
    return {"stamped": len(result.stamped), "notified": len(result.notified)}
