"""Celery tasks for reports; beat runs monthly_reports_generate_task every morning (config/schedule.py)."""

from __future__ import annotations

import datetime as dt

from celery import shared_task
from django.utils import timezone

from reports.services import monthly_reports_run


@shared_task(name="reports.tasks.monthly_reports_generate_task", acks_late=True)
def monthly_reports_generate_task(today_iso: str | None = None) -> dict[str, object]:
    """Daily at 07:00; acts only on the first working day (Europe/London). `today_iso` replays a missed day.

    acks_late is safe: the stored report and the emailed_at claim make a redelivery a no-op.
    """
    today = dt.date.fromisoformat(today_iso) if today_iso else timezone.localdate()
    return monthly_reports_run(today=today)
